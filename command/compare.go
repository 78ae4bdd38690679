package command

import (
	"cmp"
	"io"
	"math"
	"slices"
	"time"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plots"
)

// comparison is the comparison of two or more searches of one metric and
// mode: the table (view) and the series of its two plots.
type comparison struct {
	view   *views.Comparison
	series []compareSeries
}

// compareSeries is one search's best score so far, by trial and by time.
type compareSeries struct {
	name string
	// byTrial is, for each completed trial in number order, its 1-based
	// position among the search's trials and the best score so far.
	byTrial []comparePoint
	// byTime is, for each completed trial with an end in the order they
	// ended, the seconds from the search's first start to that end and
	// the best score among the trials ended by then.
	byTime []comparePoint
}

type comparePoint struct {
	trial     int // 1-based position among the search's trials
	elapsed   float64
	bestSoFar float64
}

// newComparison compares searches (trials[i] are the matching trials of
// searches[i]) and adds the table to doc.
func newComparison(searches []*definition.Search, trials [][]analysis.Trial, doc *views.AnalyzeJSON) *comparison {
	first := searches[0]
	c := &comparison{view: &views.Comparison{Metric: first.Metric, Mode: string(first.Mode), Rows: []views.CompareRow{}, Plots: []string{}}}
	for i, s := range searches {
		row, series := compareSearch(s, trials[i], doc.Searches[s.Name].Summary)
		c.view.Rows = append(c.view.Rows, row)
		c.series = append(c.series, series)
	}
	return c
}

// better reports whether score a is better than b under mode.
func better(mode string, a, b float64) bool {
	if mode == analysis.ModeMax {
		return a > b
	}
	return a < b
}

// withinTolerance is how far a score may be from best and still count as
// within 1 % of it: 1 % of |best|, but at least 0.01 % of how far the
// median completed score is from best, so that a best at or near 0 (a
// loss that reaches 0, a metric that crosses it) does not demand the
// exact best. For a best not near 0, that is 1 % of |best|.
func withinTolerance(best, median float64) float64 {
	return 0.01 * max(math.Abs(best), 0.01*math.Abs(median-best))
}

// isWithin reports whether score is within tol of best: at most best+tol
// for "min", at least best-tol for "max".
func isWithin(mode string, score, best, tol float64) bool {
	if mode == analysis.ModeMax {
		return score >= best-tol
	}
	return score <= best+tol
}

// median returns the median of xs (the mean of the middle two for an even
// number); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// compareSearch returns a search's row of the comparison and its series.
// Positions count every matching trial in number order (a failed or
// pruned trial spent budget too); scores count for completed trials
// with a score that is not NaN.
func compareSearch(s *definition.Search, trials []analysis.Trial, sum analysis.Summary) (views.CompareRow, compareSeries) {
	mode := string(s.Mode)
	trials = slices.Clone(trials)
	slices.SortFunc(trials, func(a, b analysis.Trial) int { return cmp.Compare(a.Number, b.Number) })
	row := views.CompareRow{Search: s.Name, Strategy: string(s.Strategy), Trials: len(trials), WallTime: sum.WallTime, TrialTime: sum.TimeSpent}
	series := compareSeries{name: s.Name}
	var start time.Time
	for _, t := range trials {
		if !t.Started.IsZero() && (start.IsZero() || t.Started.Before(start)) {
			start = t.Started
		}
	}
	elapsed := func(t analysis.Trial) float64 {
		if start.IsZero() || t.Ended.IsZero() {
			return 0
		}
		return t.Ended.Sub(start).Seconds()
	}
	type done struct {
		pos int
		t   analysis.Trial
	}
	var completed []done
	var scores []float64
	for i, t := range trials {
		if t.Status == analysis.StatusCompleted && !math.IsNaN(t.Score) {
			completed = append(completed, done{i + 1, t})
			scores = append(scores, t.Score)
		}
	}
	row.Completed = len(completed)
	if len(completed) == 0 {
		return row, series
	}
	best := completed[0].t
	for _, d := range completed {
		if better(mode, d.t.Score, best.Score) {
			best = d.t
		}
		series.byTrial = append(series.byTrial, comparePoint{trial: d.pos, elapsed: elapsed(d.t), bestSoFar: best.Score})
	}
	row.Best, row.BestTrial = &best.Score, best.Number
	tol := withinTolerance(best.Score, median(scores))
	for _, d := range completed {
		if isWithin(mode, d.t.Score, best.Score, tol) {
			row.Within = &views.Within{Trials: d.pos, Trial: d.t.Number}
			if e := elapsed(d.t); e > 0 {
				row.Within.Elapsed = time.Duration(e * float64(time.Second))
			}
			break
		}
	}
	ended := slices.Clone(completed)
	ended = slices.DeleteFunc(ended, func(d done) bool { return d.t.Ended.IsZero() || start.IsZero() })
	slices.SortStableFunc(ended, func(a, b done) int { return a.t.Ended.Compare(b.t.Ended) })
	for i, d := range ended {
		bsf := d.t.Score
		if i > 0 && !better(mode, bsf, series.byTime[i-1].bestSoFar) {
			bsf = series.byTime[i-1].bestSoFar
		}
		series.byTime = append(series.byTime, comparePoint{trial: d.pos, elapsed: elapsed(d.t), bestSoFar: bsf})
	}
	return row, series
}

// plots returns the comparison's plots -plot selects: the best so far of
// each search by trial (compare-trials) and by time (compare-time).
func (c *comparison) plots(a *arguments.Analyze) []plotJob {
	var jobs []plotJob
	sc := scale(a)
	for _, by := range []struct {
		kind, name, title string
		byTime            bool
	}{
		{"compare-trials", "comparison-trials", "Best " + c.view.Metric + " so far, by trial", false},
		{"compare-time", "comparison-time", "Best " + c.view.Metric + " so far, by time", true},
	} {
		if !selected(a, by.kind) {
			continue
		}
		series := make([]plots.CompareSeries, len(c.series))
		for i, s := range c.series {
			pts := s.byTrial
			if by.byTime {
				pts = s.byTime
			}
			series[i].Name = s.name
			for _, p := range pts {
				series[i].Points = append(series[i].Points, plots.ComparePoint{Trial: p.trial, Elapsed: p.elapsed, BestSoFar: p.bestSoFar})
			}
		}
		metric, byTime := c.view.Metric, by.byTime
		jobs = append(jobs, plotJob{kind: by.kind, name: by.name, title: by.title, draw: func(w io.Writer, f plots.Format) error {
			return plots.Compare(w, f, metric, series, byTime, sc)
		}})
	}
	return jobs
}
