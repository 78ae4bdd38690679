package plan

import (
	"math"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// prune records trial number of s as the pruner leaves it: pruned at
// step 4 with value v.
func prune(t *testing.T, st *state.State, s *definition.Search, number int, p space.Point, v float64) {
	t.Helper()
	record(t, st, s, number, p, state.Running, 1, 0)
	tr := st.Trial(s.Name, number).Clone()
	tr.Status, tr.Error = state.Pruned, "pruned at step 4"
	tr.Steps = []state.Step{{Step: 1, Value: 2}, {Step: 4, Value: v}}
	tr.Pruned = &state.Step{Step: 4, Value: v}
	if err := st.Apply(state.Change{Put: tr}); err != nil {
		t.Fatal(err)
	}
}

// TestMakePruned: a pruned trial counts against the budget, is not run
// again, is never the best even with the lowest value, and reaches the
// strategy as a pruned observation with the objective of its last value
// (NaN when the pruner watched another metric). -replace runs it again.
func TestMakePruned(t *testing.T) {
	s := testSearch(t, definition.Random, 5, 1)
	s.Pruner = &definition.Pruner{Kind: definition.PrunerMedian, Metric: "loss"}
	st := state.New()
	first, _ := Make(def(s), st, Options{})
	pts := first.Searches[0].ToRun
	record(t, st, s, 0, pts[0].Point, state.Completed, 1, 0.5)
	prune(t, st, s, 1, pts[1].Point, 0.01)
	p, err := Make(def(s), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Searches[0]
	if ps.Kept != 1 || ps.Pruned != 1 || len(ps.ToRetry) != 0 || len(ps.ToRun) != 3 || ps.ToRun[0].Number != 2 {
		t.Errorf("kept %d, pruned %d, retry %d, to run %+v; want 1, 1, 0 and trials 2-4", ps.Kept, ps.Pruned, len(ps.ToRetry), ps.ToRun)
	}
	if best := Best(s, st.Trials("s")); best == nil || best.Number != 0 {
		t.Errorf("best %+v, want trial 0", best)
	}
	h := Classify(s, st.Trials("s"))
	req := h.Request(s)
	if len(req.Observations) != 2 || !req.Observations[1].Pruned || req.Observations[1].Failed || req.Observations[1].Value != 0.01 {
		t.Errorf("observations %+v; want trial 1 pruned with value 0.01", req.Observations)
	}
	if !h.Matching()[1] {
		t.Error("the pruned trial does not match")
	}
	s.Mode = definition.Max
	if o := Classify(s, st.Trials("s")).Request(s).Observations[1]; o.Value != -0.01 {
		t.Errorf("max mode: pruned value %v, want -0.01", o.Value)
	}
	s.Mode = definition.Min
	s.Pruner.Metric = "acc"
	if o := Classify(s, st.Trials("s")).Request(s).Observations[1]; !math.IsNaN(o.Value) {
		t.Errorf("pruner on another metric: pruned value %v, want NaN", o.Value)
	}
	rp, err := Make(def(s), st, Options{Replace: []state.TrialRef{{Search: "s", Number: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := rp.Searches[0].ToRetry; len(r) != 1 || r[0].Number != 1 || r[0].Attempt != 2 {
		t.Errorf("-replace of the pruned trial: retries %+v", r)
	}
}
