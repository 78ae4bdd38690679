package gp

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// NoiseFloor is the smallest noise variance of a model.
const NoiseFloor = 1e-6

// Hyper are the hyperparameters, in natural units.
type Hyper struct {
	Amplitude    float64   // signal variance sigma_f^2 (outputs are standardized by the caller)
	LengthScales []float64 // one per input dimension (ARD)
	Noise        float64   // noise variance, >= NoiseFloor
}

func (h Hyper) clone() Hyper {
	h.LengthScales = slices.Clone(h.LengthScales)
	return h
}

// Model is a GP posterior: the observations, the hyperparameters, the
// Cholesky factor of K + (noise + jitter) I and alpha = (K + ...)^-1 y.
// It is immutable and safe for concurrent use.
type Model struct {
	n, d   int
	x      []float64 // n×d inputs, row-major
	xs     []float64 // x divided by the length scales
	y      []float64
	hyper  Hyper
	invLS  []float64
	jitter float64
	u      blas64.Triangular // the Cholesky factor: K + (noise + jitter) I = UᵀU
	// kern holds K_ij (without noise) for i < j < kn in its upper
	// triangle, row-major with stride kn: the first kn observations'
	// kernel, as it was computed for the factor, kept for Local, which
	// reads the kernel between neighbours from it. A conditioned model
	// shares its model's (read only); kn < n then.
	kern   []float64
	kn     int
	alpha  []float64
	lml    float64
	failed bool
	bufs   sync.Pool // *[]float64 of length 2n + d, for single-point queries
}

// New builds the posterior of the observations with the hyperparameters h,
// without fitting. It returns an error for malformed input (see the
// package contract) or if K + noise I cannot be factorized even with the
// largest jitter.
func New(X [][]float64, y []float64, h Hyper) (*Model, error) {
	x, d, err := flatten(X, y)
	if err != nil {
		return nil, err
	}
	if err := checkHyper(h, d); err != nil {
		return nil, err
	}
	m, ok := newModel(x, slices.Clone(y), d, h.clone())
	if !ok {
		return nil, fmt.Errorf("gp: the kernel matrix of %d points is not positive definite even with jitter %g", len(y), m.jitter)
	}
	return m, nil
}

// newModel builds the posterior; it takes ownership of x, y and h. ok is
// false if the factorization failed; the model is then unusable except
// for its jitter.
func newModel(x, y []float64, d int, h Hyper) (*Model, bool) {
	n := len(y)
	m := &Model{n: n, d: d, x: x, y: y, hyper: h, xs: make([]float64, len(x)), invLS: make([]float64, d)}
	for i, l := range h.LengthScales {
		m.invLS[i] = 1 / l
	}
	scaleRows(m.xs, m.x, m.invLS)
	k := make([]float64, n*n)
	for i := range n {
		xi := m.xs[i*d : i*d+d]
		row := k[i*n : i*n+n]
		row[i] = h.Amplitude + h.Noise
		for j := i + 1; j < n; j++ {
			row[j], _ = matern52(h.Amplitude, sqDist(xi, m.xs[j*d:j*d+d]))
		}
	}
	u, jitter, ok := factorize(make([]float64, n*n), k, n, h.Amplitude)
	m.jitter = jitter
	if !ok {
		return m, false
	}
	m.u, m.kern, m.kn = u, k, n
	m.finish()
	return m, true
}

// finish computes alpha = U^-1 U^-T y and the log marginal likelihood
// from the factor.
func (m *Model) finish() {
	m.alpha = slices.Clone(m.y)
	cholSolve(m.u, m.alpha)
	m.lml = -0.5*floats.Dot(m.y, m.alpha) - 0.5*logDet(m.u) - 0.5*float64(m.n)*math.Log(2*math.Pi)
}

// Hyper returns the hyperparameters.
func (m *Model) Hyper() Hyper { return m.hyper.clone() }

// FitFailed reports whether Fit fell back to default hyperparameters
// because every start failed.
func (m *Model) FitFailed() bool { return m.failed }

// Len returns the number of observations (including conditioned ones).
func (m *Model) Len() int { return m.n }

// Jitter returns the jitter added to the diagonal of K + noise I for the
// Cholesky factorization to succeed: 0 normally.
func (m *Model) Jitter() float64 { return m.jitter }

// LogMarginalLikelihood returns log p(y | X, hyper) of the model's data
// (the jitter, if any, counted as noise), without priors.
func (m *Model) LogMarginalLikelihood() float64 { return m.lml }

// LogPosterior returns LogMarginalLikelihood plus the log prior density
// of the hyperparameters: -NegLogPosterior at the model's theta when that
// is inside the box.
func (m *Model) LogPosterior() float64 {
	return m.lml + logPrior(thetaOf(m.hyper, false), nil)
}

func (m *Model) checkPoint(x []float64) {
	if len(x) != m.d {
		panic(fmt.Sprintf("gp: point of %d inputs for a model of %d", len(x), m.d))
	}
}

func (m *Model) buf() *[]float64 {
	if b, ok := m.bufs.Get().(*[]float64); ok {
		return b
	}
	b := make([]float64, 2*m.n+m.d)
	return &b
}

// Predict returns the posterior mean and variance of the latent f at x.
// The variance excludes the noise and is >= 0. It panics if len(x) is not
// the model's number of inputs.
func (m *Model) Predict(x []float64) (mean, variance float64) {
	m.checkPoint(x)
	b := m.buf()
	kq, qs := (*b)[:m.n], (*b)[m.n:m.n+m.d]
	var out [2]float64
	m.predictRows(x, 1, kq, qs, out[:1], out[1:])
	m.bufs.Put(b)
	return out[0], out[1]
}

// predictRows predicts the rows points of the flat row-major q, with the
// workspaces kq (rows×n) and qs (d); variance may be nil.
func (m *Model) predictRows(q []float64, rows int, kq, qs, mean, variance []float64) {
	n, d := m.n, m.d
	for r := range rows {
		for j, s := range m.invLS {
			qs[j] = q[r*d+j] * s
		}
		kr := kq[r*n : r*n+n]
		kernelRow(kr, qs, m.xs, m.hyper.Amplitude)
		mean[r] = floats.Dot(kr, m.alpha)
	}
	if variance == nil {
		return
	}
	// Rows of V = Kq U^-1 are (U^-T k)ᵀ = (L^-1 k)ᵀ.
	blas64.Trsm(blas.Right, blas.NoTrans, 1, m.u, blas64.General{Rows: rows, Cols: n, Stride: n, Data: kq[:rows*n]})
	for r := range rows {
		v := kq[r*n : r*n+n]
		variance[r] = max(m.hyper.Amplitude-floats.Dot(v, v), 0)
	}
}
