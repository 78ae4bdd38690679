package analysis

import (
	"fmt"

	"github.com/frameworm/frameworm/sobol"
	"github.com/frameworm/frameworm/space"
)

// predictFunc writes the model's mean at each row of X into mean
// (gp.Model.PredictBatch; variance is always nil).
type predictFunc func(X [][]float64, mean, variance []float64)

// minVariance is the variance of the surrogate mean, in standardized
// units, below which it counts as flat.
const minVariance = 1e-12

// design is the input distribution of the Sobol' estimator and the
// encoding of its points for the model.
type design struct {
	sp *space.Space
	// values[i], when not nil, are the values dimension i (a categorical)
	// takes, uniformly: the values that have data. nil: the dimension's
	// own distribution (space.Quantile).
	values [][]space.Value
	// encode maps a point to the model's input; nil: sp.Encode. It must
	// keep each dimension's columns where sp.Encode puts them.
	encode func(space.Point) []float64
}

// value maps the design coordinate u of dimension i to a value.
func (d design) value(i int, dim space.Dimension, u float64) space.Value {
	if d.values != nil && d.values[i] != nil {
		vs := d.values[i]
		return vs[min(int(u*float64(len(vs))), len(vs)-1)]
	}
	return space.Quantile(dim, u)
}

// totalIndices returns the total-order Sobol' index of each dimension of
// sp for the function f over the space's input distribution, by Jansen's
// estimator with n rows in A and B, drawn from the scrambled Sobol'
// sequence of dimension 2·sp.Len() and the seed (see the package
// documentation). It returns an error if f is flat over the space.
func totalIndices(sp *space.Space, f predictFunc, n int, seed uint64) ([]float64, error) {
	return designIndices(design{sp: sp}, f, n, seed, nil)
}

// designIndices is totalIndices over the design d, for the dimensions i
// with want[i] (want nil: all of them); the others' indices are 0.
func designIndices(d design, f predictFunc, n int, seed uint64, want []bool) ([]float64, error) {
	sp := d.sp
	encode := d.encode
	if encode == nil {
		encode = sp.Encode
	}
	dims := sp.Dims()
	p, width := len(dims), sp.EncodedLen()
	off := make([]int, p+1)
	for i, d := range dims {
		off[i+1] = off[i] + d.EncodedLen()
	}
	seq, err := sobol.New(2*p, seed, true)
	if err != nil {
		return nil, err
	}
	a, b := make([][]float64, n), make([][]float64, n)
	u := make([]float64, 2*p)
	pa, pb := make(space.Point, p), make(space.Point, p)
	for j := range n {
		seq.Next(u)
		for i, dim := range dims {
			pa[i] = d.value(i, dim, u[i])
			pb[i] = d.value(i, dim, u[p+i])
		}
		a[j], b[j] = encode(pa), encode(pb)
	}
	fa, fb := make([]float64, n), make([]float64, n)
	f(a, fa, nil)
	f(b, fb, nil)

	var mean float64
	for j := range n {
		mean += fa[j] + fb[j]
	}
	mean /= float64(2 * n)
	var v float64
	for j := range n {
		v += (fa[j]-mean)*(fa[j]-mean) + (fb[j]-mean)*(fb[j]-mean)
	}
	v /= float64(2 * n)
	if !(v > minVariance) {
		return nil, fmt.Errorf("analysis: the surrogate of the objective is flat (variance %g over the space), so no parameter has an importance", v)
	}

	// ab holds A_B^(i), rebuilt for each i in the same buffer.
	flat := make([]float64, n*width)
	ab := make([][]float64, n)
	for j := range ab {
		ab[j] = flat[j*width : (j+1)*width : (j+1)*width]
		copy(ab[j], a[j])
	}
	fab := make([]float64, n)
	total := make([]float64, p)
	for i := range p {
		if want != nil && !want[i] {
			continue
		}
		lo, hi := off[i], off[i+1]
		for j := range n {
			copy(ab[j][lo:hi], b[j][lo:hi])
		}
		f(ab, fab, nil)
		var s float64
		for j := range n {
			d := fa[j] - fab[j]
			s += d * d
		}
		total[i] = s / float64(2*n) / v
		for j := range n {
			copy(ab[j][lo:hi], a[j][lo:hi])
		}
	}
	return total, nil
}
