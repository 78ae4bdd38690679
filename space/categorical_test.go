package space

import (
	"math"
	"testing"
)

func TestNewCategoricalErrors(t *testing.T) {
	tests := []struct {
		name      string
		values    []Value
		index     int
		fragments []string
	}{
		{"empty", nil, -1, []string{"at least one value"}},
		{"empty slice", []Value{}, -1, []string{"at least one value"}},
		{"duplicate string", []Value{"a", "b", "a"}, 2, []string{"values[2]", "repeats values[0]"}},
		{"1 and 1.0 are the same", []Value{1, "1", 1.0}, 2, []string{"repeats values[0]"}},
		{"int kinds are the same", []Value{int8(3), uint(3)}, 1, []string{"repeats values[0]"}},
		{"zero and minus zero", []Value{0.0, math.Copysign(0, -1)}, 1, []string{"repeats"}},
		{"duplicate bool", []Value{true, false, true}, 2, []string{"repeats values[0]"}},
		{"NaN", []Value{"a", math.NaN()}, 1, []string{"values[1]", "finite number"}},
		{"Inf", []Value{math.Inf(-1)}, 0, []string{"finite number"}},
		{"nil", []Value{"a", nil}, 1, []string{"string, a bool or a finite number"}},
		{"slice", []Value{[]int{1}}, 0, []string{"[]int{1}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewCategorical("c", tt.values)
			if err == nil {
				t.Fatalf("got %+v, want an error", d)
			}
			wantFieldError(t, err, "values", tt.index, tt.fragments...)
		})
	}
}

func TestCategoricalCanonicalValues(t *testing.T) {
	type myString string
	in := []Value{"a", 1, int64(2), float32(0.5), true, myString("b"), math.Copysign(0, -1)}
	d := mustCat(t, in...)
	want := []Value{"a", 1.0, 2.0, 0.5, true, "b", 0.0}
	for i, v := range d.Values {
		if v != want[i] {
			t.Errorf("Values[%d] = %#v, want %#v", i, v, want[i])
		}
		if math.Signbit(want[len(want)-1].(float64)) {
			t.Error("minus zero kept")
		}
	}
	in[0] = "changed"
	if d.Values[0] != "a" {
		t.Error("NewCategorical did not copy values")
	}
	for _, tt := range []struct {
		in   Value
		want Value
	}{{1, 1.0}, {uint8(2), 2.0}, {"b", "b"}, {true, true}, {false, nil}, {"1", nil}, {3, nil}} {
		if got, ok := d.Normalize(tt.in); ok != (tt.want != nil) || got != tt.want {
			t.Errorf("Normalize(%#v) = %#v, %v; want %#v", tt.in, got, ok, tt.want)
		}
	}
}

func TestCategoricalEncodeDecode(t *testing.T) {
	d := mustCat(t, "a", "b", "c")
	x := make([]float64, 3)
	d.Encode("b", x)
	if x[0] != 0 || x[1] != 1 || x[2] != 0 {
		t.Errorf("Encode(b) = %v, want one-hot [0 1 0]", x)
	}
	tests := []struct {
		x    []float64
		want Value
	}{
		{[]float64{0.1, 0.9, 0.2}, "b"},
		{[]float64{0.5, 0.5, 0.5}, "a"}, // ties go to the lowest index
		{[]float64{0.2, 0.7, 0.7}, "b"},
		{[]float64{-5, 3, 7}, "b"}, // clamped first: 0, 1, 1
		{[]float64{math.NaN(), 0, 0.1}, "c"},
		{[]float64{0, 0, 0}, "a"},
	}
	for _, tt := range tests {
		if got := d.Decode(tt.x); got != tt.want {
			t.Errorf("Decode(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}
