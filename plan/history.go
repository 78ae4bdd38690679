package plan

import (
	"fmt"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// Matched is a state trial that matches the current definition, with its
// point in the current space.
type Matched struct {
	Trial  *state.Trial
	Point  space.Point
	Reason string // for retries
}

// History is a search's trials sorted by what the plan does with them.
type History struct {
	Kept     []Matched // completed
	Failed   []Matched // failed MaxAttempts times
	Retry    []Matched // to run again
	Excluded []Excluded
}

// Excluded is a recorded trial that no longer matches the definition.
type Excluded struct {
	Trial      *state.Trial
	Mismatches []Mismatch
}

// Policy holds the choices of an apply that change the retry policy.
type Policy struct {
	// Replace lists trial numbers to run again whatever their status.
	Replace map[int]bool
	// RetryFailed runs again the trials that failed MaxAttempts times.
	RetryFailed bool
}

// Classify sorts a search's trials (in number order) by the retry policy.
func Classify(s *definition.Search, trials []*state.Trial) History {
	return ClassifyWith(s, trials, Policy{})
}

// ClassifyWith sorts a search's trials (in number order) by the retry
// policy, with an apply's replacements and -retry-failed.
func ClassifyWith(s *definition.Search, trials []*state.Trial, pol Policy) History {
	var h History
	m := newMatcher(s)
	for _, t := range trials {
		pt, mm := m.explain(t)
		if len(mm) > 0 {
			h.Excluded = append(h.Excluded, Excluded{Trial: t, Mismatches: mm})
			continue
		}
		m := Matched{Trial: t, Point: pt}
		switch {
		case pol.Replace[t.Number]:
			m.Reason = "replaced (-replace)"
			if t.Status == state.Failed {
				m.Reason += ", was failed: " + t.Error
			}
			h.Retry = append(h.Retry, m)
		case t.Tainted:
			m.Reason = "tainted"
			h.Retry = append(h.Retry, m)
		case t.Status == state.Completed:
			h.Kept = append(h.Kept, m)
		case t.Status == state.Running:
			m.Reason = "left running by an apply that did not finish"
			h.Retry = append(h.Retry, m)
		case t.Status == state.Interrupted:
			m.Reason = "interrupted"
			h.Retry = append(h.Retry, m)
		case t.Attempts < MaxAttempts:
			m.Reason = "failed: " + t.Error
			h.Retry = append(h.Retry, m)
		case pol.RetryFailed:
			m.Reason = fmt.Sprintf("failed %d attempts, retried (-retry-failed): %s", t.Attempts, t.Error)
			h.Retry = append(h.Retry, m)
		default:
			h.Failed = append(h.Failed, m)
		}
	}
	return h
}

// Request builds the strategy request from the history: completed and
// failed trials are observations, retries are pending.
func (h History) Request(s *definition.Search) search.Request {
	req := search.Request{Space: s.Space, Seed: s.Seed}
	for _, m := range merge(h.Kept, h.Failed) {
		o := search.Observation{Point: m.Point, Failed: m.Trial.Status != state.Completed}
		if !o.Failed {
			o.Value = Objective(s, m.Trial.Metrics[s.Metric])
		}
		req.Observations = append(req.Observations, o)
	}
	for _, m := range h.Retry {
		req.Pending = append(req.Pending, m.Point)
	}
	return req
}

// merge merges two number-sorted lists.
func merge(a, b []Matched) []Matched {
	out := make([]Matched, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].Trial.Number < b[0].Trial.Number {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Objective turns a metric into a value to minimize.
func Objective(s *definition.Search, metric float64) float64 {
	if s.Mode == definition.Max {
		return -metric
	}
	return metric
}

// Best returns the best completed matching trial, ties broken by the lower
// trial number, or nil.
func Best(s *definition.Search, trials []*state.Trial) *state.Trial {
	return Classify(s, trials).Best(s)
}

// Best returns the best kept trial, ties broken by the lower trial number,
// or nil.
func (h History) Best(s *definition.Search) *state.Trial {
	var best *state.Trial
	var bestVal float64
	for _, m := range h.Kept {
		v, ok := m.Trial.Metrics[s.Metric]
		if !ok {
			continue
		}
		o := Objective(s, v)
		if best == nil || o < bestVal {
			best, bestVal = m.Trial, o
		}
	}
	return best
}

// Matching returns the numbers of the trials that match the definition
// (kept, failed or to retry).
func (h History) Matching() map[int]bool {
	m := make(map[int]bool, len(h.Kept)+len(h.Failed)+len(h.Retry))
	for _, list := range [][]Matched{h.Kept, h.Failed, h.Retry} {
		for _, x := range list {
			m[x.Trial.Number] = true
		}
	}
	return m
}
