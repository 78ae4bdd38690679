package space

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var seedFlag = flag.Uint64("space.seed", 20250601, "seed for the property tests of package space")

// newRand returns a generator seeded from -space.seed and logs the seed so a
// failure can be replayed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	t.Logf("seed %d (rerun with -space.seed=%d)", *seedFlag, *seedFlag)
	return rand.New(rand.NewPCG(*seedFlag, 0x5eed))
}

// wantFieldError checks that err is a *FieldError for field (and index)
// whose message contains every fragment and reads as a sentence.
func wantFieldError(t *testing.T, err error, field string, index int, fragments ...string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v (%T), want a *FieldError", err, err)
	}
	if fe.Field != field || fe.Index != index {
		t.Errorf("got Field %q Index %d, want %q %d (msg %q)", fe.Field, fe.Index, field, index, fe.Msg)
	}
	if !strings.HasSuffix(fe.Msg, ".") {
		t.Errorf("message %q is not a full sentence", fe.Msg)
	}
	for _, f := range fragments {
		if !strings.Contains(fe.Msg, f) {
			t.Errorf("message %q does not contain %q", fe.Msg, f)
		}
	}
}

func mustSpace(t *testing.T, dims ...Dimension) *Space {
	t.Helper()
	s, err := New(dims...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustReal(t *testing.T, low, high float64, log bool, step float64) *Real {
	t.Helper()
	d, err := NewReal("r", low, high, log, step)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustInt(t *testing.T, low, high float64, log bool, step float64) *Integer {
	t.Helper()
	d, err := NewInteger("i", low, high, log, step)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustCat(t *testing.T, values ...Value) *Categorical {
	t.Helper()
	d, err := NewCategorical("c", values)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// randomDim returns a random valid dimension of every kind, built through
// the constructors (so it also checks that they accept valid input).
func randomDim(t *testing.T, r *rand.Rand, name string) Dimension {
	t.Helper()
	var d Dimension
	var err error
	switch r.IntN(7) {
	case 0: // continuous
		low := r.NormFloat64() * 100
		d, err = NewReal(name, low, low+r.ExpFloat64()*100+1e-6, false, 0)
	case 1: // continuous, log
		low := math.Exp(r.NormFloat64() * 5)
		d, err = NewReal(name, low, low*math.Exp(r.ExpFloat64()*5+1e-3), true, 0)
	case 2: // stepped real
		low := math.Round(r.NormFloat64()*100) / 10
		step := float64(1+r.IntN(9)) / float64(1+r.IntN(9))
		d, err = NewReal(name, low, low+float64(1+r.IntN(40))*step, false, step)
	case 3: // integer with step
		low, step := r.IntN(2000)-1000, 1+r.IntN(7)
		d, err = NewInteger(name, float64(low), float64(low+(1+r.IntN(30))*step), false, float64(step))
	case 4: // log integer
		low := 1 + r.IntN(100)
		d, err = NewInteger(name, float64(low), float64(low+1+r.IntN(5000)), true, 0)
	case 5: // wide integer
		d, err = NewInteger(name, -1e12, 1e12, false, 0)
	default:
		pool := []Value{"adam", "sgd", "", 1.0, -2.5, 0.0, true, false, 1e300}
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		d, err = NewCategorical(name, pool[:1+r.IntN(len(pool))])
	}
	if err != nil {
		t.Fatalf("constructing a valid random dimension: %v", err)
	}
	return d
}

func randomSpace(t *testing.T, r *rand.Rand) *Space {
	t.Helper()
	dims := make([]Dimension, 1+r.IntN(5))
	for i := range dims {
		dims[i] = randomDim(t, r, fmt.Sprintf("d%d", i))
	}
	return mustSpace(t, dims...)
}

// describe prints a space for failure messages.
func describe(s *Space) string {
	var parts []string
	for _, d := range s.Dims() {
		parts = append(parts, fmt.Sprintf("%+v", d))
	}
	return strings.Join(parts, " ")
}

// equalValue compares two values of d: exactly, except for continuous
// reals, whose encoding round trip may lose the last bits.
func equalValue(d Dimension, a, b Value) bool {
	if r, ok := d.(*Real); ok && r.Step == 0 {
		x, y := a.(float64), b.(float64)
		return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), r.High-r.Low)
	}
	return a == b
}

// ksUniform returns the Kolmogorov–Smirnov statistic of samples in [0,1]
// against the uniform distribution.
func ksUniform(u []float64) float64 {
	u = slices.Clone(u)
	slices.Sort(u)
	n := float64(len(u))
	d := 0.0
	for i, x := range u {
		d = max(d, float64(i+1)/n-x, x-float64(i)/n)
	}
	return d
}

// chiSquare returns Pearson's statistic of counts against probabilities.
func chiSquare(counts map[Value]int, probs map[Value]float64, n int) float64 {
	x := 0.0
	for v, p := range probs {
		e := p * float64(n)
		x += (float64(counts[v]) - e) * (float64(counts[v]) - e) / e
	}
	return x
}

// chiCritical holds the 0.1% critical values of the chi-square distribution
// by degrees of freedom.
var chiCritical = map[int]float64{1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 9: 27.877}
