package testfunc

// Rosenbrock4 returns the four-dimensional Rosenbrock function on
// [-2,2]^4,
//
//	f(x) = Σ_{i=1}^{3} 100 (x_{i+1} - x_i²)² + (1 - x_i)²,
//
// with global minimum 0 at (1,1,1,1), a sum of squares that vanish there
// only.
func Rosenbrock4() Function {
	return Function{
		Name:       "rosenbrock4",
		Dims:       realDims(4, -2, 2),
		Optimum:    0,
		Minimizers: [][]any{{1.0, 1.0, 1.0, 1.0}},
		Eval: func(x []any) float64 {
			v := floats("rosenbrock4", x, 4)
			var f float64
			for i := range len(v) - 1 {
				a, b := v[i+1]-v[i]*v[i], 1-v[i]
				f += 100*a*a + b*b
			}
			return f
		},
	}
}
