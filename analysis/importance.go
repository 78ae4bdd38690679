package analysis

import (
	"fmt"

	"github.com/frameworm/frameworm/gp"
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

// sobolSalt separates the seed of the Sobol' design from the GP's.
const sobolSalt = 0x616e_616c_7973_6973 // "analysis"

// ImportanceReport is EstimateImportance's result.
type ImportanceReport struct {
	// Shares maps each parameter name to its share of the objective's
	// variance; the shares sum to 1.
	Shares map[string]float64
	// Usable is the number of usable trials: completed, with a point of
	// the space and a score that is not NaN.
	Usable int
	// Fitted is the number of them the surrogate was fitted on: Usable,
	// or MaxImportanceTrials when Usable is larger.
	Fitted int
}

// Subset reports whether the surrogate was fitted on a subset of the
// usable trials.
func (r ImportanceReport) Subset() bool { return r.Fitted < r.Usable }

// Importance returns EstimateImportance's shares.
func Importance(sp *space.Space, names []string, trials []Trial, seed uint64) (map[string]float64, error) {
	r, err := EstimateImportance(sp, names, trials, seed)
	return r.Shares, err
}

// EstimateImportance returns each parameter's share of the objective's
// variance, keyed by names[i] for dimension i of sp (names nil:
// sp.Names()), the shares summing to 1 (plot_parameter_importance's data),
// and how many trials the estimate used. The shares are the normalized
// total-order Sobol' indices of a GP surrogate fitted to the
// rank-normalized scores of at most MaxImportanceTrials trials; see the
// package documentation.
//
// Trials that are not completed, have no point (Point nil), a point that
// is not in sp, or a NaN score are ignored. It returns an error if fewer
// than MinImportanceTrials trials remain or their scores are all equal,
// if names does not name every dimension once, if the space has no
// dimensions or more than sobol.MaxDim/2, or if the fitted surrogate is
// flat (no parameter explains any variance).
func EstimateImportance(sp *space.Space, names []string, trials []Trial, seed uint64) (ImportanceReport, error) {
	return estimateImportance(sp, names, trials, seed, MaxImportanceTrials)
}

// estimateImportance is EstimateImportance fitting at most maxFit trials.
func estimateImportance(sp *space.Space, names []string, trials []Trial, seed uint64, maxFit int) (ImportanceReport, error) {
	if sp == nil || sp.Len() == 0 {
		return ImportanceReport{}, fmt.Errorf("analysis: importance needs a space with at least one parameter")
	}
	if names == nil {
		names = sp.Names()
	}
	if len(names) != sp.Len() {
		return ImportanceReport{}, fmt.Errorf("analysis: importance got %d names for %d parameters", len(names), sp.Len())
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return ImportanceReport{}, fmt.Errorf("analysis: importance got the parameter name %q twice", n)
		}
		seen[n] = true
	}
	if 2*sp.Len() > sobol.MaxDim {
		return ImportanceReport{}, fmt.Errorf("analysis: importance supports at most %d parameters, the search has %d", sobol.MaxDim/2, sp.Len())
	}
	// The usable trials, by number: their index in trials, number and
	// score. Only the points fitted are encoded.
	var index, numbers []int
	var scores []float64
	for _, i := range scoredOrder(trials) {
		t := &trials[i]
		if t.Point == nil {
			continue
		}
		if _, ok := sp.Normalize(t.Point); !ok {
			continue
		}
		index = append(index, i)
		numbers = append(numbers, t.Number)
		scores = append(scores, t.Score)
	}
	if len(scores) < MinImportanceTrials {
		return ImportanceReport{}, fmt.Errorf("analysis: importance needs at least %d completed trials with different scores; the search has %d completed trials in the current space",
			MinImportanceTrials, len(scores))
	}
	// The rank transform uses every usable trial, also when the surrogate
	// is fitted on a subset: it is cheap, and a trial's transformed score
	// is then its quantile among all of them.
	y, ok := rankNormal(scores)
	if !ok {
		return ImportanceReport{}, fmt.Errorf("analysis: importance needs at least %d completed trials with different scores; all %d completed trials scored %v",
			MinImportanceTrials, len(scores), scores[0])
	}
	report := ImportanceReport{Usable: len(scores), Fitted: len(scores)}
	if len(scores) > maxFit {
		sub := importanceSubset(numbers, scores, maxFit, seed)
		fy := make([]float64, len(sub))
		fi := make([]int, len(sub))
		for j, i := range sub {
			fy[j], fi[j] = y[i], index[i]
		}
		if !standardize(fy) {
			// Unreachable: the subset holds the lowest and the highest
			// score, which differ.
			return ImportanceReport{}, fmt.Errorf("analysis: the %d trials chosen for importance all have the same score", len(sub))
		}
		y, index = fy, fi
		report.Fitted = len(sub)
	}
	X := make([][]float64, len(index))
	for j, i := range index {
		pt, _ := sp.Normalize(trials[i].Point)
		X[j] = sp.Encode(pt)
	}
	model, err := gp.Fit(X, y, gp.Options{Seed: seed})
	if err != nil {
		return ImportanceReport{}, fmt.Errorf("analysis: fitting the surrogate for importance: %w", err)
	}
	total, err := totalIndices(sp, model.PredictBatch, ImportanceSamples, seed^sobolSalt)
	if err != nil {
		return ImportanceReport{}, err
	}
	var sum float64
	for _, s := range total {
		sum += s
	}
	if !(sum > 0) {
		return ImportanceReport{}, fmt.Errorf("analysis: the surrogate of the objective is flat, so no parameter has an importance")
	}
	report.Shares = make(map[string]float64, len(names))
	for i, n := range names {
		report.Shares[n] = total[i] / sum
	}
	return report, nil
}
