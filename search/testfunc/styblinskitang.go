package testfunc

import "fmt"

// StyblinskiTang10 returns the ten-dimensional Styblinski–Tang function
// on [-5, 5]^10 (see styblinskiTang).
func StyblinskiTang10() Function { return styblinskiTang(10) }

// StyblinskiTang20 returns the twenty-dimensional Styblinski–Tang
// function on [-5, 5]^20 (see styblinskiTang).
func StyblinskiTang20() Function { return styblinskiTang(20) }

// styblinskiTangMin is the minimizer of g(t) = (t⁴ - 16t² + 5t)/2 on
// [-5, 5] (Newton's method on g' from -2.9; the literature's -2.903534),
// and styblinskiTangMinValue g there (the literature's -39.16599 rounds
// it; -39.16617 < g < -39.16616 is also quoted).
const (
	styblinskiTangMin      = -2.903534027771177
	styblinskiTangMinValue = -39.166165703771412
)

// styblinskiTang returns the d-dimensional Styblinski–Tang function,
//
//	f(x) = Σ (x_i⁴ - 16 x_i² + 5 x_i) / 2,
//
// a sum of one-dimensional double wells, each with a local minimum near
// 2.7468 and the global one near -2.9035: 2^d local minima, global minimum
// d·(-39.16617) at x_i = -2.903534 for every i.
func styblinskiTang(d int) Function {
	name := fmt.Sprintf("styblinski_tang%d", d)
	return Function{
		Name:       name,
		Dims:       realDims(d, -5, 5),
		Optimum:    float64(d) * styblinskiTangMinValue,
		Minimizers: [][]any{constPoint(d, styblinskiTangMin)},
		Eval: func(x []any) float64 {
			v := floats(name, x, d)
			var f float64
			for _, t := range v {
				t2 := t * t
				f += t2*t2 - 16*t2 + 5*t
			}
			return f / 2
		},
	}
}
