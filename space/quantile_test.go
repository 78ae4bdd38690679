package space

import (
	"math"
	"testing"
)

func mustQ[D Dimension](d D, err error) Dimension {
	if err != nil {
		panic(err)
	}
	return d
}

func TestQuantile(t *testing.T) {
	stepped, err := NewReal("s", 0, 1, false, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	logInt, err := NewInteger("n", 1, 4, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	stepInt, err := NewInteger("k", 0, 10, false, 5)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		d    Dimension
		u    []float64
		want []Value
	}{
		{mustQ(NewCategorical("c", []Value{"a", "b", "c"})), []float64{0, 0.33, 0.34, 0.66, 0.67, 0.999999, 1}, []Value{"a", "a", "b", "b", "c", "c", "c"}},
		{stepped, []float64{0, 0.19, 0.21, 0.5, 0.99, 1}, []Value{0.0, 0.0, 0.25, 0.5, 1.0, 1.0}},
		{stepInt, []float64{0, 0.3, 0.34, 0.7, 1}, []Value{int64(0), int64(0), int64(5), int64(10), int64(10)}},
		{mustQ(NewInteger("i", 1, 4, false, 0)), []float64{0, 0.24, 0.26, 0.99}, []Value{int64(1), int64(1), int64(2), int64(4)}},
		{mustQ(NewReal("r", 2, 4, false, 0)), []float64{0, 0.5, 1}, []Value{2.0, 3.0, 4.0}},
		{mustQ(NewReal("lr", 1e-4, 1, true, 0)), []float64{0, 0.5, 1}, []Value{1e-4, 1e-2, 1.0}},
		// Log-scaled integer 1..4: the boundaries of log-uniform on
		// [0.5, 4.5] are at ln(3)/ln(9) = 0.5 (between 1 and 2) and so on.
		{logInt, []float64{0, 0.49, 0.51, 0.99}, []Value{int64(1), int64(1), int64(2), int64(4)}},
	}
	for _, tt := range tests {
		for i, u := range tt.u {
			got := Quantile(tt.d, u)
			if g, ok := got.(float64); ok {
				if w := tt.want[i].(float64); math.Abs(g-w) > 1e-12*math.Abs(w) {
					t.Errorf("%s: Quantile(%v) = %v, want %v", tt.d.Name(), u, got, w)
				}
			} else if got != tt.want[i] {
				t.Errorf("%s: Quantile(%v) = %#v, want %#v", tt.d.Name(), u, got, tt.want[i])
			}
			if !tt.d.Contains(got) {
				t.Errorf("%s: Quantile(%v) = %v is not a value of the dimension", tt.d.Name(), u, got)
			}
		}
	}
}
