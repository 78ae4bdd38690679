package space

import (
	"math"
	"testing"
)

func TestNewRealErrors(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name            string
		low, high, step float64
		log             bool
		field           string
		fragments       []string
	}{
		{"low above high", 5, 3, 0, false, "low", []string{"low (5) must be less than high (3)"}},
		{"low equals high", 3, 3, 0, false, "low", []string{"less than high"}},
		{"NaN low", nan, 3, 0, false, "low", []string{"finite", "NaN"}},
		{"infinite low", -inf, 3, 0, false, "low", []string{"finite", "-Inf"}},
		{"NaN high", 0, nan, 0, false, "high", []string{"finite"}},
		{"infinite high", 0, inf, 0, false, "high", []string{"finite", "+Inf"}},
		{"overflowing range", -1e308, 1e308, 0, false, "high", []string{"too large"}},
		{"log with zero low", 0, 1, 0, true, "low", []string{"greater than 0", "log"}},
		{"log with negative low", -1, 1, 0, true, "low", []string{"low (-1)", "log = false"}},
		{"negative step", 0, 1, -0.1, false, "step", []string{"greater than 0"}},
		{"NaN step", 0, 1, nan, false, "step", []string{"finite"}},
		{"infinite step", 0, 1, inf, false, "step", []string{"finite"}},
		{"step with log", 1, 10, 1, true, "step", []string{"log", "remove step"}},
		{"step not dividing", 0, 1, 0.3, false, "step", []string{"does not divide", "0.9 or 1.2"}},
		{"step larger than range", 0, 1, 3, false, "step", []string{"larger than high - low (1)", "at most 1"}},
		{"step tiny", 0, 1, 1e-17, false, "step", []string{"too small"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewReal("x", tt.low, tt.high, tt.log, tt.step)
			if err == nil {
				t.Fatalf("got %+v, want an error", d)
			}
			wantFieldError(t, err, tt.field, -1, tt.fragments...)
		})
	}
}

func TestNewRealAccepts(t *testing.T) {
	tests := []struct {
		low, high, step float64
		log             bool
		gridSize        uint64
	}{
		{0, 1, 0, false, 0},
		{1e-5, 1, 0, true, 0},
		{0, 1, 0.1, false, 11},    // 1/0.1 is not exact in binary
		{0.1, 0.7, 0.2, false, 4}, // neither is (0.7-0.1)/0.2
		{-1, 1, 2, false, 2},
		{1e6, 1e6 + 1, 0.001, false, 1001},
	}
	for _, tt := range tests {
		d, err := NewReal("x", tt.low, tt.high, tt.log, tt.step)
		if err != nil {
			t.Errorf("NewReal(%v, %v, %v, %v): %v", tt.low, tt.high, tt.log, tt.step, err)
			continue
		}
		n, finite := d.GridSize()
		if n != tt.gridSize || finite != (tt.step > 0) {
			t.Errorf("%+v: GridSize = %d, %v; want %d, %v", d, n, finite, tt.gridSize, tt.step > 0)
		}
		if d.Name() != "x" {
			t.Errorf("Name = %q", d.Name())
		}
	}
}

func TestRealGridValues(t *testing.T) {
	lo, st := 0.1, 0.2 // variables, so the sums below round like float64s
	tests := []struct {
		d    *Real
		want []float64
	}{
		{mustReal(t, 0, 1, false, 0.25), []float64{0, 0.25, 0.5, 0.75, 1}},
		// Low + i*Step, and exactly High last: 0.1 + 3*0.2 is 0.7000000000000001.
		{mustReal(t, 0.1, 0.7, false, 0.2), []float64{lo, lo + st, lo + 2*st, 0.7}},
		{mustReal(t, -1, 1, false, 2), []float64{-1, 1}},
	}
	for _, tt := range tests {
		n, _ := tt.d.GridSize()
		if n != uint64(len(tt.want)) {
			t.Errorf("%+v: GridSize = %d, want %d", tt.d, n, len(tt.want))
			continue
		}
		for i, want := range tt.want {
			if got := tt.d.GridValue(uint64(i)); got != want {
				t.Errorf("%+v: GridValue(%d) = %v, want %v", tt.d, i, got, want)
			}
		}
	}
}

func TestRealNormalize(t *testing.T) {
	cont := mustReal(t, -1, 1, false, 0)
	stepped := mustReal(t, 0, 1, false, 0.1)
	tests := []struct {
		d    *Real
		in   Value
		want Value // nil: not contained
	}{
		{cont, 0.5, 0.5},
		{cont, float32(0.5), 0.5},
		{cont, 1, 1.0},
		{cont, int8(-1), -1.0},
		{cont, uint(1), 1.0},
		{cont, math.Copysign(0, -1), 0.0},
		{cont, 1.0000001, nil},
		{cont, math.NaN(), nil},
		{cont, "0.5", nil},
		{cont, true, nil},
		{cont, nil, nil},
		{stepped, 0.30000000000000004, 0.30000000000000004}, // the grid value 3*0.1
		{stepped, 0.3 + 1e-12, 0.30000000000000004},
		{stepped, 0.3, 0.30000000000000004},
		{stepped, 1, 1.0},
		{stepped, 0.35, nil},
		{stepped, 1.1, nil},
		{stepped, -0.1, nil},
	}
	for _, tt := range tests {
		got, ok := tt.d.Normalize(tt.in)
		if ok != (tt.want != nil) || got != tt.want {
			t.Errorf("%+v.Normalize(%#v) = %#v, %v; want %#v", tt.d, tt.in, got, ok, tt.want)
		}
		if c := tt.d.Contains(tt.in); c != ok {
			t.Errorf("Contains(%#v) = %v, Normalize ok = %v", tt.in, c, ok)
		}
	}
}

func TestRealDecode(t *testing.T) {
	lin := mustReal(t, 2, 4, false, 0)
	lg := mustReal(t, 1, 100, true, 0)
	stepped := mustReal(t, 0, 1, false, 0.25)
	tests := []struct {
		d    *Real
		x    float64
		want float64
	}{
		{lin, 0.5, 3},
		{lin, -3, 2},
		{lin, 7, 4},
		{lin, math.NaN(), 2},
		{lg, 0, 1},
		{lg, 1, 100},
		{stepped, 0.3, 0.25},
		{stepped, 0.4, 0.5},
		{stepped, 0.99, 1},
	}
	for _, tt := range tests {
		if got := tt.d.Decode([]float64{tt.x}); got != tt.want {
			t.Errorf("%+v.Decode(%v) = %v, want %v", tt.d, tt.x, got, tt.want)
		}
	}
	// Log reals are linear in log space: the middle of the cube is the
	// geometric mean.
	if got := lg.Decode([]float64{0.5}).(float64); math.Abs(got-10) > 1e-9 {
		t.Errorf("log Decode(0.5) = %v, want 10", got)
	}
	x := make([]float64, 1)
	lg.Encode(10.0, x)
	if math.Abs(x[0]-0.5) > 1e-12 {
		t.Errorf("log Encode(10) = %v, want 0.5", x[0])
	}
}
