package search

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/space"
)

func mixedSpace(t *testing.T) *space.Space {
	t.Helper()
	lr, err := space.NewReal("lr", 1e-5, 1e-1, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := space.NewInteger("bs", 16, 256, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := space.NewCategorical("opt", []space.Value{"adam", "sgd", "rmsprop"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(lr, bs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func finiteSpace(t *testing.T) *space.Space { return discreteSpace(t, 4) }

// discreteSpace is an integer a in [1, high] times a categorical b of 3
// values: 3*high points.
func discreteSpace(t *testing.T, high float64) *space.Space {
	t.Helper()
	a, err := space.NewInteger("a", 1, high, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := space.NewCategorical("b", []space.Value{"x", "y", "z"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func observe(pts []space.Point) []Observation {
	out := make([]Observation, len(pts))
	for i, p := range pts {
		out[i] = Observation{Point: p, Value: float64(i)}
	}
	return out
}

func keys(sp *space.Space, pts []space.Point) map[string]bool {
	m := map[string]bool{}
	for _, p := range pts {
		m[sp.Key(p)] = true
	}
	return m
}

func TestStrategies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		strategy Strategy
		space    func(*testing.T) *space.Space
	}{
		{"random mixed", Random{}, mixedSpace},
		{"random finite", Random{}, finiteSpace},
		{"grid finite", Grid{}, finiteSpace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := tc.space(t)
			req := Request{Space: sp, Seed: 7}
			a, err := tc.strategy.Propose(req, 10)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := tc.strategy.Propose(req, 10)
			if d := cmp.Diff(a, b); d != "" {
				t.Fatalf("not deterministic:\n%s", d)
			}
			if len(keys(sp, a)) != len(a) || len(a) != 10 {
				t.Fatalf("%d points, %d distinct", len(a), len(keys(sp, a)))
			}
			for _, p := range a {
				if !sp.Contains(p) {
					t.Errorf("point %v outside the space", p)
				}
			}
			// Observations and pending points are never proposed again.
			req2 := Request{Space: sp, Seed: 7, Observations: observe(a[:5]), Pending: a[5:]}
			c, _ := tc.strategy.Propose(req2, 2)
			for _, p := range c {
				if keys(sp, a)[sp.Key(p)] {
					t.Errorf("proposed a seen point %v", p)
				}
			}
			// Raising the budget proposes only the difference: the first
			// 10 then 5 more equal the first 15.
			all, _ := tc.strategy.Propose(req, 15)
			more, _ := tc.strategy.Propose(Request{Space: sp, Seed: 7, Observations: observe(a)}, 5)
			if d := cmp.Diff(all, append(append([]space.Point{}, a...), more...)); d != "" {
				t.Errorf("10 + 5 differs from 15:\n%s", d)
			}
		})
	}
}

func TestRandomSeedMatters(t *testing.T) {
	sp := mixedSpace(t)
	a, _ := Random{}.Propose(Request{Space: sp, Seed: 1}, 5)
	b, _ := Random{}.Propose(Request{Space: sp, Seed: 2}, 5)
	if cmp.Equal(a, b) {
		t.Error("different seeds gave the same points")
	}
}

func TestExhaustion(t *testing.T) {
	sp := finiteSpace(t) // 12 points
	for _, s := range []Strategy{Random{}, Grid{}} {
		got, err := s.Propose(Request{Space: sp, Seed: 3}, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 12 || len(keys(sp, got)) != 12 || !Exhausted(got, 20) {
			t.Errorf("%T: %d points (%d distinct), want all 12", s, len(got), len(keys(sp, got)))
		}
		none, _ := s.Propose(Request{Space: sp, Seed: 3, Observations: observe(got)}, 1)
		if len(none) != 0 {
			t.Errorf("%T: proposed %v from an exhausted space", s, none)
		}
		// With 11 seen, the last one is found (the fallback enumeration).
		last, _ := s.Propose(Request{Space: sp, Seed: 3, Observations: observe(got[:11])}, 5)
		if len(last) != 1 || sp.Key(last[0]) != sp.Key(got[11]) {
			t.Errorf("%T: last point %v, want %v", s, last, got[11])
		}
	}
}

func TestGridOrder(t *testing.T) {
	sp := finiteSpace(t)
	got, _ := Grid{}.Propose(Request{Space: sp}, 4)
	want := []space.Point{{int64(1), "x"}, {int64(1), "y"}, {int64(1), "z"}, {int64(2), "x"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestNegativeN(t *testing.T) {
	if _, err := (Random{}).Propose(Request{Space: finiteSpace(t)}, -1); err == nil {
		t.Error("negative n accepted")
	}
}
