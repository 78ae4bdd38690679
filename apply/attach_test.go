package apply

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// submittingExecutor queues trials as a scheduler would: a spec without
// a job is "submitted" as job slurm:<100+number> (Submitted is called
// before the trial runs), a spec with one is attached to.
type submittingExecutor struct {
	fakeExecutor
	mu    sync.Mutex
	specs []runtime.Spec
	errs  []error // what Submitted returned
}

func (e *submittingExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	e.mu.Lock()
	e.specs = append(e.specs, spec)
	e.mu.Unlock()
	job := spec.Job
	if job == "" {
		job = fmt.Sprintf("slurm:%d", 100+spec.Number)
		err := spec.Submitted(job)
		e.mu.Lock()
		e.errs = append(e.errs, err)
		e.mu.Unlock()
		if err != nil {
			return runtime.Result{Outcome: runtime.Failed, Error: err.Error(), Job: job}
		}
	}
	res := e.fakeExecutor.Run(ctx, spec)
	res.Job = job
	return res
}

// TestSubmittedRecordsJob: a trial the scheduler accepted is recorded,
// still running, with its job handle, before it ends: three records per
// trial (running, running with the job, the outcome).
func TestSubmittedRecordsJob(t *testing.T) {
	def := testDef(t, 3, 2)
	ex := &submittingExecutor{}
	r, j, p := newRunner(t, def, ex)
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	for _, err := range ex.errs {
		if err != nil {
			t.Errorf("Submitted: %v", err)
		}
	}
	byTrial := map[int][]*state.Trial{}
	for _, c := range j.changes {
		if c.Put != nil {
			byTrial[c.Put.Number] = append(byTrial[c.Put.Number], c.Put)
		}
	}
	for n := range 3 {
		recs := byTrial[n]
		job := fmt.Sprintf("slurm:%d", 100+n)
		if len(recs) != 3 {
			t.Fatalf("trial %d: %d records, want 3", n, len(recs))
		}
		if recs[0].Status != state.Running || recs[0].Job != "" ||
			recs[1].Status != state.Running || recs[1].Job != job || recs[1].Attempts != 1 ||
			recs[2].Status != state.Completed || recs[2].Job != job {
			t.Errorf("trial %d records: %+v, %+v, %+v", n, recs[0], recs[1], recs[2])
		}
	}
}

// TestAttachToRecordedJob: a trial left running on Slurm with its job is
// planned as an attach: the executor gets the job and the same attempt,
// and the trial is recorded once, with its outcome, not as a new attempt.
func TestAttachToRecordedJob(t *testing.T) {
	def := testDef(t, 2, 2)
	def.Searches[0].Trial.Executor = &definition.Executor{Type: "slurm", Name: "c"}
	ex := &submittingExecutor{}
	r, j, p := newRunner(t, def, ex)
	// The first apply "dies" after trial 0 was submitted: keep its
	// running records only.
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	st := state.New()
	for _, c := range j.changes {
		if c.Put != nil && c.Put.Number == 0 && c.Put.Status == state.Completed {
			continue
		}
		if c.Put != nil && c.Put.Number == 1 {
			continue
		}
		if err := st.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	if tr := st.Trial("s", 0); tr.Status != state.Running || tr.Job != "slurm:100" {
		t.Fatalf("trial 0 left %+v", tr)
	}
	p2, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps := p2.Searches[0]; len(ps.ToRetry) != 1 || !ps.ToRetry[0].Attach || ps.ToRetry[0].Attempt != 1 {
		t.Fatalf("plan: retries %+v, new %+v", ps.ToRetry, ps.ToRun)
	}
	ex2 := &submittingExecutor{}
	j2 := &memJournal{}
	r2 := &Runner{Def: def, State: st, Journal: j2, Executor: ex2}
	if _, err := r2.Run(context.Background(), nil, p2); err != nil {
		t.Fatal(err)
	}
	var spec0 *runtime.Spec
	for i, s := range ex2.specs {
		if s.Number == 0 {
			spec0 = &ex2.specs[i]
		}
	}
	if spec0 == nil || spec0.Job != "slurm:100" || spec0.Attempt != 1 {
		t.Fatalf("spec of trial 0: %+v", spec0)
	}
	var recs []*state.Trial
	for _, c := range j2.changes {
		if c.Put != nil && c.Put.Number == 0 {
			recs = append(recs, c.Put)
		}
	}
	if len(recs) != 1 || recs[0].Status != state.Completed || recs[0].Attempts != 1 || recs[0].Job != "slurm:100" {
		t.Errorf("records of trial 0 after attaching: %+v", recs)
	}
}

// TestSubmittedRecordFails: when the job cannot be recorded, Submitted
// says so, and the executor's failure is the trial's outcome.
func TestSubmittedRecordFails(t *testing.T) {
	def := testDef(t, 1, 1)
	ex := &submittingExecutor{}
	r, j, p := newRunner(t, def, ex)
	r.Journal = &failAfter{memJournal: j, n: 2} // settings, running
	_, _ = r.Run(context.Background(), nil, p)
	if len(ex.errs) != 1 || ex.errs[0] == nil {
		t.Fatalf("Submitted errors %v, want one", ex.errs)
	}
}

// failAfter fails every append after the first n.
type failAfter struct {
	*memJournal
	n int
}

func (f *failAfter) Append(ctx context.Context, c state.Change) error {
	f.mu.Lock()
	n := len(f.changes)
	f.mu.Unlock()
	if n >= f.n {
		return fmt.Errorf("disk full")
	}
	return f.memJournal.Append(ctx, c)
}
