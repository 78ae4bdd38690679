package plots

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ConvergencePoint is one completed trial.
type ConvergencePoint struct {
	Trial     int     // trial number, the x coordinate
	Score     float64 // the trial's score
	BestSoFar float64 // the best score of this and the earlier trials
	Initial   bool    // part of the initial design of a Bayesian search
}

// Convergence draws every trial's score as a point and the best score so
// far as a step line, titled "<search>: convergence", with x label "trial"
// and y label metric. Initial-design points are orange triangles with the
// legend entry "initial design"; the other trials are blue circles.
//
// The y axis is logarithmic when UseLogScale holds for the scores and the
// best-so-far values together (all > 0, spanning more than two decades),
// otherwise linear. Points with a NaN or ±Inf score are skipped (and a
// NaN or ±Inf best-so-far value leaves a point off the line); with no
// point left Convergence returns an error. The legend goes to the corner
// of the data area where it covers the fewest points and line.
func Convergence(w io.Writer, f Format, search, metric string, pts []ConvergencePoint) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	sorted := slices.Clone(pts)
	slices.SortStableFunc(sorted, func(a, b ConvergencePoint) int { return cmp.Compare(a.Trial, b.Trial) })

	var trials, initial, best plotter.XYs
	var ys []float64
	for _, pt := range sorted {
		if finite(pt.BestSoFar) {
			best = append(best, plotter.XY{X: float64(pt.Trial), Y: pt.BestSoFar})
			ys = append(ys, pt.BestSoFar)
		}
		if !finite(pt.Score) {
			continue
		}
		xy := plotter.XY{X: float64(pt.Trial), Y: pt.Score}
		if pt.Initial {
			initial = append(initial, xy)
		} else {
			trials = append(trials, xy)
		}
		ys = append(ys, pt.Score)
	}
	if len(trials)+len(initial) == 0 {
		return fmt.Errorf("plots: convergence of %s: %w", search, errNoPoints)
	}

	p := newPlot(search+": convergence", "trial", metric)
	if err := addScatters(p, trials, initial); err != nil {
		return err
	}
	if len(best) > 0 {
		l, err := plotter.NewLine(best)
		if err != nil {
			return err
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle.Color = bestColor
		l.LineStyle.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(legendBest, l)
	}

	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, set := range []plotter.XYs{trials, initial, best} {
		for _, xy := range set {
			xlo, xhi = math.Min(xlo, xy.X), math.Max(xhi, xy.X)
		}
	}
	if xlo == xhi {
		xlo, xhi = xlo-1, xhi+1
	} else {
		pad := math.Max(0.5, (xhi-xlo)*0.02)
		xlo, xhi = xlo-pad, xhi+pad
	}
	p.X.Min, p.X.Max = xlo, xhi
	p.X.Tick.Marker = intTicks{}
	axisRange(&p.Y, slices.Min(ys), slices.Max(ys), UseLogScale(ys))
	return render(w, f, p, layout{avoid: append(asPoints(trials, initial), bestLine(best))})
}

// bestLine returns the vertices of the step line through best.
func bestLine(best plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for i, xy := range best {
		if i > 0 {
			out = append(out, plotter.XY{X: xy.X, Y: best[i-1].Y})
		}
		out = append(out, xy)
	}
	return out
}
