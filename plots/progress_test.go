package plots

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// progressData is the intermediate values of 20 trials of 30 steps: a
// decaying loss, every third trial pruned after a few steps.
func progressData() []ProgressCurve {
	var curves []ProgressCurve
	for i := range 20 {
		c := ProgressCurve{Trial: i, Pruned: i%3 == 1}
		steps := 30
		if c.Pruned {
			steps = 3 + i%5
		}
		for s := 1; s <= steps; s++ {
			v := 0.2 + (1+0.1*float64(i))/float64(s) + 0.01*math.Sin(float64(i*s))
			c.Points = append(c.Points, StepValue{Step: int64(s), Value: v})
		}
		curves = append(curves, c)
	}
	return curves
}

// convergencePrunedData is convergenceData with every fifth trial pruned.
func convergencePrunedData() []ConvergencePoint {
	pts := convergenceData()
	for i := range pts {
		if i%5 == 4 {
			pts[i].Pruned, pts[i].Score, pts[i].BestSoFar = true, pts[i].Score*1.5, 0
		}
	}
	return pts
}

// TestConvergencePruned: pruned trials are markers of their own, off the
// best-so-far line, and within the axes.
func TestConvergencePruned(t *testing.T) {
	pts := []ConvergencePoint{
		{Trial: 0, Score: 3, BestSoFar: 3},
		{Trial: 1, Score: 0.5, Pruned: true}, // better than any, but never the best
		{Trial: 2, Score: 2, BestSoFar: 2},
		{Trial: 3, Score: math.NaN(), Pruned: true},
		{Trial: 4, Score: 9, Pruned: true, BestSoFar: 0.1},
	}
	sr := convergenceSeries(pts)
	want := plotter.XYs{{X: 1, Y: 0.5}, {X: 4, Y: 9}}
	if !slices.Equal(sr.pruned, want) {
		t.Errorf("pruned markers %v, want %v", sr.pruned, want)
	}
	if wantBest := (plotter.XYs{{X: 0, Y: 3}, {X: 2, Y: 2}}); !slices.Equal(sr.best, wantBest) {
		t.Errorf("best-so-far line %v, want %v (through completed trials only)", sr.best, wantBest)
	}
	if len(sr.trials) != 2 || sr.total != 4 {
		t.Errorf("%d trial markers of %d, want 2 of 4", len(sr.trials), sr.total)
	}
	if slices.Min(sr.ys) != 0.5 || slices.Max(sr.ys) != 9 || sr.xhi != 4 {
		t.Errorf("axes do not cover the pruned trials: ys %v, x up to %v", sr.ys, sr.xhi)
	}
	var buf bytes.Buffer
	if err := Convergence(&buf, SVG, "s", "loss", pts, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	if texts := parseSVG(t, buf.Bytes()); !slices.Contains(texts, legendPruned) {
		t.Errorf("no legend entry %q: %q", legendPruned, texts)
	}
	buf.Reset()
	if err := Convergence(&buf, SVG, "s", "loss", convergenceData(), ScaleAuto); err != nil {
		t.Fatal(err)
	}
	if texts := parseSVG(t, buf.Bytes()); slices.Contains(texts, legendPruned) {
		t.Errorf("a legend entry %q without pruned trials", legendPruned)
	}
}

// A progress plot whose values span decades gets a log y axis.
func TestProgressLogAxis(t *testing.T) {
	curves := []ProgressCurve{
		{Trial: 0, Points: []StepValue{{1, 5}, {2, 0.5}, {3, 0.002}}},
		{Trial: 1, Pruned: true, Points: []StepValue{{1, 4}, {2, 3}}},
	}
	var buf bytes.Buffer
	if err := Progress(&buf, SVG, "s", "loss", curves, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	texts := "|" + strings.Join(parseSVG(t, buf.Bytes()), "|") + "|"
	for _, want := range []string{"|0.01|", "|0.1|", "|1|"} {
		if !strings.Contains(texts, want) {
			t.Errorf("log axis label %s missing in %q", want, texts)
		}
	}
}

func TestProgressEdgeCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name    string
		curves  []ProgressCurve
		wantErr string
	}{
		{"none", nil, "no trial with a finite value"},
		{"empty curves", []ProgressCurve{{Trial: 1}, {Trial: 2, Pruned: true}}, "no trial with a finite value"},
		{"all NaN", []ProgressCurve{{Trial: 1, Points: []StepValue{{1, nan}, {2, inf}}}}, "no trial with a finite value"},
		{"one point", []ProgressCurve{{Trial: 1, Points: []StepValue{{1, 0.5}}}}, ""},
		{"one pruned point", []ProgressCurve{{Trial: 1, Pruned: true, Points: []StepValue{{3, 0.5}}}}, ""},
		{"all equal", []ProgressCurve{{Trial: 1, Points: []StepValue{{1, 2}, {2, 2}}}, {Trial: 2, Points: []StepValue{{1, 2}}}}, ""},
		{"negative and zero", []ProgressCurve{{Trial: 1, Points: []StepValue{{0, -1}, {5, 0}, {9, 1e6}}}}, ""},
		{"NaN breaks the line", []ProgressCurve{{Trial: 1, Points: []StepValue{{1, 1}, {2, nan}, {3, 0.5}, {4, -inf}}}}, ""},
		{"only pruned", []ProgressCurve{{Trial: 1, Pruned: true, Points: []StepValue{{1, 1}, {2, 0.9}}}}, ""},
		{"huge steps", []ProgressCurve{{Trial: 1, Points: []StepValue{{math.MinInt32, 1}, {math.MaxInt64 / 2, 2}}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := drawAll(t, func(w io.Writer, f Format) error { return Progress(w, f, "s", "m", tc.curves, ScaleAuto) })
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if err := Progress(io.Discard, "jpg", "s", "m", progressData(), ScaleAuto); err == nil || !strings.Contains(err.Error(), "unsupported format") {
		t.Errorf("bad format: %v", err)
	}
}

func TestCurveSegments(t *testing.T) {
	nan := math.NaN()
	got := curveSegments([]StepValue{{1, nan}, {2, 1}, {3, 2}, {4, nan}, {5, math.Inf(-1)}, {6, 3}})
	want := []plotter.XYs{{{X: 2, Y: 1}, {X: 3, Y: 2}}, {{X: 6, Y: 3}}}
	if len(got) != len(want) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("segments %v, want %v", got, want)
	}
	if idx := curveIndices(5); !slices.Equal(idx, []int{0, 1, 2, 3, 4}) {
		t.Errorf("short curve drawn through %v", idx)
	}
	n := 10_000
	idx := curveIndices(n)
	if len(idx) != MaxCurvePoints || idx[0] != 0 || idx[len(idx)-1] != n-1 || !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != MaxCurvePoints {
		t.Errorf("a curve of %d points drawn through %d indices from %d to %d", n, len(idx), idx[0], idx[len(idx)-1])
	}
}

// TestProgressSample: a figure of many curves draws MaxProgressCurves of
// them, the ones SampleCurves picks, and says so.
func TestProgressSample(t *testing.T) {
	if SampleCurves(MaxProgressCurves) != nil {
		t.Errorf("%d curves sampled", MaxProgressCurves)
	}
	n := MaxProgressCurves + 100
	shown := SampleCurves(n)
	count := 0
	for _, s := range shown {
		if s {
			count++
		}
	}
	if len(shown) != n || count != MaxProgressCurves || !slices.Equal(shown, SampleCurves(n)) {
		t.Fatalf("%d of %d shown, want %d, the same each time", count, len(shown), MaxProgressCurves)
	}
	// Only the curves shown are read: the others come empty, and the
	// figure is the same as with all of them.
	all := make([]ProgressCurve, n)
	sparse := make([]ProgressCurve, n)
	for i := range all {
		all[i] = ProgressCurve{Trial: i, Pruned: i%4 == 0, Points: []StepValue{{1, 1 + float64(i%7)}, {2, 0.5 + float64(i%5)}}}
		sparse[i] = ProgressCurve{Trial: i, Pruned: i%4 == 0}
		if shown[i] {
			sparse[i].Points = all[i].Points
		}
	}
	var a, b bytes.Buffer
	if err := Progress(&a, SVG, "s", "m", all, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	if err := Progress(&b, SVG, "s", "m", sparse, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the figure draws curves SampleCurves did not pick")
	}
	note := fmt.Sprintf("%d of %s trials shown", MaxProgressCurves, group(n))
	if texts := parseSVG(t, a.Bytes()); !slices.Contains(texts, note) {
		t.Errorf("no legend note %q in %q", note, texts)
	}
}

// BenchmarkProgress draws the largest intermediate-values figure: 500
// curves of 400 points drawn, from 100,000 points each.
func BenchmarkProgress(b *testing.B) {
	curves := make([]ProgressCurve, 1000)
	for i := range curves {
		pts := make([]StepValue, 100_000)
		for s := range pts {
			pts[s] = StepValue{Step: int64(s), Value: 1/float64(s+1) + 0.001*float64(i)}
		}
		curves[i] = ProgressCurve{Trial: i, Pruned: i%2 == 0, Points: pts}
	}
	for _, f := range []Format{PNG, SVG} {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if err := Progress(io.Discard, f, "s", "loss", curves, ScaleAuto); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
