package space

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// opaqueCond is a Condition that does not declare what it reads.
type opaqueCond func(Point) bool

func (c opaqueCond) Active(p Point) bool { return c(p) }

// chainSpace is optimizer ∈ {adam, sgd}; momentum ∈ {0, .25, .5, .75, 1}
// only when optimizer is sgd; nesterov ∈ {true, false} only when momentum
// > 0.5; and an unconditional lr ∈ {1, 2, 3}. With declare false the
// conditions do not say what they read.
func chainSpace(t testing.TB, declare bool) *Space {
	t.Helper()
	opt, err1 := NewCategorical("optimizer", []Value{"adam", "sgd"})
	mom, err2 := NewReal("momentum", 0, 1, false, 0.25)
	nes, err3 := NewCategorical("nesterov", []Value{true, false})
	lr, err4 := NewInteger("lr", 1, 3, false, 1)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	isSGD := func(p Point) bool { return p[0] == "sgd" }
	highMomentum := func(p Point) bool { m, ok := p[1].(float64); return ok && m > 0.5 }
	conds := []Condition{nil, Func(isSGD, "optimizer"), Func(highMomentum, "momentum")}
	if !declare {
		conds = []Condition{nil, opaqueCond(isSGD), opaqueCond(highMomentum)}
	}
	s, err := NewConditional([]Dimension{opt, mom, nes, lr}, conds)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewConditional(t *testing.T) {
	a := mustReal(t, 0, 1, false, 0)
	b, _ := NewInteger("b", 1, 3, false, 1)
	c, _ := NewCategorical("c", []Value{"x", "y"})
	always := func(Point) bool { return true }
	tests := []struct {
		name  string
		conds []Condition
		want  string // error fragment; "" for success
		cond  bool   // want Conditional()
	}{
		{"no conditions", nil, "", false},
		{"all nil", []Condition{nil, nil, nil}, "", false},
		{"shorter", []Condition{nil, Func(always, "r")}, "", true},
		{"undeclared", []Condition{nil, nil, opaqueCond(always)}, "", true},
		{"constant first", []Condition{Func(always)}, "", true},
		{"too many", []Condition{nil, nil, nil, nil}, "4 conditions for 3 dimensions", false},
		{"unknown", []Condition{nil, Func(always, "nope")}, `reads "nope", which is not a dimension`, false},
		{"later", []Condition{nil, Func(always, "c")}, `reads "c", which is declared after it`, false},
		{"itself", []Condition{nil, Func(always, "b")}, `reads "b", which is declared after it (or is itself)`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewConditional([]Dimension{a, b, c}, tt.conds)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want one containing %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Conditional() != tt.cond {
				t.Errorf("Conditional() = %v, want %v", s.Conditional(), tt.cond)
			}
		})
	}
	if _, err := NewConditional([]Dimension{a, a}, nil); err == nil {
		t.Error("duplicate names accepted")
	}
}

func TestConditionalActive(t *testing.T) {
	s := chainSpace(t, true)
	tests := []struct {
		p    Point
		i    int
		want bool
	}{
		{Point{"adam"}, 1, false},
		{Point{"sgd"}, 1, true},
		{Point{"sgd", 0.5}, 2, false},
		{Point{"sgd", 0.75}, 2, true},
		{Point{"adam", Inactive}, 2, false},
		{Point{"adam", Inactive, Inactive}, 3, true},
		{Point{}, 0, true},
	}
	for _, tt := range tests {
		if got := s.Active(tt.p, tt.i); got != tt.want {
			t.Errorf("Active(%v, %d) = %v, want %v", tt.p, tt.i, got, tt.want)
		}
	}
	if s.Condition(0) != nil || s.Condition(1) == nil || s.Condition(3) != nil {
		t.Error("Condition(i) does not return the conditions given")
	}
	u := mustSpace(t, mustReal(t, 0, 1, false, 0))
	if u.Conditional() || !u.Active(Point{}, 0) || u.Condition(0) != nil {
		t.Error("an unconditional space has a condition")
	}
}

func TestConditionalNormalize(t *testing.T) {
	s := chainSpace(t, true)
	tests := []struct {
		name string
		p    Point
		want Point // nil: not a point
	}{
		{"adam", Point{"adam", Inactive, Inactive, 2}, Point{"adam", Inactive, Inactive, int64(2)}},
		{"sgd low momentum", Point{"sgd", 0.25, Inactive, int64(1)}, Point{"sgd", 0.25, Inactive, int64(1)}},
		{"sgd high momentum", Point{"sgd", 1, false, int64(3)}, Point{"sgd", 1.0, false, int64(3)}},
		{"momentum near a grid value", Point{"sgd", 0.7500000000001, true, 3}, Point{"sgd", 0.75, true, int64(3)}},
		{"adam with momentum", Point{"adam", 0.75, Inactive, int64(1)}, nil},
		{"adam with nesterov", Point{"adam", Inactive, true, int64(1)}, nil},
		{"sgd without momentum", Point{"sgd", Inactive, Inactive, int64(1)}, nil},
		{"high momentum without nesterov", Point{"sgd", 0.75, Inactive, int64(1)}, nil},
		{"low momentum with nesterov", Point{"sgd", 0.5, true, int64(1)}, nil},
		{"nil for inactive", Point{"adam", nil, nil, int64(1)}, nil},
		{"inactive unconditional", Point{"adam", Inactive, Inactive, Inactive}, nil},
		{"invalid value", Point{"sgd", 0.3, Inactive, int64(1)}, nil},
		{"short", Point{"adam", Inactive, Inactive}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Normalize(tt.p)
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize(%v) = %#v, %v; want %#v", tt.p, got, ok, tt.want)
			}
			if s.Contains(tt.p) != ok {
				t.Errorf("Contains disagrees with Normalize")
			}
		})
	}
}

func TestConditionalKey(t *testing.T) {
	s := chainSpace(t, true)
	tests := []struct {
		p    Point
		want string
	}{
		{Point{"adam", Inactive, Inactive, 2}, `["adam",null,null,2]`},
		{Point{"sgd", 0.75, true, int64(1)}, `["sgd",0.75,true,1]`},
		{Point{"sgd", 0.5, Inactive, 3.0}, `["sgd",0.5,null,3]`},
	}
	for _, tt := range tests {
		if got := s.Key(tt.p); got != tt.want {
			t.Errorf("Key(%v) = %s, want %s", tt.p, got, tt.want)
		}
	}
	if b, err := json.Marshal(Inactive); err != nil || string(b) != "null" {
		t.Errorf("json.Marshal(Inactive) = %s, %v", b, err)
	}
	if fmt.Sprint(Inactive) != "inactive" || !IsInactive(Inactive) || IsInactive(nil) {
		t.Error("Inactive does not print as inactive or IsInactive is wrong")
	}
}

// TestConditionalGrid checks the exact grid of the chain space. By hand:
// adam leaves momentum and nesterov inactive: 1 combination; sgd with
// momentum 0, 0.25 or 0.5 leaves nesterov inactive: 3; with 0.75 or 1 it
// takes both nesterov values: 2·2 = 4; so 1 + 3 + 4 = 8 combinations,
// times 3 values of lr: 24 points (the unconditional grid has 2·5·2·3 =
// 60).
func TestConditionalGrid(t *testing.T) {
	var want []Point
	for _, lr := range []int64{1, 2, 3} {
		want = append(want, Point{"adam", Inactive, Inactive, lr})
	}
	for _, m := range []float64{0, 0.25, 0.5, 0.75, 1} {
		nes := []Value{Inactive}
		if m > 0.5 {
			nes = []Value{true, false}
		}
		for _, n := range nes {
			for _, lr := range []int64{1, 2, 3} {
				want = append(want, Point{"sgd", m, n, lr})
			}
		}
	}
	for _, declare := range []bool{true, false} {
		s := chainSpace(t, declare)
		n, err := s.GridSize()
		if err != nil || n != 24 {
			t.Fatalf("declare %v: GridSize = %d, %v; want 24", declare, n, err)
		}
		got, err := s.Grid(24)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("declare %v: Grid =\n%v\nwant\n%v", declare, got, want)
		}
		keys := map[string]bool{}
		for i, p := range got {
			if q := s.GridPoint(uint64(i)); !reflect.DeepEqual(p, q) {
				t.Errorf("GridPoint(%d) = %v, Grid()[%d] = %v", i, q, i, p)
			}
			if !s.Contains(p) {
				t.Errorf("grid point %v not contained", p)
			}
			keys[s.Key(p)] = true
		}
		if len(keys) != 24 {
			t.Errorf("%d distinct keys among 24 grid points", len(keys))
		}
		if _, err := s.Grid(23); err == nil || !strings.Contains(err.Error(), "24 points") {
			t.Errorf("Grid(23): %v", err)
		}
	}
}

func TestConditionalGridErrors(t *testing.T) {
	cont := mustReal(t, 0, 1, false, 0)
	c, _ := NewCategorical("c", []Value{"x", "y"})
	s, err := NewConditional([]Dimension{c, cont}, []Condition{nil, Func(func(p Point) bool { return false }, "c")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GridSize(); err == nil || !strings.Contains(err.Error(), "is continuous") {
		t.Errorf("continuous dimension: %v", err)
	}

	// Ten dimensions of 10 values, each conditional on all earlier ones
	// without saying which it reads: 10^10 prefixes to visit.
	var dims []Dimension
	var conds []Condition
	for i := range 10 {
		d, _ := NewInteger(fmt.Sprint("d", i), 1, 10, false, 1)
		dims = append(dims, d)
		conds = append(conds, opaqueCond(func(Point) bool { return true }))
	}
	s, err = NewConditional(dims, conds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GridSize(); err == nil || !strings.Contains(err.Error(), "too costly to count") {
		t.Errorf("entangled conditions: %v", err)
	}
	// The same, declared constant: counted at once.
	for i := range conds {
		conds[i] = Func(func(Point) bool { return true })
	}
	s, _ = NewConditional(dims, conds)
	if n, err := s.GridSize(); err != nil || n != 1e10 {
		t.Errorf("declared conditions: %d, %v; want 1e10", n, err)
	}
	if p := s.GridPoint(1e10 - 1); !reflect.DeepEqual(p, Point{int64(10), int64(10), int64(10), int64(10), int64(10), int64(10), int64(10), int64(10), int64(10), int64(10)}) {
		t.Errorf("last grid point %v", p)
	}

	// Overflow: 2^64 and more.
	wide, _ := NewInteger("w", 1, 1<<32, false, 1)
	wide2, _ := NewInteger("w2", 1, 1<<32, false, 1)
	s, _ = NewConditional([]Dimension{c, wide, wide2}, []Condition{nil, Func(func(Point) bool { return true }, "c")})
	if _, err := s.GridSize(); err == nil || !strings.Contains(err.Error(), "more than 18446744073709551615 points") {
		t.Errorf("overflow: %v", err)
	}
}

// randomConditionalSpace returns a random space where each dimension
// after the first may depend on one earlier one: active when it is active
// and its value is a chosen categorical value or above the middle of a
// numeric range (or, at random, the opposite). Half the conditions
// declare what they read.
func randomConditionalSpace(t *testing.T, r *rand.Rand, finite bool) *Space {
	t.Helper()
	dims := make([]Dimension, 1+r.IntN(5))
	for i := range dims {
		dims[i] = randomDim(t, r, fmt.Sprintf("d%d", i))
		for finite {
			if n, ok := dims[i].GridSize(); ok && n <= 12 {
				break
			}
			dims[i] = randomDim(t, r, fmt.Sprintf("d%d", i))
		}
	}
	conds := make([]Condition, len(dims))
	for i := 1; i < len(dims); i++ {
		if r.IntN(3) == 0 {
			continue
		}
		j := r.IntN(i)
		negate := r.IntN(3) == 0
		var f func(Point) bool
		switch d := dims[j].(type) {
		case *Categorical:
			v := d.Values[r.IntN(len(d.Values))]
			f = func(p Point) bool { return p[j] != Inactive && (p[j] == v) != negate }
		case *Real:
			mid := (d.Low + d.High) / 2
			f = func(p Point) bool { return p[j] != Inactive && (p[j].(float64) > mid) != negate }
		case *Integer:
			mid := float64(d.Low+d.High) / 2
			f = func(p Point) bool { return p[j] != Inactive && (float64(p[j].(int64)) > mid) != negate }
		}
		if r.IntN(2) == 0 {
			conds[i] = Func(f, dims[j].Name())
		} else {
			conds[i] = opaqueCond(f)
		}
	}
	s, err := NewConditional(dims, conds)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// consistent reports whether p is Inactive exactly where s's conditions
// are false, checked independently of Normalize.
func consistent(s *Space, p Point) bool {
	for i := range p {
		if s.Active(p, i) == (p[i] == Inactive) {
			return false
		}
	}
	return true
}

func TestConditionalSampleContained(t *testing.T) {
	r := newRand(t)
	inactiveSeen := 0
	for range 300 {
		s := randomConditionalSpace(t, r, false)
		for range 100 {
			p := s.Sample(r)
			q, ok := s.Normalize(p)
			if !ok || !reflect.DeepEqual(p, q) || !consistent(s, p) {
				t.Fatalf("%s: sample %#v not a canonical point (%#v, %v)", describe(s), p, q, ok)
			}
			for _, v := range p {
				if v == Inactive {
					inactiveSeen++
				}
			}
		}
	}
	if inactiveSeen == 0 {
		t.Error("no sample had an inactive coordinate: the test has no power")
	}
}

// TestConditionalSampleDraws checks that an inactive dimension draws
// nothing: the draws are those of the active dimensions alone, in order.
func TestConditionalSampleDraws(t *testing.T) {
	r := newRand(t)
	for range 100 {
		s := randomConditionalSpace(t, r, false)
		seed := r.Uint64()
		a := rand.New(rand.NewPCG(seed, 1))
		b := rand.New(rand.NewPCG(seed, 1))
		for range 50 {
			p := s.Sample(a)
			for i, d := range s.Dims() {
				if p[i] == Inactive {
					continue
				}
				if v := d.Sample(b); !reflect.DeepEqual(v, p[i]) {
					t.Fatalf("%s: coordinate %d of %v is %v, the next draw of its dimension alone gives %v", describe(s), i, p, p[i], v)
				}
			}
		}
	}
}

func TestConditionalEncodeDecode(t *testing.T) {
	r := newRand(t)
	for range 300 {
		s := randomConditionalSpace(t, r, false)
		for range 100 {
			p := s.Sample(r)
			x := s.Encode(p)
			if len(x) != s.EncodedLen() {
				t.Fatalf("len(Encode) = %d, want %d", len(x), s.EncodedLen())
			}
			off := 0
			for i, d := range s.Dims() {
				n := d.EncodedLen()
				if p[i] == Inactive {
					want := make([]float64, n)
					EncodeInactive(d, want)
					if !reflect.DeepEqual(x[off:off+n], want) {
						t.Fatalf("inactive coordinate %d encoded as %v, want %v", i, x[off:off+n], want)
					}
				}
				off += n
			}
			q := s.Decode(x)
			for i, d := range s.Dims() {
				if (p[i] == Inactive) != (q[i] == Inactive) || p[i] != Inactive && !equalValue(d, p[i], q[i]) {
					t.Fatalf("%s: Decode(Encode(%#v)) = %#v", describe(s), p, q)
				}
			}
		}
		// Random vectors decode to canonical points.
		x := make([]float64, s.EncodedLen())
		for range 50 {
			for i := range x {
				x[i] = r.Float64()*1.4 - 0.2
			}
			p := s.Decode(x)
			if q, ok := s.Normalize(p); !ok || !reflect.DeepEqual(p, q) {
				t.Fatalf("%s: Decode(%v) = %#v, not a canonical point", describe(s), x, p)
			}
		}
	}
}

func TestConditionalEncodePanics(t *testing.T) {
	s := chainSpace(t, true)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "Inactive exactly where") {
			t.Errorf("panic %v", r)
		}
	}()
	s.Encode(Point{"adam", 0.5, Inactive, int64(1)})
}

// TestConditionalGridMatchesBruteForce compares the grid of random finite
// conditional spaces with the unconditional grid filtered to consistent
// points (inactive coordinates replaced by Inactive, duplicates dropped,
// order kept).
func TestConditionalGridMatchesBruteForce(t *testing.T) {
	r := newRand(t)
	for range 200 {
		s := randomConditionalSpace(t, r, true)
		full := mustSpace(t, s.Dims()...)
		all, err := full.Grid(1 << 20)
		if err != nil {
			t.Fatal(err)
		}
		var want []Point
		seen := map[string]bool{}
		for _, p := range all {
			for i := range p {
				if !s.Active(p, i) {
					p[i] = Inactive
				}
			}
			if k := s.Key(p); !seen[k] {
				seen[k] = true
				want = append(want, p)
			}
		}
		n, err := s.GridSize()
		if err != nil || n != uint64(len(want)) {
			t.Fatalf("%s: GridSize = %d, %v; want %d", describe(s), n, err, len(want))
		}
		got, err := s.Grid(n)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Grid = %v, %v; want %v", describe(s), got, err, want)
		}
		for i := range got {
			if p := s.GridPoint(uint64(i)); !reflect.DeepEqual(p, want[i]) {
				t.Fatalf("%s: GridPoint(%d) = %v, want %v", describe(s), i, p, want[i])
			}
		}
	}
}

// TestConditionalSet checks that Set membership matches Key equality on
// conditional spaces, and that AddSample draws what Sample draws.
func TestConditionalSet(t *testing.T) {
	r := newRand(t)
	for range 100 {
		s := randomConditionalSpace(t, r, r.IntN(2) == 0)
		set := NewSet(s, 4)
		keys := map[string]bool{}
		var pts []Point
		for range 200 {
			var p Point
			switch {
			case len(pts) > 0 && r.IntN(3) == 0:
				p = append(Point(nil), pts[r.IntN(len(pts))]...)
				if r.IntN(4) == 0 { // make it inconsistent, or invalid
					p[r.IntN(len(p))] = Inactive
				}
			default:
				p = s.Sample(r)
			}
			pts = append(pts, p)
			k := s.Key(p)
			if has := set.Has(p); has != keys[k] {
				t.Fatalf("%s: Has(%v) = %v, key seen %v", describe(s), p, has, keys[k])
			}
			if added := set.Add(p); added == keys[k] {
				t.Fatalf("%s: Add(%v) = %v, key seen %v", describe(s), p, added, keys[k])
			}
			keys[k] = true
		}
		if set.Len() != len(keys) {
			t.Fatalf("Len = %d, %d keys", set.Len(), len(keys))
		}
		seed := r.Uint64()
		a, b := rand.New(rand.NewPCG(seed, 2)), rand.New(rand.NewPCG(seed, 2))
		fresh := NewSet(s, 0)
		for range 50 {
			want := s.Sample(b)
			got, isNew := fresh.AddSample(a)
			if isNew && !reflect.DeepEqual(got, want) || !isNew && got != nil {
				t.Fatalf("AddSample = %v, %v; Sample = %v", got, isNew, want)
			}
		}
	}
}

// TestConditionalKeyEquality checks Key equality ⇔ point equality for
// canonical points of conditional spaces.
func TestConditionalKeyEquality(t *testing.T) {
	r := newRand(t)
	for range 100 {
		s := randomConditionalSpace(t, r, true)
		var pts []Point
		for range 60 {
			pts = append(pts, s.Sample(r))
		}
		for _, p := range pts {
			for _, q := range pts {
				if (s.Key(p) == s.Key(q)) != reflect.DeepEqual(p, q) {
					t.Fatalf("%s: keys %s and %s of %#v and %#v", describe(s), s.Key(p), s.Key(q), p, q)
				}
			}
		}
	}
}

func TestConditionalRefine(t *testing.T) {
	s := chainSpace(t, true)
	got, err := Refine(s, Point{"sgd", 0.75, true, int64(2)}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Conditional() {
		t.Fatal("Refine dropped the conditions")
	}
	m := got.Dims()[1].(*Real)
	if m.Low != 0.5 || m.High != 1 {
		t.Errorf("momentum refined to [%v, %v], want [0.5, 1]", m.Low, m.High)
	}
	if n, err := got.GridSize(); err != nil || n != 1*3+(1+2+2)*3 {
		t.Errorf("refined GridSize = %d, %v; want 18", n, err)
	}
	// Around a point with inactive params: they are kept unchanged.
	got, err = Refine(s, Point{"adam", Inactive, Inactive, int64(2)}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Dims()[1], s.Dims()[1]) {
		t.Errorf("inactive momentum changed: %+v", got.Dims()[1])
	}
	if _, err := Refine(s, Point{"adam", 0.5, Inactive, int64(2)}, 0.5); err == nil || !strings.Contains(err.Error(), "not a point of the space") {
		t.Errorf("inconsistent point: %v", err)
	}
}
