package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/internal/splitmix"
	"github.com/frameworm/frameworm/sobol"
	"github.com/frameworm/frameworm/space"
)

// MinImportanceTrials is the number of usable trials Importance needs:
// completed, with a point of the space and a score that is not NaN.
const MinImportanceTrials = 5

// MaxImportanceTrials is the most usable trials the surrogate is fitted
// on; a search with more is fitted on a deterministic subset of this size
// (see importanceSubset and the package documentation). The GP costs
// O(n³) time and O(n²) memory in the n trials it is fitted on, and its
// mean costs O(n) per prediction.
const MaxImportanceTrials = 2000

// ImportanceSamples is N, the number of rows of each of the matrices A and
// B of the Sobol' estimator (a power of two, so the scrambled Sobol'
// points are balanced).
const ImportanceSamples = 2048

// ImportanceBootstraps is the number of bootstrap refits behind
// ImportanceReport.Errors.
const ImportanceBootstraps = 20

const (
	// categoricalScale multiplies the one-hot columns of a categorical in
	// the surrogate's input (see the package documentation).
	categoricalScale = 0.1
	// maxDecoyTrials bounds the trials the decoy's surrogate is fitted on.
	maxDecoyTrials = 500
	// maxBootstrapTrials bounds the size of a bootstrap sample.
	maxBootstrapTrials = 300
	// bootstrapSamples is N of the Sobol' estimator of a bootstrap refit.
	bootstrapSamples = ImportanceSamples / 8
)

// Salts separate the seeds of the Sobol' design, the decoy and the
// bootstrap from the GP's.
const (
	sobolSalt     = 0x616e_616c_7973_6973 // "analysis"
	decoySalt     = 0x6465_636f_7921_2121 // "decoy!!!"
	bootstrapSalt = 0x626f_6f74_7374_7261 // "bootstra"
)

// ImportanceReport is EstimateImportance's and EstimateFailureImportance's
// result.
type ImportanceReport struct {
	// Shares maps each parameter name to its share of the surrogate's
	// variance; the shares sum to 1. A parameter whose total index is no
	// larger than the decoy's (a parameter with no effect, see the package
	// documentation) has share 0.
	Shares map[string]float64
	// Errors maps each parameter name to the uncertainty of its share:
	// the standard deviation of the share over ImportanceBootstraps
	// bootstrap resamples of the fitted trials (see the package
	// documentation). A share ± 2 errors is a rough 95 % interval.
	Errors map[string]float64
	// Usable is the number of usable trials: for the score, completed
	// trials with a point of the space and a score that is not NaN; for
	// failures, completed and failed trials with a point of the space.
	Usable int
	// Fitted is the number of them the surrogate was fitted on: Usable,
	// or MaxImportanceTrials when Usable is larger.
	Fitted int
	// Failed is the number of failed trials among Usable
	// (EstimateFailureImportance; 0 for the score's importance).
	Failed int
	// Excluded maps a categorical parameter to its values that no fitted
	// trial has (EstimateImportance): the model knows nothing of the score
	// there, so the shares are over the other values only. nil when every
	// value has data.
	Excluded map[string][]string
}

// Subset reports whether the surrogate was fitted on a subset of the
// usable trials.
func (r ImportanceReport) Subset() bool { return r.Fitted < r.Usable }

// Note returns a sentence saying which values the score's importance
// leaves out (Excluded), or "" when it leaves none out.
func (r ImportanceReport) Note() string {
	if len(r.Excluded) == 0 {
		return ""
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range r.Excluded {
			if !yield(n) {
				return
			}
		}
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " = " + strings.Join(r.Excluded[n], ", ")
	}
	return fmt.Sprintf("importance is over the values with completed trials only; no completed trial has %s", strings.Join(parts, "; "))
}

// Importance returns EstimateImportance's shares.
func Importance(sp *space.Space, names []string, trials []Trial, seed uint64) (map[string]float64, error) {
	r, err := EstimateImportance(sp, names, trials, seed)
	return r.Shares, err
}

// EstimateImportance returns each parameter's share of the objective's
// variance, keyed by names[i] for dimension i of sp (names nil:
// sp.Names()), the shares summing to 1 (plot_parameter_importance's data),
// their bootstrap errors, and how many trials the estimate used. The
// shares are the normalized total-order Sobol' indices of a GP surrogate
// fitted to the rank-normalized scores of at most MaxImportanceTrials
// trials, those no larger than a decoy parameter's set to 0; a
// categorical's values with no completed trial are left out (Excluded).
// See the package documentation.
//
// Trials that are not completed, have no point (Point nil), a point that
// is not in sp, or a NaN score are ignored. It returns an error if fewer
// than MinImportanceTrials trials remain or their scores are all equal,
// if names does not name every dimension once, if the space has no
// dimensions or more than sobol.MaxDim/2 − 1, or if no parameter explains
// more of the fitted surrogate than the decoy does.
func EstimateImportance(sp *space.Space, names []string, trials []Trial, seed uint64) (ImportanceReport, error) {
	return estimateImportance(sp, names, trials, seed, MaxImportanceTrials)
}

// estimateImportance is EstimateImportance fitting at most maxFit trials.
func estimateImportance(sp *space.Space, names []string, trials []Trial, seed uint64, maxFit int) (ImportanceReport, error) {
	names, err := checkImportanceInput(sp, names)
	if err != nil {
		return ImportanceReport{}, err
	}
	// The usable trials, by number.
	var d data
	for _, i := range scoredOrder(trials) {
		t := &trials[i]
		if t.Point == nil {
			continue
		}
		pt, ok := sp.Normalize(t.Point)
		if !ok {
			continue
		}
		d.points = append(d.points, pt)
		d.numbers = append(d.numbers, t.Number)
		d.raw = append(d.raw, t.Score)
	}
	if len(d.raw) < MinImportanceTrials {
		return ImportanceReport{}, fmt.Errorf("analysis: importance needs at least %d completed trials with different scores; the search has %d completed trials in the current space",
			MinImportanceTrials, len(d.raw))
	}
	// The rank transform uses every usable trial, also when the surrogate
	// is fitted on a subset: it is cheap, and a trial's transformed score
	// is then its quantile among all of them.
	y, ok := rankNormal(d.raw)
	if !ok {
		return ImportanceReport{}, fmt.Errorf("analysis: importance needs at least %d completed trials with different scores; all %d completed trials scored %v",
			MinImportanceTrials, len(d.raw), d.raw[0])
	}
	d.y = y
	return fitImportance(sp, names, d, seed, maxFit, true)
}

// EstimateFailureImportance returns which parameters predict that a trial
// fails: the shares, errors and counts of EstimateImportance for a GP
// surrogate of the failure indicator (1 for a failed trial, 0 for a
// completed one, standardized) instead of the score, over the whole
// space (no value is excluded). The usable trials are the completed and
// the failed ones (Status "failed") with a point of sp; pruned, running
// and interrupted trials are ignored, and a completed trial counts
// whatever its score. It returns an error if fewer than
// MinImportanceTrials trials remain, if none of them failed or all of
// them did, or for EstimateImportance's other reasons.
func EstimateFailureImportance(sp *space.Space, names []string, trials []Trial, seed uint64) (ImportanceReport, error) {
	return estimateFailureImportance(sp, names, trials, seed, MaxImportanceTrials)
}

// StatusFailed is the status of a trial that failed.
const StatusFailed = "failed"

func estimateFailureImportance(sp *space.Space, names []string, trials []Trial, seed uint64, maxFit int) (ImportanceReport, error) {
	names, err := checkImportanceInput(sp, names)
	if err != nil {
		return ImportanceReport{}, err
	}
	var d data
	failed := 0
	for _, i := range numberOrder(trials) {
		t := &trials[i]
		if t.Point == nil || t.Status != StatusCompleted && t.Status != StatusFailed {
			continue
		}
		pt, ok := sp.Normalize(t.Point)
		if !ok {
			continue
		}
		v := 0.0
		if t.Status == StatusFailed {
			v = 1
			failed++
		}
		d.points = append(d.points, pt)
		d.numbers = append(d.numbers, t.Number)
		d.raw = append(d.raw, v)
	}
	n := len(d.raw)
	switch {
	case n < MinImportanceTrials:
		return ImportanceReport{}, fmt.Errorf("analysis: failure importance needs at least %d completed or failed trials; the search has %d in the current space", MinImportanceTrials, n)
	case failed == 0:
		return ImportanceReport{}, fmt.Errorf("analysis: no failure importance: none of the %d completed or failed trials in the current space failed", n)
	case failed == n:
		return ImportanceReport{}, fmt.Errorf("analysis: no failure importance: all %d trials in the current space failed, so nothing separates a failure from a success; fix the failures (see the trials' logs) first", n)
	}
	d.y = slices.Clone(d.raw)
	standardize(d.y)
	r, err := fitImportance(sp, names, d, seed, maxFit, false)
	if err != nil {
		return ImportanceReport{}, fmt.Errorf("analysis: failure importance: %w", err)
	}
	r.Failed = failed
	return r, nil
}

// checkImportanceInput checks the space and the names and returns the
// names (sp.Names() for nil).
func checkImportanceInput(sp *space.Space, names []string) ([]string, error) {
	if sp == nil || sp.Len() == 0 {
		return nil, fmt.Errorf("analysis: importance needs a space with at least one parameter")
	}
	if names == nil {
		names = sp.Names()
	}
	if len(names) != sp.Len() {
		return nil, fmt.Errorf("analysis: importance got %d names for %d parameters", len(names), sp.Len())
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("analysis: importance got the parameter name %q twice", n)
		}
		seen[n] = true
	}
	// One dimension more for the decoy.
	if 2*(sp.Len()+1) > sobol.MaxDim {
		return nil, fmt.Errorf("analysis: importance supports at most %d parameters, the search has %d", sobol.MaxDim/2-1, sp.Len())
	}
	return names, nil
}

// data are the usable trials of an importance estimate, in trial-number
// order: their normalized points, numbers, raw values (scores or failure
// indicators: the subset keeps the lowest and the highest) and the
// standardized outputs the surrogate is fitted to.
type data struct {
	points  []space.Point
	numbers []int
	raw     []float64
	y       []float64
}

// fitImportance fits the surrogate on d (a subset of at most maxFit of
// it), estimates the shares, the decoy's threshold and the errors.
// exclude restricts each categorical to its values with data.
func fitImportance(sp *space.Space, names []string, d data, seed uint64, maxFit int, exclude bool) (ImportanceReport, error) {
	report := ImportanceReport{Usable: len(d.y), Fitted: len(d.y)}
	if len(d.y) > maxFit {
		sub := importanceSubset(d.numbers, d.raw, maxFit, seed)
		var s data
		for _, i := range sub {
			s.points = append(s.points, d.points[i])
			s.numbers = append(s.numbers, d.numbers[i])
			s.raw = append(s.raw, d.raw[i])
			s.y = append(s.y, d.y[i])
		}
		if !standardize(s.y) {
			// Unreachable: the subset holds the lowest and the highest
			// value, which differ.
			return ImportanceReport{}, fmt.Errorf("analysis: the %d trials chosen for importance all have the same score", len(sub))
		}
		d = s
		report.Fitted = len(sub)
	}
	des := design{sp: sp, encode: scaledEncoder(sp)}
	if exclude {
		des.values, report.Excluded = observedValues(sp, names, d.points)
	}
	X := make([][]float64, len(d.points))
	for j, pt := range d.points {
		X[j] = des.encode(pt)
	}
	model, err := gp.Fit(X, d.y, gp.Options{Seed: seed})
	if err != nil {
		return ImportanceReport{}, fmt.Errorf("analysis: fitting the surrogate for importance: %w", err)
	}
	total, err := designIndices(des, model.PredictBatch, ImportanceSamples, seed^sobolSalt, nil)
	if err != nil {
		return ImportanceReport{}, err
	}
	level, err := decoyIndex(des, d, seed)
	if err != nil {
		return ImportanceReport{}, err
	}
	shares, ok := sharesAbove(total, level)
	if !ok {
		return ImportanceReport{}, fmt.Errorf("analysis: no parameter explains more of the scores than a decoy parameter with no effect does (total index %.3g): the scores look like noise to the surrogate; run more trials", level)
	}
	errs := bootstrapErrors(des, X, d.y, model.Hyper(), level, seed)
	report.Shares = make(map[string]float64, len(names))
	report.Errors = make(map[string]float64, len(names))
	for i, n := range names {
		report.Shares[n] = shares[i]
		report.Errors[n] = errs[i]
	}
	return report, nil
}

// sharesAbove returns the normalized indices, those no larger than level
// set to 0; false if none is larger.
func sharesAbove(total []float64, level float64) ([]float64, bool) {
	shares := make([]float64, len(total))
	var sum float64
	for i, s := range total {
		if s > level {
			shares[i] = s
			sum += s
		}
	}
	if !(sum > 0) {
		return shares, false
	}
	for i := range shares {
		shares[i] /= sum
	}
	return shares, true
}

// scaledEncoder returns sp.Encode with the one-hot columns of every
// categorical multiplied by categoricalScale.
func scaledEncoder(sp *space.Space) func(space.Point) []float64 {
	var cols []int
	off := 0
	for _, d := range sp.Dims() {
		if _, ok := d.(*space.Categorical); ok {
			for j := range d.EncodedLen() {
				cols = append(cols, off+j)
			}
		}
		off += d.EncodedLen()
	}
	return func(p space.Point) []float64 {
		x := sp.Encode(consistent(sp, p))
		for _, j := range cols {
			x[j] *= categoricalScale
		}
		return x
	}
}

// observedValues returns, for each categorical dimension of sp with values
// no point has, the values some point has (nil for the others), and the
// missing values by parameter name (nil if none is missing).
func observedValues(sp *space.Space, names []string, points []space.Point) ([][]space.Value, map[string][]string) {
	var values [][]space.Value
	var excluded map[string][]string
	for i, dim := range sp.Dims() {
		c, ok := dim.(*space.Categorical)
		if !ok {
			continue
		}
		seen := make([]bool, len(c.Values))
		for _, pt := range points {
			for k, v := range c.Values {
				if v == pt[i] {
					seen[k] = true
					break
				}
			}
		}
		if !slices.Contains(seen, false) {
			continue
		}
		if values == nil {
			values = make([][]space.Value, sp.Len())
			excluded = map[string][]string{}
		}
		for k, v := range c.Values {
			if seen[k] {
				values[i] = append(values[i], v)
			} else {
				excluded[names[i]] = append(excluded[names[i]], fmt.Sprint(v))
			}
		}
	}
	return values, excluded
}

// decoyIndex returns the total index of a decoy: a real parameter with no
// effect, uniform on [0, 1], its value for each trial drawn from the seed
// and the trial's number, added to the space and fitted with the data (at
// most maxDecoyTrials of them) by a surrogate of its own. It is the index
// a parameter gets from the surrogate fitting noise and filling in where
// data are sparse.
func decoyIndex(des design, d data, seed uint64) (float64, error) {
	sp := des.sp
	name := "decoy"
	for sp.Index(name) >= 0 {
		name = "~" + name
	}
	decoy, err := space.NewReal(name, 0, 1, false, 0)
	if err != nil {
		return 0, err
	}
	sp2, err := space.New(append(sp.Dims(), decoy)...)
	if err != nil {
		return 0, fmt.Errorf("analysis: adding the decoy parameter: %w", err)
	}
	idx := importanceSubset(d.numbers, d.raw, maxDecoyTrials, seed)
	y := make([]float64, len(idx))
	X := make([][]float64, len(idx))
	salt := splitmix.Mix64(seed ^ decoySalt)
	for j, i := range idx {
		y[j] = d.y[i]
		u := float64(splitmix.Mix64(uint64(d.numbers[i])^salt)>>11) / (1 << 53)
		X[j] = append(des.encode(d.points[i]), u)
	}
	if len(idx) < len(d.y) && !standardize(y) {
		// Unreachable: the subset holds the lowest and the highest value.
		return 0, fmt.Errorf("analysis: the %d trials chosen for the decoy all have the same score", len(idx))
	}
	model, err := gp.Fit(X, y, gp.Options{Seed: seed})
	if err != nil {
		return 0, fmt.Errorf("analysis: fitting the decoy's surrogate: %w", err)
	}
	des2 := design{sp: sp2, encode: func(p space.Point) []float64 {
		return append(des.encode(p[:len(p)-1]), p[len(p)-1].(float64))
	}}
	if des.values != nil {
		des2.values = append(slices.Clone(des.values), nil)
	}
	want := make([]bool, sp2.Len())
	want[sp.Len()] = true
	total, err := designIndices(des2, model.PredictBatch, ImportanceSamples, seed^sobolSalt, want)
	if err != nil {
		// The decoy's surrogate is flat: every index is 0.
		return 0, nil
	}
	return total[sp.Len()], nil
}

// bootstrapErrors returns, for each dimension, the standard deviation of
// its share over ImportanceBootstraps bootstrap samples of the fitted
// rows X, y: each a sample with replacement of m = min(len(y),
// maxBootstrapTrials) rows, fitted with the hyperparameters h (no refit),
// its shares estimated as the main ones (with bootstrapSamples rows and
// the same design each time) and thresholded at the same level. When m <
// len(y) the deviation is scaled by sqrt(m/len(y)), the m-out-of-n
// bootstrap's correction.
func bootstrapErrors(des design, X [][]float64, y []float64, h gp.Hyper, level float64, seed uint64) []float64 {
	p := des.sp.Len()
	n := len(y)
	m := min(n, maxBootstrapTrials)
	r := rand.New(rand.NewPCG(seed, bootstrapSalt))
	var reps [][]float64
	Xb, yb := make([][]float64, m), make([]float64, m)
	for range ImportanceBootstraps {
		for j := range m {
			k := r.IntN(n)
			Xb[j], yb[j] = X[k], y[k]
		}
		if !standardize(yb) {
			continue
		}
		model, err := gp.New(Xb, yb, h)
		if err != nil {
			continue
		}
		total, err := designIndices(des, model.PredictBatch, bootstrapSamples, seed^sobolSalt, nil)
		if err != nil {
			continue
		}
		shares, _ := sharesAbove(total, level)
		reps = append(reps, shares)
	}
	errs := make([]float64, p)
	if len(reps) < 2 {
		return errs
	}
	scale := math.Sqrt(float64(m) / float64(n))
	for i := range p {
		var mean float64
		for _, s := range reps {
			mean += s[i]
		}
		mean /= float64(len(reps))
		var ss float64
		for _, s := range reps {
			ss += (s[i] - mean) * (s[i] - mean)
		}
		errs[i] = scale * math.Sqrt(ss/float64(len(reps)-1))
	}
	return errs
}

// consistent returns p with space.Inactive wherever a condition of sp is
// false (p itself when sp has none), so that sp.Encode accepts a point
// whose coordinates were drawn one by one (Sobol designs, surfaces).
func consistent(sp *space.Space, p space.Point) space.Point {
	if !sp.Conditional() {
		return p
	}
	q := slices.Clone(p)
	for i := range q {
		if !sp.Active(q, i) {
			q[i] = space.Inactive
		}
	}
	return q
}
