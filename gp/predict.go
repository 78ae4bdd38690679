package gp

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// batchRows is the number of points a worker of PredictBatch predicts at
// once: fixed, so the results do not depend on the number of workers.
const batchRows = 32

// PredictBatch writes the posterior mean and variance of the latent f at
// each row of X into mean and variance (as Predict, with the same results
// bit for bit). variance may be nil to skip it (the mean alone is much
// cheaper). The cross-kernel of a block of rows is one matrix and its
// variances take one triangular solve; blocks run on GOMAXPROCS
// goroutines. It panics if a row has the wrong length or an output slice
// is shorter than X.
func (m *Model) PredictBatch(X [][]float64, mean, variance []float64) {
	if len(mean) < len(X) || (variance != nil && len(variance) < len(X)) {
		panic(fmt.Sprintf("gp: PredictBatch of %d points into %d means and %d variances", len(X), len(mean), len(variance)))
	}
	for _, x := range X {
		m.checkPoint(x)
	}
	chunks := (len(X) + batchRows - 1) / batchRows
	var next atomic.Int64
	work := func() {
		kq := make([]float64, batchRows*m.n)
		q := make([]float64, batchRows*m.d)
		qs := make([]float64, m.d)
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			lo, hi := c*batchRows, min((c+1)*batchRows, len(X))
			for r, x := range X[lo:hi] {
				copy(q[r*m.d:], x)
			}
			var v []float64
			if variance != nil {
				v = variance[lo:hi]
			}
			m.predictRows(q, hi-lo, kq, qs, mean[lo:hi], v)
		}
	}
	inParallel(chunks, work)
}

// inParallel runs work on min(GOMAXPROCS, tasks) goroutines (in this one
// when that is 1) and waits for them: work takes its tasks from a shared
// counter until none is left.
func inParallel(tasks int, work func()) {
	workers := min(runtime.GOMAXPROCS(0), tasks)
	if workers <= 1 {
		work()
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(work)
	}
	wg.Wait()
}

// PredictGrad returns the posterior mean and variance at x, as Predict,
// and writes their gradients with respect to x into dmean and dvar
// (either may be nil). Where the computed variance is clamped to 0 its
// gradient is 0. It panics if a slice has the wrong length.
func (m *Model) PredictGrad(x []float64, dmean, dvar []float64) (mean, variance float64) {
	mean, variance, _ = m.PredictGradIf(x, dmean, dvar, nil)
	return mean, variance
}

// PredictGradIf is PredictGrad, but it computes the gradients only if
// want(mean, variance) reports true (want nil: always), and reports
// whether it did; if not, dmean and dvar are left as they were. The mean
// and variance are the same either way. Deciding first saves the half of
// the work the gradients take, as in a line search that rejects a step.
func (m *Model) PredictGradIf(x []float64, dmean, dvar []float64, want func(mean, variance float64) bool) (mean, variance float64, ok bool) {
	m.checkPoint(x)
	if (dmean != nil && len(dmean) != m.d) || (dvar != nil && len(dvar) != m.d) {
		panic(fmt.Sprintf("gp: PredictGrad gradients of length %d and %d for %d inputs", len(dmean), len(dvar), m.d))
	}
	n, d, a := m.n, m.d, m.hyper.Amplitude
	b := m.buf()
	defer m.bufs.Put(b)
	kq, dk, qs := (*b)[:n], (*b)[n:2*n], (*b)[2*n:2*n+d]
	for j, s := range m.invLS {
		qs[j] = x[j] * s
	}
	for i := range n {
		kq[i], dk[i] = matern52(a, sqDist(qs, m.xs[i*d:i*d+d]))
	}
	mean = floats.Dot(kq, m.alpha)
	// v = U^-T k (as in predictRows), variance = a - v·v.
	blas64.Trsm(blas.Right, blas.NoTrans, 1, m.u, blas64.General{Rows: 1, Cols: n, Stride: n, Data: kq})
	raw := a - floats.Dot(kq, kq)
	variance = max(raw, 0)
	if want != nil && !want(mean, variance) {
		return mean, variance, false
	}
	// dk_i/dx_p = dk/dr² * 2 (x_p - x_ip) / l_p² = dk_i * 2 (qs_p - xs_ip) / l_p.
	if dmean != nil {
		m.meanGrad(qs, dk, dmean)
	}
	if dvar == nil {
		return mean, variance, true
	}
	clear(dvar)
	if raw <= 0 {
		return mean, variance, true
	}
	// w = U^-1 v = K^-1 k; dvar = -2 wᵀ dk/dx.
	blas64.Trsv(blas.NoTrans, m.u, blas64.Vector{N: n, Inc: 1, Data: kq})
	for i := range n {
		c := kq[i] * dk[i]
		xi := m.xs[i*d : i*d+d]
		for p := range d {
			dvar[p] += c * (qs[p] - xi[p])
		}
	}
	for p := range d {
		dvar[p] *= -4 * m.invLS[p]
	}
	return mean, variance, true
}

// meanGrad writes the gradient of the posterior mean at the scaled query
// qs into dmean, given dk/dr² against every observation.
func (m *Model) meanGrad(qs, dk, dmean []float64) {
	d := m.d
	clear(dmean)
	for i := range m.n {
		c := m.alpha[i] * dk[i]
		xi := m.xs[i*d : i*d+d]
		for p := range d {
			dmean[p] += c * (qs[p] - xi[p])
		}
	}
	for p := range d {
		dmean[p] *= 2 * m.invLS[p]
	}
}
