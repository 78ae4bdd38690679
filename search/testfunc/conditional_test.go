package testfunc

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestConditionalOptimum(t *testing.T) {
	f := Conditional()
	if len(f.Minimizers) != 1 {
		t.Fatalf("%d minimizers", len(f.Minimizers))
	}
	x := f.Minimizers[0]
	if got := f.Eval(x); math.Abs(got-f.Optimum) > 1e-14 {
		t.Errorf("f(minimizer) = %.17g, Optimum %.17g", got, f.Optimum)
	}
	// The published rounded minimizer and value.
	if got := f.Eval([]any{"b", nil, nil, 0.114614, 0.555649, 0.852547}); math.Abs(got-(4-3.86278)) > 1e-5 {
		t.Errorf("f(published minimizer) = %.12g, want %.12g within 1e-5", got, 4-3.86278)
	}
	// Inactive values are ignored, whatever they are.
	if got := f.Eval([]any{"b", 3.0, "junk", x[3], x[4], x[5]}); got != f.Eval(x) {
		t.Errorf("inactive values changed the value: %v", got)
	}
	if got, want := f.Eval([]any{"a", math.Pi, 2.275, nil, 7, "x"}), Branin().Optimum; math.Abs(got-want) > 1e-12 {
		t.Errorf("branch a at Branin's minimizer: %v, want %v", got, want)
	}
	// A local minimum: small moves in the active params never go below.
	r := rand.New(rand.NewPCG(5, 6))
	for _, h := range []float64{1e-2, 1e-4, 1e-6} {
		for range 200 {
			y := []any{"b", nil, nil, x[3].(float64) + h*(2*r.Float64()-1), x[4].(float64) + h*(2*r.Float64()-1), x[5].(float64) + h*(2*r.Float64()-1)}
			if got := f.Eval(y); got < f.Optimum-1e-14 {
				t.Fatalf("f(%v) = %.17g below Optimum", y, got)
			}
		}
	}
}

// TestConditionalGlobal scans both branches: nothing is below Optimum,
// branch b's grid minimum is next to it and branch a's is Branin's,
// above it.
func TestConditionalGlobal(t *testing.T) {
	f := Conditional()
	const n = 60
	bestB := math.Inf(1)
	for i := range n + 1 {
		for j := range n + 1 {
			for k := range n + 1 {
				v := f.Eval([]any{"b", nil, nil, float64(i) / n, float64(j) / n, float64(k) / n})
				if v < f.Optimum {
					t.Fatalf("f(b, %d, %d, %d) = %v below Optimum", i, j, k, v)
				}
				bestB = min(bestB, v)
			}
		}
	}
	if bestB-f.Optimum > 0.05 {
		t.Errorf("branch b's grid minimum %v is far from Optimum %v", bestB, f.Optimum)
	}
	bestA := math.Inf(1)
	for i := range 301 {
		for j := range 301 {
			bestA = min(bestA, f.Eval([]any{"a", -5 + 15*float64(i)/300, 15 * float64(j) / 300, nil, nil, nil}))
		}
	}
	if bestA < Branin().Optimum || bestA-Branin().Optimum > 0.01 || bestA <= f.Optimum+0.2 {
		t.Errorf("branch a's grid minimum %v, want just above Branin's %v and well above Optimum %v", bestA, Branin().Optimum, f.Optimum)
	}
}

func TestConditionalDims(t *testing.T) {
	f := Conditional()
	active := map[string]string{"x1": "a", "x2": "a", "x3": "b", "x4": "b", "x5": "b"}
	if f.Dims[0].Name != "branch" || f.Dims[0].When != nil {
		t.Errorf("first dim %+v", f.Dims[0])
	}
	for _, d := range f.Dims[1:] {
		if d.When == nil || d.When.Dim != "branch" || len(d.When.Values) != 1 || d.When.Values[0] != active[d.Name] {
			t.Errorf("dim %s: When %+v, want active on branch %s", d.Name, d.When, active[d.Name])
		}
	}
	g, ok := ByName("conditional")
	if !ok || g.Name != "conditional" {
		t.Error(`ByName("conditional") failed`)
	}
	g.Dims[1].When.Values[0] = "z"
	if Conditional().Dims[1].When.Values[0] != "a" {
		t.Error("changing a returned function changed the package's")
	}
}

func TestConditionalPanics(t *testing.T) {
	for _, tt := range []struct {
		x    []any
		want string
	}{
		{[]any{"a", 1.0}, "takes 6 values"},
		{[]any{"c", 1.0, 1.0, 1.0, 1.0, 1.0}, "want \"a\" or \"b\""},
		{[]any{"b", nil, nil, "x", 0.5, 0.5}, "want a number"},
	} {
		func() {
			defer func() {
				if r := recover(); !strings.Contains(fmtAny(r), tt.want) {
					t.Errorf("Eval(%v) panicked with %v, want %q", tt.x, r, tt.want)
				}
			}()
			Conditional().Eval(tt.x)
		}()
	}
}

func fmtAny(v any) string {
	s, _ := v.(string)
	return s
}
