package space

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// Condition decides whether a dimension of a conditional Space is active,
// from the coordinates of the dimensions before it (its prefix, in
// declaration order). The prefix is canonical (as Normalize returns it),
// with Inactive at every inactive coordinate. Active must be pure and
// deterministic, must not modify or keep prefix, and must be safe for
// concurrent use.
type Condition interface {
	Active(prefix Point) bool
}

// Dependent is optionally implemented by a Condition to declare the
// names of the earlier dimensions it reads. A Condition without it is
// taken to read every earlier dimension. The declaration only makes the
// grid cheaper to count (see GridSize); a wrong one gives wrong counts.
type Dependent interface {
	DependsOn() []string
}

// Func returns a Condition that calls f and declares that it reads only
// the named dimensions (none: f is a constant).
func Func(f func(prefix Point) bool, dependsOn ...string) Condition {
	return funcCondition{f: f, deps: slices.Clone(dependsOn)}
}

type funcCondition struct {
	f    func(Point) bool
	deps []string
}

func (c funcCondition) Active(prefix Point) bool { return c.f(prefix) }
func (c funcCondition) DependsOn() []string      { return slices.Clone(c.deps) }

// inactive is the type of Inactive.
type inactive struct{}

// String returns "inactive".
func (inactive) String() string { return "inactive" }

// MarshalJSON returns null: an inactive coordinate has no value.
func (inactive) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// Inactive is the coordinate of a dimension whose Condition is false: the
// dimension takes no value (the param keeps its base value). It is the
// only such value; compare with ==. Key writes it as null.
var Inactive Value = inactive{}

// IsInactive reports whether v is Inactive.
func IsInactive(v Value) bool { return v == Inactive }

// NewConditional returns a Space of the given dimensions, in order, where
// dimension i is active only when conds[i] is true on the point's earlier
// coordinates; a nil conds[i] (or a conds shorter than dims) means always
// active. conds[0] sees an empty prefix, so it is a constant. Besides the
// checks of New, it reports an error if there are more conditions than
// dimensions, or if a Condition that is a Dependent names a dimension
// that does not exist or does not come before its own.
//
// With no condition at all the Space is unconditional, exactly as New
// builds it.
func NewConditional(dims []Dimension, conds []Condition) (*Space, error) {
	if len(conds) > len(dims) {
		return nil, fmt.Errorf("space: %d conditions for %d dimensions; give at most one condition per dimension.", len(conds), len(dims))
	}
	s, err := New(dims...)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(conds, func(c Condition) bool { return c != nil }) {
		return s, nil
	}
	s.conds = make([]Condition, len(dims))
	copy(s.conds, conds)
	s.deps = make([][]int, len(dims))
	for i, c := range s.conds {
		if c == nil {
			continue
		}
		dep, ok := c.(Dependent)
		if !ok {
			s.deps[i] = make([]int, i) // every earlier dimension
			for j := range i {
				s.deps[i][j] = j
			}
			continue
		}
		s.deps[i] = []int{} // declared: none read unless named
		for _, name := range dep.DependsOn() {
			j, found := s.index[name]
			switch {
			case !found:
				return nil, fmt.Errorf("space: the condition of dimension %q reads %q, which is not a dimension; a condition may read only dimensions declared before its own.", dims[i].Name(), name)
			case j >= i:
				return nil, fmt.Errorf("space: the condition of dimension %q reads %q, which is declared after it (or is itself); declare %q first.", dims[i].Name(), name, name)
			}
			if !slices.Contains(s.deps[i], j) {
				s.deps[i] = append(s.deps[i], j)
			}
		}
		slices.Sort(s.deps[i])
	}
	return s, nil
}

// Conditional reports whether some dimension of s has a condition.
func (s *Space) Conditional() bool { return s.conds != nil }

// Condition returns the condition of dimension i, or nil if it is always
// active.
func (s *Space) Condition(i int) Condition {
	if s.conds == nil {
		return nil
	}
	return s.conds[i]
}

// Active reports whether dimension i is active in a point whose first i
// coordinates are p[:i] (canonical, as Normalize returns them); later
// coordinates are not read. It is always true for an unconditional Space.
func (s *Space) Active(p Point, i int) bool {
	if s.conds == nil || s.conds[i] == nil {
		return true
	}
	return s.conds[i].Active(p[:i:i])
}

// sampleConditional is Sample for a conditional space: an inactive
// dimension draws nothing.
func (s *Space) sampleConditional(r *rand.Rand) Point {
	p := make(Point, len(s.dims))
	for i, d := range s.dims {
		if s.Active(p, i) {
			p[i] = d.Sample(r)
		} else {
			p[i] = Inactive
		}
	}
	return p
}

// normalizeConditional is Normalize for a conditional space.
func (s *Space) normalizeConditional(p Point) (Point, bool) {
	if len(p) != len(s.dims) {
		return nil, false
	}
	q := make(Point, len(p))
	for i, d := range s.dims {
		if !s.Active(q, i) {
			if p[i] != Inactive {
				return nil, false
			}
			q[i] = Inactive
			continue
		}
		v, ok := d.Normalize(p[i])
		if !ok {
			return nil, false
		}
		q[i] = v
	}
	return q, true
}

// InactiveEncoding is the fixed encoding Encode writes for an inactive
// coordinate: InactiveNumeric for a Real or an Integer, and
// InactiveCategorical in each of a Categorical's one-hot coordinates.
// Chosen by measurement (see the package doc).
const (
	InactiveNumeric     = 0.5
	InactiveCategorical = 0.0
)

// EncodeInactive writes the fixed encoding of an inactive coordinate of d
// to dst[:d.EncodedLen()].
func EncodeInactive(d Dimension, dst []float64) {
	fill := InactiveNumeric
	if _, ok := d.(*Categorical); ok {
		fill = InactiveCategorical
	}
	for j := range d.EncodedLen() {
		dst[j] = fill
	}
}

// encodeConditional is Encode for a conditional space.
func (s *Space) encodeConditional(p Point) []float64 {
	q, ok := s.normalizeConditional(p)
	if !ok {
		panic(fmt.Sprintf("space: %v is not a point of the space (a value is invalid, or a coordinate is Inactive exactly where its dimension is active)", p))
	}
	x := make([]float64, s.EncodedLen())
	off := 0
	for i, d := range s.dims {
		n := d.EncodedLen()
		if q[i] == Inactive {
			EncodeInactive(d, x[off:off+n])
		} else {
			d.Encode(q[i], x[off:off+n])
		}
		off += n
	}
	return x
}

// decodeConditional is Decode for a conditional space: activity comes
// from the decoded earlier coordinates, and an inactive dimension's
// coordinates are not read.
func (s *Space) decodeConditional(x []float64) Point {
	p := make(Point, len(s.dims))
	off := 0
	for i, d := range s.dims {
		n := d.EncodedLen()
		if s.Active(p, i) {
			p[i] = d.Decode(x[off : off+n])
		} else {
			p[i] = Inactive
		}
		off += n
	}
	return p
}

// maxGridWork bounds the work of counting a conditional grid: subtrees
// memoized plus values visited.
const maxGridWork = 1 << 22

// inactiveIndex is the grid index an inactive coordinate has in a memo
// key.
const inactiveIndex = ^uint64(0)

// condGrid is the grid of a conditional space, counted once.
type condGrid struct {
	size uint64
	err  error
	// relevant[i] are the dimensions before i that the condition of
	// dimension i or of a later one reads: the count of the points below
	// a prefix of length i depends only on their values.
	relevant [][]int
	// readLater[i] reports whether a condition of a later dimension reads
	// dimension i.
	readLater []bool
	// memo holds the count of the points below each prefix met, by key.
	memo map[string]uint64
}

// grid returns the counted grid of a conditional space.
func (s *Space) grid() *condGrid {
	s.gridOnce.Do(func() { s.cgrid = s.countGrid() })
	return s.cgrid
}

// countGrid walks the tree of consistent grid combinations, memoizing the
// count below a prefix by the values of the dimensions later conditions
// read (see GridSize).
func (s *Space) countGrid() *condGrid {
	n := len(s.dims)
	g := &condGrid{relevant: make([][]int, n+1), readLater: make([]bool, n), memo: map[string]uint64{}}
	for i := n - 1; i >= 0; i-- {
		set := slices.Clone(g.relevant[i+1])
		for _, j := range s.deps[i] {
			if !slices.Contains(set, j) {
				set = append(set, j)
			}
		}
		slices.Sort(set)
		g.relevant[i] = slices.DeleteFunc(set, func(j int) bool { return j >= i })
		for _, j := range s.deps[i] {
			g.readLater[j] = true
		}
	}
	for _, d := range s.dims {
		if _, finite := d.GridSize(); !finite {
			g.err = fmt.Errorf("space: dimension %q is continuous, so the space has no finite grid; add a step to it or list its values instead.", d.Name())
			return g
		}
	}
	w := gridWalk{s: s, g: g, p: make(Point, n), idx: make([]uint64, n)}
	g.size, g.err = w.count(0)
	return g
}

// gridWalk is the state of a walk down the grid tree: the prefix's values
// and their grid indices.
type gridWalk struct {
	s    *Space
	g    *condGrid
	p    Point
	idx  []uint64
	work int
	key  []byte
}

// memoKey returns the key of the prefix of length i.
func (w *gridWalk) memoKey(i int) string {
	w.key = append(w.key[:0], byte(i), byte(i>>8), byte(i>>16))
	for _, j := range w.g.relevant[i] {
		v := w.idx[j]
		for range 8 {
			w.key = append(w.key, byte(v))
			v >>= 8
		}
	}
	return string(w.key)
}

var errGridTooCostly = fmt.Errorf("space: the params' conditions make the grid too costly to count (more than %d combinations of the values they read); use fewer values for the params the conditions read, or sample the space (random or bayesian) instead.", maxGridWork)

var errGridOverflow = fmt.Errorf("space: the grid has more than %d points; use larger steps or fewer values.", uint64(1<<64-1))

// count returns the number of consistent grid points below the prefix
// w.p[:i], memoizing it.
func (w *gridWalk) count(i int) (uint64, error) {
	s := w.s
	if i == len(s.dims) {
		return 1, nil
	}
	key := w.memoKey(i)
	if c, ok := w.g.memo[key]; ok {
		return c, nil
	}
	if w.work++; w.work > maxGridWork {
		return 0, errGridTooCostly
	}
	var total uint64
	d := s.dims[i]
	switch m, _ := d.GridSize(); {
	case !s.Active(w.p, i):
		w.p[i], w.idx[i] = Inactive, inactiveIndex
		c, err := w.count(i + 1)
		if err != nil {
			return 0, err
		}
		total = c
	case !w.g.readLater[i]:
		// No later condition reads this dimension: every value has the
		// same number of points below it.
		w.p[i], w.idx[i] = d.GridValue(0), 0
		c, err := w.count(i + 1)
		if err != nil {
			return 0, err
		}
		hi, lo := bits.Mul64(m, c)
		if hi != 0 {
			return 0, errGridOverflow
		}
		total = lo
	default:
		for j := range m {
			if w.work++; w.work > maxGridWork {
				return 0, errGridTooCostly
			}
			w.p[i], w.idx[i] = d.GridValue(j), j
			c, err := w.count(i + 1)
			if err != nil {
				return 0, err
			}
			sum, carry := bits.Add64(total, c, 0)
			if carry != 0 {
				return 0, errGridOverflow
			}
			total = sum
		}
	}
	w.g.memo[key] = total
	return total, nil
}

// lookup returns the memoized count below the prefix w.p[:i].
func (w *gridWalk) lookup(i int) uint64 {
	if i == len(w.s.dims) {
		return 1
	}
	c, ok := w.g.memo[w.memoKey(i)]
	if !ok {
		panic(fmt.Sprintf("space: grid count of a prefix of length %d was not memoized", i))
	}
	return c
}

// gridPointConditional is GridPoint for a conditional space: it descends
// the tree of consistent combinations, skipping whole subtrees by their
// counts.
func (s *Space) gridPointConditional(k uint64) Point {
	g := s.grid()
	if g.err != nil {
		panic(g.err)
	}
	if k >= g.size {
		panic(fmt.Sprintf("space: grid point %d out of range [0, %d)", k, g.size))
	}
	w := gridWalk{s: s, g: g, p: make(Point, len(s.dims)), idx: make([]uint64, len(s.dims))}
	for i, d := range s.dims {
		if !s.Active(w.p, i) {
			w.p[i], w.idx[i] = Inactive, inactiveIndex
			continue
		}
		m, _ := d.GridSize()
		if !g.readLater[i] {
			w.p[i], w.idx[i] = d.GridValue(0), 0
			c := w.lookup(i + 1)
			j := k / c
			k %= c
			w.p[i], w.idx[i] = d.GridValue(j), j
			continue
		}
		for j := range m {
			w.p[i], w.idx[i] = d.GridValue(j), j
			c := w.lookup(i + 1)
			if k < c {
				break
			}
			k -= c
		}
	}
	return w.p
}

// gridConditional is Grid for a conditional space, by a depth-first walk.
func (s *Space) gridConditional(n uint64) []Point {
	out := make([]Point, 0, n)
	p := make(Point, len(s.dims))
	var walk func(i int)
	walk = func(i int) {
		if i == len(s.dims) {
			out = append(out, slices.Clone(p))
			return
		}
		if !s.Active(p, i) {
			p[i] = Inactive
			walk(i + 1)
			return
		}
		d := s.dims[i]
		m, _ := d.GridSize()
		for j := range m {
			p[i] = d.GridValue(j)
			walk(i + 1)
		}
	}
	walk(0)
	return out
}
