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

// ImportanceSamples is N, the number of rows of each of the matrices A and
// B of the Sobol' estimator (a power of two, so the scrambled Sobol'
// points are balanced).
const ImportanceSamples = 2048

// sobolSalt separates the seed of the Sobol' design from the GP's.
const sobolSalt = 0x616e_616c_7973_6973 // "analysis"

// Importance returns each parameter's share of the objective's variance,
// keyed by names[i] for dimension i of sp (names nil: sp.Names()), the
// shares summing to 1 (plot_parameter_importance's data). The shares are
// the normalized total-order Sobol' indices of a GP surrogate fitted to
// the rank-normalized scores; see the package documentation.
//
// Trials that are not completed, have no point (Point nil), a point that
// is not in sp, or a NaN score are ignored. It returns an error if fewer
// than MinImportanceTrials trials remain or their scores are all equal,
// if names does not name every dimension once, if the space has no
// dimensions or more than sobol.MaxDim/2, or if the fitted surrogate is
// flat (no parameter explains any variance).
func Importance(sp *space.Space, names []string, trials []Trial, seed uint64) (map[string]float64, error) {
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
	if 2*sp.Len() > sobol.MaxDim {
		return nil, fmt.Errorf("analysis: importance supports at most %d parameters, the search has %d", sobol.MaxDim/2, sp.Len())
	}
	var X [][]float64
	var scores []float64
	for _, t := range byNumber(trials) {
		if !t.scored() || t.Point == nil {
			continue
		}
		pt, ok := sp.Normalize(t.Point)
		if !ok {
			continue
		}
		X = append(X, sp.Encode(pt))
		scores = append(scores, t.Score)
	}
	if len(scores) < MinImportanceTrials {
		return nil, fmt.Errorf("analysis: importance needs at least %d completed trials with different scores; the search has %d completed trials in the current space",
			MinImportanceTrials, len(scores))
	}
	y, ok := rankNormal(scores)
	if !ok {
		return nil, fmt.Errorf("analysis: importance needs at least %d completed trials with different scores; all %d completed trials scored %v",
			MinImportanceTrials, len(scores), scores[0])
	}
	model, err := gp.Fit(X, y, gp.Options{Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("analysis: fitting the surrogate for importance: %w", err)
	}
	total, err := totalIndices(sp, model.PredictBatch, ImportanceSamples, seed^sobolSalt)
	if err != nil {
		return nil, err
	}
	var sum float64
	for _, s := range total {
		sum += s
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("analysis: the surrogate of the objective is flat, so no parameter has an importance")
	}
	shares := make(map[string]float64, len(names))
	for i, n := range names {
		shares[n] = total[i] / sum
	}
	return shares, nil
}
