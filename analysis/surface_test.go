package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// surfaceSpace builds a space of dims, failing the test on an error.
func surfaceSpace(t *testing.T, dims ...func() (space.Dimension, error)) *space.Space {
	t.Helper()
	var ds []space.Dimension
	for _, d := range dims {
		dim, err := d()
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, dim)
	}
	sp, err := space.New(ds...)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func realDim(name string, low, high float64, log bool) func() (space.Dimension, error) {
	return func() (space.Dimension, error) { return space.NewReal(name, low, high, log, 0) }
}

func categorical(name string, values ...space.Value) func() (space.Dimension, error) {
	return func() (space.Dimension, error) { return space.NewCategorical(name, values) }
}

// surfaceTrials draws n points of sp from seed and scores them by f.
func surfaceTrials(sp *space.Space, n int, seed uint64, f func(space.Point) float64) []Trial {
	r := rand.New(rand.NewPCG(seed, 2))
	trials := make([]Trial, n)
	for i := range trials {
		p := sp.Sample(r)
		trials[i] = Trial{Number: i + 1, Point: p, Status: StatusCompleted, Score: f(p)}
	}
	return trials
}

// argmin returns the x value of the lowest cell of row iy.
func argminX(s Surface, iy int) float64 {
	best := 0
	for ix, z := range s.Z[iy] {
		if z < s.Z[iy][best] {
			best = ix
		}
	}
	return s.X.Values[best]
}

// On score = (x − 0.3)² + a small y effect + noise-free nuisance, the
// surface's minimum along x lies near 0.3 in every row, for a linear and
// a log-scaled x; y's small effect shows; the result is deterministic.
func TestPredictSurfaceKnownMinimum(t *testing.T) {
	for _, tc := range []struct {
		name  string
		x     func() (space.Dimension, error)
		score func(x float64) float64
		want  float64
		tol   float64
	}{
		{"linear", realDim("x", 0, 1, false), func(x float64) float64 { return (x - 0.3) * (x - 0.3) }, 0.3, 0.08},
		{"log", realDim("lr", 1e-5, 1e-1, true), func(x float64) float64 { l := math.Log10(x) + 3; return l * l / 16 }, 1e-3, 0}, // tol in decades below
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := surfaceSpace(t, tc.x, realDim("y", 0, 1, false), categorical("noise", "a", "b", "c"))
			trials := surfaceTrials(sp, 40, 7, func(p space.Point) float64 {
				return tc.score(p[0].(float64)) + 0.05*p[1].(float64)
			})
			s, err := PredictSurface(sp, nil, trials, 0, 1, 25, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Z) != 25 || len(s.Z[0]) != 25 || len(s.X.Values) != 25 || len(s.Y.Values) != 25 {
				t.Fatalf("grid %d×%d, axes %d and %d, want 25×25", len(s.Z), len(s.Z[0]), len(s.X.Values), len(s.Y.Values))
			}
			if s.Note != SurfaceNote || s.Usable != 40 || s.Fitted != 40 || len(s.Points) != 40 {
				t.Errorf("note %q, usable %d, fitted %d, %d points", s.Note, s.Usable, s.Fitted, len(s.Points))
			}
			for iy := range s.Z {
				got := argminX(s, iy)
				if tc.name == "log" {
					if d := math.Abs(math.Log10(got / tc.want)); d > 0.5 {
						t.Errorf("row %d: minimum at %g, %g decades from %g", iy, got, d, tc.want)
					}
				} else if math.Abs(got-tc.want) > tc.tol {
					t.Errorf("row %d: minimum at %g, want %g ± %g", iy, got, tc.want, tc.tol)
				}
			}
			// y raises the score: the bottom row is better than the top.
			if lo, hi := s.Z[0][12], s.Z[24][12]; !(lo < hi) {
				t.Errorf("y = 0 predicts %g, y = 1 %g: want lower at y = 0", lo, hi)
			}
			// The prediction stays within the scores observed.
			minS, maxS := math.Inf(1), math.Inf(-1)
			for _, tr := range trials {
				minS, maxS = math.Min(minS, tr.Score), math.Max(maxS, tr.Score)
			}
			for _, row := range s.Z {
				for _, z := range row {
					if z < minS || z > maxS {
						t.Fatalf("prediction %g outside the observed scores [%g, %g]", z, minS, maxS)
					}
				}
			}
			again, err := PredictSurface(sp, nil, trials, 0, 1, 25, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s, again) {
				t.Error("two calls with the same seed differ")
			}
		})
	}
}

// A log-scaled axis is evenly spaced in log space from low to high; a
// categorical has one position per value and its trials' indices.
func TestPredictSurfaceAxes(t *testing.T) {
	sp := surfaceSpace(t, realDim("lr", 1e-4, 1, true), categorical("opt", "adam", "sgd", 0.5))
	trials := surfaceTrials(sp, 12, 3, func(p space.Point) float64 {
		s := -math.Log10(p[0].(float64))
		if p[1] == "sgd" {
			s += 1
		}
		return s
	})
	s, err := PredictSurface(sp, nil, trials, 0, 1, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}
	for i, v := range s.X.Values {
		if math.Abs(math.Log10(v/want[i])) > 1e-12 {
			t.Errorf("x value %d = %g, want %g", i, v, want[i])
		}
	}
	if !s.X.Log || s.X.Categories != nil || s.X.Name != "lr" {
		t.Errorf("x axis %+v", s.X)
	}
	if !reflect.DeepEqual(s.Y.Values, []float64{0, 1, 2}) || !reflect.DeepEqual(s.Y.Categories, []string{"adam", "sgd", "0.5"}) {
		t.Errorf("y axis %+v", s.Y)
	}
	if s.Note != "" {
		t.Errorf("a space of two parameters averages over nothing, but the note says %q", s.Note)
	}
	for i, pt := range s.Points {
		p := trials[i].Point
		if pt.Number != trials[i].Number || pt.X != p[0].(float64) || s.Y.Categories[int(pt.Y)] != fmt.Sprint(p[1]) {
			t.Errorf("point %d = %+v, trial %+v", i, pt, trials[i])
		}
	}
	// sgd is worse: its column predicts higher scores.
	if !(s.Z[1][2] > s.Z[0][2]) { // Z[iy][ix]: y is opt
		t.Errorf("sgd %g not worse than adam %g", s.Z[1][2], s.Z[0][2])
	}
}

func TestPredictSurfaceErrors(t *testing.T) {
	sp := surfaceSpace(t, realDim("x", 0, 1, false), realDim("y", 0, 1, false))
	good := surfaceTrials(sp, 10, 1, func(p space.Point) float64 { return p[0].(float64) })
	one := surfaceSpace(t, realDim("x", 0, 1, false))
	equal := surfaceTrials(sp, 10, 1, func(space.Point) float64 { return 1 })
	for _, tc := range []struct {
		name   string
		sp     *space.Space
		trials []Trial
		x, y   int
		n      int
		want   string
	}{
		{"one parameter", one, good, 0, 0, 10, "at least two parameters"},
		{"same parameter", sp, good, 1, 1, 10, `"y" twice`},
		{"x out of range", sp, good, 2, 0, 10, "parameters 0 to 1"},
		{"y negative", sp, good, 0, -1, 10, "parameters 0 to 1"},
		{"grid too small", sp, good, 0, 1, 1, "between 2 and"},
		{"grid too large", sp, good, 0, 1, MaxSurfaceGrid + 1, "between 2 and"},
		{"too few trials", sp, good[:MinImportanceTrials-1], 0, 1, 10, "at least 5 completed trials"},
		{"equal scores", sp, equal, 0, 1, 10, "all 10 completed trials scored 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PredictSurface(tc.sp, nil, tc.trials, tc.x, tc.y, tc.n, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// The back-map interpolates between the trials' transformed scores and
// clamps beyond them; tied scores share one knot.
func TestBackMap(t *testing.T) {
	m := newBackMap([]float64{-1, 0, 0, 2}, []float64{10, 20, 20, 40})
	for _, tc := range []struct{ z, want float64 }{
		{-5, 10}, {-1, 10}, {-0.5, 15}, {0, 20}, {1, 30}, {2, 40}, {9, 40}, {math.NaN(), 10},
	} {
		if got := m.at(tc.z); got != tc.want {
			t.Errorf("at(%g) = %g, want %g", tc.z, got, tc.want)
		}
	}
}

// BenchmarkPredictSurface measures a 40×40 surface of a search of 200
// trials over six parameters (one GP fit, 40²·SurfaceSamples predictions).
func BenchmarkPredictSurface(b *testing.B) {
	dims := []space.Dimension{}
	for i, mk := range []func() (space.Dimension, error){
		realDim("lr", 1e-5, 1, true), realDim("x", 0, 1, false), realDim("y", 0, 1, false), realDim("z", 0, 1, false),
		categorical("opt", "adam", "sgd", "rmsprop"), func() (space.Dimension, error) { return space.NewInteger("depth", 1, 8, false, 0) },
	} {
		d, err := mk()
		if err != nil {
			b.Fatal(i, err)
		}
		dims = append(dims, d)
	}
	sp, err := space.New(dims...)
	if err != nil {
		b.Fatal(err)
	}
	trials := surfaceTrials(sp, 200, 1, func(p space.Point) float64 {
		l := math.Log10(p[0].(float64)) + 3
		return l*l + p[1].(float64) + float64(p[5].(int64))/8
	})
	b.ResetTimer()
	for b.Loop() {
		if _, err := PredictSurface(sp, nil, trials, 0, 1, 40, 1); err != nil {
			b.Fatal(err)
		}
	}
}
