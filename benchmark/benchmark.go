// Package benchmark measures the search strategies on test functions with
// known optima, through the same search.Strategy interface fwapply uses:
// simple regret at given budgets over many seeds, and the latency of one
// ask of the Bayesian strategy.
//
// Contract: runs are deterministic for a given function, strategy, seed
// and number of workers; nothing here touches files or processes.
package benchmark

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/search/testfunc"
	"github.com/frameworm/frameworm/space"
)

// Space builds the search space of a test function. With gridPoints > 0,
// continuous dimensions get a step so that each has about gridPoints
// values, which makes the space finite for grid search. A Dim's When
// becomes the dimension's space.Condition.
func Space(f testfunc.Function, gridPoints int) (*space.Space, error) {
	var dims []space.Dimension
	var conds []space.Condition
	for _, d := range f.Dims {
		if d.When != nil {
			j := slices.IndexFunc(f.Dims, func(e testfunc.Dim) bool { return e.Name == d.When.Dim })
			if j < 0 {
				return nil, fmt.Errorf("%s: dimension %s: its condition reads %q, which is not a dimension", f.Name, d.Name, d.When.Dim)
			}
			values := slices.Clone(d.When.Values)
			for len(conds) < len(dims) {
				conds = append(conds, nil)
			}
			conds = append(conds, space.Func(func(p space.Point) bool {
				v, ok := p[j].(string)
				return ok && slices.Contains(values, v)
			}, d.When.Dim))
		}
		var dim space.Dimension
		var err error
		switch d.Kind {
		case "real":
			step := 0.0
			if gridPoints > 1 && !d.Log {
				step = (d.High - d.Low) / float64(gridPoints-1)
			}
			dim, err = space.NewReal(d.Name, d.Low, d.High, d.Log, step)
		case "integer":
			dim, err = space.NewInteger(d.Name, d.Low, d.High, d.Log, 0)
		case "categorical":
			vals := make([]space.Value, len(d.Values))
			for i, v := range d.Values {
				vals[i] = v
			}
			dim, err = space.NewCategorical(d.Name, vals)
		default:
			err = fmt.Errorf("unknown kind %q", d.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: dimension %s: %w", f.Name, d.Name, err)
		}
		dims = append(dims, dim)
	}
	return space.NewConditional(dims, conds)
}

// Run is one optimization run.
type Run struct {
	// BestSoFar[i] is the best value after i+1 evaluations.
	BestSoFar []float64
	// AskTimes[i] is how long the ask that proposed evaluation i took.
	AskTimes []time.Duration
}

// Regret returns the simple regret after budget evaluations.
func (r Run) Regret(f testfunc.Function, budget int) float64 {
	i := min(budget, len(r.BestSoFar)) - 1
	if i < 0 {
		return math.Inf(1)
	}
	return r.BestSoFar[i] - f.Optimum
}

// Optimize runs a strategy for budget evaluations of f. With workers > 1
// it simulates that many parallel workers: each ask sees the points of the
// other workers as pending, and the oldest pending point is evaluated
// next, as in fwapply's steady state.
func Optimize(f testfunc.Function, sp *space.Space, s search.Strategy, seed int64, budget, workers int) (Run, error) {
	var run Run
	var obs []search.Observation
	var pending []space.Point
	best := math.Inf(1)
	evaluate := func(p space.Point) {
		v := f.Eval([]any(p))
		obs = append(obs, search.Observation{Point: p, Value: v})
		best = min(best, v)
		run.BestSoFar = append(run.BestSoFar, best)
	}
	for len(obs) < budget {
		if len(obs)+len(pending) < budget && len(pending) < workers {
			start := time.Now()
			pts, err := s.Propose(search.Request{Space: sp, Seed: seed, Observations: obs, Pending: pending}, 1)
			run.AskTimes = append(run.AskTimes, time.Since(start))
			if err != nil {
				return run, err
			}
			if len(pts) == 0 {
				if len(pending) == 0 {
					return run, nil // exhausted
				}
			} else {
				pending = append(pending, pts[0])
				continue
			}
		}
		evaluate(pending[0])
		pending = pending[1:]
	}
	return run, nil
}

// Stats are the median and interquartile range of a sample.
type Stats struct {
	Median, Q1, Q3 float64
}

// Summarize returns the median and quartiles of xs.
func Summarize(xs []float64) Stats {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 {
		if len(s) == 0 {
			return math.NaN()
		}
		pos := p * float64(len(s)-1)
		lo := int(math.Floor(pos))
		hi := int(math.Ceil(pos))
		return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
	}
	return Stats{Median: q(0.5), Q1: q(0.25), Q3: q(0.75)}
}

// AskLatency measures one Bayesian ask after n observations of f drawn by
// random search: the median of repeats.
func AskLatency(f testfunc.Function, sp *space.Space, b search.Bayesian, n, repeats int) (time.Duration, error) {
	pts, err := search.Random{}.Propose(search.Request{Space: sp, Seed: 1}, n)
	if err != nil {
		return 0, err
	}
	obs := make([]search.Observation, len(pts))
	for i, p := range pts {
		obs[i] = search.Observation{Point: p, Value: f.Eval([]any(p))}
	}
	var times []float64
	for r := range repeats {
		start := time.Now()
		if _, err := b.Propose(search.Request{Space: sp, Seed: int64(r), Observations: obs}, 1); err != nil {
			return 0, err
		}
		times = append(times, float64(time.Since(start)))
	}
	return time.Duration(Summarize(times).Median), nil
}
