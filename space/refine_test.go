package space

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestRefine(t *testing.T) {
	type bounds struct{ low, high float64 }
	tests := []struct {
		name   string
		dim    Dimension
		around Value
		factor float64
		want   bounds
	}{
		{"narrows around the centre", mustReal(t, 0, 10, false, 0), 5.0, 0.2, bounds{4, 6}},
		{"factor 1 keeps width", mustReal(t, 0, 10, false, 0), 5.0, 1, bounds{0, 10}},
		{"clips at low, no shift", mustReal(t, 0, 10, false, 0), 1.0, 0.5, bounds{0, 3.5}},
		{"clips at high, no shift", mustReal(t, 0, 10, false, 0), 10, 0.2, bounds{9, 10}},
		// ln range is ln(1e4); half-width 0.5*ln(1e4)/2 = ln(10).
		{"log in log space", mustReal(t, 1e-4, 1, true, 0), 1e-2, 0.5, bounds{1e-3, 1e-1}},
		{"log clipped", mustReal(t, 1e-4, 1, true, 0), 0.5, 0.5, bounds{0.05, 1}},
		{"real step snapped outward", mustReal(t, 0, 1, false, 0.1), 0.5, 0.25, bounds{0.30000000000000004, 0.7000000000000001}},
		{"real step kept two values", mustReal(t, 0, 1, false, 0.1), 1, 0.01, bounds{0.9, 1}},
		{"integer rounded outward", mustInt(t, 0, 100, false, 0), int64(50), 0.15, bounds{42, 58}},
		{"integer step rounded outward", mustInt(t, 0, 100, false, 10), int64(50), 0.15, bounds{40, 60}},
		{"integer window inside a step", mustInt(t, 0, 100, false, 0), int64(50), 0.001, bounds{49, 51}},
		{"integer widened to two values", mustInt(t, 0, 100, false, 0), int64(50), 1e-12, bounds{50, 51}},
		{"integer two values at the top", mustInt(t, 0, 100, false, 0), int64(100), 0.001, bounds{99, 100}},
		{"integer of two values stays", mustInt(t, 3, 4, false, 0), int64(3), 0.1, bounds{3, 4}},
		// [1, 1024] in log2: width 10, half-width 2.5 around 2^5.
		{"log integer", mustInt(t, 1, 1024, true, 0), int64(32), 0.5, bounds{5, 182}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := mustCat(t, "a", "b")
			s := mustSpace(t, cat, tt.dim)
			around := Point{"b", tt.around}
			got, err := Refine(s, around, tt.factor)
			if err != nil {
				t.Fatal(err)
			}
			if got.Dims()[0] != cat {
				t.Errorf("categorical changed to %+v", got.Dims()[0])
			}
			if !got.Contains(around) {
				t.Errorf("refined space does not contain %v", around)
			}
			var low, high float64
			switch d := got.Dims()[1].(type) {
			case *Real:
				old := tt.dim.(*Real)
				low, high = d.Low, d.High
				if d.Name() != old.Name() || d.Log != old.Log || d.Step != old.Step {
					t.Errorf("refined %+v lost settings of %+v", d, old)
				}
			case *Integer:
				old := tt.dim.(*Integer)
				low, high = float64(d.Low), float64(d.High)
				if d.Name() != old.Name() || d.Log != old.Log || d.Step != old.Step {
					t.Errorf("refined %+v lost settings of %+v", d, old)
				}
			}
			if math.Abs(low-tt.want.low) > 1e-12*tt.want.high || math.Abs(high-tt.want.high) > 1e-12*tt.want.high {
				t.Errorf("refined bounds [%v, %v], want [%v, %v]", low, high, tt.want.low, tt.want.high)
			}
		})
	}
}

func TestRefineErrors(t *testing.T) {
	s := mustSpace(t, mustReal(t, 0, 1, false, 0), mustInt(t, 0, 10, false, 2))
	tests := []struct {
		name     string
		around   Point
		factor   float64
		fragment string
	}{
		{"zero factor", Point{0.5, 4}, 0, "greater than 0 and at most 1, got 0"},
		{"negative factor", Point{0.5, 4}, -0.5, "got -0.5"},
		{"factor above one", Point{0.5, 4}, 1.5, "at most 1"},
		{"NaN factor", Point{0.5, 4}, math.NaN(), "got NaN"},
		{"point outside", Point{1.5, 4}, 0.5, `dimension "r"`},
		{"point off the step", Point{0.5, 3}, 0.5, `dimension "i"`},
		{"short point", Point{0.5}, 0.5, "1 values in a space of 2"},
		{"range collapses", Point{0.5, 4}, 1e-300, "larger factor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Refine(s, tt.around, tt.factor)
			if err == nil {
				t.Fatalf("got %s, want an error", describe(got))
			}
			if !strings.Contains(err.Error(), tt.fragment) {
				t.Errorf("error %q does not contain %q", err, tt.fragment)
			}
		})
	}
}

// TestRefineProperties refines random spaces around sampled points and
// checks the result is a valid sub-space containing the point.
func TestRefineProperties(t *testing.T) {
	r := newRand(t)
	for range 300 {
		s := randomSpace(t, r)
		p := s.Sample(r)
		factor := 0.01 + 0.99*r.Float64()
		got, err := Refine(s, p, factor)
		if err != nil {
			t.Fatalf("%s: Refine(%v, %v): %v", describe(s), p, factor, err)
		}
		if !got.Contains(p) {
			t.Fatalf("%s: refined %s does not contain %v", describe(s), describe(got), p)
		}
		for range 50 {
			if q := got.Sample(r); !s.Contains(q) {
				t.Fatalf("refined sample %v is outside the original %s", q, describe(s))
			}
		}
		for i, d := range got.Dims() {
			old := s.Dims()[i]
			n, finite := d.GridSize()
			m, _ := old.GridSize()
			if finite && (n < 2 && m >= 2 || n > m) {
				t.Errorf("%+v refined to %+v: %d values of %d", old, d, n, m)
			}
		}
	}
}

func TestKeep(t *testing.T) {
	d, err := NewCategorical("opt", []Value{"adam", "sgd", "rmsprop"})
	if err != nil {
		t.Fatal(err)
	}
	nums, err := NewCategorical("n", []Value{1.0, 2.0, 3.0})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		d       *Categorical
		keep    []Value
		want    []Value
		wantErr bool
	}{
		{"declared order", d, []Value{"rmsprop", "adam"}, []Value{"adam", "rmsprop"}, false},
		{"repeats once", d, []Value{"sgd", "sgd"}, []Value{"sgd"}, false},
		{"inactive skipped", d, []Value{Inactive, "sgd"}, []Value{"sgd"}, false},
		{"none left: unchanged", d, []Value{Inactive}, []Value{"adam", "sgd", "rmsprop"}, false},
		{"numbers normalized", nums, []Value{int64(3), 1}, []Value{1.0, 3.0}, false},
		{"not a value", d, []Value{"adamw"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Keep(tt.d, tt.keep)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !reflect.DeepEqual(got.Values, tt.want) || got.Name() != tt.d.Name() {
				t.Errorf("Keep = %s %v, want %s %v", got.Name(), got.Values, tt.d.Name(), tt.want)
			}
		})
	}
}
