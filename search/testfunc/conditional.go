package testfunc

import (
	"fmt"
	"math"
)

// When makes a Dim conditional: it is active only when the earlier
// categorical Dim named Dim takes one of Values. Eval ignores the value
// given for an inactive Dim (benchmark code passes the space package's
// Inactive; nil will do).
type When struct {
	Dim    string
	Values []string
}

// Conditional returns a conditional objective, the shape of a search
// space whose params depend on a choice: a categorical branch in {"a",
// "b"} chooses between two sub-functions with different params active.
//
//	branch = "a": Branin(x1, x2) on [-5,10] x [0,15] (x3, x4, x5 inactive),
//	branch = "b": Hartmann3(x3, x4, x5) + 4 on [0,1]^3 (x1, x2 inactive),
//
// with Hartmann3(x) = -Σ_i α_i exp(-Σ_j A_ij (x_j - P_ij)²) (Dixon and
// Szegő's coefficients). Branch a's minimum is Branin's 5/(4π) ≈ 0.3979,
// reached at three points and easy to find; branch b's is 4 - 3.86278 ≈
// 0.13722, in one sharper basin: the global optimum. A strategy must
// keep exploring branch b to find it, and an inactive param must not
// mislead it. It is not in All (whose functions are unconditional);
// ByName finds it as "conditional".
func Conditional() Function {
	a, b := []string{"a"}, []string{"b"}
	return Function{
		Name: "conditional",
		Dims: []Dim{
			{Name: "branch", Kind: Categorical, Values: []string{"a", "b"}},
			{Name: "x1", Kind: Real, Low: -5, High: 10, When: &When{Dim: "branch", Values: a}},
			{Name: "x2", Kind: Real, Low: 0, High: 15, When: &When{Dim: "branch", Values: a}},
			{Name: "x3", Kind: Real, Low: 0, High: 1, When: &When{Dim: "branch", Values: b}},
			{Name: "x4", Kind: Real, Low: 0, High: 1, When: &When{Dim: "branch", Values: b}},
			{Name: "x5", Kind: Real, Low: 0, High: 1, When: &When{Dim: "branch", Values: b}},
		},
		// Newton's method from the published minimizer (0.114614,
		// 0.555649, 0.852547) converges to the point below, with gradient
		// < 1e-14; its value -3.86277978733266 agrees with the published
		// -3.86278.
		Optimum:    4 - 3.8627797873326624,
		Minimizers: [][]any{{"b", nil, nil, 0.11458887665506895, 0.5556488946169301, 0.8525469846866774}},
		Eval: func(x []any) float64 {
			if len(x) != 6 {
				panic(fmt.Sprintf("testfunc: conditional takes 6 values, got %d", len(x)))
			}
			switch x[0] {
			case "a":
				return Branin().Eval(x[1:3])
			case "b":
				return 4 + hartmann3([3]float64{number("conditional", 3, x[3]), number("conditional", 4, x[4]), number("conditional", 5, x[5])})
			}
			panic(fmt.Sprintf("testfunc: conditional: branch is %#v, want \"a\" or \"b\"", x[0]))
		},
	}
}

// hartmann3 is the three-dimensional Hartmann function.
func hartmann3(x [3]float64) float64 {
	var f float64
	for i := range hartmannAlpha {
		var s float64
		for j, xj := range x {
			d := xj - hartmann3P[i][j]
			s += hartmann3A[i][j] * d * d
		}
		f -= hartmannAlpha[i] * math.Exp(-s)
	}
	return f
}

var (
	hartmann3A = [4][3]float64{{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}}
	hartmann3P = [4][3]float64{
		{0.3689, 0.1170, 0.2673},
		{0.4699, 0.4387, 0.7470},
		{0.1091, 0.8732, 0.5547},
		{0.0381, 0.5743, 0.8828},
	}
)
