package space

import (
	"fmt"
	"math/bits"
)

// GridSize returns the number of points of the full grid: the product of
// the dimensions' grid sizes. It reports an error if a dimension is
// continuous, or if the product does not fit in a uint64.
func (s *Space) GridSize() (n uint64, err error) {
	if s.conds != nil {
		g := s.grid()
		return g.size, g.err
	}
	n = 1
	for _, d := range s.dims {
		m, finite := d.GridSize()
		if !finite {
			return 0, fmt.Errorf("space: dimension %q is continuous, so the space has no finite grid; add a step to it or list its values instead.", d.Name())
		}
		hi, lo := bits.Mul64(n, m)
		if hi != 0 {
			return 0, fmt.Errorf("space: the grid has more than %d points; use larger steps or fewer values.", uint64(1<<64-1))
		}
		n = lo
	}
	return n, nil
}

// Grid returns every grid point in the fixed order: the first dimension
// varies slowest, numbers ascend and categoricals follow declaration order.
// It reports an error, with the grid's size, if the grid has more than
// limit points, or if GridSize fails.
func (s *Space) Grid(limit uint64) ([]Point, error) {
	n, err := s.GridSize()
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("space: the grid has %d points, more than the limit of %d; use larger steps or fewer values, or sample instead.", n, limit)
	}
	if s.conds != nil {
		return s.gridConditional(n), nil
	}
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = s.GridPoint(uint64(i))
	}
	return pts, nil
}

// GridPoint returns Grid(...)[i] without building the grid, by reading i
// as a mixed-radix number whose last digit belongs to the last dimension.
// It panics if the grid is not finite or i is out of range.
func (s *Space) GridPoint(i uint64) Point {
	if s.conds != nil {
		return s.gridPointConditional(i)
	}
	n, err := s.GridSize()
	if err != nil {
		panic(err)
	}
	if i >= n {
		panic(fmt.Sprintf("space: grid point %d out of range [0, %d)", i, n))
	}
	p := make(Point, len(s.dims))
	for k := len(s.dims) - 1; k >= 0; k-- {
		m, _ := s.dims[k].GridSize()
		p[k] = s.dims[k].GridValue(i % m)
		i /= m
	}
	return p
}
