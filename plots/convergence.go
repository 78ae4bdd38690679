package plots

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ConvergencePoint is one completed trial, or one the pruner stopped.
type ConvergencePoint struct {
	Trial     int     // trial number, the x coordinate
	Score     float64 // the trial's score; a pruned trial's last value
	BestSoFar float64 // the best score of this and the earlier completed trials
	Initial   bool    // part of the initial design of a Bayesian search
	// Pruned marks a trial the search's pruner stopped: its Score is the
	// value it was stopped at, and its BestSoFar is ignored (a pruned
	// trial is never the best).
	Pruned bool
}

// Convergence draws every trial's score as a point and the best score so
// far as a step line, titled "<search>: convergence", with x label "trial"
// and y label metric. Initial-design points are orange triangles with the
// legend entry "initial design"; pruned trials are reddish-purple crosses
// with the legend entry "pruned", off the best-so-far line; the other
// trials are blue circles.
//
// The y axis is logarithmic as ChooseScale(scale, …) says for the scores
// and the best-so-far values together, and its label then says so
// ("val_loss (log scale)"); a forced log scale with a value <= 0 is an
// error. Points with a NaN or ±Inf score are skipped (and a
// NaN or ±Inf best-so-far value leaves a point off the line); with no
// point left Convergence returns an error. The legend goes to the corner
// of the data area where it covers the fewest points and line.
//
// With more than MaxScatterPoints points, MaxScatterPoints of them are
// drawn: every point where the best so far improved, and a uniform sample
// of the others (see thin); the legend says how many of how many are
// shown. The best-so-far line and the axes still use every point.
func Convergence(w io.Writer, f Format, search, metric string, pts []ConvergencePoint, scale Scale) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	sorted := slices.Clone(pts)
	slices.SortStableFunc(sorted, func(a, b ConvergencePoint) int { return cmp.Compare(a.Trial, b.Trial) })

	sr := convergenceSeries(sorted)
	if sr.total == 0 {
		return fmt.Errorf("plots: convergence of %s: %w", search, errNoPoints)
	}
	trials, initial, pruned, best := sr.trials, sr.initial, sr.pruned, sr.best

	p := newPlot(search+": convergence", "trial", metric)
	if err := addScatters(p, trials, initial, pruned); err != nil {
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
	if sr.thinned {
		p.Legend.Add(thinnedNote(len(trials)+len(initial)+len(pruned), sr.total))
	}

	stepAxis(&p.X, sr.xlo, sr.xhi)
	if _, err := scoreAxis(&p.Y, "convergence of "+search, metric, sr.ys, scale); err != nil {
		return err
	}
	return render(w, f, p, layout{avoid: append(asPoints(trials, initial, pruned), bestLine(best))})
}

// series is what Convergence draws.
type series struct {
	trials, initial plotter.XYs // the markers drawn
	pruned          plotter.XYs
	best            plotter.XYs // the vertices of the best-so-far step line
	xlo, xhi        float64     // the range of every marker and vertex
	ys              []float64   // every score and best-so-far value
	total           int         // the markers before thinning
	thinned         bool
}

// convergenceSeries returns what Convergence draws of pts, sorted by
// trial: the points with a finite score as markers, thinned to the points
// where the best so far improved and a uniform sample when there are more
// than MaxScatterPoints, and the best-so-far line through the completed
// trials (its vertices reduced to those where it changes, the same line,
// when thinned).
func convergenceSeries(sorted []ConvergencePoint) series {
	var sr series
	var ms []marker
	var keep []int // the markers where the best so far improved
	sr.xlo, sr.xhi = math.Inf(1), math.Inf(-1)
	prev := math.NaN()
	for _, pt := range sorted {
		x := float64(pt.Trial)
		if pt.Pruned {
			if finite(pt.Score) {
				ms = append(ms, marker{xy: plotter.XY{X: x, Y: pt.Score}, pruned: true})
				sr.ys = append(sr.ys, pt.Score)
				sr.xlo, sr.xhi = math.Min(sr.xlo, x), math.Max(sr.xhi, x)
			}
			continue
		}
		improved := pt.BestSoFar != prev
		prev = pt.BestSoFar
		if finite(pt.BestSoFar) {
			sr.best = append(sr.best, plotter.XY{X: x, Y: pt.BestSoFar})
			sr.ys = append(sr.ys, pt.BestSoFar)
			sr.xlo, sr.xhi = math.Min(sr.xlo, x), math.Max(sr.xhi, x)
		}
		if !finite(pt.Score) {
			continue
		}
		if improved && pt.Score == pt.BestSoFar {
			keep = append(keep, len(ms))
		}
		ms = append(ms, marker{xy: plotter.XY{X: x, Y: pt.Score}, initial: pt.Initial})
		sr.ys = append(sr.ys, pt.Score)
		sr.xlo, sr.xhi = math.Min(sr.xlo, x), math.Max(sr.xhi, x)
	}
	sr.total = len(ms)
	shown := thin(len(ms), keep)
	sr.trials, sr.initial, sr.pruned = split(ms, shown)
	if shown != nil {
		sr.thinned = true
		sr.best = steps(sr.best)
	}
	return sr
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

// stepAxis makes ax an axis of whole numbers (trials, steps) from lo to
// hi, with a little room at both ends.
func stepAxis(ax *plot.Axis, lo, hi float64) {
	if lo == hi {
		lo, hi = lo-1, hi+1
	} else {
		pad := math.Max(0.5, (hi-lo)*0.02)
		lo, hi = lo-pad, hi+pad
	}
	ax.Min, ax.Max = lo, hi
	ax.Tick.Marker = intTicks{}
}
