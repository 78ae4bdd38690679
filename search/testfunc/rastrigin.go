package testfunc

import "math"

// Rastrigin4 returns the four-dimensional Rastrigin function on
// [-5.12, 5.12]^4,
//
//	f(x) = 10 d + Σ (x_i² - 10 cos(2π x_i)),
//
// a bowl covered by a regular grid of local minima (near every integer
// point): global minimum 0 at the origin.
func Rastrigin4() Function {
	const d = 4
	return Function{
		Name:       "rastrigin4",
		Dims:       realDims(d, -5.12, 5.12),
		Optimum:    0,
		Minimizers: [][]any{constPoint(d, 0)},
		Eval: func(x []any) float64 {
			v := floats("rastrigin4", x, d)
			f := 10.0 * d
			for _, xi := range v {
				f += xi*xi - 10*math.Cos(2*math.Pi*xi)
			}
			return f
		},
	}
}
