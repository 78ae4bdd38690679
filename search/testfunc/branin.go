package testfunc

import "math"

// Branin returns the Branin–Hoo function on [-5,10] x [0,15]:
//
//	f(x) = (x2 - 5.1/(4π²) x1² + 5/π x1 - 6)² + 10 (1 - 1/(8π)) cos(x1) + 10,
//
// with global minimum 5/(4π) ≈ 0.397887 at (-π, 12.275), (π, 2.275) and
// (3π, 2.475), where the square vanishes and cos(x1) = -1.
func Branin() Function {
	const (
		b = 5.1 / (4 * math.Pi * math.Pi)
		c = 5 / math.Pi
		t = 1 / (8 * math.Pi)
	)
	return Function{
		Name: "branin",
		Dims: []Dim{
			{Name: "x1", Kind: Real, Low: -5, High: 10},
			{Name: "x2", Kind: Real, Low: 0, High: 15},
		},
		Optimum: 10 * t, // 5/(4π) = 0.397887357729738...
		Minimizers: [][]any{
			{-math.Pi, 12.275},
			{math.Pi, 2.275},
			{3 * math.Pi, 2.475},
		},
		Eval: func(x []any) float64 {
			v := floats("branin", x, 2)
			x1, x2 := v[0], v[1]
			r := x2 - b*x1*x1 + c*x1 - 6
			return r*r + 10*(1-t)*math.Cos(x1) + 10
		},
	}
}
