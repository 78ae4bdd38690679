package space

import "math"

// Quantile maps a coordinate u in [0,1) to a value of d, so that a
// uniform u gives the distribution d.Sample draws from: uniform (in log
// space when log-scaled) for a continuous real, uniform over the values of
// a stepped real, an integer or a categorical (value floor(u·k) of k), and
// the discretized log-uniform mass of a log-scaled integer. Space-filling
// designs (Sobol points) map through it into the space.
func Quantile(d Dimension, u float64) Value {
	u = min(max(u, 0), math.Nextafter(1, 0))
	// index returns floor(u·n), at most n-1 even after rounding.
	index := func(n uint64) uint64 { return min(uint64(u*float64(n)), n-1) }
	switch d := d.(type) {
	case *Categorical:
		return d.Values[index(uint64(len(d.Values)))]
	case *Integer:
		if d.Log {
			lo, hi := math.Log(float64(d.Low)-0.5), math.Log(float64(d.High)+0.5)
			k := int64(math.Round(math.Exp(lo + u*(hi-lo))))
			return min(max(k, d.Low), d.High)
		}
		n, _ := d.GridSize()
		return d.GridValue(index(n))
	case *Real:
		if n, finite := d.GridSize(); finite {
			return d.GridValue(index(n))
		}
		var f float64
		if d.Log {
			lo, hi := math.Log(d.Low), math.Log(d.High)
			f = math.Exp(lo + u*(hi-lo))
		} else {
			f = d.Low + u*(d.High-d.Low)
		}
		return min(max(f, d.Low), d.High)
	}
	// Another kind of dimension: decode the coordinate repeated, which
	// gives every valid value for some u.
	x := make([]float64, d.EncodedLen())
	for i := range x {
		x[i] = u
	}
	return d.Decode(x)
}
