package analysis

import (
	"cmp"
	"slices"

	"github.com/frameworm/frameworm/internal/splitmix"
)

// subsetSalt separates the seed of the subset from the GP's and the
// Sobol' design's.
const subsetSalt = 0x7375_6273_6574_2121 // "subset!!"

// importanceSubset returns the indices, ascending, of the k trials of a
// larger search the surrogate is fitted on: the trial with the lowest and
// the one with the highest score (ties: the lower trial number), so that
// the scores differ, and, of the rest, the k−2 trials whose numbers hash
// lowest under the seed. That is a uniform sample, without the bias
// that choosing more of the best or worst trials brings to the estimate
// (see the package documentation); it depends on
// nothing but the seed and each trial's own number, so it does not change
// with the order of the input or GOMAXPROCS, and a search that grows
// keeps its earlier choices but for the few that newer trials displace.
// numbers[i] and scores[i] are trial i's number and score. It returns
// every index when there are at most k trials (k >= 2).
func importanceSubset(numbers []int, scores []float64, k int, seed uint64) []int {
	n := len(scores)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	if n <= k {
		return all
	}
	lo, hi := 0, 0
	for i := range n {
		if scores[i] < scores[lo] || scores[i] == scores[lo] && numbers[i] < numbers[lo] {
			lo = i
		}
		if scores[i] > scores[hi] || scores[i] == scores[hi] && numbers[i] < numbers[hi] {
			hi = i
		}
	}
	chosen := make([]bool, n)
	chosen[lo], chosen[hi] = true, true
	salt := splitmix.Mix64(seed ^ subsetSalt)
	hash := make([]uint64, n)
	rest := make([]int, 0, n)
	for i := range n {
		if !chosen[i] {
			rest = append(rest, i)
			hash[i] = splitmix.Mix64(uint64(numbers[i]) ^ salt)
		}
	}
	slices.SortFunc(rest, func(a, b int) int {
		if c := cmp.Compare(hash[a], hash[b]); c != 0 {
			return c
		}
		if c := cmp.Compare(numbers[a], numbers[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, i := range rest[:k-(n-len(rest))] {
		chosen[i] = true
	}
	out := make([]int, 0, k)
	for i, c := range chosen {
		if c {
			out = append(out, i)
		}
	}
	return out
}
