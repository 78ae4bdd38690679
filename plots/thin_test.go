package plots

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

func TestThin(t *testing.T) {
	if got := thin(MaxScatterPoints, []int{3}); got != nil {
		t.Errorf("%d points thinned", MaxScatterPoints)
	}
	n := 3 * MaxScatterPoints
	keep := []int{n - 1, 7, 7, 12}
	shown := thin(n, keep)
	count := 0
	for _, s := range shown {
		if s {
			count++
		}
	}
	if len(shown) != n || count != MaxScatterPoints {
		t.Fatalf("%d of %d shown, want %d", count, len(shown), MaxScatterPoints)
	}
	for _, i := range keep {
		if !shown[i] {
			t.Errorf("point %d to keep not shown", i)
		}
	}
	if again := thin(n, keep); !slices.Equal(again, shown) {
		t.Error("thinning is not deterministic")
	}
	// Uniform: about a third of each third of the input, whatever its
	// period (every 3rd point is a third of the shown ones too).
	var thirds [3]int
	var mod3 [3]int
	for i, s := range shown {
		if s {
			thirds[3*i/n]++
			mod3[i%3]++
		}
	}
	for k := range 3 {
		for _, c := range []int{thirds[k], mod3[k]} {
			if math.Abs(float64(c)-MaxScatterPoints/3.0) > MaxScatterPoints/10.0 {
				t.Errorf("thirds %v, residues mod 3 %v: want about %d each", thirds, mod3, MaxScatterPoints/3)
			}
		}
	}
	// More points to keep than the cap: the first MaxScatterPoints.
	many := make([]int, n)
	for i := range many {
		many[i] = n - 1 - i
	}
	shown = thin(n, many)
	if !shown[n-1] || !shown[n-MaxScatterPoints] || shown[n-MaxScatterPoints-1] {
		t.Error("with more points to keep than the cap, not the first of them")
	}
}

func TestSteps(t *testing.T) {
	xy := func(pts ...float64) plotter.XYs {
		var out plotter.XYs
		for i := 0; i < len(pts); i += 2 {
			out = append(out, plotter.XY{X: pts[i], Y: pts[i+1]})
		}
		return out
	}
	tests := []struct{ in, want plotter.XYs }{
		{nil, nil},
		{xy(1, 5), xy(1, 5)},
		{xy(1, 5, 2, 5), xy(1, 5, 2, 5)},
		{xy(1, 5, 2, 5, 3, 5, 4, 3, 5, 3, 6, 3, 7, 1), xy(1, 5, 4, 3, 7, 1)},
		{xy(1, 5, 2, 4, 3, 4, 4, 4), xy(1, 5, 2, 4, 4, 4)},
	}
	for _, tt := range tests {
		if got := steps(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("steps(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}

// bigData returns n convergence points and n numeric and categorical
// param points of one search, the first tenth initial design.
func bigData(n int) ([]ConvergencePoint, []ParamPoint, []ParamPoint) {
	r := rand.New(rand.NewPCG(1, 2))
	conv := make([]ConvergencePoint, n)
	num := make([]ParamPoint, n)
	cat := make([]ParamPoint, n)
	best := math.Inf(1)
	for i := range n {
		x := r.Float64()
		s := 1 + 10*(x-0.3)*(x-0.3) + r.Float64()
		best = min(best, s)
		initial := i < n/10
		conv[i] = ConvergencePoint{Trial: i, Score: s, BestSoFar: best, Initial: initial}
		num[i] = ParamPoint{Value: x, Score: s, Initial: initial}
		cat[i] = ParamPoint{Value: []string{"a", "b", "c"}[r.IntN(3)], Score: s, Initial: initial}
	}
	return conv, num, cat
}

// markers counts the trial and initial-design markers of an SVG figure
// (less the legend's thumbnails).
func markers(svg string) int {
	return strings.Count(svg, "fill:#0072B2") + strings.Count(svg, "fill:#E69F00") - 2
}

// TestThinnedFigures draws 4 times MaxScatterPoints points: each figure
// draws MaxScatterPoints markers and says so in its legend.
func TestThinnedFigures(t *testing.T) {
	n := 4 * MaxScatterPoints
	conv, num, cat := bigData(n)
	note := fmt.Sprintf("%s of %s trials shown", group(MaxScatterPoints), group(n))
	for name, draw := range map[string]func(io.Writer) error{
		"convergence": func(w io.Writer) error { return Convergence(w, SVG, "s", "loss", conv, ScaleAuto) },
		"numeric":     func(w io.Writer) error { return ParamVsScore(w, SVG, "s", "x", "loss", false, nil, num, ScaleAuto) },
		"categorical": func(w io.Writer) error {
			return ParamVsScore(w, SVG, "s", "c", "loss", false, []string{"a", "b", "c"}, cat, ScaleAuto)
		},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := draw(&buf); err != nil {
				t.Fatal(err)
			}
			texts := parseSVG(t, buf.Bytes())
			if !slices.Contains(texts, note) {
				t.Errorf("no legend entry %q in %q", note, texts)
			}
			if got := markers(buf.String()); got != MaxScatterPoints {
				t.Errorf("%d markers, want %d", got, MaxScatterPoints)
			}
		})
	}
}

// TestThinnedConvergence: a thinned convergence figure draws every point
// where the best so far improved, and the same best-so-far line.
func TestThinnedConvergence(t *testing.T) {
	conv, _, _ := bigData(4 * MaxScatterPoints)
	sr := convergenceSeries(conv)
	if !sr.thinned || sr.total != len(conv) || len(sr.trials)+len(sr.initial) != MaxScatterPoints {
		t.Fatalf("thinned %v, total %d, %d shown; want true, %d, %d",
			sr.thinned, sr.total, len(sr.trials)+len(sr.initial), len(conv), MaxScatterPoints)
	}
	drawn := map[plotter.XY]bool{}
	for _, xy := range append(slices.Clone(sr.trials), sr.initial...) {
		drawn[xy] = true
	}
	improvements := 0
	for i, c := range conv {
		if i == 0 || c.BestSoFar != conv[i-1].BestSoFar {
			improvements++
			if !drawn[plotter.XY{X: float64(c.Trial), Y: c.Score}] {
				t.Errorf("improvement at trial %d not drawn", c.Trial)
			}
		}
		// The step line's value at this trial: the last vertex at or
		// before it.
		j, _ := slices.BinarySearchFunc(sr.best, float64(c.Trial)+0.5, func(v plotter.XY, x float64) int {
			return cmp.Compare(v.X, x)
		})
		if j == 0 || sr.best[j-1].Y != c.BestSoFar {
			t.Fatalf("line at trial %d is not the best so far %v", c.Trial, c.BestSoFar)
		}
	}
	if last := sr.best[len(sr.best)-1]; last.X != float64(conv[len(conv)-1].Trial) {
		t.Errorf("line ends at %v, want the last trial", last.X)
	}
	if improvements < 5 || len(sr.best) > improvements+1 {
		t.Errorf("%d improvements, %d line vertices", improvements, len(sr.best))
	}
	if sr.xlo != 0 || sr.xhi != float64(len(conv)-1) {
		t.Errorf("x range [%v, %v], want every trial's", sr.xlo, sr.xhi)
	}
}

// BenchmarkFigures draws figures of 1,000 to 100,000 trials.
func BenchmarkFigures(b *testing.B) {
	for _, n := range []int{1000, 10_000, 100_000} {
		conv, num, cat := bigData(n)
		for _, f := range []Format{PNG, SVG} {
			for _, fig := range []struct {
				name string
				draw func(io.Writer) error
			}{
				{"convergence", func(w io.Writer) error { return Convergence(w, f, "s", "loss", conv, ScaleAuto) }},
				{"numeric", func(w io.Writer) error { return ParamVsScore(w, f, "s", "x", "loss", false, nil, num, ScaleAuto) }},
				{"categorical", func(w io.Writer) error {
					return ParamVsScore(w, f, "s", "c", "loss", false, []string{"a", "b", "c"}, cat, ScaleAuto)
				}},
			} {
				name, draw := fig.name, fig.draw
				b.Run(fmt.Sprintf("%s/%s/trials=%d", name, f, n), func(b *testing.B) {
					for b.Loop() {
						if err := draw(io.Discard); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
