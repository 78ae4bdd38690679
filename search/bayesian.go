package search

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/sobol"
	"github.com/frameworm/frameworm/space"
)

// Bayesian is Bayesian optimization with a Gaussian process.
//
//   - The first InitialPoints trials come from a space-filling design: the
//     scrambled Sobol sequence of the seed (see Initial), so a plan shows
//     them as exact configs.
//   - Then each proposal maximizes an acquisition function (log expected
//     improvement, probability of improvement, or the lower confidence
//     bound) of a GP fitted to the successful observations: Matern 5/2
//     with one length scale per encoded coordinate (categoricals one-hot),
//     inputs in the unit cube (log dimensions in log space), the objective
//     standardized and power-transformed.
//   - The acquisition is maximized over valid configs only: at least 1024
//     scrambled Sobol candidates plus perturbations of the best
//     observations, then a local search from the best few: projected
//     gradient ascent on continuous coordinates, exhaustive over small
//     integer ranges and categoricals, a line search snapped to the grid
//     over large integer ranges.
//   - Pending points (running trials, and the earlier proposals of one
//     call) enter as liar fantasies, added to the model by a Cholesky
//     extension without a refit, so parallel workers do not get the same
//     or nearly the same point. The lie is the model's own mean at the
//     point (the "kriging believer"): measured on Branin and Rosenbrock-4
//     with 2 workers, it beat a constant lie at the best value (which
//     draws the next point next to the pending one) and at the worst.
//     As in the believer's definition, a fantasy also counts for the
//     incumbent the acquisition must improve on: with 8 workers that cut
//     the regret at 100 trials about 2 to 4 times on Branin and by a
//     third on Rosenbrock-4 (see believe).
//   - Above 300 observations (localAbove), the candidates are screened
//     with the posterior variance at a point from its 64 nearest
//     observations (pending points included; gp.Local), the mean staying
//     exact: the variance of all n costs O(n²) a point, and at 2,000
//     observations the acquisition search took 9 s. The best candidates
//     are then rescored, and the local search run from fewer of them, on
//     the exact model (see rescore): the local variance overestimates the
//     exact one next to clusters of observations, and a search on it
//     stopped refining the incumbent. Up to 300 observations nothing
//     changes, bit for bit.
//   - Above 100 observations, the hyperparameters are fitted from every
//     start only every 5 observations, then every 10 from 200, 20 from
//     400, and so on; the asks in between refine the last such fit on all
//     the observations with a few iterations (see refit.go).
//   - Once the best has not improved significantly for StallTrials
//     completed trials, every ExploreEvery-th proposal minimizes the
//     lower confidence bound at ExploreKappa instead (see explore.go).
//   - Failed trials stay out of the model; no observed, failed or pending
//     point is ever proposed again.
//   - Pruned trials (stopped early by the search's pruner) enter the model
//     as PrunedTrials says; see modelData. Whatever the option, the
//     incumbent the acquisition tries to improve on is the best completed
//     trial, never a pruned one. The default, a pruned trial at its last
//     value, was measured on the digits example (scripts/prune-bench: 10
//     seeds x 40 trials of 30 epochs, median and ASHA pruners): its median
//     best val_loss was 0.4 % and 16 % above that of the search without a
//     pruner, against 12 % and 61 % when pruned trials tie with the worst
//     completed one, and 22 % and 26 % when they are left out; seed by
//     seed it beat the tie in 16 of the 20 runs. The graded
//     values (a loss of 1.5 after one epoch is far worse than the worst
//     completed 0.2) keep the model away from where trials get pruned;
//     a tie with the worst completed trial is too mild a penalty, and
//     without them the model proposes next to the pruned points again.
//   - On a conditional space the model sees an inactive param at a fixed
//     value (Inactive: by default 0.5, the middle of its range, and every
//     one-hot coordinate 0 for a categorical), the same for every point
//     where it is inactive: such points differ from each other only in
//     their active params, and the param that switches it off (the
//     branch) tells them apart from points where it is active. The
//     acquisition search keeps points consistent: a move or a gradient
//     step changes only active coordinates, and the activity of later
//     params is re-derived after it (a param switched on starts at the
//     value its fixed encoding decodes to, the middle of its range).
//     Measured with fwbench on testfunc.Conditional (a branch choosing
//     Branin on two params or Hartmann3 on three others; 20 seeds, 1
//     worker, median [Q1, Q3] simple regret at 30 / 50 / 100 trials):
//     center 0.156 [0.047, 0.302] / 2.4e-4 [4.1e-5, 7.6e-3] / 1.6e-5
//     [9.0e-6, 7.0e-5]; low (0) 0.155 / 9.4e-5 / 2.9e-5; outside (-1)
//     0.153 / 9.9e-5 / 2.1e-5; random search 0.536 / 0.323 / 0.312. The
//     three encodings are within each other's interquartile ranges at
//     every budget; center is the default because it keeps the inputs in
//     the unit cube the GP's priors assume and starts a param switched on
//     mid-range rather than at a bound.
//
// Everything is a function of the request: the same seed and history give
// the same proposals.
type Bayesian struct {
	InitialPoints int
	Acquisition   string  // "ei" (default), "pi" or "lcb"
	Xi            float64 // ei and pi: improvement margin, standardized units
	Kappa         float64 // lcb: width of the bound
	// Candidates is the number of Sobol candidates per proposal (0: 1024).
	Candidates int
	// PrunedTrials is what the model makes of pruned trials: PrunedValue
	// (the default, also for ""), PrunedWorst or PrunedExclude.
	PrunedTrials string
	// ExploreEvery, when positive, makes every ExploreEvery-th proposal
	// (by trial number) an exploration once the search has stalled for
	// StallTrials completed trials: it minimizes the lower confidence
	// bound at ExploreKappa standard deviations instead of the
	// acquisition (see explore.go). 0 turns it off; the fwapply default
	// is 3, kappa 3, after 10 trials.
	ExploreEvery int
	ExploreKappa float64
	StallTrials  int
	// EveryFit fits the hyperparameters to all observations from every
	// start on every ask. By default, above 100 observations, most asks
	// refine the fit to a prefix of them instead (see refit.go).
	EveryFit bool
	// Inactive is how the model encodes an inactive param of a
	// conditional space: InactiveCenter (the default, also for ""),
	// InactiveLow or InactiveOutside. It changes nothing for an
	// unconditional space.
	Inactive string
}

// What the model makes of pruned trials (Bayesian.PrunedTrials).
const (
	// PrunedValue takes a pruned trial's last reported value as if the
	// trial had ended there (a value it is censored at).
	PrunedValue = "value"
	// PrunedWorst ranks a pruned trial below every completed one: it is
	// imputed at the worst completed value of the transformed objective.
	PrunedWorst = "worst"
	// PrunedExclude leaves pruned trials out of the model, as failed ones.
	PrunedExclude = "exclude"
)

// Initial returns the points of the initial design among the next n
// proposals: the ones Propose would return regardless of the outcomes of
// the trials before them.
func (b Bayesian) Initial(req Request, n int) ([]space.Point, error) {
	if err := checkN(n); err != nil {
		return nil, err
	}
	k := min(n, b.InitialPoints-len(req.Observations)-len(req.Pending))
	return design(req.Space, req.Seed, seen(req), k)
}

// Propose implements Strategy.
func (b Bayesian) Propose(req Request, n int) ([]space.Point, error) {
	if err := checkN(n); err != nil {
		return nil, err
	}
	sp := req.Space
	enc, err := newEncoder(sp, b.Inactive)
	if err != nil {
		return nil, err
	}
	done := seen(req)
	out, err := design(sp, req.Seed, done, min(n, b.InitialPoints-len(req.Observations)-len(req.Pending)))
	if err != nil || len(out) == n {
		return out, err
	}
	X, ys, best := b.modelData(sp, req.Observations)
	if len(X) < 2 {
		// Too little to model: continue the design.
		more, err := design(sp, req.Seed, done, n-len(out))
		return append(out, more...), err
	}
	model, err := b.fitModel(sp, req.Seed, req.Observations, X, ys)
	if err != nil {
		return out, fmt.Errorf("bayesian: fitting the model: %w", err)
	}
	for _, p := range append(slices.Clone(req.Pending), out...) {
		model, best = believe(model, best, enc.encode(p))
	}
	stalled := 0
	if b.ExploreEvery > 0 {
		stalled = stalledFor(req.Observations)
	}
	rng := rand.New(rand.NewPCG(uint64(req.Seed), uint64(len(req.Observations))<<20|uint64(len(req.Pending))))
	for len(out) < n {
		var acq acqFunc
		if b.explores(len(req.Observations)+len(req.Pending)+len(out), stalled) {
			acq = negLCB(b.ExploreKappa)
		} else {
			acq = b.acquisition(best)
		}
		p := b.maximize(model, scorer{model: acquisitionModel(model, len(X)), acq: acq, enc: enc}, done, X, ys, rng, len(req.Observations)+len(out))
		if p == nil {
			// Every candidate was seen: take any unseen point.
			more, err := Random{}.Propose(Request{Space: sp, Seed: req.Seed, Pending: keysAsPending(req, out)}, 1)
			if err != nil || len(more) == 0 {
				return out, err
			}
			p = more[0]
		}
		done[sp.Key(p)] = true
		out = append(out, p)
		if len(out) < n {
			model, best = believe(model, best, enc.encode(p))
		}
	}
	return out, nil
}

// modelData returns what the model is fitted to: the encoded points X,
// their transformed objective values ys (see transformObjective), and
// the incumbent best, the smallest of ys among completed trials.
//
//   - A completed trial enters with its value; failed ones, and completed
//     ones whose value is not finite, stay out.
//   - A pruned trial, by b.PrunedTrials:
//     PrunedValue: with its value, transformed with the completed ones (as
//     if it had ended where it was pruned); without a finite value (the
//     pruner watched another metric, or the loss diverged) it is known to
//     be bad, so it is imputed as under PrunedWorst.
//     PrunedWorst: imputed at the largest (worst) transformed value of the
//     completed trials, a tie with the worst of them: the transform is
//     fitted to the completed trials alone, so neither the pruned values
//     nor a margin stretch it. With no completed trial to rank them
//     below, pruned trials enter with their own finite values.
//     PrunedExclude: left out.
//
// When no completed trial is in the model, best is the smallest of ys.
func (b Bayesian) modelData(sp *space.Space, obs []Observation) (X [][]float64, ys []float64, best float64) {
	enc, err := newEncoder(sp, b.Inactive)
	if err != nil { // Propose checked b.Inactive; the default otherwise
		enc, _ = newEncoder(sp, "")
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	mode := b.PrunedTrials
	if mode != PrunedWorst && mode != PrunedExclude {
		mode = PrunedValue
	}
	var y []float64
	var completed []bool
	var imputed []space.Point
	for _, o := range obs {
		switch {
		case o.Failed:
		case !o.Pruned:
			if finite(o.Value) {
				X, y, completed = append(X, enc.encode(o.Point)), append(y, o.Value), append(completed, true)
			}
		case mode == PrunedExclude:
		case mode == PrunedValue && finite(o.Value):
			X, y, completed = append(X, enc.encode(o.Point)), append(y, o.Value), append(completed, false)
		default: // PrunedWorst, or PrunedValue without a value
			imputed = append(imputed, o.Point)
		}
	}
	nCompleted := 0
	for _, c := range completed {
		if c {
			nCompleted++
		}
	}
	if nCompleted == 0 && mode == PrunedWorst {
		// PrunedWorst with no completed trial: the pruned values are all
		// there is.
		for _, o := range obs {
			if o.Pruned && !o.Failed && finite(o.Value) {
				X, y, completed = append(X, enc.encode(o.Point)), append(y, o.Value), append(completed, false)
			}
		}
		imputed = nil
	}
	if len(y) == 0 {
		return nil, nil, 0
	}
	ys = transformObjective(y)
	worst, best := math.Inf(-1), math.Inf(1)
	for i, v := range ys {
		if completed[i] || nCompleted == 0 {
			worst, best = max(worst, v), min(best, v)
		}
	}
	for _, p := range imputed {
		X, ys = append(X, enc.encode(p)), append(ys, worst)
	}
	return X, ys, best
}

// believe adds a pending point to the model as a fantasy observation at
// the model's own prediction there (the "kriging believer"), by a Cholesky
// extension without a refit: the variance there collapses, so no other
// worker is sent to the same place. The fantasy counts as an observation
// for the incumbent too: believe returns best lowered to the believed
// value when that is below it, so that the next proposal must improve on
// what the pending trials are expected to reach.
func believe(m *gp.Model, best float64, x []float64) (*gp.Model, float64) {
	mean, _ := m.Predict(x)
	return m.Condition(x, mean), min(best, mean)
}

func keysAsPending(req Request, extra []space.Point) []space.Point {
	pending := append([]space.Point{}, req.Pending...)
	for _, o := range req.Observations {
		pending = append(pending, o.Point)
	}
	return append(pending, extra...)
}

func (b Bayesian) acquisition(best float64) acqFunc {
	switch b.Acquisition {
	case "lcb":
		return negLCB(b.Kappa)
	case "pi":
		return logPI(best, b.Xi)
	}
	return logEI(best, b.Xi)
}

// predictor is the posterior the acquisition reads: a *gp.Model, or a
// *gp.Local above localAbove observations.
type predictor interface {
	Predict(x []float64) (mean, variance float64)
	PredictBatch(X [][]float64, mean, variance []float64)
	PredictGradIf(x []float64, dmean, dvar []float64, want func(mean, variance float64) bool) (mean, variance float64, ok bool)
}

// The cheaper model for many observations: above localAbove observations
// the acquisition's variance at a point is that given its localNeighbors
// nearest observations (gp.Local; the mean stays exact). Measured with
// BenchmarkBayesianPropose on Hartmann6 (2 cores), one proposal at 2,000
// observations went from 9.3 s to about 1 s and a batch of 8 at 500 from
// 2.1 s to 1.2 s; a sd error of at most 3 % of the prior's at 64
// neighbours (gp's TestLocalVariance).
const (
	localAbove     = 300
	localNeighbors = 64
)

// acquisitionModel is the posterior the acquisition reads, given the
// model of nObs observations (and the fantasies of pending points): above
// localAbove observations, the view with the variance from the nearest
// ones (gp.Local); up to it, the exact posterior, so that proposals there
// stay what they always were.
func acquisitionModel(m *gp.Model, nObs int) predictor {
	if nObs > localAbove {
		return m.Local(localNeighbors)
	}
	return m
}

// scorer evaluates the acquisition of encoded points.
type scorer struct {
	model predictor
	acq   acqFunc
	enc   encoder
}

func (s scorer) value(x []float64) float64 {
	mean, variance := s.model.Predict(x)
	v, _, _ := s.acq(mean, math.Sqrt(max(variance, 1e-18)))
	return v
}

func (s scorer) values(X [][]float64) []float64 {
	mean := make([]float64, len(X))
	variance := make([]float64, len(X))
	s.model.PredictBatch(X, mean, variance)
	out := make([]float64, len(X))
	for i := range X {
		out[i], _, _ = s.acq(mean[i], math.Sqrt(max(variance[i], 1e-18)))
	}
	return out
}

// gradient returns the acquisition at x and writes its gradient with
// respect to x into g.
func (s scorer) gradient(x, g []float64) float64 {
	v, _ := s.gradientAbove(x, g, math.Inf(-1))
	return v
}

// gradientAbove returns the acquisition at x and whether it is above
// floor (always, for a floor of -Inf); only if it is does it write the
// acquisition's gradient into g. A step of an ascent that is rejected
// needs no gradient, and the gradient is about half the work.
func (s scorer) gradientAbove(x, g []float64, floor float64) (float64, bool) {
	dmean := make([]float64, len(x))
	dvar := make([]float64, len(x))
	var v, dm, ds, sd float64
	_, _, ok := s.model.PredictGradIf(x, dmean, dvar, func(mean, variance float64) bool {
		sd = math.Sqrt(max(variance, 1e-18))
		v, dm, ds = s.acq(mean, sd)
		return v > floor || math.IsInf(floor, -1)
	})
	if !ok {
		return v, false
	}
	for i := range g {
		g[i] = dm*dmean[i] + ds*dvar[i]/(2*sd)
	}
	return v, true
}

// Local-search settings.
const (
	defaultCandidates = 1024
	localStarts       = 5
	globalStarts      = 3
	perturbations     = 256
	maxRounds         = 4
	exhaustiveLimit   = 64
)

type candidate struct {
	p     space.Point
	value float64
}

// maximize returns the unseen point of highest acquisition it finds, or nil.
func (b Bayesian) maximize(exact *gp.Model, sc scorer, done map[string]bool, X [][]float64, ys []float64, rng *rand.Rand, salt int) space.Point {
	e := sc.enc
	sp := e.sp
	var pts []space.Point
	nc := cmp.Or(b.Candidates, defaultCandidates)
	if seq, err := sobol.New(max(1, sp.Len()), uint64(salt)*0x2545f4914f6cdd1d, true); err == nil {
		u := make([]float64, max(1, sp.Len()))
		for range nc {
			pts = append(pts, designPoint(sp, seq.Next(u)))
		}
	}
	// Perturbations of the best observations, where improvements are
	// likely.
	order := make([]int, len(ys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int { return cmp.Compare(ys[a], ys[c]) })
	for j := range perturbations {
		x := slices.Clone(X[order[j%min(5, len(order))]])
		scale := []float64{0.02, 0.05, 0.15}[j%3]
		for i := range x {
			x[i] = min(max(x[i]+scale*rng.NormFloat64(), 0), 1)
		}
		pts = append(pts, sp.Decode(x))
	}
	enc := make([][]float64, 0, len(pts))
	var keep []space.Point
	seenHere := map[string]bool{}
	nGlobal := 0
	for i, p := range pts {
		k := sp.Key(p)
		if done[k] || seenHere[k] {
			continue
		}
		if i < nc {
			nGlobal++
		}
		seenHere[k] = true
		keep = append(keep, p)
		enc = append(enc, e.encode(p))
	}
	if len(keep) == 0 {
		return nil
	}
	vals := sc.values(enc)
	cands := make([]candidate, len(keep))
	for i := range keep {
		cands[i] = candidate{keep[i], vals[i]}
	}
	nLocal, nGlobalStarts := localStarts, globalStarts
	if _, ok := sc.model.(*gp.Local); ok {
		// The local variance only screens: the best candidates are
		// rescored with the exact model and searched from with
		// ascentModel.
		cands, nGlobal = rescore(exact, sc, cands, nGlobal)
		sc.model = ascentModel(exact, len(X))
		nLocal, nGlobalStarts = exactLocalStarts, exactGlobalStarts
	}
	// Local search from the best candidates overall and, so that other
	// basins get a chance, from the best of the space-filling ones.
	global := slices.Clone(cands[:min(len(cands), nGlobal)])
	slices.SortStableFunc(cands, func(a, c candidate) int { return cmp.Compare(c.value, a.value) })
	slices.SortStableFunc(global, func(a, c candidate) int { return cmp.Compare(c.value, a.value) })
	starts := append(slices.Clone(cands[:min(nLocal, len(cands))]), global[:min(nGlobalStarts, len(global))]...)
	var best *candidate
	for _, st := range starts {
		if sc.model != predictor(exact) {
			st.value = sc.value(e.encode(st.p)) // as the search values it
		}
		c := localSearch(sp, sc, st, done)
		if best == nil || c.value > best.value {
			best = &c
		}
	}
	if best == nil || done[sp.Key(best.p)] {
		return nil
	}
	return best.p
}

// Above localAbove observations the acquisition of the candidates is read
// from the local model, and only the best of them are rescored with the
// exact one: the rescoreBest best overall, the rescoreBest best
// perturbations of the best observations (where refining happens) and the
// rescoreGlobal best space-filling ones. The local search then runs on the
// exact model (ascentModel), from fewer starts: exactLocalStarts of the
// best rescored, exactGlobalStarts of the best rescored space-filling ones.
//
// Measured on Branin (1 worker, seeds 0-3, the same 300 observations): the
// local variance overestimates the exact one 1.5-10x next to the clusters
// of observations (sd 1.2e-3 against 1.4e-4 at 7.5e-4 from the incumbent;
// 8.6e-2 against 3.0e-2 at 0.04), so a search on it proposed points just
// outside the clusters, of an exact log EI 6-19 below the exact search's
// proposal, and no seed improved from 300 to 500 trials. Gradient ascent
// on the local model from exactly rescored starts, its ends rescored,
// did not improve any either; on the exact model it did. Regret at 500
// trials, seeds 0-3, from the same 300: Branin 1.6e-7, 1.1e-7, 6.9e-7,
// 1.3e-7 (the exact model throughout: 2.8e-7, 1.4e-6, 6.9e-7, 1.3e-7;
// the local one: 4.6e-6, 3.5e-6, 6.9e-7, 3.8e-6, as at 300); Hartmann6
// 8.6e-6, 0.119, 5.0e-6, 0.119 (exact: 8.6e-6, 0.119, 4.0e-6, 0.119;
// local: 8.6e-6, 0.119, 1.5e-5, 0.119).
const (
	rescoreBest       = 32
	rescoreGlobal     = 8
	exactLocalStarts  = 2
	exactGlobalStarts = 1
	exactAscentUpTo   = 1000
	ascentNeighbors   = 256
)

// ascentModel is the model the local search reads above localAbove
// observations: the exact one up to exactAscentUpTo observations; above,
// where an exact gradient costs milliseconds (about 5 ms at 2,000
// observations, where a proposal took 2.7 s), the variance from the
// ascentNeighbors nearest observations, its factor reused while the
// neighbours stay the same (a proposal at 2,000 observations: 0.94 s).
func ascentModel(exact *gp.Model, nObs int) predictor {
	if nObs > exactAscentUpTo {
		return exact.Local(ascentNeighbors)
	}
	return exact
}

// rescore returns the candidates to rescore (see rescoreBest), the
// space-filling ones first as in cands, valued by the exact model, and how
// many are space-filling. cands holds the nGlobal space-filling ones first.
func rescore(exact *gp.Model, sc scorer, cands []candidate, nGlobal int) ([]candidate, int) {
	e := sc.enc
	byValue := func(from, to int) []int {
		o := make([]int, 0, to-from)
		for i := from; i < to; i++ {
			o = append(o, i)
		}
		slices.SortStableFunc(o, func(a, c int) int { return cmp.Compare(cands[c].value, cands[a].value) })
		return o
	}
	pick := make([]bool, len(cands))
	for _, sel := range []struct {
		order []int
		k     int
	}{{byValue(0, len(cands)), rescoreBest}, {byValue(nGlobal, len(cands)), rescoreBest}, {byValue(0, nGlobal), rescoreGlobal}} {
		for _, i := range sel.order[:min(sel.k, len(sel.order))] {
			pick[i] = true
		}
	}
	var out []candidate
	var enc [][]float64
	nG := 0
	for i, c := range cands {
		if pick[i] {
			if i < nGlobal {
				nG++
			}
			out = append(out, c)
			enc = append(enc, e.encode(c.p))
		}
	}
	sc.model = exact
	vals := sc.values(enc)
	for i := range out {
		out[i].value = vals[i]
	}
	return out, nG
}

// localSearch improves a start point by coordinate moves over valid
// configs only, never onto a seen point.
func localSearch(sp *space.Space, sc scorer, start candidate, done map[string]bool) candidate {
	cur := start
	dims := sp.Dims()
	offsets := make([]int, len(dims))
	off := 0
	for i, d := range dims {
		offsets[i] = off
		off += d.EncodedLen()
	}
	for range maxRounds {
		improved := false
		if c, ok := gradientAscent(sp, sc, cur, offsets, done); ok && c.value > cur.value {
			cur, improved = c, true
		}
		for i, d := range dims {
			if cur.p[i] == space.Inactive {
				continue // no value to move
			}
			for _, v := range discreteMoves(d, cur.p[i]) {
				p := sc.enc.moved(cur.p, i, v)
				if done[sp.Key(p)] {
					continue
				}
				if val := sc.value(sc.enc.encode(p)); val > cur.value+1e-12 {
					cur, improved = candidate{p, val}, true
				}
			}
		}
		if !improved {
			break
		}
	}
	return cur
}

// continuous reports whether a dimension is searched by gradient.
func continuous(d space.Dimension) bool {
	r, ok := d.(*space.Real)
	return ok && r.Step == 0
}

// gradientAscent runs projected gradient ascent on the continuous
// coordinates, with backtracking; the others stay fixed.
func gradientAscent(sp *space.Space, sc scorer, start candidate, offsets []int, done map[string]bool) (candidate, bool) {
	var idx []int
	for i, d := range sp.Dims() {
		if continuous(d) && start.p[i] != space.Inactive {
			idx = append(idx, offsets[i])
		}
	}
	if len(idx) == 0 {
		return start, false
	}
	x := sc.enc.encode(start.p)
	g := make([]float64, len(x))
	val := sc.gradient(x, g)
	step := 0.05
	moved := false
	for iter := 0; iter < 60 && step > 1e-7; iter++ {
		var norm float64
		for _, j := range idx {
			norm += g[j] * g[j]
		}
		norm = math.Sqrt(norm)
		if norm == 0 || math.IsNaN(norm) {
			break
		}
		y := slices.Clone(x)
		for _, j := range idx {
			y[j] = min(max(y[j]+step*g[j]/norm, 0), 1)
		}
		g2 := make([]float64, len(y))
		if v, ok := sc.gradientAbove(y, g2, val); ok {
			x, val, g = y, v, g2
			step *= 1.5
			moved = true
		} else {
			step /= 2
		}
	}
	if !moved {
		return start, false
	}
	p := sp.Decode(x)
	if done[sp.Key(p)] {
		return start, false
	}
	return candidate{p, sc.value(sc.enc.encode(p))}, true
}

// discreteMoves lists the values a coordinate move tries for a discrete
// dimension: every value of a categorical or a small grid; for a large
// grid, steps of 1, 2, 4, ... grid points either way (a line search
// snapped to the grid).
func discreteMoves(d space.Dimension, cur space.Value) []space.Value {
	if continuous(d) {
		return nil
	}
	n, finite := d.GridSize()
	if !finite {
		return nil
	}
	if n <= exhaustiveLimit {
		out := make([]space.Value, 0, n)
		for i := range n {
			out = append(out, d.GridValue(i))
		}
		return out
	}
	i0 := gridIndex(d, cur, n)
	var out []space.Value
	for s := uint64(1); s < n; s *= 2 {
		if i0+s < n {
			out = append(out, d.GridValue(i0+s))
		}
		if i0 >= s {
			out = append(out, d.GridValue(i0-s))
		}
	}
	return out
}

// gridIndex finds the grid index of a value by bisection over the sorted
// grid of a numeric dimension.
func gridIndex(d space.Dimension, v space.Value, n uint64) uint64 {
	x := toFloat(v)
	lo, hi := uint64(0), n-1
	for lo < hi {
		mid := (lo + hi) / 2
		if toFloat(d.GridValue(mid)) < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func toFloat(v space.Value) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}
