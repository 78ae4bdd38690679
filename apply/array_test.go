package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// batchJournal is a memJournal that is also a state.Batcher, keeping the
// size of every batch.
type batchJournal struct {
	memJournal
	batches   []int
	failBatch error // what AppendBatch returns, when set
}

func (j *batchJournal) AppendBatch(_ context.Context, cs []state.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	if j.failBatch != nil {
		return j.failBatch
	}
	j.changes = append(j.changes, cs...)
	j.batches = append(j.batches, len(cs))
	return nil
}

// recorded returns the last record of trial n in the journal, nil if none.
func (j *memJournal) recorded(n int) *state.Trial {
	j.mu.Lock()
	defer j.mu.Unlock()
	var last *state.Trial
	for _, c := range j.changes {
		if c.Put != nil && c.Put.Number == n {
			last = c.Put
		}
	}
	return last
}

// arrayExecutor is a scheduler with job arrays: Submit "queues" specs as
// array 900 (tasks slurm:900_K), failing after its first take specs when
// take > 0; Run waits for a submitted task (Job set), or submits a single
// job (slurm:<100+number>, Submitted called) as submittingExecutor does.
// Every wait checks that the journal holds the trial running with its job.
type arrayExecutor struct {
	submittingExecutor
	journal *memJournal
	array   bool // whether ArraySubmitter gives a Submitter
	take    int
	queue   bool // array tasks beyond the limit wait for a slot (slots)

	amu       sync.Mutex
	submits   [][]runtime.Spec
	limits    []int
	running   []int // at Submit, the trials the journal held running
	waits     map[int]string
	unrecords []string // waits whose job was not recorded before
	ended     int      // array tasks ended
	firstRest int      // array tasks ended when the first single job started, -1 none
	// slots, when set (queue), holds a token per array task running:
	// the others wait as in Slurm's queue, and a task withdrawn while it
	// waits ends interrupted without running.
	slots     chan struct{}
	withdrawn []int // the trials withdrawn while waiting
}

func newArrayExecutor(j *memJournal) *arrayExecutor {
	return &arrayExecutor{journal: j, array: true, waits: map[int]string{}, firstRest: -1}
}

func (e *arrayExecutor) ArraySubmitter(string) runtime.Submitter {
	if e.array {
		return e
	}
	return nil
}

func (e *arrayExecutor) Submit(ctx context.Context, specs []runtime.Spec, limit int) ([]string, error) {
	e.amu.Lock()
	defer e.amu.Unlock()
	e.submits = append(e.submits, specs)
	e.limits = append(e.limits, limit)
	if e.queue {
		e.slots = make(chan struct{}, limit)
	}
	running := 0
	for _, s := range specs {
		if t := e.journal.recorded(s.Number); t != nil && t.Status == state.Running && t.Attempts == s.Attempt {
			running++
		}
	}
	e.running = append(e.running, running)
	n := len(specs)
	var err error
	if e.take > 0 && e.take < n {
		n, err = e.take, errors.New("sbatch: too many jobs")
	}
	var handles []string
	for k := range n {
		handles = append(handles, fmt.Sprintf("slurm:900_%d", k))
	}
	return handles, err
}

func (e *arrayExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	e.amu.Lock()
	if spec.Job != "" {
		e.waits[spec.Number] = spec.Job
		if t := e.journal.recorded(spec.Number); t == nil || t.Job != spec.Job || t.Status != state.Running {
			e.unrecords = append(e.unrecords, spec.Job)
		}
	} else if e.firstRest < 0 {
		e.firstRest = e.ended
	}
	slots := e.slots
	e.amu.Unlock()
	if spec.Job != "" && slots != nil {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		case <-spec.Withdraw:
			e.amu.Lock()
			e.withdrawn = append(e.withdrawn, spec.Number)
			e.amu.Unlock()
			return runtime.Result{Outcome: runtime.Interrupted, Error: "withdrawn", Job: spec.Job, Host: "fake"}
		case <-ctx.Done():
			return runtime.Result{Outcome: runtime.Interrupted, Error: "interrupted", Job: spec.Job, Host: "fake"}
		}
	}
	res := e.submittingExecutor.Run(ctx, spec)
	if spec.Job != "" {
		e.amu.Lock()
		e.ended++
		e.amu.Unlock()
	}
	return res
}

// arrayRun runs def once with an arrayExecutor and a batching journal.
func arrayRun(t *testing.T, def *definition.Definition, setup func(*arrayExecutor)) (*arrayExecutor, *batchJournal, *Result) {
	t.Helper()
	j := &batchJournal{}
	ex := newArrayExecutor(&j.memJournal)
	if setup != nil {
		setup(ex)
	}
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex}
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	return ex, j, res
}

// TestArraySubmitsKnownTrialsAtOnce: the trials of a random search go to
// the Submitter in one call, throttled to the parallelism, recorded
// running before and with their handles (one batch) before any wait,
// then with their outcome; none is submitted on its own.
func TestArraySubmitsKnownTrialsAtOnce(t *testing.T) {
	def := testDef(t, 10, 3)
	ex, j, res := arrayRun(t, def, nil)
	if len(ex.submits) != 1 || len(ex.submits[0]) != 10 || ex.limits[0] != 3 {
		t.Fatalf("Submit calls %d (first of %d trials, limit %v), want one of 10, limit 3", len(ex.submits), len(ex.submits[0]), ex.limits)
	}
	if ex.running[0] != 10 {
		t.Errorf("%d of 10 trials recorded running when submitted", ex.running[0])
	}
	if len(ex.unrecords) > 0 {
		t.Errorf("waited for jobs not recorded yet: %v", ex.unrecords)
	}
	if len(ex.errs) != 0 || len(ex.waits) != 10 {
		t.Errorf("%d single submissions, %d waits; want 0 and 10", len(ex.errs), len(ex.waits))
	}
	// Batches: the 10 running records, then the 10 with their jobs.
	if len(j.batches) != 2 || j.batches[0] != 10 || j.batches[1] != 10 {
		t.Errorf("batches %v, want [10 10]", j.batches)
	}
	byTrial := map[int][]*state.Trial{}
	for _, c := range j.changes {
		if c.Put != nil {
			byTrial[c.Put.Number] = append(byTrial[c.Put.Number], c.Put)
		}
	}
	for k, spec := range ex.submits[0] {
		recs := byTrial[spec.Number]
		job := fmt.Sprintf("slurm:900_%d", k)
		if ex.waits[spec.Number] != job {
			t.Errorf("trial %d waited for %q, want %q", spec.Number, ex.waits[spec.Number], job)
		}
		if len(recs) != 3 || recs[0].Status != state.Running || recs[0].Job != "" ||
			recs[1].Status != state.Running || recs[1].Job != job ||
			recs[2].Status != state.Completed || recs[2].Job != job {
			t.Errorf("trial %d records: %+v", spec.Number, recs)
		}
	}
	if sr := res.Searches[0]; sr.Completed != 10 || sr.NotRun != 0 {
		t.Errorf("completed %d, not run %d", sr.Completed, sr.NotRun)
	}
}

// TestArrayOff: without a Submitter for the search, every trial is
// submitted on its own, as before.
func TestArrayOff(t *testing.T) {
	ex, _, _ := arrayRun(t, testDef(t, 4, 2), func(e *arrayExecutor) { e.array = false })
	if len(ex.submits) != 0 || len(ex.errs) != 4 {
		t.Errorf("%d Submit calls, %d single submissions; want 0 and 4", len(ex.submits), len(ex.errs))
	}
}

// TestArrayThenAdaptive: a Bayesian search submits its initial design as
// an array; its proposals start one at a time, the first once the design
// leaves a slot of the parallelism free.
func TestArrayThenAdaptive(t *testing.T) {
	def := testDef(t, 9, 2)
	s := def.Searches[0]
	s.Strategy = definition.Bayesian
	s.Bayesian = &definition.BayesianOptions{InitialPoints: 5, Acquisition: "ei", Xi: 0.01, Kappa: 2}
	ex, _, res := arrayRun(t, def, func(e *arrayExecutor) { e.delay = 2 * time.Millisecond })
	if len(ex.submits) != 1 || len(ex.submits[0]) != 5 {
		t.Fatalf("Submit calls %v, want one of the 5 initial points", len(ex.submits))
	}
	if len(ex.errs) != 4 {
		t.Errorf("%d proposals submitted on their own, want 4", len(ex.errs))
	}
	// 5 on the cluster with 2 slots: a slot is free once 4 have ended.
	if ex.firstRest < 4 {
		t.Errorf("the first proposal started when %d of the 5 array tasks had ended, want 4 or more", ex.firstRest)
	}
	if sr := res.Searches[0]; sr.Completed != 9 {
		t.Errorf("completed %d of 9", sr.Completed)
	}
}

// TestArraySubmitPartly: the trials a failing Submit did not take are run
// one at a time, each exactly once.
func TestArraySubmitPartly(t *testing.T) {
	ex, _, res := arrayRun(t, testDef(t, 10, 3), func(e *arrayExecutor) { e.take = 4 })
	if len(ex.submits) != 1 || len(ex.errs) != 6 {
		t.Errorf("%d Submit calls, %d single submissions; want 1 and 6", len(ex.submits), len(ex.errs))
	}
	seen := map[int]int{}
	for _, s := range ex.specs {
		seen[s.Number]++
	}
	for n := range 10 {
		if seen[n] != 1 {
			t.Errorf("trial %d ran %d times", n, seen[n])
		}
	}
	if sr := res.Searches[0]; sr.Completed != 10 {
		t.Errorf("completed %d of 10", sr.Completed)
	}
	want := "submitting 10 trials as job arrays failed after 4 of them, so the other 6 were submitted one job each: sbatch: too many jobs"
	if got := res.Searches[0].SubmitError; got != want {
		t.Errorf("SubmitError = %q, want %q", got, want)
	}
}

// TestArrayDrain: after a drain the trials already running are waited
// for and recorded, the ones still queued are withdrawn (recorded
// interrupted, not having run), and nothing more is submitted.
func TestArrayDrain(t *testing.T) {
	def := testDef(t, 8, 2)
	s := def.Searches[0]
	s.Strategy = definition.Bayesian
	s.Bayesian = &definition.BayesianOptions{InitialPoints: 4, Acquisition: "ei", Xi: 0.01, Kappa: 2}
	j := &batchJournal{}
	ex := newArrayExecutor(&j.memJournal)
	ex.delay = 50 * time.Millisecond
	ex.started = make(chan int, 8)
	ex.queue = true
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex}
	drain := make(chan struct{})
	go func() {
		<-ex.started
		close(drain)
	}()
	res, err := r.Run(context.Background(), drain, p)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	if sr.Completed != 2 || sr.Interrupted != 2 || len(ex.withdrawn) != 2 || sr.NotRun != 4 || len(ex.errs) != 0 {
		t.Errorf("completed %d, interrupted %d (withdrawn %v), not run %d, single submissions %d; want 2, 2, 4, 0",
			sr.Completed, sr.Interrupted, ex.withdrawn, sr.NotRun, len(ex.errs))
	}
	for _, n := range ex.withdrawn {
		if tr := st.Trial("s", n); tr == nil || tr.Status != state.Interrupted || tr.Job == "" {
			t.Errorf("withdrawn trial %d: %+v, want interrupted with its job", n, tr)
		}
	}
}

// TestArrayFailureStopWithdraws: a search stopped by -max-failures
// withdraws its array tasks still queued instead of waiting for them to
// run; the running ones end as usual.
func TestArrayFailureStopWithdraws(t *testing.T) {
	def := testDef(t, 20, 2)
	j := &batchJournal{}
	ex := newArrayExecutor(&j.memJournal)
	ex.delay = 20 * time.Millisecond
	ex.queue = true
	ex.outcome = func(runtime.Spec) runtime.Outcome { return runtime.Failed }
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex, Options: Options{MaxFailures: 3}}
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	// 3 failures stop the search; the tasks that took the slots of the
	// failures before it (2 at a time) were running then, as in Slurm,
	// which starts a waiting task as soon as one ends.
	if sr.Failed < 3 || sr.Failed > 3+2*2 || sr.Failed+sr.Interrupted != 20 || len(ex.withdrawn) != sr.Interrupted || !sr.HitMaxFailures {
		t.Errorf("failed %d, interrupted %d, withdrawn %d, hit max failures %v; want 3 to 7 failed, the rest withdrawn",
			sr.Failed, sr.Interrupted, len(ex.withdrawn), sr.HitMaxFailures)
	}
}

// TestArrayCancel: cancelling the context interrupts every trial on the
// cluster, and each is recorded interrupted with its job.
func TestArrayCancel(t *testing.T) {
	def := testDef(t, 6, 2)
	j := &batchJournal{}
	ex := newArrayExecutor(&j.memJournal)
	ex.delay = time.Minute
	ex.started = make(chan int, 6)
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for range 6 {
			<-ex.started
		}
		cancel()
	}()
	res, err := r.Run(ctx, nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if sr := res.Searches[0]; sr.Interrupted != 6 {
		t.Errorf("interrupted %d of 6", sr.Interrupted)
	}
	for n := range 6 {
		if tr := st.Trial("s", n); tr == nil || tr.Status != state.Interrupted || tr.Job == "" {
			t.Errorf("trial %d: %+v", n, tr)
		}
	}
}

// TestArrayAttachNotSubmitted: a planned attach is waited for with its
// recorded job, never submitted again, next to the array of new trials.
func TestArrayAttachNotSubmitted(t *testing.T) {
	def := testDef(t, 3, 2)
	def.Searches[0].Trial.Executor = &definition.Executor{Type: "slurm", Name: "c", Array: true}
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Trial 0 was left running with its job by an apply that died.
	pt := p.Searches[0].ToRun[0]
	p = leftRunning(t, def, st, pt, "slurm:77")
	if ps := p.Searches[0]; len(ps.ToRetry) != 1 || !ps.ToRetry[0].Attach {
		t.Fatalf("plan: retries %+v", ps.ToRetry)
	}
	j := &batchJournal{}
	ex := newArrayExecutor(&j.memJournal)
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex}
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.submits) != 1 || len(ex.submits[0]) != 2 {
		t.Fatalf("Submit calls %d, want one of the 2 new trials", len(ex.submits))
	}
	for _, s := range ex.submits[0] {
		if s.Number == 0 {
			t.Error("the attached trial was submitted again")
		}
	}
	if ex.waits[0] != "slurm:77" || len(ex.errs) != 0 {
		t.Errorf("trial 0 waited for %q (single submissions %d), want slurm:77", ex.waits[0], len(ex.errs))
	}
	if sr := res.Searches[0]; sr.Completed != 3 {
		t.Errorf("completed %d of 3", sr.Completed)
	}
}

// TestArrayNotRecordedNotSubmitted: when the trials cannot be recorded
// running, nothing is submitted and the apply says the state could not
// be written.
func TestArrayNotRecordedNotSubmitted(t *testing.T) {
	def := testDef(t, 5, 2)
	j := &batchJournal{failBatch: errors.New("disk full")}
	ex := newArrayExecutor(&j.memJournal)
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex}
	res, err := r.Run(context.Background(), nil, p)
	if err == nil {
		t.Fatal("Run succeeded with a journal that refuses batches")
	}
	if len(ex.submits) != 0 || len(ex.specs) != 0 {
		t.Errorf("%d Submit calls, %d runs; want none", len(ex.submits), len(ex.specs))
	}
	if sr := res.Searches[0]; sr.NotRun != 5 || sr.StoppedBy != "the state could not be written" {
		t.Errorf("not run %d, stopped by %q", sr.NotRun, sr.StoppedBy)
	}
}

// TestArrayAttachWithoutJobSubmitted: a trial recorded running without
// its job (the apply died between recording it and the array's sbatch)
// goes to Submit with the new trials, which finds its job or submits it
// within the limit; it is not submitted on its own, nor recorded as a
// new attempt.
func TestArrayAttachWithoutJobSubmitted(t *testing.T) {
	def := testDef(t, 3, 2)
	def.Searches[0].Trial.Executor = &definition.Executor{Type: "slurm", Name: "c", Array: true}
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pt := p.Searches[0].ToRun[0]
	p = leftRunning(t, def, st, pt, "")
	if ps := p.Searches[0]; len(ps.ToRetry) != 1 || !ps.ToRetry[0].Attach || ps.ToRetry[0].Job != "" {
		t.Fatalf("plan: retries %+v", ps.ToRetry)
	}
	j := &batchJournal{}
	ex := newArrayExecutor(&j.memJournal)
	r := &Runner{Def: def, State: st, Journal: j, Executor: ex}
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.submits) != 1 || len(ex.submits[0]) != 3 || ex.limits[0] != 2 {
		t.Fatalf("Submit calls %d, want one of all 3 trials with limit 2", len(ex.submits))
	}
	if ex.submits[0][0].Number != 0 || ex.submits[0][0].Attempt != 1 {
		t.Errorf("first spec submitted: trial %d attempt %d, want trial 0 attempt 1", ex.submits[0][0].Number, ex.submits[0][0].Attempt)
	}
	if len(ex.errs) != 0 {
		t.Errorf("%d trials submitted on their own, want 0", len(ex.errs))
	}
	if len(j.batches) < 2 || j.batches[0] != 2 || j.batches[1] != 3 {
		t.Errorf("batches %v, want the 2 new trials recorded running, then the 3 with their jobs", j.batches)
	}
	if tr := st.Trial("s", 0); tr == nil || tr.Status != state.Completed || tr.Attempts != 1 {
		t.Errorf("trial 0: %+v, want completed at attempt 1", tr)
	}
	if sr := res.Searches[0]; sr.Completed != 3 {
		t.Errorf("completed %d of 3", sr.Completed)
	}
}

// leftRunning records the planned trial pt of def's search in st as an
// apply that died would have left it (running at attempt 1, with job
// when not empty) and makes the plan again.
func leftRunning(t *testing.T, def *definition.Definition, st *state.State, pt plan.Trial, job string) *plan.Plan {
	t.Helper()
	s := def.Searches[0]
	tr := &state.Trial{Search: s.Name, Number: pt.Number, Status: state.Running, Attempts: 1, Job: job,
		Params: s.ParamMap(pt.Point), Started: time.Now().UTC(), Dir: s.TrialDir(pt.Number)}
	var err error
	if tr.Config, err = s.Resolve(pt.Point); err != nil {
		t.Fatal(err)
	}
	if tr.ConfigHash, err = definition.Hash(tr.Config); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(state.Change{Put: tr}); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
