package testfunc

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Dim kinds.
const (
	Real        = "real"
	Integer     = "integer"
	Categorical = "categorical"
)

// Function is a test objective to minimize.
type Function struct {
	Name string
	// Dims is the search space.
	Dims []Dim
	// Optimum is the known global minimum value (for simple regret).
	Optimum float64
	// Minimizers are points of the box where Optimum is attained, as
	// arguments to Eval.
	Minimizers [][]any
	// Eval evaluates the function at x: one value per Dim, in order,
	// float64 for Real, int64 for Integer, string for Categorical. It is
	// noise-free, also for a noisy function.
	Eval func(x []any) float64
	// NoiseSD, if positive, makes the function noisy: an observation is
	// Eval(x) plus Gaussian noise of this standard deviation (see
	// Observe). Optimum and Minimizers are those of the noise-free Eval.
	NoiseSD float64
}

// Observe returns what a trial at x reports: Eval(x) for a noiseless
// function, Eval(x) + NoiseSD·N(0, 1) for a noisy one, the normal draw
// taken from r (one draw per call, none when NoiseSD is 0). The noise is
// thus deterministic given r's seed and the order of the calls.
func (f Function) Observe(x []any, r *rand.Rand) float64 {
	v := f.Eval(x)
	if f.NoiseSD > 0 {
		v += f.NoiseSD * r.NormFloat64()
	}
	return v
}

// Dim describes one dimension, independently of the space package.
type Dim struct {
	Name string
	// Kind is Real, Integer or Categorical.
	Kind string
	// Low and High bound numeric dimensions, both included.
	Low, High float64
	// Log marks a numeric dimension searched in log space.
	Log bool
	// Values are the choices of a categorical dimension.
	Values []string
	// When, if set, makes the dimension conditional (see When).
	When *When
}

// All returns the small suite, in a fixed order: Branin, Hartmann6,
// Rosenbrock4 and Mixed (2 to 6 dimensions, noiseless).
func All() []Function {
	return []Function{Branin(), Hartmann6(), Rosenbrock4(), Mixed()}
}

// Scale returns the suite for search at scale, in a fixed order: more
// dimensions (5 to 20), rugged landscapes, few dimensions that matter
// among many, and noise.
func Scale() []Function {
	return []Function{
		Ackley5(), Ackley10(), Rastrigin4(), StyblinskiTang10(), StyblinskiTang20(),
		Rosenbrock10(), Hartmann6In20(), NoisyBranin(),
	}
}

// ByName returns the function of All, Scale, or Conditional, with the
// given name.
func ByName(name string) (Function, bool) {
	fs := append(append(All(), Scale()...), Conditional())
	i := slices.IndexFunc(fs, func(f Function) bool { return f.Name == name })
	if i < 0 {
		return Function{}, false
	}
	return fs[i], true
}

// realDims returns n real dimensions x1..xn on [low, high].
func realDims(n int, low, high float64) []Dim {
	d := make([]Dim, n)
	for i := range d {
		d[i] = Dim{Name: fmt.Sprintf("x%d", i+1), Kind: Real, Low: low, High: high}
	}
	return d
}

// floats converts x to float64s, checking it has n numeric values.
func floats(name string, x []any, n int) []float64 {
	if len(x) != n {
		panic(fmt.Sprintf("testfunc: %s takes %d values, got %d", name, n, len(x)))
	}
	out := make([]float64, n)
	for i, v := range x {
		out[i] = number(name, i, v)
	}
	return out
}

// number converts one numeric value to float64.
func number(name string, i int, v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	case int64:
		return float64(v)
	case int:
		return float64(v)
	case int32:
		return float64(v)
	case int16:
		return float64(v)
	case int8:
		return float64(v)
	case uint64:
		return float64(v)
	case uint:
		return float64(v)
	case uint32:
		return float64(v)
	case uint16:
		return float64(v)
	case uint8:
		return float64(v)
	}
	panic(fmt.Sprintf("testfunc: %s value %d is %T, want a number", name, i, v))
}
