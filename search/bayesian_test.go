package search

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/space"
)

func smallDiscrete(t *testing.T) *space.Space { return discreteSpace(t, 5) }

// objective is a smooth function of the mixed space's points.
func objective(p space.Point) float64 {
	v := 0.0
	for _, x := range p {
		switch x := x.(type) {
		case float64:
			v += math.Pow(math.Log10(x)+3, 2)
		case int64:
			v += math.Pow(float64(x)-3, 2)
		case string:
			v += map[string]float64{"x": 0, "y": 0.5, "z": 1, "adam": 0, "sgd": 0.3, "rmsprop": 0.6}[x]
		}
	}
	return v
}

func observeAll(pts []space.Point) []Observation {
	out := make([]Observation, len(pts))
	for i, p := range pts {
		out[i] = Observation{Point: p, Value: objective(p)}
	}
	return out
}

func TestBayesianDeterministic(t *testing.T) {
	sp := mixedSpace(t)
	b := Bayesian{InitialPoints: 5, Acquisition: "ei"}
	init, err := b.Propose(Request{Space: sp, Seed: 4}, 8)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Space: sp, Seed: 4, Observations: observeAll(init[:6]), Pending: init[6:]}
	a, err := b.Propose(req, 3)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := b.Propose(req, 3)
	if d := cmp.Diff(a, c); d != "" {
		t.Errorf("same request, different proposals:\n%s", d)
	}
	for _, p := range a {
		if !sp.Contains(p) {
			t.Errorf("proposal %v outside the space", p)
		}
	}
}

func TestBayesianInitialDesign(t *testing.T) {
	sp := mixedSpace(t)
	b := Bayesian{InitialPoints: 6}
	known, err := b.Initial(Request{Space: sp, Seed: 2}, 10)
	if err != nil || len(known) != 6 {
		t.Fatalf("Initial: %d points, %v", len(known), err)
	}
	got, _ := b.Propose(Request{Space: sp, Seed: 2}, 6)
	if d := cmp.Diff(known, got); d != "" {
		t.Errorf("Propose does not start with the design Initial shows:\n%s", d)
	}
	// After 4 design points ran, the plan knows the 2 left.
	rest, _ := b.Initial(Request{Space: sp, Seed: 2, Observations: observeAll(known[:4])}, 10)
	if d := cmp.Diff(known[4:], rest); d != "" {
		t.Errorf("remaining design:\n%s", d)
	}
}

// TestBayesianNoDuplicates exhausts a 15-point integer x categorical
// space, one at a time and in batches: every point exactly once, then
// nothing.
func TestBayesianNoDuplicates(t *testing.T) {
	for _, batch := range []int{1, 2, 4} {
		sp := smallDiscrete(t)
		b := Bayesian{InitialPoints: 3, Acquisition: "ei"}
		var obs []Observation
		seen := map[string]bool{}
		for len(obs) < 15 {
			pts, err := b.Propose(Request{Space: sp, Seed: 1, Observations: obs}, batch)
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) == 0 {
				t.Fatalf("batch %d: no proposal with %d of 15 points seen", batch, len(obs))
			}
			for _, p := range pts {
				if seen[sp.Key(p)] {
					t.Fatalf("batch %d: %v proposed twice", batch, p)
				}
				seen[sp.Key(p)] = true
			}
			obs = append(obs, observeAll(pts)...)
		}
		if more, _ := b.Propose(Request{Space: sp, Seed: 1, Observations: obs}, 1); len(more) != 0 {
			t.Errorf("batch %d: proposed %v from an exhausted space", batch, more)
		}
	}
}

// TestBayesianAvoidsFailedAndPending checks that failed and pending
// points are never proposed, and parallel workers do not get near-copies.
func TestBayesianAvoidsFailedAndPending(t *testing.T) {
	sp := smallDiscrete(t)
	b := Bayesian{InitialPoints: 2}
	pts, _ := Random{}.Propose(Request{Space: sp, Seed: 9}, 10)
	obs := observeAll(pts[:6])
	obs[2].Failed = true
	got, err := b.Propose(Request{Space: sp, Seed: 9, Observations: obs, Pending: pts[6:]}, 5)
	if err != nil {
		t.Fatal(err)
	}
	taken := keys(sp, pts)
	for _, p := range got {
		if taken[sp.Key(p)] {
			t.Errorf("proposed taken point %v", p)
		}
	}
	if len(got) != 5 {
		t.Errorf("%d proposals, want the 5 untaken points", len(got))
	}
}

func TestBayesianParallelSpread(t *testing.T) {
	lr, _ := space.NewReal("lr", 1e-5, 1e-1, true, 0)
	sp, _ := space.New(lr)
	b := Bayesian{InitialPoints: 4}
	init, _ := b.Propose(Request{Space: sp, Seed: 3}, 4)
	got, err := b.Propose(Request{Space: sp, Seed: 3, Observations: observeAll(init)}, 3)
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %v", got, err)
	}
	for i := range got {
		for j := range i {
			d := math.Abs(math.Log10(got[i][0].(float64)) - math.Log10(got[j][0].(float64)))
			if d < 1e-3 {
				t.Errorf("batch points %v and %v are nearly the same", got[i], got[j])
			}
		}
	}
}

// TestBelieveIncumbent: a pending point's fantasy sits at the model's
// mean, where the variance falls (to the model's noise), and it lowers
// the incumbent when the mean is below it, never raises it.
func TestBelieveIncumbent(t *testing.T) {
	X := [][]float64{{0}, {0.3}, {0.6}, {0.8}}
	ys := []float64{2, 1, 0.5, 0.3}
	model, err := gp.Fit(X, ys, gp.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.45}
	mean, variance := model.Predict(x)
	if variance <= 1e-6 {
		t.Fatalf("variance %g at an unobserved point", variance)
	}
	for _, tt := range []struct {
		name       string
		best, want float64
	}{
		{"below the incumbent", mean + 1, mean},
		{"above the incumbent", mean - 1, mean - 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, best := believe(model, tt.best, x)
			if best != tt.want {
				t.Errorf("incumbent %g, want %g (the believed value %g, incumbent before %g)", best, tt.want, mean, tt.best)
			}
			if mu, v := m.Predict(x); math.Abs(mu-mean) > 1e-6 || v > variance/2 {
				t.Errorf("after the fantasy: mean %g variance %g at it, want %g and less than half of %g", mu, v, mean, variance)
			}
			if _, v := model.Predict(x); v != variance {
				t.Error("believe changed the model it was given")
			}
		})
	}
}
