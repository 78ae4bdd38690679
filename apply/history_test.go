package apply

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// seedTrials records trials of s in st: completed ones with loss x (the
// best, trial 2, is replaced below), a failed one and an interrupted one.
func seedTrials(t *testing.T, st *state.State, s *definition.Search) {
	t.Helper()
	for n, x := range []float64{0.7, 0.4, 0.1, 0.9, 0.3, 0.5} {
		p := space.Point{x}
		cfg, err := s.Resolve(p)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := definition.Hash(cfg)
		tr := &state.Trial{Search: s.Name, Number: n, Params: s.ParamMap(p), Config: cfg, ConfigHash: h,
			Status: state.Completed, Attempts: 1, Metrics: map[string]float64{"loss": x}}
		switch n {
		case 3:
			tr.Status, tr.Metrics, tr.Error, tr.Attempts = state.Failed, nil, "exit status 3", plan.MaxAttempts
		case 5:
			tr.Status, tr.Metrics = state.Interrupted, nil
		}
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunReusesPlanHistory: an apply of a plan made from its state (which
// reuses the plan's classification and brings it up to date with the
// trials it runs) reports what an apply of the same plan read from a file
// (which classifies the trials itself) reports: the best before, even
// when it is replaced, the best after, the noise and the counts.
func TestRunReusesPlanHistory(t *testing.T) {
	def := testDef(t, 9, 1)
	s := def.Searches[0]
	st := state.New()
	seedTrials(t, st, s)
	opts := plan.Options{Replace: []state.TrialRef{{Search: "s", Number: 2}}, RetryFailed: true}
	made, err := plan.Make(def, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := made.Searches[0].History(st); !ok {
		t.Fatal("the plan has no history for its state")
	}
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := plan.WriteFile(path, made, def); err != nil {
		t.Fatal(err)
	}
	saved, err := plan.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := st.DeepCopy()
	bound, err := saved.Bind(def, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := bound.Searches[0].History(other); ok {
		t.Fatal("a plan read from a file has a history")
	}
	// The fake executor scores a trial by its param x.
	ex := &fakeExecutor{}
	run := func(st *state.State, p *plan.Plan) *SearchResult {
		r := &Runner{Def: def, State: st, Journal: &memJournal{}, Executor: ex}
		res, err := r.Run(context.Background(), nil, p)
		if err != nil {
			t.Fatal(err)
		}
		return res.Searches[0]
	}
	got, want := run(st, made), run(other, bound)
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(state.Trial{}, "Started", "Ended", "Dir")); d != "" {
		t.Errorf("apply of the plan made here differs from the plan read back (-file +made):\n%s", d)
	}
	if got.BestBefore == nil || got.BestBefore.Number != 2 {
		t.Errorf("best before %v, want trial 2 (replaced by this apply)", got.BestBefore)
	}
	h := plan.Classify(s, st.Trials("s"))
	if b := h.Best(s); got.BestAfter == nil || b == nil || got.BestAfter.Number != b.Number {
		t.Errorf("best after %v, want %v", got.BestAfter, b)
	}
	if got.Noise != h.Noise(s) {
		t.Errorf("noise %+v, want %+v", got.Noise, h.Noise(s))
	}
}

// journalOf records the changes of an apply in order.
type journalOf struct{ changes []state.Change }

func (j *journalOf) Append(_ context.Context, c state.Change) error {
	j.changes = append(j.changes, c)
	return nil
}

// TestAdaptiveProposalsFromUpToDateHistory: each trial an adaptive
// strategy proposes during an apply is what it proposes from the whole
// state at that moment, classified from scratch.
func TestAdaptiveProposalsFromUpToDateHistory(t *testing.T) {
	def := testDef(t, 10, 1)
	s := def.Searches[0]
	s.Strategy = definition.Bayesian
	s.Bayesian = &definition.BayesianOptions{InitialPoints: 4, Acquisition: "ei", Xi: 0.01, Kappa: 2}
	s.Seed = 5
	st := state.New()
	seedTrials(t, st, s)
	start := st.DeepCopy()
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j := &journalOf{}
	r := &Runner{Def: def, State: st, Journal: j, Executor: &fakeExecutor{outcome: func(spec runtime.Spec) runtime.Outcome {
		if spec.Number == 7 {
			return runtime.Failed
		}
		return runtime.Completed
	}}}
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	strategy, err := plan.StrategyFor(s)
	if err != nil {
		t.Fatal(err)
	}
	planned := map[int]bool{}
	for _, pt := range append(p.Searches[0].ToRetry, p.Searches[0].ToRun...) {
		planned[pt.Number] = pt.Point != nil
	}
	proposals := 0
	for _, c := range j.changes {
		if tr := c.Put; tr != nil && tr.Status == state.Running && !planned[tr.Number] {
			req := plan.Classify(s, start.Trials("s")).Request(s)
			want, err := strategy.Propose(req, 1)
			if err != nil || len(want) != 1 {
				t.Fatalf("trial %d: %v %v", tr.Number, want, err)
			}
			if got := tr.Params["x"]; got != want[0][0] {
				t.Errorf("trial %d: proposed x = %v, from the whole state %v", tr.Number, got, want[0][0])
			}
			proposals++
		}
		if err := start.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	if proposals < 3 {
		t.Fatalf("only %d trials were proposed during the apply", proposals)
	}
}
