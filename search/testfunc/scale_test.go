package testfunc

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestScale(t *testing.T) {
	want := []string{
		"ackley5", "ackley10", "rastrigin4", "styblinski_tang10", "styblinski_tang20",
		"rosenbrock10", "hartmann6_in_20", "noisy_branin",
	}
	var names []string
	for _, f := range Scale() {
		names = append(names, f.Name)
		g, ok := ByName(f.Name)
		if !ok || g.Name != f.Name || len(g.Dims) != len(f.Dims) {
			t.Errorf("ByName(%q) = %v, %v", f.Name, g.Name, ok)
		}
		if f.Eval == nil || len(f.Minimizers) == 0 {
			t.Errorf("%s is incomplete", f.Name)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	s := Scale()
	s[0].Dims[0].Low = 123
	s[6].Dims[1].Name = "changed"
	if Ackley5().Dims[0].Low != -32.768 || Hartmann6In20().Dims[1].Name != "d1" {
		t.Error("changing a returned function changed the package's")
	}
}

// TestScaleDims checks each function's dimension count and box.
func TestScaleDims(t *testing.T) {
	tests := []struct {
		f         Function
		d         int
		low, high float64
	}{
		{Ackley5(), 5, -32.768, 32.768},
		{Ackley10(), 10, -32.768, 32.768},
		{Rastrigin4(), 4, -5.12, 5.12},
		{StyblinskiTang10(), 10, -5, 5},
		{StyblinskiTang20(), 20, -5, 5},
		{Rosenbrock10(), 10, -5, 10},
		{Hartmann6In20(), 20, 0, 1},
		{NoisyBranin(), 2, -5, 15}, // x1 on [-5, 10], x2 on [0, 15]
	}
	for _, tt := range tests {
		t.Run(tt.f.Name, func(t *testing.T) {
			if len(tt.f.Dims) != tt.d {
				t.Fatalf("%d dims, want %d", len(tt.f.Dims), tt.d)
			}
			seen := map[string]bool{}
			for _, d := range tt.f.Dims {
				if d.Kind != Real || d.Log || d.Low < tt.low || d.High > tt.high || d.When != nil || seen[d.Name] {
					t.Errorf("dim %+v, want a distinct real dim within [%v, %v]", d, tt.low, tt.high)
				}
				seen[d.Name] = true
			}
			if tt.f.Name != "noisy_branin" && (tt.f.Dims[0].Low != tt.low || tt.f.Dims[tt.d-1].High != tt.high) {
				t.Errorf("box [%v, %v], want [%v, %v]", tt.f.Dims[0].Low, tt.f.Dims[tt.d-1].High, tt.low, tt.high)
			}
			if got := len(tt.f.Minimizers[0]); got != tt.d {
				t.Errorf("minimizer of %d values", got)
			}
		})
	}
}

// TestScalePublished checks the optima against published values and each
// function at other points whose value is known in closed form.
func TestScalePublished(t *testing.T) {
	fill := func(n int, v float64) []any { return constPoint(n, v) }
	axis := func(n int, v float64) []any { x := fill(n, 0); x[0] = v; return x }
	tests := []struct {
		name string
		f    Function
		x    []any
		want float64
		tol  float64
	}{
		// Optima as published.
		{"ackley5 optimum", Ackley5(), nil, 0, 1e-15},
		{"ackley10 optimum", Ackley10(), nil, 0, 1e-15},
		{"rastrigin4 optimum", Rastrigin4(), nil, 0, 0},
		{"styblinski_tang10 optimum", StyblinskiTang10(), nil, -39.16599 * 10, 2e-4 * 10},
		{"styblinski_tang20 optimum", StyblinskiTang20(), nil, -39.16599 * 20, 2e-4 * 20},
		{"rosenbrock10 optimum", Rosenbrock10(), nil, 0, 0},
		{"hartmann6_in_20 optimum", Hartmann6In20(), nil, -3.32236801141551, 1e-13},
		{"noisy_branin optimum", NoisyBranin(), nil, 0.397887357729738, 1e-12},
		// At integer points cos(2π x_i) = 1: Ackley is 20 (1 - exp(-0.2 rms(x))).
		{"ackley5 at ones", Ackley5(), fill(5, 1), 20 * (1 - math.Exp(-0.2)), 1e-13},
		{"ackley10 at 2e1", Ackley10(), axis(10, 2), 20 * (1 - math.Exp(-0.2*math.Sqrt(4.0/10))), 1e-13},
		// Rastrigin is Σ x_i² at integer points; its maximum over the box,
		// 40.35329 per dimension at x_i = ±4.52299366, is published.
		{"rastrigin4 at (1,2,0,-3)", Rastrigin4(), []any{1.0, 2.0, 0.0, -3.0}, 14, 1e-12},
		{"rastrigin4 maximum", Rastrigin4(), []any{4.52299366, -4.52299366, 4.52299366, -4.52299366}, 4 * 40.35329, 1e-4},
		// Styblinski–Tang per dimension: 0 at 0, (625-400+25)/2 at 5 and
		// (625-400-25)/2 at -5.
		{"styblinski_tang10 at 0", StyblinskiTang10(), fill(10, 0), 0, 0},
		{"styblinski_tang10 at 5", StyblinskiTang10(), fill(10, 5), 1250, 1e-12},
		{"styblinski_tang20 at -5", StyblinskiTang20(), fill(20, -5), 2000, 1e-12},
		// Rosenbrock: d-1 at the origin, 404 (d-1) at -1.
		{"rosenbrock10 at 0", Rosenbrock10(), fill(10, 0), 9, 0},
		{"rosenbrock10 at -1", Rosenbrock10(), fill(10, -1), 9 * 404, 0},
		// Hartmann6's rounded published minimizer, dummies anywhere.
		{"hartmann6_in_20 rounded", Hartmann6In20(), embedAt([]float64{0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}, 0.9), -3.32237, 1e-5},
		// Branin's rounded published minimizer.
		{"noisy_branin rounded", NoisyBranin(), []any{9.42478, 2.475}, 0.397887, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.f.Optimum
			if tt.x != nil {
				got = tt.f.Eval(tt.x)
			} else if v := tt.f.Eval(tt.f.Minimizers[0]); math.Abs(v-got) > 1e-12 {
				t.Errorf("f(minimizer) = %.17g, Optimum %.17g", v, got)
			}
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("got %.17g, want %.17g within %g", got, tt.want, tt.tol)
			}
		})
	}
}

// embedAt places Hartmann6's six values at Hartmann6In20's active
// positions, every dummy at dummy.
func embedAt(h []float64, dummy float64) []any {
	x := constPoint(20, dummy)
	for i, p := range []int{0, 3, 6, 10, 13, 16} {
		x[p] = h[i]
	}
	return x
}

// TestSeparableMinima scans the one-dimensional terms of the separable
// functions: nothing is below the term's minimum, which is attained at
// the documented minimizer, so the sum's minimum is the documented one.
func TestSeparableMinima(t *testing.T) {
	const n = 200000
	st := func(t float64) float64 { return (t*t*t*t - 16*t*t + 5*t) / 2 }
	ra := func(t float64) float64 { return t*t - 10*math.Cos(2*math.Pi*t) + 10 }
	for _, tt := range []struct {
		name      string
		g         func(float64) float64
		low, high float64
		argmin    float64
		min       float64
	}{
		{"styblinski-tang", st, -5, 5, styblinskiTangMin, styblinskiTangMinValue},
		{"rastrigin", ra, -5.12, 5.12, 0, 0},
	} {
		best, at := math.Inf(1), 0.0
		for i := range n + 1 {
			x := tt.low + (tt.high-tt.low)*float64(i)/n
			if v := tt.g(x); v < best {
				best, at = v, x
			}
		}
		if best < tt.min-1e-12 || best-tt.min > 1e-6 || math.Abs(at-tt.argmin) > 1e-3 {
			t.Errorf("%s: grid minimum %.15g at %v, want %.15g at %v", tt.name, best, at, tt.min, tt.argmin)
		}
	}
	// The Styblinski–Tang minimizer is a root of the derivative, within
	// the literature's bounds.
	x := styblinskiTangMin
	if d := 4*x*x*x - 32*x + 5; math.Abs(d) > 1e-12 {
		t.Errorf("derivative %g at the minimizer", d)
	}
	if v := styblinskiTangMinValue; !(v > -39.16617 && v < -39.16616) || st(x) != v {
		t.Errorf("minimum %.17g (computed %.17g), want within (-39.16617, -39.16616)", v, st(x))
	}
}

// TestEmbed checks where Hartmann6's dims sit in Hartmann6In20 and that
// the dummies change nothing.
func TestEmbed(t *testing.T) {
	f, h := Hartmann6In20(), Hartmann6()
	for i, p := range []int{0, 3, 6, 10, 13, 16} {
		if f.Dims[p].Name != h.Dims[i].Name {
			t.Errorf("position %d holds %s, want %s", p, f.Dims[p].Name, h.Dims[i].Name)
		}
	}
	dummies := 0
	for _, d := range f.Dims {
		if strings.HasPrefix(d.Name, "d") {
			dummies++
		}
	}
	if dummies != 14 {
		t.Errorf("%d dummy dims, want 14", dummies)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		hx := sample(r, h)
		v := make([]float64, 6)
		for i := range v {
			v[i] = hx[i].(float64)
		}
		a, b := f.Eval(embedAt(v, 0)), f.Eval(embedAt(v, r.Float64()))
		if a != b || a != h.Eval(hx) {
			t.Fatalf("at %v: embedded %v and %v, Hartmann6 %v", hx, a, b, h.Eval(hx))
		}
	}
	for _, tt := range []struct {
		x    []any
		want string
	}{
		{make([]any, 6), "takes 20 values"},
		{append(constPoint(19, 0.5), "x"), "want a number"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q, want %q", msg, tt.want)
				}
			}()
			f.Eval(tt.x)
		}()
	}
}

// TestBraninRange checks the maximum behind NoisyBranin's noise: a grid
// scan finds nothing above it, and the corner (-5, 0) attains it.
func TestBraninRange(t *testing.T) {
	f := Branin()
	if got := f.Eval([]any{-5.0, 0.0}); got != braninMax {
		t.Errorf("f(-5, 0) = %.17g, want %.17g", got, braninMax)
	}
	const n = 600
	for i := range n + 1 {
		for j := range n + 1 {
			if v := f.Eval([]any{-5 + 15*float64(i)/n, 15 * float64(j) / n}); v > braninMax {
				t.Fatalf("f at grid point (%d, %d) = %v above the maximum", i, j, v)
			}
		}
	}
	if sd := NoisyBranin().NoiseSD; math.Abs(sd-0.01*(braninMax-f.Optimum)) > 1e-15 || math.Abs(sd-3.0773) > 1e-4 {
		t.Errorf("NoiseSD %v, want 1 %% of the range, 3.0773", sd)
	}
}

// TestObserve checks the noise: deterministic for a seed, of the
// documented standard deviation around the noise-free value, and absent
// (no draw taken) for a noiseless function.
func TestObserve(t *testing.T) {
	f := NoisyBranin()
	x := []any{1.0, 2.0}
	clean := f.Eval(x)
	draw := func(seed uint64, n int) []float64 {
		r := rand.New(rand.NewPCG(seed, 1))
		out := make([]float64, n)
		for i := range out {
			out[i] = f.Observe(x, r)
		}
		return out
	}
	a, b, c := draw(1, 20000), draw(1, 20000), draw(2, 20000)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different observations")
	}
	if slices.Equal(a[:10], c[:10]) {
		t.Error("different seeds gave the same observations")
	}
	var sum, sq float64
	for _, v := range a {
		sum += v - clean
		sq += (v - clean) * (v - clean)
	}
	n := float64(len(a))
	mean, sd := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	// Standard errors: sd/√n ≈ 0.022 for the mean, sd/√(2n) ≈ 0.015 for sd.
	if math.Abs(mean) > 0.1 || math.Abs(sd-f.NoiseSD) > 0.08 {
		t.Errorf("noise mean %v, sd %v, want 0 and %v", mean, sd, f.NoiseSD)
	}
	g := Branin()
	r1, r2 := rand.New(rand.NewPCG(3, 3)), rand.New(rand.NewPCG(3, 3))
	if g.Observe(x, r1) != clean || r1.Uint64() != r2.Uint64() {
		t.Error("a noiseless function's observation is not its value, or it drew from r")
	}
}
