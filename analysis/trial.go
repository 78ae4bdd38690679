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
	Status  string  // completed, failed, running, interrupted
	Score   float64 // the metric; valid when Status == "completed"
	Metrics map[string]float64
	Started time.Time
	Ended   time.Time
	Initial bool // one of a Bayesian search's initial design points
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

// byNumber returns a copy of trials sorted by trial number (stable).
func byNumber(trials []Trial) []Trial {
	out := slices.Clone(trials)
	slices.SortStableFunc(out, func(a, b Trial) int { return cmp.Compare(a.Number, b.Number) })
	return out
}

// scoredByNumber returns the trials whose score counts, by trial number.
func scoredByNumber(trials []Trial) []Trial {
	var out []Trial
	for _, t := range byNumber(trials) {
		if t.scored() {
			out = append(out, t)
		}
	}
	return out
}
