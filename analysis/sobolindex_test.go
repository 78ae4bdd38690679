package analysis

import (
	"math"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// exact evaluates f at the points the encoded rows decode to, as the
// surrogate's PredictBatch would.
func exact(sp *space.Space, f func(space.Point) float64) predictFunc {
	return func(X [][]float64, mean, _ []float64) {
		for j, x := range X {
			mean[j] = f(sp.Decode(x))
		}
	}
}

func TestTotalIndicesIshigami(t *testing.T) {
	// The Ishigami function on [-π, π]³ (a = 7, b = 0.1), whose total
	// indices are known analytically (Saltelli et al. 2010; Sobol' and
	// Levitan 1999): 0.5576, 0.4424, 0.2437.
	var dims []space.Dimension
	for _, n := range []string{"x1", "x2", "x3"} {
		dims = append(dims, mustReal(t, n, -math.Pi, math.Pi, false))
	}
	sp := mustSpace(t, dims...)
	f := func(p space.Point) float64 {
		x1, x2, x3 := p[0].(float64), p[1].(float64), p[2].(float64)
		s := math.Sin(x2)
		return math.Sin(x1) + 7*s*s + 0.1*math.Pow(x3, 4)*math.Sin(x1)
	}
	got, err := totalIndices(sp, exact(sp, f), ImportanceSamples, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.5576, 0.4424, 0.2437}
	for i := range want {
		t.Logf("S_T%d = %.4f (exact %.4f)", i+1, got[i], want[i])
		if math.Abs(got[i]-want[i]) > 0.02 {
			t.Errorf("S_T%d = %.4f, want %.4f ± 0.02", i+1, got[i], want[i])
		}
	}
}

func TestTotalIndicesDesignDistribution(t *testing.T) {
	// An additive function of a categorical (values 0, 1, 2: variance
	// 2/3), log10 of a log-scaled real (uniform on [-5, -1]: variance
	// 4/3), a stepped real (0, 0.5, 1: variance 1/6) and an ignored
	// log-scaled integer. Each total index is its term's variance over
	// the sum; the estimates match only if the design draws every
	// dimension from its own distribution and encodes it correctly.
	cat := mustCat(t, "c", "a", "b", "c")
	stepped, err := space.NewReal("s", 0, 1, false, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	logInt, err := space.NewInteger("n", 1, 1000, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp := mustSpace(t, cat, mustReal(t, "lr", 1e-5, 1e-1, true), stepped, logInt)
	shift := map[space.Value]float64{"a": 0, "b": 1, "c": 2}
	f := func(p space.Point) float64 {
		return shift[p[0]] + math.Log10(p[1].(float64)) + p[2].(float64)
	}
	got, err := totalIndices(sp, exact(sp, f), ImportanceSamples, 3)
	if err != nil {
		t.Fatal(err)
	}
	v := 2.0/3 + 4.0/3 + 1.0/6
	want := []float64{(2.0 / 3) / v, (4.0 / 3) / v, (1.0 / 6) / v, 0}
	for i, d := range sp.Dims() {
		t.Logf("S_T(%s) = %.4f (exact %.4f)", d.Name(), got[i], want[i])
		if math.Abs(got[i]-want[i]) > 0.01 {
			t.Errorf("S_T(%s) = %.4f, want %.4f ± 0.01", d.Name(), got[i], want[i])
		}
	}
}

func TestTotalIndicesFlat(t *testing.T) {
	sp := mustSpace(t, mustReal(t, "x", 0, 1, false))
	if _, err := totalIndices(sp, exact(sp, func(space.Point) float64 { return 2 }), 64, 1); err == nil {
		t.Error("a constant function gave indices, want an error")
	}
}

func TestRankNormal(t *testing.T) {
	z, ok := rankNormal([]float64{3, 1, 2, 2, 1e12})
	if !ok {
		t.Fatal("rankNormal reported constant input")
	}
	// Order kept, ties equal, the outlier one step above the next value.
	if !(z[1] < z[2] && z[2] == z[3] && z[3] < z[0] && z[0] < z[4]) {
		t.Errorf("rankNormal = %v, order or ties lost", z)
	}
	var mean, ss float64
	for _, v := range z {
		mean += v
	}
	mean /= 5
	for _, v := range z {
		ss += (v - mean) * (v - mean)
	}
	if math.Abs(mean) > 1e-12 || math.Abs(ss/5-1) > 1e-12 {
		t.Errorf("mean %v, variance %v; want 0 and 1", mean, ss/5)
	}
	if z[4] > 2.5 {
		t.Errorf("outlier at %v, want a bounded score", z[4])
	}
	if _, ok := rankNormal([]float64{4, 4, 4}); ok {
		t.Error("constant input accepted")
	}
}
