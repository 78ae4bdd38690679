package slurm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/slurm"
)

// The tests of this file run jobs on the real cluster (slurmtest.Require).
// Each names its jobs after a lineage of its own and cancels them when it
// ends.

// newExecutor returns an executor for the cluster, closed when the test
// ends.
func newExecutor(t *testing.T, cfg slurm.Config) *slurm.Executor {
	t.Helper()
	e := slurm.New(cfg)
	t.Cleanup(func() { e.Close() })
	return e
}

// runAll runs each spec (with Job set from handles, when given) on e at
// once and returns the results in order.
func runAll(e runtime.Executor, specs []runtime.Spec, handles []string) []runtime.Result {
	return runAllCtx(context.Background(), e, specs, handles)
}

func runAllCtx(ctx context.Context, e runtime.Executor, specs []runtime.Spec, handles []string) []runtime.Result {
	results := make([]runtime.Result, len(specs))
	var wg sync.WaitGroup
	for i := range specs {
		spec := specs[i]
		if handles != nil {
			spec.Job = handles[i]
		}
		wg.Go(func() { results[i] = e.Run(ctx, spec) })
	}
	wg.Wait()
	return results
}

func wantCompleted(t *testing.T, specs []runtime.Spec, results []runtime.Result) {
	t.Helper()
	for i, res := range results {
		if res.Outcome != runtime.Completed || res.Metrics["val_loss"] != 0.5 {
			t.Errorf("trial %d: %s %q, metrics %v, stderr %q", specs[i].Number, res.Outcome, res.Error, res.Metrics, res.StderrTail)
			continue
		}
		b, err := os.ReadFile(filepath.Join(specs[i].TrialDir, runtime.StdoutFile))
		if want := fmt.Sprintf("%d\n", specs[i].Number); err != nil || string(b) != want {
			t.Errorf("trial %d printed %q, %v; want %q (did another trial run in its directory?)", specs[i].Number, b, err, want)
		}
	}
}

// arrayLimit is the limit of the array tests: 2, unless the cluster could
// not run more at once anyway (the development cluster has 2 CPUs), so
// that the test sees the limit, not the cluster's size.
func arrayLimit(c slurmtest.Cluster) int { return max(1, min(2, c.CPUs-1)) }

// TestArray submits 10 trials with a limit of 2: one sbatch call, never
// more than 2 of them running, all complete, each in its own directory,
// the later ones after a wait in the queue.
func TestArray(t *testing.T) {
	c := slurmtest.Require(t)
	limit := arrayLimit(c)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	sbatch, calls := slurmtest.Counter(t, "sbatch")
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true, Commands: slurm.Commands{Sbatch: sbatch}})
	var specs []runtime.Spec
	for i := range 10 {
		specs = append(specs, newSpec(t, root, lineage, i, stampedTrial))
	}
	handles, err := e.Submit(context.Background(), specs, limit)
	if err != nil || len(handles) != len(specs) {
		t.Fatalf("Submit = %q, %v", handles, err)
	}
	if n := calls(); n != 1 {
		t.Errorf("%d sbatch calls for an array of 10, want 1", n)
	}
	results := runAll(e, specs, handles)
	wantCompleted(t, specs, results)
	var starts, ends []time.Time
	var queued time.Duration
	for i, res := range results {
		queued = max(queued, res.Queued)
		if res.Job != handles[i] || !strings.HasPrefix(res.Job, "slurm:") || !strings.HasSuffix(res.Job, fmt.Sprintf("_%d", i)) {
			t.Errorf("trial %d: Job %q, handle %q", i, res.Job, handles[i])
		}
		if res.Outcome == runtime.Completed {
			starts = append(starts, stamp(t, filepath.Join(specs[i].TrialDir, "start")))
			ends = append(ends, stamp(t, filepath.Join(specs[i].TrialDir, "end")))
		}
	}
	if n := maxOverlap(starts, ends); n > limit {
		t.Errorf("%d trials ran at once, over the limit of %d", n, limit)
	}
	if queued < 2*time.Second {
		t.Errorf("no trial waited in the queue over %v (Result.Queued), though they ran %d at a time", queued, limit)
	}
}

// TestArraySplit submits 10 trials to a cluster whose MaxArraySize is 4
// (a scontrol that says so): three arrays, run one after the other, so
// that the limit holds across them.
func TestArraySplit(t *testing.T) {
	c := slurmtest.Require(t)
	limit := arrayLimit(c)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	sbatch, calls := slurmtest.Counter(t, "sbatch")
	real, err := exec.LookPath("scontrol")
	if err != nil {
		t.Fatal(err)
	}
	scontrol := filepath.Join(t.TempDir(), "scontrol")
	wrapper := "#!/bin/sh\nif [ \"$1 $2\" = 'show config' ]; then echo 'MaxArraySize            = 4'; exit 0; fi\nexec " + strings.TrimSpace(real) + " \"$@\"\n"
	if err := os.WriteFile(scontrol, []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true, Commands: slurm.Commands{Sbatch: sbatch, Scontrol: scontrol}})
	var specs []runtime.Spec
	for i := range 10 {
		specs = append(specs, newSpec(t, root, lineage, i, stampedTrial))
	}
	handles, err := e.Submit(context.Background(), specs, limit)
	if err != nil || len(handles) != len(specs) {
		t.Fatalf("Submit = %q, %v", handles, err)
	}
	if n := calls(); n != 3 {
		t.Errorf("%d sbatch calls for 10 trials in arrays of at most 4, want 3", n)
	}
	if !strings.HasSuffix(handles[4], "_0") || !strings.HasSuffix(handles[9], "_1") {
		t.Errorf("handles %q: want 3 arrays of 4, 4 and 2 tasks", handles)
	}
	results := runAll(e, specs, handles)
	wantCompleted(t, specs, results)
	var starts, ends []time.Time
	for i, res := range results {
		if res.Outcome == runtime.Completed {
			starts = append(starts, stamp(t, filepath.Join(specs[i].TrialDir, "start")))
			ends = append(ends, stamp(t, filepath.Join(specs[i].TrialDir, "end")))
		}
	}
	if n := maxOverlap(starts, ends); n > limit {
		t.Errorf("%d trials ran at once, over the limit of %d", n, limit)
	}
}

// TestSubmitEach submits without arrays: one job per trial.
func TestSubmitEach(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	sbatch, calls := slurmtest.Counter(t, "sbatch")
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Commands: slurm.Commands{Sbatch: sbatch}})
	specs := []runtime.Spec{newSpec(t, root, lineage, 0, okTrial), newSpec(t, root, lineage, 1, okTrial)}
	handles, err := e.Submit(context.Background(), specs, 0)
	if err != nil || len(handles) != 2 || strings.Contains(handles[0], "_") {
		t.Fatalf("Submit = %q, %v", handles, err)
	}
	if n := calls(); n != 2 {
		t.Errorf("%d sbatch calls, want 2", n)
	}
	wantCompleted(t, specs, runAll(e, specs, handles))
}

// TestFindAndAttach is an apply that died after sbatch but before it
// recorded the job: a second executor, as the next apply, finds the job
// by the trial's identity and attaches to it.
func TestFindAndAttach(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	first := slurm.New(slurm.Config{Partition: c.Partition})
	defer first.Close()
	spec := newSpec(t, root, lineage, 0, `touch "$FW_TRIAL_DIR/ready"; sleep 3; `+okTrial)
	submitted := make(chan string, 1)
	spec.Submitted = func(job string) error { submitted <- job; return nil }
	done := make(chan runtime.Result, 1)
	go func() { done <- first.Run(context.Background(), spec) }()
	handle := <-submitted
	if !waitFile(t, filepath.Join(spec.TrialDir, "ready"), 2*time.Minute) {
		t.Fatal("the trial did not start")
	}
	// The first apply dies: its executor stops; the job goes on.
	first.Close()
	if res := <-done; res.Outcome != runtime.Interrupted {
		t.Errorf("Run after Close = %s %q, want interrupted", res.Outcome, res.Error)
	}
	second := newExecutor(t, slurm.Config{Partition: c.Partition})
	spec.Submitted = nil
	got, ok, err := second.Find(context.Background(), spec)
	if err != nil || !ok || got != handle {
		t.Fatalf("Find = %q, %v, %v; want %q", got, ok, err, handle)
	}
	spec.Job = got
	res := second.Run(context.Background(), spec)
	wantCompleted(t, []runtime.Spec{spec}, []runtime.Result{res})
	if res.Job != handle || !strings.HasPrefix(res.Host, "slurm:"+c.Node+" job ") || res.Started.IsZero() || res.Ended.Before(res.Started) {
		t.Errorf("Result Job %q Host %q Started %v Ended %v", res.Job, res.Host, res.Started, res.Ended)
	}
	// The next attempt has no job; neither has a trial never submitted.
	next := spec
	next.Attempt, next.Job = 2, ""
	other := newSpec(t, root, lineage, 1, okTrial)
	for _, s := range []runtime.Spec{next, other} {
		if got, ok, err := second.Find(context.Background(), s); err != nil || ok {
			t.Errorf("Find(trial %d attempt %d) = %q, %v, %v; want none", s.Number, s.Attempt, got, ok, err)
		}
	}
}

// TestFindArray finds the tasks of an array whose handles were lost.
func TestFindArray(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	first := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true})
	var specs []runtime.Spec
	for i := range 3 {
		specs = append(specs, newSpec(t, root, lineage, i, okTrial))
	}
	handles, err := first.Submit(context.Background(), specs, 1)
	if err != nil {
		t.Fatal(err)
	}
	second := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true})
	found, err := second.FindAll(context.Background(), specs)
	if err != nil || strings.Join(found, " ") != strings.Join(handles, " ") {
		t.Fatalf("FindAll = %q, %v; want %q", found, err, handles)
	}
	wantCompleted(t, specs, runAll(second, specs, found))
}

// TestForgottenJob is an apply that comes back after Slurm forgot the
// job: the exit file in the trial directory tells how it ended.
func TestForgottenJob(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	spec := newSpec(t, root, lineage, 0, okTrial)
	var handle string
	spec.Submitted = func(job string) error { handle = job; return nil }
	if res := newExecutor(t, slurm.Config{Partition: c.Partition}).Run(context.Background(), spec); res.Outcome != runtime.Completed {
		t.Fatalf("Run = %s %q", res.Outcome, res.Error)
	}
	spec.Submitted = nil
	forgetful := newExecutor(t, slurm.Config{Partition: c.Partition, Commands: slurm.Commands{
		Squeue:   fakeCommand(t, "squeue", "", 0),
		Scontrol: fakeCommand(t, "scontrol", "slurm_load_jobs error: Invalid job id specified\n", 1),
	}})
	got, ok, err := forgetful.Find(context.Background(), spec)
	if err != nil || !ok || got != handle {
		t.Fatalf("Find = %q, %v, %v; want %q from the exit file", got, ok, err, handle)
	}
	spec.Job = got
	res := forgetful.Run(context.Background(), spec)
	wantCompleted(t, []runtime.Spec{spec}, []runtime.Result{res})
	if err := os.Remove(filepath.Join(spec.TrialDir, slurm.ExitFile)); err != nil {
		t.Fatal(err)
	}
	res = forgetful.Run(context.Background(), spec)
	if res.Outcome != runtime.Failed || !strings.Contains(res.Error, "Slurm no longer knows job") {
		t.Errorf("Run without the exit file = %s %q", res.Outcome, res.Error)
	}
	if got, ok, err := forgetful.Find(context.Background(), spec); err != nil || ok {
		t.Errorf("Find without the exit file = %q, %v, %v; want none", got, ok, err)
	}
}

// TestNeverStarts asks for more CPUs per task than the node has: the job
// pends with PartitionConfig, and the trial fails with that reason,
// leaving nothing in the queue.
func TestNeverStarts(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition, CPUsPerTask: c.CPUs + 1})
	res := e.Run(context.Background(), newSpec(t, root, lineage, 0, okTrial))
	if res.Outcome != runtime.Failed || !strings.HasPrefix(res.Error, "Slurm cannot start job ") || !strings.Contains(res.Error, ": PartitionConfig (") {
		t.Errorf("Run = %s %q, want failed with Slurm's reason PartitionConfig", res.Outcome, res.Error)
	}
	if res.Metrics != nil || !res.Started.Equal(res.Ended) {
		t.Errorf("Metrics %v, Started %v, Ended %v: the trial never ran", res.Metrics, res.Started, res.Ended)
	}
	if jobs := active(t, lineage); len(jobs) != 0 {
		t.Errorf("still in the queue: %+v", jobs)
	}
}

// TestInterrupt cancels the context of a running trial and of a pending
// one: both are interrupted, and nothing is left in the queue.
func TestInterrupt(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	running := newSpec(t, root, lineage, 0, sleepTrial)
	pending := newSpec(t, root, lineage, 1, okTrial)
	for _, tt := range []struct {
		name string
		cfg  slurm.Config
		spec runtime.Spec
		wait string
	}{
		{"running", slurm.Config{Partition: c.Partition}, running, filepath.Join(running.TrialDir, "ready")},
		{"pending", slurm.Config{Partition: c.Partition, ExtraArgs: []string{"--begin=now+1hour"}}, pending, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newExecutor(t, tt.cfg)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			submitted := make(chan string, 1)
			tt.spec.Submitted = func(job string) error { submitted <- job; return nil }
			done := make(chan runtime.Result, 1)
			go func() { done <- e.Run(ctx, tt.spec) }()
			<-submitted
			if tt.wait != "" && !waitFile(t, tt.wait, 2*time.Minute) {
				t.Fatal("the trial did not start")
			}
			cancel()
			res := <-done
			if res.Outcome != runtime.Interrupted || res.Error != "interrupted" || res.Metrics != nil {
				t.Errorf("Run = %s %q, metrics %v", res.Outcome, res.Error, res.Metrics)
			}
			if jobs := active(t, lineage); len(jobs) != 0 {
				t.Errorf("still in the queue after Run returned: %+v", jobs)
			}
		})
	}
}

// TestSubmittedFails: a job whose handle cannot be recorded is cancelled
// and the trial fails with the recording's error.
func TestSubmittedFails(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition})
	spec := newSpec(t, root, lineage, 0, sleepTrial)
	spec.Submitted = func(string) error { return errors.New("the journal is full") }
	res := e.Run(context.Background(), spec)
	if res.Outcome != runtime.Failed || !strings.HasPrefix(res.Error, "cannot record job slurm:") || !strings.HasSuffix(res.Error, "so it was cancelled: the journal is full") {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
	if jobs := active(t, lineage); len(jobs) != 0 {
		t.Errorf("still in the queue: %+v", jobs)
	}
}

// TestCancelledOutside: a job someone else cancels fails the trial with
// a reason saying so.
func TestCancelledOutside(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition})
	spec := newSpec(t, root, lineage, 0, sleepTrial)
	submitted := make(chan string, 1)
	spec.Submitted = func(job string) error { submitted <- job; return nil }
	done := make(chan runtime.Result, 1)
	go func() { done <- e.Run(context.Background(), spec) }()
	job := strings.TrimPrefix(<-submitted, "slurm:")
	if !waitFile(t, filepath.Join(spec.TrialDir, "ready"), 2*time.Minute) {
		t.Fatal("the trial did not start")
	}
	slurmtest.Command(t, "scancel", job)
	res := <-done
	if want := "job " + job + " was cancelled outside fwapply (scancel, or an administrator)"; res.Outcome != runtime.Failed || res.Error != want {
		t.Errorf("Run = %s %q, want failed %q", res.Outcome, res.Error, want)
	}
}

// TestCannotStart: a program the node cannot find fails the trial with
// the node's name.
func TestCannotStart(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition})
	spec := newSpec(t, root, lineage, 0, "")
	spec.Command = []string{"no-such-program-fw", "--x"}
	res := e.Run(context.Background(), spec)
	want := `cannot start: "no-such-program-fw": not found in the PATH of the job on node ` + c.Node
	if res.Outcome != runtime.Failed || res.Error != want {
		t.Errorf("Run = %s %q, want failed %q", res.Outcome, res.Error, want)
	}
}

// TestTimeLimit is Slurm's own time limit (the executor's time, 1
// minute), which stops a trial that has no timeout of its own: it takes
// 60 to 90 s (Slurm checks limits every 30 s).
func TestTimeLimit(t *testing.T) {
	c := slurmtest.Require(t)
	if testing.Short() {
		t.Skip("takes over a minute")
	}
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Time: time.Minute})
	spec := newSpec(t, root, lineage, 0, sleepTrial)
	res := e.Run(context.Background(), spec)
	want := "timed out after 1m (the time of the executor block, Slurm's time limit)"
	if res.Outcome != runtime.Failed || res.Error != want {
		t.Errorf("Run = %s %q, want failed %q", res.Outcome, res.Error, want)
	}
	if d := res.Ended.Sub(res.Started); d < time.Minute {
		t.Errorf("the trial ran %v, less than its limit", d)
	}
}

// TestPollingLoad waits for 20 pending jobs with a fixed poll interval:
// the squeue calls follow the interval, not the number of jobs, and
// scontrol is not asked while nothing ends.
func TestPollingLoad(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	squeue, squeueCalls := slurmtest.Counter(t, "squeue")
	scontrol, scontrolCalls := slurmtest.Counter(t, "scontrol")
	const poll = 2 * time.Second
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Poll: poll, ExtraArgs: []string{"--begin=now+1hour"},
		Commands: slurm.Commands{Squeue: squeue, Scontrol: scontrol}})
	ctx, cancel := context.WithCancel(context.Background())
	var specs []runtime.Spec
	for i := range 20 {
		specs = append(specs, newSpec(t, root, lineage, i, okTrial))
	}
	var submitted sync.WaitGroup
	submitted.Add(len(specs))
	for i := range specs {
		specs[i].Submitted = func(string) error { submitted.Done(); return nil }
	}
	done := make(chan []runtime.Result, 1)
	go func() { done <- runAllCtx(ctx, e, specs, nil) }()
	submitted.Wait()
	before, start := squeueCalls(), time.Now()
	time.Sleep(10 * poll)
	calls, elapsed := squeueCalls()-before, time.Since(start)
	if most := int(elapsed/poll) + 2; calls > most || calls < 3 {
		t.Errorf("%d squeue calls in %v for 20 jobs, polling every %v: want at most %d, one per interval", calls, elapsed.Round(time.Millisecond), poll, most)
	}
	if n := scontrolCalls(); n != 0 {
		t.Errorf("%d scontrol calls while no job ended", n)
	}
	t.Logf("%d squeue calls in %v with 20 jobs queued (%.1f per minute)", calls, elapsed.Round(time.Millisecond), float64(calls)/elapsed.Minutes())
	cancel()
	for _, res := range <-done {
		if res.Outcome != runtime.Interrupted {
			t.Errorf("Run = %s %q, want interrupted", res.Outcome, res.Error)
		}
	}
	if jobs := active(t, lineage); len(jobs) != 0 {
		t.Errorf("still in the queue: %+v", jobs)
	}
}

// TestAdaptivePolling: with nothing changing, adaptive polling backs off
// from 1 s.
func TestAdaptivePolling(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	squeue, squeueCalls := slurmtest.Counter(t, "squeue")
	e := newExecutor(t, slurm.Config{Partition: c.Partition, ExtraArgs: []string{"--begin=now+1hour"}, Commands: slurm.Commands{Squeue: squeue}})
	ctx, cancel := context.WithCancel(context.Background())
	spec := newSpec(t, root, lineage, 0, okTrial)
	submitted := make(chan string, 1)
	spec.Submitted = func(job string) error { submitted <- job; return nil }
	done := make(chan runtime.Result, 1)
	go func() { done <- e.Run(ctx, spec) }()
	<-submitted
	start := time.Now()
	time.Sleep(20 * time.Second)
	calls, elapsed := squeueCalls(), time.Since(start)
	// At a steady 1 s that would be 20; backing off by 1.5 each time it is
	// about 7.
	if calls > 12 {
		t.Errorf("%d squeue calls in %v with nothing changing: no back-off", calls, elapsed.Round(time.Millisecond))
	}
	cancel()
	if res := <-done; res.Outcome != runtime.Interrupted {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
}

// TestSubmitThousand submits 1,000 trials as arrays (held back a while,
// so that none runs): one sbatch call.
func TestSubmitThousand(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	sbatch, calls := slurmtest.Counter(t, "sbatch")
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true, ExtraArgs: []string{"--begin=now+1hour"}, Commands: slurm.Commands{Sbatch: sbatch}})
	var specs []runtime.Spec
	for i := range 1000 {
		specs = append(specs, newSpec(t, root, lineage, i, okTrial))
	}
	start := time.Now()
	handles, err := e.Submit(context.Background(), specs, 8)
	if err != nil || len(handles) != 1000 || !strings.HasSuffix(handles[999], "_999") {
		t.Fatalf("Submit: %d handles, %v", len(handles), err)
	}
	t.Logf("1,000 trials: %d sbatch call(s), Submit took %v", calls(), time.Since(start).Round(time.Millisecond))
	if n := calls(); n != 1 {
		t.Errorf("%d sbatch calls for 1,000 trials, want 1", n)
	}
	slurmtest.CancelWhere(t, ours(lineage))
}

// TestSubmitPrefix: a trial that cannot be prepared stops Submit, which
// submits the trials before it and returns their handles.
func TestSubmitPrefix(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true})
	specs := []runtime.Spec{newSpec(t, root, lineage, 0, okTrial), newSpec(t, root, lineage, 1, okTrial), newSpec(t, root, lineage, 2, okTrial)}
	specs[2].Command = nil
	handles, err := e.Submit(context.Background(), specs, 0)
	if len(handles) != 2 || err == nil || !strings.Contains(err.Error(), "trial s[2]: cannot start: the trial command is empty") {
		t.Fatalf("Submit = %q, %v; want the first two submitted and trial 2's error", handles, err)
	}
	wantCompleted(t, specs[:2], runAll(e, specs[:2], handles))
}

// TestLostSbatchReply: sbatch fails after the controller took the job (a
// lost reply): Run finds the job by its identity and waits for it, and
// nothing is submitted twice.
func TestLostSbatchReply(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	real, err := exec.LookPath("sbatch")
	if err != nil {
		t.Fatal(err)
	}
	sbatch := filepath.Join(t.TempDir(), "sbatch")
	wrapper := "#!/bin/sh\n'" + real + "' \"$@\" >/dev/null\necho 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' >&2\nexit 1\n"
	if err := os.WriteFile(sbatch, []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Commands: slurm.Commands{Sbatch: sbatch}})
	spec := newSpec(t, root, lineage, 0, okTrial)
	res := e.Run(context.Background(), spec)
	wantCompleted(t, []runtime.Spec{spec}, []runtime.Result{res})
	if jobs := slurmtest.JobsWhere(t, ours(lineage)); len(jobs) != 1 || "slurm:"+jobs[0].ID != res.Job {
		t.Errorf("jobs %+v, Result.Job %q: want the one job", jobs, res.Job)
	}
}

// TestSubmitError: sbatch refusing the job fails the trial with sbatch's
// message.
func TestSubmitError(t *testing.T) {
	slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: "fw-no-such-partition"})
	res := e.Run(context.Background(), newSpec(t, root, lineage, 0, okTrial))
	if res.Outcome != runtime.Failed || !strings.HasPrefix(res.Error, "cannot submit the trial to Slurm: sbatch: ") || !strings.Contains(res.Error, "Invalid partition name specified") {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
	if res.Job != "" || res.StdoutLog == "" {
		t.Errorf("Job %q, StdoutLog %q: want no job, the prepared logs", res.Job, res.StdoutLog)
	}
}
