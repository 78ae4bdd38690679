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
	out := scoredByNumber(trials)
	slices.SortStableFunc(out, func(a, b Trial) int {
		switch {
		case better(a.Score, b.Score, mode):
			return -1
		case better(b.Score, a.Score, mode):
			return 1
		}
		return cmp.Compare(a.Number, b.Number)
	})
	return out[:min(n, len(out)):min(n, len(out))]
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
	scored := scoredByNumber(trials)
	out := make([]ConvergencePoint, 0, len(scored))
	for i, t := range scored {
		best := t.Score
		if i > 0 && !better(t.Score, out[i-1].BestSoFar, mode) {
			best = out[i-1].BestSoFar
		}
		out = append(out, ConvergencePoint{Trial: t.Number, Score: t.Score, BestSoFar: best, Initial: t.Initial})
	}
	return out
}
