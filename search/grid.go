package search

import "github.com/frameworm/frameworm/space"

// Grid proposes the points of the space's grid in its fixed order (the
// first param varies slowest), skipping the ones already seen. It ignores
// the seed.
type Grid struct{}

// Propose implements Strategy.
func (Grid) Propose(req Request, n int) ([]space.Point, error) {
	if err := checkN(n); err != nil {
		return nil, err
	}
	size, err := req.Space.GridSize()
	if err != nil {
		return nil, err
	}
	done := seenSet(req, 0)
	var out []space.Point
	for i := uint64(0); i < size && len(out) < n; i++ {
		p := req.Space.GridPoint(i)
		if !done.Has(p) {
			out = append(out, p)
		}
	}
	return out, nil
}
