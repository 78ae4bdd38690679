package views

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/analysis"
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
