package search

import (
	"github.com/frameworm/frameworm/sobol"
	"github.com/frameworm/frameworm/space"
)

// designPoint maps a point of the unit cube (one coordinate per dimension)
// into the space. In a conditional space an inactive dimension ignores its
// coordinate and is Inactive.
func designPoint(sp *space.Space, u []float64) space.Point {
	p := make(space.Point, sp.Len())
	for i, d := range sp.Dims() {
		if sp.Active(p, i) {
			p[i] = space.Quantile(d, u[i])
		} else {
			p[i] = space.Inactive
		}
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
