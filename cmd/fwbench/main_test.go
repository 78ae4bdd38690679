package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/benchmark"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search/testfunc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden renders the regret table of grid, random and the random
// floor (deterministic, unlike the Bayesian rows, which change with the
// strategy) on a noiseless, a noisy and a capped function.
func TestGolden(t *testing.T) {
	args := []string{"-functions=branin,noisy_branin,hartmann6_in_20", "-strategies=grid,random", "-seeds=3", "-budgets=5,20,60", "-cap=20", "-latency="}
	var out, progress bytes.Buffer
	if err := run(&out, &progress, args); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "regret.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/fwbench -update writes it)", err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/fwbench -update rewrites it):\n%s", path, got)
	}
	if n := strings.Count(progress.String(), "\n"); n != 9 {
		t.Errorf("%d progress lines, want one per row (9):\n%s", n, progress.String())
	}
}

// TestBayesianRows checks the rows and cells of the Bayesian strategy
// and of the latency table, whose values are not pinned.
func TestBayesianRows(t *testing.T) {
	var out, progress bytes.Buffer
	err := run(&out, &progress, []string{"-functions=rastrigin4", "-strategies=bayesian", "-workers=1,4", "-seeds=2", "-budgets=8,12", "-initial=4", "-floor=0", "-latency=10,12x2", "-repeats=1"})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"Reproduce: `go run ./cmd/fwbench -functions=rastrigin4 -strategies=bayesian -workers=1,4 -seeds=2 -budgets=8,12 -initial=4 -floor=0 -latency=10,12x2 -repeats=1`",
		"",
		"Simple regret (median [Q1, Q3]) over 2 seeds",
		"",
		"| function | strategy | 8 trials | 12 trials |",
		"| --- | --- | --- | --- |",
		"| rastrigin4 | bayesian, 1 worker(s) |",
		"| rastrigin4 | bayesian, 4 worker(s) |",
		"",
		"Bayesian ask latency (median of 1 asks;",
		"",
		"| function | 10 obs, batch of 1 | 12 obs, batch of 2 |",
		"| --- | --- | --- |",
		"| rastrigin4 |",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want it to start with %q", i, lines[i], w)
		}
	}
	for _, i := range []int{6, 7, 13} {
		if n := strings.Count(lines[i], "|"); n != 5-boolInt(i == 13) {
			t.Errorf("line %d has %d cells: %q", i, n-1, lines[i])
		}
	}
	if !strings.Contains(lines[13], "MiB alloc") {
		t.Errorf("latency row without memory: %q", lines[13])
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-functions=nope"}, `unknown function "nope"`},
		{[]string{"-functions="}, ""},
		{[]string{"-functions=,"}, "no function named"},
		{[]string{"-budgets=10,x"}, `"x" is not a positive number`},
		{[]string{"-budgets=0"}, "-budgets"},
		{[]string{"-workers=0"}, "-workers"},
		{[]string{"-latency=500x"}, `"500x" is not N or NxB`},
		{[]string{"-latency=500x0"}, "is not N or NxB"},
		{[]string{"-strategies=tpe"}, `unknown strategy "tpe"`},
		{[]string{"-seeds=0"}, "at least 1"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-explore-every=-1"}, "-explore-every must be at least 0"},
		{[]string{"-stall=0"}, "-stall at least 1"},
		{[]string{"-first-seed=-1"}, "-first-seed at least 0"},
		{[]string{"-explore-kappa=0"}, "-explore-kappa a positive number"},
		{[]string{"-stored-only"}, "name the directory with -runs"},
	}
	for _, tt := range tests {
		c, err := parse(tt.args, &bytes.Buffer{})
		if tt.want == "" {
			if err != nil || len(c.functions) != 4 {
				t.Errorf("%v: %v, want the small suite", tt.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestSelectFunctions(t *testing.T) {
	tests := []struct {
		list string
		want []string
	}{
		{"small", []string{"branin", "hartmann6", "rosenbrock4", "mixed"}},
		{"scale", []string{"ackley5", "ackley10", "rastrigin4", "styblinski_tang10", "styblinski_tang20", "rosenbrock10", "hartmann6_in_20", "noisy_branin"}},
		{"conditional,branin,small", []string{"conditional", "branin", "hartmann6", "rosenbrock4", "mixed"}},
	}
	for _, tt := range tests {
		fs, err := selectFunctions(tt.list)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Name)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%q: %v, want %v", tt.list, got, tt.want)
		}
	}
	all, _ := selectFunctions("all")
	if len(all) != 12 {
		t.Errorf("all: %d functions, want 12", len(all))
	}
}

func TestLatencyCells(t *testing.T) {
	got, err := latencyCells("500x8, 2000,50x1")
	if err != nil {
		t.Fatal(err)
	}
	want := []latencyCell{{500, 8}, {2000, 1}, {50, 1}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestCommand(t *testing.T) {
	got := command([]string{"-budgets=30,50", "-inactive=a b", "-x='y'"})
	want := `go run ./cmd/fwbench -budgets=30,50 '-inactive=a b' '-x='\''y'\'''`
	if got != want {
		t.Errorf("%s, want %s", got, want)
	}
}

func TestExploreFlags(t *testing.T) {
	c, err := parse(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if b := c.bayesian(""); b.ExploreEvery != definition.DefaultExploreEvery || b.ExploreKappa != definition.DefaultExploreKappa || b.StallTrials != definition.DefaultStallTrials {
		t.Errorf("defaults: %+v, want fwapply's", b)
	}
	c, err = parse([]string{"-explore-every=0", "-explore-kappa=2", "-stall=4", "-initial=3"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if b := c.bayesian("low"); b.ExploreEvery != 0 || b.ExploreKappa != 2 || b.StallTrials != 4 || b.InitialPoints != 3 || b.Inactive != "low" {
		t.Errorf("set: %+v", b)
	}
}

// TestFirstSeed: -first-seed runs other seeds, and says which.
func TestFirstSeed(t *testing.T) {
	args := []string{"-functions=branin", "-strategies=random", "-seeds=1", "-budgets=7", "-floor=0", "-latency="}
	zero, _ := table(t, args...)
	three, _ := table(t, append(args, "-first-seed=3")...)
	if !strings.Contains(three, "over 1 seeds (3 to 3)") {
		t.Errorf("the header does not name the seeds:\n%s", three)
	}
	f := testfunc.Branin()
	sp, err := benchmark.Space(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := benchmark.RandomRun(f, sp, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	v := r.Regret(f, 7)
	want := fmt.Sprintf("| branin | random | %.3g [%.3g, %.3g] |", v, v, v)
	if !strings.Contains(three, want) || strings.Contains(zero, want) {
		t.Errorf("want %q with -first-seed=3 only:\n%s\n%s", want, zero, three)
	}
}

// storedArgs is a small table of two rows (random, and bayesian with 2
// workers) of 2 seeds each, kept in dir.
func storedArgs(dir string) []string {
	return []string{"-functions=branin", "-strategies=random,bayesian", "-workers=2", "-initial=3", "-seeds=2", "-budgets=4,6", "-floor=0", "-latency=", "-runs=" + dir}
}

// storedSeeds returns the seed files storedArgs's table keeps in dir.
func storedSeeds(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "branin", "*", "seed-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// table runs fwbench with args and returns its output and its progress.
func table(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var out, progress bytes.Buffer
	if err := run(&out, &progress, args); err != nil {
		t.Fatal(err)
	}
	return out.String(), progress.String()
}

// TestRuns: with -runs, a table run again takes its finished seeds from
// the directory (a stored regret shows in the table as it is stored), runs
// the seeds whose budgets are missing, and refuses a damaged file.
func TestRuns(t *testing.T) {
	dir := t.TempDir()
	args := storedArgs(dir)
	first, progress := table(t, args...)
	if strings.Contains(progress, "stored in") {
		t.Errorf("the first run found stored seeds:\n%s", progress)
	}
	if strings.Contains(first, "-runs") {
		t.Errorf("the reproducing command names -runs:\n%s", first)
	}
	if files := storedSeeds(t, dir); len(files) != 4 {
		t.Fatalf("stored %v, want 2 rows x 2 seeds", files)
	}
	again, progress := table(t, args...)
	if again != first || strings.Count(progress, "2 of 2 seeds stored in "+dir) != 2 {
		t.Errorf("run again: %s\n%s\nwant the same table, every seed stored:\n%s", progress, again, first)
	}

	// A stored regret is used as it is.
	c, err := parse(args, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	row := "random|times=1"
	if err := c.runs.save("branin", row, 0, []int{4, 6}, []float64{123, 45}, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.runs.save("branin", row, 1, []int{4, 6}, []float64{123, 45}, 1); err != nil {
		t.Fatal(err)
	}
	forged, _ := table(t, args...)
	if !strings.Contains(forged, "| branin | random | 123 [123, 123] | 45 [45, 45] |") {
		t.Errorf("the stored regrets are not in the table:\n%s", forged)
	}

	// A budget not stored runs the seeds again, and stores it.
	more := append(args[:len(args):len(args)], "-budgets=4,5")
	_, progress = table(t, more...)
	if strings.Contains(progress, "stored in") {
		t.Errorf("seeds without budget 5 were taken as stored:\n%s", progress)
	}
	_, progress = table(t, more...)
	if strings.Count(progress, "2 of 2 seeds stored") != 2 {
		t.Errorf("budget 5 was not stored:\n%s", progress)
	}

	if err := os.WriteFile(c.runs.path("branin", row, 0), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, &out, args); err == nil || !strings.Contains(err.Error(), "delete the file") {
		t.Errorf("a damaged stored run: %v, want an error that says what to do", err)
	}
}

// TestStoredOnly: -stored-only prints the rows whose seeds are all stored
// as a run would, says how many seeds the others have, and runs nothing.
func TestStoredOnly(t *testing.T) {
	dir := t.TempDir()
	args := storedArgs(dir)
	only := append(args[:len(args):len(args)], "-stored-only")
	empty, progress := table(t, only...)
	if files := storedSeeds(t, dir); len(files) != 0 {
		t.Errorf("-stored-only ran seeds: %v", files)
	}
	for _, row := range []string{"| branin | random | not stored (0 of 2 seeds) | not stored (0 of 2 seeds) |", "| branin | bayesian, 2 worker(s) | not stored (0 of 2 seeds) |"} {
		if !strings.Contains(empty, row) {
			t.Errorf("an empty directory: want the row %q in\n%s", row, empty)
		}
	}
	if strings.Count(progress, "2 of 2 seeds not stored, not run (-stored-only)") != 2 {
		t.Errorf("progress does not say what was not run:\n%s", progress)
	}

	full, _ := table(t, args...)
	if got, _ := table(t, only...); got != full {
		t.Errorf("-stored-only with every seed stored:\n%s\nwant the table of the run that stored them:\n%s", got, full)
	}
	if strings.Contains(full, "stored-only") {
		t.Errorf("the reproducing command names -stored-only:\n%s", full)
	}

	// A row missing a seed says so, and the seed is not run again.
	files := storedSeeds(t, dir)
	if len(files) != 4 {
		t.Fatalf("stored %v, want 2 rows x 2 seeds", files)
	}
	missing := filepath.Join(dir, "branin", "random-*", "seed-1.json")
	gone, err := filepath.Glob(missing)
	if err != nil || len(gone) != 1 {
		t.Fatalf("%s: %v (%v)", missing, gone, err)
	}
	if err := os.Remove(gone[0]); err != nil {
		t.Fatal(err)
	}
	partial, _ := table(t, only...)
	if !strings.Contains(partial, "| branin | random | not stored (1 of 2 seeds) |") {
		t.Errorf("a row missing a seed:\n%s", partial)
	}
	if bayes := rowOf(partial, "bayesian"); bayes == "" || bayes != rowOf(full, "bayesian") {
		t.Errorf("the fully stored row changed: %q, want %q", bayes, rowOf(full, "bayesian"))
	}
	if len(storedSeeds(t, dir)) != 3 {
		t.Errorf("-stored-only ran the missing seed again")
	}
}

// rowOf returns the first line of table that contains s.
func rowOf(table, s string) string {
	for _, line := range strings.Split(table, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

func TestCommandLeavesOutRuns(t *testing.T) {
	got := command([]string{"-seeds=2", "-runs=/tmp/r", "-stored-only", "-budgets=3", "--runs", "/tmp/s", "--stored-only=true", "-seeds=3"})
	if want := "go run ./cmd/fwbench -seeds=2 -budgets=3 -seeds=3"; got != want {
		t.Errorf("%s, want %s", got, want)
	}
}
