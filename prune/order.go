package prune

import (
	"math"
	"math/bits"
	"slices"
)

// better reports whether a is strictly better than b in the search's
// direction, NaN being worse than every number.
func better(a, b float64, maximize bool) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	case maximize:
		return a > b
	default:
		return a < b
	}
}

// plusZero turns -0 into +0, so that which of two equal values a peer
// order puts first never shows in a reason.
func plusZero(v float64) float64 { return v + 0 }

// kth returns the k-th smallest of a (0 the smallest; no NaN in a) and
// reorders a so that a[k] is it, with nothing smaller after it and
// nothing larger before it: a quickselect with median-of-three pivots,
// which sorts what is left when it has not converged after O(log n)
// rounds, so it takes linear time on most inputs and n log n at worst.
func kth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for budget := 2*bits.Len(uint(len(a))) + 8; lo < hi; budget-- {
		if budget == 0 {
			slices.Sort(a[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}
