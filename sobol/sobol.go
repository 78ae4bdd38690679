package sobol

import (
	"fmt"
	"math/bits"

	"github.com/frameworm/frameworm/internal/splitmix"
)

// Sequence generates points of a d-dimensional Sobol' sequence in [0,1)^d,
// optionally scrambled from a seed. See the package documentation for the
// guarantees.
type Sequence struct {
	d        int
	v        [digits][]uint32 // v[k][j]: direction number V_{k+1} of dimension j+1
	x        []uint32         // unscrambled digits of point idx
	idx      uint64           // index of the point the next call to Next returns
	scramble bool
	seeds    []uint32 // per-dimension Owen scramble seeds
	fill     []uint64 // per-dimension seeds for the digits past 32
}

// New returns a sequence of dimension d, 1 <= d <= MaxDim. With scramble
// set, the points are Owen-scrambled from seed; without it, seed is ignored
// and the points are the plain Sobol' points.
func New(d int, seed uint64, scramble bool) (*Sequence, error) {
	if d < 1 || d > MaxDim {
		return nil, fmt.Errorf("sobol: dimension %d out of range [1, %d]", d, MaxDim)
	}
	tab, err := primitives()
	if err != nil {
		return nil, err
	}
	s := &Sequence{d: d, x: make([]uint32, d), scramble: scramble}
	flat := make([]uint32, digits*d)
	for k := range s.v {
		s.v[k] = flat[k*d : (k+1)*d : (k+1)*d]
	}
	for j := range d {
		v := directions(j+1, tab)
		for k := range v {
			s.v[k][j] = v[k]
		}
	}
	if scramble {
		s.seeds = make([]uint32, d)
		s.fill = make([]uint64, d)
		state := seed
		for j := range d {
			r := splitmix64(&state)
			s.seeds[j] = uint32(r)
			s.fill[j] = splitmix64(&state)
		}
	}
	return s, nil
}

// Dim returns the dimension of the sequence.
func (s *Sequence) Dim() int { return s.d }

// Index returns the index of the point the next call to Next returns; a
// new Sequence starts at 0. New followed by Skip(Index()) resumes a
// sequence.
func (s *Sequence) Index() uint64 { return s.idx }

// Next writes the next point into dst and returns it. dst must have length
// Dim(), or be nil, in which case a new slice is allocated. Next panics once
// MaxPoints points have been produced.
func (s *Sequence) Next(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, s.d)
	}
	if len(dst) != s.d {
		panic(fmt.Sprintf("sobol: Next: len(dst) = %d, want %d", len(dst), s.d))
	}
	if s.idx >= MaxPoints {
		panic("sobol: sequence exhausted after 2^32 points")
	}
	x := s.x[:s.d]
	if s.scramble {
		seeds, fill := s.seeds[:s.d], s.fill[:s.d]
		for j, xj := range x {
			y := owen(xj, seeds[j])
			low := splitmix.Mix64(uint64(y)^fill[j]) >> (64 - 21)
			dst[j] = float64(uint64(y)<<21|low) * 0x1p-53
		}
	} else {
		for j, xj := range x {
			dst[j] = float64(xj) * 0x1p-32
		}
	}
	s.idx++
	if s.idx < MaxPoints {
		// Gray code: point i differs from point i-1 by the direction
		// numbers of the lowest set bit of i.
		col := s.v[bits.TrailingZeros64(s.idx)][:s.d]
		for j := range x {
			x[j] ^= col[j]
		}
	}
	return dst
}

// Skip advances the sequence by n points, in time independent of n. It
// panics if that would go past MaxPoints.
func (s *Sequence) Skip(n uint64) {
	if n > MaxPoints-s.idx {
		panic(fmt.Sprintf("sobol: Skip(%d) from index %d passes 2^32 points", n, s.idx))
	}
	s.idx += n
	clear(s.x)
	if s.idx == MaxPoints {
		return
	}
	g := s.idx ^ s.idx>>1
	for g != 0 {
		k := bits.TrailingZeros64(g)
		g &= g - 1
		for j, c := range s.v[k] {
			s.x[j] ^= c
		}
	}
}
