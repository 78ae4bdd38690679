package benchmark

import (
	"math"
	"math/rand/v2"
	"slices"
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

// TestRecommendation checks the rule on a noisy function: after each
// evaluation the run holds the noise-free value of the point of the best
// noisy observation so far, computed here from the points and the noise
// stream, for Optimize with 1 and 3 workers and RandomRun alike.
func TestRecommendation(t *testing.T) {
	f := testfunc.NoisyBranin()
	sp, _ := Space(f, 0)
	const budget, seed = 300, 4
	pts, err := search.Random{}.Propose(search.Request{Space: sp, Seed: seed}, budget)
	if err != nil {
		t.Fatal(err)
	}
	noise := rand.New(rand.NewPCG(seed, noiseStream))
	var want []float64
	bestNoisy, rec, bestClean := math.Inf(1), 0.0, math.Inf(1)
	differs := false
	for _, p := range pts {
		clean := f.Eval([]any(p))
		if v := clean + f.NoiseSD*noise.NormFloat64(); v < bestNoisy {
			bestNoisy, rec = v, clean
		}
		bestClean = min(bestClean, clean)
		differs = differs || rec != bestClean
		want = append(want, rec)
	}
	if !differs {
		t.Fatal("the noise never made the recommendation differ from the best noise-free value: the test cannot tell the rules apart")
	}
	runs := map[string]func() (Run, error){
		"RandomRun":           func() (Run, error) { return RandomRun(f, sp, seed, budget) },
		"Optimize, 1 worker":  func() (Run, error) { return Optimize(f, sp, search.Random{}, seed, budget, 1) },
		"Optimize, 3 workers": func() (Run, error) { return Optimize(f, sp, search.Random{}, seed, budget, 3) },
	}
	for name, run := range runs {
		r, err := run()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.BestSoFar, want) {
			t.Errorf("%s: recommended values differ from the rule's", name)
		}
	}
}

// TestRandomRun checks that one ask of RandomRun gives the run that
// asking point by point gives, on a noiseless function.
func TestRandomRun(t *testing.T) {
	for _, f := range []testfunc.Function{testfunc.Mixed(), testfunc.Ackley5()} {
		sp, _ := Space(f, 0)
		a, err := RandomRun(f, sp, 9, 60)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Optimize(f, sp, search.Random{}, 9, 60, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.BestSoFar) != 60 || !slices.Equal(a.BestSoFar, b.BestSoFar) {
			t.Errorf("%s: RandomRun %v, Optimize %v", f.Name, a.BestSoFar, b.BestSoFar)
		}
	}
}

// TestNoisyDeterministic runs the Bayesian strategy on the noisy function
// twice per seed: the same regrets; and on two seeds: different ones.
func TestNoisyDeterministic(t *testing.T) {
	f := testfunc.NoisyBranin()
	sp, _ := Space(f, 0)
	s := search.Bayesian{InitialPoints: 5}
	run := func(seed int64) []float64 {
		r, err := Optimize(f, sp, s, seed, 14, 2)
		if err != nil {
			t.Fatal(err)
		}
		return r.BestSoFar
	}
	if a, b := run(1), run(1); !slices.Equal(a, b) {
		t.Errorf("seed 1 twice: %v and %v", a, b)
	}
	if a, b := run(1), run(2); slices.Equal(a, b) {
		t.Errorf("seeds 1 and 2 gave the same run %v", a)
	}
}

// TestAskLatency measures a small batch: a duration and allocations are
// reported.
func TestAskLatency(t *testing.T) {
	f := testfunc.Branin()
	sp, _ := Space(f, 0)
	lat, err := AskLatency(f, sp, search.Bayesian{InitialPoints: 5}, 20, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if lat.Median <= 0 || lat.Alloc == 0 {
		t.Errorf("%+v", lat)
	}
}

func TestScaleSpaces(t *testing.T) {
	for _, f := range testfunc.Scale() {
		sp, err := Space(f, 0)
		if err != nil || sp.Len() != len(f.Dims) {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
}
