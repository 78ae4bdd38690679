package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/frameworm/frameworm/atomicfile"
)

// Format is the file format of a figure: "png" or "svg" (lower case).
type Format string

// The supported formats.
const (
	PNG Format = "png"
	SVG Format = "svg"
)

// Size of every figure.
const (
	// WidthCm and HeightCm are the size of every figure in centimetres.
	WidthCm, HeightCm = 16, 10
	// DPI is the resolution of PNG images in dots per inch.
	DPI = 150
	// PNGWidth and PNGHeight are the pixel size of PNG images:
	// 16 cm and 10 cm at DPI dots per inch, rounded to the nearest pixel.
	PNGWidth, PNGHeight = 945, 591
)

const (
	width  = WidthCm * vg.Centimeter
	height = HeightCm * vg.Centimeter
)

// Colours (Okabe–Ito, distinguishable with colour-blindness) and markers.
var (
	trialColor   = color.RGBA{R: 0, G: 114, B: 178, A: 255}   // blue
	initialColor = color.RGBA{R: 230, G: 159, B: 0, A: 255}   // orange
	bestColor    = color.RGBA{R: 213, G: 94, B: 0, A: 255}    // vermilion
	prunedColor  = color.RGBA{R: 204, G: 121, B: 167, A: 255} // reddish purple
	barColor     = trialColor
)

const markerRadius = 2.5 // points

var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Legend entries.
const (
	legendTrials  = "trial"
	legendInitial = "initial design"
	legendBest    = "best so far"
	legendPruned  = "pruned"
)

// Scale chooses a score axis's scale.
type Scale int

const (
	// ScaleAuto makes the axis logarithmic when UseLogScale says so.
	ScaleAuto Scale = iota
	// ScaleLinear forces a linear axis.
	ScaleLinear
	// ScaleLog forces a logarithmic axis.
	ScaleLog
)

// ChooseScale reports whether a score axis showing scores is
// logarithmic under s. A forced log scale with a score <= 0 is not
// checked here: the drawing functions return an error for it.
func ChooseScale(s Scale, scores []float64) bool {
	switch s {
	case ScaleLinear:
		return false
	case ScaleLog:
		return true
	}
	return UseLogScale(scores)
}

// UseLogScale reports whether a score axis showing scores is logarithmic
// under ScaleAuto. NaN and ±Inf are ignored, as the figures skip them; with
// a finite score <= 0, or none, it is false. Otherwise it is true when
//
//   - the scores span more than two decades (the largest is more than 100
//     times the smallest), or
//   - the largest score is a far outlier and a log axis shows the bulk of
//     the scores better: it is above Q3 + OutlierIQRs·IQR (Tukey's "far
//     out" fence, Q1 and Q3 the quartiles, IQR = Q3 − Q1, quartiles
//     interpolated linearly between the sorted scores), which leaves the
//     middle half of the scores less than a quarter of a linear axis's
//     height, and a log axis gives that middle half at least twice the
//     height a linear one does: ln(Q3/Q1)/ln(max/min) >=
//     2·(Q3−Q1)/(max−min).
//
// The second rule draws one diverged trial (a loss of 1.49 beside many of
// about 0.05) on a log axis, where the others stay apart; a plain spread
// such as 0.2 … 0.9, or a low outlier (an accuracy of 0.1 beside many of
// 0.95, which a log axis would squeeze further), stays linear.
func UseLogScale(scores []float64) bool {
	var ys []float64
	for _, s := range scores {
		if !finite(s) {
			continue
		}
		if s <= 0 {
			return false
		}
		ys = append(ys, s)
	}
	if len(ys) == 0 {
		return false
	}
	slices.Sort(ys)
	lo, hi := ys[0], ys[len(ys)-1]
	if hi/lo > 100 {
		return true
	}
	q1, q3 := quantile(ys, 0.25), quantile(ys, 0.75)
	iqr := q3 - q1
	if !(hi > q3+OutlierIQRs*iqr) || !(hi > lo) {
		return false
	}
	logShare := math.Log(q3/q1) / math.Log(hi/lo)
	linShare := iqr / (hi - lo)
	return logShare >= 2*linShare && logShare > 0
}

// OutlierIQRs is how many interquartile ranges above the third quartile a
// score must be to count as a far outlier for UseLogScale (Tukey's 3).
const OutlierIQRs = 3

// quantile returns the q-quantile of sorted (not empty), interpolating
// linearly between order statistics (R's type 7, numpy's default).
func quantile(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// LogLabel is the label of a score axis: metric, followed by " (log
// scale)" when the axis is logarithmic.
func LogLabel(metric string, log bool) string {
	if log {
		return metric + " (log scale)"
	}
	return metric
}

// scoreAxis makes a the score axis of ys (finite values, not empty):
// labelled LogLabel(metric, log), its range padded as axisRange does,
// logarithmic as ChooseScale(scale, ys) says. With ScaleLog and a score
// <= 0 it returns an error; what names the figure.
func scoreAxis(a *plot.Axis, what, metric string, ys []float64, scale Scale) (log bool, err error) {
	log, err = scoreScale(what, ys, scale)
	if err != nil {
		return false, err
	}
	a.Label.Text = LogLabel(metric, log)
	axisRange(a, slices.Min(ys), slices.Max(ys), log)
	return log, nil
}

// scoreScale is ChooseScale(scale, ys), with an error when a log scale is
// forced on a score <= 0.
func scoreScale(what string, ys []float64, scale Scale) (bool, error) {
	log := ChooseScale(scale, ys)
	if log {
		for _, y := range ys {
			if y <= 0 {
				return false, fmt.Errorf("plots: %s: a score of %g cannot be drawn on a log scale, which needs every score > 0; use a linear scale (-yscale=linear)", what, y)
			}
		}
	}
	return log, nil
}

// WriteFile writes the figure drawn by draw to path, atomically and durably
// (atomicfile.Write, mode 0644 for a new file): draw writes into a buffer,
// and path is replaced only if draw returns nil.
func WriteFile(path string, draw func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := draw(&buf); err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func checkFormat(f Format) error {
	switch f {
	case PNG, SVG:
		return nil
	}
	return fmt.Errorf("plots: unsupported format %q (want %q or %q)", string(f), PNG, SVG)
}

// newPlot returns a plot with the package's fonts, title and axis labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, 12)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 11)
		a.Tick.Label.Font = font.From(sansFont, 9)
	}
	p.Legend.TextStyle.Font = font.From(sansFont, 9)
	p.Legend.Top = true
	p.Legend.ThumbnailWidth = vg.Points(16)
	return p
}

// margin is the blank border around every figure.
const margin = 0.25 * vg.Centimeter

// layout holds what render needs beyond the plot.
type layout struct {
	// avoid, when not empty, sends the legend to the corner of the data
	// area that covers the fewest of its points and lines (data
	// coordinates; a one-point polyline is a point), preferring top
	// right, top left, bottom right, bottom left.
	avoid []plotter.XYs
	// left is room added to the left margin, for rotated x tick labels
	// that reach left of the y axis.
	left vg.Length
	// bar, when not nil, is a colour bar drawn right of the plot, as high
	// as its data area.
	bar *colorBar
}

// render draws p in format f and writes it to w. A panic inside
// gonum/plot is returned as an error.
func render(w io.Writer, f Format, p *plot.Plot, lay layout) (err error) {
	if err := checkFormat(f); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing %q: %v", p.Title.Text, r)
		}
	}()
	var c vg.CanvasWriterTo
	switch f {
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))}
	case SVG:
		c = vgsvg.New(width, height)
	}
	dc := draw.New(c)
	if p.BackgroundColor != nil { // fill the margin too
		dc.SetColor(p.BackgroundColor)
		dc.Fill(dc.Rectangle.Path())
	}
	dc = draw.Crop(dc, margin+lay.left, -margin, margin, -margin)
	var barRoom draw.Canvas
	if lay.bar != nil {
		w := lay.bar.width()
		barRoom = draw.Crop(dc, dc.Size().X-w, 0, 0, 0)
		dc = draw.Crop(dc, 0, -w, 0, 0)
	}
	if len(lay.avoid) > 0 {
		placeLegend(p, dc, lay.avoid)
	}
	drawLabels := holdLogLabels(p)
	p.Draw(dc)
	if lay.bar != nil {
		// Before drawLabels restores the labels, which would change the
		// data area DataCanvas returns.
		lay.bar.draw(barRoom, p.DataCanvas(dc).Rectangle)
	}
	drawLabels(dc)
	if f == SVG {
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return err
		}
		_, err = w.Write(fixSVGImages(buf.Bytes()))
		return err
	}
	_, err = c.WriteTo(w)
	return err
}

// holdLogLabels works around gonum/plot placing the glyph box of a log
// axis's label at the arithmetic middle of the range, which then squeezes
// the data area to keep that box inside the figure: it replaces the label
// of each log axis by a blank of the same height, and returns the
// function that draws the labels where gonum/plot would have (the middle
// of the data area) after p.Draw(dc), restoring them.
func holdLogLabels(p *plot.Plot) func(dc draw.Canvas) {
	held := func(a *plot.Axis) string {
		if _, log := a.Scale.(plot.LogScale); !log || a.Label.Text == "" || a.Label.Position != draw.PosCenter {
			return ""
		}
		text := a.Label.Text
		a.Label.Text = strings.Repeat(" \n", strings.Count(text, "\n")) + " "
		return text
	}
	xText, yText := held(&p.X), held(&p.Y)
	return func(dc draw.Canvas) {
		if xText == "" && yText == "" {
			return
		}
		data := p.DataCanvas(dc)
		if xText != "" {
			p.X.Label.Text = xText
			sty := p.X.Label.TextStyle
			dc.FillText(sty, vg.Point{X: data.Center().X, Y: dc.Min.Y + sty.FontExtents().Descent}, xText)
		}
		if yText != "" {
			p.Y.Label.Text = yText
			sty := p.Y.Label.TextStyle
			x := dc.Min.X + sty.Height(yText) - sty.FontExtents().Descent
			sty.Rotation += math.Pi / 2
			dc.FillText(sty, vg.Point{X: x, Y: data.Center().Y}, yText)
		}
	}
}

// placeLegend sets p.Legend.Top and Left to the corner covering the fewest
// of avoid's points, and of samples every 3 pt along avoid's polylines.
func placeLegend(p *plot.Plot, dc draw.Canvas, avoid []plotter.XYs) {
	data := p.DataCanvas(dc)
	size := p.Legend.Rectangle(data).Size()
	// p.Draw gives the legend the data area plus the padding it keeps for
	// the markers; add that padding, then the marker radius and 6 pt of
	// clearance, so that a point whose marker would touch the legend
	// counts.
	area := data.Rectangle
	grow := vg.Points(2*markerRadius + 1)

	tx, ty := p.Transforms(&data)
	var pts []vg.Point
	for _, line := range avoid {
		var prev vg.Point
		for i, xy := range line {
			pt := vg.Point{X: tx(xy.X), Y: ty(xy.Y)}
			if i > 0 {
				d := pt.Sub(prev)
				n := int(math.Hypot(float64(d.X), float64(d.Y)) / 3)
				for k := 1; k < n; k++ {
					pts = append(pts, prev.Add(d.Scale(vg.Length(k)/vg.Length(n))))
				}
			}
			pts = append(pts, pt)
			prev = pt
		}
	}

	corners := []struct{ top, left bool }{{true, false}, {true, true}, {false, false}, {false, true}}
	best, bestN := 0, math.MaxInt
	for i, cr := range corners {
		var box vg.Rectangle
		if cr.left {
			box.Min.X, box.Max.X = area.Min.X-grow, area.Min.X+size.X
		} else {
			box.Min.X, box.Max.X = area.Max.X-size.X, area.Max.X+grow
		}
		if cr.top {
			box.Min.Y, box.Max.Y = area.Max.Y-size.Y, area.Max.Y+grow
		} else {
			box.Min.Y, box.Max.Y = area.Min.Y-grow, area.Min.Y+size.Y
		}
		r := vg.Points(markerRadius + 6) // marker radius and some clearance
		n := 0
		for _, pt := range pts {
			if pt.X >= box.Min.X-r && pt.X <= box.Max.X+r && pt.Y >= box.Min.Y-r && pt.Y <= box.Max.Y+r {
				n++
			}
		}
		if n < bestN {
			best, bestN = i, n
		}
	}
	p.Legend.Top, p.Legend.Left = corners[best].top, corners[best].left
}

// The kinds of trial markers.
const (
	kindTrial = iota
	kindInitial
	kindPruned
)

// scatter returns a scatter plotter of xys with the style of a kind of
// trial: blue circles for trials, orange triangles for initial-design
// points, reddish-purple crosses for pruned trials.
func scatter(xys plotter.XYs, kind int) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = glyph(kind)
	return s, nil
}

// glyph is the marker style of a kind of trial.
func glyph(kind int) draw.GlyphStyle {
	switch kind {
	case kindInitial:
		return draw.GlyphStyle{Color: initialColor, Shape: draw.PyramidGlyph{}, Radius: vg.Points(markerRadius + 0.5)}
	case kindPruned:
		return draw.GlyphStyle{Color: prunedColor, Shape: draw.CrossGlyph{}, Radius: vg.Points(markerRadius + 1)}
	}
	return draw.GlyphStyle{Color: trialColor, Shape: draw.CircleGlyph{}, Radius: vg.Points(markerRadius)}
}

// addScatters adds the trial, initial-design and pruned scatters with
// their legend entries; an empty set is left out.
func addScatters(p *plot.Plot, trials, initial, pruned plotter.XYs) error {
	for _, set := range []struct {
		xys  plotter.XYs
		kind int
		name string
	}{{initial, kindInitial, legendInitial}, {trials, kindTrial, legendTrials}, {pruned, kindPruned, legendPruned}} {
		if len(set.xys) == 0 {
			continue
		}
		s, err := scatter(set.xys, set.kind)
		if err != nil {
			return err
		}
		p.Add(s)
		p.Legend.Add(set.name, s)
	}
	return nil
}

// axisRange sets a's range to [lo, hi] with a margin of 5% of the range
// (or of the value, when all values are equal) on either side, and makes
// it logarithmic when log is true (lo must then be > 0).
func axisRange(a *plot.Axis, lo, hi float64, log bool) {
	if log {
		a.Scale = plot.LogScale{}
		a.Tick.Marker = logTicks{}
		if lo == hi {
			lo, hi = lo/2, hi*2
		} else {
			m := math.Pow(hi/lo, 0.05)
			lo, hi = lo/m, hi*m
		}
	} else {
		pad := (hi - lo) * 0.05
		if pad == 0 || !finite(pad) {
			pad = math.Abs(lo) * 0.1
		}
		if pad == 0 {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	a.Min, a.Max = lo, hi
}

// logTicks puts labelled ticks at powers of ten and unlabelled ones at
// 2…9 times them. When fewer than two powers of ten fall in the range, the
// intermediate ticks are labelled too, so a narrow log axis is readable.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || !finite(hi) {
		return nil
	}
	first := int(math.Floor(math.Log10(lo)))
	last := int(math.Ceil(math.Log10(hi)))
	var ticks []plot.Tick
	labelled := 0
	for e := first; e <= last; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = formatTick(v)
				labelled++
			}
			ticks = append(ticks, t)
		}
	}
	if labelled < 2 {
		for i := range ticks {
			ticks[i].Label = formatTick(ticks[i].Value)
		}
	}
	return ticks
}

// formatTick formats a log-axis tick: 0.001, 0.5, 1, 2000, 1e+05, 1e-05
// (%g with 4 digits and at least two exponent digits dropped to one).
func formatTick(v float64) string {
	s := strconv.FormatFloat(v, 'g', 4, 64)
	s = strings.Replace(s, "e-0", "e-", 1)
	return strings.Replace(s, "e+0", "e+", 1)
}

// intTicks labels integers (trial numbers) at a step of 1, 2 or 5 times a
// power of ten, giving about five to ten labels.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo) || !finite(hi) || hi < lo {
		return nil
	}
	step := 1.0
	for (hi-lo)/step > 10 {
		switch d := step / math.Pow10(int(math.Floor(math.Log10(step)))); {
		case d < 2:
			step *= 2
		case d < 5:
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v+0, 'f', 0, 64)})
	}
	return ticks
}

var errNoPoints = errors.New("no point with a finite score")

// asPoints returns each point of sets as a one-point polyline, for
// layout.avoid.
func asPoints(sets ...plotter.XYs) []plotter.XYs {
	var out []plotter.XYs
	for _, set := range sets {
		for _, xy := range set {
			out = append(out, plotter.XYs{xy})
		}
	}
	return out
}

// fixSVGImages corrects the raster images (heatmaps, colour bars) of
// gonum/plot's SVG: they are PNG data labelled image/jpg, and without
// preserveAspectRatio="none" a browser keeps the raster's own aspect
// ratio, which squeezes a colour bar to a sliver and a heatmap to a
// centred square.
func fixSVGImages(svg []byte) []byte {
	if !bytes.Contains(svg, []byte("<image ")) {
		return svg
	}
	svg = bytes.ReplaceAll(svg, []byte("<image "), []byte(`<image preserveAspectRatio="none" `))
	return bytes.ReplaceAll(svg, []byte(`"data:image/jpg;base64,iVBORw0KGgo`), []byte(`"data:image/png;base64,iVBORw0KGgo`))
}
