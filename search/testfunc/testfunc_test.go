package testfunc

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// sample draws a point of f's box: uniform for linear dims, log-uniform
// for log ones, uniform over values for categoricals.
func sample(r *rand.Rand, f Function) []any {
	x := make([]any, len(f.Dims))
	for i, d := range f.Dims {
		switch d.Kind {
		case Real, Integer:
			lo, hi := d.Low, d.High
			if d.Log {
				lo, hi = math.Log(lo), math.Log(hi)
			}
			v := lo + r.Float64()*(hi-lo)
			if d.Log {
				v = math.Exp(v)
			}
			if d.Kind == Integer {
				x[i] = int64(min(max(math.Round(v), d.Low), d.High))
			} else {
				x[i] = v
			}
		case Categorical:
			x[i] = d.Values[r.IntN(len(d.Values))]
		}
	}
	return x
}

// inBox reports whether x is a valid point of f's box, with Eval's types.
func inBox(f Function, x []any) bool {
	if len(x) != len(f.Dims) {
		return false
	}
	for i, d := range f.Dims {
		switch d.Kind {
		case Real:
			v, ok := x[i].(float64)
			if !ok || v < d.Low || v > d.High {
				return false
			}
		case Integer:
			v, ok := x[i].(int64)
			if !ok || float64(v) < d.Low || float64(v) > d.High {
				return false
			}
		case Categorical:
			v, ok := x[i].(string)
			if !ok || !slices.Contains(d.Values, v) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func TestDims(t *testing.T) {
	real := func(name string, lo, hi float64) Dim { return Dim{Name: name, Kind: Real, Low: lo, High: hi} }
	tests := []struct {
		f    Function
		want []Dim
	}{
		{Branin(), []Dim{real("x1", -5, 10), real("x2", 0, 15)}},
		{Hartmann6(), []Dim{real("x1", 0, 1), real("x2", 0, 1), real("x3", 0, 1), real("x4", 0, 1), real("x5", 0, 1), real("x6", 0, 1)}},
		{Rosenbrock4(), []Dim{real("x1", -2, 2), real("x2", -2, 2), real("x3", -2, 2), real("x4", -2, 2)}},
		{Mixed(), []Dim{
			{Name: "lr", Kind: Real, Low: 1e-5, High: 1e-1, Log: true},
			{Name: "batch", Kind: Integer, Low: 8, High: 512, Log: true},
			{Name: "opt", Kind: Categorical, Values: []string{"adam", "sgd", "rmsprop"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.f.Name, func(t *testing.T) {
			if !slices.EqualFunc(tt.f.Dims, tt.want, func(a, b Dim) bool {
				return a.Name == b.Name && a.Kind == b.Kind && a.Low == b.Low && a.High == b.High &&
					a.Log == b.Log && slices.Equal(a.Values, b.Values)
			}) {
				t.Errorf("Dims = %+v, want %+v", tt.f.Dims, tt.want)
			}
		})
	}
}

func TestAll(t *testing.T) {
	names := []string{}
	for _, f := range All() {
		names = append(names, f.Name)
		g, ok := ByName(f.Name)
		if !ok || g.Name != f.Name {
			t.Errorf("ByName(%q) = %v, %v", f.Name, g.Name, ok)
		}
		if f.Eval == nil || len(f.Dims) == 0 || len(f.Minimizers) == 0 {
			t.Errorf("%s is incomplete", f.Name)
		}
	}
	if want := []string{"branin", "hartmann6", "rosenbrock4", "mixed"}; !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	if _, ok := ByName("nope"); ok {
		t.Error(`ByName("nope") found a function`)
	}
	// Copies are independent.
	a := All()
	a[0].Dims[0].Low = 123
	if Branin().Dims[0].Low != -5 {
		t.Error("changing a returned function changed the package's")
	}
}

// TestOptimumAtMinimizers checks f(x*) = Optimum at every listed minimizer,
// which must lie in the box.
func TestOptimumAtMinimizers(t *testing.T) {
	tests := []struct {
		f       Function
		optimum float64 // published value
		tol     float64
	}{
		{Branin(), 0.397887357729738, 1e-12},
		{Hartmann6(), -3.32236801141551, 1e-13},
		{Rosenbrock4(), 0, 0},
		{Mixed(), 0, 1e-24},
	}
	for _, tt := range tests {
		t.Run(tt.f.Name, func(t *testing.T) {
			if math.Abs(tt.f.Optimum-tt.optimum) > tt.tol {
				t.Errorf("Optimum %.17g, published %.17g", tt.f.Optimum, tt.optimum)
			}
			for _, x := range tt.f.Minimizers {
				if !inBox(tt.f, x) {
					t.Errorf("minimizer %v outside the box", x)
				}
				if got := tt.f.Eval(x); math.Abs(got-tt.f.Optimum) > tt.tol {
					t.Errorf("f(%v) = %.17g, want Optimum %.17g", x, got, tt.f.Optimum)
				}
			}
		})
	}
}

// TestBraninPublishedMinimizer uses the commonly quoted rounded third
// minimizer (9.42478, 2.475).
func TestBraninPublishedMinimizer(t *testing.T) {
	f := Branin()
	if got := f.Eval([]any{9.42478, 2.475}); math.Abs(got-f.Optimum) > 1e-6 {
		t.Errorf("f(9.42478, 2.475) = %.12g, want %.12g", got, f.Optimum)
	}
}

// TestHartmann6PublishedMinimizer uses the minimizer as usually quoted,
// rounded to about six digits.
func TestHartmann6PublishedMinimizer(t *testing.T) {
	x := []any{0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}
	if got := Hartmann6().Eval(x); math.Abs(got-(-3.32237)) > 1e-5 {
		t.Errorf("f(rounded x*) = %.12g, want -3.32237 within 1e-5", got)
	}
}

// TestLocalMinimum checks that small moves away from each minimizer, along
// every axis and at random, never go below Optimum.
func TestLocalMinimum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, f := range append(All(), Scale()...) {
		t.Run(f.Name, func(t *testing.T) {
			for _, x := range f.Minimizers {
				for _, h := range []float64{1e-2, 1e-4, 1e-6} {
					for trial := range 2*len(x) + 50 {
						y := slices.Clone(x)
						for i, d := range f.Dims {
							if d.Kind != Real {
								continue
							}
							v := y[i].(float64)
							if trial < 2*len(x) {
								if trial/2 == i {
									v += h * float64(1-2*(trial%2)) // one axis, both ways
								}
							} else {
								v += h * (2*r.Float64() - 1) * v
							}
							y[i] = v
						}
						if got := f.Eval(y); got < f.Optimum-1e-12 {
							t.Fatalf("f(%v) = %.17g below Optimum %.17g", y, got, f.Optimum)
						}
					}
				}
			}
		})
	}
}

// TestRandomPointsAboveOptimum samples each box.
func TestRandomPointsAboveOptimum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, f := range append(All(), Scale()...) {
		t.Run(f.Name, func(t *testing.T) {
			for range 20000 {
				x := sample(r, f)
				if !inBox(f, x) {
					t.Fatalf("sampled %v outside the box", x)
				}
				got := f.Eval(x)
				if math.IsNaN(got) || got < f.Optimum {
					t.Fatalf("f(%v) = %v below Optimum %v", x, got, f.Optimum)
				}
			}
		})
	}
}

// TestMixedGrid scans every batch size and optimizer and a fine grid of
// learning rates: no value is below Optimum, the grid minimum is Optimum
// at the documented minimizer, and each optimizer's own minimum is its
// offset.
func TestMixedGrid(t *testing.T) {
	f := Mixed()
	best := map[string]float64{}
	var bestX []any
	bestAll := math.Inf(1)
	for k := 0; k <= 400; k++ {
		lr := math.Pow(10, -5+float64(k)/100)
		for b := int64(8); b <= 512; b++ {
			for _, opt := range f.Dims[2].Values {
				x := []any{lr, b, opt}
				v := f.Eval(x)
				if v < f.Optimum {
					t.Fatalf("f(%v) = %g below Optimum", x, v)
				}
				if old, ok := best[opt]; !ok || v < old {
					best[opt] = v
				}
				if v < bestAll {
					bestAll, bestX = v, x
				}
			}
		}
	}
	if bestAll > 1e-24 || math.Abs(bestX[0].(float64)-1e-3) > 1e-15 || bestX[1] != int64(64) || bestX[2] != "adam" {
		t.Errorf("grid minimum %g at %v, want 0 at [0.001 64 adam]", bestAll, bestX)
	}
	for opt, want := range map[string]float64{"adam": 0, "sgd": 0.15, "rmsprop": 0.05} {
		if math.Abs(best[opt]-want) > 1e-12 {
			t.Errorf("best %s value %g, want %g", opt, best[opt], want)
		}
	}
}

func TestEvalAcceptsOtherNumberKinds(t *testing.T) {
	tests := []struct {
		f    Function
		a, b []any
	}{
		{Rosenbrock4(), []any{1.0, 1.0, 1.0, 1.0}, []any{1, int64(1), float32(1), uint8(1)}},
		{Mixed(), []any{1e-3, int64(64), "adam"}, []any{1e-3, 64, "adam"}},
		{Mixed(), []any{1e-2, int64(32), "sgd"}, []any{1e-2, uint16(32), "sgd"}},
	}
	for _, tt := range tests {
		if ga, gb := tt.f.Eval(tt.a), tt.f.Eval(tt.b); ga != gb {
			t.Errorf("%s: f(%v) = %v, f(%v) = %v", tt.f.Name, tt.a, ga, tt.b, gb)
		}
	}
}

func TestEvalPanics(t *testing.T) {
	tests := []struct {
		name string
		f    Function
		x    []any
		want string
	}{
		{"too few", Branin(), []any{1.0}, "takes 2 values"},
		{"too many", Hartmann6(), make([]any, 7), "takes 6 values"},
		{"string for real", Rosenbrock4(), []any{1.0, "a", 1.0, 1.0}, "want a number"},
		{"nil", Branin(), []any{nil, 1.0}, "want a number"},
		{"mixed count", Mixed(), []any{1e-3, int64(64)}, "takes 3 values"},
		{"mixed opt type", Mixed(), []any{1e-3, int64(64), 1}, "want a string"},
		{"mixed unknown opt", Mixed(), []any{1e-3, int64(64), "lbfgs"}, "unknown opt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			tt.f.Eval(tt.x)
		})
	}
}
