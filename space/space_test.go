package space

import (
	"slices"
	"strings"
	"testing"
)

func TestNewErrors(t *testing.T) {
	a := mustReal(t, 0, 1, false, 0)
	b, _ := NewInteger("b", 0, 3, false, 1)
	dupe, _ := NewCategorical("r", []Value{"x"})
	noName, _ := NewReal("", 0, 1, false, 0)
	tests := []struct {
		name      string
		dims      []Dimension
		fragments []string
	}{
		{"duplicate name", []Dimension{a, b, dupe}, []string{`"r"`, "twice", "dimensions 0 and 2"}},
		{"nil dimension", []Dimension{a, nil}, []string{"dimension 1 is nil"}},
		{"empty name", []Dimension{noName}, []string{"no name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.dims...)
			if err == nil {
				t.Fatalf("got %v, want an error", s)
			}
			for _, f := range tt.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not contain %q", err, f)
				}
			}
		})
	}
}

func TestSpaceAccessors(t *testing.T) {
	x := mustReal(t, 0, 1, false, 0)
	n, _ := NewInteger("n", 1, 5, false, 2)
	c, _ := NewCategorical("opt", []Value{"adam", "sgd", "rms"})
	dims := []Dimension{x, n, c}
	s := mustSpace(t, dims...)
	dims[0] = c // New must have copied
	if got := s.Names(); !slices.Equal(got, []string{"r", "n", "opt"}) {
		t.Errorf("Names = %v", got)
	}
	if s.Len() != 3 || s.EncodedLen() != 5 {
		t.Errorf("Len = %d, EncodedLen = %d; want 3, 5", s.Len(), s.EncodedLen())
	}
	for i, name := range []string{"r", "n", "opt"} {
		if s.Index(name) != i {
			t.Errorf("Index(%q) = %d, want %d", name, s.Index(name), i)
		}
	}
	if s.Index("nope") != -1 {
		t.Error("Index of an absent name is not -1")
	}
	got := s.Dims()
	got[0] = nil
	if s.Dims()[0] != x {
		t.Error("Dims did not return a copy")
	}
}

func TestSpaceNormalizeContains(t *testing.T) {
	s := mustSpace(t, mustReal(t, 0, 1, false, 0.5), mustInt(t, 1, 5, false, 2), mustCat(t, "a", 2))
	tests := []struct {
		p    Point
		want Point // nil: not contained
	}{
		{Point{0.5, int64(3), "a"}, Point{0.5, int64(3), "a"}},
		{Point{1, 5, 2}, Point{1.0, int64(5), 2.0}},
		{Point{float32(0), 1.0, int8(2)}, Point{0.0, int64(1), 2.0}},
		{Point{0.25, 3, "a"}, nil}, // off the real step
		{Point{0.5, 2, "a"}, nil},  // off the integer step
		{Point{0.5, 3, "b"}, nil},  // not a category
		{Point{0.5, 3}, nil},       // too short
		{Point{0.5, 3, "a", 1}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		got, ok := s.Normalize(tt.p)
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("Normalize(%#v) = %#v, %v; want %#v", tt.p, got, ok, tt.want)
		}
		if s.Contains(tt.p) != ok {
			t.Errorf("Contains(%#v) disagrees with Normalize", tt.p)
		}
	}
}

func TestKey(t *testing.T) {
	s := mustSpace(t, mustReal(t, 0, 1, false, 0.1), mustInt(t, -5, 5, false, 0), mustCat(t, "a\"b", 1, true))
	tests := []struct {
		p    Point
		want string
	}{
		{Point{0.5, int64(3), "a\"b"}, `[0.5,3,"a\"b"]`},
		{Point{0.3, 3, 1}, `[0.30000000000000004,3,1]`},
		{Point{0.3, int8(3), 1.0}, `[0.30000000000000004,3,1]`},
		{Point{0.1 + 1e-12, -5, true}, `[0.1,-5,true]`},
	}
	for _, tt := range tests {
		if got := s.Key(tt.p); got != tt.want {
			t.Errorf("Key(%#v) = %s, want %s", tt.p, got, tt.want)
		}
	}
	// Distinct points have distinct keys, across the whole grid.
	grid, err := s.Grid(1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range grid {
		k := s.Key(p)
		if seen[k] {
			t.Fatalf("duplicate key %s", k)
		}
		seen[k] = true
	}
	// Invalid values still get a key, distinct from valid ones.
	if k := s.Key(Point{"0.5", nil, []int{1}}); k == s.Key(Point{0.5, 0, 1}) || !strings.HasPrefix(k, `["0.5",`) {
		t.Errorf("Key of an invalid point = %s", k)
	}
}

func TestEncodePanics(t *testing.T) {
	s := mustSpace(t, mustReal(t, 0, 1, false, 0), mustCat(t, "a", "b"))
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"out of bounds", func() { s.Encode(Point{2.0, "a"}) }},
		{"unknown category", func() { s.Encode(Point{0.5, "z"}) }},
		{"short point", func() { s.Encode(Point{0.5}) }},
		{"short vector", func() { s.Decode([]float64{0.5, 1}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			tt.f()
		})
	}
}

func TestEncodeLayout(t *testing.T) {
	s := mustSpace(t, mustCat(t, "a", "b", "c"), mustReal(t, 1, 100, true, 0), mustInt(t, 0, 10, false, 0))
	got := s.Encode(Point{"c", 10.0, int64(5)})
	want := []float64{0, 0, 1, 0.5, 0.5}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
			t.Fatalf("Encode = %v, want %v", got, want)
		}
	}
}

func TestEmptySpace(t *testing.T) {
	s := mustSpace(t)
	if n, err := s.GridSize(); n != 1 || err != nil {
		t.Errorf("GridSize = %d, %v; want 1, nil", n, err)
	}
	if p := s.Decode(nil); len(p) != 0 || !s.Contains(p) {
		t.Errorf("Decode(nil) = %v", p)
	}
}
