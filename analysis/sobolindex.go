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

// totalIndices returns the total-order Sobol' index of each dimension of
// sp for the function f over the space's input distribution, by Jansen's
// estimator with n rows in A and B, drawn from the scrambled Sobol'
// sequence of dimension 2·sp.Len() and the seed (see the package
// documentation). It returns an error if f is flat over the space.
func totalIndices(sp *space.Space, f predictFunc, n int, seed uint64) ([]float64, error) {
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
		for i, d := range dims {
			pa[i] = space.Quantile(d, u[i])
			pb[i] = space.Quantile(d, u[p+i])
		}
		a[j], b[j] = sp.Encode(pa), sp.Encode(pb)
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
