// Package benchmark measures the search strategies on test functions with
// known optima, through the same search.Strategy interface fwapply uses:
// simple regret at given budgets over many seeds, and the latency of one
// ask of the Bayesian strategy.
//
// Contract: runs are deterministic for a given function, strategy, seed
// and number of workers, the observation noise of a noisy function
// included (one stream per seed, drawn in evaluation order); a run is
// scored by the noise-free value of the config it recommends, the point
// of its best observation. Nothing here touches files or processes.
package benchmark

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
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
	// BestSoFar[i] is the noise-free value, after i+1 evaluations, of the
	// recommended point: the point of the best observation so far (the
	// lowest observed value, the earliest on ties). For a noiseless
	// function it is the best value so far; for a noisy one it can rise,
	// when a lucky draw makes a worse point look best.
	BestSoFar []float64
	// AskTimes[i] is how long the ask that proposed evaluation i took.
	AskTimes []time.Duration

	// For a noisy function and a strategy that recommends
	// (search.Recommender): what it recommends from.
	recommender search.Recommender
	space       *space.Space
	seed        int64
	obs         []search.Observation
}

// Regret returns the simple regret after budget evaluations: the
// noise-free value of the recommended point minus the optimum. The
// recommended point is that of the best observation (see BestSoFar),
// except on a noisy function optimized by a strategy that recommends
// (search.Recommender, such as search.Bayesian: the observed point of the
// lowest model mean), where it is the strategy's recommendation from the
// first budget observations. A recommendation that fails falls back to
// the best observation.
func (r Run) Regret(f testfunc.Function, budget int) float64 {
	i := min(budget, len(r.BestSoFar)) - 1
	if i < 0 {
		return math.Inf(1)
	}
	if r.recommender != nil && f.NoiseSD > 0 {
		obs := r.obs[:i+1]
		if k, err := r.recommender.Recommend(search.Request{Space: r.space, Seed: r.seed, Observations: obs}); err == nil && k >= 0 {
			return f.Eval([]any(obs[k].Point)) - f.Optimum
		}
	}
	return r.BestSoFar[i] - f.Optimum
}

// noiseStream is the PCG stream of the observation noise of a noisy
// function; the seed is the run's.
const noiseStream = 0x6e6f697365 // "noise"

// recorder evaluates points in order, the observation noise drawn from
// one stream per seed, and keeps the recommended point's noise-free value.
type recorder struct {
	f         testfunc.Function
	noise     *rand.Rand
	obs       []search.Observation
	bestNoisy float64
	run       Run
}

func newRecorder(f testfunc.Function, seed int64) *recorder {
	return &recorder{f: f, noise: rand.New(rand.NewPCG(uint64(seed), noiseStream)), bestNoisy: math.Inf(1)}
}

func (r *recorder) evaluate(p space.Point) {
	v := r.f.Observe([]any(p), r.noise)
	r.obs = append(r.obs, search.Observation{Point: p, Value: v})
	r.run.obs = r.obs
	rec := math.Inf(1)
	if n := len(r.run.BestSoFar); n > 0 {
		rec = r.run.BestSoFar[n-1]
	}
	if v < r.bestNoisy {
		r.bestNoisy = v
		rec = v
		if r.f.NoiseSD > 0 {
			rec = r.f.Eval([]any(p))
		}
	}
	r.run.BestSoFar = append(r.run.BestSoFar, rec)
}

// Optimize runs a strategy for budget evaluations of f. With workers > 1
// it simulates that many parallel workers: each ask sees the points of the
// other workers as pending, and the oldest pending point is evaluated
// next, as in fwapply's steady state. The strategy sees f's observations
// (noisy when f is); the run records the best observation's noise-free
// value (see Run.BestSoFar) and, for a strategy that recommends, what it
// recommends from (see Run.Regret).
func Optimize(f testfunc.Function, sp *space.Space, s search.Strategy, seed int64, budget, workers int) (Run, error) {
	rec := newRecorder(f, seed)
	if r, ok := s.(search.Recommender); ok {
		rec.run.recommender, rec.run.space, rec.run.seed = r, sp, seed
	}
	var pending []space.Point
	for len(rec.obs) < budget {
		if len(rec.obs)+len(pending) < budget && len(pending) < workers {
			start := time.Now()
			pts, err := s.Propose(search.Request{Space: sp, Seed: seed, Observations: rec.obs, Pending: pending}, 1)
			rec.run.AskTimes = append(rec.run.AskTimes, time.Since(start))
			if err != nil {
				return rec.run, err
			}
			if len(pts) == 0 {
				if len(pending) == 0 {
					return rec.run, nil // exhausted
				}
			} else {
				pending = append(pending, pts[0])
				continue
			}
		}
		rec.evaluate(pending[0])
		pending = pending[1:]
	}
	return rec.run, nil
}

// RandomRun is Optimize with search.Random, for any number of workers,
// in one ask: Random replays one stream per seed and ignores the values,
// so its first budget points are the same however they are asked for,
// and a run of thousands of evaluations costs no ask per point.
func RandomRun(f testfunc.Function, sp *space.Space, seed int64, budget int) (Run, error) {
	rec := newRecorder(f, seed)
	start := time.Now()
	pts, err := search.Random{}.Propose(search.Request{Space: sp, Seed: seed}, budget)
	if err != nil {
		return rec.run, err
	}
	rec.run.AskTimes = []time.Duration{time.Since(start)}
	for _, p := range pts {
		rec.evaluate(p)
	}
	return rec.run, nil
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

// Latency is the cost of one Bayesian ask.
type Latency struct {
	// Median is the median duration over the repeats.
	Median time.Duration
	// Alloc is the bytes allocated by one ask (runtime.MemStats.TotalAlloc
	// delta) and PeakHeap the highest heap in use during it above the
	// heap before it (live and not yet collected objects, sampled every
	// millisecond with runtime/metrics), both from one more ask.
	Alloc, PeakHeap uint64
}

// AskLatency measures one Bayesian ask of batch points after n
// observations of f drawn by random search, with nothing pending: the
// median over repeats, then the memory of one more ask.
func AskLatency(f testfunc.Function, sp *space.Space, b search.Bayesian, n, batch, repeats int) (Latency, error) {
	var lat Latency
	rec := newRecorder(f, 1)
	pts, err := search.Random{}.Propose(search.Request{Space: sp, Seed: 1}, n)
	if err != nil {
		return lat, err
	}
	for _, p := range pts {
		rec.evaluate(p)
	}
	ask := func(seed int64) error {
		_, err := b.Propose(search.Request{Space: sp, Seed: seed, Observations: rec.obs}, batch)
		return err
	}
	var times []float64
	for r := range repeats {
		start := time.Now()
		if err := ask(int64(r)); err != nil {
			return lat, err
		}
		times = append(times, float64(time.Since(start)))
	}
	lat.Median = time.Duration(Summarize(times).Median)
	lat.Alloc, lat.PeakHeap, err = memory(func() error { return ask(int64(repeats)) })
	return lat, err
}

// memory runs fn and returns the bytes it allocated and the peak heap in
// use above the heap before it.
func memory(fn func() error) (alloc, peak uint64, err error) {
	const heap = "/memory/classes/heap/objects:bytes"
	sample := []metrics.Sample{{Name: heap}}
	read := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	base := read()
	highest := base
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			highest = max(highest, read())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	err = fn()
	close(stop)
	<-done
	highest = max(highest, read())
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, highest - base, err
}
