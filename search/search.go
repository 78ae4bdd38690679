// Package search holds the search strategies behind one small interface.
//
// Contract:
//   - A Strategy sees only the space, the seed, the past observations and
//     the pending points; it never touches files, processes or the clock.
//   - Propose is deterministic: the same request gives the same points.
//   - Propose never returns a point equal (by space.Key) to an observed or
//     pending point, nor the same point twice. It returns fewer points than
//     asked only when the space has no unseen point left; Exhausted says so.
//   - On a conditional space (space.NewConditional) every proposal is a
//     consistent point: Inactive exactly where a param's condition is
//     false. Since space.Key writes an inactive coordinate as null, no two
//     proposals resolve to the same config. Grid enumerates only the
//     consistent combinations, Random draws nothing for an inactive param,
//     and Bayesian encodes an inactive param at a fixed value (see
//     Bayesian.Inactive) and re-derives activity after every move of its
//     acquisition search.
package search

import (
	"fmt"

	"github.com/frameworm/frameworm/space"
)

// Observation is one finished trial.
type Observation struct {
	Point space.Point
	// Value is the objective to minimize: the caller negates the metric of
	// a "max" search.
	Value float64
	// Failed trials carry no value; their points are never proposed again.
	Failed bool
	// Pruned trials were stopped early by the search's pruner; Value is
	// the objective of the last value they reported (NaN when unknown).
	// Their points are never proposed again.
	Pruned bool
}

// Request is what a strategy may look at.
type Request struct {
	Space *space.Space
	Seed  int64
	// Observations are the finished trials, in trial-number order.
	Observations []Observation
	// Pending are points running or already planned, not yet observed.
	Pending []space.Point
}

// Strategy proposes the next points of a search.
type Strategy interface {
	// Propose returns up to n new points. Fewer than n means the space
	// is exhausted.
	Propose(req Request, n int) ([]space.Point, error)
}

// Exhausted reports whether a proposal of got points for n asked means the
// space ran out of unseen points.
func Exhausted(got []space.Point, n int) bool { return len(got) < n }

// seen returns the keys of every observed and pending point.
func seen(req Request) map[string]bool {
	m := make(map[string]bool, len(req.Observations)+len(req.Pending))
	for _, o := range req.Observations {
		m[req.Space.Key(o.Point)] = true
	}
	for _, p := range req.Pending {
		m[req.Space.Key(p)] = true
	}
	return m
}

// seenSet returns the set of every observed and pending point, with room
// for more new ones: seen without building keys.
func seenSet(req Request, more int) *space.Set {
	set := space.NewSet(req.Space, len(req.Observations)+len(req.Pending)+more)
	for _, o := range req.Observations {
		set.Add(o.Point)
	}
	for _, p := range req.Pending {
		set.Add(p)
	}
	return set
}

func checkN(n int) error {
	if n < 0 {
		return fmt.Errorf("search: asked for %d points", n)
	}
	return nil
}

// Adaptive is implemented by strategies whose proposals depend on the
// outcomes of earlier trials. Initial returns the points among the next n
// that do not (an initial design); a plan lists those and shows the rest
// as known after apply.
type Adaptive interface {
	Initial(req Request, n int) ([]space.Point, error)
}
