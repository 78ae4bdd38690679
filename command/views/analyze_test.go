package views

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
)

// TestAnalyzeSubsetGolden: an importance fitted on a subset of the trials
// says so, in the text and in the JSON; fitted on all of them, neither
// says anything (analyze.golden, analyze_json.golden).
func TestAnalyzeSubsetGolden(t *testing.T) {
	def, st := fixture(t)
	s := def.Searches[0]
	var trials []analysis.Trial
	for _, tr := range st.Trials("coarse") {
		pt, _ := plan.Match(s, tr)
		trials = append(trials, analysis.Trial{Number: tr.Number, Point: pt, Params: tr.Params, Status: string(tr.Status),
			Score: tr.Metrics["val_loss"], Metrics: tr.Metrics, Started: tr.Started, Ended: tr.Ended})
	}
	as := &AnalyzeSearchJSON{
		Summary:          analysis.Summarize("coarse", "val_loss", "min", trials),
		BestN:            analysis.BestN(trials, "min", 5),
		Convergence:      analysis.Convergence(trials, "min"),
		Importance:       map[string]float64{"training.lr": 0.75, "optimizer": 0.25},
		ImportanceFitted: 2000,
		ImportanceUsable: 100000,
		BestConfig:       st.Trial("coarse", 1).Config,
		Plots:            []string{},
	}
	doc := &AnalyzeJSON{FormatVersion: FormatVersion, Searches: map[string]*AnalyzeSearchJSON{"coarse": as}}
	text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) })
	golden(t, "analyze_subset", text)
	if !strings.Contains(text, "fitted on 2,000 of 100,000 trials") {
		t.Errorf("text does not say the importance was fitted on a subset:\n%s", text)
	}
	js := render(func(v *View) { v.JSON(doc) })
	golden(t, "analyze_subset_json", js)
	var got struct {
		Searches map[string]struct {
			Subset *struct{ Fitted, Usable int } `json:"importance_subset"`
		}
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if sub := got.Searches["coarse"].Subset; sub == nil || sub.Fitted != 2000 || sub.Usable != 100000 {
		t.Errorf("importance_subset = %+v, want fitted 2000 of 100000", sub)
	}

	// Fitted on all: no subset.
	as.ImportanceFitted, as.ImportanceUsable = 2, 2
	if text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) }); strings.Contains(text, "fitted on") {
		t.Errorf("all trials fitted, but the text says:\n%s", text)
	}
	if js := render(func(v *View) { v.JSON(doc) }); strings.Contains(js, "importance_subset") {
		t.Errorf("all trials fitted, but the JSON has importance_subset")
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 12: "12", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -2000: "-2,000"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestAnalyzeQueued: when trials waited in a scheduler's queue, analyze
// reports the queue time apart from the time spent running, in the text
// (analyze_queued.golden) and in the JSON; when none did, neither says
// anything (analyze.golden, analyze_json.golden).
func TestAnalyzeQueued(t *testing.T) {
	def, st := fixture(t)
	var trials []analysis.Trial
	for i, tr := range st.Trials("coarse") {
		trials = append(trials, analysis.Trial{Number: tr.Number, Params: tr.Params, Status: string(tr.Status),
			Score: tr.Metrics["val_loss"], Metrics: tr.Metrics, Started: tr.Started, Ended: tr.Ended,
			Queued: time.Duration(i*i) * 20 * time.Second}) // 0 (did not queue), 20s, 1m20s, 3m
	}
	as := &AnalyzeSearchJSON{
		Summary:        analysis.Summarize("coarse", "val_loss", "min", trials),
		BestN:          analysis.BestN(trials, "min", 5),
		ImportanceNote: "not enough trials",
		BestConfig:     st.Trial("coarse", 1).Config,
	}
	doc := &AnalyzeJSON{FormatVersion: FormatVersion, Searches: map[string]*AnalyzeSearchJSON{"coarse": as}}
	golden(t, "analyze_queued", render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) }))
	var got struct {
		Searches map[string]struct {
			Summary map[string]any
		}
	}
	if err := json.Unmarshal([]byte(render(func(v *View) { v.JSON(doc) })), &got); err != nil {
		t.Fatal(err)
	}
	sum := got.Searches["coarse"].Summary
	if sum["queued_trials"] != 3.0 || sum["queue_time_seconds"] != 280.0 || sum["queue_median_seconds"] != 80.0 {
		t.Errorf("summary: queued_trials %v, queue_time_seconds %v, queue_median_seconds %v; want 3, 280, 80",
			sum["queued_trials"], sum["queue_time_seconds"], sum["queue_median_seconds"])
	}
}

// analyzeDoc is the analysis of the fixture's search "coarse", as the
// command builds it but for the importance and the configs of the best.
func analyzeDoc(t *testing.T) (*AnalyzeJSON, *AnalyzeSearchJSON, *definition.Definition) {
	t.Helper()
	def, st := fixture(t)
	s := def.Searches[0]
	var trials []analysis.Trial
	for _, tr := range st.Trials("coarse") {
		pt, _ := plan.Match(s, tr)
		trials = append(trials, analysis.Trial{Number: tr.Number, Point: pt, Params: tr.Params, Status: string(tr.Status),
			Score: tr.Metrics["val_loss"], Metrics: tr.Metrics, Started: tr.Started, Ended: tr.Ended})
	}
	as := &AnalyzeSearchJSON{
		Summary:     analysis.Summarize("coarse", "val_loss", "min", trials),
		BestN:       analysis.BestN(trials, "min", 5),
		Convergence: analysis.Convergence(trials, "min"),
		BestConfig:  st.Trial("coarse", 1).Config,
		Plots:       []string{},

		ImportanceNote: "needs at least 5 completed trials with a score, has 2",
	}
	for _, b := range as.BestN {
		as.BestNConfigs = append(as.BestNConfigs, st.Trial("coarse", b.Number).Config)
	}
	doc := &AnalyzeJSON{FormatVersion: FormatVersion, Searches: map[string]*AnalyzeSearchJSON{"coarse": as}}
	return doc, as, def
}

// TestAnalyzeConfigsGolden: the best trials are followed by their
// configs, compact and nested (analyze_configs.golden), and each best_n
// entry of the JSON has its "config"; shares have their uncertainty, and
// the failure importance follows the importance.
func TestAnalyzeConfigsGolden(t *testing.T) {
	doc, as, def := analyzeDoc(t)
	as.Importance = map[string]float64{"training.lr": 0.75, "optimizer": 0.25}
	as.ImportanceErrors = map[string]float64{"training.lr": 0.031, "optimizer": 0.0125}
	as.ImportanceNote = "importance is over the values with completed trials only; no completed trial has optimizer = adam"
	as.FailureImportance = map[string]float64{"training.lr": 0.1, "optimizer": 0.9}
	as.FailureImportanceErrors = map[string]float64{"training.lr": 0.05, "optimizer": 0.05}
	text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) })
	golden(t, "analyze_configs", text)
	for _, want := range []string{
		"  Configs of the best 2",
		`    1. trial 1: optimizer = "sgd", training = { epochs = 5, lr = 0.000866527 }` + "\n",
		"    training.lr   75.0% ±  3.1  ",
		"████\n    importance is over the values with completed trials only; no completed trial has optimizer = adam\n  Failure",
		"  Failure importance (which params predict that a trial fails; 1 failed, 2 completed):\n    optimizer     90.0% ±  5.0  ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	var got struct {
		Searches map[string]struct {
			BestN []struct {
				Trial  int
				Config map[string]any
			} `json:"best_n"`
			Errors  map[string]float64 `json:"importance_errors"`
			Failure map[string]float64 `json:"failure_importance"`
			FErrors map[string]float64 `json:"failure_importance_errors"`
		}
	}
	if err := json.Unmarshal([]byte(render(func(v *View) { v.JSON(doc) })), &got); err != nil {
		t.Fatal(err)
	}
	g := got.Searches["coarse"]
	if len(g.BestN) != 2 || g.BestN[0].Trial != 1 || g.BestN[0].Config["optimizer"] != "sgd" || g.BestN[1].Config["training"] == nil {
		t.Errorf("best_n configs: %+v", g.BestN)
	}
	if g.Errors["training.lr"] != 0.031 || g.Failure["optimizer"] != 0.9 || g.FErrors["optimizer"] != 0.05 {
		t.Errorf("importance_errors %v, failure_importance %v, failure_importance_errors %v", g.Errors, g.Failure, g.FErrors)
	}

	// Without a failure importance, a search with failed trials says
	// why; one without failed trials says nothing.
	as.FailureImportance, as.FailureImportanceNote = nil, "needs at least 5 trials, has 3"
	if text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) }); !strings.Contains(text, "  Failure importance: needs at least 5 trials, has 3\n") {
		t.Errorf("no failure importance note:\n%s", text)
	}
	delete(as.Summary.ByStatus, "failed")
	if text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) }); strings.Contains(text, "Failure importance") {
		t.Errorf("no failed trial, yet:\n%s", text)
	}
}

func TestCompactValue(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{map[string]any{"b": int64(2), "a": "x"}, `{ a = "x", b = 2 }`},
		{map[string]any{}, "{}"},
		{[]any{1.5, true, nil}, "[1.5, true, null]"},
		{map[string]any{"m": map[string]any{"lr": 0.000123456789}}, "{ m = { lr = 0.000123457 } }"},
	}
	for _, tt := range tests {
		if got := compactValue(tt.in); got != tt.want {
			t.Errorf("compactValue(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestAnalyzeConfigsWrap: a config wider than configWidth is wrapped
// between top-level keys, aligned after the rank.
func TestAnalyzeConfigsWrap(t *testing.T) {
	doc, as, def := analyzeDoc(t)
	cfg := map[string]any{}
	for _, k := range []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"} {
		cfg[k] = strings.Repeat(k[:1], 10)
	}
	as.BestNConfigs = []map[string]any{cfg, nil}
	text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) })
	want := `    1. trial 1: alpha = "aaaaaaaaaa", bravo = "bbbbbbbbbb", charlie = "cccccccccc",` + "\n" +
		`                delta = "dddddddddd", echo = "eeeeeeeeee", foxtrot = "ffffffffff",` + "\n" +
		`                golf = "gggggggggg", hotel = "hhhhhhhhhh"` + "\n"
	if !strings.Contains(text, want) {
		t.Errorf("want\n%s\nin:\n%s", want, text)
	}
	if strings.Contains(text, "2. trial 0") {
		t.Errorf("a best trial without a config is listed:\n%s", text)
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "    1. ") || strings.HasPrefix(l, "                ") {
			if len(l) > configWidth+1 {
				t.Errorf("line of %d characters: %q", len(l), l)
			}
		}
	}
}

// TestCompareGolden: a comparison is a side-by-side table in the text
// (analyze_compare.golden) and an object in the JSON.
func TestCompareGolden(t *testing.T) {
	doc, _, def := analyzeDoc(t)
	best1, best2 := 0.0123, -0.5
	doc.Comparison = &Comparison{Metric: "val_loss", Mode: "min", Rows: []CompareRow{
		{Search: "grid", Strategy: "grid", Trials: 16, Completed: 16, Best: &best1, BestTrial: 9,
			Within: &Within{Trials: 10, Trial: 9, Elapsed: 3200 * time.Millisecond}, WallTime: 5 * time.Second, TrialTime: 16 * time.Second},
		{Search: "bayes", Strategy: "bayesian", Trials: 12, Completed: 11, Best: &best2, BestTrial: 7,
			Within: &Within{Trials: 1, Trial: 0}, WallTime: 4 * time.Second, TrialTime: 11 * time.Second},
		{Search: "random", Strategy: "random", Trials: 2},
	}, Plots: []string{"plots/comparison-trials.png", "plots/comparison-time.png"}}
	doc.Report = "report.html"
	text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) })
	golden(t, "analyze_compare", text)
	for _, want := range []string{
		"  grid    grid      16      0.0123 (trial 9)",
		"10 trials (trial 9), 3.2s",
		"Plots: plots/comparison-trials.png, plots/comparison-time.png\n",
		"\nReport: report.html\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	var got struct {
		Comparison struct {
			Metric, Mode string
			Searches     []map[string]any
			Plots        []string
		}
		Report string
	}
	if err := json.Unmarshal([]byte(render(func(v *View) { v.JSON(doc) })), &got); err != nil {
		t.Fatal(err)
	}
	c := got.Comparison
	if c.Metric != "val_loss" || c.Mode != "min" || len(c.Searches) != 3 || len(c.Plots) != 2 || got.Report != "report.html" {
		t.Fatalf("comparison: %+v", got)
	}
	w, _ := c.Searches[0]["within_1pct"].(map[string]any)
	if c.Searches[0]["best"] != 0.0123 || w["trials"] != 10.0 || w["trial"] != 9.0 || w["seconds"] != 3.2 || c.Searches[0]["trial_time_seconds"] != 16.0 {
		t.Errorf("grid: %v", c.Searches[0])
	}
	if r := c.Searches[2]; r["best"] != nil || r["within_1pct"] != nil || r["best_trial"] != nil {
		t.Errorf("a search without a completed trial: %v", r)
	}
}
