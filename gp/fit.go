package gp

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/optimize"
)

// Options tune Fit. The zero value is a sensible default.
type Options struct {
	Seed     uint64 // for the random restarts; same inputs + same Seed => same result, bit for bit
	Restarts int    // random restarts besides the default start; 0: 2; negative: none
	Init     *Hyper // optional warm start, tried in addition; ignored unless valid for the inputs
	// InitOnly fits from Init alone, without the default start and the
	// restarts (when Init is valid): a refinement of hyperparameters known
	// to be close, as those of a subset of the points.
	InitOnly bool
	// MaxFitPoints bounds the points the hyperparameters are fitted on
	// (<= 0: 200); the posterior always uses all points. See fitSubset.
	MaxFitPoints int
	// MaxIterations bounds the L-BFGS iterations per start (<= 0: 100);
	// function evaluations are bounded by 3 times as many.
	MaxIterations int
}

const (
	defaultRestarts      = 2
	defaultMaxFitPoints  = 200
	defaultMaxIterations = 100
)

// Fit fits the hyperparameters to the observations and returns the
// posterior with all of them.
//
// The fit maximizes the log marginal likelihood plus the log priors over
// theta (see NegLogPosterior) by L-BFGS with analytic gradients, from the
// default start (defaultHyper), then opts.Init if given, then
// opts.Restarts random starts drawn from opts.Seed; the starts run in
// parallel and the best point any of them evaluated wins (ties: the
// earlier start). The fit uses at most opts.MaxFitPoints points (see
// fitSubset). If no start reaches a finite objective, the model takes
// defaultHyper and FitFailed reports true.
//
// X is n >= 1 rows of d inputs in [0, 1]; y is standardized (mean 0,
// sd 1). The error is for malformed input (see the package contract),
// or, unreachable for finite input, a kernel matrix no jitter factorizes.
func Fit(X [][]float64, y []float64, opts Options) (*Model, error) {
	x, d, err := flatten(X, y)
	if err != nil {
		return nil, err
	}
	y = slices.Clone(y)
	n := len(y)
	maxFit, maxIter := opts.MaxFitPoints, opts.MaxIterations
	if maxFit <= 0 {
		maxFit = defaultMaxFitPoints
	}
	if maxIter <= 0 {
		maxIter = defaultMaxIterations
	}
	sub := fitSubset(y, maxFit)
	xf, yf := x, y
	if len(sub) < n {
		xf = make([]float64, 0, len(sub)*d)
		yf = make([]float64, 0, len(sub))
		for _, i := range sub {
			xf = append(xf, x[i*d:i*d+d]...)
			yf = append(yf, y[i])
		}
	}
	starts := startThetas(d, opts)
	fs := make([]float64, len(starts))
	thetas := make([][]float64, len(starts))
	var next atomic.Int64
	work := func() {
		for {
			s := int(next.Add(1) - 1)
			if s >= len(starts) {
				return
			}
			fs[s], thetas[s] = minimize(newObjective(xf, yf, d), starts[s], maxIter)
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), len(starts)); workers > 1 {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(work)
		}
		wg.Wait()
	} else {
		work()
	}
	best := -1
	for s, f := range fs {
		if finite(f) && (best < 0 || f < fs[best]) {
			best = s
		}
	}
	if best >= 0 {
		theta := thetas[best]
		clampTheta(theta)
		if m, ok := newModel(x, y, d, hyperOf(theta)); ok {
			return m, nil
		}
	}
	m, ok := newModel(x, y, d, defaultHyper(d))
	if !ok {
		// Unreachable for finite input: the kernel matrix is positive
		// semidefinite, so K + (1e-3 + 1e-2 jitter) I is far from singular.
		return nil, fmt.Errorf("gp: the kernel matrix of %d points with the default hyperparameters is not positive definite even with jitter %g", n, m.jitter)
	}
	m.failed = true
	return m, nil
}

// minimize runs L-BFGS on o from theta0 and returns the best finite point
// it evaluated (+Inf and nil if none).
func minimize(o *objective, theta0 []float64, maxIter int) (float64, []float64) {
	p := optimize.Problem{
		Func: o.value,
		Grad: func(grad, theta []float64) { o.gradient(grad, theta) },
	}
	settings := &optimize.Settings{
		// The objective is in nats (per log-unit of theta): a gradient of
		// 1e-3 or 10 iterations without a gain of 1e-6 is converged.
		GradientThreshold: 1e-3,
		MajorIterations:   maxIter,
		FuncEvaluations:   3 * maxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-6, Relative: 1e-9, Iterations: 10},
	}
	// The error (a failed line search, a limit) does not matter: the best
	// point evaluated is kept either way.
	_, _ = optimize.Minimize(p, slices.Clone(theta0), settings, &optimize.LBFGS{})
	if !finite(o.bestF) {
		return math.Inf(1), nil
	}
	return o.bestF, slices.Clone(o.bestTheta)
}

// defaultHyper is the default start and the fallback: amplitude 1, length
// scales 0.5 and noise 1e-3 (standardized units).
func defaultHyper(d int) Hyper {
	h := Hyper{Amplitude: 1, LengthScales: make([]float64, d), Noise: 1e-3}
	for i := range h.LengthScales {
		h.LengthScales[i] = 0.5
	}
	return h
}

// startThetas returns the starts of the fit: the default, opts.Init (if it
// is valid for d inputs), and the random restarts, drawn from opts.Seed
// uniformly in log space: amplitude in [0.2, 5], each length scale in
// [0.05, 2], noise in [1e-6, 0.1]. With opts.InitOnly and a valid Init,
// Init alone.
func startThetas(d int, opts Options) [][]float64 {
	validInit := opts.Init != nil && checkHyper(*opts.Init, d) == nil
	if validInit && opts.InitOnly {
		return [][]float64{thetaOf(*opts.Init, true)}
	}
	starts := [][]float64{thetaOf(defaultHyper(d), true)}
	if validInit {
		starts = append(starts, thetaOf(*opts.Init, true))
	}
	restarts := opts.Restarts
	if restarts == 0 {
		restarts = defaultRestarts
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6770_5f66_6974)) // "gp_fit"
	uniform := func(lo, hi float64) float64 { return math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo)) }
	for range max(restarts, 0) {
		theta := make([]float64, d+2)
		theta[0] = uniform(0.2, 5)
		for i := range d {
			theta[i+1] = uniform(0.05, 2)
		}
		theta[d+1] = uniform(NoiseFloor, 0.1)
		clampTheta(theta)
		starts = append(starts, theta)
	}
	return starts
}

// fitSubset returns the indices, ascending, of the points the
// hyperparameters are fitted on, at most maxPoints of the len(y): all of
// them if they are few enough, otherwise the maxPoints/2 best (lowest y,
// ties by index: the model serves minimization, and the fit must be good
// where the optimum is) and an even spread of the rest in input order (in
// a search, the order of the trials: the early design and the later
// proposals both), the k-th of K taken from the middle of its share.
func fitSubset(y []float64, maxPoints int) []int {
	n := len(y)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n <= maxPoints {
		return idx
	}
	maxPoints = max(maxPoints, 1)
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(y[i], y[j]) })
	nb := maxPoints / 2
	chosen := make([]bool, n)
	for _, i := range idx[:nb] {
		chosen[i] = true
	}
	rest := make([]int, 0, n-nb)
	for i := range n {
		if !chosen[i] {
			rest = append(rest, i)
		}
	}
	k := maxPoints - nb
	for j := range k {
		chosen[rest[(2*j+1)*len(rest)/(2*k)]] = true
	}
	out := make([]int, 0, maxPoints)
	for i, c := range chosen {
		if c {
			out = append(out, i)
		}
	}
	return out
}
