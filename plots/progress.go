package plots

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StepValue is one intermediate value of a trial: the value it reported
// for the watched metric at a step.
type StepValue struct {
	Step  int64
	Value float64
}

// ProgressCurve is one trial's intermediate values of a metric.
type ProgressCurve struct {
	Trial  int
	Points []StepValue // by step, ascending
	// Pruned marks a trial the search's pruner stopped: its curve is
	// drawn in the pruned colour and ends with a cross at its last point,
	// the step it was stopped at.
	Pruned bool
}

// MaxProgressCurves is the most curves one intermediate-values figure
// draws; a search with more is drawn from a sample of them (SampleCurves).
const MaxProgressCurves = 500

// MaxCurvePoints is the most vertices one curve is drawn with; a longer
// curve is drawn through MaxCurvePoints of its points, evenly spread over
// its length, its first and last among them. A 16 cm figure shows no more.
const MaxCurvePoints = 400

// Colours of the intermediate-values figure: translucent, so that where
// many curves run together shows.
var (
	curveColor       = color.NRGBA{R: 0, G: 114, B: 178, A: 150}   // blue
	prunedCurveColor = color.NRGBA{R: 204, G: 121, B: 167, A: 190} // reddish purple
)

// Legend entries of the intermediate-values figure.
const (
	legendCompleted = "completed"
	legendPrunedAt  = "pruned (× where stopped)"
)

// SampleCurves returns which of n curves Progress draws (shown[i]), nil
// when it draws them all: at most MaxProgressCurves, a uniform sample
// chosen by a fixed hash of their position in the input, as thin chooses
// markers. A caller that must read each curve from somewhere can read
// only the curves shown, and pass the others to Progress empty.
func SampleCurves(n int) []bool { return thinTo(n, MaxProgressCurves, nil) }

// Progress draws the intermediate values of trials: one line per curve,
// its values by step, titled "<search>: intermediate values", with x label
// "step" and y label metric. Curves of trials that ran to the end are
// blue, those of pruned trials reddish purple and end with a cross where
// the pruner stopped them; the legend says which is which. A NaN or ±Inf
// value breaks a line (the value is skipped).
//
// With more than MaxProgressCurves curves, those SampleCurves picks are
// drawn, and the legend says how many of how many; each curve of more than
// MaxCurvePoints points is drawn through MaxCurvePoints of them. The axes
// cover the curves drawn. The y axis follows scale over their values, as
// in Convergence. A figure without a single finite value is an error.
func Progress(w io.Writer, f Format, search, metric string, curves []ProgressCurve, scale Scale) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	shown := SampleCurves(len(curves))
	p := newPlot(search+": intermediate values", "step", metric)
	var avoid []plotter.XYs
	var ys []float64
	xlo, xhi := math.Inf(1), math.Inf(-1)
	drawn := 0
	// Completed curves first, so that pruned ones are drawn over them.
	groups := [2]lines{{style: curveStyle(curveColor)}, {style: curveStyle(prunedCurveColor)}}
	var ends plotter.XYs
	for i, c := range curves {
		if shown != nil && !shown[i] {
			continue
		}
		segs := curveSegments(c.Points)
		if len(segs) == 0 {
			continue
		}
		drawn++
		for _, seg := range segs {
			for _, xy := range seg {
				ys = append(ys, xy.Y)
				xlo, xhi = math.Min(xlo, xy.X), math.Max(xhi, xy.X)
			}
		}
		avoid = append(avoid, segs...)
		g := &groups[0]
		if c.Pruned {
			g = &groups[1]
			last := segs[len(segs)-1]
			ends = append(ends, last[len(last)-1])
		}
		g.segs = append(g.segs, segs...)
	}
	for i := range groups {
		if len(groups[i].segs) > 0 {
			p.Add(&groups[i])
		}
	}
	if len(groups[0].segs) > 0 {
		p.Legend.Add(legendCompleted, &plotter.Line{LineStyle: groups[0].style})
	}
	if len(ends) > 0 {
		s, err := scatter(ends, kindPruned)
		if err != nil {
			return err
		}
		p.Add(s)
		p.Legend.Add(legendPrunedAt, &plotter.Line{LineStyle: groups[1].style}, s)
	}
	if drawn == 0 {
		return fmt.Errorf("plots: intermediate values of %s: no trial with a finite value", search)
	}
	if shown != nil {
		p.Legend.Add(fmt.Sprintf("%s of %s trials shown", group(drawn), group(len(curves))))
	}
	stepAxis(&p.X, xlo, xhi)
	if _, err := scoreAxis(&p.Y, "intermediate values of "+search, metric, ys, scale); err != nil {
		return err
	}
	return render(w, f, p, layout{avoid: avoid})
}

// curveStyle is the line style of a curve.
func curveStyle(c color.Color) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(1)}
}

// lines is a plotter of many polylines in one style. Unlike one
// plotter.Line per polyline it reports no glyph boxes (one per vertex,
// which gonum/plot gathers and copies for every plotter: 300 MB for a
// figure of 500 curves of 400 points); the axes are set by the caller.
// A polyline of one point is drawn as a dot.
type lines struct {
	segs  []plotter.XYs
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (l *lines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var pts []vg.Point
	dot := draw.GlyphStyle{Color: l.style.Color, Shape: draw.CircleGlyph{}, Radius: l.style.Width}
	for _, seg := range l.segs {
		pts = pts[:0]
		for _, xy := range seg {
			pts = append(pts, vg.Point{X: trX(xy.X), Y: trY(xy.Y)})
		}
		if len(pts) == 1 {
			if c.Contains(pts[0]) {
				c.DrawGlyph(dot, pts[0])
			}
			continue
		}
		c.StrokeLines(l.style, c.ClipLinesXY(pts)...)
	}
}

// curveSegments returns the points of a curve as the polylines drawn:
// at most MaxCurvePoints of them, evenly spread, split where a value is
// NaN or ±Inf.
func curveSegments(pts []StepValue) []plotter.XYs {
	var segs []plotter.XYs
	var cur plotter.XYs
	for _, i := range curveIndices(len(pts)) {
		pt := pts[i]
		if !finite(pt.Value) {
			if len(cur) > 0 {
				segs = append(segs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: float64(pt.Step), Y: pt.Value})
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

// curveIndices returns the indices of the points of a curve of n points
// that are drawn: all of them, or MaxCurvePoints evenly spread from the
// first to the last.
func curveIndices(n int) []int {
	k := min(n, MaxCurvePoints)
	idx := make([]int, k)
	for j := range k {
		if n <= MaxCurvePoints {
			idx[j] = j
		} else {
			idx[j] = int(math.Round(float64(j) * float64(n-1) / float64(k-1)))
		}
	}
	return idx
}
