package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ParallelAxis is one parameter's axis of a parallel-coordinates figure.
type ParallelAxis struct {
	Name string
	// Log puts a numeric axis in log space; its values must be > 0.
	Log bool
	// Categories are a categorical parameter's values, bottom to top, in
	// the order given; nil for a numeric parameter.
	Categories []string
}

// ParallelTrial is one trial of a parallel-coordinates figure.
type ParallelTrial struct {
	// Values holds the trial's value on each axis, in the order of the
	// axes: float64 or int64 (other Go number types are accepted too)
	// on a numeric axis; string, or a bool or number matching a category
	// as in ParamVsScore, on a categorical one.
	Values []any
	// Score is the trial's score; ignored when Failed.
	Score float64
	// Failed marks a trial that failed and has no score: it is drawn as
	// a grey dashed line through the parameter axes.
	Failed bool
}

// parallelLabelRunes is the longest tick label (category name) drawn
// beside a parallel axis, in runes, and parallelNameRunes the longest
// axis name.
const (
	parallelLabelRunes = 14
	parallelNameRunes  = 32
)

// Colours of the parallel-coordinates figure.
var (
	parallelAxisColor = color.Gray{Y: 90}
	failedColor       = color.NRGBA{R: 150, G: 150, B: 150, A: 200}
	labelBackground   = color.NRGBA{R: 255, G: 255, B: 255, A: 200}
)

// Parallel draws a parallel-coordinates figure, titled "<search>:
// parallel coordinates": one vertical axis per parameter, left to right
// in the order of axes (a log axis's name followed by " (log)"), and a
// last axis for the score, labelled LogLabel(metric, log) (its scale as ChooseScale(scale, scores) says; a
// forced log scale with a score <= 0 is an error). Each trial is a
// polyline through its values, coloured by its score on the viridis map:
// yellow for the best score (the highest when maximize, else the lowest),
// dark purple for the worst, as the colour bar on the right shows (it
// writes "best" at the better end). Better trials are drawn over worse
// ones.
//
// A numeric axis spans the values of the trials drawn, in log space when
// its Log is set (a value <= 0 is then an error naming the axis), with a
// few labelled value ticks; a categorical axis puts its categories evenly
// from bottom to top, each labelled (cut to 14 characters; axis names are cut to 32); a value that
// is not one of them is an error, as is an empty (non-nil) Categories.
// Failed trials are drawn under the others as grey dashed lines that end
// at the last parameter axis, and a second title line says so.
//
// A trial with a NaN or ±Inf value, or (not failed) score, is skipped;
// with no trial with a score left Parallel returns an error, as it does
// for no axes or a trial whose Values do not match the axes in number.
// With more than MaxScatterPoints trials, MaxScatterPoints are drawn: the
// best and the worst, and a uniform sample of the others (see thin); the
// second title line says how many of how many. The axes still span every
// trial.
func Parallel(w io.Writer, f Format, search, metric string, maximize bool, axes []ParallelAxis, trials []ParallelTrial, scale Scale) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	what := "parallel coordinates of " + search
	if len(axes) == 0 {
		return fmt.Errorf("plots: %s: no parameter axis", what)
	}
	index := make([]map[string]int, len(axes))
	for j, a := range axes {
		if a.Categories == nil {
			continue
		}
		if len(a.Categories) == 0 {
			return fmt.Errorf("plots: %s: param %q: categorical with no categories", what, a.Name)
		}
		index[j] = make(map[string]int, len(a.Categories))
		for i, c := range a.Categories {
			if _, dup := index[j][c]; !dup {
				index[j][c] = i
			}
		}
	}

	// The trials drawn: their coordinates (a category's index, a numeric
	// value or its logarithm), score and whether they failed.
	type row struct {
		x      []float64
		score  float64
		failed bool
	}
	var rows []row
	ints := make([]bool, len(axes)) // every value of a numeric axis is an integer
	for j := range ints {
		ints[j] = true
	}
	for i, t := range trials {
		if len(t.Values) != len(axes) {
			return fmt.Errorf("plots: %s: trial %d has %d values for %d axes", what, i+1, len(t.Values), len(axes))
		}
		x := make([]float64, len(axes))
		skip := !t.Failed && !finite(t.Score)
		for j, a := range axes {
			v := t.Values[j]
			if a.Categories != nil {
				name, err := categoryName(v)
				if err != nil {
					return fmt.Errorf("plots: %s: param %q: %w", what, a.Name, err)
				}
				k, ok := index[j][name]
				if !ok {
					return fmt.Errorf("plots: %s: param %q: value %q is not one of its categories %q", what, a.Name, name, a.Categories)
				}
				x[j] = float64(k)
				continue
			}
			num, err := numericValue(v)
			if err != nil {
				return fmt.Errorf("plots: %s: param %q: %w", what, a.Name, err)
			}
			if !finite(num) {
				skip = true
				continue
			}
			if a.Log && num <= 0 {
				return fmt.Errorf("plots: %s: param %q: value %v is not > 0, so it cannot be drawn on a log axis", what, a.Name, num)
			}
			switch v.(type) {
			case float64, float32:
				ints[j] = ints[j] && num == math.Trunc(num)
			}
			x[j] = num
		}
		if !skip {
			rows = append(rows, row{x: x, score: t.Score, failed: t.Failed})
		}
	}
	var scores []float64
	for _, r := range rows {
		if !r.failed {
			scores = append(scores, r.score)
		}
	}
	if len(scores) == 0 {
		return fmt.Errorf("plots: %s: %w", what, errNoPoints)
	}
	log, err := scoreScale(what, scores, scale)
	if err != nil {
		return err
	}
	cs := newColorScale(scores, log, maximize)

	// Each axis maps its coordinate to a height in [0, 1].
	m := len(axes)
	pax := make([]parallelAxis, m+1)
	for j, a := range axes {
		if a.Categories != nil {
			pax[j] = parallelAxis{categories: a.Categories}
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range rows {
			lo, hi = math.Min(lo, r.x[j]), math.Max(hi, r.x[j])
		}
		pax[j] = parallelAxis{lo: lo, hi: hi, log: a.Log, ints: ints[j]}
	}
	pax[m] = parallelAxis{lo: cs.lo, hi: cs.hi, log: log}

	// Thin: keep the best and the worst trial.
	best, worst := -1, -1
	for i, r := range rows {
		if r.failed {
			continue
		}
		if best < 0 || cs.goodness(r.score) > cs.goodness(rows[best].score) {
			best = i
		}
		if worst < 0 || cs.goodness(r.score) < cs.goodness(rows[worst].score) {
			worst = i
		}
	}
	shown := thin(len(rows), []int{best, worst})
	pl := &parallelLines{axes: pax}
	nFailed := 0
	for i, r := range rows {
		if shown != nil && !shown[i] {
			continue
		}
		ys := make([]float64, 0, m+1)
		for j := range m {
			ys = append(ys, pax[j].height(r.x[j]))
		}
		if r.failed {
			nFailed++
			pl.failed = append(pl.failed, ys)
			continue
		}
		ys = append(ys, pax[m].height(r.score))
		pl.lines = append(pl.lines, parallelLine{ys: ys, goodness: cs.goodness(r.score), color: color.NRGBAModel.Convert(cs.color(r.score)).(color.NRGBA)})
	}
	// Worse lines first, so the better ones are drawn over them (stable:
	// equal scores keep their input order).
	slices.SortStableFunc(pl.lines, func(a, b parallelLine) int { return cmp.Compare(a.goodness, b.goodness) })
	if len(pl.lines) > 100 {
		for i := range pl.lines {
			pl.lines[i].color.A = 160
		}
	}

	title := search + ": parallel coordinates"
	var notes []string
	if nFailed > 0 {
		notes = append(notes, "failed trials: grey, dashed")
	}
	if shown != nil {
		notes = append(notes, thinnedNote(len(pl.lines)+nFailed, len(rows)))
	}
	if len(notes) > 0 {
		title += "\n" + strings.Join(notes, "; ")
	}
	p := newPlot(title, "", "")
	p.HideY()
	names := make([]string, m+1)
	for j, a := range axes {
		names[j] = a.Name
		if a.Log {
			names[j] += " (log)"
		}
	}
	names[m] = LogLabel(metric, log)
	bar := &colorBar{scale: cs, label: LogLabel(metric, log)}
	left := labelledAxis(p, names, -0.3, float64(m)+0.4, parallelNameRunes, 13*vg.Centimeter-bar.width(), 0)
	p.X.Tick.Length = 0
	p.X.Width = 0
	p.Y.Min, p.Y.Max = -0.03, 1.03
	p.Add(pl)
	return render(w, f, p, layout{left: left, bar: bar})
}

// parallelAxis maps one axis's coordinates to heights in [0, 1] and labels
// it.
type parallelAxis struct {
	categories []string // a categorical axis: index i at (i + 0.5)/k
	lo, hi     float64  // a numeric axis: its range
	log        bool
	ints       bool // label integers only
}

// height returns the height of coordinate x on the axis.
func (a parallelAxis) height(x float64) float64 {
	if a.categories != nil {
		return (x + 0.5) / float64(len(a.categories))
	}
	if a.lo == a.hi {
		return 0.5
	}
	if a.log {
		return math.Log(x/a.lo) / math.Log(a.hi/a.lo)
	}
	return (x - a.lo) / (a.hi - a.lo)
}

// ticks returns the axis's labelled ticks.
func (a parallelAxis) ticks() []plot.Tick {
	if a.categories != nil {
		ts := make([]plot.Tick, len(a.categories))
		for i, c := range a.categories {
			if r := []rune(c); len(r) > parallelLabelRunes {
				c = string(r[:parallelLabelRunes-1]) + "…"
			}
			ts[i] = plot.Tick{Value: float64(i), Label: c}
		}
		return ts
	}
	if a.lo == a.hi {
		return []plot.Tick{{Value: a.lo, Label: formatTick(a.lo)}}
	}
	var all []plot.Tick
	switch {
	case a.log:
		all = logTicks{}.Ticks(a.lo, a.hi)
	case a.ints:
		all = intTicks{}.Ticks(a.lo, a.hi)
	default:
		all = plot.DefaultTicks{}.Ticks(a.lo, a.hi)
	}
	var ts []plot.Tick
	for _, t := range all {
		if t.Label != "" && t.Value >= a.lo && t.Value <= a.hi {
			ts = append(ts, t)
		}
	}
	return ts
}

// parallelLine is one trial's polyline: its heights on each axis.
type parallelLine struct {
	ys       []float64
	goodness float64
	color    color.NRGBA
}

// parallelLines draws the axes, the trials' polylines and the axes'
// value labels of a parallel-coordinates figure.
type parallelLines struct {
	axes   []parallelAxis
	lines  []parallelLine // drawn in order
	failed [][]float64    // heights on the parameter axes
}

// Plot implements plot.Plotter.
func (pl *parallelLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	axisStyle := draw.LineStyle{Color: parallelAxisColor, Width: vg.Points(1)}
	for j := range pl.axes {
		x := trX(float64(j))
		c.StrokeLine2(axisStyle, x, trY(0), x, trY(1))
	}
	poly := func(ys []float64) []vg.Point {
		pts := make([]vg.Point, len(ys))
		for j, y := range ys {
			pts[j] = vg.Point{X: trX(float64(j)), Y: trY(y)}
		}
		return pts
	}
	failedStyle := draw.LineStyle{Color: failedColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	for _, ys := range pl.failed {
		c.StrokeLines(failedStyle, poly(ys))
	}
	for _, l := range pl.lines {
		c.StrokeLines(draw.LineStyle{Color: l.color, Width: vg.Points(1)}, poly(l.ys))
	}
	// Value labels right of each axis, on a translucent white ground.
	st := draw.TextStyle{Color: color.Black, Font: font.From(sansFont, 7), XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	for j, a := range pl.axes {
		x := trX(float64(j))
		for _, t := range a.ticks() {
			y := trY(a.height(t.Value)) // a category's tick value is its index
			c.StrokeLine2(axisStyle, x-vg.Points(2), y, x+vg.Points(2), y)
			at := vg.Point{X: x + vg.Points(3), Y: y}
			r := st.Rectangle(t.Label)
			bg := vg.Rectangle{Min: at.Add(r.Min), Max: at.Add(r.Max)}
			c.SetColor(labelBackground)
			c.Fill(bg.Path())
			c.FillText(st, at, t.Label)
		}
	}
}
