package command

import (
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// showIndex is what show -json needs of the trials' configs, gathered as
// the state loads so that the configs need not stay in memory (at 100k
// trials they are most of it): which trials no longer match their search,
// and each search's best candidates, the only trials that keep their
// configs, since the best is printed whole.
type showIndex struct {
	def      *definition.Definition
	matchers map[string]*plan.Matcher
	excluded map[state.TrialRef]bool
	best     map[string]float64 // the best objective read so far, by search
}

func newShowIndex(def *definition.Definition) *showIndex {
	return &showIndex{def: def, matchers: map[string]*plan.Matcher{}, excluded: map[state.TrialRef]bool{}, best: map[string]float64{}}
}

// keep is the state.LoadOptions.Trial of show -json: it matches each
// trial record as it is read, and drops its config unless it may be the
// best. A later record of the same trial replaces what an earlier one
// left here.
func (x *showIndex) keep(t *state.Trial) *state.Trial {
	s := x.def.Search(t.Search)
	if s == nil || s.Deferred != nil { // no longer defined (every trial excluded), or known only after apply: no best
		t.Config = nil
		return t
	}
	m := x.matchers[s.Name]
	if m == nil {
		m = plan.NewMatcher(s)
		x.matchers[s.Name] = m
	}
	_, ok := m.Match(t)
	if ok {
		delete(x.excluded, t.Ref())
	} else {
		x.excluded[t.Ref()] = true
	}
	if v, has := t.Metrics[s.Metric]; has && ok && t.Status == state.Completed && !t.Tainted {
		o := plan.Objective(s, v)
		if b, seen := x.best[s.Name]; !seen || o <= b {
			x.best[s.Name] = o
			return t
		}
	}
	t.Config = nil
	return t
}

// match is the views.ShowMatch of a state loaded through keep: the best
// kept trial (as plan.History.Best finds it) and the excluded trials.
func (x *showIndex) match(s *definition.Search, trials []*state.Trial) (*state.Trial, map[int]bool) {
	var best *state.Trial
	var bestVal float64
	excluded := map[int]bool{}
	if s.Deferred != nil {
		return nil, excluded
	}
	for _, t := range trials {
		if x.excluded[t.Ref()] {
			excluded[t.Number] = true
			continue
		}
		v, ok := t.Metrics[s.Metric]
		if !ok || t.Status != state.Completed || t.Tainted {
			continue
		}
		if o := plan.Objective(s, v); best == nil || o < bestVal {
			best, bestVal = t, o
		}
	}
	return best, excluded
}

// complete reports whether the best trial of every named search kept its
// config. It may not have when a later record made an earlier best worse
// or removed it: then the state must be read whole.
func (x *showIndex) complete(st *state.State, names []string) bool {
	for _, name := range names {
		if s := x.def.Search(name); s != nil {
			if best, _ := x.match(s, st.Trials(name)); best != nil && best.Config == nil {
				return false
			}
		}
	}
	return true
}
