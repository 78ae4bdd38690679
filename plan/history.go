package plan

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"

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
// Each list is in trial-number order.
type History struct {
	Kept     []Matched // completed
	Pruned   []Matched // stopped by the pruner: never run again, never the best
	Failed   []Matched // failed MaxAttempts times
	Retry    []Matched // to run again
	Excluded []Excluded

	pol Policy // the policy it was classified with
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
	// Most trials are usually kept: one allocation for them too.
	h := History{Kept: make([]Matched, 0, len(trials)), pol: pol}
	m := newMatcher(s)
	// One allocation for the points of every trial, not one each: at
	// 100k trials every plan, show and apply classifies them (an apply
	// once, with its plan: see Search.History and Update).
	n := len(s.Params)
	points := make([]space.Value, len(trials)*n)
	for i, t := range trials {
		pt, mm := m.explainInto(t, points[i*n:(i+1)*n:(i+1)*n])
		if len(mm) > 0 {
			h.Excluded = append(h.Excluded, Excluded{Trial: t, Mismatches: mm})
			continue
		}
		h.add(Matched{Trial: t, Point: pt})
	}
	return h
}

// add appends a matching trial to the list the policy puts it in.
func (h *History) add(m Matched) {
	t, pol := m.Trial, h.pol
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
	case t.Status == state.Pruned:
		h.Pruned = append(h.Pruned, m)
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

// withPolicy returns the history under another policy: what ClassifyWith
// with pol would give for the same trials, without matching them again.
func (h History) withPolicy(pol Policy) History {
	if len(h.pol.Replace) == 0 && !h.pol.RetryFailed && len(pol.Replace) == 0 && !pol.RetryFailed {
		return h
	}
	out := History{Kept: make([]Matched, 0, len(h.Kept)+len(h.Retry)), Excluded: h.Excluded, pol: pol}
	for _, m := range merge(merge(merge(h.Kept, h.Failed), h.Retry), h.Pruned) {
		m.Reason = ""
		out.add(m)
	}
	return out
}

// Update returns the history after the trials in changed were put in the
// state (new trials, or new records of trials h holds): what
// ClassifyWith, with h's policy, gives for the trials h was classified
// from with those put, matching only the changed trials.
func (h History) Update(s *definition.Search, changed []*state.Trial) History {
	if len(changed) == 0 {
		return h
	}
	byNumber := make(map[int]*state.Trial, len(changed))
	for _, t := range changed {
		byNumber[t.Number] = t
	}
	news := slices.SortedFunc(maps.Values(byNumber), func(a, b *state.Trial) int { return cmp.Compare(a.Number, b.Number) })
	fresh := ClassifyWith(s, news, h.pol)
	keep := func(m Matched) bool { return byNumber[m.Trial.Number] == nil }
	out := History{
		Kept:   merge(filter(h.Kept, keep), fresh.Kept),
		Pruned: merge(filter(h.Pruned, keep), fresh.Pruned),
		Failed: merge(filter(h.Failed, keep), fresh.Failed),
		Retry:  merge(filter(h.Retry, keep), fresh.Retry),
		pol:    h.pol,
	}
	ex := filter(h.Excluded, func(x Excluded) bool { return byNumber[x.Trial.Number] == nil })
	out.Excluded = make([]Excluded, 0, len(ex)+len(fresh.Excluded))
	for len(ex) > 0 && len(fresh.Excluded) > 0 {
		if ex[0].Trial.Number < fresh.Excluded[0].Trial.Number {
			out.Excluded, ex = append(out.Excluded, ex[0]), ex[1:]
		} else {
			out.Excluded, fresh.Excluded = append(out.Excluded, fresh.Excluded[0]), fresh.Excluded[1:]
		}
	}
	out.Excluded = append(append(out.Excluded, ex...), fresh.Excluded...)
	return out
}

// filter returns the elements of list that keep accepts, in a new slice
// (h's lists are shared by the copies of a History: never append to them).
func filter[T any](list []T, keep func(T) bool) []T {
	out := make([]T, 0, len(list))
	for _, x := range list {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// Request builds the strategy request from the history: completed,
// pruned and failed trials are observations, retries are pending. A
// pruned trial's value is the objective of the last value it reported of
// the search's metric (NaN when its pruner watched another metric).
func (h History) Request(s *definition.Search) search.Request {
	req := search.Request{Space: s.Space, Seed: s.Seed}
	if n := len(h.Kept) + len(h.Failed) + len(h.Pruned); n > 0 {
		req.Observations = make([]search.Observation, 0, n)
	}
	// Kept, Failed and Pruned merged in number order, without building
	// the list when there are no pruned trials.
	kept, failed := h.Kept, h.Failed
	if len(h.Pruned) > 0 {
		kept = merge(kept, h.Pruned)
	}
	for len(kept)+len(failed) > 0 {
		var m *Matched
		if len(failed) == 0 || (len(kept) > 0 && kept[0].Trial.Number < failed[0].Trial.Number) {
			m, kept = &kept[0], kept[1:]
		} else {
			m, failed = &failed[0], failed[1:]
		}
		o := search.Observation{Point: m.Point}
		switch m.Trial.Status {
		case state.Completed:
			o.Value = Objective(s, m.Trial.Metrics[s.Metric])
		case state.Pruned:
			o.Pruned, o.Value = true, math.NaN()
			if p := s.Pruner; m.Trial.Pruned != nil && (p == nil || p.Metric == "" || p.Metric == s.Metric) {
				o.Value = Objective(s, m.Trial.Pruned.Value)
			}
		default:
			o.Failed = true
		}
		req.Observations = append(req.Observations, o)
	}
	if len(h.Retry) > 0 {
		req.Pending = make([]space.Point, 0, len(h.Retry))
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
	m := make(map[int]bool, len(h.Kept)+len(h.Failed)+len(h.Retry)+len(h.Pruned))
	for _, list := range [][]Matched{h.Kept, h.Failed, h.Retry, h.Pruned} {
		for _, x := range list {
			m[x.Trial.Number] = true
		}
	}
	return m
}
