package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
)

// slurmSearch writes a random search of n trials on the test cluster's
// partition, each trial sleeping sleepMS, two at a time, and returns its
// name: unique, so that the jobs of the test are the ones whose name holds
// it (fw.<lineage>.<name>.<number>.<attempt>). The jobs still active when
// the test ends are cancelled.
func slurmSearch(t *testing.T, c slurmtest.Cluster, dir string, n, sleepMS int) string {
	t.Helper()
	return slurmSearchWith(t, c, dir, n, sleepMS, "")
}

// slurmSearchWith is slurmSearch with more attributes of the executor
// block (such as "array = true").
func slurmSearchWith(t *testing.T, c slurmtest.Cluster, dir string, n, sleepMS int, executor string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "slurm_" + hex.EncodeToString(b[:])
	src := fmt.Sprintf(`executor "slurm" "test" {
  partition = %q
  poll      = "1s"
  %s
}

search %q {
  metric          = "score"
  mode            = "min"
  strategy        = "random"
  trials          = %d
  seed            = 5
  parallelism     = 2
  experiment_root = %q
  base_config     = { x = 0.5, behavior = "ok", sleep_ms = %d }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command  = [%q]
    timeout  = "60s"
    executor = executor.slurm.test
  }
}
`, c.Partition, executor, name, n, filepath.Join(dir, "runs"), sleepMS, trialBinary)
	if err := os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slurmtest.CancelWhere(t, ofSearch(name)) })
	return name
}

// ofSearch keeps the jobs of the search name.
func ofSearch(name string) func(slurmtest.Job) bool {
	return func(j slurmtest.Job) bool { return strings.Contains(j.Name, "."+name+".") }
}

// slurmTrial is a trial of show -json with its job.
type slurmTrial struct {
	Number   int
	Status   string
	Attempts int
	Job      string
}

func slurmTrials(t *testing.T, dir, name string) []slurmTrial {
	t.Helper()
	doc := jsonOf[struct {
		Searches map[string]struct {
			Trials []slurmTrial `json:"trials"`
		} `json:"searches"`
	}](t, dir, "show", "-json")
	return doc.Searches[name].Trials
}

// withJobs counts the trials whose latest record in the state file is
// running with a job handle.
func withJobs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, r := range latestByNumber(stateRecords(t, dir)) {
		if runningWithHandle(r) {
			n++
		}
	}
	return n
}

// jobsPerTrial counts the cluster's jobs of the search by trial number.
func jobsPerTrial(t *testing.T, name string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, j := range slurmtest.JobsWhere(t, ofSearch(name)) {
		_, rest, _ := strings.Cut(j.Name, "."+name+".")
		out[rest]++
	}
	return out
}

// TestSlurmE2ESearch: a search on the Slurm executor runs each trial as a
// job, and show records every trial's job.
func TestSlurmE2ESearch(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearch(t, c, dir, 12, 200)
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "on executor.slurm.test") {
		t.Errorf("the plan does not say where the trials run:\n%s", out)
	}
	trials := slurmTrials(t, dir, name)
	if len(trials) != 12 {
		t.Fatalf("%d trials, want 12", len(trials))
	}
	jobs := map[string]bool{}
	for _, tr := range trials {
		if tr.Status != "completed" || !strings.HasPrefix(tr.Job, "slurm:") || jobs[tr.Job] {
			t.Errorf("trial %d: %s, job %q; want completed with a job of its own", tr.Number, tr.Status, tr.Job)
		}
		jobs[tr.Job] = true
	}
	if per := jobsPerTrial(t, name); len(per) != 12 {
		t.Errorf("the cluster saw the jobs %v; want one per trial", per)
	}
}

// TestSlurmE2EKill9Reattach: an apply killed while its jobs run is
// followed by one that attaches to them: every trial completes once, and
// no trial is submitted twice.
func TestSlurmE2EKill9Reattach(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearch(t, c, dir, 6, 4000)
	cmd, out := startApply(t, dir)
	waitFor(t, "two trials with jobs", func() bool { return withJobs(t, dir) >= 2 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(slurmtest.JobsWhere(t, func(j slurmtest.Job) bool { return ofSearch(name)(j) && !j.Final() })) == 0 {
		t.Logf("the jobs ended before the second apply; it attaches to ended jobs\n%s", out)
	}
	code, out2, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("second apply: exit %d\n%s%s", code, out2, errs)
	}
	if !strings.Contains(out2, "re-attach to slurm job") {
		t.Errorf("the plan does not re-attach:\n%s", out2)
	}
	for _, tr := range slurmTrials(t, dir, name) {
		if tr.Status != "completed" || tr.Attempts != 1 || tr.Job == "" {
			t.Errorf("trial %d: %s, attempt %d, job %q; want completed at its first attempt", tr.Number, tr.Status, tr.Attempts, tr.Job)
		}
	}
	per := jobsPerTrial(t, name)
	total := 0
	for trial, n := range per {
		total += n
		if n != 1 || !strings.HasSuffix(trial, ".1") {
			t.Errorf("trial.attempt %s: %d jobs; want one, of attempt 1", trial, n)
		}
	}
	if total != 6 {
		t.Errorf("the cluster saw %d jobs (%v), want 6", total, per)
	}
}

// TestSlurmE2ETwoInterrupts: a second interrupt cancels every job of the
// apply and records its trials interrupted.
func TestSlurmE2ETwoInterrupts(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearch(t, c, dir, 4, 30000)
	cmd, out := startApply(t, dir)
	waitFor(t, "two trials with jobs", func() bool { return withJobs(t, dir) >= 2 })
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err == nil {
		t.Fatalf("apply after two interrupts exited 0\n%s", out)
	}
	active := slurmtest.JobsWhere(t, func(j slurmtest.Job) bool { return ofSearch(name)(j) && !j.Final() })
	if len(active) != 0 {
		t.Errorf("jobs left in the queue: %+v\n%s", active, out)
	}
	if n := countStatus(t, dir, "interrupted"); n != 2 {
		t.Errorf("%d interrupted trials, want 2\n%s", n, out)
	}
	if per := jobsPerTrial(t, name); len(per) != 2 {
		t.Errorf("jobs %v: want the 2 of the running trials, none submitted after the first interrupt", per)
	}
}

// TestSlurmE2EArray: with array = true, the 40 trials of a random search
// are submitted as one job array (the cluster's MaxArraySize is far
// above 40), not one job each, and every trial completes as a task of it.
func TestSlurmE2EArray(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearchWith(t, c, dir, 40, 100, "array = true")
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	trials := slurmTrials(t, dir, name)
	if len(trials) != 40 {
		t.Fatalf("%d trials, want 40", len(trials))
	}
	handles := map[string]bool{}
	for _, tr := range trials {
		if tr.Status != "completed" || tr.Attempts != 1 || !strings.HasPrefix(tr.Job, "slurm:") || !strings.Contains(tr.Job, "_") || handles[tr.Job] {
			t.Errorf("trial %d: %s, attempt %d, job %q; want completed at its first attempt as a task of its own", tr.Number, tr.Status, tr.Attempts, tr.Job)
		}
		handles[tr.Job] = true
	}
	arrays := map[string]bool{}
	tasks := map[string]bool{}
	for _, j := range slurmtest.JobsWhere(t, ofSearch(name)) {
		if !strings.HasSuffix(j.Name, "."+name+".array") || j.ArrayTaskID == "" {
			t.Errorf("job %s (%s) is not a task of an array", j.ID, j.Name)
			continue
		}
		arrays[j.ArrayJobID] = true
		tasks[j.ArrayTaskID] = true
	}
	if len(arrays) != 1 || len(tasks) != 40 {
		t.Errorf("the cluster saw %d arrays (%v) with %d tasks; want one array of 40 tasks", len(arrays), arrays, len(tasks))
	}
}

// TestSlurmE2EArrayKill9Reattach: an apply killed while the tasks of its
// array run is followed by one that attaches to them: every trial
// completes at its first attempt, and the cluster saw one array only.
func TestSlurmE2EArrayKill9Reattach(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearchWith(t, c, dir, 6, 3000, "array = true")
	cmd, out := startApply(t, dir)
	waitFor(t, "the array's trials with jobs", func() bool { return withJobs(t, dir) >= 6 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	code, out2, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("second apply: exit %d\n%s%s\nfirst apply:\n%s", code, out2, errs, out)
	}
	if !strings.Contains(out2, "re-attach to slurm job") {
		t.Errorf("the plan does not re-attach:\n%s", out2)
	}
	trials := slurmTrials(t, dir, name)
	if len(trials) != 6 {
		t.Fatalf("%d trials, want 6", len(trials))
	}
	for _, tr := range trials {
		if tr.Status != "completed" || tr.Attempts != 1 || !strings.Contains(tr.Job, "_") {
			t.Errorf("trial %d: %s, attempt %d, job %q; want completed at its first attempt as an array task", tr.Number, tr.Status, tr.Attempts, tr.Job)
		}
	}
	arrays := map[string]bool{}
	for _, j := range slurmtest.JobsWhere(t, ofSearch(name)) {
		arrays[j.ArrayJobID] = true
		if j.ArrayTaskID == "" {
			t.Errorf("job %s (%s) was submitted on its own", j.ID, j.Name)
		}
	}
	if len(arrays) != 1 {
		t.Errorf("the cluster saw %d arrays, want 1", len(arrays))
	}
}

// TestSlurmE2EArrayUnrecorded: an apply that died after sbatch took its
// array but before the handles were recorded (the state cut back to the
// trials recorded running without jobs) is followed by one that finds
// the array's tasks by the array's name and manifest: nothing is
// submitted twice.
func TestSlurmE2EArrayUnrecorded(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearchWith(t, c, dir, 4, 3000, "array = true")
	cmd, out := startApply(t, dir)
	waitFor(t, "the array's trials with jobs", func() bool { return withJobs(t, dir) >= 4 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// Cut the state before the first record with a job, as if the apply
	// had died right after sbatch.
	path := filepath.Join(dir, "frameworm.fwstate")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	kept := ""
	for _, l := range lines {
		if strings.Contains(l, `"job":"slurm:`) {
			break
		}
		kept += l
	}
	if err := os.WriteFile(path, []byte(kept), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := withJobs(t, dir); n != 0 {
		t.Fatalf("%d trials still recorded with a job", n)
	}
	code, out2, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("second apply: exit %d\n%s%s\nfirst apply:\n%s", code, out2, errs, out)
	}
	for _, tr := range slurmTrials(t, dir, name) {
		if tr.Status != "completed" || tr.Attempts != 1 || !strings.Contains(tr.Job, "_") {
			t.Errorf("trial %d: %s, attempt %d, job %q; want completed at its first attempt as an array task", tr.Number, tr.Status, tr.Attempts, tr.Job)
		}
	}
	arrays := map[string]bool{}
	for _, j := range slurmtest.JobsWhere(t, ofSearch(name)) {
		arrays[j.ArrayJobID] = true
		if j.ArrayTaskID == "" {
			t.Errorf("job %s (%s) was submitted on its own", j.ID, j.Name)
		}
	}
	if len(arrays) != 1 {
		t.Errorf("the cluster saw %d arrays, want 1\n%s", len(arrays), out2)
	}
}

// TestSlurmE2EArrayDrainWithdraws: a first interrupt while an array's
// first tasks run lets them finish, withdraws the tasks still queued
// (recorded interrupted, without running), and leaves nothing in the
// queue; the next apply runs those trials, each once more.
func TestSlurmE2EArrayDrainWithdraws(t *testing.T) {
	c := slurmtest.Require(t)
	dir := t.TempDir()
	name := slurmSearchWith(t, c, dir, 6, 4000, "array = true")
	cmd, out := startApply(t, dir)
	waitFor(t, "two running tasks", func() bool {
		return len(slurmtest.JobsWhere(t, func(j slurmtest.Job) bool { return ofSearch(name)(j) && j.State == "RUNNING" })) >= 2
	})
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	active := slurmtest.JobsWhere(t, func(j slurmtest.Job) bool { return ofSearch(name)(j) && !j.Final() })
	if len(active) != 0 {
		t.Errorf("jobs left in the queue after the apply ended: %+v\n%s", active, out)
	}
	trials := slurmTrials(t, dir, name)
	completed, withdrawn := 0, 0
	for _, tr := range trials {
		switch tr.Status {
		case "completed":
			completed++
		case "interrupted":
			withdrawn++
		default:
			t.Errorf("trial %d: %s after the first interrupt", tr.Number, tr.Status)
		}
	}
	// The tasks running at the interrupt finish; a task that Slurm
	// started in the moment of the withdrawal may finish too.
	if completed < 2 || completed+withdrawn != 6 || withdrawn == 0 {
		t.Fatalf("%d completed, %d interrupted of %d trials; want the 2 running completed, the queued ones withdrawn\n%s", completed, withdrawn, len(trials), out)
	}
	if got := countReason(t, dir, name, "withdrawn"); got != withdrawn {
		t.Errorf("%d of the %d interrupted trials say they were withdrawn\n%s", got, withdrawn, out)
	}
	code, out2, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("second apply: exit %d\n%s%s", code, out2, errs)
	}
	for _, tr := range slurmTrials(t, dir, name) {
		if tr.Status != "completed" || tr.Attempts > 2 {
			t.Errorf("trial %d: %s at attempt %d; want completed", tr.Number, tr.Status, tr.Attempts)
		}
	}
}

// countReason counts the trials of search name whose error holds s.
func countReason(t *testing.T, dir, name, s string) int {
	t.Helper()
	doc := jsonOf[struct {
		Searches map[string]struct {
			Trials []struct {
				Error string `json:"error"`
			} `json:"trials"`
		} `json:"searches"`
	}](t, dir, "show", "-json")
	n := 0
	for _, tr := range doc.Searches[name].Trials {
		if strings.Contains(tr.Error, s) {
			n++
		}
	}
	return n
}
