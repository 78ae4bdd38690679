package prune

import (
	"fmt"
	"math"
	"slices"
)

// isMedianCheckpoint reports whether step st is a checkpoint of the
// median pruner.
func isMedianCheckpoint(s Settings, st int64) bool {
	w := int64(s.WarmupSteps)
	return st >= w && (st-w)%int64(s.Interval) == 0
}

// nextMedianCheckpoint is the first checkpoint of steps after `after`.
func nextMedianCheckpoint(s Settings, steps []Step, after int64) (int64, bool) {
	c := newCursor(steps)
	for {
		e, ok := c.next()
		if !ok {
			return 0, false
		}
		if e.Step > after && isMedianCheckpoint(s, e.Step) {
			return e.Step, true
		}
	}
}

// decideMedian runs the median pruner over t's checkpoints after `after`.
func decideMedian(s Settings, g *group, after int64) Decision {
	d := Decision{Checked: after}
	best := math.NaN()
	var vals []float64
	for {
		e, ok := g.own.next()
		if !ok {
			return d
		}
		if better(e.Value, best, s.Maximize) {
			best = e.Value
		}
		st := e.Step
		if st <= after || !isMedianCheckpoint(s, st) {
			continue
		}
		// 1. Startup.
		if g.completed < s.StartupTrials {
			if g.completed+g.running < s.StartupTrials {
				d.Checked = st
				continue
			}
			d.Waiting = true
			return d
		}
		// 2. Nothing but NaN.
		if math.IsNaN(best) {
			d.Prune, d.Step, d.Value = true, st, best
			d.Reason = fmt.Sprintf("pruned at step %d: %s is NaN at every step up to %d", st, s.Metric, st)
			return d
		}
		// 3. Every peer at s or ended.
		if st > g.known {
			d.Waiting = true
			return d
		}
		// 4. The median of the peers' values at s.
		vals = vals[:0]
		for i := range g.peers {
			if v, ok := g.peers[i].seek(st); ok && v.Step == st && !math.IsNaN(v.Value) {
				vals = append(vals, plusZero(v.Value))
			}
		}
		med, ok := median(vals)
		// 5. Strictly worse.
		if ok && better(med, best, s.Maximize) {
			b, m := formatPair(best, med)
			d.Prune, d.Step, d.Value = true, st, best
			d.Reason = fmt.Sprintf("pruned at step %d: %s %s worse than median %s of %s",
				st, s.Metric, b, m, trials(len(vals)))
			return d
		}
		d.Checked = st
	}
}

// median is the median of vals (no NaN among them), which it reorders;
// ok is false when vals is empty or its two middle values are -Inf and
// +Inf.
func median(vals []float64) (float64, bool) {
	n := len(vals)
	if n == 0 {
		return 0, false
	}
	if n%2 == 1 {
		return kth(vals, n/2), true
	}
	a := kth(vals, n/2-1)
	b := slices.Min(vals[n/2:])
	if a == b {
		return a, true
	}
	if m := a + (b-a)/2; !math.IsInf(b-a, 0) {
		return m, true
	}
	m := a/2 + b/2
	return m, !math.IsNaN(m)
}
