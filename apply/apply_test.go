package apply

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// memJournal records changes in memory.
type memJournal struct {
	mu      sync.Mutex
	changes []state.Change
	fail    error
}

func (j *memJournal) Append(_ context.Context, c state.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	j.changes = append(j.changes, c)
	return nil
}

// fakeExecutor runs trials in memory: the loss is the param x, and the
// outcome comes from outcome (default completed).
type fakeExecutor struct {
	running, maxRunning atomic.Int32
	delay               time.Duration
	started             chan int
	outcome             func(spec runtime.Spec) runtime.Outcome
	stderr              func(spec runtime.Spec) []string // the tail of a failure
}

func (f *fakeExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		m := f.maxRunning.Load()
		if n <= m || f.maxRunning.CompareAndSwap(m, n) {
			break
		}
	}
	if f.started != nil {
		f.started <- spec.Number
	}
	res := runtime.Result{Started: time.Now(), Host: "fake"}
	select {
	case <-ctx.Done():
		res.Outcome, res.Error = runtime.Interrupted, "interrupted"
		return res
	case <-time.After(f.delay):
	}
	res.Ended = time.Now()
	res.Outcome = runtime.Completed
	if f.outcome != nil {
		res.Outcome = f.outcome(spec)
	}
	if res.Outcome == runtime.Completed {
		res.Metrics = map[string]float64{"loss": spec.Params["x"].(float64)}
	} else {
		res.Error = "exit status 3"
		res.StderrLog = spec.TrialDir + "/stderr.log"
		if f.stderr != nil {
			res.StderrTail = f.stderr(spec)
		}
	}
	return res
}

func testDef(t *testing.T, trials, parallelism int) *definition.Definition {
	t.Helper()
	x, err := space.NewReal("x", 0, 1, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := space.New(x)
	s := &definition.Search{
		Name: "s", Strategy: definition.Random, Metric: "loss", Mode: definition.Min, Trials: trials, Parallelism: parallelism,
		BaseConfig: map[string]any{"x": 0.5},
		Params:     []definition.Param{{Path: "x", Segments: []string{"x"}, Dim: x}},
		Space:      sp, Trial: definition.Trial{Command: []string{"true"}}, Dir: t.TempDir(), ExperimentRoot: t.TempDir(),
	}
	return &definition.Definition{Searches: []*definition.Search{s}}
}

func newRunner(t *testing.T, def *definition.Definition, ex runtime.Executor) (*Runner, *memJournal, *plan.Plan) {
	t.Helper()
	st := state.New()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j := &memJournal{}
	return &Runner{Def: def, State: st, Journal: j, Executor: ex}, j, p
}

func TestRunRecordsEveryTrialTwice(t *testing.T) {
	def := testDef(t, 8, 3)
	ex := &fakeExecutor{delay: 5 * time.Millisecond}
	r, j, p := newRunner(t, def, ex)
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	if sr.Completed != 8 || sr.Failed != 0 || sr.NotRun != 0 || sr.BestAfter == nil || sr.BestBefore != nil {
		t.Fatalf("result: %+v", sr)
	}
	if m := ex.maxRunning.Load(); m > 3 || m < 2 {
		t.Errorf("max concurrent trials %d, want parallelism 3 (at least 2)", m)
	}
	// The search's settings, then each trial at its start and its end.
	if len(j.changes) != 17 || j.changes[0].Settings == nil {
		t.Fatalf("%d journal records, want the settings and 16 trial records", len(j.changes))
	}
	first := map[int]state.Status{}
	for _, c := range j.changes[1:] {
		if _, ok := first[c.Put.Number]; !ok {
			first[c.Put.Number] = c.Put.Status
		}
	}
	for n, st := range first {
		if st != state.Running {
			t.Errorf("trial %d first recorded as %s, want running", n, st)
		}
	}
	best := plan.Best(def.Searches[0], r.State.Trials("s"))
	if best.Number != sr.BestAfter.Number {
		t.Errorf("best %d, result says %d", best.Number, sr.BestAfter.Number)
	}
}

func TestMaxFailures(t *testing.T) {
	def := testDef(t, 10, 1)
	ex := &fakeExecutor{outcome: func(runtime.Spec) runtime.Outcome { return runtime.Failed }}
	r, _, p := newRunner(t, def, ex)
	r.Options.MaxFailures = 3
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	if sr.Failed != 3 || sr.NotRun != 7 || !sr.HitMaxFailures || sr.StoppedBy == "" {
		t.Fatalf("result: %+v", sr)
	}
}

func TestDrainAndKill(t *testing.T) {
	def := testDef(t, 10, 2)
	ex := &fakeExecutor{delay: time.Hour, started: make(chan int, 10)}
	r, j, p := newRunner(t, def, ex)
	ctx, kill := context.WithCancel(context.Background())
	drain := make(chan struct{})
	done := make(chan *Result)
	go func() {
		res, err := r.Run(ctx, drain, p)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-ex.started
	<-ex.started
	close(drain) // no new trial starts
	kill()       // the running ones stop
	res := <-done
	sr := res.Searches[0]
	if sr.Interrupted != 2 || sr.Completed != 0 || sr.NotRun != 8 {
		t.Fatalf("result: %+v", sr)
	}
	for _, tr := range r.State.Trials("s") {
		if tr.Status != state.Interrupted {
			t.Errorf("trial %d is %s", tr.Number, tr.Status)
		}
	}
	// Two trials, each recorded as it started and as it stopped, and the
	// search's settings, recorded once before the first trial.
	if len(j.changes) != 5 || j.changes[0].Settings == nil || j.changes[0].Settings.Search != "s" {
		t.Errorf("%d journal records, want the settings and 4 trial records", len(j.changes))
	}
	// The next plan retries them.
	next, _ := plan.Make(def, r.State, plan.Options{})
	if len(next.Searches[0].ToRetry) != 2 || len(next.Searches[0].ToRun) != 8 {
		t.Errorf("next plan: %+v", next.Searches[0])
	}
}

func TestSettingsRecordedOnce(t *testing.T) {
	def := testDef(t, 2, 1)
	r, j, p := newRunner(t, def, &fakeExecutor{})
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	settings := 0
	for _, c := range j.changes {
		if c.Settings != nil {
			settings++
		}
	}
	if settings != 1 || r.State.Settings("s") == nil {
		t.Fatalf("%d settings records after the first apply, want 1", settings)
	}
	// An unchanged definition is not recorded again.
	next, _ := plan.Make(def, r.State, plan.Options{})
	if len(next.Searches[0].SettingsChanges) != 0 {
		t.Fatalf("settings changes without an edit: %v", next.Searches[0].SettingsChanges)
	}
	if _, err := r.Run(context.Background(), nil, next); err != nil {
		t.Fatal(err)
	}
	settings = 0
	for _, c := range j.changes {
		if c.Settings != nil {
			settings++
		}
	}
	if settings != 1 {
		t.Errorf("%d settings records after a second apply of the same definition, want 1", settings)
	}
}

func TestAdaptivePointsProposedAtRunTime(t *testing.T) {
	def := testDef(t, 5, 2)
	r, _, p := newRunner(t, def, &fakeExecutor{})
	for i := range p.Searches[0].ToRun {
		p.Searches[0].ToRun[i].Point = nil
	}
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	trials := r.State.Trials("s")
	if len(trials) != 5 {
		t.Fatalf("%d trials", len(trials))
	}
	seen := map[any]bool{}
	for _, tr := range trials {
		if seen[tr.Params["x"]] {
			t.Errorf("duplicate proposal %v", tr.Params["x"])
		}
		seen[tr.Params["x"]] = true
	}
}

func TestJournalFailureStops(t *testing.T) {
	def := testDef(t, 5, 1)
	r, j, p := newRunner(t, def, &fakeExecutor{})
	j.fail = errors.New("disk full")
	_, err := r.Run(context.Background(), nil, p)
	if err == nil || !errors.Is(err, j.fail) {
		t.Fatalf("error %v, want the journal's", err)
	}
}

// failingEnds is a journal that records trial starts and fails on every
// trial's end, as a database that went away while trials ran.
type failingEnds struct{ memJournal }

func (j *failingEnds) Append(ctx context.Context, c state.Change) error {
	if c.Put != nil && c.Put.Status != state.Running {
		return errors.New("server unreachable")
	}
	return j.memJournal.Append(ctx, c)
}

// TestUnrecordedEndsNotReported: an outcome the journal refused is not in
// the result (no best from it) nor in the in-memory state, and the search
// says the state could not be written.
func TestUnrecordedEndsNotReported(t *testing.T) {
	def := testDef(t, 4, 2)
	r, _, p := newRunner(t, def, &fakeExecutor{delay: 5 * time.Millisecond})
	r.Journal = &failingEnds{}
	res, err := r.Run(context.Background(), nil, p)
	if err == nil {
		t.Fatal("Run succeeded with a journal that refuses every outcome")
	}
	if res == nil || len(res.Searches) != 1 {
		t.Fatalf("result %+v", res)
	}
	sr := res.Searches[0]
	if sr.BestAfter != nil || sr.Completed != 0 {
		t.Errorf("best %v, %d completed: an outcome that was never recorded is reported", sr.BestAfter, sr.Completed)
	}
	if sr.StoppedBy != "the state could not be written" {
		t.Errorf("stopped by %q, want the write failure", sr.StoppedBy)
	}
	for _, tr := range r.State.Trials("s") {
		if tr.Status != state.Running {
			t.Errorf("trial %d is %s in memory, but only its start was recorded", tr.Number, tr.Status)
		}
	}
}

// TestAdaptiveExhausted: when proposals run out before the plan does, the
// search says why it stopped instead of claiming an interrupt.
func TestAdaptiveExhausted(t *testing.T) {
	a, _ := space.NewCategorical("a", []space.Value{"x", "y"})
	sp, _ := space.New(a)
	def := testDef(t, 4, 1)
	s := def.Searches[0]
	s.Space, s.BaseConfig = sp, map[string]any{"a": "x"}
	s.Params = []definition.Param{{Path: "a", Segments: []string{"a"}, Dim: a}}
	ex := &fakeExecutor{outcome: func(runtime.Spec) runtime.Outcome { return runtime.Failed }}
	r, _, _ := newRunner(t, def, ex)
	p := &plan.Plan{Searches: []*plan.Search{{Name: "s", ToRun: []plan.Trial{{Number: 0, Attempt: 1}, {Number: 1, Attempt: 1}, {Number: 2, Attempt: 1}, {Number: 3, Attempt: 1}}}}}
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	if sr.Failed != 2 || sr.NotRun != 2 || sr.StoppedBy != "every config of the space has run" {
		t.Fatalf("result: %+v", sr)
	}
}

// recordingObserver keeps every event.
type recordingObserver struct {
	mu     sync.Mutex
	events []Event
}

func (o *recordingObserver) Observe(ev Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, ev)
}

// TestBestBeforeAndNoise: when an edit excluded every earlier trial, the
// result's best before is the best excluded trial with the reason, but
// the apply's progress does not count it as a best to beat; the result
// carries the spread of configs that ran more than once.
func TestBestBeforeAndNoise(t *testing.T) {
	def := testDef(t, 3, 1)
	r, _, p := newRunner(t, def, &fakeExecutor{})
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	// Two more runs of trial 0's config, with other scores.
	first := r.State.Trial("s", 0)
	for i, loss := range []float64{0.1, 0.3} {
		dup := first.Clone()
		dup.Number, dup.Metrics = 10+i, map[string]float64{"loss": first.Metrics["loss"] + loss}
		if err := r.State.Apply(state.Change{Put: dup}); err != nil {
			t.Fatal(err)
		}
	}
	s := def.Searches[0]
	s.Trials = 6
	next, _ := plan.Make(def, r.State, plan.Options{})
	res, err := r.Run(context.Background(), nil, next)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	if sr.BestBeforeExcluded != "" || sr.BestBefore == nil {
		t.Errorf("best before %+v excluded %q; want a matching best", sr.BestBefore, sr.BestBeforeExcluded)
	}
	// Scores x, x+0.1, x+0.3: sample SD of {0, 0.1, 0.3}.
	if sr.Noise.Configs != 1 || sr.Noise.SD < 0.1527 || sr.Noise.SD > 0.1528 {
		t.Errorf("noise %+v; want 1 config with SD 0.15275", sr.Noise)
	}

	// The base config changes: every trial is excluded.
	s.BaseConfig = map[string]any{"x": 0.5, "epochs": int64(3)}
	s.Trials = 2
	earlier := map[int]bool{}
	for _, tr := range r.State.Trials("s") {
		earlier[tr.Number] = true
	}
	next, _ = plan.Make(def, r.State, plan.Options{})
	obs := &recordingObserver{}
	r.Observer = obs
	res, err = r.Run(context.Background(), nil, next)
	if err != nil {
		t.Fatal(err)
	}
	sr = res.Searches[0]
	if sr.BestBefore == nil || sr.BestBeforeExcluded != "base_config.epochs was added (= 3)" {
		t.Fatalf("best before %+v, excluded because %q", sr.BestBefore, sr.BestBeforeExcluded)
	}
	if sr.Noise.Configs != 0 {
		t.Errorf("noise from excluded trials: %+v", sr.Noise)
	}
	for _, ev := range obs.events {
		if ev.Kind == BestChanged && ev.Previous != nil && earlier[ev.Previous.Number] {
			t.Errorf("best changed from excluded trial %d", ev.Previous.Number)
		}
		if ev.Best != nil && earlier[ev.Best.Number] {
			t.Errorf("progress counts excluded trial %d as the best", ev.Best.Number)
		}
	}
	if sr.BestAfter == nil || sr.BestAfter.Number == sr.BestBefore.Number {
		t.Errorf("best after %+v", sr.BestAfter)
	}
}
