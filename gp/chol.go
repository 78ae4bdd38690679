package gp

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// The Cholesky factorization is gonum's LAPACK dpotrf (lapack64.Potrf),
// the routine mat.Cholesky wraps, called directly on our own storage:
// mat.Cholesky also estimates the condition number on every
// factorization and extension (O(n²) with slow strided solves: 12% of a
// fit and 85% of Condition), which nothing here needs.

// Jitter ladder: on a failed Cholesky factorization, jitter*amplitude is
// added to the diagonal for each of these in turn.
var jitters = [...]float64{1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2}

// factorize computes the upper Cholesky factor U (K = UᵀU) of the n×n
// symmetric matrix whose upper triangle is in k (row-major, stride n)
// into u, of the same layout; k is not modified. If the factorization
// fails it retries with growing jitter on the diagonal (1e-9 ... 1e-2
// times amp) and returns the absolute jitter used (0 if none). ok is
// false if every try failed or the factor is not finite.
func factorize(u, k []float64, n int, amp float64) (t blas64.Triangular, jitter float64, ok bool) {
	sym := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: u[:n*n]}
	try := func(j float64) bool {
		copy(u, k[:n*n])
		for i := range n {
			u[i*n+i] += j
		}
		t, ok = lapack64.Potrf(sym)
		return ok && finiteDiag(t)
	}
	if try(0) {
		return t, 0, true
	}
	for _, j := range jitters {
		if try(j * amp) {
			return t, j * amp, true
		}
	}
	return t, jitters[len(jitters)-1] * amp, false
}

// finiteDiag reports whether the diagonal of t is finite and positive.
func finiteDiag(t blas64.Triangular) bool {
	for i := range t.N {
		if v := t.Data[i*t.Stride+i]; !(v > 0) || math.IsInf(v, 1) {
			return false
		}
	}
	return true
}

// logDet returns log det(UᵀU).
func logDet(t blas64.Triangular) float64 {
	s := 0.0
	for i := range t.N {
		s += math.Log(t.Data[i*t.Stride+i])
	}
	return 2 * s
}

// cholSolve overwrites b with (UᵀU)^-1 b.
func cholSolve(t blas64.Triangular, b []float64) {
	v := blas64.Vector{N: t.N, Inc: 1, Data: b}
	blas64.Trsv(blas.Trans, t, v)
	blas64.Trsv(blas.NoTrans, t, v)
}
