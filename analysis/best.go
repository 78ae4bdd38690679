package analysis

import (
	"cmp"
	"slices"
)

// BestN returns the n best completed trials, best first, ties broken by
// the lower trial number (get_best_n). It returns every completed trial
// when there are fewer than n, and none when n <= 0. Failed, running and
// interrupted trials, and NaN scores, never appear.
func BestN(trials []Trial, mode string, n int) []Trial {
	if n <= 0 {
		return nil
	}
	order := scoredOrder(trials)
	if len(order) == 0 {
		return nil
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := &trials[a], &trials[b]
		switch {
		case better(ta.Score, tb.Score, mode):
			return -1
		case better(tb.Score, ta.Score, mode):
			return 1
		}
		return cmp.Compare(ta.Number, tb.Number)
	})
	out := make([]Trial, min(n, len(order)))
	for j := range out {
		out[j] = trials[order[j]]
	}
	return out
}

// ConvergencePoint is one completed trial of a convergence plot.
type ConvergencePoint struct {
	Trial     int
	Score     float64
	BestSoFar float64 // the best score of this and every earlier completed trial
	Initial   bool    // the trial was an initial design point
}

// Convergence returns, in trial-number order, every completed trial's
// score and the best-so-far (plot_convergence's data). BestSoFar is
// monotone: non-increasing for "min", non-decreasing for "max".
func Convergence(trials []Trial, mode string) []ConvergencePoint {
	order := scoredOrder(trials)
	out := make([]ConvergencePoint, 0, len(order))
	for j, i := range order {
		t := &trials[i]
		best := t.Score
		if j > 0 && !better(t.Score, out[j-1].BestSoFar, mode) {
			best = out[j-1].BestSoFar
		}
		out = append(out, ConvergencePoint{Trial: t.Number, Score: t.Score, BestSoFar: best, Initial: t.Initial})
	}
	return out
}
