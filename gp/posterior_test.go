package gp

import (
	"math"
	"testing"
)

// matern is the Matern 5/2 kernel in 1-D, written out independently.
func matern(a, l, x, z float64) float64 {
	r := math.Abs(x-z) / l
	return a * (1 + math.Sqrt(5)*r + 5*r*r/3) * math.Exp(-math.Sqrt(5)*r)
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.15g, want %.15g (diff %.3g)", what, got, want, got-want)
	}
}

func TestPosteriorTwoPoints(t *testing.T) {
	h := Hyper{Amplitude: 1.7, LengthScales: []float64{0.3}, Noise: 0.01}
	xs := []float64{0.2, 0.65}
	ys := []float64{0.8, -1.1}
	m, err := New([][]float64{{xs[0]}, {xs[1]}}, ys, h)
	if err != nil {
		t.Fatal(err)
	}
	// K = [[p, q], [q, r]], K^-1 = [[r, -q], [-q, p]] / (pr - q²).
	p := h.Amplitude + h.Noise
	q := matern(h.Amplitude, 0.3, xs[0], xs[1])
	r := p
	det := p*r - q*q
	inv := [2][2]float64{{r / det, -q / det}, {-q / det, p / det}}
	for _, x := range []float64{0, 0.2, 0.4, 0.65, 0.9, 1} {
		k := [2]float64{matern(h.Amplitude, 0.3, x, xs[0]), matern(h.Amplitude, 0.3, x, xs[1])}
		mean, quad := 0.0, 0.0
		for i := range 2 {
			for j := range 2 {
				mean += k[i] * inv[i][j] * ys[j]
				quad += k[i] * inv[i][j] * k[j]
			}
		}
		gm, gv := m.Predict([]float64{x})
		near(t, "mean", gm, mean, 1e-9)
		near(t, "variance", gv, h.Amplitude-quad, 1e-9)
	}
	yKy := 0.0
	for i := range 2 {
		for j := range 2 {
			yKy += ys[i] * inv[i][j] * ys[j]
		}
	}
	near(t, "log marginal likelihood", m.LogMarginalLikelihood(), -0.5*yKy-0.5*math.Log(det)-math.Log(2*math.Pi), 1e-9)
}

func TestPosteriorThreePoints(t *testing.T) {
	h := Hyper{Amplitude: 0.9, LengthScales: []float64{0.25}, Noise: 1e-4}
	xs := []float64{0.1, 0.5, 0.55}
	ys := []float64{-0.3, 1.2, 0.9}
	m, err := New([][]float64{{xs[0]}, {xs[1]}, {xs[2]}}, ys, h)
	if err != nil {
		t.Fatal(err)
	}
	var K [3][3]float64
	for i := range 3 {
		for j := range 3 {
			K[i][j] = matern(h.Amplitude, 0.25, xs[i], xs[j])
		}
		K[i][i] += h.Noise
	}
	// The inverse by the adjugate, written out.
	a, b, c := K[0][0], K[0][1], K[0][2]
	d, e, f := K[1][0], K[1][1], K[1][2]
	g, hh, i := K[2][0], K[2][1], K[2][2]
	det := a*(e*i-f*hh) - b*(d*i-f*g) + c*(d*hh-e*g)
	inv := [3][3]float64{
		{(e*i - f*hh) / det, (c*hh - b*i) / det, (b*f - c*e) / det},
		{(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det},
		{(d*hh - e*g) / det, (b*g - a*hh) / det, (a*e - b*d) / det},
	}
	for _, x := range []float64{0, 0.1, 0.3, 0.52, 0.8} {
		var k [3]float64
		for j := range 3 {
			k[j] = matern(h.Amplitude, 0.25, x, xs[j])
		}
		mean, quad := 0.0, 0.0
		for r := range 3 {
			for s := range 3 {
				mean += k[r] * inv[r][s] * ys[s]
				quad += k[r] * inv[r][s] * k[s]
			}
		}
		gm, gv := m.Predict([]float64{x})
		near(t, "mean", gm, mean, 1e-9)
		near(t, "variance", gv, h.Amplitude-quad, 1e-9)
	}
	if m.Jitter() != 0 {
		t.Errorf("jitter %g, want 0", m.Jitter())
	}
}

func TestPredictBatchMatchesPredict(t *testing.T) {
	rng := newRand(3)
	X, y := hartmannData(rng, 80)
	m, err := New(X, y, Hyper{Amplitude: 1.3, LengthScales: []float64{0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, Noise: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	Q := randX(rng, 101, 6)
	mean := make([]float64, len(Q))
	variance := make([]float64, len(Q))
	m.PredictBatch(Q, mean, variance)
	onlyMean := make([]float64, len(Q))
	m.PredictBatch(Q, onlyMean, nil)
	for i, q := range Q {
		pm, pv := m.Predict(q)
		gm, gv := m.PredictGrad(q, nil, nil)
		if pm != mean[i] || pv != variance[i] || gm != pm || gv != pv || onlyMean[i] != pm {
			t.Fatalf("point %d: Predict %v %v, PredictBatch %v %v, PredictGrad %v %v, mean only %v", i, pm, pv, mean[i], variance[i], gm, gv, onlyMean[i])
		}
		if pv < 0 || math.IsNaN(pv) {
			t.Fatalf("variance %v", pv)
		}
	}
}

func TestNewRejectsMalformed(t *testing.T) {
	h := Hyper{Amplitude: 1, LengthScales: []float64{0.5}, Noise: 1e-3}
	cases := map[string]struct {
		X [][]float64
		y []float64
		h Hyper
	}{
		"empty":       {nil, nil, h},
		"ragged":      {[][]float64{{0.1}, {0.2, 0.3}}, []float64{1, 2}, h},
		"mismatch":    {[][]float64{{0.1}, {0.2}}, []float64{1}, h},
		"NaN input":   {[][]float64{{math.NaN()}}, []float64{1}, h},
		"Inf output":  {[][]float64{{0.1}}, []float64{math.Inf(1)}, h},
		"no inputs":   {[][]float64{{}}, []float64{1}, h},
		"length":      {[][]float64{{0.1, 0.2}}, []float64{1}, h},
		"noise":       {[][]float64{{0.1}}, []float64{1}, Hyper{Amplitude: 1, LengthScales: []float64{0.5}, Noise: 1e-9}},
		"amplitude":   {[][]float64{{0.1}}, []float64{1}, Hyper{Amplitude: 0, LengthScales: []float64{0.5}, Noise: 1e-3}},
		"lengthscale": {[][]float64{{0.1}}, []float64{1}, Hyper{Amplitude: 1, LengthScales: []float64{math.NaN()}, Noise: 1e-3}},
	}
	for name, c := range cases {
		if _, err := New(c.X, c.y, c.h); !errorsIsInput(err) {
			t.Errorf("%s: New error %v, want ErrInput", name, err)
		}
		if name == "noise" || name == "amplitude" || name == "lengthscale" || name == "length" {
			continue
		}
		if _, err := Fit(c.X, c.y, Options{}); !errorsIsInput(err) {
			t.Errorf("%s: Fit error %v, want ErrInput", name, err)
		}
	}
}
