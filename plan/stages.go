package plan

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/state"
)

// This file holds what plans do with searches that build on searches
// (stages): the outcome of an upstream search as downstream searches read
// it, deferred searches, -target's upstreams, and the upstream trial a
// downstream search was last applied from.

// UpstreamsKey is the key of the settings an apply records (Settings)
// that names, for each search the search reads, the number of the trial
// that was its best when the search was applied: {"coarse": 12}.
const UpstreamsKey = "upstreams"

// UpstreamChange says that the best trial of a search that a downstream
// search reads changed since the downstream was last applied: the
// downstream's definition was made from trial From then, and is made from
// trial To now.
type UpstreamChange struct {
	Upstream string `json:"upstream"`
	From     int    `json:"from"`
	To       int    `json:"to"`
}

// Deferred returns the names of the searches of the plan whose definition
// is known only after apply (definition.Search.Deferred), in plan order.
func (p *Plan) Deferred() []string {
	var out []string
	for _, s := range p.Searches {
		if s.Deferred != nil {
			out = append(out, s.Name)
		}
	}
	return out
}

// Outcome returns what searches that read s (search.NAME.best and .top,
// refine's from) see of it against st: Known when the plan of s (the
// default retry policy) has no trial to run; then Top is its completed
// matching trials with the metric, best first (equal scores: the lower
// number first), so Top[0] is the trial Best returns. While it is not
// known, Pending says what remains: "12 of 40 trials to run" (40 is the
// budget: the grid size for grid search).
func Outcome(s *definition.Search, st *state.State) definition.Outcome {
	if s.Deferred != nil {
		return definition.Outcome{Pending: "itself " + s.Deferred.Reason}
	}
	ps, err := makeSearch(s, st, Policy{})
	if err != nil {
		return definition.Outcome{Pending: fmt.Sprintf("cannot be planned: %v", err)}
	}
	if n := len(ps.ToRun) + len(ps.ToRetry); n > 0 {
		return definition.Outcome{Pending: fmt.Sprintf("%d of %d trials to run", n, ps.Budget)}
	}
	return definition.Outcome{Known: true, Top: top(s, ps.made.h)}
}

// top is a search's kept trials that reported its metric, best first
// (equal scores: the lower number; a NaN score last).
func top(s *definition.Search, h History) []definition.OutcomeTrial {
	type ranked struct {
		m   Matched
		obj float64
	}
	var rs []ranked
	for _, m := range h.Kept {
		v, ok := m.Trial.Metrics[s.Metric]
		if !ok {
			continue
		}
		rs = append(rs, ranked{m, Objective(s, v)})
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		an, bn := math.IsNaN(a.obj), math.IsNaN(b.obj)
		switch {
		case an && bn:
		case an:
			return 1
		case bn:
			return -1
		default:
			if c := cmp.Compare(a.obj, b.obj); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.m.Trial.Number, b.m.Trial.Number)
	})
	out := make([]definition.OutcomeTrial, len(rs))
	for i, r := range rs {
		t := r.m.Trial
		out[i] = definition.OutcomeTrial{Trial: t.Number, Config: t.Config, Params: t.Params, Score: t.Metrics[s.Metric], Metrics: t.Metrics}
	}
	return out
}

// withUpstreams returns the targets with every search they read, directly
// or not (as Terraform's -target includes what a target depends on), in
// definition order; empty targets stay empty (every search).
func withUpstreams(def *definition.Definition, targets []string) []string {
	if len(targets) == 0 {
		return nil
	}
	want := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if want[name] {
			return
		}
		want[name] = true
		if s := def.Search(name); s != nil {
			for _, u := range s.Upstreams {
				visit(u)
			}
		}
	}
	for _, t := range targets {
		visit(t)
	}
	var out []string
	for _, s := range def.Searches {
		if want[s.Name] {
			out = append(out, s.Name)
		}
	}
	return out
}

// WithUpstreams is the searches a -target of names plans: those searches
// and every search they read, directly or not, in definition order.
func WithUpstreams(def *definition.Definition, names []string) []string {
	return withUpstreams(def, names)
}

// Settings is what an apply records of a search (see
// state.State.Settings): its definition's settings and, for a search that
// reads others, under UpstreamsKey, the number of the best trial of each
// search it reads, as Outcome gives it from st (the trial its definition
// was made from). A plan compares them with the next definition to say
// what changed since the last apply.
func Settings(def *definition.Definition, s *definition.Search, st *state.State) map[string]any {
	m := s.Settings()
	if ups := upstreamTrials(def, s, st); len(ups) > 0 {
		m[UpstreamsKey] = ups
	}
	return m
}

// upstreamTrials is the best trial of each search s reads, by name, as
// int64 (a state value); searches without a known best are left out.
func upstreamTrials(def *definition.Definition, s *definition.Search, st *state.State) map[string]any {
	out := map[string]any{}
	for _, name := range s.Upstreams {
		u := def.Search(name)
		if u == nil {
			continue
		}
		if o := Outcome(u, st); o.Known && len(o.Top) > 0 {
			out[name] = int64(o.Top[0].Trial)
		}
	}
	return out
}

// withoutUpstreams returns recorded settings without UpstreamsKey, for
// comparing with definition.Search.Settings.
func withoutUpstreams(m map[string]any) map[string]any {
	if _, ok := m[UpstreamsKey]; !ok {
		return m
	}
	out := maps.Clone(m)
	delete(out, UpstreamsKey)
	return out
}

// upstreamChanges compares the upstream trials recorded by the last apply
// of s with the current ones: one change per upstream whose best changed.
func upstreamChanges(def *definition.Definition, s *definition.Search, st *state.State) []UpstreamChange {
	old, _ := st.Settings(s.Name)[UpstreamsKey].(map[string]any)
	if len(old) == 0 || len(s.Upstreams) == 0 {
		return nil
	}
	now := upstreamTrials(def, s, st)
	var out []UpstreamChange
	for _, name := range s.Upstreams {
		from, ok1 := asInt(old[name])
		to, ok2 := asInt(now[name])
		if ok1 && ok2 && from != to {
			out = append(out, UpstreamChange{Upstream: name, From: from, To: to})
		}
	}
	return out
}

// asInt reads a trial number recorded in the state.
func asInt(v any) (int, bool) {
	switch v := v.(type) {
	case int64:
		return int(v), true
	case int:
		return v, true
	case float64:
		if v == math.Trunc(v) {
			return int(v), true
		}
	}
	return 0, false
}

// deferredSearch is the plan of a search whose definition is known only
// after apply: no trial is planned; Recorded counts the trials the state
// holds of it, matched once its definition is known.
func deferredSearch(s *definition.Search, st *state.State) *Search {
	return &Search{Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode, Budget: s.Trials,
		Deferred: s.Deferred, Recorded: len(st.Trials(s.Name))}
}
