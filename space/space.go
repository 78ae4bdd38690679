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
//
// Conditional spaces (NewConditional): dimension i may have a Condition on
// the coordinates before it (declaration order), e.g. momentum only when
// optimizer is "sgd". Where it is false the dimension is inactive and its
// coordinate is Inactive. Every method keeps its contract and extends it:
//   - Sample draws an inactive dimension not at all: the draws of the
//     active ones are those an unconditional space of them would make, in
//     order.
//   - Normalize and Contains accept a point exactly when each coordinate
//     is Inactive where its condition is false on the normalized prefix,
//     and a value of its dimension where it is true.
//   - Key writes Inactive as null and a Set holds it as one value: points
//     that differ only in an inactive coordinate cannot exist, so two
//     points of the space are equal exactly when their keys are.
//   - Encode writes a fixed encoding for an inactive dimension
//     (EncodeInactive: 0.5 for a numeric one, every one-hot coordinate 0
//     for a categorical), and Decode re-derives activity from the decoded
//     earlier coordinates, never reading an inactive dimension's
//     coordinates. The choice was measured with fwbench on the
//     "conditional" test function (see search.Bayesian.Inactive).
//   - GridSize, Grid and GridPoint enumerate only the consistent
//     combinations (an inactive dimension contributes the single
//     coordinate Inactive), in the unconditional order restricted to them.
//     The exact count walks the tree of combinations once, memoizing the
//     count below a prefix by the values of the dimensions that later
//     conditions read (a Condition declares them by implementing
//     Dependent; otherwise it reads every earlier one): the cost is about
//     the number of distinct such value combinations times the grid sizes
//     of the dimensions read, and more than 2^22 steps is an error rather
//     than a hang. GridPoint then costs, per dimension, one memo lookup
//     (or one per value for a dimension a condition reads).
//   - Refine keeps the conditions.
//
// A space without conditions behaves exactly as before: the same draws,
// points, keys, encodings and grid.
package space

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
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
// New, or NewConditional for a space with conditional dimensions; it is
// immutable afterwards and safe for concurrent use.
type Space struct {
	dims  []Dimension
	index map[string]int
	// conds holds each dimension's condition (nil: always active); nil
	// for an unconditional space. deps[i] are the dimensions conds[i]
	// reads, ascending. See NewConditional.
	conds []Condition
	deps  [][]int
	// gridOnce counts cgrid, the grid of a conditional space, once.
	gridOnce sync.Once
	cgrid    *condGrid
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
	if s.conds != nil {
		return s.sampleConditional(r)
	}
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
	if s.conds != nil {
		return s.normalizeConditional(p)
	}
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
	if s.conds != nil {
		return s.encodeConditional(p)
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
	if s.conds != nil {
		return s.decodeConditional(x)
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
