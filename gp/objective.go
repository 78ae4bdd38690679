package gp

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// NegLogPosterior returns the objective that Fit minimizes, at theta, for
// the observations X, y, and writes its gradient with respect to theta
// into grad unless grad is nil:
//
//	-log p(y | X, theta) - log prior(theta) + box penalty(theta)
//
// theta = [log amplitude, log l_1, ..., log l_d, log noise]: the noise is
// max(exp(theta[d+1]), NoiseFloor), so it never falls below the floor,
// and below log NoiseFloor the objective depends on theta[d+1] only
// through the box penalty. (With noise = NoiseFloor + exp(t) instead, the
// objective of noiseless data flattens out only as t goes to -Inf, and
// L-BFGS spent 100+ evaluations per start down that tail and stopped at
// worse optima.) The priors are the log densities of the natural parameters (see
// prior.go); the box penalty is 0 inside the box. If K cannot be
// factorized even with jitter it returns +Inf and a zero gradient.
// It panics on malformed input (see the package contract) or if len(theta)
// or len(grad) is not d+2.
func NegLogPosterior(X [][]float64, y []float64, theta []float64, grad []float64) float64 {
	x, d, err := flatten(X, y)
	if err != nil {
		panic(fmt.Sprintf("gp: NegLogPosterior: %v", err))
	}
	if len(theta) != d+2 || (grad != nil && len(grad) != d+2) {
		panic(fmt.Sprintf("gp: NegLogPosterior: theta of length %d and gradient of %d for %d inputs", len(theta), len(grad), d))
	}
	o := newObjective(x, y, d)
	f := o.value(theta)
	if grad != nil {
		o.gradient(grad, theta)
	}
	return f
}

// objective evaluates NegLogPosterior with reusable workspaces. value
// factorizes and caches; gradient reuses the factor of the same theta.
// It also remembers the best finite point it has evaluated.
type objective struct {
	n, d  int
	x, y  []float64
	xs    []float64
	invLS []float64
	k     []float64 // upper triangle of K, row-major n×n
	dk    []float64 // dk/dr² of each pair i<j, at i*n+j
	u     []float64 // the Cholesky factor's storage
	chol  blas64.Triangular
	alpha []float64
	inv   []float64 // upper triangle of K^-1

	theta []float64 // of the cached factorization
	f     float64
	ok    bool // the factorization of theta succeeded
	live  bool // the noise is above the floor

	bestF     float64
	bestTheta []float64
}

func newObjective(x, y []float64, d int) *objective {
	n := len(y)
	return &objective{
		n: n, d: d, x: x, y: y,
		xs:        make([]float64, len(x)),
		invLS:     make([]float64, d),
		k:         make([]float64, n*n),
		dk:        make([]float64, n*n),
		u:         make([]float64, n*n),
		alpha:     make([]float64, n),
		inv:       make([]float64, n*n),
		theta:     make([]float64, d+2),
		bestF:     math.Inf(1),
		bestTheta: make([]float64, d+2),
	}
}

// value returns NegLogPosterior at theta.
func (o *objective) value(theta []float64) float64 {
	copy(o.theta, theta)
	o.ok = false
	o.f = math.Inf(1)
	n, d := o.n, o.d
	a := math.Exp(theta[0])
	noise, live := noiseOf(theta[d+1])
	o.live = live
	for i := range d {
		o.invLS[i] = math.Exp(-theta[i+1])
	}
	scaleRows(o.xs, o.x, o.invLS)
	for i := range n {
		xi := o.xs[i*d : i*d+d]
		row := o.k[i*n : i*n+n]
		dkr := o.dk[i*n : i*n+n]
		row[i] = a + noise
		for j := i + 1; j < n; j++ {
			row[j], dkr[j] = matern52(a, sqDist(xi, o.xs[j*d:j*d+d]))
		}
	}
	if !finite(a) || !finite(noise) {
		return o.f
	}
	var ok bool
	if o.chol, _, ok = factorize(o.u, o.k, n, a); !ok {
		return o.f
	}
	copy(o.alpha, o.y)
	cholSolve(o.chol, o.alpha)
	lml := -0.5*floats.Dot(o.y, o.alpha) - 0.5*logDet(o.chol) - 0.5*float64(n)*math.Log(2*math.Pi)
	f := -lml - logPrior(theta, nil) + boxPenalty(theta, nil)
	if !finite(f) {
		return o.f
	}
	o.ok, o.f = true, f
	if f < o.bestF {
		o.bestF = f
		copy(o.bestTheta, theta)
	}
	return f
}

// gradient writes the gradient of NegLogPosterior at theta into grad.
//
// With W = alpha alphaᵀ - K^-1, d log p(y)/d theta_p = tr(W dK/d theta_p)/2:
//
//	dK/d log a       = K_f (the kernel without noise)
//	dK_ij/d log l_p  = dk/dr²_ij * -2 ((x_ip - x_jp)/l_p)²
//	dK/d theta_noise = noise I above the floor, 0 below
//
// Jitter, if any, is held constant.
func (o *objective) gradient(grad, theta []float64) {
	if !slices.Equal(theta, o.theta) {
		o.value(theta)
	}
	clear(grad)
	if !o.ok {
		return
	}
	n, d := o.n, o.d
	copy(o.inv, o.u)
	if _, ok := lapack64.Potri(blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: n, Stride: n, Data: o.inv}); !ok {
		return
	}
	a := math.Exp(theta[0])
	alpha := o.alpha
	gl := grad[1 : d+1] // accumulates Σ_{i<j} W_ij dk_ij s_ijp²
	diag, off := 0.0, 0.0
	for i := range n {
		ai := alpha[i]
		ir := o.inv[i*n : i*n+n]
		kri := o.k[i*n : i*n+n]
		dkr := o.dk[i*n : i*n+n]
		xi := o.xs[i*d : i*d+d]
		diag += ai*ai - ir[i]
		for j := i + 1; j < n; j++ {
			w := ai*alpha[j] - ir[j]
			off += w * kri[j]
			c := w * dkr[j]
			xj := o.xs[j*d : j*d+d]
			for p, v := range xi {
				s := v - xj[p]
				gl[p] += c * s * s
			}
		}
	}
	// grad now gets d log posterior, then is negated.
	grad[0] = 0.5 * (diag*a + 2*off)
	for p := range gl {
		gl[p] *= -2 // 0.5 * 2 (both triangles) * -2
	}
	if o.live {
		grad[d+1] = 0.5 * math.Exp(theta[d+1]) * diag
	}
	logPrior(theta, grad)
	for p := range grad {
		grad[p] = -grad[p]
	}
	boxPenalty(theta, grad)
}
