package testfunc

import (
	"fmt"
	"math"
)

// Ackley5 returns the five-dimensional Ackley function on
// [-32.768, 32.768]^5 (see ackley).
func Ackley5() Function { return ackley(5) }

// Ackley10 returns the ten-dimensional Ackley function on
// [-32.768, 32.768]^10 (see ackley).
func Ackley10() Function { return ackley(10) }

// ackley returns the d-dimensional Ackley function with the usual
// a = 20, b = 0.2, c = 2π:
//
//	f(x) = -a exp(-b √(Σ x_i² / d)) - exp(Σ cos(c x_i) / d) + a + e,
//
// a nearly flat outer region riddled with local minima around one deep
// funnel: global minimum 0 at the origin.
func ackley(d int) Function {
	name := fmt.Sprintf("ackley%d", d)
	return Function{
		Name:       name,
		Dims:       realDims(d, -32.768, 32.768),
		Optimum:    0,
		Minimizers: [][]any{constPoint(d, 0)},
		Eval: func(x []any) float64 {
			v := floats(name, x, d)
			var sq, cs float64
			for _, xi := range v {
				sq += xi * xi
				cs += math.Cos(2 * math.Pi * xi)
			}
			n := float64(d)
			return -20*math.Exp(-0.2*math.Sqrt(sq/n)) - math.Exp(cs/n) + 20 + math.E
		},
	}
}

// constPoint returns the point of n float64 coordinates all equal to v.
func constPoint(n int, v float64) []any {
	x := make([]any, n)
	for i := range x {
		x[i] = v
	}
	return x
}
