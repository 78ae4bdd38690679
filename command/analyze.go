package command

import (
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/plots"
	fwruntime "github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

const analyzeHelp = `
Usage: fwapply [-chdir=DIR] analyze [flags] [search.NAME...]

  Analyzes the trials of each search that match its definition: trials by
  status, the best score and config, the best-so-far trajectory, time
  spent, the N best trials (ties by trial number) with their configs, and
  each parameter's importance: its share of the variance of a
  Gaussian-process model of the metric (normalized total-order Sobol
  indices of the model's mean), ± its uncertainty. When trials failed,
  the failure importance says which params predict a failure. The model
  is fitted on at most 2,000 trials: a larger search's importance is
  estimated on a fixed sample of them, and the output says so.

  Trials the search's pruner stopped are counted and listed apart, with
  the pruner's reasons; they are never the best, and the importance is
  fitted on completed trials only.

  Two or more searches named are also compared (they must share metric
  and mode): a table of each one's best score, the trials and time it
  took to come within 1 % of it, and its wall and trial time, and the
  plots compare-trials and compare-time of their best so far.

  Plots: -plots=DIR draws every plot into DIR, -o=FILE the one plot
  selected, -html=FILE a self-contained report with every plot inline.
  -plot selects kinds: convergence, importance, failure-importance,
  slice (one per param, or per -param), progress (intermediate values),
  parallel (parallel coordinates), contour (the model's prediction over
  a pair of params: the first two -param, else the two most important),
  compare-trials and compare-time. A plot of more than 5,000 trials
  draws 5,000 of them, the intermediate-values plot 500 trials. Score
  axes are logarithmic when the scores span more than two decades or are
  all positive with outliers (-yscale forces linear or log).

  -json prints per search "summary", "best_config", "best_n" (each with
  its "config"), "convergence", "importance" {PARAM: share},
  "importance_errors", "importance_note", "importance_subset" (only when
  fitted on a subset), "failure_importance", "failure_importance_errors",
  "failure_importance_note", "pruned" and "plots"; and "comparison" when
  searches are compared, "report" with -html.
`

// importanceSeed makes importance estimates reproducible.
const importanceSeed = 1

func runAnalyze(m *Meta, args []string) int {
	a, diags := arguments.ParseAnalyze(args)
	if diags.HasErrors() {
		return m.parseFailed("analyze", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	res, o := m.loadWithState(a.Vars, a.State, "analyze", view)
	if res == nil {
		return 1
	}
	defer o.Close()
	def := res.Definition
	searches, err := analyzedSearches(def, a)
	if err != nil {
		return fail(view, "Cannot analyze", err)
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
	sink := newPlotSink(m, a, doc)
	var cmp *comparison
	if len(searches) > 1 {
		cmp = newComparison(searches, trials, doc)
	}
	for i, s := range searches {
		as := doc.Searches[s.Name]
		if err := m.completeSearch(s, trials[i], extra[i], as, a, sink); err != nil {
			return fail(view, "Cannot analyze search."+s.Name, err)
		}
		trials[i], extra[i] = nil, plotData{}
	}
	if cmp != nil {
		doc.Comparison = cmp.view
		if err := sink.put("", cmp.plots(a)); err != nil {
			return fail(view, "Cannot draw the comparison", err)
		}
	}
	if err := sink.finish(); err != nil {
		return fail(view, "Cannot write the plot", err)
	}
	if a.HTML != "" {
		path := m.abs(a.HTML)
		if err := writeReport(path, def, order, doc, extra, sink); err != nil {
			return fail(view, "Cannot write the report", err)
		}
		doc.Report = m.display(path)
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

// analyzedSearches returns the searches analyze names, in the order
// named (every search, in file order, when none is named), after
// checking that the -param paths are params of each and that searches
// compared share their metric and mode.
func analyzedSearches(def *definition.Definition, a *arguments.Analyze) ([]*definition.Search, error) {
	var searches []*definition.Search
	var names []string
	for _, s := range def.Searches {
		names = append(names, s.Name)
	}
	if len(a.Searches) == 0 {
		// A search known only after apply has nothing to analyze yet.
		searches = slices.DeleteFunc(slices.Clone(def.Searches), func(s *definition.Search) bool { return s.Deferred != nil })
	}
	for _, n := range a.Searches {
		s := def.Search(n)
		if s == nil {
			return nil, &diagError{summary: "No such search", detail: fmt.Sprintf("search.%s is not defined.%s The searches are %s.",
				n, fwhcl.Suggest(n, slices.Clone(names)), listOrNone(names))}
		}
		if s.Deferred != nil {
			return nil, &diagError{summary: "Search not known yet", detail: fmt.Sprintf("search.%s's definition is known only after apply: it %s. Run fwapply apply, then analyze it.", s.Name, s.Deferred.Reason)}
		}
		searches = append(searches, s)
	}
	if len(searches) == 0 {
		return nil, &diagError{summary: "No search", detail: "The search files define no search to analyze."}
	}
	for _, s := range searches {
		paths := paramPaths(s)
		for _, p := range a.Params {
			if !slices.Contains(paths, p) {
				return nil, &diagError{summary: "No such param", detail: fmt.Sprintf("search.%s has no param %q.%s Its params are %s.",
					s.Name, p, fwhcl.Suggest(p, slices.Clone(paths)), listOrNone(paths))}
			}
		}
	}
	if len(a.Searches) > 1 {
		first := searches[0]
		for _, s := range searches[1:] {
			if s.Metric != first.Metric || s.Mode != first.Mode {
				return nil, &diagError{summary: "Searches not comparable", detail: fmt.Sprintf(
					"search.%s is scored by %s %s and search.%s by %s %s: searches compared must share their metric and mode.",
					first.Name, first.Mode, first.Metric, s.Name, s.Mode, s.Metric)}
			}
		}
	}
	return searches, nil
}

// listOrNone joins names with commas, or says there are none.
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// paramPaths returns the paths of a search's params, in order.
func paramPaths(s *definition.Search) []string {
	out := make([]string, len(s.Params))
	for i, p := range s.Params {
		out[i] = p.Path
	}
	return out
}

// scale returns the -yscale of every score axis.
func scale(a *arguments.Analyze) plots.Scale {
	switch a.YScale {
	case "linear":
		return plots.ScaleLinear
	case "log":
		return plots.ScaleLog
	}
	return plots.ScaleAuto
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

// plotData is what the plots and the report of a search need beyond
// its analysis: its pruned trials as points of the convergence plot,
// where the intermediate values of its completed and pruned trials are,
// and, with -html, the rows of its parameter table.
type plotData struct {
	pruned []plots.ConvergencePoint
	curves []curveSource
	rows   []reportRow
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
// match the definition, and what the plots and the report need of them
// beyond that.
func summarizeSearch(s *definition.Search, st []*state.Trial, a *arguments.Analyze) (*views.AnalyzeSearchJSON, []analysis.Trial, plotData) {
	trials, matched := analysisTrials(s, st)
	mode := string(s.Mode)
	out := &views.AnalyzeSearchJSON{
		Stage:       views.NewStageJSON(s),
		Summary:     analysis.Summarize(s.Name, s.Metric, mode, trials),
		BestN:       analysis.BestN(trials, mode, a.Top),
		Convergence: analysis.Convergence(trials, mode),
		Plots:       []string{},
	}
	configs := map[int]map[string]any{}
	for _, b := range out.BestN {
		configs[b.Number] = nil
	}
	for _, t := range matched {
		if _, ok := configs[t.Number]; ok {
			configs[t.Number] = t.Config
		}
	}
	for _, b := range out.BestN {
		out.BestNConfigs = append(out.BestNConfigs, configs[b.Number])
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
	if drawing(a) && selected(a, "progress") {
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
	if a.HTML != "" {
		pd.rows = make([]reportRow, len(trials))
		for i, t := range trials {
			pd.rows[i] = reportRow{number: t.Number, status: t.Status, params: t.Params}
			if v, ok := t.Metrics[s.Metric]; ok {
				pd.rows[i].score = &v
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

// drawing reports whether analyze draws plots: with -plots, -o or -html.
func drawing(a *arguments.Analyze) bool {
	return a.Plots != "" || a.Output != "" || a.HTML != ""
}

// selected reports whether -plot selects plots of kind (no -plot
// selects every kind).
func selected(a *arguments.Analyze, kind string) bool {
	return len(a.Plot) == 0 || slices.Contains(a.Plot, kind)
}

// completeSearch adds the importance and the failure importance to out
// and draws the search's plots selected into sink.
func (m *Meta) completeSearch(s *definition.Search, trials []analysis.Trial, pd plotData, out *views.AnalyzeSearchJSON, a *arguments.Analyze, sink *plotSink) error {
	names := paramPaths(s)
	if imp, err := analysis.EstimateImportance(s.Space, names, trials, importanceSeed); err != nil {
		out.ImportanceNote = err.Error()
	} else {
		out.Importance, out.ImportanceFitted, out.ImportanceUsable = imp.Shares, imp.Fitted, imp.Usable
		out.ImportanceErrors, out.ImportanceNote = importanceErrors(imp), imp.Note()
	}
	failureImportance(s, names, trials, out)
	if !drawing(a) {
		return nil
	}
	jobs, skipped := searchPlots(s, trials, pd, out, a)
	for _, k := range a.Plot {
		if why, ok := skipped[k]; ok {
			return fmt.Errorf("no %s plot: %s", k, why)
		}
	}
	return sink.put(s.Name, jobs)
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
