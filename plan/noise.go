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
	groups := map[string][]float64{}
	for _, m := range h.Kept {
		v, ok := m.Trial.Metrics[s.Metric]
		if !ok || m.Trial.ConfigHash == "" {
			continue
		}
		groups[m.Trial.ConfigHash] = append(groups[m.Trial.ConfigHash], v)
	}
	var ss float64
	var n Noise
	dof := 0
	for _, vs := range groups {
		if len(vs) < 2 {
			continue
		}
		mean := 0.0
		for _, x := range vs {
			mean += x
		}
		mean /= float64(len(vs))
		for _, x := range vs {
			ss += (x - mean) * (x - mean)
		}
		dof += len(vs) - 1
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
