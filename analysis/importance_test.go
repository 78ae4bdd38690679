package analysis

import (
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// mustSpace builds a space or fails the test.
func mustSpace(t *testing.T, dims ...space.Dimension) *space.Space {
	t.Helper()
	sp, err := space.New(dims...)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func mustReal(t *testing.T, name string, low, high float64, log bool) *space.Real {
	t.Helper()
	d, err := space.NewReal(name, low, high, log, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustInt(t *testing.T, name string, low, high float64) *space.Integer {
	t.Helper()
	d, err := space.NewInteger(name, low, high, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustCat(t *testing.T, name string, values ...space.Value) *space.Categorical {
	t.Helper()
	d, err := space.NewCategorical(name, values)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sampleTrials draws n random points of sp (seeded) and scores them by f
// as completed trials numbered from 1.
func sampleTrials(sp *space.Space, n int, seed uint64, f func(p space.Point, r *rand.Rand) float64) []Trial {
	r := rand.New(rand.NewPCG(seed, 1))
	trials := make([]Trial, n)
	for i := range trials {
		p := sp.Sample(r)
		trials[i] = Trial{Number: i + 1, Point: p, Status: StatusCompleted, Score: f(p, r)}
	}
	return trials
}

// importance runs Importance, logs the shares and checks they sum to 1.
func importance(t *testing.T, sp *space.Space, trials []Trial) map[string]float64 {
	t.Helper()
	shares, err := Importance(sp, nil, trials, 7)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, name := range slices.Sorted(maps.Keys(shares)) {
		t.Logf("%-6s %6.2f%%", name, 100*shares[name])
		if s := shares[name]; !(s >= 0 && s <= 1) {
			t.Errorf("share of %s = %v, want in [0, 1]", name, s)
		}
		sum += shares[name]
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("shares sum to %v, want 1", sum)
	}
	return shares
}

// rankOf returns the names by decreasing share.
func rankOf(shares map[string]float64) []string {
	names := slices.Collect(maps.Keys(shares))
	slices.SortFunc(names, func(a, b string) int {
		if shares[a] != shares[b] {
			if shares[a] > shares[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

func TestImportanceLinear(t *testing.T) {
	// f = 10·x1 + 0.1·x2 + noise(sd 0.1); x3 is ignored.
	sp := mustSpace(t, mustReal(t, "x1", 0, 1, false), mustReal(t, "x2", 0, 1, false), mustReal(t, "x3", 0, 1, false))
	trials := sampleTrials(sp, 80, 1, func(p space.Point, r *rand.Rand) float64 {
		return 10*p[0].(float64) + 0.1*p[1].(float64) + 0.1*r.NormFloat64()
	})
	shares := importance(t, sp, trials)
	if shares["x1"] <= 0.9 {
		t.Errorf("x1 share = %.4f, want > 0.9", shares["x1"])
	}
	if shares["x3"] >= 0.05 {
		t.Errorf("ignored x3 share = %.4f, want < 0.05", shares["x3"])
	}
}

func TestImportanceCategorical(t *testing.T) {
	// A categorical shifting the objective by 0, +5, +10 beside a real
	// with a small effect, and an ignored real.
	sp := mustSpace(t,
		mustReal(t, "small", 0, 1, false),
		mustCat(t, "opt", "a", "b", "c"),
		mustReal(t, "ignored", 0, 1, false),
	)
	shift := map[space.Value]float64{"a": 0, "b": 5, "c": 10}
	trials := sampleTrials(sp, 80, 2, func(p space.Point, r *rand.Rand) float64 {
		return shift[p[1]] + p[0].(float64) + 0.1*r.NormFloat64()
	})
	shares := importance(t, sp, trials)
	if got := rankOf(shares); got[0] != "opt" {
		t.Errorf("ranking %v, want the categorical first", got)
	}
	if shares["ignored"] >= 0.05 {
		t.Errorf("ignored share = %.4f, want < 0.05", shares["ignored"])
	}
}

func TestImportanceIgnored(t *testing.T) {
	// A nonlinear function with an interaction of x1 and x2; x3 ignored.
	sp := mustSpace(t, mustReal(t, "x1", -1, 1, false), mustReal(t, "x2", -1, 1, false), mustReal(t, "x3", 0, 10, false))
	trials := sampleTrials(sp, 100, 3, func(p space.Point, r *rand.Rand) float64 {
		x1, x2 := p[0].(float64), p[1].(float64)
		return math.Sin(3*x1) + x2*x2 + x1*x2
	})
	shares := importance(t, sp, trials)
	if shares["x3"] >= 0.05 {
		t.Errorf("ignored x3 share = %.4f, want < 0.05", shares["x3"])
	}
	if shares["x1"] < shares["x2"] {
		t.Errorf("x1 share %.4f below x2 share %.4f, want x1 first", shares["x1"], shares["x2"])
	}
}

func TestImportanceLog(t *testing.T) {
	// f = (log10(lr) + 3)² with lr log-scaled in [1e-5, 1e-1], plus an
	// ignored integer.
	sp := mustSpace(t, mustReal(t, "lr", 1e-5, 1e-1, true), mustInt(t, "layers", 1, 8))
	trials := sampleTrials(sp, 60, 4, func(p space.Point, r *rand.Rand) float64 {
		l := math.Log10(p[0].(float64)) + 3
		return l * l
	})
	shares := importance(t, sp, trials)
	if shares["lr"] <= 0.9 {
		t.Errorf("lr share = %.4f, want > 0.9", shares["lr"])
	}
}

func TestImportanceOutlier(t *testing.T) {
	// One diverged trial with a huge loss, at a middling x1: the rank
	// transform keeps x1 dominant.
	sp := mustSpace(t, mustReal(t, "x1", 0, 1, false), mustReal(t, "x2", 0, 1, false))
	trials := sampleTrials(sp, 60, 5, func(p space.Point, r *rand.Rand) float64 {
		return 10*p[0].(float64) + 0.1*p[1].(float64) + 0.1*r.NormFloat64()
	})
	trials[10].Score = 1e12
	shares := importance(t, sp, trials)
	if shares["x1"] <= 0.9 {
		t.Errorf("x1 share = %.4f, want > 0.9", shares["x1"])
	}
}

func TestImportanceDeterministicAndFiltered(t *testing.T) {
	sp := mustSpace(t, mustReal(t, "x", 0, 1, false), mustCat(t, "c", "a", "b"))
	trials := sampleTrials(sp, 30, 6, func(p space.Point, r *rand.Rand) float64 {
		s := p[0].(float64)
		if p[1] == "b" {
			s += 0.5
		}
		return s
	})
	names := []string{"model.x", "model.c"}
	want, err := Importance(sp, names, trials, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 || want["model.x"] == 0 || want["model.c"] == 0 {
		t.Fatalf("shares = %v, want both model.x and model.c", want)
	}
	// Trials that do not count change nothing: not completed, no point, a
	// point outside the space, a NaN score; and the order of the input
	// does not matter.
	noise := []Trial{
		{Number: 100, Point: space.Point{0.5, "a"}, Status: "failed", Score: 1e9},
		{Number: 101, Point: nil, Status: StatusCompleted, Score: -1e9},
		{Number: 102, Point: space.Point{2.0, "a"}, Status: StatusCompleted, Score: -1e9},
		{Number: 103, Point: space.Point{0.5, "z"}, Status: StatusCompleted, Score: -1e9},
		{Number: 104, Point: space.Point{0.5, "a"}, Status: StatusCompleted, Score: math.NaN()},
		{Number: 105, Point: space.Point{0.5}, Status: StatusCompleted, Score: -1e9},
	}
	mixed := append(slices.Clone(noise), trials...)
	slices.Reverse(mixed)
	got, err := Importance(sp, names, mixed, 11)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("with ignored trials and reversed: %v, want %v", got, want)
	}
	// The same with one goroutine.
	procs := runtime.GOMAXPROCS(1)
	got, err = Importance(sp, names, trials, 11)
	runtime.GOMAXPROCS(procs)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("with GOMAXPROCS 1: %v, want %v", got, want)
	}
	// The errors too, and the failure importance.
	fails := slices.Clone(trials)
	for i := range fails {
		if fails[i].Point[0].(float64) > 0.7 {
			fails[i].Status = "failed"
		}
	}
	full, err := EstimateImportance(sp, names, trials, 11)
	if err != nil {
		t.Fatal(err)
	}
	fail, err := EstimateFailureImportance(sp, names, fails, 11)
	if err != nil {
		t.Fatal(err)
	}
	procs = runtime.GOMAXPROCS(1)
	full1, err1 := EstimateImportance(sp, names, trials, 11)
	fail1, err2 := EstimateFailureImportance(sp, names, fails, 11)
	runtime.GOMAXPROCS(procs)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !maps.Equal(full.Errors, full1.Errors) || !maps.Equal(fail.Shares, fail1.Shares) || !maps.Equal(fail.Errors, fail1.Errors) {
		t.Errorf("with GOMAXPROCS 1: errors %v, failure %v ± %v; want %v, %v ± %v", full1.Errors, fail1.Shares, fail1.Errors, full.Errors, fail.Shares, fail.Errors)
	}
	if other, err := Importance(sp, names, trials, 12); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("seed 11: %v; seed 12: %v", want, other)
	}
}

func TestImportanceErrors(t *testing.T) {
	sp := mustSpace(t, mustReal(t, "x", 0, 1, false), mustReal(t, "y", 0, 1, false))
	few := sampleTrials(sp, 4, 1, func(p space.Point, r *rand.Rand) float64 { return r.Float64() })
	flat := sampleTrials(sp, 20, 1, func(p space.Point, r *rand.Rand) float64 { return 3 })
	ok := sampleTrials(sp, 20, 1, func(p space.Point, r *rand.Rand) float64 { return p[0].(float64) })
	empty := mustSpace(t)
	tests := []struct {
		name   string
		sp     *space.Space
		names  []string
		trials []Trial
		want   []string
	}{
		{"no trials", sp, nil, nil, []string{"at least 5 completed trials with different scores", "has 0"}},
		{"four trials", sp, nil, few, []string{"at least 5 completed trials", "has 4"}},
		{"constant scores", sp, nil, flat, []string{"different scores", "all 20 completed trials scored 3"}},
		{"too few names", sp, []string{"x"}, ok, []string{"1 names for 2 parameters"}},
		{"repeated name", sp, []string{"x", "x"}, ok, []string{`"x" twice`}},
		{"empty space", empty, nil, ok, []string{"at least one parameter"}},
		{"nil space", nil, nil, ok, []string{"at least one parameter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shares, err := Importance(tt.sp, tt.names, tt.trials, 1)
			if err == nil {
				t.Fatalf("got %v, want an error", shares)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
