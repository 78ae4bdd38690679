package prune

import (
	"fmt"
	"math"
)

// nextRung returns the rung after the one at step r, ok false when there
// is none below MaxSteps.
func nextRung(s Settings, r int64) (int64, bool) {
	f := int64(s.ReductionFactor)
	if r > math.MaxInt64/f {
		return 0, false
	}
	r *= f
	return r, r < int64(s.MaxSteps)
}

// rungs is the number of rungs.
func rungs(s Settings) int {
	r := int64(s.MinSteps)
	if r >= int64(s.MaxSteps) {
		return 0
	}
	n := 1
	for {
		var ok bool
		if r, ok = nextRung(s, r); !ok {
			return n
		}
		n++
	}
}

// nextRungStep returns the step at which the first rung after `after` is
// checked: the first accepted step >= that rung. ok is false when steps
// did not reach it, or there is none.
func nextRungStep(s Settings, steps []Step, after int64) (int64, bool) {
	r := int64(s.MinSteps)
	if r >= int64(s.MaxSteps) {
		return 0, false
	}
	for r <= after {
		var ok bool
		if r, ok = nextRung(s, r); !ok {
			return 0, false
		}
	}
	c := newCursor(steps)
	e, ok := c.seek(r)
	return e.Step, ok
}

// decideASHA runs successive halving over the rungs t reached after
// `after`.
func decideASHA(s Settings, g *group, after int64) Decision {
	d := Decision{Checked: after}
	r := int64(s.MinSteps)
	if !g.ownAny || r >= int64(s.MaxSteps) {
		return d
	}
	last := rungs(s) - 1
	var comp []float64
	for k := 0; r <= g.ownMax; k++ {
		if r > after {
			e, _ := g.own.seek(r) // there is one: ownMax >= r
			// 1. Its own NaN.
			if math.IsNaN(e.Value) {
				d.Prune, d.Step, d.Value = true, e.Step, e.Value
				d.Reason = fmt.Sprintf("pruned at step %d (rung %d of 0..%d): %s is NaN",
					e.Step, k, last, s.Metric)
				return d
			}
			// 2. Every peer at r or ended.
			if r > g.known {
				d.Waiting = true
				return d
			}
			// 3. Among the best 1/ReductionFactor.
			comp = append(comp[:0], plusZero(e.Value))
			for i := range g.peers {
				v, ok := g.peers[i].seek(r)
				if !ok {
					continue // ended before r
				}
				comp = append(comp, plusZero(v.Value))
			}
			n := len(comp)
			idx := max(n/s.ReductionFactor-1, 0)
			cut := nthBest(comp, idx, s.Maximize)
			if better(cut, e.Value, s.Maximize) {
				v, c := formatPair(e.Value, cut)
				d.Prune, d.Step, d.Value = true, e.Step, e.Value
				d.Reason = fmt.Sprintf("pruned at step %d (rung %d of 0..%d): %s %s not in the best 1/%d of %s at step %d (cutoff %s)",
					e.Step, k, last, s.Metric, v, s.ReductionFactor, trials(n), r, c)
				return d
			}
			d.Checked = r
		}
		var ok bool
		if r, ok = nextRung(s, r); !ok {
			break
		}
	}
	return d
}

// nthBest returns the value at index idx (0 the best) of vals sorted best
// first, NaN last; it reorders vals.
func nthBest(vals []float64, idx int, maximize bool) float64 {
	nums := vals[:0]
	for _, v := range vals {
		if !math.IsNaN(v) {
			nums = append(nums, v)
		}
	}
	if idx >= len(nums) {
		return math.NaN()
	}
	if maximize {
		return kth(nums, len(nums)-1-idx)
	}
	return kth(nums, idx)
}
