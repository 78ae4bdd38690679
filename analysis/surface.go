package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/sobol"
	"github.com/frameworm/frameworm/space"
)

// SurfaceSamples is the number of points of the other parameters a
// surface's cell averages the model over (a power of two, so the
// scrambled Sobol' points are balanced).
const SurfaceSamples = 64

// MaxSurfaceGrid is the largest n PredictSurface accepts: a grid of n×n
// cells costs n²·SurfaceSamples predictions.
const MaxSurfaceGrid = 200

// SurfaceNote says how PredictSurface sets the other parameters, for a
// figure's subtitle.
const SurfaceNote = "other parameters averaged over the space (partial dependence)"

// surfaceSalt separates the seed of the surface's Sobol' design from the
// GP's.
const surfaceSalt = 0x7375_7266_6163_6521 // "surface!"

// Surface is a model's prediction of the score over a grid of two
// parameters (PredictSurface).
type Surface struct {
	X, Y SurfaceAxis
	// Z[iy][ix] is the prediction at (X.Values[ix], Y.Values[iy]), in the
	// metric's units.
	Z [][]float64
	// Points are the usable trials, by trial number: their values of the
	// two parameters (a categorical's index) and score.
	Points []SurfacePoint
	// Usable and Fitted count the trials, as in ImportanceReport.
	Usable, Fitted int
	// Note is SurfaceNote when another parameter was averaged over, and
	// empty when the space has only the two.
	Note string
}

// SurfaceAxis is one parameter's axis of a Surface.
type SurfaceAxis struct {
	Name string
	// Log is set for a numeric parameter on a log scale: Values are then
	// evenly spaced in log space.
	Log bool
	// Values are the grid positions, ascending and evenly spaced, from
	// the parameter's low to its high (in its own units; an integer's
	// positions are not rounded), or 0, 1, …, k-1 for a categorical of k
	// values.
	Values []float64
	// Categories are a categorical's values as text (fmt's %v), in
	// order; nil for a numeric parameter.
	Categories []string
}

// SurfacePoint is one usable trial on a surface.
type SurfacePoint struct {
	Number int
	X, Y   float64 // the values of the two parameters; a categorical's index
	Score  float64
}

// PredictSurface predicts the score over an n×n grid of parameters x and y
// (dimensions of sp; names as in EstimateImportance, nil: sp.Names()),
// for a contour figure.
//
// The model is the importance's (see the package documentation, steps 1
// and 2): a GP fitted, with the same seed and the same subset beyond
// MaxImportanceTrials, to the rank-normal transformed scores of the
// completed trials with a point of sp. The grid of a numeric parameter is
// n positions evenly spaced from low to high in its encoding (in log
// space when log-scaled, continuous for integers and stepped reals); a
// categorical has one position per value, whatever n.
//
// Every other parameter is averaged over the space (partial dependence):
// each cell is the mean of the model's prediction at SurfaceSamples points
// whose other coordinates are drawn from the space's distribution (a
// scrambled Sobol' design mapped through space.Quantile, the same points
// for every cell). That average, a rank-normal score, is mapped back to
// the metric's units through the observed scores: piecewise linearly
// between the transformed scores of the trials fitted and the scores
// themselves, clamped to the lowest and highest score. So Z stays within
// the scores observed, one diverged trial cannot dominate it, and it is
// the same for "min" and "max"; a cell reads as "a typical score with x
// and y set so", not as the mean score.
//
// It returns an error when x or y is out of range or x == y, n is below 2
// or above MaxSurfaceGrid, and for the reasons EstimateImportance gives
// (too few usable trials, all scores equal, bad names).
func PredictSurface(sp *space.Space, names []string, trials []Trial, x, y int, n int, seed uint64) (Surface, error) {
	if sp == nil || sp.Len() < 2 {
		return Surface{}, fmt.Errorf("analysis: a surface needs a space with at least two parameters")
	}
	if names == nil {
		names = sp.Names()
	}
	if len(names) != sp.Len() {
		return Surface{}, fmt.Errorf("analysis: surface got %d names for %d parameters", len(names), sp.Len())
	}
	p := sp.Len()
	if x < 0 || x >= p || y < 0 || y >= p {
		return Surface{}, fmt.Errorf("analysis: surface over parameters %d and %d: the space has parameters 0 to %d", x, y, p-1)
	}
	if x == y {
		return Surface{}, fmt.Errorf("analysis: a surface needs two different parameters, got %q twice", names[x])
	}
	if n < 2 || n > MaxSurfaceGrid {
		return Surface{}, fmt.Errorf("analysis: surface grid of %d×%d cells: choose between 2 and %d a side", n, n, MaxSurfaceGrid)
	}
	dims := sp.Dims()

	// The usable trials, as for importance.
	var index, numbers []int
	var scores []float64
	for _, i := range scoredOrder(trials) {
		t := &trials[i]
		if t.Point == nil {
			continue
		}
		if _, ok := sp.Normalize(t.Point); !ok {
			continue
		}
		index = append(index, i)
		numbers = append(numbers, t.Number)
		scores = append(scores, t.Score)
	}
	if len(scores) < MinImportanceTrials {
		return Surface{}, fmt.Errorf("analysis: a surface needs at least %d completed trials with different scores; the search has %d completed trials in the current space",
			MinImportanceTrials, len(scores))
	}
	z, ok := rankNormal(scores)
	if !ok {
		return Surface{}, fmt.Errorf("analysis: a surface needs at least %d completed trials with different scores; all %d completed trials scored %v",
			MinImportanceTrials, len(scores), scores[0])
	}
	out := Surface{Usable: len(scores), Fitted: len(scores)}
	for j, i := range index {
		pt, _ := sp.Normalize(trials[i].Point)
		if space.IsInactive(pt[x]) || space.IsInactive(pt[y]) {
			continue // not on the plane of x and y
		}
		out.Points = append(out.Points, SurfacePoint{Number: numbers[j], X: axisCoord(dims[x], pt[x]), Y: axisCoord(dims[y], pt[y]), Score: scores[j]})
	}
	fitScores := scores
	if len(scores) > MaxImportanceTrials {
		sub := importanceSubset(numbers, scores, MaxImportanceTrials, seed)
		fz, fi, fs := make([]float64, len(sub)), make([]int, len(sub)), make([]float64, len(sub))
		for j, i := range sub {
			fz[j], fi[j], fs[j] = z[i], index[i], scores[i]
		}
		if !standardize(fz) {
			return Surface{}, fmt.Errorf("analysis: the %d trials chosen for the surface all have the same score", len(sub))
		}
		z, index, fitScores = fz, fi, fs
		out.Fitted = len(sub)
	}
	X := make([][]float64, len(index))
	for j, i := range index {
		pt, _ := sp.Normalize(trials[i].Point)
		X[j] = sp.Encode(pt)
	}
	model, err := gp.Fit(X, z, gp.Options{Seed: seed})
	if err != nil {
		return Surface{}, fmt.Errorf("analysis: fitting the surrogate for the surface: %w", err)
	}
	back := newBackMap(z, fitScores)

	// The grid: each axis's positions and their encodings.
	var encX, encY [][]float64
	out.X, encX = gridAxis(dims[x], names[x], n)
	out.Y, encY = gridAxis(dims[y], names[y], n)

	// The other parameters' samples, encoded; x's and y's columns are
	// overwritten per cell.
	off := make([]int, p+1)
	for i, d := range dims {
		off[i+1] = off[i] + d.EncodedLen()
	}
	samples := 1
	var rows [][]float64
	if p > 2 {
		samples = SurfaceSamples
		out.Note = SurfaceNote
		seq, err := sobol.New(p, seed^surfaceSalt, true)
		if err != nil {
			return Surface{}, err
		}
		u := make([]float64, p)
		pt := make(space.Point, p)
		for range samples {
			seq.Next(u)
			for i, d := range dims {
				pt[i] = space.Quantile(d, u[i])
			}
			rows = append(rows, sp.Encode(consistent(sp, pt)))
		}
	} else {
		rows = [][]float64{make([]float64, sp.EncodedLen())}
	}
	nx, ny := len(out.X.Values), len(out.Y.Values)
	batch := make([][]float64, nx*samples)
	flat := make([]float64, len(batch)*sp.EncodedLen())
	for r := range batch {
		batch[r] = flat[r*sp.EncodedLen() : (r+1)*sp.EncodedLen() : (r+1)*sp.EncodedLen()]
	}
	mean := make([]float64, len(batch))
	out.Z = make([][]float64, ny)
	for iy := range ny {
		for ix := range nx {
			for s := range samples {
				row := batch[ix*samples+s]
				copy(row, rows[s])
				copy(row[off[x]:off[x+1]], encX[ix])
				copy(row[off[y]:off[y+1]], encY[iy])
			}
		}
		model.PredictBatch(batch, mean, nil)
		out.Z[iy] = make([]float64, nx)
		for ix := range nx {
			var sum float64
			for s := range samples {
				sum += mean[ix*samples+s]
			}
			out.Z[iy][ix] = back.at(sum / float64(samples))
		}
	}
	return out, nil
}

// gridAxis returns the grid positions of d (n for a numeric dimension,
// one per value for a categorical) and their encodings.
func gridAxis(d space.Dimension, name string, n int) (SurfaceAxis, [][]float64) {
	a := SurfaceAxis{Name: name}
	var enc [][]float64
	if c, ok := d.(*space.Categorical); ok {
		for i, v := range c.Values {
			a.Values = append(a.Values, float64(i))
			a.Categories = append(a.Categories, fmt.Sprint(v))
			e := make([]float64, c.EncodedLen())
			c.Encode(v, e)
			enc = append(enc, e)
		}
		return a, enc
	}
	var low, high float64
	switch d := d.(type) {
	case *space.Real:
		low, high, a.Log = d.Low, d.High, d.Log
	case *space.Integer:
		low, high, a.Log = float64(d.Low), float64(d.High), d.Log
	}
	for i := range n {
		t := float64(i) / float64(n-1)
		var v float64
		switch {
		case i == 0:
			v = low
		case i == n-1:
			v = high
		case a.Log:
			v = math.Exp(math.Log(low) + t*(math.Log(high)-math.Log(low)))
		default:
			v = low + t*(high-low)
		}
		a.Values = append(a.Values, v)
		enc = append(enc, []float64{t})
	}
	return a, enc
}

// axisCoord returns a value's position on its surface axis: the value of
// a numeric dimension, the index of a categorical's value.
func axisCoord(d space.Dimension, v space.Value) float64 {
	if c, ok := d.(*space.Categorical); ok {
		e := make([]float64, c.EncodedLen())
		c.Encode(v, e)
		return float64(slices.Index(e, 1))
	}
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return math.NaN()
}

// backMap maps rank-normal scores back to scores: piecewise linearly
// between the (transformed, score) pairs of the trials fitted, clamped at
// both ends.
type backMap struct {
	z, s []float64 // ascending z; equal z share one entry
}

func newBackMap(z, scores []float64) backMap {
	idx := make([]int, len(z))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(z[a], z[b]) })
	var m backMap
	for _, i := range idx {
		if k := len(m.z); k > 0 && m.z[k-1] == z[i] {
			continue // tied scores share their transformed value
		}
		m.z = append(m.z, z[i])
		m.s = append(m.s, scores[i])
	}
	return m
}

func (m backMap) at(v float64) float64 {
	k := len(m.z)
	switch {
	case !(v > m.z[0]):
		return m.s[0]
	case v >= m.z[k-1]:
		return m.s[k-1]
	}
	j, _ := slices.BinarySearch(m.z, v) // m.z[j-1] < v <= m.z[j]
	f := (v - m.z[j-1]) / (m.z[j] - m.z[j-1])
	return m.s[j-1] + f*(m.s[j]-m.s[j-1])
}
