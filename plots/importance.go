package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ImportanceBar is one parameter's bar: its share and the half-width of
// its error bar (0: none).
type ImportanceBar struct {
	Param string
	Share float64
	Err   float64
}

// Importance draws shares (parameter path → share of the score's variance)
// as a horizontal bar chart, titled "<search>: parameter importance
// (<metric>)", with x label "share of variance" and one bar per parameter,
// its name as the y tick label and its value written after the bar. A bar
// whose Err is finite and above 0 gets a horizontal error bar from
// Share − Err to Share + Err (the lower end clipped at the axis), and its
// value is written "share ± err" after the error bar; the others get
// none. Bars are sorted by share, largest on top (equal shares by name).
// The x axis starts at 0 (or at the smallest share, if negative) and
// reaches the longest error bar. NaN and ±Inf shares are skipped; with
// none left Importance returns an error. With more than 15 parameters the
// tick labels shrink (down to 6 pt) to stay apart.
func Importance(w io.Writer, f Format, title string, in []ImportanceBar) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	type bar struct {
		name       string
		share, err float64
	}
	var bars []bar
	for _, b := range in {
		if finite(b.Share) {
			e := b.Err
			if !finite(e) || e < 0 {
				e = 0
			}
			bars = append(bars, bar{b.Param, b.Share, e})
		}
	}
	if len(bars) == 0 {
		return fmt.Errorf("plots: %s: no parameter with a finite share", title)
	}
	// Smallest first: index 0 is drawn at the bottom.
	slices.SortFunc(bars, func(a, b bar) int {
		if c := cmp.Compare(a.share, b.share); c != 0 {
			return c
		}
		return cmp.Compare(b.name, a.name) // equal shares: names top-down A→Z
	})
	n := len(bars)
	values := make(plotter.Values, n)
	names := make([]string, n)
	var labels plotter.XYLabels
	lo, hi := 0.0, 0.0
	var errs errorBars
	for i, b := range bars {
		values[i] = b.share
		names[i] = b.name
		lo, hi = math.Min(lo, b.share), math.Max(hi, b.share+b.err)
	}
	for i, b := range bars {
		if b.err > 0 {
			errs.XYs = append(errs.XYs, plotter.XY{X: b.share, Y: float64(i)})
			errs.low = append(errs.low, b.share-math.Max(b.share-b.err, lo))
			errs.high = append(errs.high, b.err)
		}
	}
	if lo == hi {
		hi = 1
	}

	p := newPlot(title, "share of variance", "")
	// Bar thickness: about 70% of the space per parameter in the data area
	// (the figure less title and x axis, about 7.5 cm), at most 14 pt.
	barWidth := min(vg.Points(14), 7.5*vg.Centimeter/vg.Length(n)*0.7)
	bc, err := plotter.NewBarChart(values, barWidth)
	if err != nil {
		return err
	}
	bc.Horizontal = true
	bc.Color = barColor
	bc.LineStyle.Width = 0
	p.Add(bc)
	if len(errs.XYs) > 0 {
		eb, err := plotter.NewXErrorBars(errs)
		if err != nil {
			return err
		}
		eb.LineStyle.Color = errorBarColor
		eb.LineStyle.Width = vg.Points(1)
		eb.CapWidth = min(vg.Points(6), barWidth*0.6)
		p.Add(eb)
	}

	for i, b := range bars {
		text := strconv.FormatFloat(b.share, 'g', 2, 64)
		if b.err > 0 {
			text += " ± " + strconv.FormatFloat(b.err, 'g', 1, 64)
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: math.Max(b.share+b.err, 0), Y: float64(i)})
		labels.Labels = append(labels.Labels, text)
	}
	size := vg.Length(9)
	if n > 15 {
		size = max(6, 9*15/vg.Length(n))
	}
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font = font.From(sansFont, size)
		lb.TextStyle[i].YAlign = draw.YCenter
	}
	lb.Offset = vg.Point{X: vg.Points(3)}
	p.Add(lb)

	ticks := make([]plot.Tick, n)
	for i, name := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: name}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Tick.Label.Font = font.From(sansFont, size)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	// Room on the right for the value labels (wider with errors).
	room := 0.12
	if len(errs.XYs) > 0 {
		room = 0.22
	}
	p.X.Min, p.X.Max = lo, hi+(hi-lo)*room
	p.X.Padding = 0
	p.Legend = plot.NewLegend() // no legend: the bars are labelled
	return render(w, f, p, layout{})
}

// errorBarColor draws the error bars: darker than the bars.
var errorBarColor = color.Gray{Y: 0x30}

// errorBars are the horizontal error bars of Importance: at each point,
// from X − low to X + high.
type errorBars struct {
	plotter.XYs
	low, high []float64
}

// XError implements plotter.XErrorer.
func (e errorBars) XError(i int) (float64, float64) { return e.low[i], e.high[i] }
