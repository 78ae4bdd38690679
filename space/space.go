// Package space holds the search-space types shared by the strategies, the
// language loader and the code generator: Real, Integer and Categorical
// dimensions, and Space, an ordered list of named dimensions.
//
// Contract:
//   - A Value is float64 for Real, int64 for Integer, and string, float64 or
//     bool for Categorical. Every function here returns values of exactly
//     these Go types and accepts them (Contains also accepts any Go integer
//     or float kind and normalizes it).
//   - Constructors validate their arguments and return a *FieldError naming
//     the offending field, so the HCL loader can point at the right line.
//   - Sampling draws only from the *rand.Rand it is given: the same source
//     state gives the same points.
//   - Grid enumeration has a fixed order (the first dimension varies
//     slowest, values in ascending order for numbers and declaration order
//     for categoricals) and sizes are computed without overflow.
//   - Encode maps a point into the unit cube: numeric dimensions take one
//     coordinate in [0,1] (log-scaled ones in log space), categoricals take
//     one one-hot coordinate per value. Decode inverts it, snapping to the
//     nearest valid value.
//   - Log-scaled dimensions sample uniformly in log space. A log-scaled
//     Integer gives value k the mass ln((k+0.5)/(k-0.5)) / ln((High+0.5)/(Low-0.5)),
//     i.e. a log-uniform draw on [Low-0.5, High+0.5] rounded to the nearest
//     integer, so both endpoints are reached with their correct mass.
//   - Refine narrows a space around a point for coarse-to-fine searches.
//   - Key gives equal points equal strings; a Set holds points under the
//     same equality without building keys, and its AddSample draws
//     exactly what Sample draws.
//   - Normalize returns a value already canonical as it is (no new boxed
//     value).
//   - Nothing here touches files, processes or the clock.
package space

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Value is one coordinate of a point: float64 for Real, int64 for Integer,
// and string, float64 or bool for Categorical.
type Value = any

// Point holds one Value per dimension of a Space, in the Space's order.
type Point []Value

// Dimension is one named axis of a Space. Real, Integer and Categorical
// implement it.
type Dimension interface {
	// Name returns the dimension's name, unique within a Space.
	Name() string
	// Sample draws a value using only r.
	Sample(r *rand.Rand) Value
	// Contains reports whether v is a value of the dimension. It accepts
	// any Go integer or float kind and normalizes it first.
	Contains(v Value) bool
	// GridSize returns the number of grid values; finite is false for a
	// continuous Real (one without a step).
	GridSize() (n uint64, finite bool)
	// GridValue returns the i-th grid value, 0 <= i < n, in the fixed grid
	// order. It is only valid when GridSize reports a finite grid.
	GridValue(i uint64) Value
	// EncodedLen returns the number of unit-cube coordinates the dimension
	// takes: 1 for numeric dimensions, one per value for a Categorical.
	EncodedLen() int
	// Encode writes the EncodedLen() coordinates of v to dst. It panics if
	// v is not a value of the dimension.
	Encode(v Value, dst []float64)
	// Decode reads EncodedLen() coordinates from src, clamps them to [0,1]
	// and returns the nearest valid value.
	Decode(src []float64) Value
	// Normalize converts v to the dimension's canonical Go type and value
	// (e.g. int 3 to int64 3). It reports false if v is not a value of the
	// dimension; Contains(v) is exactly Normalize's second result.
	Normalize(v Value) (Value, bool)
}

// Space is an ordered list of dimensions with unique names. Build it with
// New; it is immutable afterwards and safe for concurrent use.
type Space struct {
	dims  []Dimension
	index map[string]int
}

// New returns a Space of the given dimensions, in order. It reports an
// error if a dimension is nil, has an empty name, or shares its name with
// another. A Space with no dimensions is valid and has one, empty, point.
func New(dims ...Dimension) (*Space, error) {
	s := &Space{dims: slices.Clone(dims), index: make(map[string]int, len(dims))}
	for i, d := range dims {
		if d == nil {
			return nil, fmt.Errorf("space: dimension %d is nil.", i)
		}
		name := d.Name()
		if name == "" {
			return nil, fmt.Errorf("space: dimension %d has no name; give every dimension a unique name.", i)
		}
		if j, dup := s.index[name]; dup {
			return nil, fmt.Errorf("space: dimension name %q is used twice (dimensions %d and %d); rename one of them.", name, j, i)
		}
		s.index[name] = i
	}
	return s, nil
}

// Dims returns the dimensions in order. The slice is a copy.
func (s *Space) Dims() []Dimension { return slices.Clone(s.dims) }

// Len returns the number of dimensions.
func (s *Space) Len() int { return len(s.dims) }

// Names returns the dimension names in order.
func (s *Space) Names() []string {
	names := make([]string, len(s.dims))
	for i, d := range s.dims {
		names[i] = d.Name()
	}
	return names
}

// Index returns the position of the dimension called name, or -1.
func (s *Space) Index(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	return -1
}

// Sample draws one point, each dimension in order, using only r.
func (s *Space) Sample(r *rand.Rand) Point {
	p := make(Point, len(s.dims))
	for i, d := range s.dims {
		p[i] = d.Sample(r)
	}
	return p
}

// Contains reports whether p has one valid value per dimension.
func (s *Space) Contains(p Point) bool {
	_, ok := s.Normalize(p)
	return ok
}

// Normalize returns a copy of p with every value in its canonical Go type,
// or false if p is not a point of s.
func (s *Space) Normalize(p Point) (Point, bool) {
	if len(p) != len(s.dims) {
		return nil, false
	}
	q := make(Point, len(p))
	for i, d := range s.dims {
		v, ok := d.Normalize(p[i])
		if !ok {
			return nil, false
		}
		q[i] = v
	}
	return q, true
}

// EncodedLen returns the dimension of the unit cube points are encoded in.
func (s *Space) EncodedLen() int {
	n := 0
	for _, d := range s.dims {
		n += d.EncodedLen()
	}
	return n
}

// Encode maps p into the unit cube [0,1]^EncodedLen(), dimension after
// dimension. It panics if p is not a point of s.
func (s *Space) Encode(p Point) []float64 {
	if len(p) != len(s.dims) {
		panic(fmt.Sprintf("space: point has %d values, space has %d dimensions", len(p), len(s.dims)))
	}
	x := make([]float64, s.EncodedLen())
	off := 0
	for i, d := range s.dims {
		n := d.EncodedLen()
		d.Encode(p[i], x[off:off+n])
		off += n
	}
	return x
}

// Decode maps x, of length EncodedLen(), back to the nearest point of s;
// coordinates outside [0,1] are clamped. The result is always Contained.
// It panics if len(x) != EncodedLen().
func (s *Space) Decode(x []float64) Point {
	if n := s.EncodedLen(); len(x) != n {
		panic(fmt.Sprintf("space: encoded point has %d coordinates, want %d", len(x), n))
	}
	p := make(Point, len(s.dims))
	off := 0
	for i, d := range s.dims {
		n := d.EncodedLen()
		p[i] = d.Decode(x[off : off+n])
		off += n
	}
	return p
}
