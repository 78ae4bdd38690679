package gp

import (
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"
)

// A smooth 2-D function of x0 only: the fit finds a short length scale for
// x0, a long one for x1, near-zero noise, and interpolates held-out points.
func TestFitRecovers(t *testing.T) {
	rng := newRand(12)
	f := func(x []float64) float64 { return math.Sin(6*x[0]) + 0.5*x[0] }
	X := randX(rng, 40, 2)
	raw := make([]float64, len(X))
	for i, x := range X {
		raw[i] = f(x)
	}
	y := standardize(raw)
	m, err := Fit(X, y, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Hyper()
	t.Logf("hyper %+v, log posterior %v", h, m.LogPosterior())
	if m.FitFailed() {
		t.Fatal("fit failed")
	}
	if !(h.LengthScales[1] > 4*h.LengthScales[0]) {
		t.Errorf("length scales %v: want the irrelevant x1 much longer than x0", h.LengthScales)
	}
	if h.LengthScales[0] < 0.05 || h.LengthScales[0] > 1 {
		t.Errorf("length scale of x0 %v, want about 0.1-0.5", h.LengthScales[0])
	}
	if h.Noise > 1e-4 {
		t.Errorf("noise %v on noiseless data", h.Noise)
	}
	// Held-out RMSE, in standardized units.
	mean, sd := 0.0, 0.0
	for _, v := range raw {
		mean += v
	}
	mean /= float64(len(raw))
	for _, v := range raw {
		sd += (v - mean) * (v - mean)
	}
	sd = math.Sqrt(sd / float64(len(raw)))
	Q := randX(rng, 200, 2)
	se := 0.0
	for _, q := range Q {
		pm, _ := m.Predict(q)
		e := pm - (f(q)-mean)/sd
		se += e * e
	}
	if rmse := math.Sqrt(se / float64(len(Q))); rmse > 0.05 {
		t.Errorf("held-out RMSE %v", rmse)
	}
	// The fit is a local maximum at least as good as the default start.
	if d := defaultHyper(2); m.LogPosterior() < -NegLogPosterior(X, y, thetaOf(d, true), nil) {
		t.Error("fit worse than the default start")
	}
}

func TestFitNoisy(t *testing.T) {
	rng := newRand(13)
	X := randX(rng, 60, 2)
	y := make([]float64, len(X))
	for i, x := range X {
		y[i] = math.Sin(4*x[0]) + math.Cos(3*x[1]) + 0.3*rng.NormFloat64()
	}
	// Noise sd 0.3 on a signal of sd about 0.7: noise variance ~0.16 of
	// ~0.65 total, so ~0.25 in standardized units.
	m, err := Fit(X, standardize(y), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Hyper()
	t.Logf("hyper %+v", h)
	if h.Noise < 0.05 || h.Noise > 0.6 {
		t.Errorf("noise %v, want about 0.25", h.Noise)
	}
}

func TestFitDeterministic(t *testing.T) {
	rng := newRand(14)
	X, y := hartmannData(rng, 60)
	init := defaultHyper(6)
	init.Amplitude = 3
	opts := Options{Seed: 42, Restarts: 3, Init: &init}
	m1, err := Fit(X, y, opts)
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	m2, err := Fit(X, y, opts)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m1.Hyper(), m2.Hyper()) {
		t.Errorf("same seed, different fits: %+v and %+v", m1.Hyper(), m2.Hyper())
	}
	Q := randX(rng, 100, 6)
	a, b := make([]float64, 200), make([]float64, 200)
	m1.PredictBatch(Q, a[:100], a[100:])
	prev = runtime.GOMAXPROCS(1)
	m2.PredictBatch(Q, b[:100], b[100:])
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(a, b) {
		t.Error("same fit, different predictions")
	}
	// A different seed gives other restarts (and still a good fit).
	m3, err := Fit(X, y, Options{Seed: 43})
	if err != nil {
		t.Fatal(err)
	}
	if m3.FitFailed() || m3.LogPosterior() < m1.LogPosterior()-5 {
		t.Errorf("seed 43: log posterior %v, seed 42: %v", m3.LogPosterior(), m1.LogPosterior())
	}
}

// The warm start is used: a fit from a good Init alone is as good.
func TestFitWarmStart(t *testing.T) {
	rng := newRand(15)
	X, y := hartmannData(rng, 50)
	m, err := Fit(X, y, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Hyper()
	w, err := Fit(X, y, Options{Seed: 1, Restarts: -1, Init: &h})
	if err != nil {
		t.Fatal(err)
	}
	if w.LogPosterior() < m.LogPosterior()-1e-6 {
		t.Errorf("warm-started log posterior %v < %v", w.LogPosterior(), m.LogPosterior())
	}
	// A warm start of the wrong dimension is ignored.
	bad := Hyper{Amplitude: 1, LengthScales: []float64{1}, Noise: 1e-3}
	if _, err := Fit(X, y, Options{Init: &bad}); err != nil {
		t.Error(err)
	}
}

// InitOnly fits from Init alone: no default start, no restarts; an Init
// that is not valid falls back to the usual starts.
func TestFitInitOnly(t *testing.T) {
	init := defaultHyper(3)
	init.Amplitude = 2
	if got := startThetas(3, Options{Seed: 5, Init: &init, InitOnly: true}); len(got) != 1 || !slices.Equal(got[0], thetaOf(init, true)) {
		t.Errorf("starts %v, want Init's alone", got)
	}
	bad := Hyper{Amplitude: 1, LengthScales: []float64{1}, Noise: 1e-3}
	if got, all := startThetas(3, Options{Seed: 5, Init: &bad, InitOnly: true}), startThetas(3, Options{Seed: 5}); !reflect.DeepEqual(got, all) {
		t.Errorf("an invalid Init with InitOnly: starts %v, want the usual %v", got, all)
	}
	if got := startThetas(3, Options{Seed: 5, InitOnly: true}); len(got) != 1+defaultRestarts {
		t.Errorf("InitOnly without Init: %d starts, want the usual %d", len(got), 1+defaultRestarts)
	}

	// A few iterations from a fit to most of the points end near the fit
	// to all of them, and never below the start.
	rng := newRand(17)
	X, y := hartmannData(rng, 80)
	prefix, err := Fit(X[:70], y[:70], Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := prefix.Hyper()
	full, err := Fit(X, y, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := New(X, y, h)
	if err != nil {
		t.Fatal(err)
	}
	warm, err := Fit(X, y, Options{Init: &h, InitOnly: true, MaxIterations: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stale %v warm %v full %v", stale.LogPosterior(), warm.LogPosterior(), full.LogPosterior())
	if warm.LogPosterior() < stale.LogPosterior() {
		t.Errorf("refined log posterior %v below its start's %v", warm.LogPosterior(), stale.LogPosterior())
	}
	if warm.LogPosterior() < full.LogPosterior()-1 {
		t.Errorf("refined log posterior %v, full fit %v", warm.LogPosterior(), full.LogPosterior())
	}
}

func TestFitLarge(t *testing.T) {
	rng := newRand(16)
	X, y := hartmannData(rng, 500)
	m, err := Fit(X, y, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Hyper()
	t.Logf("hyper %+v", h)
	if m.FitFailed() || m.Len() != 500 {
		t.Fatalf("failed %v, len %d", m.FitFailed(), m.Len())
	}
	if !finite(m.LogMarginalLikelihood()) {
		t.Errorf("log marginal likelihood %v", m.LogMarginalLikelihood())
	}
	// Hartmann6 has narrow peaks: 500 random points in 6-D give a held-out
	// RMSE of about 0.35 sd even with every point in the fit (0.36 with the
	// subset); a constant predicts with 1.
	Q, yq := hartmannData(newRand(17), 300)
	_ = yq
	mean := make([]float64, len(Q))
	variance := make([]float64, len(Q))
	m.PredictBatch(Q, mean, variance)
	var yraw, qraw []float64
	for _, x := range X {
		yraw = append(yraw, hartmann6(x))
	}
	for _, q := range Q {
		qraw = append(qraw, hartmann6(q))
	}
	mu, sd := 0.0, 0.0
	for _, v := range yraw {
		mu += v
	}
	mu /= float64(len(yraw))
	for _, v := range yraw {
		sd += (v - mu) * (v - mu)
	}
	sd = math.Sqrt(sd / float64(len(yraw)))
	se := 0.0
	for i := range Q {
		e := mean[i] - (qraw[i]-mu)/sd
		se += e * e
		if !finite(variance[i]) || variance[i] < 0 {
			t.Fatalf("variance %v", variance[i])
		}
	}
	if rmse := math.Sqrt(se / float64(len(Q))); rmse > 0.45 {
		t.Errorf("held-out RMSE %v", rmse)
	} else {
		t.Logf("held-out RMSE %v", rmse)
	}
}

func TestFitSubset(t *testing.T) {
	y := make([]float64, 500)
	rng := newRand(18)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	sub := fitSubset(y, 200)
	if len(sub) != 200 || !slices.IsSorted(sub) {
		t.Fatalf("subset of %d, sorted %v", len(sub), slices.IsSorted(sub))
	}
	if len(slices.Compact(slices.Clone(sub))) != 200 {
		t.Fatal("duplicate indices")
	}
	// The 100 lowest y are in.
	order := make([]int, len(y))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case y[a] < y[b]:
			return -1
		case y[a] > y[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:100] {
		if _, ok := slices.BinarySearch(sub, i); !ok {
			t.Fatalf("best point %d not in the subset", i)
		}
	}
	// The rest spread: some early and some late points.
	if sub[0] > 10 || sub[len(sub)-1] < 490 {
		t.Errorf("subset spans %d..%d", sub[0], sub[len(sub)-1])
	}
	if got := fitSubset(y[:150], 200); len(got) != 150 {
		t.Errorf("%d of 150", len(got))
	}
	if got := fitSubset(y, 1); len(got) != 1 {
		t.Errorf("%d of max 1", len(got))
	}
}
