package search

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// TestBayesianRecommend: on a noisy quadratic, the lowest observation is
// a lucky draw far from the minimum, and the recommendation by the
// model's mean is closer to it.
func TestBayesianRecommend(t *testing.T) {
	x, err := space.NewReal("x", -1, 1, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(x)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var obs []Observation
	for i := range 40 {
		u := -1 + 2*float64(i)/39
		obs = append(obs, Observation{Point: space.Point{u}, Value: u*u + 0.05*r.NormFloat64()})
	}
	lucky := 35 // at 0.795: f = 0.63, observed far below every other
	obs[lucky].Value = -0.5
	b := Bayesian{}
	k, err := b.Recommend(Request{Space: sp, Seed: 3, Observations: obs})
	if err != nil {
		t.Fatal(err)
	}
	if got := math.Abs(obs[k].Point[0].(float64)); k == lucky || got > 0.15 {
		t.Errorf("recommended observation %d at %v, want one near 0", k, obs[k].Point)
	}
	again, _ := b.Recommend(Request{Space: sp, Seed: 3, Observations: obs})
	if again != k {
		t.Errorf("recommend is not deterministic: %d then %d", k, again)
	}
}

func TestBayesianRecommendFew(t *testing.T) {
	x, _ := space.NewReal("x", -1, 1, false, 0)
	sp, _ := space.New(x)
	for _, tc := range []struct {
		name string
		obs  []Observation
		want int
	}{
		{"none", nil, -1},
		{"only failed", []Observation{{Point: space.Point{0.1}, Failed: true}}, -1},
		{"the lowest of two", []Observation{{Point: space.Point{0.1}, Value: 2}, {Point: space.Point{0.2}, Value: 1}}, 1},
		{"failed and pruned skipped", []Observation{{Point: space.Point{0.1}, Value: 2}, {Point: space.Point{0.2}, Failed: true}, {Point: space.Point{0.3}, Pruned: true, Value: -5}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Bayesian{}.Recommend(Request{Space: sp, Seed: 1, Observations: tc.obs})
			if err != nil || got != tc.want {
				t.Errorf("Recommend = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}
