package analysis

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// rankNormal returns the rank-based inverse normal transform of y,
// standardized to mean 0 and standard deviation 1: each value becomes
// Φ⁻¹((r − 3/8)/(n + 1/4)), where r is its rank (1 for the lowest; tied
// values share the average of their ranks), Blom's scores. It reports
// false if y has fewer than two different values. y must not hold NaN.
func rankNormal(y []float64) ([]float64, bool) {
	n := len(y)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(y[a], y[b]) })
	z := make([]float64, n)
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && y[idx[hi]] == y[idx[lo]] {
			hi++
		}
		r := float64(lo+1+hi) / 2 // the average of ranks lo+1 ... hi
		q := distuv.UnitNormal.Quantile((r - 0.375) / (float64(n) + 0.25))
		for _, i := range idx[lo:hi] {
			z[i] = q
		}
		lo = hi
	}
	if !standardize(z) {
		return nil, false
	}
	return z, true
}

// standardize shifts and scales z in place to mean 0 and standard
// deviation 1 (the population's). It reports false, leaving z unchanged,
// if z has no spread.
func standardize(z []float64) bool {
	n := len(z)
	var mean float64
	for _, v := range z {
		mean += v
	}
	mean /= float64(n)
	var ss float64
	for _, v := range z {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n))
	if !(sd > 0) {
		return false
	}
	for i := range z {
		z[i] = (z[i] - mean) / sd
	}
	return true
}
