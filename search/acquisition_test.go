package search

import (
	"math"
	"testing"
)

// Closed forms, written out independently of the implementation.
func eiClosed(best, xi, mean, sd float64) float64 {
	z := (best - xi - mean) / sd
	return (best-xi-mean)*0.5*math.Erfc(-z/math.Sqrt2) + sd*math.Exp(-z*z/2)/math.Sqrt(2*math.Pi)
}

func piClosed(best, xi, mean, sd float64) float64 {
	return 0.5 * math.Erfc(-((best-xi-mean)/sd)/math.Sqrt2)
}

func TestAcquisitionClosedForms(t *testing.T) {
	for _, tc := range []struct{ best, xi, mean, sd float64 }{
		{0, 0, 0, 1}, {0, 0.01, 0.5, 0.3}, {-1, 0, -2, 0.5}, {1, 0.1, 3, 1}, {0, 0, 2.5, 0.4}, {0.2, 0, 0.1, 2},
	} {
		ei, _, _ := logEI(tc.best, tc.xi)(tc.mean, tc.sd)
		if want := math.Log(eiClosed(tc.best, tc.xi, tc.mean, tc.sd)); math.Abs(ei-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("logEI%v = %v, want %v", tc, ei, want)
		}
		pi, _, _ := logPI(tc.best, tc.xi)(tc.mean, tc.sd)
		if want := math.Log(piClosed(tc.best, tc.xi, tc.mean, tc.sd)); math.Abs(pi-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("logPI%v = %v, want %v", tc, pi, want)
		}
		lcb, _, _ := negLCB(1.96)(tc.mean, tc.sd)
		if want := -(tc.mean - 1.96*tc.sd); math.Abs(lcb-want) > 1e-12 {
			t.Errorf("LCB%v = %v, want %v", tc, lcb, want)
		}
	}
}

// TestLogEITail checks log EI far in the tail, where EI itself underflows:
// finite, decreasing, and continuous across the branches of logH.
func TestLogEITail(t *testing.T) {
	prev := math.Inf(1)
	for z := 5.0; z > -60; z -= 0.01 {
		v, d := logH(z)
		if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(d) || d <= 0 {
			t.Fatalf("logH(%v) = %v, %v", z, v, d)
		}
		if v >= prev {
			t.Fatalf("logH not increasing in z at %v", z)
		}
		prev = v
	}
	// Continuity at the branch points.
	for _, z := range []float64{-1, -25} {
		a, _ := logH(z + 1e-9)
		b, _ := logH(z - 1e-9)
		if math.Abs(a-b) > 1e-6 {
			t.Errorf("logH jumps at %v: %v vs %v", z, a, b)
		}
	}
	// Against the direct formula where it is still accurate.
	for _, z := range []float64{-3, -8, -20} {
		h := z*0.5*math.Erfc(-z/math.Sqrt2) + math.Exp(-z*z/2)/math.Sqrt(2*math.Pi)
		got, _ := logH(z)
		if math.Abs(got-math.Log(h)) > 1e-6*math.Abs(math.Log(h)) {
			t.Errorf("logH(%v) = %v, direct %v", z, got, math.Log(h))
		}
	}
}

// TestAcquisitionDerivatives checks the derivatives against finite
// differences.
func TestAcquisitionDerivatives(t *testing.T) {
	for name, f := range map[string]acqFunc{"ei": logEI(0.1, 0.01), "pi": logPI(0.1, 0.01), "lcb": negLCB(2)} {
		for _, at := range [][2]float64{{0.3, 0.5}, {-0.2, 0.1}, {2, 0.3}, {1, 1}} {
			_, dm, ds := f(at[0], at[1])
			const h = 1e-6
			vp, _, _ := f(at[0]+h, at[1])
			vm, _, _ := f(at[0]-h, at[1])
			if fd := (vp - vm) / (2 * h); math.Abs(fd-dm) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s d/dmean at %v: %v, finite difference %v", name, at, dm, fd)
			}
			vp, _, _ = f(at[0], at[1]+h)
			vm, _, _ = f(at[0], at[1]-h)
			if fd := (vp - vm) / (2 * h); math.Abs(fd-ds) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s d/dsd at %v: %v, finite difference %v", name, at, ds, fd)
			}
		}
	}
}

func TestTransformObjective(t *testing.T) {
	y := []float64{1, 10, 100, 1000, 3, 7, 2500, 0.5}
	z := transformObjective(y)
	for i := range y {
		for j := range y {
			if (y[i] < y[j]) != (z[i] < z[j]) {
				t.Fatalf("transform is not monotone: %v -> %v", y, z)
			}
		}
	}
	var mean, ss float64
	for _, v := range z {
		mean += v
	}
	mean /= float64(len(z))
	for _, v := range z {
		ss += (v - mean) * (v - mean)
	}
	if math.Abs(mean) > 1e-9 || math.Abs(ss/float64(len(z))-1) > 1e-9 {
		t.Errorf("not standardized: mean %v var %v", mean, ss/float64(len(z)))
	}
	// Heavy tails shrink: the largest value is far closer to the rest.
	if zmax := z[6]; zmax > 2.5 {
		t.Errorf("largest value still %v sd out", zmax)
	}
	if got := transformObjective([]float64{2, 2, 2}); got[0] != 0 {
		t.Errorf("constant objective: %v", got)
	}
}
