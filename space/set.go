package space

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Set is a set of points of one Space under the equality of Key: two
// points are the same member exactly when their keys are equal. It builds
// no key for a point of the space: it compares the points' normalized
// values (a float's bits, an integer, a categorical's index), found
// through a 64-bit hash of them, so de-duplicating many points costs no
// formatting and no allocation per point. Values that are not a point of
// the space still go by their Key.
//
// Build a Set with NewSet. It is not safe for concurrent use.
type Set struct {
	sp *Space
	// dims are the space's dimensions as the Set compares them; nil when
	// one is of a type it does not know, and then every point goes by Key.
	dims []setDim
	// codes hold len(dims) words per member, in the order they were
	// added, and hashes the hash of each member's code.
	codes  []uint64
	hashes []uint64
	// slots is an open-addressing table of the members by hash (linear
	// probing): 0 for an empty slot, else a member's index plus one. It
	// is at most half full.
	slots []uint32
	// byKey holds the members that are not points of the space.
	byKey map[string]struct{}
	// code and raw are scratch space for one point.
	code, raw []uint64
}

// setDim is one dimension of a Set: exactly one field is set.
type setDim struct {
	real *Real
	intg *Integer
	cat  *Categorical
}

// NewSet returns an empty set of points of s, with room for about n
// members.
func NewSet(s *Space, n int) *Set {
	t := &Set{sp: s, byKey: map[string]struct{}{}}
	dims := make([]setDim, len(s.dims))
	for i, d := range s.dims {
		switch d := d.(type) {
		case *Real:
			dims[i].real = d
		case *Integer:
			dims[i].intg = d
		case *Categorical:
			dims[i].cat = d
		default:
			dims = nil
		}
		if dims == nil {
			break
		}
	}
	t.dims = dims
	if dims != nil {
		t.codes = make([]uint64, 0, n*len(dims))
		t.hashes = make([]uint64, 0, n)
		t.slots = make([]uint32, slotsFor(n))
		t.code = make([]uint64, len(dims))
		t.raw = make([]uint64, len(dims))
	}
	return t
}

// Len returns the number of members.
func (t *Set) Len() int { return len(t.hashes) + len(t.byKey) }

// Add adds p and reports whether it was not a member yet.
func (t *Set) Add(p Point) bool {
	if t.encode(p) {
		return t.addCode()
	}
	k := t.sp.Key(p)
	if _, dup := t.byKey[k]; dup {
		return false
	}
	t.byKey[k] = struct{}{}
	return true
}

// Has reports whether p is a member.
func (t *Set) Has(p Point) bool {
	if t.encode(p) {
		_, found := t.find(hashCode(t.code))
		return found
	}
	_, found := t.byKey[t.sp.Key(p)]
	return found
}

// AddSample draws a point exactly as the space's Sample does (the same
// draws from r, the same point) and adds it. It returns the point when it
// was not a member yet, and nil and false when it was: no point is built
// for a duplicate.
func (t *Set) AddSample(r *rand.Rand) (Point, bool) {
	if t.dims == nil || t.sp.conds != nil {
		p := t.sp.Sample(r)
		if !t.Add(p) {
			return nil, false
		}
		return p, true
	}
	// Draw as Sample does, keeping each raw value and its code.
	canonical := true
	for i, d := range t.dims {
		switch {
		case d.real != nil:
			f := d.real.sample(r)
			t.raw[i] = math.Float64bits(f)
			g, ok := d.real.normalizeFloat(f)
			canonical = canonical && ok
			t.code[i] = math.Float64bits(g)
		case d.intg != nil:
			k := d.intg.sample(r)
			t.raw[i] = uint64(k)
			canonical = canonical && d.intg.has(k)
			t.code[i] = uint64(k)
		default:
			j := d.cat.sample(r)
			t.raw[i] = uint64(j)
			k := d.cat.index(d.cat.Values[j])
			canonical = canonical && k >= 0
			t.code[i] = uint64(k)
		}
	}
	if !canonical { // a draw that is not a value of its dimension: by Key
		p := t.point(t.raw)
		if !t.Add(p) {
			return nil, false
		}
		return p, true
	}
	if !t.addCode() {
		return nil, false
	}
	return t.point(t.raw), true
}

// point builds the point of raw values drawn by AddSample.
func (t *Set) point(raw []uint64) Point {
	p := make(Point, len(raw))
	for i, d := range t.dims {
		switch {
		case d.real != nil:
			p[i] = math.Float64frombits(raw[i])
		case d.intg != nil:
			p[i] = int64(raw[i])
		default:
			p[i] = d.cat.Values[raw[i]]
		}
	}
	return p
}

// encode writes the code of p to t.code and reports whether p is a point
// of the space the Set can compare by code.
func (t *Set) encode(p Point) bool {
	if t.dims == nil || len(p) != len(t.dims) {
		return false
	}
	if t.sp.conds != nil {
		return t.encodeConditional(p)
	}
	for i, d := range t.dims {
		switch {
		case d.real != nil:
			f, ok := d.real.normalize(p[i])
			if !ok {
				return false
			}
			t.code[i] = math.Float64bits(f)
		case d.intg != nil:
			k, ok := d.intg.normalize(p[i])
			if !ok {
				return false
			}
			t.code[i] = uint64(k)
		default:
			k := d.cat.index(p[i])
			if k < 0 {
				return false
			}
			t.code[i] = uint64(k)
		}
	}
	return true
}

// addCode adds the point whose code is in t.code, unless a member has it.
func (t *Set) addCode() bool {
	h := hashCode(t.code)
	i, found := t.find(h)
	if found {
		return false
	}
	if len(t.hashes) >= math.MaxUint32-1 {
		panic("space: Set holds too many points")
	}
	t.codes = append(t.codes, t.code...)
	t.hashes = append(t.hashes, h)
	t.slots[i] = uint32(len(t.hashes))
	if 2*len(t.hashes) > len(t.slots) {
		t.grow()
	}
	return true
}

// find returns the slot of the member with the code in t.code, whose hash
// is h, and true; or the empty slot where it would go, and false.
func (t *Set) find(h uint64) (slot int, found bool) {
	n := len(t.dims)
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		m := t.slots[i]
		if m == 0 {
			return i, false
		}
		if m--; t.hashes[m] == h && slices.Equal(t.codes[int(m)*n:(int(m)+1)*n], t.code) {
			return i, true
		}
	}
}

// grow doubles the table of slots.
func (t *Set) grow() {
	t.slots = make([]uint32, 2*len(t.slots))
	mask := len(t.slots) - 1
	for m, h := range t.hashes {
		i := int(h) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = uint32(m + 1)
	}
}

// slotsFor returns the size of a table of slots for n members: a power of
// two, at least 2n and 8.
func slotsFor(n int) int {
	size := 8
	for size < 2*n {
		size *= 2
	}
	return size
}

// hashCode mixes the words of a code into 64 bits, every bit of the
// input reaching the low bits the table of slots uses. Any function would
// be correct (members with equal hashes are compared in full).
func hashCode(code []uint64) uint64 {
	h := uint64(0x6672616d65776f72) ^ uint64(len(code))
	for _, w := range code {
		h = (h ^ w) * 0x9e3779b97f4a7c15
		h ^= h >> 32
	}
	// The finalizer of MurmurHash3.
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// encodeConditional is encode for a conditional space. An inactive
// coordinate has code 0: two consistent points whose codes agree before
// dimension i agree in value there, so their dimension i is active in
// both or in neither, and a code of 0 never meets an active value's code
// of 0 at the same position.
func (t *Set) encodeConditional(p Point) bool {
	q, ok := t.sp.normalizeConditional(p)
	if !ok {
		return false
	}
	for i, d := range t.dims {
		switch v := q[i]; {
		case v == Inactive:
			t.code[i] = 0
		case d.real != nil:
			t.code[i] = math.Float64bits(v.(float64))
		case d.intg != nil:
			t.code[i] = uint64(v.(int64))
		default:
			t.code[i] = uint64(d.cat.index(v))
		}
	}
	return true
}
