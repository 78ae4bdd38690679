package search

import "math"

// Recommender is a strategy that can say which of its observations it
// recommends when the objective is noisy: the lowest observed value is
// then often a lucky draw at a worse config.
type Recommender interface {
	// Recommend returns the index in req.Observations of the recommended
	// one, a completed trial, or -1 when none has completed.
	Recommend(req Request) (int, error)
}

// Recommend implements Recommender: of the completed observations, the
// one where the model, fitted to them as for a proposal, has the lowest
// posterior mean (the earliest on ties). With fewer than 3 completed
// observations, the lowest observed value.
func (b Bayesian) Recommend(req Request) (int, error) {
	var idx []int
	best := -1
	for i, o := range req.Observations {
		if o.Failed || o.Pruned || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			continue
		}
		idx = append(idx, i)
		if best < 0 || o.Value < req.Observations[best].Value {
			best = i
		}
	}
	if len(idx) < 3 {
		return best, nil
	}
	X, ys, _ := b.modelData(req.Space, req.Observations)
	model, err := b.fitModel(req.Space, req.Seed, req.Observations, X, ys)
	if err != nil {
		return best, err
	}
	enc, err := newEncoder(req.Space, b.Inactive)
	if err != nil {
		return best, err
	}
	rec, low := -1, math.Inf(1)
	for _, i := range idx {
		if mean, _ := model.Predict(enc.encode(req.Observations[i].Point)); mean < low {
			rec, low = i, mean
		}
	}
	return rec, nil
}
