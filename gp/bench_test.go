package gp

import (
	"fmt"
	"testing"
)

func BenchmarkFit(b *testing.B) {
	for _, n := range []int{50, 100, 200, 500} {
		X, y := hartmannData(newRand(uint64(n)), n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Fit(X, y, Options{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPredictBatch(b *testing.B) {
	for _, n := range []int{100, 500} {
		X, y := hartmannData(newRand(uint64(n)), n)
		m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
		if err != nil {
			b.Fatal(err)
		}
		Q := randX(newRand(1), 2000, 6)
		mean := make([]float64, len(Q))
		variance := make([]float64, len(Q))
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				m.PredictBatch(Q, mean, variance)
			}
		})
	}
}

func BenchmarkPredictGrad(b *testing.B) {
	X, y := hartmannData(newRand(500), 500)
	m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
	if err != nil {
		b.Fatal(err)
	}
	q := randX(newRand(1), 1, 6)[0]
	dm, dv := make([]float64, 6), make([]float64, 6)
	b.Run("n=500", func(b *testing.B) {
		for b.Loop() {
			m.PredictGrad(q, dm, dv)
		}
	})
}

func BenchmarkCondition(b *testing.B) {
	X, y := hartmannData(newRand(500), 500)
	m, err := New(X, y, Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4})
	if err != nil {
		b.Fatal(err)
	}
	q := randX(newRand(1), 1, 6)[0]
	b.Run("n=500", func(b *testing.B) {
		for b.Loop() {
			m.Condition(q, -1)
		}
	})
}

func BenchmarkNew(b *testing.B) {
	X, y := hartmannData(newRand(500), 500)
	h := Hyper{Amplitude: 1.4, LengthScales: []float64{0.3, 0.5, 0.9, 0.4, 0.4, 0.3}, Noise: 1e-4}
	b.Run("n=500", func(b *testing.B) {
		for b.Loop() {
			if _, err := New(X, y, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNearest selects the 64 nearest of 1,000 observations, as the
// local variance does for every candidate above 300 observations.
func BenchmarkNearest(b *testing.B) {
	rng := newRand(4)
	r2 := make([]float64, 1000)
	for i := range r2 {
		r2[i] = rng.Float64()
	}
	dst := make([]int, 0, 64)
	for b.Loop() {
		dst = nearest(dst[:0], r2, 64)
	}
}
