package search

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/space"
)

func values(vs ...float64) []Observation {
	out := make([]Observation, len(vs))
	for i, v := range vs {
		out[i] = Observation{Value: v}
	}
	return out
}

func TestStalledFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		obs  []Observation
		want int
	}{
		{"none", nil, 0},
		{"too few", values(3, 2), 0},
		{"improving to the last", values(5, 4, 3, 2, 1), 0},
		{"best first", values(1, 5, 4, 3, 2), 4},
		{"best in the middle", values(5, 4, 1, 3, 2, 6), 3},
		// The spread is median 5 - best 0 = 5: an improvement of less
		// than 0.05 is not progress.
		{"tiny improvements", values(9, 5, 5, 0, 6, -0.01, 7, -0.04), 4},
		{"a significant one", values(9, 5, 5, 0, 6, -0.01, 7, -0.08), 0},
		{"failed, pruned and non-finite skipped", []Observation{{Value: 5}, {Value: 4}, {Value: 1}, {Failed: true}, {Pruned: true, Value: 0}, {Value: math.NaN()}, {Value: math.Inf(-1)}, {Value: 3}}, 1},
		{"ties", values(2, 1, 1, 1), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := stalledFor(tc.obs); got != tc.want {
				t.Errorf("stalledFor = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestExplores(t *testing.T) {
	b := Bayesian{ExploreEvery: 3, ExploreKappa: 3, StallTrials: 10}
	for _, tc := range []struct {
		b            Bayesian
		idx, stalled int
		want         bool
	}{
		{b, 2, 10, true},
		{b, 5, 30, true},
		{b, 3, 10, false},
		{b, 4, 10, false},
		{b, 2, 9, false},
		{Bayesian{ExploreEvery: 0, StallTrials: 1}, 2, 100, false},
		{Bayesian{ExploreEvery: 1, StallTrials: 0}, 0, 1, true}, // a StallTrials of 0 counts as 1
		{Bayesian{ExploreEvery: 1, StallTrials: 0}, 0, 0, false},
	} {
		if got := tc.b.explores(tc.idx, tc.stalled); got != tc.want {
			t.Errorf("%+v.explores(%d, %d) = %v, want %v", tc.b, tc.idx, tc.stalled, got, tc.want)
		}
	}
}

// stalledRequest returns observations of a 2-D quadratic whose best is
// the first model-proposed point, after which nothing improves.
func stalledRequest(t *testing.T) Request {
	t.Helper()
	x, err := space.NewReal("x", 0, 1, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	y, err := space.NewReal("y", 0, 1, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(x, y)
	if err != nil {
		t.Fatal(err)
	}
	var obs []Observation
	for i := range 24 {
		u := float64(i) / 24
		p := space.Point{u, math.Mod(u*7, 1)}
		v := (u-0.3)*(u-0.3) + 10
		if i == 3 {
			v = 0 // the best, long ago
		}
		obs = append(obs, Observation{Point: p, Value: v})
	}
	return Request{Space: sp, Seed: 1, Observations: obs}
}

func TestBayesianExploresOnSchedule(t *testing.T) {
	req := stalledRequest(t)
	if s := stalledFor(req.Observations); s != 20 {
		t.Fatalf("stalledFor = %d, want 20", s)
	}
	on := Bayesian{InitialPoints: 5, ExploreEvery: 3, ExploreKappa: 3, StallTrials: 10}
	off := on
	off.ExploreEvery = 0
	// 24 observations: proposals of trials 24, 25 and 26; the third (26 % 3
	// == 2) explores.
	a, err := on.Propose(req, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := off.Propose(req, 3)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a[:2], b[:2]); d != "" {
		t.Errorf("proposals off the schedule differ with exploration on:\n%s", d)
	}
	if cmp.Equal(a[2], b[2]) {
		t.Errorf("the exploring proposal %v is the acquisition's", a[2])
	}
	again, _ := on.Propose(req, 3)
	if d := cmp.Diff(a, again); d != "" {
		t.Errorf("same request, different proposals:\n%s", d)
	}
	// Not stalled for long enough: nothing changes.
	on.StallTrials = 21
	c, _ := on.Propose(req, 3)
	if d := cmp.Diff(b, c); d != "" {
		t.Errorf("exploring before the stall:\n%s", d)
	}
}
