package analysis

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/frameworm/frameworm/space"
)

// StatusCompleted is the status of a trial whose score counts.
const StatusCompleted = "completed"

// ModeMax is the mode that maximizes the score; every other mode
// minimizes it.
const ModeMax = "max"

// Trial is one trial as analysis sees it (built by the caller from state
// trials that match the definition).
type Trial struct {
	Number  int
	Point   space.Point // nil when the trial does not match the current space
	Params  map[string]any
	Status  string  // completed, pruned, failed, running, interrupted: only completed trials score
	Score   float64 // the metric; valid when Status == "completed"
	Metrics map[string]float64
	Started time.Time
	Ended   time.Time
	Queued  time.Duration // the wait in a scheduler's queue before Started; 0 for none
	Initial bool          // one of a Bayesian search's initial design points
}

// scored reports whether t's score counts: completed, not NaN.
func (t *Trial) scored() bool {
	return t.Status == StatusCompleted && !math.IsNaN(t.Score)
}

// Point2 is one point of a trajectory: a trial number and a score.
type Point2 struct {
	Trial int
	Score float64
}

// better reports whether score a is strictly better than b in mode.
func better(a, b float64, mode string) bool {
	if mode == ModeMax {
		return a > b
	}
	return a < b
}

// numberOrder returns the indices of trials in trial-number order (stable:
// equal numbers keep their input order), without copying the trials.
func numberOrder(trials []Trial) []int {
	order := make([]int, len(trials))
	for i := range order {
		order[i] = i
	}
	if !slices.IsSortedFunc(trials, func(a, b Trial) int { return cmp.Compare(a.Number, b.Number) }) {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(trials[a].Number, trials[b].Number) })
	}
	return order
}

// scoredOrder returns the indices of the trials whose score counts, in
// trial-number order.
func scoredOrder(trials []Trial) []int {
	order := numberOrder(trials)
	out := order[:0]
	for _, i := range order {
		if trials[i].scored() {
			out = append(out, i)
		}
	}
	return slices.Clip(out)
}
