package gp

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// Local is a cheaper view of a Model for many observations: the posterior
// mean is the model's own, exact (O(n d) a point), and the variance at a
// point is that of the posterior given only its K nearest observations
// (in the length-scaled metric, ties by index), with the model's
// hyperparameters and jitter: O(n d + K³) a point instead of O(n²).
//
// Conditioning on fewer observations never lowers the variance, so the
// local variance is an upper bound of the exact one, and equal to it where
// the other observations are screened off by the nearest ones, as they
// are for a stationary kernel once the neighbourhood is a few length
// scales wide. Its gradient is that of the variance given the current
// neighbours: the variance jumps a little where the set of neighbours
// changes. With K >= n, Local predicts as the Model, bit for bit.
//
// A Local is safe for concurrent use; like the Model it is deterministic
// whatever GOMAXPROCS is.
type Local struct {
	m    *Model
	k    int
	bufs sync.Pool // *localWork
}

// Local returns the view of m with the variance from the k nearest
// observations of each point. It panics if k < 1.
func (m *Model) Local(k int) *Local {
	if k < 1 {
		panic(fmt.Sprintf("gp: Local with %d neighbours", k))
	}
	return &Local{m: m, k: k}
}

// Model returns the model l is a view of.
func (l *Local) Model() *Model { return l.m }

// localWork is the workspace of one query.
type localWork struct {
	qs, kq, dk []float64 // the query scaled; kernel and dk/dr² against all n
	r2         []float64 // squared scaled distances to all n
	near       []int     // the neighbours, ascending
	kk, u      []float64 // K×K kernel of the neighbours and its factor
	v, dkn     []float64 // kernel vector of the neighbours and its dk/dr²
	// The factor in u is that of the neighbours factored, if factored
	// is not nil (ok: it succeeded). A factor depends on its neighbours
	// alone, so reusing it changes no result, and the queries of a
	// gradient ascent mostly share their neighbours.
	factored []int
	chol     blas64.Triangular
	ok       bool
}

func (l *Local) work() *localWork {
	if w, ok := l.bufs.Get().(*localWork); ok {
		return w
	}
	n, d, k := l.m.n, l.m.d, min(l.k, l.m.n)
	return &localWork{
		qs: make([]float64, d), kq: make([]float64, n), dk: make([]float64, n), r2: make([]float64, n),
		near: make([]int, 0, k), factored: make([]int, 0, k), kk: make([]float64, k*k), u: make([]float64, k*k),
		v: make([]float64, k), dkn: make([]float64, k),
	}
}

// Predict returns the exact posterior mean at x and the variance given
// its nearest observations (see Local). It panics if len(x) is wrong.
func (l *Local) Predict(x []float64) (mean, variance float64) {
	return l.PredictGrad(x, nil, nil)
}

// PredictBatch writes Predict of each row of X into mean and variance
// (variance may be nil), the rows split over GOMAXPROCS goroutines. It
// panics if a row has the wrong length or an output slice is too short.
func (l *Local) PredictBatch(X [][]float64, mean, variance []float64) {
	if len(mean) < len(X) || (variance != nil && len(variance) < len(X)) {
		panic(fmt.Sprintf("gp: PredictBatch of %d points into %d means and %d variances", len(X), len(mean), len(variance)))
	}
	if l.k >= l.m.n || variance == nil {
		l.m.PredictBatch(X, mean, variance)
		return
	}
	for _, x := range X {
		l.m.checkPoint(x)
	}
	var next atomic.Int64
	work := func() {
		w := l.work()
		defer l.bufs.Put(w)
		for {
			i := int(next.Add(1) - 1)
			if i >= len(X) {
				return
			}
			mean[i], variance[i], _ = l.predict(w, X[i], nil, nil, nil)
		}
	}
	inParallel(len(X), work)
}

// PredictGrad returns Predict at x and writes the gradients of the mean
// and of the local variance (the neighbours held fixed) into dmean and
// dvar (either may be nil). It panics if a slice has the wrong length.
func (l *Local) PredictGrad(x []float64, dmean, dvar []float64) (mean, variance float64) {
	if l.k >= l.m.n && dmean == nil && dvar == nil {
		return l.m.Predict(x)
	}
	mean, variance, _ = l.PredictGradIf(x, dmean, dvar, nil)
	return mean, variance
}

// PredictGradIf is PredictGrad, but it computes the gradients only if
// want(mean, variance) reports true (want nil: always), and reports
// whether it did, as Model.PredictGradIf.
func (l *Local) PredictGradIf(x []float64, dmean, dvar []float64, want func(mean, variance float64) bool) (mean, variance float64, ok bool) {
	if l.k >= l.m.n {
		return l.m.PredictGradIf(x, dmean, dvar, want)
	}
	l.m.checkPoint(x)
	if (dmean != nil && len(dmean) != l.m.d) || (dvar != nil && len(dvar) != l.m.d) {
		panic(fmt.Sprintf("gp: PredictGrad gradients of length %d and %d for %d inputs", len(dmean), len(dvar), l.m.d))
	}
	w := l.work()
	defer l.bufs.Put(w)
	return l.predict(w, x, dmean, dvar, want)
}

func (l *Local) predict(w *localWork, x, dmean, dvar []float64, want func(mean, variance float64) bool) (mean, variance float64, ok bool) {
	m := l.m
	n, d, a, k := m.n, m.d, m.hyper.Amplitude, l.k
	for j, s := range m.invLS {
		w.qs[j] = x[j] * s
	}
	for i := range n {
		w.r2[i] = sqDist(w.qs, m.xs[i*d:i*d+d])
		w.kq[i], w.dk[i] = matern52(a, w.r2[i])
	}
	mean = floats.Dot(w.kq, m.alpha)
	w.near = nearest(w.near[:0], w.r2, k)
	// K_NN + (noise + jitter) I = UᵀU; v = U^-T k_N; variance = a - v·v.
	for r, i := range w.near {
		w.v[r], w.dkn[r] = w.kq[i], w.dk[i]
	}
	if !slices.Equal(w.near, w.factored) {
		// near ascends: the pairs of r < c are i < j, as the model's kernel
		// holds them (the same values, bit for bit, as computing them).
		for r, i := range w.near {
			row := w.kk[r*k : r*k+k]
			row[r] = a + m.hyper.Noise + m.jitter
			xi := m.xs[i*d : i*d+d]
			for c := r + 1; c < k; c++ {
				if j := w.near[c]; j < m.kn {
					row[c] = m.kern[i*m.kn+j]
				} else {
					row[c], _ = matern52(a, sqDist(xi, m.xs[j*d:j*d+d]))
				}
			}
		}
		w.chol, _, w.ok = factorize(w.u, w.kk, k, a)
		w.factored = append(w.factored[:0], w.near...)
	}
	u, factored := w.chol, w.ok
	raw := a
	if factored {
		blas64.Trsv(blas.Trans, u, blas64.Vector{N: k, Inc: 1, Data: w.v})
		raw = a - floats.Dot(w.v, w.v)
	}
	// Where the factor failed (unreachable for finite input, see
	// Condition) the variance is the prior's, its bound, and its gradient
	// 0.
	variance = max(raw, 0)
	if want != nil && !want(mean, variance) {
		return mean, variance, false
	}
	if dmean != nil {
		m.meanGrad(w.qs, w.dk, dmean)
	}
	if dvar == nil {
		return mean, variance, true
	}
	clear(dvar)
	if !factored || raw <= 0 {
		return mean, variance, true
	}
	// As in Model.PredictGrad: dvar = -2 (K_NN^-1 k_N)ᵀ dk_N/dx.
	blas64.Trsv(blas.NoTrans, u, blas64.Vector{N: k, Inc: 1, Data: w.v})
	for r, i := range w.near {
		c := w.v[r] * w.dkn[r]
		xi := m.xs[i*d : i*d+d]
		for p := range d {
			dvar[p] += c * (w.qs[p] - xi[p])
		}
	}
	for p := range d {
		dvar[p] *= -4 * m.invLS[p]
	}
	return mean, variance, true
}

// nearest returns the indices of the min(k, len(r2)) smallest r2 (ties
// by the lower index), ascending, by a bounded max-heap: O(n log k). It
// writes them into dst's storage from its start (whatever dst held is
// overwritten), so a caller reuses one buffer across calls.
func nearest(dst []int, r2 []float64, k int) []int {
	less := func(i, j int) bool { return r2[i] < r2[j] || (r2[i] == r2[j] && i < j) }
	h := dst[:0]
	for i := range min(k, len(r2)) {
		h = append(h, i)
		for c := len(h) - 1; c > 0; {
			p := (c - 1) / 2
			if !less(h[p], h[c]) {
				break
			}
			h[p], h[c] = h[c], h[p]
			c = p
		}
	}
	if len(h) == 0 {
		return h
	}
	// Every point still to come has a higher index than every point kept,
	// so it is less than a kept one only if its r2 is below that one's:
	// one comparison a point against the root, the largest kept, and
	// the same one down the heap as it replaces the root.
	top := r2[h[0]]
	for i := len(h); i < len(r2); i++ {
		v := r2[i]
		if !(v < top) {
			continue
		}
		p := 0
		for {
			c := 2*p + 1
			if c >= len(h) {
				break
			}
			if c+1 < len(h) && less(h[c], h[c+1]) {
				c++
			}
			if !(v < r2[h[c]]) {
				break
			}
			h[p] = h[c]
			p = c
		}
		h[p] = i
		top = r2[h[0]]
	}
	slices.Sort(h)
	return h
}
