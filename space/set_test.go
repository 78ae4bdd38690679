package space

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// opaque is a Dimension of a type Set does not know: it must go by Key.
type opaque struct{ *Real }

// variant returns v in another form that may or may not be the same value
// of its dimension (other Go types, -0, a value near a grid value, invalid values), or
// v itself.
func variant(r *rand.Rand, v Value) Value {
	switch r.IntN(12) {
	case 0:
		if f, ok := toFloat(v); ok {
			return f + 1e-12 // within a stepped real's tolerance, or not
		}
	case 1:
		if f, ok := toFloat(v); ok {
			return float32(f)
		}
	case 2:
		if k, ok := toInt(v); ok {
			return int(k)
		}
	case 3:
		if k, ok := toInt(v); ok && k >= 0 && k < 256 {
			return uint8(k)
		}
	case 4:
		if f, ok := v.(float64); ok && f == 0 {
			return math.Copysign(0, -1)
		}
	case 5:
		return []Value{nil, math.NaN(), math.Inf(1), "adam", "1", true, 1.0, int64(1), time.Duration(3), []int{1}, 1e300}[r.IntN(11)]
	case 6:
		if f, ok := toFloat(v); ok {
			return f * 1.5 // usually outside the grid or the range
		}
	}
	return v
}

// randomPoints draws points of s and variants of them, some of the wrong
// length, with repeats.
func randomPoints(r *rand.Rand, s *Space, n int) []Point {
	var pts []Point
	for range n {
		var p Point
		switch {
		case len(pts) > 0 && r.IntN(3) == 0: // a repeat, maybe in another form
			p = append(Point(nil), pts[r.IntN(len(pts))]...)
		case r.IntN(20) == 0: // the wrong length
			p = make(Point, r.IntN(len(s.dims)+2))
			for i := range p {
				p[i] = float64(r.IntN(3))
			}
			pts = append(pts, p)
			continue
		default:
			p = s.Sample(r)
		}
		for i := range p {
			if r.IntN(3) == 0 {
				p[i] = variant(r, p[i])
			}
		}
		pts = append(pts, p)
	}
	return pts
}

// TestSetMatchesKey: a Set's members are the points with distinct keys,
// whatever their Go types or validity, for known dimension types and for
// others (which go by Key).
func TestSetMatchesKey(t *testing.T) {
	r := newRand(t)
	for round := range 300 {
		s := randomSpace(t, r)
		if round%10 == 0 {
			dims := s.Dims()
			dims = append(dims, opaque{mustReal(t, 0, 1, false, 0.25)})
			s = mustSpace(t, dims...)
		}
		set := NewSet(s, r.IntN(4))
		want := map[string]bool{}
		for _, p := range randomPoints(r, s, 200) {
			k := s.Key(p)
			if got := set.Has(p); got != want[k] {
				t.Fatalf("round %d, space %s: Has(%#v) = %v, want %v (key %s)", round, describe(s), p, got, want[k], k)
			}
			if added := set.Add(p); added != !want[k] {
				t.Fatalf("round %d, space %s: Add(%#v) = %v, want %v (key %s)", round, describe(s), p, added, !want[k], k)
			}
			want[k] = true
			if set.Len() != len(want) {
				t.Fatalf("round %d: Len = %d, want %d", round, set.Len(), len(want))
			}
		}
	}
}

// TestSetAddSample: AddSample draws what Sample draws, from the same
// source, and adds it as Add would.
func TestSetAddSample(t *testing.T) {
	r := newRand(t)
	for round := range 200 {
		s := randomSpace(t, r)
		if round%10 == 0 {
			dims := s.Dims()
			dims = append(dims, opaque{mustReal(t, 0, 1, false, 0.25)})
			s = mustSpace(t, dims...)
		}
		seed := r.Uint64()
		r1, r2 := rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 1))
		set := NewSet(s, 0)
		want := map[string]bool{}
		for range 300 {
			p := s.Sample(r1)
			got, added := set.AddSample(r2)
			k := s.Key(p)
			if added == want[k] {
				t.Fatalf("round %d, space %s: AddSample added %v, want %v for %#v", round, describe(s), added, !want[k], p)
			}
			if added && !reflect.DeepEqual(got, p) {
				t.Fatalf("round %d, space %s: AddSample drew %#v, Sample %#v", round, describe(s), got, p)
			}
			if !added && got != nil {
				t.Fatalf("round %d: AddSample returned %#v for a member", round, got)
			}
			want[k] = true
		}
		if set.Len() != len(want) || r1.Uint64() != r2.Uint64() {
			t.Fatalf("round %d: Len %d, want %d, or the sources diverged", round, set.Len(), len(want))
		}
	}
}

// TestNormalizeKeepsCanonicalValue: Normalize returns a value already in
// its canonical form as it is (the same interface value, not a new box),
// and converts any other form.
func TestNormalizeKeepsCanonicalValue(t *testing.T) {
	real, integer := mustReal(t, -1, 1, false, 0.1), mustInt(t, 0, 100, false, 5)
	cat := mustCat(t, "adam", 1.5, true)
	for _, tc := range []struct {
		d    Dimension
		v    Value
		want Value
	}{
		{real, 0.5, 0.5},
		{real, 0.30000000000000004, 0.30000000000000004},
		{real, 0.3, 0.30000000000000004}, // snapped to the grid value
		{real, math.Copysign(0, -1), 0.0},
		{real, float32(0.5), 0.5},
		{integer, int64(5), int64(5)},
		{integer, 5, int64(5)},
		{integer, 5.0, int64(5)},
		{cat, "adam", "adam"},
		{cat, 1.5, 1.5},
		{cat, float32(1.5), 1.5},
		{cat, true, true},
	} {
		got, ok := tc.d.Normalize(tc.v)
		if !ok || !reflect.DeepEqual(got, tc.want) || reflect.TypeOf(got) != reflect.TypeOf(tc.want) {
			t.Errorf("%s: Normalize(%#v) = %#v, %v; want %#v", tc.d.Name(), tc.v, got, ok, tc.want)
		}
		if a := testing.AllocsPerRun(100, func() { tc.d.Normalize(tc.want) }); a != 0 {
			t.Errorf("%s: Normalize(%#v), already canonical, allocates %v times", tc.d.Name(), tc.want, a)
		}
	}
}
