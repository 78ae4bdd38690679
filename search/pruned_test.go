package search

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frameworm/frameworm/space"
)

// TestModelDataPruned checks what reaches the model for each option of
// Bayesian.PrunedTrials: which points, at which transformed values, and
// the incumbent.
func TestModelDataPruned(t *testing.T) {
	x, _ := space.NewReal("x", 0, 10, false, 0)
	sp, err := space.New(x)
	if err != nil {
		t.Fatal(err)
	}
	pt := func(v float64) space.Point { return space.Point{v} }
	completed := func(at, v float64) Observation { return Observation{Point: pt(at), Value: v} }
	pruned := func(at, v float64) Observation { return Observation{Point: pt(at), Value: v, Pruned: true} }
	nan := math.NaN()
	mixed := []Observation{
		completed(1, 1), completed(2, 3), completed(3, 2),
		pruned(4, 5),   // worse than every completed trial
		pruned(5, 0.5), // better than the best completed one at the step it was pruned
		pruned(6, nan), // the pruner watched another metric
		{Point: pt(7), Failed: true},
		completed(8, math.Inf(1)), // a completed trial without a finite value
	}
	// The transformed values, computed the way modelData must.
	tCompleted := transformObjective([]float64{1, 3, 2})
	tWithPruned := transformObjective([]float64{1, 3, 2, 5, 0.5})
	tPrunedOnly := transformObjective([]float64{5, 0.5})
	type point struct{ At, Y float64 }
	cases := []struct {
		name string
		mode string
		obs  []Observation
		want []point
		best float64
	}{
		{"value", PrunedValue, mixed, []point{
			{1, tWithPruned[0]}, {2, tWithPruned[1]}, {3, tWithPruned[2]}, {4, tWithPruned[3]}, {5, tWithPruned[4]},
			{6, tWithPruned[1]}, // no value: imputed at the worst completed one
		}, tWithPruned[0]}, // the incumbent is the best completed trial, not trial 5
		{"worst", PrunedWorst, mixed, []point{
			{1, tCompleted[0]}, {2, tCompleted[1]}, {3, tCompleted[2]},
			{4, tCompleted[1]}, {5, tCompleted[1]}, {6, tCompleted[1]},
		}, tCompleted[0]},
		{"default is value", "", mixed, []point{
			{1, tWithPruned[0]}, {2, tWithPruned[1]}, {3, tWithPruned[2]}, {4, tWithPruned[3]}, {5, tWithPruned[4]},
			{6, tWithPruned[1]},
		}, tWithPruned[0]},
		{"exclude", PrunedExclude, mixed, []point{
			{1, tCompleted[0]}, {2, tCompleted[1]}, {3, tCompleted[2]},
		}, tCompleted[0]},
		{"worst without a completed trial: own values", PrunedWorst, []Observation{pruned(4, 5), pruned(5, 0.5), pruned(6, nan)},
			[]point{{4, tPrunedOnly[0]}, {5, tPrunedOnly[1]}}, tPrunedOnly[1]},
		{"value without a completed trial", PrunedValue, []Observation{pruned(4, 5), pruned(5, 0.5), pruned(6, nan)},
			[]point{{4, tPrunedOnly[0]}, {5, tPrunedOnly[1]}, {6, tPrunedOnly[0]}}, tPrunedOnly[1]},
		{"exclude without a completed trial", PrunedExclude, []Observation{pruned(4, 5)}, nil, 0},
		{"nothing", PrunedValue, []Observation{pruned(6, nan)}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			X, ys, best := Bayesian{PrunedTrials: c.mode}.modelData(sp, c.obs)
			if len(X) != len(ys) {
				t.Fatalf("%d points, %d values", len(X), len(ys))
			}
			var got []point
			for i := range X {
				got = append(got, point{sp.Decode(X[i])[0].(float64), ys[i]})
			}
			if d := cmp.Diff(c.want, got, cmpopts.EquateApprox(0, 1e-9)); d != "" {
				t.Errorf("model data (-want +got):\n%s", d)
			}
			if math.Abs(best-c.best) > 1e-9 {
				t.Errorf("best %g, want %g", best, c.best)
			}
		})
	}
}

// TestBayesianPrunedOptions runs a proposal with pruned trials under each
// option: deterministic, never a pruned point, and the options differ
// (they change what the model sees).
func TestBayesianPrunedOptions(t *testing.T) {
	sp := mixedSpace(t)
	init, err := Bayesian{InitialPoints: 12}.Propose(Request{Space: sp, Seed: 5}, 12)
	if err != nil {
		t.Fatal(err)
	}
	obs := observeAll(init)
	// Every third trial is pruned, at a value better than its final one.
	for i := 0; i < len(obs); i += 3 {
		obs[i].Pruned, obs[i].Value = true, obs[i].Value/3
	}
	got := map[string][]space.Point{}
	for _, mode := range []string{PrunedValue, PrunedWorst, PrunedExclude} {
		b := Bayesian{InitialPoints: 12, PrunedTrials: mode}
		req := Request{Space: sp, Seed: 5, Observations: obs}
		a, err := b.Propose(req, 3)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := b.Propose(req, 3)
		if d := cmp.Diff(a, again); d != "" {
			t.Errorf("%s: same request, different proposals:\n%s", mode, d)
		}
		taken := keys(sp, init)
		for _, p := range a {
			if taken[sp.Key(p)] {
				t.Errorf("%s: proposed observed point %v", mode, p)
			}
		}
		got[mode] = a
	}
	if cmp.Equal(got[PrunedValue], got[PrunedWorst]) || cmp.Equal(got[PrunedWorst], got[PrunedExclude]) {
		t.Errorf("the options propose the same points: %v", got)
	}
}
