package gp

import (
	"math"
	"testing"
)

func checkFinite(t *testing.T, m *Model, Q [][]float64) {
	t.Helper()
	mean := make([]float64, len(Q))
	variance := make([]float64, len(Q))
	m.PredictBatch(Q, mean, variance)
	for i := range Q {
		if !finite(mean[i]) || !finite(variance[i]) || variance[i] < 0 {
			t.Fatalf("prediction %d: mean %v variance %v", i, mean[i], variance[i])
		}
	}
}

func TestDuplicates(t *testing.T) {
	rng := newRand(8)
	// The same x twice with the same y, and a point repeated 20 times
	// with different y.
	X := randX(rng, 10, 2)
	y := make([]float64, 10)
	for i, x := range X {
		y[i] = x[0] - x[1]
	}
	X = append(X, append([]float64(nil), X[0]...))
	y = append(y, y[0])
	rep := []float64{0.5, 0.5}
	for i := range 20 {
		X = append(X, append([]float64(nil), rep...))
		y = append(y, 0.1*float64(i%5)-0.2)
	}
	y = standardize(y)
	Q := append(randX(rng, 50, 2), rep, X[0])
	for _, noise := range []float64{NoiseFloor, 1e-3} {
		for _, ls := range []float64{0.01, 0.3, 1000} {
			m, err := New(X, y, Hyper{Amplitude: 1, LengthScales: []float64{ls, ls}, Noise: noise})
			if err != nil {
				t.Fatalf("noise %g, length scale %g: %v", noise, ls, err)
			}
			checkFinite(t, m, Q)
			if !finite(m.LogMarginalLikelihood()) {
				t.Errorf("noise %g, length scale %g: log marginal likelihood %v", noise, ls, m.LogMarginalLikelihood())
			}
		}
	}
	m, err := Fit(X, y, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkFinite(t, m, Q)
	if m.FitFailed() {
		t.Error("fit failed")
	}
	// Different y at the same x: the fit needs noise.
	if h := m.Hyper(); h.Noise < 1e-3 {
		t.Errorf("fitted noise %g with contradicting duplicates", h.Noise)
	}
}

func TestPathological(t *testing.T) {
	rng := newRand(9)
	X := randX(rng, 30, 3)
	Q := randX(rng, 20, 3)

	// Huge outputs: every start has a non-finite objective.
	huge := make([]float64, 30)
	for i := range huge {
		huge[i] = 1e200 * float64(i%3-1)
	}
	m, err := Fit(X, huge, Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !m.FitFailed() {
		t.Errorf("fit of outputs of 1e200 did not fail: %+v", m.Hyper())
	}
	want := defaultHyper(3)
	if h := m.Hyper(); h.Amplitude != want.Amplitude || h.Noise != want.Noise || h.LengthScales[0] != want.LengthScales[0] {
		t.Errorf("fallback hyperparameters %+v, want %+v", h, want)
	}
	mean, variance := m.Predict(Q[0])
	if math.IsNaN(mean) || math.IsNaN(variance) {
		t.Errorf("fallback model predicts %v %v", mean, variance)
	}

	// All-identical outputs.
	m, err = Fit(X, make([]float64, 30), Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkFinite(t, m, Q)
	for _, q := range Q {
		if mean, _ := m.Predict(q); math.Abs(mean) > 1e-9 {
			t.Errorf("constant 0 outputs: mean %v", mean)
		}
	}

	// One observation.
	m, err = Fit(X[:1], []float64{0}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFinite(t, m, Q)
}
