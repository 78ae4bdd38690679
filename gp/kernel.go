package gp

import "math"

const sqrt5 = 2.23606797749979

// matern52 returns the Matern 5/2 kernel of amplitude a at squared scaled
// distance r2, and its derivative with respect to r2, written in the form
// that is finite at r = 0:
//
//	k      = a (1 + sqrt5 r + 5/3 r²) exp(-sqrt5 r)
//	dk/dr² = -5/6 a (1 + sqrt5 r) exp(-sqrt5 r)
func matern52(a, r2 float64) (k, dk float64) {
	sr := sqrt5 * math.Sqrt(r2)
	e := a * math.Exp(-sr)
	return (1 + sr + 5.0/3.0*r2) * e, -5.0 / 6.0 * (1 + sr) * e
}

// scaleRows writes x_ij / l_j into dst, for the n rows of d inputs in the
// flat row-major x.
func scaleRows(dst, x, invLS []float64) {
	d := len(invLS)
	for i := 0; i+d <= len(x); i += d {
		for j, s := range invLS {
			dst[i+j] = x[i+j] * s
		}
	}
}

// sqDist returns the squared Euclidean distance of a and b.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	s := 0.0
	for i, v := range a {
		t := v - b[i]
		s += t * t
	}
	return s
}

// kernelRow writes k(q, x_i) for the n rows of the flat scaled inputs xs
// into dst, for one scaled query point qs.
func kernelRow(dst, qs, xs []float64, a float64) {
	d := len(qs)
	for i := range dst {
		dst[i], _ = matern52(a, sqDist(qs, xs[i*d:i*d+d]))
	}
}
