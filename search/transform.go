package search

import "math"

// The model sees the objective standardized and, from a few observations
// on, warped by a Yeo–Johnson power transform fitted by maximum likelihood
// (as HEBO does): heavy-tailed objectives such as Rosenbrock's become
// nearly Gaussian, which the GP models far better. The transform is
// monotone, so the best observation stays the best.

// minPowerTransform is the number of observations from which the power
// transform is fitted.
const minPowerTransform = 5

// transformObjective returns the values the model is fitted to.
func transformObjective(y []float64) []float64 {
	z := standardize(y)
	if len(z) < minPowerTransform {
		return z
	}
	lambda := fitYeoJohnson(z)
	w := make([]float64, len(z))
	for i, v := range z {
		w[i] = yeoJohnson(v, lambda)
	}
	return standardize(w)
}

// standardize returns (y - mean) / sd, or y - mean when sd is 0.
func standardize(y []float64) []float64 {
	n := float64(len(y))
	var mean float64
	for _, v := range y {
		mean += v
	}
	mean /= n
	var ss float64
	for _, v := range y {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / n)
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = v - mean
		if sd > 0 {
			out[i] /= sd
		}
	}
	return out
}

// yeoJohnson is the Yeo–Johnson transform of x with parameter lambda.
func yeoJohnson(x, lambda float64) float64 {
	const eps = 1e-8
	if x >= 0 {
		if math.Abs(lambda) < eps {
			return math.Log1p(x)
		}
		return (math.Pow(1+x, lambda) - 1) / lambda
	}
	if math.Abs(lambda-2) < eps {
		return -math.Log1p(-x)
	}
	return -(math.Pow(1-x, 2-lambda) - 1) / (2 - lambda)
}

// yeoJohnsonLogLik is the profile log-likelihood of lambda under a normal
// model of the transformed data.
func yeoJohnsonLogLik(x []float64, lambda float64) float64 {
	n := float64(len(x))
	t := make([]float64, len(x))
	var mean, jac float64
	for i, v := range x {
		t[i] = yeoJohnson(v, lambda)
		mean += t[i]
		jac += math.Copysign(1, v) * math.Log1p(math.Abs(v))
	}
	mean /= n
	var ss float64
	for _, v := range t {
		ss += (v - mean) * (v - mean)
	}
	if ss <= 0 || math.IsNaN(ss) || math.IsInf(ss, 0) {
		return math.Inf(-1)
	}
	return -n/2*math.Log(ss/n) + (lambda-1)*jac
}

// fitYeoJohnson maximizes the log-likelihood over lambda in [-2, 2] by
// golden-section search.
func fitYeoJohnson(x []float64) float64 {
	lo, hi := -2.0, 2.0
	const invPhi = 0.6180339887498949
	a, b := hi-invPhi*(hi-lo), lo+invPhi*(hi-lo)
	fa, fb := yeoJohnsonLogLik(x, a), yeoJohnsonLogLik(x, b)
	for range 60 {
		if fa < fb {
			lo, a, fa = a, b, fb
			b = lo + invPhi*(hi-lo)
			fb = yeoJohnsonLogLik(x, b)
		} else {
			hi, b, fb = b, a, fa
			a = hi - invPhi*(hi-lo)
			fa = yeoJohnsonLogLik(x, a)
		}
	}
	return (lo + hi) / 2
}
