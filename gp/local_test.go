package gp

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
)

func TestNearest(t *testing.T) {
	rng := newRand(3)
	for _, tc := range []struct{ n, k, levels int }{
		{1, 1, 0}, {10, 3, 0}, {10, 10, 0}, {50, 7, 4}, {200, 64, 0}, {200, 64, 3}, {33, 1, 2},
		{10, 12, 0}, {1000, 64, 0}, {1000, 64, 5}, {1000, 256, 40}, {300, 17, 1000},
	} {
		r2 := make([]float64, tc.n)
		for i := range r2 {
			r2[i] = rng.Float64()
			if tc.levels > 0 { // many ties
				r2[i] = float64(rng.IntN(tc.levels))
			}
		}
		idx := make([]int, tc.n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(r2[i], r2[j]) })
		want := slices.Sorted(slices.Values(idx[:min(tc.k, tc.n)]))
		if got := nearest(nil, r2, tc.k); !slices.Equal(got, want) {
			t.Errorf("n=%d k=%d levels=%d: nearest %v, want %v", tc.n, tc.k, tc.levels, got, want)
		}
	}
}

// With at least as many neighbours as observations, Local is the model.
func TestLocalAllNeighboursIsModel(t *testing.T) {
	X, y := hartmannData(newRand(5), 60)
	m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{60, 100} {
		l := m.Local(k)
		for _, q := range randX(newRand(6), 20, 6) {
			m0, v0 := m.Predict(q)
			m1, v1 := l.Predict(q)
			dm0, dv0, dm1, dv1 := make([]float64, 6), make([]float64, 6), make([]float64, 6), make([]float64, 6)
			m.PredictGrad(q, dm0, dv0)
			l.PredictGrad(q, dm1, dv1)
			if m0 != m1 || v0 != v1 || !slices.Equal(dm0, dm1) || !slices.Equal(dv0, dv1) {
				t.Fatalf("k=%d at %v: local %v %v %v %v, model %v %v %v %v", k, q, m1, v1, dm1, dv1, m0, v0, dm0, dv0)
			}
		}
	}
}

// The local mean is the model's; the local variance bounds the exact one
// from above and is close to it (on dense data); more neighbours are
// closer still.
func TestLocalVariance(t *testing.T) {
	for _, n := range []int{400, 1000} {
		X, y := hartmannData(newRand(uint64(n)), n)
		m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-6})
		if err != nil {
			t.Fatal(err)
		}
		Q := randX(newRand(1), 200, 6)
		// Points near observations too, where the variance is small.
		for _, x := range X[:50] {
			q := slices.Clone(x)
			q[0] = min(q[0]+0.01, 1)
			Q = append(Q, q)
		}
		exactM, exactV := make([]float64, len(Q)), make([]float64, len(Q))
		m.PredictBatch(Q, exactM, exactV)
		prevErr := math.Inf(1)
		for _, k := range []int{16, 64, 256} {
			l := m.Local(k)
			mean, variance := make([]float64, len(Q)), make([]float64, len(Q))
			l.PredictBatch(Q, mean, variance)
			worst := 0.0
			for i := range Q {
				if mean[i] != exactM[i] {
					t.Fatalf("n=%d k=%d: mean %v, model %v", n, k, mean[i], exactM[i])
				}
				if variance[i] < exactV[i]-1e-9 {
					t.Errorf("n=%d k=%d at %v: local variance %v below the exact %v", n, k, Q[i], variance[i], exactV[i])
				}
				// Error in standard deviations, relative to the prior's.
				worst = max(worst, (math.Sqrt(variance[i])-math.Sqrt(exactV[i]))/math.Sqrt(1.4))
			}
			t.Logf("n=%d k=%d: largest sd error %.3g of the prior sd", n, k, worst)
			if worst > prevErr+1e-9 {
				t.Errorf("n=%d k=%d: sd error %.3g above the %.3g of fewer neighbours", n, k, worst, prevErr)
			}
			prevErr = worst
			if k == 64 && worst > 0.05 {
				t.Errorf("n=%d k=64: sd error %.3g of the prior sd, want <= 0.05", n, worst)
			}
		}
	}
}

// PredictGrad's gradients are those of Predict where the neighbours stay
// the same, PredictBatch is Predict bit for bit, whatever GOMAXPROCS is.
func TestLocalGradientAndBatch(t *testing.T) {
	X, y := hartmannData(newRand(9), 300)
	m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	l := m.Local(32)
	Q := randX(newRand(10), 70, 6)
	for _, q := range Q[:20] {
		dm, dv := make([]float64, 6), make([]float64, 6)
		mean, variance := l.PredictGrad(q, dm, dv)
		if m0, v0 := l.Predict(q); m0 != mean || v0 != variance {
			t.Fatalf("PredictGrad %v %v, Predict %v %v", mean, variance, m0, v0)
		}
		for p := range 6 {
			const h = 1e-6
			qp, qm := slices.Clone(q), slices.Clone(q)
			qp[p] += h
			qm[p] -= h
			mp, vp := l.Predict(qp)
			mm, vm := l.Predict(qm)
			fm, fv := (mp-mm)/(2*h), (vp-vm)/(2*h)
			if math.Abs(fm-dm[p]) > 1e-5*(1+math.Abs(fm)) {
				t.Errorf("at %v: dmean[%d] %v, finite difference %v", q, p, dm[p], fm)
			}
			if math.Abs(fv-dv[p]) > 1e-5*(1+math.Abs(fv)) {
				t.Errorf("at %v: dvar[%d] %v, finite difference %v", q, p, dv[p], fv)
			}
		}
	}
	var results [][]float64
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		mean, variance := make([]float64, len(Q)), make([]float64, len(Q))
		l.PredictBatch(Q, mean, variance)
		runtime.GOMAXPROCS(old)
		results = append(results, append(mean, variance...))
	}
	for i, q := range Q {
		m0, v0 := l.Predict(q)
		for j, r := range results {
			if r[i] != m0 || r[len(Q)+i] != v0 {
				t.Fatalf("run %d point %d: batch %v %v, Predict %v %v", j, i, r[i], r[len(Q)+i], m0, v0)
			}
		}
	}
}

func BenchmarkLocalPredictBatch(b *testing.B) {
	for _, n := range []int{500, 2000} {
		X, y := hartmannData(newRand(uint64(n)), n)
		m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
		if err != nil {
			b.Fatal(err)
		}
		Q := randX(newRand(1), 1000, 6)
		mean, variance := make([]float64, len(Q)), make([]float64, len(Q))
		for _, k := range []int{32, 64, 128} {
			l := m.Local(k)
			b.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(b *testing.B) {
				for b.Loop() {
					l.PredictBatch(Q, mean, variance)
				}
			})
		}
	}
}

// A workspace reuses the factor of the neighbours it factored last: the
// results do not depend on what was predicted before.
func TestLocalReuseChangesNothing(t *testing.T) {
	X, y := hartmannData(newRand(12), 200)
	m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	Q := randX(newRand(13), 6, 6)
	fresh := func(q []float64) [2]float64 {
		mean, v := m.Local(16).Predict(q)
		return [2]float64{mean, v}
	}
	l := m.Local(16)
	for _, i := range []int{0, 1, 0, 0, 2, 3, 2, 5, 4, 5, 1} {
		mean, v := l.Predict(Q[i])
		if got, want := [2]float64{mean, v}, fresh(Q[i]); got != want {
			t.Errorf("point %d after others: %v, fresh %v", i, got, want)
		}
	}
}

// Local reads the kernel between neighbours from the model's kernel
// matrix, shared by the models conditioned on it: its predictions are
// those of computing every entry, bit for bit, with and without
// conditioned points among the neighbours.
func TestLocalKernelMatrix(t *testing.T) {
	X, y := hartmannData(newRand(12), 90)
	h := Hyper{Amplitude: 1.3, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4}
	queries := randX(newRand(13), 30, 6)
	// models returns the model of X, y and the model conditioned on
	// fantasies next to the first queries (neighbours of them); without
	// its kernel matrix, if keep is false.
	models := func(keep bool) []*Model {
		m, err := New(X, y, h)
		if err != nil {
			t.Fatal(err)
		}
		if !keep {
			m.kern, m.kn = nil, 0
		}
		c := m
		for _, q := range queries[:5] {
			c = c.Condition(q, -1)
		}
		return []*Model{m, c}
	}
	kept, computed := models(true), models(false)
	if m, c := kept[0], kept[1]; c.kn != m.n || c.n != m.n+5 || &c.kern[0] != &m.kern[0] {
		t.Fatalf("conditioned model: kernel of %d of %d points, shared %v", c.kn, c.n, &c.kern[0] == &m.kern[0])
	}
	for i := range kept {
		for _, k := range []int{8, 40} {
			l, lc := kept[i].Local(k), computed[i].Local(k)
			for _, q := range queries {
				dm, dv, dmc, dvc := make([]float64, 6), make([]float64, 6), make([]float64, 6), make([]float64, 6)
				mean, variance := l.PredictGrad(q, dm, dv)
				mc, vc := lc.PredictGrad(q, dmc, dvc)
				if mean != mc || variance != vc || !slices.Equal(dm, dmc) || !slices.Equal(dv, dvc) {
					t.Fatalf("%d points, k=%d at %v: %v %v %v %v, computed %v %v %v %v", kept[i].n, k, q, mean, variance, dm, dv, mc, vc, dmc, dvc)
				}
			}
		}
	}
}
