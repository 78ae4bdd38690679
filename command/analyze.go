package command

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/plots"
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

  -plots writes a convergence plot, the importance bar chart, and one
  param-vs-score plot per param; a plot of more than 5,000 trials draws
  5,000 of them. -json prints per search "summary", "best_config",
  "best_n", "convergence", "importance" {PARAM: share}, "importance_note",
  "importance_subset" (only when fitted on a subset) and "plots".
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
	for i, s := range searches {
		doc.Searches[s.Name], trials[i] = summarizeSearch(s, o.st.Trials(s.Name), a)
		order = append(order, s.Name)
	}
	o.st = nil
	// The heap may grow to twice what was live at the last collection,
	// which fell while the state was decoded: collect now, and what
	// follows reuses the state's memory rather than growing the heap to
	// that goal (100,000 trials: about 350 MB peak instead of 450).
	runtime.GC()
	for i, s := range searches {
		if err := m.completeSearch(s, trials[i], doc.Searches[s.Name], a); err != nil {
			return fail(view, "Cannot analyze search."+s.Name, err)
		}
		trials[i] = nil
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

// analysisTrials converts the trials that match the definition.
func analysisTrials(s *definition.Search, trials []*state.Trial) []analysis.Trial {
	var out []analysis.Trial
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
	}
	return out
}

// summarizeSearch returns the analysis of one search but for the
// importance and the plots (see completeSearch), and the trials of st that
// match the definition.
func summarizeSearch(s *definition.Search, st []*state.Trial, a *arguments.Analyze) (*views.AnalyzeSearchJSON, []analysis.Trial) {
	trials := analysisTrials(s, st)
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
	// The importance and the plots need neither the params nor the
	// metrics (Summary and BestN hold copies): let the state's maps go
	// with the state.
	for i := range trials {
		trials[i].Params, trials[i].Metrics = nil, nil
	}
	return out, trials
}

// completeSearch adds the importance to out and, with -plots, draws the
// plots.
func (m *Meta) completeSearch(s *definition.Search, trials []analysis.Trial, out *views.AnalyzeSearchJSON, a *arguments.Analyze) error {
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
		files, err := m.writePlots(s, trials, out, a)
		if err != nil {
			return err
		}
		out.Plots = files
	}
	return nil
}

// writePlots draws the plots of one search into the -plots directory.
func (m *Meta) writePlots(s *definition.Search, trials []analysis.Trial, as *views.AnalyzeSearchJSON, a *arguments.Analyze) ([]string, error) {
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
	if len(as.Convergence) == 0 {
		return files, nil // nothing completed: nothing to draw
	}
	conv := make([]plots.ConvergencePoint, len(as.Convergence))
	for i, c := range as.Convergence {
		conv[i] = plots.ConvergencePoint{Trial: c.Trial, Score: c.Score, BestSoFar: c.BestSoFar, Initial: c.Initial}
	}
	if err := write("convergence", func(w io.Writer) error { return plots.Convergence(w, f, s.Name, s.Metric, conv) }); err != nil {
		return nil, err
	}
	if as.Importance != nil {
		if err := write("importance", func(w io.Writer) error { return plots.Importance(w, f, s.Name, s.Metric, as.Importance) }); err != nil {
			return nil, err
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
			return plots.ParamVsScore(w, f, s.Name, p.Path, s.Metric, log, categories, pts)
		}); err != nil {
			return nil, err
		}
	}
	return files, nil
}
