package gp

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// Condition returns a new model with the observation (x, y) added,
// without refitting the hyperparameters: the Cholesky factor is extended
// by one row, O(n²) (or, if rounding leaves no positive pivot, the whole
// matrix is refactorized with the jitter ladder, O(n³)). m is unchanged. Used for
// constant-liar fantasies of pending points. It panics if len(x) is wrong
// or a value is not finite (programmer errors).
func (m *Model) Condition(x []float64, y float64) *Model {
	m.checkPoint(x)
	if !finite(y) || slices.ContainsFunc(x, func(v float64) bool { return !finite(v) }) {
		panic(fmt.Sprintf("gp: Condition on a non-finite observation %v -> %v", x, y))
	}
	n, d := m.n, m.d
	c := &Model{
		n: n + 1, d: d,
		x:      append(append(make([]float64, 0, (n+1)*d), m.x...), x...),
		xs:     make([]float64, (n+1)*d),
		y:      append(append(make([]float64, 0, n+1), m.y...), y),
		hyper:  m.hyper, // shared: never modified
		invLS:  m.invLS,
		jitter: m.jitter,
		failed: m.failed,
		kern:   m.kern,
		kn:     m.kn,
	}
	copy(c.xs, m.xs)
	qs := c.xs[n*d:]
	for j, s := range m.invLS {
		qs[j] = x[j] * s
	}
	// [K w; wᵀ k] = [U t; 0 s]ᵀ [U t; 0 s] with t = U^-T w, s² = k - t·t.
	n1 := n + 1
	u := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: n1, Stride: n1, Data: make([]float64, n1*n1)}
	t := make([]float64, n)
	kernelRow(t, qs, m.xs, m.hyper.Amplitude)
	blas64.Trsv(blas.Trans, m.u, blas64.Vector{N: n, Inc: 1, Data: t})
	s2 := m.hyper.Amplitude + m.hyper.Noise + m.jitter - floats.Dot(t, t)
	if s2 > 0 && finite(s2) {
		for i := range n {
			copy(u.Data[i*n1+i:i*n1+n], m.u.Data[i*m.u.Stride+i:i*m.u.Stride+n])
			u.Data[i*n1+n] = t[i]
		}
		u.Data[n*n1+n] = math.Sqrt(s2)
		c.u = u
		c.finish()
		return c
	}
	full, ok := newModel(c.x, c.y, d, m.hyper.clone())
	if !ok {
		// K + (noise + 1e-2 a) I of finite inputs is positive definite.
		panic(fmt.Sprintf("gp: Condition: no factorization of %d points even with jitter %g", n+1, full.jitter))
	}
	full.failed = m.failed
	return full
}
