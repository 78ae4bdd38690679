package search

import "math"

// Acquisition functions, in the standardized units of the model, for
// minimization. Each returns a value to maximize and its derivatives with
// respect to the posterior mean and standard deviation, for gradient-based
// search.

const (
	sqrt2      = math.Sqrt2
	sqrt2Pi    = 2.5066282746310002 // sqrt(2 pi)
	logSqrt2Pi = 0.9189385332046728
)

// normPDF is the standard normal density.
func normPDF(z float64) float64 { return math.Exp(-z*z/2) / sqrt2Pi }

// normCDF is the standard normal distribution function.
func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/sqrt2) }

// logNormCDF is log Phi(z), accurate in the lower tail.
func logNormCDF(z float64) float64 {
	if z > -5 {
		return math.Log(normCDF(z))
	}
	// Phi(z) = phi(z) * R(z), R the Mills ratio of the lower tail.
	return -z*z/2 - logSqrt2Pi + math.Log(millsLower(z))
}

// millsLower returns Phi(z)/phi(z), for z < 0 without underflow.
func millsLower(z float64) float64 {
	x := -z / sqrt2
	if x < 26 {
		return math.Sqrt(math.Pi/2) * math.Exp(x*x) * math.Erfc(x)
	}
	// Asymptotic series of erfcx(x) = exp(x^2) erfc(x).
	x2 := x * x
	erfcx := (1 - 1/(2*x2) + 3/(4*x2*x2) - 15/(8*x2*x2*x2)) / (x * math.Sqrt(math.Pi))
	return math.Sqrt(math.Pi/2) * erfcx
}

// logH returns log h(z) and d log h / dz for h(z) = z Phi(z) + phi(z), the
// expected improvement of a unit normal, accurate far into the lower tail
// (Ament et al., "Unexpected improvements to expected improvement", 2023).
func logH(z float64) (value, deriv float64) {
	if z > -1 {
		phi, cdf := normPDF(z), normCDF(z)
		h := z*cdf + phi
		return math.Log(h), cdf / h
	}
	// h(z) = phi(z) (1 + z R(z)), R = Phi/phi; 1 + zR cancels in the
	// tail, so use its asymptotic series there.
	var r, onePlusZR float64
	if z > -25 {
		r = millsLower(z)
		onePlusZR = 1 + z*r
	} else {
		z2 := 1 / (z * z)
		onePlusZR = z2 * (1 - 3*z2*(1-5*z2*(1-7*z2)))
		r = (1 - onePlusZR) / -z
	}
	return -z*z/2 - logSqrt2Pi + math.Log(onePlusZR), r / onePlusZR
}

// acqValue evaluates an acquisition at a posterior (mean, sd) and returns
// its value and its partial derivatives d/dmean and d/dsd.
type acqFunc func(mean, sd float64) (value, dMean, dSD float64)

// logEI is log expected improvement over best by at least xi.
func logEI(best, xi float64) acqFunc {
	return func(mean, sd float64) (float64, float64, float64) {
		z := (best - xi - mean) / sd
		lh, dlh := logH(z)
		// log EI = log sd + log h(z); dz/dmean = -1/sd, dz/dsd = -z/sd.
		return math.Log(sd) + lh, -dlh / sd, 1/sd - dlh*z/sd
	}
}

// logPI is log probability of improvement over best by at least xi.
func logPI(best, xi float64) acqFunc {
	return func(mean, sd float64) (float64, float64, float64) {
		z := (best - xi - mean) / sd
		v := logNormCDF(z)
		// d log Phi / dz = phi/Phi = 1/R.
		var inv float64
		if z > -5 {
			inv = normPDF(z) / normCDF(z)
		} else {
			inv = 1 / millsLower(z)
		}
		return v, -inv / sd, -inv * z / sd
	}
}

// negLCB is the negated lower confidence bound mean - kappa sd.
func negLCB(kappa float64) acqFunc {
	return func(mean, sd float64) (float64, float64, float64) {
		return -(mean - kappa*sd), -1, kappa
	}
}
