package gp

import (
	"math"
	"slices"
	"testing"
)

func TestNegLogPosteriorGradient(t *testing.T) {
	rng := newRand(11)
	const n, d = 15, 3
	X := randX(rng, n, d)
	y := make([]float64, n)
	for i, x := range X {
		y[i] = math.Sin(5*x[0]) + x[1]*x[1] - 0.5*x[2] + 0.05*rng.NormFloat64()
	}
	y = standardize(y)
	thetas := [][]float64{
		{0, math.Log(0.5), math.Log(0.5), math.Log(0.5), math.Log(1e-3)},
		{math.Log(12), math.Log(0.01), math.Log(900), math.Log(0.2), math.Log(5)}, // near the box
		{-8, -6, 8, 0, -25}, // outside the box: the penalty
	}
	for range 6 {
		theta := make([]float64, d+2)
		theta[0] = rng.Float64()*4 - 2
		for i := 1; i <= d; i++ {
			theta[i] = math.Log(0.05) + rng.Float64()*math.Log(40)
		}
		theta[d+1] = math.Log(1e-7) + rng.Float64()*math.Log(1e6)
		if math.Abs(theta[d+1]-math.Log(NoiseFloor)) < 1e-3 {
			continue // the kink of the noise floor
		}
		thetas = append(thetas, theta)
	}
	for _, theta := range thetas {
		grad := make([]float64, d+2)
		f := NegLogPosterior(X, y, theta, grad)
		if !finite(f) {
			t.Fatalf("theta %v: objective %v", theta, f)
		}
		if f2 := NegLogPosterior(X, y, theta, nil); f2 != f {
			t.Errorf("theta %v: objective %v without the gradient, %v with", theta, f2, f)
		}
		fd := make([]float64, d+2)
		for p := range theta {
			const h = 1e-5
			tp := append([]float64(nil), theta...)
			tp[p] += h
			fp := NegLogPosterior(X, y, tp, nil)
			tp[p] -= 2 * h
			fm := NegLogPosterior(X, y, tp, nil)
			fd[p] = (fp - fm) / (2 * h)
		}
		num, den := 0.0, 0.0
		for p := range grad {
			num += (grad[p] - fd[p]) * (grad[p] - fd[p])
			den += fd[p] * fd[p]
		}
		if rel := math.Sqrt(num / max(den, 1e-12)); rel > 1e-5 {
			t.Errorf("theta %v: gradient %v, finite differences %v (relative error %.2g)", theta, grad, fd, rel)
		}
		for p := range grad {
			if math.Abs(grad[p]-fd[p]) > 1e-5*max(1, math.Abs(fd[p])) {
				t.Errorf("theta %v: d/dtheta[%d] = %v, finite differences %v", theta, p, grad[p], fd[p])
			}
		}
	}
}

// The objective at a model's own theta is -LogPosterior.
func TestNegLogPosteriorMatchesModel(t *testing.T) {
	rng := newRand(5)
	X := randX(rng, 12, 2)
	y := standardize([]float64{1, 3, 2, 5, 4, 6, 8, 7, 9, 0, 2, 1})
	h := Hyper{Amplitude: 2, LengthScales: []float64{0.3, 0.7}, Noise: 0.01}
	m, err := New(X, y, h)
	if err != nil {
		t.Fatal(err)
	}
	f := NegLogPosterior(X, y, thetaOf(h, true), nil)
	near(t, "NegLogPosterior", f, -m.LogPosterior(), 1e-9)
	if m.LogPosterior() == m.LogMarginalLikelihood() {
		t.Error("LogPosterior has no prior")
	}
}

func TestPredictGrad(t *testing.T) {
	rng := newRand(21)
	const n, d = 25, 3
	X := randX(rng, n, d)
	y := make([]float64, n)
	for i, x := range X {
		y[i] = math.Cos(4*x[0]) * (x[1] + x[2])
	}
	m, err := New(X, standardize(y), Hyper{Amplitude: 1.5, LengthScales: []float64{0.3, 0.6, 1.2}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	queries := randX(rng, 10, d)
	queries = append(queries, append([]float64(nil), X[3]...)) // at an observed point
	for _, q := range queries {
		dm := make([]float64, d)
		dv := make([]float64, d)
		mean, variance := m.PredictGrad(q, dm, dv)
		pm, pv := m.Predict(q)
		if mean != pm || variance != pv {
			t.Fatalf("PredictGrad %v %v, Predict %v %v", mean, variance, pm, pv)
		}
		for p := range d {
			const h = 1e-6
			qp := append([]float64(nil), q...)
			qp[p] += h
			mp, vp := m.Predict(qp)
			qp[p] -= 2 * h
			mm, vm := m.Predict(qp)
			fdm, fdv := (mp-mm)/(2*h), (vp-vm)/(2*h)
			if math.Abs(dm[p]-fdm) > 1e-6*max(1, math.Abs(fdm)) {
				t.Errorf("x %v: dmean[%d] = %v, finite differences %v", q, p, dm[p], fdm)
			}
			if math.Abs(dv[p]-fdv) > 1e-6*max(1, math.Abs(fdv)) {
				t.Errorf("x %v: dvar[%d] = %v, finite differences %v", q, p, dv[p], fdv)
			}
		}
	}
}

// PredictGradIf predicts as PredictGrad; it hands want the mean and
// variance it returns, and computes the gradients only if want says so
// (nil: always), leaving them untouched otherwise; for the model and for
// a local view of fewer neighbours than observations.
func TestPredictGradIf(t *testing.T) {
	X, y := hartmannData(newRand(8), 80)
	m, err := New(X, y, Hyper{Amplitude: 1.2, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	type gradPredictor interface {
		PredictGrad(x, dmean, dvar []float64) (mean, variance float64)
		PredictGradIf(x, dmean, dvar []float64, want func(mean, variance float64) bool) (mean, variance float64, ok bool)
	}
	queries := append(randX(newRand(9), 8, 6), slices.Clone(X[5]))
	untouched := func() []float64 { return slices.Repeat([]float64{7}, 6) }
	for _, tc := range []struct {
		name  string
		model gradPredictor
		want  string // "nil", "yes" or "no"
	}{
		{"model", m, "nil"}, {"model", m, "yes"}, {"model", m, "no"},
		{"local", m.Local(20), "nil"}, {"local", m.Local(20), "yes"}, {"local", m.Local(20), "no"},
	} {
		for _, q := range queries {
			dm0, dv0 := make([]float64, 6), make([]float64, 6)
			m0, v0 := tc.model.PredictGrad(q, dm0, dv0)
			dm, dv := untouched(), untouched()
			var calls int
			var seenMean, seenVar float64
			var want func(mean, variance float64) bool
			if tc.want != "nil" {
				want = func(mean, variance float64) bool {
					calls++
					seenMean, seenVar = mean, variance
					return tc.want == "yes"
				}
			}
			mean, variance, ok := tc.model.PredictGradIf(q, dm, dv, want)
			if mean != m0 || variance != v0 || ok != (tc.want != "no") {
				t.Fatalf("%s, want %s, at %v: PredictGradIf %v %v %v, PredictGrad %v %v", tc.name, tc.want, q, mean, variance, ok, m0, v0)
			}
			if want != nil && (calls != 1 || seenMean != mean || seenVar != variance) {
				t.Fatalf("%s: want called %d times, last with %v %v, for the prediction %v %v", tc.name, calls, seenMean, seenVar, mean, variance)
			}
			if tc.want == "no" {
				dm0, dv0 = untouched(), untouched()
			}
			if !slices.Equal(dm, dm0) || !slices.Equal(dv, dv0) {
				t.Fatalf("%s, want %s, at %v: gradients %v %v, want %v %v", tc.name, tc.want, q, dm, dv, dm0, dv0)
			}
		}
	}
}
