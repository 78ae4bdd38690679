package command

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plots"
	"github.com/frameworm/frameworm/space"
)

// plotJob is one plot analyze can draw: its kind (a -plot kind), its
// name (the file name without extension: <search>-<what>, or
// comparison-<what>), its title in the report, and how to draw it.
type plotJob struct {
	kind, name, title string
	draw              func(w io.Writer, f plots.Format) error
}

// plotSink is where the plots go: files in the -plots directory, the one
// -o file, and the SVG figures of the -html report, each figure under
// the search it belongs to ("" for the comparison).
type plotSink struct {
	m    *Meta
	a    *arguments.Analyze
	doc  *views.AnalyzeJSON
	once []ownedJob // -o: every plot selected, drawn at finish if only one
	figs map[string][]figure
}

type ownedJob struct {
	search string
	job    plotJob
}

// figure is a plot of the report, drawn as SVG.
type figure struct {
	name, title string
	svg         []byte
}

func newPlotSink(m *Meta, a *arguments.Analyze, doc *views.AnalyzeJSON) *plotSink {
	return &plotSink{m: m, a: a, doc: doc, figs: map[string][]figure{}}
}

// plotsOf returns where the plot files of search ("" for the
// comparison) are listed.
func (k *plotSink) plotsOf(search string) *[]string {
	if search == "" {
		return &k.doc.Comparison.Plots
	}
	return &k.doc.Searches[search].Plots
}

// put draws the plots of one search ("" for the comparison): into the
// -plots directory and the report now, and keeps them for -o.
func (k *plotSink) put(search string, jobs []plotJob) error {
	if k.a.Plots != "" {
		dir := k.m.abs(k.a.Plots)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the plot directory: %w", err)
		}
		for _, j := range jobs {
			path := filepath.Join(dir, j.name+"."+k.a.Format)
			if err := plots.WriteFile(path, func(w io.Writer) error { return j.draw(w, plots.Format(k.a.Format)) }); err != nil {
				return err // names the file
			}
			*k.plotsOf(search) = append(*k.plotsOf(search), k.m.display(path))
		}
	}
	if k.a.Output != "" {
		for _, j := range jobs {
			k.once = append(k.once, ownedJob{search, j})
		}
	}
	if k.a.HTML != "" {
		for _, j := range jobs {
			var b bytes.Buffer
			if err := j.draw(&b, plots.SVG); err != nil {
				return fmt.Errorf("plot %s: %w", j.name, err)
			}
			k.figs[search] = append(k.figs[search], figure{name: j.name, title: j.title, svg: b.Bytes()})
		}
	}
	return nil
}

// finish writes the -o file: the one plot selected, else an error that
// lists what was selected.
func (k *plotSink) finish() error {
	if k.a.Output == "" {
		return nil
	}
	if len(k.once) != 1 {
		var names []string
		for _, o := range k.once {
			names = append(names, o.job.name)
		}
		what := "no plot"
		if len(names) > 0 {
			what = fmt.Sprintf("%d plots: %s", len(names), strings.Join(names, ", "))
		}
		return fmt.Errorf("-o names the file of one plot, but the selection makes %s; pick one with -plot, -param and search.NAME, or write them all with -plots=DIR", what)
	}
	o := k.once[0]
	path := k.m.abs(k.a.Output)
	if err := plots.WriteFile(path, func(w io.Writer) error { return o.job.draw(w, plots.Format(k.a.Format)) }); err != nil {
		return err // names the file
	}
	*k.plotsOf(o.search) = append(*k.plotsOf(o.search), k.m.display(path))
	return nil
}

// searchPlots returns the plots of one search that -plot and -param
// select, and for each kind selected but not drawn, why.
func searchPlots(s *definition.Search, trials []analysis.Trial, pd plotData, as *views.AnalyzeSearchJSON, a *arguments.Analyze) ([]plotJob, map[string]string) {
	sc := scale(a)
	var jobs []plotJob
	skipped := map[string]string{}
	add := func(kind, name, title string, draw func(io.Writer, plots.Format) error) {
		jobs = append(jobs, plotJob{kind: kind, name: s.Name + "-" + name, title: title, draw: draw})
	}
	noScores := fmt.Sprintf("search.%s has no completed trial with a score", s.Name)
	if selected(a, "convergence") {
		if len(as.Convergence) == 0 {
			skipped["convergence"] = noScores
		} else {
			conv := make([]plots.ConvergencePoint, len(as.Convergence), len(as.Convergence)+len(pd.pruned))
			for i, c := range as.Convergence {
				conv[i] = plots.ConvergencePoint{Trial: c.Trial, Score: c.Score, BestSoFar: c.BestSoFar, Initial: c.Initial}
			}
			conv = append(conv, pd.pruned...)
			add("convergence", "convergence", "Convergence", func(w io.Writer, f plots.Format) error {
				return plots.Convergence(w, f, s.Name, s.Metric, conv, sc)
			})
		}
	}
	if selected(a, "importance") {
		if as.Importance == nil {
			skipped["importance"] = as.ImportanceNote
		} else {
			add("importance", "importance", "Parameter importance", func(w io.Writer, f plots.Format) error {
				return plots.Importance(w, f, fmt.Sprintf("%s: parameter importance (%s)", s.Name, s.Metric), importanceBars(as.Importance, as.ImportanceErrors))
			})
		}
	}
	if selected(a, "failure-importance") {
		if as.FailureImportance == nil {
			skipped["failure-importance"] = as.FailureImportanceNote
		} else {
			add("failure-importance", "failure-importance", "Failure importance", func(w io.Writer, f plots.Format) error {
				return plots.Importance(w, f, fmt.Sprintf("%s: which params predict a failed trial", s.Name), importanceBars(as.FailureImportance, as.FailureImportanceErrors))
			})
		}
	}
	if selected(a, "slice") {
		if len(as.Convergence) == 0 {
			skipped["slice"] = noScores
		} else {
			for i, p := range s.Params {
				if len(a.Params) == 0 || slices.Contains(a.Params, p.Path) {
					pts, log, categories := slicePoints(p, i, trials)
					add("slice", "param-"+strings.ReplaceAll(p.Path, "/", "_"), p.Path+" vs "+s.Metric, func(w io.Writer, f plots.Format) error {
						return plots.ParamVsScore(w, f, s.Name, p.Path, s.Metric, log, categories, pts, sc)
					})
				}
			}
		}
	}
	if selected(a, "progress") {
		if curves := progressCurves(s, pd.curves); curves == nil {
			skipped["progress"] = fmt.Sprintf("no trial of search.%s reported intermediate values", s.Name)
		} else {
			add("progress", "progress", "Intermediate values", func(w io.Writer, f plots.Format) error {
				return plots.Progress(w, f, s.Name, views.PrunerMetric(s), curves, sc)
			})
		}
	}
	if selected(a, "parallel") {
		if job, why := parallelPlot(s, trials, sc); job == nil {
			skipped["parallel"] = why
		} else {
			add("parallel", "parallel", job.title, job.draw)
		}
	}
	if selected(a, "contour") {
		if job, why := contourPlot(s, trials, as, a); job == nil {
			skipped["contour"] = why
		} else {
			add("contour", "contour", job.title, job.draw)
		}
	}
	return jobs, skipped
}

// slicePoints returns the points of param i's slice plot (its value
// against the score of each completed trial), whether its axis is
// logarithmic, and its categories (nil for a numeric param).
func slicePoints(p definition.Param, i int, trials []analysis.Trial) (pts []plots.ParamPoint, log bool, categories []string) {
	for _, t := range trials {
		if t.Status == analysis.StatusCompleted && t.Point != nil && !space.IsInactive(t.Point[i]) {
			pts = append(pts, plots.ParamPoint{Value: t.Point[i], Score: t.Score, Initial: t.Initial})
		}
	}
	switch d := p.Dim.(type) {
	case *space.Categorical:
		categories = categoryNames(d)
		for j := range pts {
			pts[j].Value = fmt.Sprint(pts[j].Value)
		}
	case *space.Real:
		log = d.Log
	case *space.Integer:
		log = d.Log
	}
	return pts, log, categories
}

// categoryNames returns the values of a categorical as plot labels.
func categoryNames(d *space.Categorical) []string {
	out := make([]string, len(d.Values))
	for i, v := range d.Values {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// pairOf returns the params of the contour plot, as indices of
// s.Params: the first two -param paths; one -param path and the most
// important other param; else the two most important params. Without
// importance, declaration order stands in for it.
func pairOf(s *definition.Search, as *views.AnalyzeSearchJSON, params []string) (int, int) {
	order := make([]int, len(s.Params))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		ix, iy := as.Importance[s.Params[x].Path], as.Importance[s.Params[y].Path]
		switch {
		case ix > iy:
			return -1
		case ix < iy:
			return 1
		}
		return 0
	})
	var pair []int
	for _, p := range params {
		pair = append(pair, slices.IndexFunc(s.Params, func(q definition.Param) bool { return q.Path == p }))
	}
	for _, i := range order {
		if !slices.Contains(pair, i) {
			pair = append(pair, i)
		}
	}
	return pair[0], pair[1]
}

// parallelPlot returns the parallel-coordinates plot of a search: one
// axis per param, every completed trial coloured by its score and every
// failed one apart; nil, and why, when no trial has a point and a score.
func parallelPlot(s *definition.Search, trials []analysis.Trial, sc plots.Scale) (*plotJob, string) {
	axes := make([]plots.ParallelAxis, len(s.Params))
	for i, p := range s.Params {
		axes[i].Name = p.Path
		switch d := p.Dim.(type) {
		case *space.Categorical:
			axes[i].Categories = categoryNames(d)
		case *space.Real:
			axes[i].Log = d.Log
		case *space.Integer:
			axes[i].Log = d.Log
		}
	}
	var pts []plots.ParallelTrial
	scored := false
	for _, t := range trials {
		failed := t.Status == "failed"
		if t.Point == nil || (!failed && t.Status != analysis.StatusCompleted) {
			continue
		}
		if slices.ContainsFunc(t.Point, space.IsInactive) {
			continue // a line needs a value on every axis
		}
		vals := make([]any, len(t.Point))
		for i, v := range t.Point {
			if axes[i].Categories != nil {
				v = fmt.Sprint(v)
			}
			vals[i] = v
		}
		pts = append(pts, plots.ParallelTrial{Values: vals, Score: t.Score, Failed: failed})
		scored = scored || !failed
	}
	if !scored {
		return nil, fmt.Sprintf("search.%s has no completed trial with a score", s.Name)
	}
	if len(axes) == 0 {
		return nil, fmt.Sprintf("search.%s has no param", s.Name)
	}
	return &plotJob{title: "Parallel coordinates", draw: func(w io.Writer, f plots.Format) error {
		return plots.Parallel(w, f, s.Name, s.Metric, s.Mode == definition.Max, axes, pts, sc)
	}}, ""
}

// surfaceGrid is the number of grid positions per numeric axis of the
// contour plot: 30 × 30 cells, smooth enough at 16 cm. The model's
// partial dependence costs 30² × analysis.SurfaceSamples predictions, each
// O(n) in the n trials fitted: measured on 3,000 trials of 10 params
// (2,000 fitted), the contour plot added about 3.5 s of CPU at 30 (2 s at
// 20, 5.8 s at 40) to the 3.3 s of the analysis without plots.
const surfaceGrid = 30

// contourPlot returns the contour plot of a search: the importance
// model's prediction over the pair of params pairOf picks, with the
// trials on it; nil, and why, when there is none.
func contourPlot(s *definition.Search, trials []analysis.Trial, as *views.AnalyzeSearchJSON, a *arguments.Analyze) (*plotJob, string) {
	if len(s.Params) < 2 {
		return nil, fmt.Sprintf("a contour plot needs two params, and search.%s has %d", s.Name, len(s.Params))
	}
	x, y := pairOf(s, as, a.Params)
	sf, err := analysis.PredictSurface(s.Space, paramPaths(s), trials, x, y, surfaceGrid, importanceSeed)
	if err != nil {
		return nil, err.Error()
	}
	axis := func(ax analysis.SurfaceAxis) plots.SurfaceAxis {
		return plots.SurfaceAxis{Name: ax.Name, Log: ax.Log, Values: ax.Values, Categories: ax.Categories}
	}
	surface := plots.Surface{X: axis(sf.X), Y: axis(sf.Y), Z: sf.Z, Subtitle: sf.Note}
	pts := make([]plots.SurfacePoint, len(sf.Points))
	for i, p := range sf.Points {
		pts[i] = plots.SurfacePoint{X: p.X, Y: p.Y, Score: p.Score}
	}
	sc := scale(a)
	return &plotJob{title: fmt.Sprintf("Predicted %s over %s and %s", s.Metric, sf.X.Name, sf.Y.Name), draw: func(w io.Writer, f plots.Format) error {
		return plots.Contour(w, f, s.Name, s.Metric, s.Mode == definition.Max, surface, pts, sc)
	}}, ""
}

// importanceErrors returns the uncertainty of each share of imp.
func importanceErrors(imp analysis.ImportanceReport) map[string]float64 {
	return imp.Errors
}

// failureImportance adds to out which params predict a failed trial, or
// why that was not estimated.
func failureImportance(s *definition.Search, names []string, trials []analysis.Trial, out *views.AnalyzeSearchJSON) {
	imp, err := analysis.EstimateFailureImportance(s.Space, names, trials, importanceSeed)
	if err != nil {
		out.FailureImportanceNote = err.Error()
		return
	}
	out.FailureImportance, out.FailureImportanceErrors = imp.Shares, imp.Errors
}
