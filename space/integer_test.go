package space

import (
	"math"
	"testing"
)

func TestNewIntegerErrors(t *testing.T) {
	tests := []struct {
		name            string
		low, high, step float64
		log             bool
		field           string
		fragments       []string
	}{
		{"fractional low", 1.5, 3, 0, false, "low", []string{"low must be a whole number, got 1.5."}},
		{"fractional high", 1, 3.25, 0, false, "high", []string{"whole number", "3.25"}},
		{"fractional step", 0, 10, 0.5, false, "step", []string{"whole number", "0.5"}},
		{"NaN low", math.NaN(), 3, 0, false, "low", []string{"finite"}},
		{"infinite high", 0, math.Inf(1), 0, false, "high", []string{"finite"}},
		{"huge low", -1e18, 3, 0, false, "low", []string{"between -9007199254740992 and 9007199254740992"}},
		{"low above high", 5, 3, 0, false, "low", []string{"low (5) must be less than high (3)"}},
		{"low equals high", 3, 3, 0, false, "low", []string{"less than high"}},
		{"log with zero low", 0, 10, 0, true, "low", []string{"greater than 0"}},
		{"negative step", 0, 10, -2, false, "step", []string{"greater than 0"}},
		{"NaN step", 0, 10, math.NaN(), false, "step", []string{"finite"}},
		{"log with step", 1, 9, 2, true, "step", []string{"step (2) cannot be combined with log"}},
		{"step not dividing", 0, 10, 3, false, "step", []string{"does not divide high - low (10)", "change high to 9 or 12"}},
		{"step larger than range", 0, 10, 20, false, "step", []string{"at most 10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewInteger("n", tt.low, tt.high, tt.log, tt.step)
			if err == nil {
				t.Fatalf("got %+v, want an error", d)
			}
			wantFieldError(t, err, tt.field, -1, tt.fragments...)
		})
	}
}

func TestNewIntegerAccepts(t *testing.T) {
	tests := []struct {
		low, high, step float64
		log             bool
		want            Integer
	}{
		{0, 10, 0, false, Integer{name: "n", Low: 0, High: 10, Step: 1}},
		{-4, 8, 4, false, Integer{name: "n", Low: -4, High: 8, Step: 4}},
		{1, 1024, 1, true, Integer{name: "n", Low: 1, High: 1024, Log: true, Step: 1}},
		{1, 1024, 0, true, Integer{name: "n", Low: 1, High: 1024, Log: true, Step: 1}},
	}
	for _, tt := range tests {
		d, err := NewInteger("n", tt.low, tt.high, tt.log, tt.step)
		if err != nil {
			t.Errorf("NewInteger(%v, %v, %v, %v): %v", tt.low, tt.high, tt.log, tt.step, err)
		} else if *d != tt.want {
			t.Errorf("got %+v, want %+v", *d, tt.want)
		}
	}
}

func TestIntegerNormalize(t *testing.T) {
	d := mustInt(t, -4, 8, false, 4) // -4, 0, 4, 8
	tests := []struct {
		in   Value
		want Value
	}{
		{int64(4), int64(4)},
		{4, int64(4)},
		{int8(-4), int64(-4)},
		{uint16(8), int64(8)},
		{4.0, int64(4)},
		{float32(0), int64(0)},
		{2, nil},   // off the step grid
		{12, nil},  // out of bounds
		{4.5, nil}, // not whole
		{uint64(math.MaxUint64), nil},
		{math.Inf(1), nil},
		{"4", nil},
		{nil, nil},
	}
	for _, tt := range tests {
		got, ok := d.Normalize(tt.in)
		if ok != (tt.want != nil) || got != tt.want {
			t.Errorf("Normalize(%#v) = %#v, %v; want %#v", tt.in, got, ok, tt.want)
		}
		if d.Contains(tt.in) != ok {
			t.Errorf("Contains(%#v) disagrees with Normalize", tt.in)
		}
	}
	type myInt int
	if v, ok := d.Normalize(myInt(8)); !ok || v != int64(8) {
		t.Errorf("Normalize of a named int kind = %#v, %v", v, ok)
	}
}

func TestIntegerDecode(t *testing.T) {
	stepped := mustInt(t, 0, 10, false, 5) // 0, 5, 10
	lg := mustInt(t, 1, 100, true, 1)
	tests := []struct {
		d    *Integer
		x    float64
		want int64
	}{
		{stepped, 0.2, 0},
		{stepped, 0.3, 5},
		{stepped, 0.74, 5},
		{stepped, 0.76, 10},
		{stepped, -1, 0},
		{stepped, 2, 10},
		{stepped, math.NaN(), 0},
		{lg, 0, 1},
		{lg, 1, 100},
		{lg, 0.5, 10},
		// t decodes to x = 100^t. 1.45 is nearer 1 than 2 in value, but
		// nearest in the encoded (log) space is 2: the midpoint is sqrt(2).
		{lg, math.Log10(1.45) / 2, 2},
		{lg, math.Log10(1.4) / 2, 1},
	}
	for _, tt := range tests {
		if got := tt.d.Decode([]float64{tt.x}); got != tt.want {
			t.Errorf("%+v.Decode(%v) = %v, want %v", tt.d, tt.x, got, tt.want)
		}
	}
}
