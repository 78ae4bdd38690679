package gp

import (
	"math"
	"testing"
)

func TestCondition(t *testing.T) {
	rng := newRand(4)
	X, y := hartmannData(rng, 40)
	h := Hyper{Amplitude: 1.2, LengthScales: []float64{0.3, 0.5, 0.7, 0.4, 0.6, 0.8}, Noise: 1e-4}
	m, err := New(X, y, h)
	if err != nil {
		t.Fatal(err)
	}
	Q := randX(rng, 30, 6)
	before := make([]float64, 2*len(Q))
	m.PredictBatch(Q, before[:len(Q)], before[len(Q):])

	xnew := []float64{0.2, 0.2, 0.5, 0.3, 0.3, 0.7}
	c := m.Condition(xnew, -1.5)
	if c.Len() != 41 || m.Len() != 40 {
		t.Fatalf("lengths %d and %d", c.Len(), m.Len())
	}
	ref, err := New(append(append([][]float64(nil), X...), xnew), append(append([]float64(nil), y...), -1.5), h)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append(Q, xnew) {
		cm, cv := c.Predict(q)
		rm, rv := ref.Predict(q)
		near(t, "conditioned mean", cm, rm, 1e-8)
		near(t, "conditioned variance", cv, rv, 1e-8)
	}
	near(t, "log marginal likelihood", c.LogMarginalLikelihood(), ref.LogMarginalLikelihood(), 1e-8)

	after := make([]float64, 2*len(Q))
	m.PredictBatch(Q, after[:len(Q)], after[len(Q):])
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("m changed: prediction %d was %v, is %v", i, before[i], after[i])
		}
	}

	_, v0 := m.Predict(xnew)
	_, v1 := c.Predict(xnew)
	if !(v1 <= h.Noise*1.01) || v0 < 100*h.Noise {
		t.Errorf("variance at the fantasy %v before, %v after, noise %v", v0, v1, h.Noise)
	}

	// Chains, and a duplicate of an observed point.
	c2 := c.Condition(X[5], y[5]).Condition(xnew, -1.5)
	checkFinite(t, c2, Q)
	ref2, err := New(append(append([][]float64(nil), X...), xnew, X[5], xnew), append(append([]float64(nil), y...), -1.5, y[5], -1.5), h)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range Q {
		cm, cv := c2.Predict(q)
		rm, rv := ref2.Predict(q)
		near(t, "chained mean", cm, rm, 1e-8)
		near(t, "chained variance", cv, rv, 1e-8)
	}
}

// At the noise floor, conditioning on an observed point twice still works.
func TestConditionDuplicateAtFloor(t *testing.T) {
	rng := newRand(6)
	X := randX(rng, 20, 2)
	y := make([]float64, 20)
	for i, x := range X {
		y[i] = math.Sin(3 * x[0])
	}
	m, err := New(X, standardize(y), Hyper{Amplitude: 1, LengthScales: []float64{5, 5}, Noise: NoiseFloor})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		m = m.Condition(X[0], 0)
	}
	checkFinite(t, m, randX(rng, 10, 2))
}
