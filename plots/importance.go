package plots

import (
	"cmp"
	"fmt"
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
// its name as the y tick label and its value written after the bar. Bars
// are sorted by share, largest on top (equal shares by name). The x axis
// starts at 0 (or at the smallest share, if negative). NaN and ±Inf shares
// are skipped; with none left Importance returns an error. With more than
// 15 parameters the tick labels shrink (down to 6 pt) to stay apart.
func Importance(w io.Writer, f Format, title string, in []ImportanceBar) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	type bar struct {
		name  string
		share float64
	}
	var bars []bar
	for _, b := range in {
		if finite(b.Share) {
			bars = append(bars, bar{b.Param, b.Share})
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
	for i, b := range bars {
		values[i] = b.share
		names[i] = b.name
		lo, hi = math.Min(lo, b.share), math.Max(hi, b.share)
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

	for i, b := range bars {
		labels.XYs = append(labels.XYs, plotter.XY{X: math.Max(b.share, 0), Y: float64(i)})
		labels.Labels = append(labels.Labels, strconv.FormatFloat(b.share, 'g', 2, 64))
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
	// Room on the right for the value labels.
	p.X.Min, p.X.Max = lo, hi+(hi-lo)*0.12
	p.X.Padding = 0
	p.Legend = plot.NewLegend() // no legend: the bars are labelled
	return render(w, f, p, layout{})
}
