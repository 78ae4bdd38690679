package command

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/plots"
	fwruntime "github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

const analyzeHelp = `
Usage: fwapply [-chdir=DIR] analyze [flags] [search.NAME]

  Analyzes the trials of each search that match its definition: trials by
  status, the best score and config, the best-so-far trajectory, time
  spent, the N best trials (ties by trial number), and each parameter's
  importance: its share of the variance of a Gaussian-process model of the
  metric (normalized total-order Sobol indices of the model's mean). The
  model is fitted on at most 2,000 trials: a larger search's importance
  is estimated on a fixed sample of them, and the output says so.

  Trials the search's pruner stopped are counted and listed apart, with
  the pruner's reasons; they are never the best, and the importance is
  fitted on completed trials only.

  -plots writes a convergence plot (pruned trials marked apart), the
  importance bar chart, one param-vs-score plot per param and, when trials
  reported progress, the intermediate-values plot (<search>-progress: each
  trial's watched metric by step, pruned trials apart); a plot of more
  than 5,000 trials draws 5,000 of them, the intermediate-values plot
  500 trials. -json prints per search "summary", "best_config", "best_n",
  "convergence", "importance" {PARAM: share}, "importance_note",
  "importance_subset" (only when fitted on a subset), "pruned" and
  "plots".
`

// importanceSeed makes importance estimates reproducible.
const importanceSeed = 1

func runAnalyze(m *Meta, args []string) int {
	a, diags := arguments.ParseAnalyze(args)
	if diags.HasErrors() {
		return m.parseFailed("analyze", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	res := m.loadDefinition(a.Vars, view)
	if res == nil {
		return 1
	}
	def := res.Definition
	o, err := m.openState(context.Background(), a.State, "analyze", false, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	var searches []*definition.Search
	for _, s := range def.Searches {
		if a.Search == "" || s.Name == a.Search {
			searches = append(searches, s)
		}
	}
	if len(searches) == 0 {
		return fail(view, "No such search", fmt.Errorf("search.%s is not defined", a.Search))
	}
	doc := &views.AnalyzeJSON{FormatVersion: views.FormatVersion, Searches: map[string]*views.AnalyzeSearchJSON{}}
	var order []string
	// Every search's trials are converted first, then the state is let
	// go: the importance and the plots need only the converted trials, and
	// the state of a big search takes several times their memory.
	trials := make([][]analysis.Trial, len(searches))
	extra := make([]plotData, len(searches))
	for i, s := range searches {
		doc.Searches[s.Name], trials[i], extra[i] = summarizeSearch(s, o.st.Trials(s.Name), a)
		order = append(order, s.Name)
	}
	o.st = nil
	// The heap may grow to twice what was live at the last collection,
	// which fell while the state was decoded: collect now, and what
	// follows reuses the state's memory rather than growing the heap to
	// that goal (100,000 trials: about 350 MB peak instead of 450).
	runtime.GC()
	for i, s := range searches {
		if err := m.completeSearch(s, trials[i], extra[i], doc.Searches[s.Name], a); err != nil {
			return fail(view, "Cannot analyze search."+s.Name, err)
		}
		trials[i], extra[i] = nil, plotData{}
	}
	if a.JSON {
		if err := view.JSON(doc); err != nil {
			return fail(view, "Cannot write output", err)
		}
		return 0
	}
	view.Analyze(doc, order, def)
	return 0
}

// analysisTrials converts the trials that match the definition; matched
// are those trials.
func analysisTrials(s *definition.Search, trials []*state.Trial) (out []analysis.Trial, matched []*state.Trial) {
	initial := 0
	if s.Strategy == definition.Bayesian && s.Bayesian != nil {
		initial = s.Bayesian.InitialPoints
	}
	matcher := plan.NewMatcher(s)
	for _, t := range trials {
		pt, ok := matcher.Match(t)
		if !ok {
			continue
		}
		out = append(out, analysis.Trial{
			Number: t.Number, Point: pt, Params: t.Params, Status: string(t.Status), Score: t.Metrics[s.Metric],
			Metrics: t.Metrics, Started: t.Started, Ended: t.Ended, Queued: t.Queued, Initial: len(out) < initial,
		})
		matched = append(matched, t)
	}
	return out, matched
}

// plotData is what the plots of a search need beyond its analysis: its
// pruned trials as points of the convergence plot, and where the
// intermediate values of its completed and pruned trials are.
type plotData struct {
	pruned []plots.ConvergencePoint
	curves []curveSource
}

// curveSource is where a trial's intermediate values are: its watched
// steps in the state, or else its progress file.
type curveSource struct {
	trial  int
	pruned bool
	steps  []state.Step // nil: read the progress file in dir
	dir    string
}

// prunedTrials returns the pruned trials among matched, and, for the
// convergence plot, the points of those whose value is on the scale of
// the search's metric: the metric, when the trial reported it, else the
// value it was pruned at when the pruner watches the search's metric.
func prunedTrials(s *definition.Search, matched []*state.Trial) ([]views.PrunedTrial, []plots.ConvergencePoint) {
	out := []views.PrunedTrial{}
	var pts []plots.ConvergencePoint
	for _, t := range matched {
		if t.Status != state.Pruned {
			continue
		}
		p := views.PrunedTrial{Trial: t.Number, Reason: t.Error}
		if t.Pruned != nil {
			p.Step, p.Value = t.Pruned.Step, t.Pruned.Value
		}
		out = append(out, p)
		if v, ok := t.Metrics[s.Metric]; ok {
			pts = append(pts, plots.ConvergencePoint{Trial: t.Number, Score: v, Pruned: true})
		} else if t.Pruned != nil && views.PrunerMetric(s) == s.Metric {
			pts = append(pts, plots.ConvergencePoint{Trial: t.Number, Score: t.Pruned.Value, Pruned: true})
		}
	}
	return out, pts
}

// summarizeSearch returns the analysis of one search but for the
// importance and the plots (see completeSearch), the trials of st that
// match the definition, and, with -plots, what the plots need of them
// beyond that.
func summarizeSearch(s *definition.Search, st []*state.Trial, a *arguments.Analyze) (*views.AnalyzeSearchJSON, []analysis.Trial, plotData) {
	trials, matched := analysisTrials(s, st)
	mode := string(s.Mode)
	out := &views.AnalyzeSearchJSON{
		Summary:     analysis.Summarize(s.Name, s.Metric, mode, trials),
		BestN:       analysis.BestN(trials, mode, a.Top),
		Convergence: analysis.Convergence(trials, mode),
		Plots:       []string{},
	}
	if out.Summary.Best != nil {
		for _, t := range st {
			if t.Number == out.Summary.Best.Number {
				out.BestConfig = t.Config
			}
		}
	}
	var pd plotData
	out.Pruned, pd.pruned = prunedTrials(s, matched)
	if a.Plots != "" {
		for _, t := range matched {
			if t.Status == state.Completed || t.Status == state.Pruned {
				pd.curves = append(pd.curves, curveSource{trial: t.Number, pruned: t.Status == state.Pruned, steps: t.Steps, dir: t.Dir})
			}
		}
		// Keep only what the plot draws of a search of many trials.
		if shown := plots.SampleCurves(len(pd.curves)); shown != nil {
			for i := range pd.curves {
				if !shown[i] {
					pd.curves[i].steps, pd.curves[i].dir = nil, ""
				}
			}
		}
	}
	// The importance and the plots need neither the params nor the
	// metrics (Summary and BestN hold copies): let the state's maps go
	// with the state.
	for i := range trials {
		trials[i].Params, trials[i].Metrics = nil, nil
	}
	return out, trials, pd
}

// completeSearch adds the importance to out and, with -plots, draws the
// plots.
func (m *Meta) completeSearch(s *definition.Search, trials []analysis.Trial, pd plotData, out *views.AnalyzeSearchJSON, a *arguments.Analyze) error {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Path
	}
	if imp, err := analysis.EstimateImportance(s.Space, names, trials, importanceSeed); err != nil {
		out.ImportanceNote = err.Error()
	} else {
		out.Importance, out.ImportanceFitted, out.ImportanceUsable = imp.Shares, imp.Fitted, imp.Usable
	}
	if a.Plots != "" {
		files, err := m.writePlots(s, trials, pd, out, a)
		if err != nil {
			return err
		}
		out.Plots = files
	}
	return nil
}

// writePlots draws the plots of one search into the -plots directory.
func (m *Meta) writePlots(s *definition.Search, trials []analysis.Trial, pd plotData, as *views.AnalyzeSearchJSON, a *arguments.Analyze) ([]string, error) {
	dir := m.abs(a.Plots)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the plot directory: %w", err)
	}
	f := plots.Format(a.Format)
	var files []string
	write := func(name string, draw func(io.Writer) error) error {
		path := filepath.Join(dir, s.Name+"-"+name+"."+a.Format)
		if err := plots.WriteFile(path, draw); err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		files = append(files, m.display(path))
		return nil
	}
	if len(as.Convergence) > 0 { // else nothing completed: no scores to draw
		if err := scorePlots(write, f, s, trials, pd, as); err != nil {
			return nil, err
		}
	}
	if curves := progressCurves(s, pd.curves); curves != nil {
		if err := write("progress", func(w io.Writer) error {
			return plots.Progress(w, f, s.Name, views.PrunerMetric(s), curves, plots.ScaleAuto)
		}); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// scorePlots draws the plots of a search's scores: the convergence, the
// importance and each param against the score.
func scorePlots(write func(string, func(io.Writer) error) error, f plots.Format, s *definition.Search, trials []analysis.Trial, pd plotData, as *views.AnalyzeSearchJSON) error {
	conv := make([]plots.ConvergencePoint, len(as.Convergence), len(as.Convergence)+len(pd.pruned))
	for i, c := range as.Convergence {
		conv[i] = plots.ConvergencePoint{Trial: c.Trial, Score: c.Score, BestSoFar: c.BestSoFar, Initial: c.Initial}
	}
	conv = append(conv, pd.pruned...)
	if err := write("convergence", func(w io.Writer) error { return plots.Convergence(w, f, s.Name, s.Metric, conv, plots.ScaleAuto) }); err != nil {
		return err
	}
	if as.Importance != nil {
		if err := write("importance", func(w io.Writer) error {
			return plots.Importance(w, f, fmt.Sprintf("%s: parameter importance (%s)", s.Name, s.Metric), importanceBars(as.Importance, nil))
		}); err != nil {
			return err
		}
	}
	for i, p := range s.Params {
		var pts []plots.ParamPoint
		for _, t := range trials {
			if t.Status == analysis.StatusCompleted {
				pts = append(pts, plots.ParamPoint{Value: t.Point[i], Score: t.Score, Initial: t.Initial})
			}
		}
		var categories []string
		log := false
		switch d := p.Dim.(type) {
		case *space.Categorical:
			for _, v := range d.Values {
				categories = append(categories, fmt.Sprint(v))
			}
			for j := range pts {
				pts[j].Value = fmt.Sprint(pts[j].Value)
			}
		case *space.Real:
			log = d.Log
		case *space.Integer:
			log = d.Log
		}
		name := "param-" + strings.ReplaceAll(p.Path, "/", "_")
		if err := write(name, func(w io.Writer) error {
			return plots.ParamVsScore(w, f, s.Name, p.Path, s.Metric, log, categories, pts, plots.ScaleAuto)
		}); err != nil {
			return err
		}
	}
	return nil
}

// progressCurves returns the curves of the intermediate-values plot: for
// each completed or pruned trial, the values of the metric the pruner
// watches (the search's metric when it has no pruner) by step, from the
// state when it kept them (Trial.Steps), else from the trial's progress
// file. Only the curves plots.Progress draws are read (plots.SampleCurves),
// so a search of many trials reads at most plots.MaxProgressCurves files.
// It returns nil when no curve drawn has a value: then there is no plot.
func progressCurves(s *definition.Search, sources []curveSource) []plots.ProgressCurve {
	metric := views.PrunerMetric(s)
	shown := plots.SampleCurves(len(sources))
	curves := make([]plots.ProgressCurve, len(sources))
	found := false
	for i, src := range sources {
		curves[i] = plots.ProgressCurve{Trial: src.trial, Pruned: src.pruned}
		if shown != nil && !shown[i] {
			continue
		}
		if src.steps != nil {
			pts := make([]plots.StepValue, len(src.steps))
			for j, st := range src.steps {
				pts[j] = plots.StepValue{Step: st.Step, Value: st.Value}
			}
			curves[i].Points = pts
		} else if src.dir != "" {
			curves[i].Points = readCurve(filepath.Join(src.dir, fwruntime.ProgressFile), metric)
		}
		found = found || len(curves[i].Points) > 0
	}
	if !found {
		return nil
	}
	return curves
}

// readCurve reads the values of metric from a progress file, one per
// step in ascending order (the last one reported for a step); none when
// the file is missing or unreadable (the plot does without).
func readCurve(path, metric string) []plots.StepValue {
	lines, _ := fwruntime.ReadProgress(path)
	byStep := map[int64]float64{}
	for _, l := range lines {
		if v, ok := l.Metrics[metric]; ok {
			byStep[l.Step] = v
		}
	}
	if len(byStep) == 0 {
		return nil
	}
	pts := make([]plots.StepValue, 0, len(byStep))
	for _, st := range slices.Sorted(maps.Keys(byStep)) {
		pts = append(pts, plots.StepValue{Step: st, Value: byStep[st]})
	}
	return pts
}

// importanceBars returns the bars of an importance plot: each share, with
// its uncertainty from errs when there is one.
func importanceBars(shares, errs map[string]float64) []plots.ImportanceBar {
	bars := make([]plots.ImportanceBar, 0, len(shares))
	for _, name := range slices.Sorted(maps.Keys(shares)) {
		bars = append(bars, plots.ImportanceBar{Param: name, Share: shares[name], Err: errs[name]})
	}
	return bars
}
