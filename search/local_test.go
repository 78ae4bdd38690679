package search

import (
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/space"
)

// Above localAbove observations the acquisition reads the cheaper local
// model; up to it, the exact one (the pinned proposals depend on it).
func TestAcquisitionModel(t *testing.T) {
	X := make([][]float64, 0, localAbove+1)
	y := make([]float64, 0, localAbove+1)
	for i := range localAbove + 1 {
		u := float64(i) / localAbove
		X, y = append(X, []float64{u}), append(y, u*u-0.3)
	}
	for _, tc := range []struct {
		n         int
		wantLocal bool
	}{{2, false}, {localAbove, false}, {localAbove + 1, true}} {
		m, err := gp.New(X[:tc.n], y[:tc.n], gp.Hyper{Amplitude: 1, LengthScales: []float64{0.2}, Noise: 1e-4})
		if err != nil {
			t.Fatal(err)
		}
		switch p := acquisitionModel(m, tc.n).(type) {
		case *gp.Local:
			if !tc.wantLocal || p.Model() != m {
				t.Errorf("%d observations: a local view (of the model: %v)", tc.n, p.Model() == m)
			}
		case *gp.Model:
			if tc.wantLocal || p != m {
				t.Errorf("%d observations: the exact model (the same: %v)", tc.n, p == m)
			}
		default:
			t.Errorf("%d observations: %T", tc.n, p)
		}
	}
}

// Above localAbove observations, batch proposals with pending points are
// still a function of the request, whatever GOMAXPROCS is.
func TestBayesianDeterministicManyObservations(t *testing.T) {
	if testing.Short() {
		t.Skip("proposes at 320 observations")
	}
	sp := mixedSpace(t)
	pts, err := Random{}.Propose(Request{Space: sp, Seed: 2}, localAbove+24)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Space: sp, Seed: 5, Observations: observeAll(pts[:localAbove+20]), Pending: pts[localAbove+20:]}
	b := Bayesian{InitialPoints: 10, Acquisition: "ei"}
	var runs [][]space.Point
	for _, procs := range []int{2, 1, 2} {
		old := runtime.GOMAXPROCS(procs)
		got, err := b.Propose(req, 3)
		runtime.GOMAXPROCS(old)
		if err != nil || len(got) != 3 {
			t.Fatalf("GOMAXPROCS=%d: %v %v", procs, got, err)
		}
		seen := keys(sp, pts)
		for _, p := range got {
			if seen[sp.Key(p)] {
				t.Errorf("proposal %v was observed or pending", p)
			}
			seen[sp.Key(p)] = true
		}
		runs = append(runs, got)
	}
	for i := 1; i < len(runs); i++ {
		if d := cmp.Diff(runs[0], runs[i]); d != "" {
			t.Errorf("run %d differs:\n%s", i, d)
		}
	}
}
