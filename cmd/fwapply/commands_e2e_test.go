package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestE2EConfirmation(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 2, 0, "0"))
	for _, tc := range []struct {
		input string
		code  int
		want  string
	}{
		{"no\n", 1, "Apply cancelled."},
		{"", 1, "Apply cancelled."},
		{"yes\n", 0, "Apply complete!"},
	} {
		cmd := exec.Command(binary, "apply", "-no-color")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(tc.input)
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != tc.code || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "Only 'yes' will be accepted") {
			t.Errorf("input %q: exit %d\n%s", tc.input, cmd.ProcessState.ExitCode(), out)
		}
	}
}

func TestE2EInterrupts(t *testing.T) {
	t.Run("first interrupt drains", func(t *testing.T) {
		dir := t.TempDir()
		search(t, dir, fmt.Sprintf(randomBody, 6, 1500, "0"))
		cmd, out := startApply(t, dir, "-parallelism=2")
		waitFor(t, "two running trials", func() bool { return countStatus(t, dir, "running") >= 2 })
		cmd.Process.Signal(syscall.SIGINT)
		err := cmd.Wait()
		if err == nil || !strings.Contains(out.String(), "no new trials will start") {
			t.Fatalf("apply after one interrupt: %v\n%s", err, out)
		}
		if n := countStatus(t, dir, "completed"); n != 2 {
			t.Errorf("%d completed trials, want the 2 that were running\n%s", n, out)
		}
		p := jsonOf[planDoc](t, dir, "plan", "-json")
		if s := p.Searches["s"]; s.Kept != 2 || len(s.ToRun) != 4 || len(s.ToRetry) != 0 {
			t.Errorf("plan after drain: %+v", s)
		}
	})
	t.Run("second interrupt stops trials", func(t *testing.T) {
		dir := t.TempDir()
		search(t, dir, fmt.Sprintf(randomBody, 6, 20000, "0"))
		cmd, out := startApply(t, dir, "-parallelism=2")
		waitFor(t, "two running trials", func() bool { return countStatus(t, dir, "running") >= 2 })
		cmd.Process.Signal(syscall.SIGINT)
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGINT)
		start := time.Now()
		err := cmd.Wait()
		if err == nil || time.Since(start) > 15*time.Second {
			t.Fatalf("apply after two interrupts: %v after %v\n%s", err, time.Since(start), out)
		}
		if n := countStatus(t, dir, "interrupted"); n != 2 {
			t.Errorf("%d interrupted trials, want 2\n%s", n, out)
		}
		p := jsonOf[planDoc](t, dir, "plan", "-json")
		if s := p.Searches["s"]; len(s.ToRetry) != 2 || s.ToRetry[0].Reason != "interrupted" {
			t.Errorf("plan after kill: %+v", s)
		}
	})
}

func TestE2EStateCommands(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 3, 0, "0"))
	mustApply(t, dir)
	code, out, _ := fwapply(t, dir, "state", "list")
	if code != 0 || strings.Count(out, "\tcompleted") != 3 || !strings.Contains(out, "search.s[2]") {
		t.Fatalf("state list: %d\n%s", code, out)
	}
	code, out, _ = fwapply(t, dir, "state", "show", "search.s[1]")
	if code != 0 || !strings.Contains(out, `"config_hash"`) {
		t.Fatalf("state show: %d\n%s", code, out)
	}
	// taint: the next plan runs it again.
	if code, out, errs := fwapply(t, dir, "state", "taint", "search.s[1]"); code != 0 {
		t.Fatalf("taint: %d %s%s", code, out, errs)
	}
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	if s := p.Searches["s"]; len(s.ToRetry) != 1 || s.ToRetry[0].Number != 1 || s.ToRetry[0].Reason != "tainted" {
		t.Errorf("plan after taint: %+v", s)
	}
	fwapply(t, dir, "state", "untaint", "search.s[1]")
	// rm keeps the directory unless -purge, and never reuses the number.
	trialDir := filepath.Join(dir, ".fw", "trials", "s", "2")
	code, out, _ = fwapply(t, dir, "state", "rm", "search.s[2]")
	if code != 0 || !strings.Contains(out, "kept") {
		t.Fatalf("rm: %d\n%s", code, out)
	}
	if _, err := os.Stat(trialDir); err != nil {
		t.Errorf("rm deleted the trial directory: %v", err)
	}
	p = jsonOf[planDoc](t, dir, "plan", "-json")
	if s := p.Searches["s"]; len(s.ToRun) != 1 || s.ToRun[0].Number != 3 {
		t.Errorf("plan after rm: %+v", s)
	}
	if code, _, _ := fwapply(t, dir, "state", "rm", "-purge", "search.s[1]"); code != 0 {
		t.Fatal("rm -purge failed")
	}
	if _, err := os.Stat(filepath.Join(dir, ".fw", "trials", "s", "1")); !os.IsNotExist(err) {
		t.Errorf("rm -purge kept the directory: %v", err)
	}
	code, _, errs := fwapply(t, dir, "state", "rm", "search.s[42]")
	if code != 1 || !strings.Contains(errs, "no trial in the state matches") {
		t.Errorf("rm of a missing trial: %d %s", code, errs)
	}
}

func TestE2EExportImport(t *testing.T) {
	src := t.TempDir()
	search(t, src, fmt.Sprintf(randomBody, 4, 0, "0"))
	mustApply(t, src)
	export := filepath.Join(t.TempDir(), "results.json")
	if code, out, errs := fwapply(t, src, "export", export); code != 0 || !strings.Contains(out, "Exported 4 trials") {
		t.Fatalf("export: %d %s%s", code, out, errs)
	}
	// Into the same state: nothing new.
	if code, out, _ := fwapply(t, src, "import", export); code != 0 || !strings.Contains(out, "Imported 0 trials (4 skipped)") {
		t.Fatalf("import into the same state: %d %s", code, out)
	}
	// Into another state that has trials: refused without -force.
	dst := t.TempDir()
	search(t, dst, fmt.Sprintf(randomBody, 6, 0, "0"))
	os.WriteFile(filepath.Join(dst, "main.fw.hcl"), []byte(strings.Replace(mustRead(t, filepath.Join(dst, "main.fw.hcl")), "seed        = 5", "seed        = 9", 1)), 0o644)
	mustApply(t, dst, "-target=search.s")
	code, _, errs := fwapply(t, dst, "import", export)
	if code != 1 || !strings.Contains(errs, "-force") {
		t.Fatalf("import from another lineage: %d %s", code, errs)
	}
	code, out, errs := fwapply(t, dst, "import", "-force", export)
	if code != 0 || !strings.Contains(out, "Imported 4 trials") {
		t.Fatalf("import -force: %d %s%s", code, out, errs)
	}
	// The imported trials match the definition (same space, seed aside):
	// they count as observations, so a bigger budget plans only the rest.
	search(t, dst, fmt.Sprintf(randomBody, 12, 0, "0"))
	p := jsonOf[planDoc](t, dst, "plan", "-json")
	if s := p.Searches["s"]; s.Kept != 10 || len(s.ToRun) != 2 || s.ToRun[0].Number != 10 {
		t.Errorf("plan after import: kept %d, to run %+v", s.Kept, s.ToRun)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestE2EForceUnlock(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 1, 0, "0"))
	mustApply(t, dir)
	// A lock file whose holder is gone (its flock died with it) does not
	// block; force-unlock removes one left by a hung process.
	lock := filepath.Join(dir, "frameworm.fwstate.lock")
	os.WriteFile(lock, []byte(`{"who":"ghost@host","pid":1,"operation":"apply"}`), 0o600)
	code, out, _ := fwapply(t, dir, "force-unlock", "-force")
	if code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("force-unlock: %d %s", code, out)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("lock file still there: %v", err)
	}
}

func TestE2EBayesianParallelResume(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, `  strategy    = "bayesian"
  trials      = 12
  seed        = 3
  parallelism = 2
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 300 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  bayesian {
    initial_points = 4
  }
`)
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	s := p.Searches["s"]
	if len(s.ToRun) != 12 || s.ToRun[3].Params == nil || s.ToRun[4].Params != nil {
		t.Fatalf("plan: the 4 initial points known, the rest after apply: %+v", s.ToRun)
	}
	code, out, _ := fwapply(t, dir, "plan", "-no-color")
	if code != 0 || !strings.Contains(out, "(known after apply)") {
		t.Errorf("human plan:\n%s", out)
	}
	cmd, log := startApply(t, dir)
	waitFor(t, "six completed trials", func() bool { return countStatus(t, dir, "completed") >= 6 })
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	done := countStatus(t, dir, "completed")
	p = jsonOf[planDoc](t, dir, "plan", "-json")
	s = p.Searches["s"]
	if s.Kept != done || s.Kept+len(s.ToRetry)+len(s.ToRun) != 12 {
		t.Fatalf("plan after interrupt: %+v (completed %d)\n%s", s, done, log)
	}
	mustApply(t, dir)
	sh := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"]
	if len(sh.Trials) != 12 || sh.Best == nil {
		t.Fatalf("after resume: %d trials", len(sh.Trials))
	}
	xs := map[float64]bool{}
	for _, tr := range sh.Trials {
		if tr.Status != "completed" {
			t.Errorf("trial %d %s: %s", tr.Number, tr.Status, tr.Error)
		}
		x := tr.Params["x"].(float64)
		if xs[x] {
			t.Errorf("x=%v proposed twice", x)
		}
		xs[x] = true
	}
	// The model found the optimum near x = 0.3 (score (x-0.3)^2).
	if sh.Best.Score > 1e-3 {
		t.Errorf("best score %v after 12 bayesian trials", sh.Best.Score)
	}
}

func TestE2EStaleGeneratedCode(t *testing.T) {
	dir, err := filepath.Abs("testdata/stale")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Join(dir, ".fw")) })
	statePath := filepath.Join(t.TempDir(), "s.fwstate")
	code, _, errs := fwapply(t, dir, "plan", "-state="+statePath)
	if code != 0 || !strings.Contains(errs, "Stale generated code") {
		t.Fatalf("plan: exit %d\n%s", code, errs)
	}
	code, _, errs = fwapply(t, dir, "apply", "-auto-approve", "-state="+statePath)
	if code != 1 || !strings.Contains(errs, "-allow-stale") {
		t.Fatalf("apply: exit %d\n%s", code, errs)
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve", "-allow-stale", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "2 trials completed") {
		t.Fatalf("apply -allow-stale: exit %d\n%s%s", code, out, errs)
	}
}

// TestE2EDigits runs the digits example as its README says, with a small
// budget: go_build of the trial program, a bayesian search with 2 workers.
func TestE2EDigits(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a few MLPs")
	}
	statePath := filepath.Join(t.TempDir(), "digits.fwstate")
	fwDir := "../../examples/digits/.fw"
	if _, err := os.Stat(fwDir); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll(fwDir) })
	}
	code, out, errs := fwapply(t, "../..", "-chdir=examples/digits", "apply", "-auto-approve", "-var", "trials=8", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "8 trials completed, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	sh := jsonOf[showDoc](t, "../../examples/digits", "show", "-json", "-state="+statePath).Searches["digits"]
	if sh.Best == nil {
		t.Fatal("no best trial")
	}
	var acc float64
	for _, tr := range sh.Trials {
		if tr.Number == sh.Best.Trial {
			acc = tr.Metrics["val_acc"]
		}
	}
	if acc < 0.9 {
		t.Errorf("best trial's validation accuracy %v, want > 0.9", acc)
	}
}

func TestE2EExperiments(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, `  strategy    = "grid"
  tags        = ["baseline", "v1"]
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "behavior" {
    values = ["ok", "exit3"]
  }
`)
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply: %d %s%s", code, out, errs)
	}
	meta := filepath.Join(dir, ".fw", "trials", "s", "0", "meta.json")
	b, err := os.ReadFile(meta)
	if err != nil || !strings.Contains(string(b), `"grid_search"`) || !strings.Contains(string(b), `"baseline"`) || !strings.Contains(string(b), `"status": "completed"`) {
		t.Fatalf("meta.json: %v\n%s", err, b)
	}
	type row struct {
		Search string
		Number int
		Status string
		Tags   []string
		Dir    string
	}
	all := jsonOf[[]row](t, dir, "experiments", "list", "-json")
	if len(all) != 2 || all[0].Dir == "" || len(all[0].Tags) != 4 {
		t.Fatalf("experiments: %+v", all)
	}
	failed := jsonOf[[]row](t, dir, "experiments", "list", "-json", "-status=failed")
	if len(failed) != 1 || failed[0].Number != 1 {
		t.Errorf("-status=failed: %+v", failed)
	}
	if got := jsonOf[[]row](t, dir, "experiments", "list", "-json", "-tag=v1", "-tag=grid_search"); len(got) != 2 {
		t.Errorf("-tag: %+v", got)
	}
	if got := jsonOf[[]row](t, dir, "experiments", "list", "-json", "-tag=nope"); len(got) != 0 {
		t.Errorf("-tag=nope: %+v", got)
	}
	code, out, _ = fwapply(t, dir, "experiments", "list")
	if code != 0 || !strings.Contains(out, "baseline,v1,grid_search,s") {
		t.Errorf("table: %d\n%s", code, out)
	}
}

// TestE2EShowWatch watches a running apply: -watch reads the state
// without the lock, so it refreshes while the apply holds it.
func TestE2EShowWatch(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 4, 1500, "0"))
	apply, _ := startApply(t, dir)
	waitFor(t, "a running trial", func() bool { return countStatus(t, dir, "running") >= 1 })
	start := time.Now()
	code, out, errs := fwapply(t, dir, "show", "-watch", "-interval=200ms", "-watch-count=3")
	if code != 0 || strings.Count(out, "search.s: ") != 3 || !strings.Contains(out, "/4 completed") || !strings.Contains(out, "running") {
		t.Fatalf("show -watch: exit %d\n%s%s", code, out, errs)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("show -watch took %v: blocked by the apply's lock?", time.Since(start))
	}
	if err := apply.Wait(); err != nil {
		t.Errorf("apply: %v", err)
	}
}

func TestE2EAnalyze(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 12, 0, "0"))
	mustApply(t, dir)
	type analyzeDoc struct {
		Searches map[string]struct {
			Summary struct {
				ByStatus map[string]int `json:"by_status"`
				Best     *struct {
					Trial int
					Score float64
				} `json:"best"`
			} `json:"summary"`
			BestN []struct {
				Rank, Trial int
				Score       float64
			} `json:"best_n"`
			Convergence []struct {
				Trial     int
				Score     float64
				BestSoFar float64 `json:"best_so_far"`
			} `json:"convergence"`
			Importance map[string]float64 `json:"importance"`
			Plots      []string           `json:"plots"`
		} `json:"searches"`
	}
	plotDir := filepath.Join(t.TempDir(), "plots")
	doc := jsonOf[analyzeDoc](t, dir, "analyze", "-json", "-top=3", "-plots="+plotDir, "-format=svg")
	s := doc.Searches["s"]
	if s.Summary.ByStatus["completed"] != 12 || s.Summary.Best == nil || len(s.BestN) != 3 || len(s.Convergence) != 12 {
		t.Fatalf("analyze: %+v", s)
	}
	if s.BestN[0].Trial != s.Summary.Best.Trial || s.BestN[0].Score > s.BestN[1].Score {
		t.Errorf("best_n: %+v, best %+v", s.BestN, s.Summary.Best)
	}
	var sum float64
	for _, v := range s.Importance {
		sum += v
	}
	if len(s.Importance) != 1 || math.Abs(sum-1) > 1e-9 {
		t.Errorf("importance %v", s.Importance)
	}
	if len(s.Plots) != 4 {
		t.Errorf("plots: %v", s.Plots)
	}
	for _, p := range []string{"s-convergence.svg", "s-importance.svg", "s-param-x.svg", "s-parallel.svg"} {
		b, err := os.ReadFile(filepath.Join(plotDir, p))
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: %v", p, err)
		}
	}
	code, out, _ := fwapply(t, dir, "analyze", "search.s", "-no-color")
	if code != 0 || !strings.Contains(out, "Best so far:") || !strings.Contains(out, "Parameter importance") {
		t.Errorf("analyze text: %d\n%s", code, out)
	}
}
