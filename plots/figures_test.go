package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

func parallelData() ([]ParallelAxis, []ParallelTrial) {
	axes := []ParallelAxis{
		{Name: "model.learning_rate", Log: true},
		{Name: "model.depth"},
		{Name: "optimizer", Categories: []string{"adam", "sgd", "rmsprop"}},
		{Name: "model.dropout"},
	}
	var trials []ParallelTrial
	for i := range 40 {
		lr := math.Pow(10, -5+4*float64((i*7)%40)/39)
		depth := int64(2 + (i*3)%7)
		opt := axes[2].Categories[i%3]
		drop := float64((i*11)%10) / 20
		s := 0.05 + 0.1*math.Pow(math.Log10(lr)+3, 2) + 0.03*float64(i%3) + 0.01*float64(depth) + 0.05*drop
		trials = append(trials, ParallelTrial{Values: []any{lr, depth, opt, drop}, Score: s, Failed: i%13 == 5})
	}
	return axes, trials
}

// surfaceData is a surface over a log-scaled learning rate and a depth,
// with a minimum near lr = 1e-3, and trials on it.
func surfaceData() (Surface, []SurfacePoint) {
	f := func(lr, depth float64) float64 {
		return 0.05 + 0.08*math.Pow(math.Log10(lr)+3, 2) + 0.01*math.Abs(depth-5)
	}
	s := Surface{
		X:        SurfaceAxis{Name: "model.learning_rate", Log: true},
		Y:        SurfaceAxis{Name: "model.depth"},
		Subtitle: "other parameters averaged over the space",
	}
	const n = 30
	for i := range n {
		s.X.Values = append(s.X.Values, math.Pow(10, -5+4*float64(i)/(n-1)))
		s.Y.Values = append(s.Y.Values, 2+6*float64(i)/(n-1))
	}
	s.Z = make([][]float64, n)
	for iy, d := range s.Y.Values {
		for _, lr := range s.X.Values {
			s.Z[iy] = append(s.Z[iy], f(lr, d))
		}
	}
	var pts []SurfacePoint
	for i := range 25 {
		lr := math.Pow(10, -5+4*float64((i*7)%25)/24)
		d := float64(2 + (i*3)%7)
		pts = append(pts, SurfacePoint{X: lr, Y: d, Score: f(lr, d) + 0.02*math.Sin(float64(i))})
	}
	return s, pts
}

// categoricalSurfaceData is a surface over an optimizer (x) and a dropout
// rate (y).
func categoricalSurfaceData() (Surface, []SurfacePoint) {
	s := Surface{
		X: SurfaceAxis{Name: "optimizer", Categories: []string{"adam", "sgd", "rmsprop"}},
		Y: SurfaceAxis{Name: "model.dropout"},
	}
	const n = 20
	for i := range n {
		s.Y.Values = append(s.Y.Values, 0.5*float64(i)/(n-1))
	}
	f := func(opt int, drop float64) float64 { return 0.9 - 0.05*float64(opt) - 0.2*math.Pow(drop-0.2, 2) }
	s.Z = make([][]float64, n)
	for iy, d := range s.Y.Values {
		for opt := range 3 {
			s.Z[iy] = append(s.Z[iy], f(opt, d))
		}
	}
	var pts []SurfacePoint
	for i := range 15 {
		d := 0.5 * float64((i*7)%15) / 14
		pts = append(pts, SurfacePoint{X: float64(i % 3), Y: d, Score: f(i%3, d) + 0.01*math.Cos(float64(i))})
	}
	return s, pts
}

// compareData is the best so far of a grid, a random and a Bayesian
// search on one task.
func compareData() []CompareSeries {
	var out []CompareSeries
	for k, name := range []string{"search.grid", "search.random", "search.bayes"} {
		s := CompareSeries{Name: name}
		best := math.Inf(1)
		elapsed := 0.0
		for i := range 30 - 5*k {
			v := 0.08 + 1/float64(i+2+4*k*i/10) + 0.02*math.Abs(math.Sin(float64(i*(k+1))))
			best = math.Min(best, v)
			elapsed += 40 + 30*float64(k) + 5*math.Sin(float64(i))
			s.Points = append(s.Points, ComparePoint{Trial: i + 1, Elapsed: elapsed, BestSoFar: best})
		}
		out = append(out, s)
	}
	return out
}

// svgLines returns the height of the last vertex and the stroke colour of each solid
// polyline of n vertices in an SVG of gonum/plot, but grey ones.
func svgLines(t *testing.T, svg []byte, n int) (colors []string, lasts []float64) {
	t.Helper()
	for _, line := range strings.Split(string(svg), "\n") {
		if !strings.HasPrefix(line, `<path d="M`) || strings.Contains(line, "dasharray") || strings.Count(line, "L") != n-1 {
			continue
		}
		i := strings.Index(line, "stroke:#")
		if i < 0 || strings.Contains(line, "fill:#") {
			continue
		}
		c := line[i+len("stroke:#") : i+len("stroke:#")+6]
		if c[0:2] == c[2:4] && c[2:4] == c[4:6] {
			continue // grey: an axis, a tick or an outline
		}
		d := line[len(`<path d="M`):strings.Index(line, `"`+" style")]
		pts := strings.Split(d, "L")
		var x, y float64
		if _, err := fmt.Sscanf(pts[len(pts)-1], "%g,%g", &x, &y); err != nil {
			t.Fatalf("vertex %q: %v", pts[len(pts)-1], err)
		}
		colors = append(colors, c)
		lasts = append(lasts, y) // paths are drawn in a flipped group: y up
	}
	return colors, lasts
}

// The best trial is yellow, drawn last, and at the better end of the
// score axis: the bottom when minimizing, the top when maximizing.
func TestParallelBestOnTop(t *testing.T) {
	axes, trials := parallelData()
	for _, maximize := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Parallel(&buf, SVG, "s", "m", maximize, axes, trials, ScaleLinear); err != nil {
			t.Fatal(err)
		}
		colors, lasts := svgLines(t, buf.Bytes(), len(axes)+1)
		completed := 0
		for _, tr := range trials {
			if !tr.Failed {
				completed++
			}
		}
		if len(colors) != completed {
			t.Fatalf("maximize=%v: %d score lines, want %d", maximize, len(colors), completed)
		}
		last := len(colors) - 1
		if colors[last] != "FDE725" {
			t.Errorf("maximize=%v: last line %s, want the best colour FDE725", maximize, colors[last])
		}
		if colors[0] != "440154" {
			t.Errorf("maximize=%v: first line %s, want the worst colour 440154", maximize, colors[0])
		}
		for _, y := range lasts {
			if maximize && y > lasts[last] || !maximize && y < lasts[last] {
				t.Fatalf("maximize=%v: the best line ends at height %g, another at %g", maximize, lasts[last], y)
			}
		}
		if got := strings.Count(buf.String(), "dasharray"); got != len(trials)-completed {
			t.Errorf("maximize=%v: %d dashed lines, want %d failed trials", maximize, got, len(trials)-completed)
		}
	}
}

// More than MaxScatterPoints trials are thinned to MaxScatterPoints lines,
// keeping the best; the title says so.
func TestParallelThinned(t *testing.T) {
	axes := []ParallelAxis{{Name: "x"}}
	var trials []ParallelTrial
	n := MaxScatterPoints + 700
	for i := range n {
		x := float64((i * 37) % 1000)
		trials = append(trials, ParallelTrial{Values: []any{x}, Score: 1 + math.Abs(x-500) + float64(i)/1e6})
	}
	// The best is a trial the uniform sample leaves out: thinning must
	// keep it all the same.
	sample := thin(n, nil)
	out := slices.Index(sample, false)
	trials[out].Score = 0.5
	var buf bytes.Buffer
	if err := Parallel(&buf, SVG, "s", "m", false, axes, trials, ScaleLinear); err != nil {
		t.Fatal(err)
	}
	texts := parseSVG(t, buf.Bytes())
	if want := thinnedNote(MaxScatterPoints, n); !slices.Contains(texts, want) {
		t.Errorf("no %q in %q", want, texts)
	}
	colors, lasts := svgLines(t, buf.Bytes(), 2)
	if len(colors) != MaxScatterPoints {
		t.Errorf("%d lines drawn, want %d", len(colors), MaxScatterPoints)
	}
	// The best (lowest) score ends lowest on the score axis, and is
	// drawn last.
	last := len(lasts) - 1
	for i, y := range lasts[:last] {
		if y <= lasts[last] {
			t.Fatalf("line %d ends at %g, not above the last line (%g): the best trial is not drawn last", i, y, lasts[last])
		}
	}
}

// The colour bar writes "best" at its top when maximizing, at its bottom
// when minimizing.
func TestColorBarBestEnd(t *testing.T) {
	s, pts := surfaceData()
	height := map[bool]float64{}
	for _, maximize := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Contour(&buf, SVG, "s", "m", maximize, s, pts, ScaleAuto); err != nil {
			t.Fatal(err)
		}
		svg := buf.String()
		i := strings.Index(svg, ">best</text>")
		if i < 0 {
			t.Fatalf("maximize=%v: no best mark", maximize)
		}
		start := strings.LastIndex(svg[:i], "<text ")
		var x, y float64
		if _, err := fmt.Sscanf(svg[start:], `<text x="%g" y="%g"`, &x, &y); err != nil {
			t.Fatal(err)
		}
		height[maximize] = -y
	}
	if height[true]-height[false] < 100 {
		t.Errorf("best mark at %g pt when maximizing, %g when minimizing: want the top and the bottom of the bar", height[true], height[false])
	}
}

// Compare's time axis is in s, min or h by the longest time.
func TestCompareTimeUnits(t *testing.T) {
	for _, tc := range []struct {
		longest float64
		unit    string
	}{{100, "s"}, {179, "s"}, {180, "min"}, {3*3600 - 1, "min"}, {3 * 3600, "h"}, {50 * 3600, "h"}} {
		series := []CompareSeries{{Name: "a", Points: []ComparePoint{{1, tc.longest / 2, 2}, {2, tc.longest, 1}}}}
		var buf bytes.Buffer
		if err := Compare(&buf, SVG, "m", series, true, ScaleAuto); err != nil {
			t.Fatal(err)
		}
		want := "time since the first trial started (" + tc.unit + ")"
		if texts := parseSVG(t, buf.Bytes()); !slices.Contains(texts, want) {
			t.Errorf("longest %g s: no %q in %q", tc.longest, want, texts)
		}
	}
}

// The colour map runs from dark purple to yellow, and the colour scale
// gives the best end yellow in both modes, in log space when asked.
func TestColorScale(t *testing.T) {
	if viridis(0) != viridisStops[0] || viridis(1) != viridisStops[8] || viridis(-1) != viridisStops[0] || viridis(math.NaN()) != viridisStops[0] {
		t.Error("viridis ends wrong")
	}
	if got := viridis(0.0625); got != (color.RGBA{70, 21, 102, 255}) {
		t.Errorf("viridis(1/16) = %v, want the stops' midpoint", got)
	}
	min := newColorScale([]float64{0.01, 1}, true, false)
	if min.color(0.01) != viridisStops[8] || min.color(1) != viridisStops[0] {
		t.Error("minimizing: the lowest score is not yellow")
	}
	if got := min.pos(0.1); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("log scale: 0.1 at %g of [0.01, 1], want 0.5", got)
	}
	max := newColorScale([]float64{0, 10}, false, true)
	if max.color(10) != viridisStops[8] || max.pos(2.5) != 0.25 {
		t.Error("maximizing: the highest score is not yellow")
	}
	if one := newColorScale([]float64{3}, false, false); one.pos(3) != 0.5 || len(one.ticks()) != 1 {
		t.Error("a single value is not in the middle with one tick")
	}
}

// The colour bar is as high as the data area, which the heatmap fills,
// also with log axes (whose labels gonum/plot would misplace).
func TestColorBarHeight(t *testing.T) {
	s, pts := surfaceData()
	s.X, s.Y = s.Y, s.X // log y axis
	for i := range pts {
		pts[i].X, pts[i].Y = pts[i].Y, pts[i].X
	}
	for iy := range s.Z {
		for ix := iy + 1; ix < len(s.Z); ix++ {
			s.Z[iy][ix], s.Z[ix][iy] = s.Z[ix][iy], s.Z[iy][ix]
		}
	}
	for _, scale := range []Scale{ScaleLinear, ScaleLog} {
		var buf bytes.Buffer
		if err := Contour(&buf, SVG, "s", "m", false, s, pts, scale); err != nil {
			t.Fatal(err)
		}
		type box struct{ y, h float64 }
		var boxes []box
		for _, line := range strings.Split(buf.String(), "\n") {
			if !strings.HasPrefix(line, "<image ") {
				continue
			}
			var x, y, w, h float64
			if _, err := fmt.Sscanf(line, `<image preserveAspectRatio="none" x="%g" y="%g" width="%g" height="%g"`, &x, &y, &w, &h); err != nil {
				t.Fatal(err)
			}
			boxes = append(boxes, box{y, h})
		}
		if len(boxes) != 2 {
			t.Fatalf("scale %d: %d images, want the heatmap and the colour strip", scale, len(boxes))
		}
		if math.Abs(boxes[0].y-boxes[1].y) > 0.01 || math.Abs(boxes[0].h-boxes[1].h) > 0.01 {
			t.Errorf("scale %d: heatmap %+v and colour strip %+v differ in height", scale, boxes[0], boxes[1])
		}
	}
}

// A log axis's long label does not squeeze the data area (gonum/plot
// places its glyph box at the arithmetic middle of the range), and it is
// drawn, centred, all the same.
func TestLogAxisLabel(t *testing.T) {
	const xl, yl = "a rather long x label (log scale)", "another long y label (log scale)"
	size := func(xLabel, yLabel string, hold bool) vg.Point {
		p := newPlot("t", xLabel, yLabel)
		axisRange(&p.X, 1e-5, 0.1, true)
		axisRange(&p.Y, 1e-3, 10, true)
		dc := draw.New(vgsvg.New(width, height))
		restore := func(draw.Canvas) {}
		if hold {
			restore = holdLogLabels(p)
		}
		r := p.DataCanvas(dc).Rectangle
		restore(dc)
		if p.X.Label.Text != xLabel || p.Y.Label.Text != yLabel {
			t.Errorf("labels not restored: %q, %q", p.X.Label.Text, p.Y.Label.Text)
		}
		return r.Size()
	}
	short := size("x", "y", false) // a label too short to squeeze anything
	held := size(xl, yl, true)
	raw := size(xl, yl, false)
	if math.Abs(float64(held.X-short.X)) > 0.5 || math.Abs(float64(held.Y-short.Y)) > 0.5 {
		t.Errorf("data area %v with long log labels, %v with short ones: the labels squeeze it", held, short)
	}
	if held.X-raw.X < 10 && held.Y-raw.Y < 10 {
		t.Errorf("data area %v held, %v not: gonum/plot no longer squeezes it; holdLogLabels may go", held, raw)
	}
	var buf bytes.Buffer
	if err := ParamVsScore(&buf, SVG, "s", "lr", "m", true, nil, numericParamData(), ScaleLog); err != nil {
		t.Fatal(err)
	}
	texts := parseSVG(t, buf.Bytes())
	for _, want := range []string{"lr (log scale)", "m (log scale)"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no %q in %q", want, texts)
		}
	}
}

// TestSVGImagesStretch checks that the raster images of the contour (the
// heatmap and the colour bar) are labelled PNG and stretch to their boxes
// in a browser.
func TestSVGImagesStretch(t *testing.T) {
	for _, name := range []string{"contour.svg", "contour-categorical.svg"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		images := bytes.Count(b, []byte("<image "))
		if images == 0 {
			t.Fatalf("%s: no image", name)
		}
		if n := bytes.Count(b, []byte(`<image preserveAspectRatio="none" `)); n != images {
			t.Errorf("%s: %d of %d images stretch to their boxes", name, n, images)
		}
		if bytes.Contains(b, []byte("data:image/jpg")) {
			t.Errorf("%s: PNG data labelled image/jpg", name)
		}
	}
}
