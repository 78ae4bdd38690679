package prune

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inf := math.Inf(1)
	patterns := map[string]func(n int) []float64{
		"random": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(r.IntN(n + 1))
			}
			return a
		},
		"ascending": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(i)
			}
			return a
		},
		"descending": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(n - i)
			}
			return a
		},
		"equal": func(n int) []float64 { return slices.Repeat([]float64{0.5}, n) },
		"organ pipe": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(min(i, n-i))
			}
			return a
		},
		"infinities": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = []float64{-inf, inf, 0, 1}[r.IntN(4)]
			}
			return a
		},
	}
	for name, gen := range patterns {
		for _, n := range []int{1, 2, 3, 4, 5, 10, 33, 100, 1000} {
			a := gen(n)
			sorted := slices.Sorted(slices.Values(a))
			for _, k := range []int{0, n / 3, n/2 - 1, n / 2, n - 1} {
				if k < 0 {
					continue
				}
				b := slices.Clone(a)
				if got := kth(b, k); got != sorted[k] {
					t.Fatalf("%s n=%d: kth(%d) = %v, want %v", name, n, k, got, sorted[k])
				}
				for i := range b {
					if i < k && b[i] > b[k] || i > k && b[i] < b[k] {
						t.Fatalf("%s n=%d k=%d: not partitioned around k at %d", name, n, k, i)
					}
				}
				if !slices.Equal(slices.Sorted(slices.Values(b)), sorted) {
					t.Fatalf("%s n=%d: kth changed the values", name, n)
				}
			}
		}
	}
}
