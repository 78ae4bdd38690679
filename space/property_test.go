package space

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestSampleContained checks that every sample of many random spaces is in
// its space, already in canonical form.
func TestSampleContained(t *testing.T) {
	r := newRand(t)
	for range 300 {
		s := randomSpace(t, r)
		for range 200 {
			p := s.Sample(r)
			q, ok := s.Normalize(p)
			if !ok {
				t.Fatalf("%s: sample %v not contained", describe(s), p)
			}
			if !reflect.DeepEqual(p, q) {
				t.Fatalf("%s: sample %#v is not canonical (%#v)", describe(s), p, q)
			}
		}
	}
}

func TestSampleDeterministic(t *testing.T) {
	r := newRand(t)
	s := randomSpace(t, r)
	a := rand.New(rand.NewPCG(7, 7))
	b := rand.New(rand.NewPCG(7, 7))
	for range 100 {
		if p, q := s.Sample(a), s.Sample(b); !reflect.DeepEqual(p, q) {
			t.Fatalf("same source state gave %v and %v", p, q)
		}
	}
}

// TestLogRealUniformInLogSpace runs a Kolmogorov–Smirnov test of log-real
// samples, mapped to [0,1] in log space, against the uniform distribution.
func TestLogRealUniformInLogSpace(t *testing.T) {
	const n = 20000
	crit := 1.95 / math.Sqrt(n) // 0.1% critical value
	r := newRand(t)
	d := mustReal(t, 1e-5, 10, true, 0)
	logU := make([]float64, n)
	linU := make([]float64, n)
	for i := range n {
		v := d.Sample(r).(float64)
		logU[i] = (math.Log(v) - math.Log(d.Low)) / (math.Log(d.High) - math.Log(d.Low))
		linU[i] = (v - d.Low) / (d.High - d.Low)
	}
	if ks := ksUniform(logU); ks > crit {
		t.Errorf("KS statistic in log space %.4f > %.4f", ks, crit)
	}
	// The test has power: the same samples are far from uniform in value.
	if ks := ksUniform(linU); ks < crit {
		t.Errorf("KS statistic in linear space %.4f < %.4f: the KS check cannot tell the scales apart", ks, crit)
	}
	lin := mustReal(t, -3, 5, false, 0)
	for i := range n {
		linU[i] = (lin.Sample(r).(float64) + 3) / 8
	}
	if ks := ksUniform(linU); ks > crit {
		t.Errorf("KS statistic of a linear real %.4f > %.4f", ks, crit)
	}
}

// logIntMass returns the probability of k under the discretized log-uniform
// distribution of a log Integer.
func logIntMass(d *Integer, k int64) float64 {
	lo, hi := float64(d.Low)-0.5, float64(d.High)+0.5
	return math.Log((float64(k)+0.5)/(float64(k)-0.5)) / math.Log(hi/lo)
}

func TestLogIntegerMass(t *testing.T) {
	const n = 100000
	r := newRand(t)
	d := mustInt(t, 1, 10, true, 0)
	probs := map[Value]float64{}
	total := 0.0
	for k := d.Low; k <= d.High; k++ {
		probs[k] = logIntMass(d, k)
		total += probs[k]
	}
	if math.Abs(total-1) > 1e-12 {
		t.Fatalf("masses sum to %v", total)
	}
	counts := map[Value]int{}
	for range n {
		counts[d.Sample(r)]++
	}
	if counts[int64(1)] == 0 || counts[int64(10)] == 0 {
		t.Errorf("an endpoint was never sampled: %v", counts)
	}
	for k, p := range probs {
		sd := math.Sqrt(p * (1 - p) / n)
		if f := float64(counts[k]) / n; math.Abs(f-p) > 4*sd {
			t.Errorf("value %d: frequency %.4f, mass %.4f (4 sd = %.4f)", k, f, p, 4*sd)
		}
	}
	if x := chiSquare(counts, probs, n); x > chiCritical[9] {
		t.Errorf("chi-square %.2f > %.2f", x, chiCritical[9])
	}
	// The test has power: rounding a log-uniform draw on [1, 10] instead
	// gives 1 and 10 half their mass.
	naive := map[Value]int{}
	for range n {
		naive[int64(math.Round(math.Exp(r.Float64()*math.Log(10))))]++
	}
	if x := chiSquare(naive, probs, n); x < chiCritical[9] {
		t.Errorf("chi-square of the naive sampler %.2f < %.2f", x, chiCritical[9])
	}
}

// TestDiscreteUniform checks that stepped and categorical dimensions sample
// their values uniformly.
func TestDiscreteUniform(t *testing.T) {
	const n = 60000
	r := newRand(t)
	for _, d := range []Dimension{
		mustInt(t, -4, 16, false, 4),
		mustReal(t, 0, 1, false, 0.2),
		mustCat(t, "a", true, 3),
		mustInt(t, 1, 2, true, 1),
	} {
		size, _ := d.GridSize()
		probs := map[Value]float64{}
		for i := range size {
			probs[d.GridValue(i)] = 1 / float64(size)
		}
		if li, ok := d.(*Integer); ok && li.Log {
			for k := range probs {
				probs[k] = logIntMass(li, k.(int64))
			}
		}
		counts := map[Value]int{}
		for range n {
			v := d.Sample(r)
			if _, ok := probs[v]; !ok {
				t.Fatalf("%+v: sample %v is not a grid value", d, v)
			}
			counts[v]++
		}
		if x := chiSquare(counts, probs, n); x > chiCritical[int(size)-1] {
			t.Errorf("%+v: chi-square %.2f > %.2f; counts %v", d, x, chiCritical[int(size)-1], counts)
		}
	}
}

// TestEncodeDecodeRoundTrip checks Decode(Encode(p)) == p for sampled and
// grid points, and that encodings lie in the unit cube.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	r := newRand(t)
	for range 300 {
		s := randomSpace(t, r)
		for j := range 200 {
			p := s.Sample(r)
			if j == 0 { // also the lowest corner, where log and step edges lie
				for k, d := range s.Dims() {
					if _, finite := d.GridSize(); finite {
						p[k] = d.GridValue(0)
					}
				}
			}
			x := s.Encode(p)
			if len(x) != s.EncodedLen() {
				t.Fatalf("len(Encode) = %d, want %d", len(x), s.EncodedLen())
			}
			for _, c := range x {
				if !(c >= 0 && c <= 1) {
					t.Fatalf("%s: Encode(%v) = %v leaves the unit cube", describe(s), p, x)
				}
			}
			q := s.Decode(x)
			for k, d := range s.Dims() {
				if !equalValue(d, p[k], q[k]) {
					t.Fatalf("%s: Decode(Encode(%#v)) = %#v", describe(s), p, q)
				}
			}
		}
	}
}

// TestDecodeContained decodes random vectors, partly outside [0,1], and
// checks the result is always a canonical point of the space.
func TestDecodeContained(t *testing.T) {
	r := newRand(t)
	for range 300 {
		s := randomSpace(t, r)
		x := make([]float64, s.EncodedLen())
		for range 200 {
			for i := range x {
				x[i] = r.Float64()*1.4 - 0.2
			}
			p := s.Decode(x)
			if q, ok := s.Normalize(p); !ok || !reflect.DeepEqual(p, q) {
				t.Fatalf("%s: Decode(%v) = %#v, not a canonical point", describe(s), x, p)
			}
		}
	}
}
