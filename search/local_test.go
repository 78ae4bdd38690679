package search

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/search/testfunc"
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

// The local search reads the exact model up to exactAscentUpTo
// observations, a local view of ascentNeighbors above.
func TestAscentModel(t *testing.T) {
	m, err := gp.New([][]float64{{0.1}, {0.9}}, []float64{0, 1}, gp.Hyper{Amplitude: 1, LengthScales: []float64{0.2}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		nObs      int
		wantLocal bool
	}{{localAbove + 1, false}, {exactAscentUpTo, false}, {exactAscentUpTo + 1, true}} {
		switch p := ascentModel(m, tc.nObs).(type) {
		case *gp.Local:
			if !tc.wantLocal || p.Model() != m {
				t.Errorf("%d observations: a local view (of the model: %v)", tc.nObs, p.Model() == m)
			}
		case *gp.Model:
			if tc.wantLocal || p != m {
				t.Errorf("%d observations: the exact model (the same: %v)", tc.nObs, p == m)
			}
		default:
			t.Errorf("%d observations: %T", tc.nObs, p)
		}
	}
}

// Above localAbove observations, batch proposals with pending points are
// still a function of the request, whatever GOMAXPROCS is and whether the
// hyperparameters were fitted or come from the memo.
func TestBayesianDeterministicManyObservations(t *testing.T) {
	if testing.Short() {
		t.Skip("proposes at 320 observations")
	}
	sp := mixedSpace(t)
	pts, err := Random{}.Propose(Request{Space: sp, Seed: 2}, localAbove+27)
	if err != nil {
		t.Fatal(err)
	}
	// 323 observations: the hyperparameters are those of the first 320
	// (fitPrefix), fitted afresh or taken from the memo.
	req := Request{Space: sp, Seed: 5, Observations: observeAll(pts[:localAbove+23]), Pending: pts[localAbove+23:]}
	if k := fitPrefix(len(req.Observations)); k == len(req.Observations) {
		t.Fatalf("fitPrefix(%d) = %d: the test no longer covers the prefix's fit", k, k)
	}
	// With exploration: one of the three proposals explores.
	b := Bayesian{InitialPoints: 10, Acquisition: "ei", ExploreEvery: 3, ExploreKappa: 3, StallTrials: 10}
	if s := stalledFor(req.Observations); s < 10 {
		t.Fatalf("stalled for %d observations, want at least 10", s)
	}
	var runs [][]space.Point
	for i, procs := range []int{2, 1, 2, 1} {
		if i < 2 {
			fitMemo.reset() // cold, then from the memo
		}
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

// Above localAbove observations, with most of them clustered around the
// minima (as late in a run), the proposal is about as good under the exact
// model as the proposal of a search on the exact model: the local variance
// only screens candidates, it does not pick the point (it overestimates
// the variance just outside clusters, which drew the search there).
func TestLocalProposalRefines(t *testing.T) {
	if testing.Short() {
		t.Skip("proposes at 320 observations")
	}
	f := testfunc.Branin()
	var dims []space.Dimension
	for _, d := range f.Dims {
		dim, err := space.NewReal(d.Name, d.Low, d.High, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		dims = append(dims, dim)
	}
	sp, err := space.New(dims...)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := newEncoder(sp, "")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var obs []Observation
	add := func(x []float64) {
		p := sp.Decode(x)
		obs = append(obs, Observation{Point: p, Value: f.Eval([]any(p))})
	}
	for range 80 {
		add([]float64{rng.Float64(), rng.Float64()})
	}
	for i := range localAbove + 20 - 80 {
		m := f.Minimizers[i%len(f.Minimizers)]
		c := enc.encode(space.Point{m[0], m[1]})
		s := []float64{0.05, 0.01, 0.002}[i%3]
		add([]float64{min(max(c[0]+s*rng.NormFloat64(), 0), 1), min(max(c[1]+s*rng.NormFloat64(), 0), 1)})
	}
	b := Bayesian{InitialPoints: 10, Acquisition: "ei"}
	X, ys, best := b.modelData(sp, obs)
	model, err := gp.Fit(X, ys, gp.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	acq := b.acquisition(best)
	exact := scorer{model: model, acq: acq, enc: enc}
	done := seen(Request{Space: sp, Observations: obs})
	for salt := range 3 {
		pe := b.maximize(model, scorer{model: model, acq: acq, enc: enc}, done, X, ys, rand.New(rand.NewPCG(1, uint64(salt))), salt)
		pl := b.maximize(model, scorer{model: acquisitionModel(model, len(X)), acq: acq, enc: enc}, done, X, ys, rand.New(rand.NewPCG(1, uint64(salt))), salt)
		ve, vl := exact.value(enc.encode(pe)), exact.value(enc.encode(pl))
		t.Logf("salt %d: exact log EI of the proposal %.3f, of the exact search's %.3f", salt, vl, ve)
		if vl < ve-0.25 { // without the rescoring: -5.899 against -5.193
			t.Errorf("salt %d: the proposal %v has an exact log EI of %.3f, the exact search's %v %.3f", salt, pl, vl, pe, ve)
		}
	}
}

// rescore keeps the best overall, the best perturbations even when the
// space-filling candidates outscore them all, and the best space-filling
// ones, valued by the exact model, the space-filling ones first.
func TestRescore(t *testing.T) {
	d, err := space.NewReal("x", 0, 1, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(d)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := newEncoder(sp, "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := gp.New([][]float64{{0.2}, {0.7}}, []float64{-1, 1}, gp.Hyper{Amplitude: 1, LengthScales: []float64{0.2}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	acq := logEI(-1, 0)
	const nGlobal, nPert = 100, 100
	var cands []candidate
	for i := range nGlobal + nPert {
		v := float64(i) // perturbations below every space-filling one ...
		if i < nGlobal {
			v += 1000
		}
		cands = append(cands, candidate{space.Point{float64(i) / (nGlobal + nPert)}, v})
	}
	out, nG := rescore(m, scorer{model: m, acq: acq, enc: enc}, cands, nGlobal)
	// ... so the best overall are space-filling: rescoreBest of them, and
	// rescoreBest perturbations.
	if nG != rescoreBest || len(out) != 2*rescoreBest {
		t.Fatalf("%d rescored, %d space-filling; want %d, %d", len(out), nG, 2*rescoreBest, rescoreBest)
	}
	sc := scorer{model: m, acq: acq, enc: enc}
	for i, c := range out {
		x := math.Round(c.p[0].(float64) * (nGlobal + nPert))
		global := x < nGlobal
		if global != (i < nG) {
			t.Errorf("rescored %d (candidate %v): space-filling %v, at %d of %d space-filling", i, x, global, i, nG)
		}
		if want := float64(nGlobal - rescoreBest); global && x < want || !global && x < nGlobal+nPert-rescoreBest {
			t.Errorf("candidate %v rescored, not among the best", x)
		}
		if want := sc.values([][]float64{enc.encode(c.p)})[0]; c.value != want {
			t.Errorf("candidate %v: value %v, exact %v", x, c.value, want)
		}
	}
}
