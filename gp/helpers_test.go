package gp

import (
	"errors"
	"math"
	"math/rand/v2"
)

// randX returns n uniform points in [0,1]^d.
func randX(rng *rand.Rand, n, d int) [][]float64 {
	X := make([][]float64, n)
	for i := range X {
		X[i] = make([]float64, d)
		for j := range X[i] {
			X[i][j] = rng.Float64()
		}
	}
	return X
}

// standardize returns (v - mean) / sd.
func standardize(v []float64) []float64 {
	mean, sd := 0.0, 0.0
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	sd = math.Sqrt(sd / float64(len(v)))
	if sd == 0 {
		sd = 1
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x - mean) / sd
	}
	return out
}

// hartmann6 is the 6-D Hartmann function on [0,1]^6 (minimum -3.32237).
func hartmann6(x []float64) float64 {
	alpha := [4]float64{1.0, 1.2, 3.0, 3.2}
	A := [4][6]float64{
		{10, 3, 17, 3.5, 1.7, 8},
		{0.05, 10, 17, 0.1, 8, 14},
		{3, 3.5, 1.7, 10, 17, 8},
		{17, 8, 0.05, 10, 0.1, 14},
	}
	P := [4][6]float64{
		{1312, 1696, 5569, 124, 8283, 5886},
		{2329, 4135, 8307, 3736, 1004, 9991},
		{2348, 1451, 3522, 2883, 3047, 6650},
		{4047, 8828, 8732, 5743, 1091, 381},
	}
	s := 0.0
	for i := range 4 {
		e := 0.0
		for j := range 6 {
			t := x[j] - P[i][j]*1e-4
			e += A[i][j] * t * t
		}
		s += alpha[i] * math.Exp(-e)
	}
	return -s
}

func hartmannData(rng *rand.Rand, n int) ([][]float64, []float64) {
	X := randX(rng, n, 6)
	y := make([]float64, n)
	for i, x := range X {
		y[i] = hartmann6(x)
	}
	return X, standardize(y)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func errorsIsInput(err error) bool { return errors.Is(err, ErrInput) }
