package search

import (
	"math"

	"github.com/frameworm/frameworm/sobol"
	"github.com/frameworm/frameworm/space"
)

// quantile maps u in [0,1) to a value of the dimension so that a uniform
// u gives the dimension's own sampling distribution: uniform (in log space
// for log dimensions), each discrete value with its mass.
func quantile(d space.Dimension, u float64) space.Value {
	u = min(max(u, 0), math.Nextafter(1, 0))
	switch d := d.(type) {
	case *space.Categorical:
		return d.Values[int(u*float64(len(d.Values)))]
	case *space.Integer:
		if d.Log {
			lo, hi := math.Log(float64(d.Low)-0.5), math.Log(float64(d.High)+0.5)
			v := int64(math.Round(math.Exp(lo + u*(hi-lo))))
			return min(max(v, d.Low), d.High)
		}
		n := (d.High-d.Low)/d.Step + 1
		return d.Low + d.Step*int64(u*float64(n))
	case *space.Real:
		if d.Step > 0 {
			n, _ := d.GridSize()
			return d.GridValue(uint64(u * float64(n)))
		}
		if d.Log {
			lo, hi := math.Log(d.Low), math.Log(d.High)
			return min(max(math.Exp(lo+u*(hi-lo)), d.Low), d.High)
		}
		return d.Low + u*(d.High-d.Low)
	}
	// Unknown dimension kinds fall back to decoding the unit coordinate.
	x := make([]float64, d.EncodedLen())
	for i := range x {
		x[i] = u
	}
	return d.Decode(x)
}

// designPoint maps a point of the unit cube (one coordinate per dimension)
// into the space.
func designPoint(sp *space.Space, u []float64) space.Point {
	p := make(space.Point, sp.Len())
	for i, d := range sp.Dims() {
		p[i] = quantile(d, u[i])
	}
	return p
}

// maxDesignTries bounds the Sobol points drawn per design point wanted,
// for small discrete spaces where many map to seen points.
const maxDesignTries = 64

// design returns up to n unseen points of the space-filling design of the
// seed: the scrambled Sobol sequence, in order, mapped into the space,
// skipping seen points (which it adds to seen). The design is one stream,
// so a search that ran its first k design points gets the next ones.
func design(sp *space.Space, seed int64, seen map[string]bool, n int) ([]space.Point, error) {
	if n <= 0 {
		return nil, nil
	}
	seq, err := sobol.New(max(1, sp.Len()), uint64(seed), true)
	if err != nil {
		return nil, err
	}
	u := make([]float64, max(1, sp.Len()))
	var out []space.Point
	for tries := 0; len(out) < n && tries < maxDesignTries*(n+len(seen)+16); tries++ {
		p := designPoint(sp, seq.Next(u))
		k := sp.Key(p)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out, nil
}
