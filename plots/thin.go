package plots

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/frameworm/frameworm/internal/splitmix"
	"gonum.org/v1/plot/plotter"
)

// MaxScatterPoints is the most trial markers one figure draws. Beyond a
// few thousand, markers of a 16 cm × 10 cm figure cover each other and
// add nothing but drawing time (about 12 µs and 4 KB each in PNG): a
// figure of 100,000 trials took 1.2 to 1.6 s and 400 to 770 MB.
const MaxScatterPoints = 5000

// thinSalt seeds the hash that picks the markers of a thinned figure.
const thinSalt = 0x7468_696e_6e69_6e67 // "thinning"

// thin returns, when n > MaxScatterPoints, which of n markers to draw
// (shown[i]), and nil when all are drawn. The markers in keep come first
// (in their order, up to the cap); the rest of the cap goes to the
// markers whose index hashes lowest under a fixed seed: a uniform sample
// of the input's positions, with no aliasing against periodic orders
// such as a grid search's.
func thin(n int, keep []int) []bool { return thinTo(n, MaxScatterPoints, keep) }

// thinTo is thin with a cap of limit.
func thinTo(n, limit int, keep []int) []bool {
	if n <= limit {
		return nil
	}
	shown := make([]bool, n)
	count := 0
	for _, i := range keep {
		if count == limit {
			return shown
		}
		if !shown[i] {
			shown[i] = true
			count++
		}
	}
	rest := make([]int, 0, n-count)
	hash := make([]uint64, n)
	for i := range n {
		if !shown[i] {
			rest = append(rest, i)
			hash[i] = splitmix.Mix64(uint64(i) ^ thinSalt)
		}
	}
	slices.SortFunc(rest, func(a, b int) int {
		if c := cmp.Compare(hash[a], hash[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, i := range rest[:limit-count] {
		shown[i] = true
	}
	return shown
}

// marker is one trial marker of a scatter.
type marker struct {
	xy      plotter.XY
	initial bool
	pruned  bool
}

// split returns the markers shown (all when shown is nil) as trials,
// initial-design points and pruned trials, in order.
func split(ms []marker, shown []bool) (trials, initial, pruned plotter.XYs) {
	for i, m := range ms {
		if shown != nil && !shown[i] {
			continue
		}
		switch {
		case m.pruned:
			pruned = append(pruned, m.xy)
		case m.initial:
			initial = append(initial, m.xy)
		default:
			trials = append(trials, m.xy)
		}
	}
	return trials, initial, pruned
}

// thinnedNote is the legend entry of a thinned figure.
func thinnedNote(shown, total int) string {
	return group(shown) + " of " + group(total) + " trials shown"
}

// group formats n with commas between groups of three digits.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// extremes returns the index of the lowest and of the highest y (ties:
// the first).
func extremes(ms []marker) []int {
	if len(ms) == 0 {
		return nil
	}
	lo, hi := 0, 0
	for i, m := range ms {
		if m.xy.Y < ms[lo].xy.Y {
			lo = i
		}
		if m.xy.Y > ms[hi].xy.Y {
			hi = i
		}
	}
	return []int{lo, hi}
}

// steps returns the vertices of a step line through best (post-step)
// that draws the same line: the first point, each point whose y differs
// from the one before, and the last point.
func steps(best plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for i, xy := range best {
		if i == 0 || i == len(best)-1 || xy.Y != best[i-1].Y {
			out = append(out, xy)
		}
	}
	return out
}
