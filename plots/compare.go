package plots

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CompareSeries is one search's best score so far, for Compare.
type CompareSeries struct {
	Name   string // the search's name, its legend entry
	Points []ComparePoint
}

// ComparePoint is one completed trial of a compared search.
type ComparePoint struct {
	// Trial is the trial's 1-based position among the search's trials in
	// number order.
	Trial int
	// Elapsed is the time from the start of the search's first trial to
	// the end of this one, in seconds.
	Elapsed float64
	// BestSoFar is the best score of this and the earlier trials.
	BestSoFar float64
}

// seriesColors are the colours of compared searches (Okabe–Ito); after
// the last, they repeat with dashed lines.
var seriesColors = []color.RGBA{
	trialColor,                      // blue
	bestColor,                       // vermilion
	{R: 0, G: 158, B: 115, A: 255},  // bluish green
	initialColor,                    // orange
	prunedColor,                     // reddish purple
	{R: 86, G: 180, B: 233, A: 255}, // sky blue
	{R: 0, G: 0, B: 0, A: 255},      // black
	{R: 240, G: 228, B: 66, A: 255}, // yellow
}

// Time units of the x axis of Compare by time.
var timeUnits = []struct {
	name    string
	seconds float64
	upTo    float64 // the unit is used when the longest time is below this many seconds
}{
	{"s", 1, 180},
	{"min", 60, 3 * 3600},
	{"h", 3600, math.Inf(1)},
}

// Compare draws the best score so far of several searches on one figure,
// titled "best <metric> so far": one step line per series, each in its
// own colour (Okabe–Ito; the ninth and later ones dashed) and ending in a
// dot, with a legend of the series' names, placed where it covers the
// fewest lines. With byTime false the x axis is the trial ("trial", its
// position in the search); with byTime true it is the time since the
// search's first trial started, in seconds, minutes or hours ("time since
// the first trial started (min)"): seconds when the longest is under 3
// minutes, minutes under 3 hours, hours beyond. The y axis is labelled
// LogLabel(metric, log), its scale as ChooseScale(scale, …) says over
// every series (a forced log scale with a value <= 0 is an error).
//
// Points with a NaN or ±Inf best so far or elapsed time are skipped; a
// series left empty keeps its colour but draws nothing and has no legend
// entry. With no point at all, or no series, Compare returns an error.
func Compare(w io.Writer, f Format, metric string, series []CompareSeries, byTime bool, scale Scale) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	what := "comparison of " + metric
	if len(series) == 0 {
		return fmt.Errorf("plots: %s: no search to compare", what)
	}
	unit := timeUnits[0]
	if byTime {
		longest := 0.0
		for _, s := range series {
			for _, pt := range s.Points {
				if finite(pt.Elapsed) {
					longest = math.Max(longest, pt.Elapsed)
				}
			}
		}
		for _, u := range timeUnits {
			if longest < u.upTo {
				unit = u
				break
			}
		}
	}
	lines := make([]plotter.XYs, len(series))
	var ys []float64
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for i, s := range series {
		for _, pt := range s.Points {
			x := float64(pt.Trial)
			if byTime {
				x = pt.Elapsed / unit.seconds
			}
			if !finite(x) || !finite(pt.BestSoFar) {
				continue
			}
			lines[i] = append(lines[i], plotter.XY{X: x, Y: pt.BestSoFar})
			ys = append(ys, pt.BestSoFar)
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
		}
	}
	if len(ys) == 0 {
		return fmt.Errorf("plots: %s: %w", what, errNoPoints)
	}
	xLabel := "trial"
	if byTime {
		xLabel = fmt.Sprintf("time since the first trial started (%s)", unit.name)
	}
	p := newPlot(fmt.Sprintf("best %s so far", metric), xLabel, "")
	if _, err := scoreAxis(&p.Y, what, metric, ys, scale); err != nil {
		return err
	}
	var avoid []plotter.XYs
	for i, xys := range lines {
		if len(xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle = draw.LineStyle{Color: seriesColors[i%len(seriesColors)], Width: vg.Points(1.5)}
		if i >= len(seriesColors) {
			l.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		end, err := plotter.NewScatter(xys[len(xys)-1:])
		if err != nil {
			return err
		}
		end.GlyphStyle = draw.GlyphStyle{Color: l.LineStyle.Color, Shape: draw.CircleGlyph{}, Radius: vg.Points(markerRadius)}
		p.Add(l, end)
		p.Legend.Add(series[i].Name, l)
		avoid = append(avoid, bestLine(xys))
	}
	if byTime {
		axisRange(&p.X, xlo, xhi, false)
	} else {
		stepAxis(&p.X, xlo, xhi)
	}
	return render(w, f, p, layout{avoid: avoid})
}
