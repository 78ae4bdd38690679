package plots

import (
	"image"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// viridisStops are the colours of the viridis map (van der Walt and
// Smith, matplotlib's default) at 0, 1/8, …, 1: perceptually uniform,
// readable in grey and with colour-blindness.
var viridisStops = [...]color.RGBA{
	{68, 1, 84, 255}, {72, 40, 120, 255}, {62, 73, 137, 255},
	{49, 104, 142, 255}, {38, 130, 142, 255}, {31, 158, 137, 255},
	{53, 183, 121, 255}, {109, 205, 89, 255}, {253, 231, 37, 255},
}

// viridis returns the colour of the map at t in [0, 1] (clamped),
// interpolated linearly between the stops: dark purple at 0, yellow at 1.
func viridis(t float64) color.RGBA {
	if !(t > 0) {
		return viridisStops[0]
	}
	if t >= 1 {
		return viridisStops[len(viridisStops)-1]
	}
	h := t * float64(len(viridisStops)-1)
	i := int(h)
	f := h - float64(i)
	a, b := viridisStops[i], viridisStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// colorScale maps scores to colours: the best score of the range is
// yellow, the worst dark purple, linearly in the score or, when log, in
// its logarithm.
type colorScale struct {
	lo, hi   float64 // the range; lo <= hi, both > 0 when log
	log      bool
	maximize bool // the highest score is the best
}

// newColorScale returns the colour scale over vals (finite, not empty).
func newColorScale(vals []float64, log, maximize bool) colorScale {
	return colorScale{lo: slices.Min(vals), hi: slices.Max(vals), log: log, maximize: maximize}
}

// pos returns where v lies in the range: 0 at lo, 1 at hi (clamped),
// in log space when log; 0.5 when the range is a single value.
func (c colorScale) pos(v float64) float64 {
	if c.hi == c.lo {
		return 0.5
	}
	var t float64
	if c.log {
		t = math.Log(v/c.lo) / math.Log(c.hi/c.lo)
	} else {
		t = (v - c.lo) / (c.hi - c.lo)
	}
	return min(max(t, 0), 1)
}

// goodness returns 1 for the best end of the range and 0 for the worst.
func (c colorScale) goodness(v float64) float64 {
	if c.maximize {
		return c.pos(v)
	}
	return 1 - c.pos(v)
}

// color returns the colour of score v.
func (c colorScale) color(v float64) color.RGBA { return viridis(c.goodness(v)) }

// ticks returns the labelled ticks of the range.
func (c colorScale) ticks() []plot.Tick {
	if c.lo == c.hi {
		return []plot.Tick{{Value: c.lo, Label: formatTick(c.lo)}}
	}
	var ts []plot.Tick
	var all []plot.Tick
	if c.log {
		all = logTicks{}.Ticks(c.lo, c.hi)
	} else {
		all = plot.DefaultTicks{}.Ticks(c.lo, c.hi)
	}
	for _, t := range all {
		if t.Label != "" && t.Value >= c.lo && t.Value <= c.hi {
			ts = append(ts, t)
		}
	}
	return ts
}

// colorBar is the colour bar drawn right of a figure's data area.
type colorBar struct {
	scale colorScale
	label string // the metric's label, e.g. "val_loss (log scale)"
}

// Sizes of the colour bar.
var (
	barGap   = 0.3 * vg.Centimeter // between the figure and the strip
	barStrip = 0.4 * vg.Centimeter // the width of the colour strip
	barTick  = vg.Points(3)
)

// barFonts are the fonts of the colour bar: tick labels, label and the
// "best" mark.
var (
	barTickFont  = font.From(sansFont, 9)
	barLabelFont = font.From(sansFont, 11)
)

// bestMark is the text at the better end of a colour bar.
const bestMark = "best"

// width returns the room the colour bar takes right of the figure.
func (b *colorBar) width() vg.Length {
	st := text.Style{Font: barTickFont, Handler: plot.DefaultTextHandler}
	w := st.Width(bestMark) / 2
	for _, t := range b.scale.ticks() {
		w = max(w, st.Width(t.Label))
	}
	lst := text.Style{Font: barLabelFont, Handler: plot.DefaultTextHandler}
	return barGap + barStrip + barTick + vg.Points(2) + w + vg.Points(6) + lst.Height(b.label)
}

// draw draws the bar in c (the room right of the figure), its strip as
// high as data, the figure's data area.
func (b *colorBar) draw(c draw.Canvas, data vg.Rectangle) {
	x0 := c.Min.X + barGap
	y0, y1 := data.Min.Y, data.Max.Y
	const rows = 256
	img := image.NewRGBA(image.Rect(0, 0, 1, rows))
	for r := range rows {
		// Row 0 is the top of the image, the high end of the range.
		t := 1 - (float64(r)+0.5)/rows
		g := t
		if !b.scale.maximize {
			g = 1 - t
		}
		if b.scale.lo == b.scale.hi {
			g = 0.5
		}
		img.SetRGBA(0, r, viridis(g))
	}
	strip := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + barStrip, Y: y1}}
	c.DrawImage(strip, img)
	outline := draw.LineStyle{Color: color.Gray{Y: 80}, Width: vg.Points(0.5)}
	c.StrokeLines(outline, []vg.Point{strip.Min, {X: strip.Max.X, Y: strip.Min.Y}, strip.Max, {X: strip.Min.X, Y: strip.Max.Y}, strip.Min})

	st := draw.TextStyle{Color: color.Black, Font: barTickFont, XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	right := strip.Max.X
	labelsRight := right
	for _, t := range b.scale.ticks() {
		y := y0 + vg.Length(b.scale.pos(t.Value))*(y1-y0)
		c.StrokeLine2(outline, right, y, right+barTick, y)
		c.FillText(st, vg.Point{X: right + barTick + vg.Points(2), Y: y}, t.Label)
		labelsRight = max(labelsRight, right+barTick+vg.Points(2)+st.Width(t.Label))
	}
	// "best" beyond the better end of the strip.
	mark := st
	mark.XAlign = draw.XCenter
	mid := (strip.Min.X + strip.Max.X) / 2
	if b.scale.maximize {
		mark.YAlign = draw.YBottom
		c.FillText(mark, vg.Point{X: mid, Y: y1 + vg.Points(2)}, bestMark)
	} else {
		mark.YAlign = draw.YTop
		c.FillText(mark, vg.Point{X: mid, Y: y0 - vg.Points(2)}, bestMark)
	}
	lst := draw.TextStyle{Color: color.Black, Font: barLabelFont, XAlign: draw.XCenter, YAlign: draw.YTop,
		Rotation: math.Pi / 2, Handler: plot.DefaultTextHandler}
	// Turned by 90°, the text's top is its left side.
	c.FillText(lst, vg.Point{X: labelsRight + vg.Points(6), Y: (y0 + y1) / 2}, b.label)
}
