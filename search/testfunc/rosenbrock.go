package testfunc

import "fmt"

// Rosenbrock4 returns the four-dimensional Rosenbrock function on
// [-2,2]^4,
//
//	f(x) = Σ_{i=1}^{3} 100 (x_{i+1} - x_i²)² + (1 - x_i)²,
//
// with global minimum 0 at (1,1,1,1), a sum of squares that vanish there
// only.
func Rosenbrock4() Function { return rosenbrock(4, -2, 2) }

// Rosenbrock10 returns the ten-dimensional Rosenbrock function on the
// literature's wider box [-5, 10]^10: the same sum over i = 1..9, global
// minimum 0 at (1, …, 1), at the bottom of a long curved valley.
func Rosenbrock10() Function { return rosenbrock(10, -5, 10) }

func rosenbrock(d int, low, high float64) Function {
	name := fmt.Sprintf("rosenbrock%d", d)
	return Function{
		Name:       name,
		Dims:       realDims(d, low, high),
		Optimum:    0,
		Minimizers: [][]any{constPoint(d, 1)},
		Eval: func(x []any) float64 {
			v := floats(name, x, d)
			var f float64
			for i := range len(v) - 1 {
				a, b := v[i+1]-v[i]*v[i], 1-v[i]
				f += 100*a*a + b*b
			}
			return f
		},
	}
}
