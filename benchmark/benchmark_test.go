package benchmark

import (
	"math"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/search/testfunc"
	"github.com/frameworm/frameworm/space"
)

func TestSpaces(t *testing.T) {
	for _, f := range testfunc.All() {
		sp, err := Space(f, 0)
		if err != nil || sp.Len() != len(f.Dims) {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	sp, err := Space(testfunc.Branin(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.GridSize(); err != nil || n != 49 {
		t.Errorf("branin grid: %d, %v", n, err)
	}
}

// TestOptimizeSmoke runs every strategy briefly: regret is finite and
// never negative, best-so-far never rises, and runs are deterministic.
func TestOptimizeSmoke(t *testing.T) {
	f := testfunc.Mixed()
	sp, _ := Space(f, 0)
	for _, s := range []search.Strategy{search.Random{}, search.Bayesian{InitialPoints: 5}} {
		for _, workers := range []int{1, 2} {
			r, err := Optimize(f, sp, s, 1, 12, workers)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.BestSoFar) != 12 {
				t.Fatalf("%T: %d evaluations", s, len(r.BestSoFar))
			}
			for i := 1; i < len(r.BestSoFar); i++ {
				if r.BestSoFar[i] > r.BestSoFar[i-1] {
					t.Fatalf("best so far rose at %d", i)
				}
			}
			if reg := r.Regret(f, 12); reg < 0 || math.IsInf(reg, 0) {
				t.Errorf("%T: regret %v", s, reg)
			}
			again, _ := Optimize(f, sp, s, 1, 12, workers)
			if again.Regret(f, 12) != r.Regret(f, 12) {
				t.Errorf("%T with %d workers is not deterministic", s, workers)
			}
		}
	}
}

func TestSummarize(t *testing.T) {
	st := Summarize([]float64{5, 1, 3, 2, 4})
	if st.Median != 3 || st.Q1 != 2 || st.Q3 != 4 {
		t.Errorf("%+v", st)
	}
}

// TestConditionalSpace checks that a Dim's When becomes a condition and
// that the strategies run on the conditional function.
func TestConditionalSpace(t *testing.T) {
	f := testfunc.Conditional()
	sp, err := Space(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !sp.Conditional() {
		t.Fatal("the space has no condition")
	}
	for i, want := range []bool{true, true, true, false, false, false} {
		if got := sp.Active(space.Point{"a", 0.0, 0.0, space.Inactive, space.Inactive}, i); got != want {
			t.Errorf("branch a: dimension %d active %v, want %v", i, got, want)
		}
	}
	for _, s := range []search.Strategy{search.Random{}, search.Bayesian{InitialPoints: 5}} {
		r, err := Optimize(f, sp, s, 2, 15, 2)
		if err != nil {
			t.Fatal(err)
		}
		if reg := r.Regret(f, 15); !(reg >= 0) || math.IsInf(reg, 0) {
			t.Errorf("%T: regret %v", s, reg)
		}
	}
	bad := testfunc.Conditional()
	bad.Dims[1].When.Dim = "nope"
	if _, err := Space(bad, 0); err == nil || !strings.Contains(err.Error(), `reads "nope"`) {
		t.Errorf("unknown condition dimension: %v", err)
	}
	bad = testfunc.Conditional()
	bad.Dims[1].When.Dim = "x3"
	if _, err := Space(bad, 0); err == nil || !strings.Contains(err.Error(), "declared after it") {
		t.Errorf("later condition dimension: %v", err)
	}
}
