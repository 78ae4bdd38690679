package plan

import (
	"math"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/state"
)

// Noise is how much a search's score varies between runs of one config,
// estimated from the kept configs that ran more than once.
type Noise struct {
	// SD is the pooled standard deviation of the scores of repeated
	// configs; it is meaningful only when Configs > 0.
	SD float64
	// Configs is the number of configs that ran more than once.
	Configs int
}

// Noise estimates the score's spread between runs of one config from the
// kept trials: configs (by config hash) completed more than once give the
// pooled standard deviation of their scores.
func (h History) Noise(s *definition.Search) Noise {
	// Group the scores by config hash without a slice per group: each
	// group's first and last score, each score linked to the next of its
	// group, groups in the order they first appear.
	type group struct{ first, last, n int32 }
	ids := make(map[string]int32, len(h.Kept))
	var groups []group
	vals := make([]float64, 0, len(h.Kept))
	next := make([]int32, 0, len(h.Kept))
	for _, m := range h.Kept {
		v, ok := m.Trial.Metrics[s.Metric]
		if !ok || m.Trial.ConfigHash == "" {
			continue
		}
		i := int32(len(vals))
		vals, next = append(vals, v), append(next, -1)
		g, seen := ids[m.Trial.ConfigHash]
		if !seen {
			ids[m.Trial.ConfigHash] = int32(len(groups))
			groups = append(groups, group{first: i, last: i, n: 1})
			continue
		}
		next[groups[g].last] = i
		groups[g].last = i
		groups[g].n++
	}
	var ss float64
	var n Noise
	dof := 0
	for _, g := range groups {
		if g.n < 2 {
			continue
		}
		mean := 0.0
		for i := g.first; i >= 0; i = next[i] {
			mean += vals[i]
		}
		mean /= float64(g.n)
		for i := g.first; i >= 0; i = next[i] {
			ss += (vals[i] - mean) * (vals[i] - mean)
		}
		dof += int(g.n) - 1
		n.Configs++
	}
	if dof > 0 {
		n.SD = math.Sqrt(ss / float64(dof))
	}
	return n
}

// ExcludedBest returns the best completed trial among those that no
// longer match the definition, with why it does not (its mismatches
// without its own values), or nil: the previous best when an edit of the
// definition excluded every trial.
func (h History) ExcludedBest(s *definition.Search) (*state.Trial, string) {
	var best *state.Trial
	var bestVal float64
	var why string
	for _, x := range h.Excluded {
		v, ok := x.Trial.Metrics[s.Metric]
		if x.Trial.Status != state.Completed || !ok {
			continue
		}
		if o := Objective(s, v); best == nil || o < bestVal {
			best, bestVal, why = x.Trial, o, GroupReason(x.Mismatches)
		}
	}
	return best, why
}
