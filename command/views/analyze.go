package views

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/definition"
)

// AnalyzeJSON is the document `fwapply analyze -json` prints: every number
// behind the text and the plots.
type AnalyzeJSON struct {
	FormatVersion string                        `json:"format_version"`
	Searches      map[string]*AnalyzeSearchJSON `json:"searches"`
	// Comparison compares the searches when two or more were named.
	Comparison *Comparison `json:"comparison,omitempty"`
	// Report is the HTML report written with -html.
	Report string `json:"report,omitempty"`
}

// AnalyzeSearchJSON is the analysis of one search. The analysis values
// stay unexported in JSON form; MarshalJSON writes the documented shape.
type AnalyzeSearchJSON struct {
	Summary     analysis.Summary
	BestConfig  map[string]any
	BestN       []analysis.Trial
	Convergence []analysis.ConvergencePoint
	Importance  map[string]float64
	// ImportanceNote is why Importance is nil, or, when it is set, which
	// values it leaves out (analysis.ImportanceReport.Note); "" for none.
	ImportanceNote string
	// ImportanceFitted and ImportanceUsable are, when Importance is set,
	// how many trials its model was fitted on and how many were usable:
	// fewer were fitted when there were more than
	// analysis.MaxImportanceTrials (0, 0: not known, all of them).
	ImportanceFitted, ImportanceUsable int
	// ImportanceErrors is, for each share of Importance, its uncertainty
	// (analysis.ImportanceReport.Errors: its standard deviation over
	// bootstrap refits); nil when not known.
	ImportanceErrors map[string]float64
	// FailureImportance is, like Importance, each param's share, but of a
	// model of whether a trial failed (analysis.EstimateFailureImportance),
	// with its uncertainties; nil with FailureImportanceNote saying why
	// when it was not estimated.
	FailureImportance       map[string]float64
	FailureImportanceErrors map[string]float64
	FailureImportanceNote   string
	// BestNConfigs[i] is the config of BestN[i] (nil when not known; a
	// shorter slice leaves the rest unknown).
	BestNConfigs []map[string]any
	// Pruned are the trials the search's pruner stopped, by number: never
	// the best, and left out of the importance, which is fitted on
	// completed trials only.
	Pruned []PrunedTrial
	Plots  []string
	// Stage is where the search's definition came from; nil for a
	// search that reads no other ("stage" is then absent).
	Stage *StageJSON
}

// BestNConfig returns the config of BestN[i], nil when not known.
func (a *AnalyzeSearchJSON) BestNConfig(i int) map[string]any {
	if i < len(a.BestNConfigs) {
		return a.BestNConfigs[i]
	}
	return nil
}

// PrunedTrial is a trial the pruner stopped: at Step, with Value of the
// metric it watches, for Reason (the trial's error).
type PrunedTrial struct {
	Trial  int
	Step   int64
	Value  float64
	Reason string
}

// prunedTrialJSON is a PrunedTrial in analyze -json.
type prunedTrialJSON struct {
	Trial  int    `json:"trial"`
	Step   int64  `json:"step"`
	Value  any    `json:"value"`
	Reason string `json:"reason"`
}

// importanceSubset reports whether the importance was fitted on a subset.
func (a *AnalyzeSearchJSON) importanceSubset() bool {
	return a.Importance != nil && a.ImportanceFitted < a.ImportanceUsable
}

type trialJSON struct {
	Rank    int                `json:"rank,omitempty"`
	Trial   int                `json:"trial"`
	Score   float64            `json:"score"`
	Params  map[string]any     `json:"params"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
	Config  *map[string]any    `json:"config,omitempty"` // set in best_n only: null when not known
}

type pointJSON struct {
	Trial     int     `json:"trial"`
	Score     float64 `json:"score"`
	BestSoFar float64 `json:"best_so_far"`
	Initial   bool    `json:"initial"`
}

// orEmpty returns m, or an empty map for nil: JSON {} rather than null.
func orEmpty(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}

// MarshalJSON writes {"summary", "best_config", "best_n" (each with its
// "config"), "convergence", "importance", "importance_errors",
// "importance_note", "failure_importance", "failure_importance_errors",
// "failure_importance_note", "pruned", "plots"} with snake_case
// fields (pruned: [{"trial", "step", "value", "reason"}], the value a
// number or "NaN", "Infinity", "-Infinity") (the
// summary with "queued_trials", "queue_time_seconds" and
// "queue_median_seconds" when trials waited in a scheduler's queue), and
// "importance_subset": {"fitted", "usable"} when the importance was fitted
// on a subset of the trials.
func (a *AnalyzeSearchJSON) MarshalJSON() ([]byte, error) {
	s := a.Summary
	summary := map[string]any{
		"metric": s.Metric, "mode": s.Mode, "by_status": s.ByStatus,
		"time_spent_seconds": s.TimeSpent.Seconds(), "wall_time_seconds": s.WallTime.Seconds(),
		"best": nil, "trajectory": []pointJSON{},
	}
	if s.Queued > 0 { // trials that waited in a scheduler's queue
		summary["queued_trials"] = s.Queued
		summary["queue_time_seconds"], summary["queue_median_seconds"] = s.QueueTime.Seconds(), s.QueueMedian.Seconds()
	}
	if s.Best != nil {
		summary["best"] = trialJSON{Trial: s.Best.Number, Score: s.Best.Score, Params: s.Best.Params, Metrics: s.Best.Metrics}
	}
	traj := []pointJSON{}
	for _, p := range s.Trajectory {
		traj = append(traj, pointJSON{Trial: p.Trial, Score: p.Score, BestSoFar: p.Score})
	}
	summary["trajectory"] = traj
	bestN := []trialJSON{}
	for i, t := range a.BestN {
		cfg := a.BestNConfig(i)
		bestN = append(bestN, trialJSON{Rank: i + 1, Trial: t.Number, Score: t.Score, Params: t.Params, Metrics: t.Metrics, Config: &cfg})
	}
	conv := []pointJSON{}
	for _, c := range a.Convergence {
		conv = append(conv, pointJSON{Trial: c.Trial, Score: c.Score, BestSoFar: c.BestSoFar, Initial: c.Initial})
	}
	imp := a.Importance
	if imp == nil {
		imp = map[string]float64{}
	}
	pruned := make([]prunedTrialJSON, len(a.Pruned))
	for i, p := range a.Pruned {
		pruned[i] = prunedTrialJSON{Trial: p.Trial, Step: p.Step, Value: JSONNumber(p.Value), Reason: p.Reason}
	}
	doc := map[string]any{
		"summary": summary, "best_config": a.BestConfig, "best_n": bestN, "convergence": conv,
		"importance": imp, "importance_note": a.ImportanceNote, "pruned": pruned, "plots": a.Plots,
		"importance_errors": orEmpty(a.ImportanceErrors), "failure_importance": orEmpty(a.FailureImportance),
		"failure_importance_errors": orEmpty(a.FailureImportanceErrors), "failure_importance_note": a.FailureImportanceNote,
	}
	if a.importanceSubset() {
		doc["importance_subset"] = map[string]int{"fitted": a.ImportanceFitted, "usable": a.ImportanceUsable}
	}
	if a.Stage != nil {
		doc["stage"] = a.Stage
	}
	return json.Marshal(doc)
}

// Analyze renders the analysis for people. Pruned trials are counted
// apart, listed after the best trials (at most maxPrunedLines of them),
// and the importance says how many it left out. The configs of the best
// trials follow their table, compact; the failure importance follows
// the importance when trials failed; a comparison of the searches and
// the report's file come last.
func (v *View) Analyze(doc *AnalyzeJSON, order []string, def *definition.Definition) {
	for i, name := range order {
		as := doc.Searches[name]
		s := def.Search(name)
		sum := as.Summary
		if i > 0 {
			v.Printf("\n")
		}
		v.Printf("%s\n", v.Colorize("bold", fmt.Sprintf("search.%s (%s, %s %s)", name, s.Strategy, s.Mode, s.Metric)))
		if as.Stage != nil {
			v.Printf("  Stage: %s\n", as.Stage.Text)
		}
		var counts []string
		for _, st := range statusOrder {
			if n := sum.ByStatus[st]; n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, st))
			}
		}
		if len(counts) == 0 {
			counts = []string{"none yet"}
		}
		v.Printf("  Trials: %s; time spent %s (wall %s)\n", strings.Join(counts, ", "), sum.TimeSpent.Round(time.Millisecond), sum.WallTime.Round(time.Millisecond))
		if sum.Queued > 0 {
			v.Printf("  Queue wait: %s in total over %d trials (median %s), not counted in the time spent\n",
				sum.QueueTime.Round(time.Millisecond), sum.Queued, sum.QueueMedian.Round(time.Millisecond))
		}
		if sum.Best == nil {
			v.Printf("  No completed trial yet.\n")
			v.analyzePruned(as.Pruned)
			continue
		}
		v.Printf("  Best %s: %s (trial %d)\n", s.Metric, FormatScore(sum.Best.Score), sum.Best.Number)
		if as.BestConfig != nil {
			v.Printf("%s", indent(jsonText(as.BestConfig), "    "))
		}
		var steps []string
		for _, p := range sum.Trajectory {
			steps = append(steps, fmt.Sprintf("%s (trial %d)", FormatScore(p.Score), p.Trial))
		}
		v.Printf("  Best so far: %s\n", strings.Join(steps, " → "))
		v.Printf("  Best %d:\n", len(as.BestN))
		tw := tabwriter.NewWriter(v.Stdout, 0, 0, 2, ' ', 0)
		var params []string
		for _, p := range s.Params {
			params = append(params, p.Path)
		}
		fmt.Fprintf(tw, "    rank\ttrial\t%s\t%s\n", s.Metric, strings.Join(params, "\t"))
		for r, t := range as.BestN {
			var vals []string
			for _, p := range params {
				vals = append(vals, FormatValue(t.Params[p]))
			}
			fmt.Fprintf(tw, "    %d\t%d\t%s\t%s\n", r+1, t.Number, FormatScore(t.Score), strings.Join(vals, "\t"))
		}
		tw.Flush()
		v.analyzeConfigs(as)
		v.analyzePruned(as.Pruned)
		leftOut := ""
		if n := len(as.Pruned); n > 0 {
			leftOut = fmt.Sprintf("; completed trials only, %s left out", plural(n, "pruned trial"))
		}
		if as.Importance == nil {
			note := as.ImportanceNote
			if n := len(as.Pruned); n > 0 {
				note += fmt.Sprintf(" (completed trials only: %s left out)", plural(n, "pruned trial"))
			}
			v.Printf("  Parameter importance: %s\n", note)
		} else {
			if as.importanceSubset() {
				v.Printf("  Parameter importance (share of %s's variance; fitted on %s of %s trials%s):\n",
					s.Metric, groupDigits(as.ImportanceFitted), groupDigits(as.ImportanceUsable), leftOut)
			} else {
				v.Printf("  Parameter importance (share of %s's variance%s):\n", s.Metric, leftOut)
			}
			v.shares(as.Importance, as.ImportanceErrors)
			if as.ImportanceNote != "" { // the values it leaves out
				v.Printf("    %s\n", as.ImportanceNote)
			}
		}
		v.analyzeFailure(as)
		if len(as.Plots) > 0 {
			v.Printf("  Plots: %s\n", strings.Join(as.Plots, ", "))
		}
	}
	if doc.Comparison != nil {
		v.Printf("\n")
		v.Compare(doc.Comparison)
	}
	if doc.Report != "" {
		v.Printf("\nReport: %s\n", doc.Report)
	}
}

// maxPrunedLines is how many pruned trials analyze lists in its text;
// -json lists them all.
const maxPrunedLines = 10

// analyzePruned lists the pruned trials of a search with the pruner's
// reasons.
func (v *View) analyzePruned(pruned []PrunedTrial) {
	if len(pruned) == 0 {
		return
	}
	v.Printf("  Pruned %s:\n", plural(len(pruned), "trial"))
	for i, p := range pruned {
		if i == maxPrunedLines && len(pruned) > maxPrunedLines+1 {
			v.Printf("    … and %d more (analyze -json lists them all)\n", len(pruned)-i)
			break
		}
		reason := p.Reason
		if reason == "" {
			reason = fmt.Sprintf("pruned at step %d", p.Step)
		}
		v.Printf("    #%d %s\n", p.Trial, reason)
	}
}

// groupDigits formats n with commas between groups of three digits.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// shares lists importance shares, largest first (equal shares by name),
// each with its uncertainty when errs has one, and a bar.
func (v *View) shares(shares, errs map[string]float64) {
	names := slices.Sorted(maps.Keys(shares))
	slices.SortStableFunc(names, func(a, b string) int {
		switch {
		case shares[a] > shares[b]:
			return -1
		case shares[a] < shares[b]:
			return 1
		}
		return 0
	})
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		share := shares[n]
		bar := strings.Repeat("█", int(share*30+0.5))
		if e, ok := errs[n]; ok {
			v.Printf("    %-*s  %5.1f%% ± %4.1f  %s\n", width, n, share*100, e*100, bar)
		} else {
			v.Printf("    %-*s  %5.1f%%  %s\n", width, n, share*100, bar)
		}
	}
}

// analyzeFailure prints the failure importance of a search that has
// failed trials: the shares, or why there are none.
func (v *View) analyzeFailure(as *AnalyzeSearchJSON) {
	failed := as.Summary.ByStatus["failed"]
	switch {
	case as.FailureImportance != nil:
		v.Printf("  Failure importance (which params predict that a trial fails; %d failed, %d completed):\n", failed, as.Summary.ByStatus[analysis.StatusCompleted])
		v.shares(as.FailureImportance, as.FailureImportanceErrors)
	case failed > 0 && as.FailureImportanceNote != "":
		v.Printf("  Failure importance: %s\n", as.FailureImportanceNote)
	}
}

// configWidth is the width analyze wraps a best trial's config at.
const configWidth = 100

// analyzeConfigs prints the config of each of the best trials, compact:
// `optimizer = "adam", training = { epochs = 5, lr = 0.003 }`, wrapped
// between top-level keys.
func (v *View) analyzeConfigs(as *AnalyzeSearchJSON) {
	if len(as.BestNConfigs) == 0 {
		return
	}
	v.Printf("  Configs of the best %d (numbers to 6 digits; -json has them exact):\n", len(as.BestN))
	for i, t := range as.BestN {
		cfg := as.BestNConfig(i)
		if cfg == nil {
			continue
		}
		head := fmt.Sprintf("    %d. trial %d: ", i+1, t.Number)
		pad := strings.Repeat(" ", len(head))
		line := head
		for j, k := range slices.Sorted(maps.Keys(cfg)) {
			entry := k + " = " + compactValue(cfg[k])
			if j > 0 {
				if len(line)+2+len(entry) > configWidth {
					v.Printf("%s,\n", line)
					line = pad + entry
					continue
				}
				line += ", "
			}
			line += entry
		}
		v.Printf("%s\n", line)
	}
}

// compactValue writes a config value on one line, objects as
// `{ key = value, ... }` (keys sorted), lists as `[a, b]`.
func compactValue(x any) string {
	switch x := x.(type) {
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
		parts := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, k+" = "+compactValue(x[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = compactValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case nil:
		return "null"
	}
	return FormatValue(x)
}

// Comparison compares two or more searches of the same metric and mode
// (analyze search.A search.B ...).
type Comparison struct {
	Metric, Mode string
	Rows         []CompareRow
	// Plots are the comparison's plot files written.
	Plots []string
}

// CompareRow is one search in a comparison.
type CompareRow struct {
	Search   string
	Strategy string
	// Trials counts the search's trials that match its definition, of
	// every status; Completed those with a score.
	Trials, Completed int
	// Best is the best score, nil when no trial completed; BestTrial its
	// trial's number.
	Best      *float64
	BestTrial int
	// Within is the first trial, in number order, whose score is within
	// 1 % of Best (see WithinTolerance in package command and
	// docs/commands.md); nil without a best.
	Within *Within
	// WallTime is from the first trial's start to the last one's end;
	// TrialTime the sum of the trials' durations.
	WallTime, TrialTime time.Duration
}

// Within is when a search first came within 1 % of its own best.
type Within struct {
	// Trials is the trial's 1-based position among the search's trials
	// in number order: how many trials it took.
	Trials int
	// Trial is its number.
	Trial int
	// Elapsed is from the search's first trial start to that trial's
	// end; 0 when not known.
	Elapsed time.Duration
}

// MarshalJSON writes {"metric", "mode", "searches": [{"search",
// "strategy", "trials", "completed", "best", "best_trial", "within_1pct":
// {"trials", "trial", "seconds"} or null, "wall_time_seconds",
// "trial_time_seconds"}], "plots"}.
func (c *Comparison) MarshalJSON() ([]byte, error) {
	rows := make([]map[string]any, len(c.Rows))
	for i, r := range c.Rows {
		row := map[string]any{
			"search": r.Search, "strategy": r.Strategy, "trials": r.Trials, "completed": r.Completed,
			"best": nil, "best_trial": nil, "within_1pct": nil,
			"wall_time_seconds": r.WallTime.Seconds(), "trial_time_seconds": r.TrialTime.Seconds(),
		}
		if r.Best != nil {
			row["best"], row["best_trial"] = JSONNumber(*r.Best), r.BestTrial
		}
		if w := r.Within; w != nil {
			row["within_1pct"] = map[string]any{"trials": w.Trials, "trial": w.Trial, "seconds": w.Elapsed.Seconds()}
		}
		rows[i] = row
	}
	plots := c.Plots
	if plots == nil {
		plots = []string{}
	}
	return json.Marshal(map[string]any{"metric": c.Metric, "mode": c.Mode, "searches": rows, "plots": plots})
}

// Compare renders a comparison of searches as a side-by-side table.
func (v *View) Compare(c *Comparison) {
	v.Printf("%s\n", v.Colorize("bold", fmt.Sprintf("Comparison (%s %s)", c.Mode, c.Metric)))
	tw := tabwriter.NewWriter(v.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  search\tstrategy\ttrials\tbest %s\twithin 1 %% of it after\twall time\ttrial time\n", c.Metric)
	for _, r := range c.Rows {
		best, within := "-", "-"
		if r.Best != nil {
			best = fmt.Sprintf("%s (trial %d)", FormatScore(*r.Best), r.BestTrial)
		}
		if w := r.Within; w != nil {
			within = fmt.Sprintf("%s (trial %d)", plural(w.Trials, "trial"), w.Trial)
			if w.Elapsed > 0 {
				within = fmt.Sprintf("%s (trial %d), %s", plural(w.Trials, "trial"), w.Trial, w.Elapsed.Round(time.Millisecond))
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Search, r.Strategy, r.Trials, best, within,
			r.WallTime.Round(time.Millisecond), r.TrialTime.Round(time.Millisecond))
	}
	tw.Flush()
	if len(c.Plots) > 0 {
		v.Printf("  Plots: %s\n", strings.Join(c.Plots, ", "))
	}
}
