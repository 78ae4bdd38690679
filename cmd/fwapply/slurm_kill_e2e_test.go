package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
)

// stateRecord is one record of a trial in the state file.
type stateRecord struct {
	Number   int       `json:"number"`
	Status   string    `json:"status"`
	Attempts int       `json:"attempts"`
	Job      string    `json:"job"`
	Dir      string    `json:"dir"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	QueuedS  float64   `json:"queued_s"`
	Error    string    `json:"error"`
	Pruned   []any     `json:"pruned"`
	Steps    [][]any   `json:"steps"`
}

// kind names what a record says of its trial: "submitting" (running,
// without a job: recorded before sbatch), "submitted" (running with its
// job), or the trial's final status.
func (r stateRecord) kind() string {
	switch {
	case r.Status == "running" && r.Job == "":
		return "submitting"
	case r.Status == "running":
		return "submitted"
	}
	return r.Status
}

func (r stateRecord) String() string {
	s := fmt.Sprintf("#%d %s@%d", r.Number, r.Status, r.Attempts)
	if r.Job != "" {
		s += " " + r.Job
	}
	return s
}

// stateRecords reads the trial records of the state file of dir, in
// order; none when there is no state yet. A line torn by a kill is
// skipped.
func stateRecords(t testing.TB, dir string) []stateRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "frameworm.fwstate"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var recs []stateRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			R struct {
				Put *stateRecord `json:"put"`
			} `json:"r"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.R.Put != nil {
			recs = append(recs, *rec.R.Put)
		}
	}
	return recs
}

// latestByNumber is the latest of recs of each trial, by number.
func latestByNumber(recs []stateRecord) map[int]stateRecord {
	latest := map[int]stateRecord{}
	for _, r := range recs {
		latest[r.Number] = r
	}
	return latest
}

// latestRecords is the latest record of each trial, by number.
func latestRecords(recs []stateRecord) string {
	latest := latestByNumber(recs)
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(latest)) {
		parts = append(parts, latest[n].String())
	}
	if len(parts) == 0 {
		return "no trial"
	}
	return strings.Join(parts, ", ")
}

func countKind(recs []stateRecord, kind string) int {
	n := 0
	for _, r := range recs {
		if r.kind() == kind {
			n++
		}
	}
	return n
}

// bgApply is `fwapply apply -auto-approve` running in the background:
// to be killed, interrupted, or waited for.
type bgApply struct {
	cmd   *exec.Cmd
	start time.Time
	out   syncBuffer
	done  chan struct{} // closed once it has exited
	code  int           // exit status, -1 when killed by a signal; once done is closed
	err   error         // what Wait returned; once done is closed
	ended time.Time     // when it exited; once done is closed
}

// startBgApply starts `fwapply apply -auto-approve` in dir, with env
// added to its environment; it is killed when the test ends if it still
// runs.
func startBgApply(tb testing.TB, dir string, env ...string) *bgApply {
	tb.Helper()
	a := &bgApply{done: make(chan struct{})}
	a.cmd = exec.Command(binary, "apply", "-auto-approve", "-no-color")
	a.cmd.Dir = dir
	a.cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.out
	a.start = time.Now()
	if err := a.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		defer close(a.done)
		a.err = a.cmd.Wait()
		a.ended = time.Now()
		a.code = a.cmd.ProcessState.ExitCode()
	}()
	tb.Cleanup(func() { a.cmd.Process.Kill(); <-a.done })
	return a
}

func (a *bgApply) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the process to be gone. It reports
// false when the apply had ended on its own before.
func (a *bgApply) kill(t *testing.T) bool {
	t.Helper()
	if a.exited() {
		return false
	}
	// ErrProcessDone: it ended on its own and was reaped, just before
	// done was closed.
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) && !a.exited() {
		t.Fatal(err)
	}
	<-a.done
	return a.code == -1
}

// wait waits for the apply to end on its own, failing the test (an apply
// that is stuck) after within.
func (a *bgApply) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-a.done:
		return a.code
	case <-time.After(within):
		a.cmd.Process.Kill()
		<-a.done
		t.Fatalf("apply still running after %s: stuck\n%s", within, a.out.String())
	}
	return 0
}

// killMoment is when an apply is killed: after a delay from its start,
// or (on set) that long after the first record of that kind it writes
// (see stateRecord.kind), at the latest at its deadline then. why says
// what the apply is expected to be doing then, for the log.
type killMoment struct {
	after    time.Duration
	on       string
	deadline time.Duration
	why      string
}

func (m killMoment) String() string {
	s := fmt.Sprintf("%s after start", m.after)
	if m.on != "" {
		s = fmt.Sprintf("%s after its first %q record (else at %s)", m.after, m.on, m.deadline)
	}
	if m.why != "" {
		s += " (" + m.why + ")"
	}
	return s
}

// killAt waits for moment m of apply a, whose state held before when it
// started, then kills it. It returns what happened, for the log, and
// false when the apply ended on its own first.
func killAt(t *testing.T, dir string, a *bgApply, m killMoment, before []stateRecord) (string, bool) {
	t.Helper()
	what := ""
	if m.on == "" {
		time.Sleep(time.Until(a.start.Add(m.after)))
	} else {
		had := countKind(before, m.on)
		deadline := a.start.Add(m.deadline)
		what = "no such record: at the deadline, "
		for !a.exited() && time.Now().Before(deadline) {
			if countKind(stateRecords(t, dir), m.on) > had {
				what = fmt.Sprintf("the record seen at %s, ", time.Since(a.start).Round(time.Millisecond))
				time.Sleep(m.after)
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	elapsed := time.Since(a.start).Round(time.Millisecond)
	if !a.kill(t) {
		return fmt.Sprintf("ended on its own (exit %d) within %s", a.code, elapsed), false
	}
	return fmt.Sprintf("%skilled at %s", what, elapsed), true
}

// clusterJob is a job of squeue with its comment, and its name without
// the lineage and search ("3.1", "array").
type clusterJob struct {
	slurmtest.Job
	Comment, Short string
}

// clusterJobs lists the cluster's jobs of search name, ended ones
// included, with their comments (an array's manifest).
func clusterJobs(t *testing.T, name string) []clusterJob {
	t.Helper()
	out := slurmtest.Command(t, "squeue", "-h", "-t", "all", "-o", "%i|%A|%F|%K|%T|%k|%j")
	var jobs []clusterJob
	for _, line := range strings.Split(out, "\n") {
		f := strings.SplitN(line, "|", 7)
		if len(f) != 7 {
			continue
		}
		j := clusterJob{Job: slurmtest.Job{ID: f[0], JobID: f[1], ArrayJobID: f[2], ArrayTaskID: f[3], State: f[4], Name: f[6]}, Comment: f[5]}
		if j.ArrayTaskID == "N/A" || j.ArrayTaskID == "(null)" {
			j.ArrayTaskID = ""
		}
		var ok bool
		if _, j.Short, ok = strings.Cut(j.Name, "."+name+"."); ok {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

func (j clusterJob) String() string { return j.ID + " " + j.Short + " " + j.State }

// clusterRuns maps each trial.attempt ("3.1") of search name to the
// handles of the jobs the cluster ran for it: a job of its own
// ("slurm:ID", named fw.<lineage>.<name>.<number>.<attempt>) or a task
// of an array ("slurm:ARRAY_TASK", the task's place in the manifest
// that the array's comment names). arrays and own count the arrays and
// the jobs of their own; jobs it cannot map are in other.
func clusterRuns(t *testing.T, name string) (runs map[string][]string, arrays, own int, other []string) {
	t.Helper()
	runs = map[string][]string{}
	manifests := map[string][][3]string{}
	seenArrays := map[string]bool{}
	for _, j := range clusterJobs(t, name) {
		if j.Short != "array" {
			runs[j.Short] = append(runs[j.Short], "slurm:"+j.JobID)
			own++
			continue
		}
		seenArrays[j.ArrayJobID] = true
		k, err := strconv.Atoi(j.ArrayTaskID)
		path, ok := strings.CutPrefix(j.Comment, "fw-manifest=")
		if err != nil || !ok {
			other = append(other, j.String())
			continue
		}
		entries, ok := manifests[path]
		if !ok {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("the manifest of array %s: %v", j.ArrayJobID, err)
			}
			f := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
			for i := 0; i+2 < len(f); i += 3 {
				entries = append(entries, [3]string{f[i], f[i+1], f[i+2]})
			}
			manifests[path] = entries
		}
		if k >= len(entries) {
			other = append(other, j.String())
			continue
		}
		key := entries[k][1] + "." + entries[k][2]
		runs[key] = append(runs[key], fmt.Sprintf("slurm:%s_%d", j.ArrayJobID, k))
	}
	return runs, len(seenArrays), own, other
}

// TestSlurmE2EKill9AtManyMoments: applies killed with SIGKILL again and
// again, at moments from right after the start (no state yet) through
// the submissions (a trial recorded running without its job, sbatch in
// flight, the handle just recorded) to the jobs' ends (an outcome just
// recorded), each followed by the next apply at once, and a last apply
// not killed: it ends by itself, every trial completed at its first
// attempt, the cluster ran exactly one job (or array task) per trial, and
// nothing is left running, in the state or in the queue.
func TestSlurmE2EKill9AtManyMoments(t *testing.T) {
	c := slurmtest.Require(t)
	const trials = 8
	const ms = time.Millisecond
	// The moments: delays from the start, and records just written (the
	// first of their kind in that apply: "submitting" is a trial recorded
	// running before its sbatch, "submitted" one recorded with its job).
	// Each apply goes on from what the ones before left, so the order
	// follows a search's life.
	onJobs := []killMoment{
		{after: 10 * ms, why: "state loaded, maybe a trial recorded"},
		{on: "submitting", deadline: 3 * time.Second, why: "before sbatch"},
		{after: 15 * ms, on: "submitting", deadline: 3 * time.Second, why: "maybe during sbatch"},
		{on: "submitted", deadline: 3 * time.Second, why: "the handle just recorded"},
		{after: 700 * ms, why: "jobs running"},
		{on: "completed", deadline: 5 * time.Second, why: "an outcome just recorded"},
		{after: 20 * ms, on: "completed", deadline: 5 * time.Second, why: "the next trial being submitted"},
		{after: 1500 * ms, why: "attached, waiting"},
		{after: 5 * ms, on: "submitting", deadline: 3 * time.Second, why: "the next trial being submitted"},
		{on: "completed", deadline: 5 * time.Second, why: "an outcome just recorded"},
		{after: 2500 * ms, why: "attached, waiting"},
	}
	// With array = true every trial is submitted at the first apply that
	// gets that far: either as the array (killed once its handles are
	// recorded) or, killed before sbatch, as jobs of their own by the next
	// apply (which looks them up first).
	afterArray := []killMoment{
		{on: "submitted", deadline: 3 * time.Second, why: "the array's handles just recorded"},
		{after: 10 * ms, why: "state loaded, attaching"},
		{after: 300 * ms, why: "attached, waiting"},
		{on: "completed", deadline: 5 * time.Second, why: "an outcome just recorded"},
		{after: 900 * ms, why: "attached, waiting"},
		{after: 20 * ms, on: "completed", deadline: 5 * time.Second, why: "outcomes being recorded"},
		{after: 1700 * ms, why: "attached, waiting"},
		{on: "completed", deadline: 5 * time.Second, why: "an outcome just recorded"},
		{after: 2500 * ms, why: "attached, waiting"},
	}
	beforeArray := append([]killMoment{{on: "submitting", deadline: 3 * time.Second, why: "the array's trials recorded running, before sbatch"}}, afterArray...)
	for _, tc := range []struct {
		name     string
		executor string
		moments  []killMoment
	}{
		{"one job per trial", "", onJobs},
		{"array", "array = true", afterArray},
		{"array killed before sbatch", "array = true", beforeArray},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			dir := t.TempDir()
			name := slurmSearchWith(t, c, dir, trials, 1200, tc.executor)
			var outputs []string
			t.Cleanup(func() {
				if t.Failed() {
					for i, out := range outputs {
						t.Logf("output of apply %d:\n%s", i+1, out)
					}
				}
			})
			leftWithJob := false
			for i, m := range tc.moments {
				before := stateRecords(t, dir)
				a := startBgApply(t, dir)
				what, killed := killAt(t, dir, a, m, before)
				outputs = append(outputs, a.out.String())
				after := stateRecords(t, dir)
				var added []string
				for _, r := range after[min(len(before), len(after)):] {
					added = append(added, r.String())
				}
				t.Logf("apply %d, %s: %s; it recorded [%s]; the state holds %s; the cluster has %v",
					i+1, m, what, strings.Join(added, ", "), latestRecords(after), clusterJobs(t, name))
				if !killed {
					if a.code != 0 {
						t.Fatalf("apply %d ended on its own with exit %d\n%s", i+1, a.code, a.out.String())
					}
					break // the search is complete: no moment is left to kill at
				}
				leftWithJob = leftWithJob || withJobs(t, dir) > 0
			}
			if !leftWithJob {
				t.Errorf("no kill left a trial recorded running with its job: the moments miss the re-attach")
			}

			last := startBgApply(t, dir)
			code := last.wait(t, 2*time.Minute)
			outputs = append(outputs, last.out.String())
			if code != 0 {
				t.Fatalf("last apply: exit %d", code)
			}

			// Every trial completed once, at its first attempt, as the job
			// the cluster ran for it.
			shown := slurmTrials(t, dir, name)
			if len(shown) != trials {
				t.Fatalf("%d trials in show, want %d", len(shown), trials)
			}
			runs, arrays, own, other := clusterRuns(t, name)
			t.Logf("the cluster ran %d arrays and %d jobs of their own; by trial.attempt: %v", arrays, own, runs)
			for _, tr := range shown {
				key := fmt.Sprintf("%d.1", tr.Number)
				if tr.Status != "completed" || tr.Attempts != 1 || len(runs[key]) != 1 || tr.Job != runs[key][0] {
					t.Errorf("trial %d: %s at attempt %d as job %q, the cluster ran %v for attempt 1; want completed at its first attempt as the one job the cluster ran for it",
						tr.Number, tr.Status, tr.Attempts, tr.Job, runs[key])
				}
			}
			for key, handles := range runs {
				n, err := strconv.Atoi(strings.TrimSuffix(key, ".1"))
				if err != nil || !strings.HasSuffix(key, ".1") || n < 0 || n >= trials {
					t.Errorf("the cluster ran %v for trial.attempt %s, which no trial of the search is", handles, key)
				}
			}
			if len(other) != 0 {
				t.Errorf("jobs of the search that are no trial's: %v", other)
			}
			var active []string
			for _, j := range clusterJobs(t, name) {
				if !j.Final() {
					active = append(active, j.String())
				}
			}
			if len(active) != 0 {
				t.Errorf("jobs left in the queue: %v", active)
			}
			if n := countStatus(t, dir, "running"); n != 0 {
				t.Errorf("%d trials still recorded running", n)
			}
		})
	}
}

// TestSlurmE2EKill9BeforeHandle: an apply that died after sbatch took its
// jobs but before their handles were recorded (killed once they were,
// the state then cut back to before the first record with a job) is
// followed by one that finds the jobs by their names: every trial
// completes at its first attempt, the cut ones as the jobs the first
// apply submitted, and nothing is submitted twice.
func TestSlurmE2EKill9BeforeHandle(t *testing.T) {
	c := slurmtest.Require(t)
	const trials = 4
	dir := t.TempDir()
	name := slurmSearch(t, c, dir, trials, 1500)
	a := startBgApply(t, dir)
	waitFor(t, "two trials with jobs", func() bool { return withJobs(t, dir) >= 2 })
	if !a.kill(t) {
		t.Fatalf("the apply ended on its own (exit %d)\n%s", a.code, a.out.String())
	}
	// Cut the state before the first record with a job, as if the apply
	// had died right after sbatch.
	path := filepath.Join(dir, "frameworm.fwstate")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kept, cut := "", 0
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if cut > 0 || strings.Contains(l, `"job":"slurm:`) {
			cut++
			continue
		}
		kept += l
	}
	if err := os.WriteFile(path, []byte(kept), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := withJobs(t, dir); n != 0 || cut == 0 {
		t.Fatalf("%d trials still recorded with a job, %d records cut", n, cut)
	}
	submitted := jobsOf(t, name)
	t.Logf("the state cut to %s; the first apply submitted %v", latestRecords(stateRecords(t, dir)), submitted)
	if len(submitted) < 2 {
		t.Fatalf("the cluster has the jobs %v, want those of two trials", submitted)
	}

	second := startBgApply(t, dir)
	if code := second.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("second apply: exit %d\n%s\nfirst apply:\n%s", code, second.out.String(), a.out.String())
	}
	if !strings.Contains(second.out.String(), "its job is looked up on the cluster") {
		t.Errorf("the plan does not look the job of a trial left running up:\n%s", second.out.String())
	}
	runs := jobsOf(t, name)
	shown := slurmTrials(t, dir, name)
	if len(shown) != trials {
		t.Fatalf("%d trials, want %d", len(shown), trials)
	}
	for _, tr := range shown {
		key := fmt.Sprintf("%d.1", tr.Number)
		if tr.Status != "completed" || tr.Attempts != 1 || len(runs[key]) != 1 || tr.Job != runs[key][0] {
			t.Errorf("trial %d: %s at attempt %d as job %q, the cluster ran %v; want completed at its first attempt as the one job the cluster ran for it",
				tr.Number, tr.Status, tr.Attempts, tr.Job, runs[key])
		}
		if first, ok := submitted[key]; ok && !slices.Equal(first, runs[key]) {
			t.Errorf("trial %d: the first apply submitted %v, the cluster then ran %v", tr.Number, first, runs[key])
		}
	}
	if len(runs) != trials {
		t.Errorf("the cluster ran jobs for %v, want one for each of the %d trials at attempt 1", runs, trials)
	}
	if n := countStatus(t, dir, "running"); n != 0 {
		t.Errorf("%d trials still recorded running", n)
	}
}

// jobsOf maps each trial.attempt of search name to the handles of the
// jobs of its own the cluster has for it.
func jobsOf(t *testing.T, name string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, j := range slurmtest.JobsWhere(t, ofSearch(name)) {
		_, rest, _ := strings.Cut(j.Name, "."+name+".")
		out[rest] = append(out[rest], "slurm:"+j.JobID)
	}
	return out
}

// gatedSbatch writes a program named sbatch into a new directory, for the
// front of an apply's PATH: each call marks its start (a file
// started.PID there), waits until the test creates the file release,
// then refuses (exit 1, submitting nothing) when the file refuse exists,
// else runs the real sbatch; then it marks its end (done.PID). A call
// still waiting when the test ends gives up. It returns the directory.
func gatedSbatch(t *testing.T) string {
	t.Helper()
	real, err := exec.LookPath("sbatch")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := fmt.Sprintf(`#!/bin/sh
gate=%[1]s
touch "$gate/started.$$"
while [ ! -e "$gate/release" ]; do [ -d "$gate" ] || exit 1; sleep 0.02; done
if [ -e "$gate/refuse" ]; then touch "$gate/done.$$"; exit 1; fi
%[2]s "$@"
status=$?
touch "$gate/done.$$"
exit $status
`, gateQuote(dir), gateQuote(real))
	if err := os.WriteFile(filepath.Join(dir, "sbatch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// Release the calls still waiting (they also give up once the
	// directory is gone).
	t.Cleanup(func() { os.WriteFile(filepath.Join(dir, "release"), nil, 0o644) })
	return dir
}

// gateQuote quotes s for the shell.
func gateQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// gateCalls counts the calls of the gated sbatch of dir that started and
// those that ended.
func gateCalls(dir string) (started, done int) {
	s, _ := filepath.Glob(filepath.Join(dir, "started.*"))
	d, _ := filepath.Glob(filepath.Join(dir, "done.*"))
	return len(s), len(d)
}

// gateFile creates the empty file path: a signal to the gated sbatch.
func gateFile(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSlurmE2EKill9DuringSbatch: an apply killed while its sbatch calls
// are under way (a slow controller: the calls are held until the next
// apply has started) leaves them running, and they submit their jobs
// after the next apply looked for them. That apply must not submit the
// trials again: every trial.attempt runs as one job on the cluster.
func TestSlurmE2EKill9DuringSbatch(t *testing.T) {
	c := slurmtest.Require(t)
	const trials = 2
	dir := t.TempDir()
	name := slurmSearch(t, c, dir, trials, 1000)
	gate := gatedSbatch(t)
	first := startBgApply(t, dir, "PATH="+gate+string(os.PathListSeparator)+os.Getenv("PATH"))
	waitFor(t, "both trials' sbatch", func() bool { started, _ := gateCalls(gate); return started >= trials })
	if !first.kill(t) {
		t.Fatalf("the first apply ended on its own (exit %d)\n%s", first.code, first.out.String())
	}

	second := startBgApply(t, dir)
	// The held calls go on once the second apply has submitted a job of
	// its own, or after a while when it waits for them instead.
	waitFor(t, "the second apply to record a job or end", func() bool {
		return withJobs(t, dir) > 0 || second.exited() || time.Since(second.start) > 5*time.Second
	})
	gateFile(t, filepath.Join(gate, "release"))
	if code := second.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("second apply: exit %d\n%s", code, second.out.String())
	}
	waitFor(t, "the held sbatch calls to end", func() bool { started, done := gateCalls(gate); return done == started })

	runs := jobsOf(t, name)
	for _, tr := range slurmTrials(t, dir, name) {
		key := fmt.Sprintf("%d.1", tr.Number)
		if tr.Status != "completed" || tr.Attempts != 1 || len(runs[key]) != 1 || tr.Job != runs[key][0] {
			t.Errorf("trial %d: %s at attempt %d as job %q, the cluster ran %v for it; want completed at its first attempt as its one job",
				tr.Number, tr.Status, tr.Attempts, tr.Job, runs[key])
		}
	}
	if len(runs) != trials {
		t.Errorf("the cluster ran %v, want one job for each of the %d trials", runs, trials)
	}
}

// TestSlurmE2EKill9BeforeArraySbatch: with array = true, an apply killed
// after recording the known trials running but before sbatch took their
// array (the call held, then refused) leaves them to the next apply,
// which finds no job and submits them: still at most parallelism of them
// in the queue at once, as the array would have been throttled.
func TestSlurmE2EKill9BeforeArraySbatch(t *testing.T) {
	c := slurmtest.Require(t)
	const trials, parallelism = 8, 2
	dir := t.TempDir()
	name := slurmSearchWith(t, c, dir, trials, 1000, "array = true")
	gate := gatedSbatch(t)
	first := startBgApply(t, dir, "PATH="+gate+string(os.PathListSeparator)+os.Getenv("PATH"))
	waitFor(t, "the array's sbatch", func() bool { started, _ := gateCalls(gate); return started >= 1 })
	if !first.kill(t) {
		t.Fatalf("the first apply ended on its own (exit %d)\n%s", first.code, first.out.String())
	}
	gateFile(t, filepath.Join(gate, "refuse"))
	gateFile(t, filepath.Join(gate, "release"))
	waitFor(t, "the held sbatch call to end", func() bool { started, done := gateCalls(gate); return done == started })
	if n := countKind(stateRecords(t, dir), "submitting"); n != trials {
		t.Fatalf("%d trials recorded running before sbatch, want %d", n, trials)
	}

	second := startBgApply(t, dir)
	most, at := 0, ""
	for !second.exited() && time.Since(second.start) < 2*time.Minute {
		var queued []string
		for _, j := range clusterJobs(t, name) {
			// An array's pending remainder waits for its throttle: only
			// its tasks that started count.
			if !j.Final() && (j.ArrayTaskID == "" || j.State != "PENDING") {
				queued = append(queued, j.String())
			}
		}
		if len(queued) > most {
			most, at = len(queued), fmt.Sprint(queued)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := second.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("second apply: exit %d\n%s", code, second.out.String())
	}
	if most > parallelism {
		t.Errorf("the second apply had %d jobs in the queue at once (%s); parallelism is %d", most, at, parallelism)
	}
	runs, _, _, _ := clusterRuns(t, name)
	for _, tr := range slurmTrials(t, dir, name) {
		key := fmt.Sprintf("%d.1", tr.Number)
		if tr.Status != "completed" || tr.Attempts != 1 || len(runs[key]) != 1 || tr.Job != runs[key][0] {
			t.Errorf("trial %d: %s at attempt %d as job %q, the cluster ran %v for it; want completed at its first attempt as its one job",
				tr.Number, tr.Status, tr.Attempts, tr.Job, runs[key])
		}
	}
}
