package testfunc

import "math"

// Hartmann6 returns the six-dimensional Hartmann function on [0,1]^6,
//
//	f(x) = -Σ_i α_i exp(-Σ_j A_ij (x_j - P_ij)²),
//
// with global minimum -3.32236801141551 near (0.20169, 0.150011, 0.476874,
// 0.275332, 0.311652, 0.6573) (Minimizers holds it to 16 digits).
func Hartmann6() Function {
	return Function{
		Name: "hartmann6",
		Dims: realDims(6, 0, 1),
		// Newton's method from the published minimizer converges to the
		// point below, with gradient < 1e-14 and this value, which agrees
		// with the published -3.32236801141551 to its last digit.
		Optimum: -3.322368011415515,
		Minimizers: [][]any{{
			0.20168951100670543, 0.15001069182345797, 0.476873974221897,
			0.2753324304940561, 0.31165161660011326, 0.6573005340656204,
		}},
		Eval: func(x []any) float64 {
			v := floats("hartmann6", x, 6)
			var f float64
			for i := range hartmannAlpha {
				var s float64
				for j, xj := range v {
					d := xj - hartmannP[i][j]
					s += hartmannA[i][j] * d * d
				}
				f -= hartmannAlpha[i] * math.Exp(-s)
			}
			return f
		},
	}
}

var (
	hartmannAlpha = [4]float64{1.0, 1.2, 3.0, 3.2}
	hartmannA     = [4][6]float64{
		{10, 3, 17, 3.5, 1.7, 8},
		{0.05, 10, 17, 0.1, 8, 14},
		{3, 3.5, 1.7, 10, 17, 8},
		{17, 8, 0.05, 10, 0.1, 14},
	}
	hartmannP = [4][6]float64{
		{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
		{0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
		{0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
		{0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381},
	}
)
