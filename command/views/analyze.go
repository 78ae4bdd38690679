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
}

// AnalyzeSearchJSON is the analysis of one search. The analysis values
// stay unexported in JSON form; MarshalJSON writes the documented shape.
type AnalyzeSearchJSON struct {
	Summary        analysis.Summary
	BestConfig     map[string]any
	BestN          []analysis.Trial
	Convergence    []analysis.ConvergencePoint
	Importance     map[string]float64
	ImportanceNote string
	// ImportanceFitted and ImportanceUsable are, when Importance is set,
	// how many trials its model was fitted on and how many were usable:
	// fewer were fitted when there were more than
	// analysis.MaxImportanceTrials (0, 0: not known, all of them).
	ImportanceFitted, ImportanceUsable int
	// Pruned are the trials the search's pruner stopped, by number: never
	// the best, and left out of the importance, which is fitted on
	// completed trials only.
	Pruned []PrunedTrial
	Plots  []string
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
}

type pointJSON struct {
	Trial     int     `json:"trial"`
	Score     float64 `json:"score"`
	BestSoFar float64 `json:"best_so_far"`
	Initial   bool    `json:"initial"`
}

// MarshalJSON writes {"summary", "best_config", "best_n", "convergence",
// "importance", "importance_note", "pruned", "plots"} with snake_case
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
		bestN = append(bestN, trialJSON{Rank: i + 1, Trial: t.Number, Score: t.Score, Params: t.Params, Metrics: t.Metrics})
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
	}
	if a.importanceSubset() {
		doc["importance_subset"] = map[string]int{"fitted": a.ImportanceFitted, "usable": a.ImportanceUsable}
	}
	return json.Marshal(doc)
}

// Analyze renders the analysis for people. Pruned trials are counted
// apart, listed after the best trials (at most maxPrunedLines of them),
// and the importance says how many it left out.
func (v *View) Analyze(doc *AnalyzeJSON, order []string, def *definition.Definition) {
	for i, name := range order {
		as := doc.Searches[name]
		s := def.Search(name)
		sum := as.Summary
		if i > 0 {
			v.Printf("\n")
		}
		v.Printf("%s\n", v.Colorize("bold", fmt.Sprintf("search.%s (%s, %s %s)", name, s.Strategy, s.Mode, s.Metric)))
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
			names := slices.Sorted(maps.Keys(as.Importance))
			slices.SortStableFunc(names, func(a, b string) int {
				switch {
				case as.Importance[a] > as.Importance[b]:
					return -1
				case as.Importance[a] < as.Importance[b]:
					return 1
				}
				return 0
			})
			width := 0
			for _, n := range names {
				width = max(width, len(n))
			}
			for _, n := range names {
				share := as.Importance[n]
				bar := strings.Repeat("█", int(share*30+0.5))
				v.Printf("    %-*s  %5.1f%%  %s\n", width, n, share*100, bar)
			}
		}
		if len(as.Plots) > 0 {
			v.Printf("  Plots: %s\n", strings.Join(as.Plots, ", "))
		}
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
