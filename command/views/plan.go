package views

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
)

// PlanListLimit is how many trials of each list a plan shows without -full.
const PlanListLimit = 10

// Plan renders a plan for people.
func (v *View) Plan(p *plan.Plan, def *definition.Definition, full bool) {
	if !p.Changes() {
		v.planNothingToRun(p, def, full)
		return
	}
	v.Printf("fwapply will run these trials:\n")
	for _, s := range p.Searches {
		ds := def.Search(s.Name)
		v.Printf("\n  %s\n", v.Colorize("bold", fmt.Sprintf("# search.%s (%s, %s %s)%s", s.Name, s.Strategy, s.Mode, s.Metric, where(ds))))
		if s.Deferred != nil {
			v.planDeferred(s)
			continue
		}
		if p := Provenance(ds); p != "" {
			v.Printf("    %s\n", v.Colorize("dim", "# stage: "+p))
		}
		v.planTrials(ds, s, full)
		v.Printf("    %d to run, %d to retry, %d kept", len(s.ToRun), len(s.ToRetry), s.Kept)
		if s.Failed > 0 {
			v.Printf(", %d failed for good", s.Failed)
		}
		if s.Excluded > 0 {
			v.Printf(", %d excluded", s.Excluded)
		}
		v.Printf("\n")
		v.planExcluded(s, full)
		v.planSettings(s)
		v.planUpstreams(s)
		v.planNotes(s)
	}
	run, retry, excluded := p.Totals()
	later := ""
	if names := p.Deferred(); len(names) > 0 {
		later = ", then " + strings.Join(prefixed("search.", names), ", ") + " (known after apply)"
	}
	v.Printf("\n%s %s to run, %d to retry, %d excluded%s.\n", v.Colorize("bold", "Plan:"), plural(run, "trial"), retry, excluded, later)
}

// planNothingToRun renders a plan without trials to run: "No changes."
// when every search is complete, and otherwise the trials that failed
// every attempt, with how to run them again.
func (v *View) planNothingToRun(p *plan.Plan, def *definition.Definition, full bool) {
	kept, failed := 0, 0
	for _, s := range p.Searches {
		kept += s.Kept
		failed += s.Failed
	}
	if failed == 0 {
		v.Printf("%s Every search has its trials: %d kept.\n", v.Colorize("bold", "No changes."), kept)
	} else {
		v.Printf("%s %d kept, %s failed every attempt and will not run again by themselves:\n",
			v.Colorize("bold", "No trials to run."), kept, plural(failed, "trial"))
	}
	for _, s := range p.Searches {
		if s.Failed == 0 && s.Excluded == 0 && !s.Exhausted && len(s.SettingsChanges)+len(s.UpstreamChanges) == 0 {
			continue
		}
		v.Printf("\n  %s\n", v.Colorize("bold", fmt.Sprintf("# search.%s (%s, %s %s)%s", s.Name, s.Strategy, s.Mode, s.Metric, where(def.Search(s.Name)))))
		v.planTrials(def.Search(s.Name), s, full)
		if s.Excluded > 0 {
			v.Printf("    %d excluded\n", s.Excluded)
			v.planExcluded(s, full)
		}
		v.planSettings(s)
		v.planUpstreams(s)
		v.planNotes(s)
	}
}

// where says where a search's trials run when not in the local process
// pool: " on executor.slurm.NAME"; "" for local searches.
func where(ds *definition.Search) string {
	if ds == nil || ds.Trial.Executor == nil {
		return ""
	}
	return fmt.Sprintf(" on executor.%s.%s", ds.Trial.Executor.Type, ds.Trial.Executor.Name)
}

// planTrials lists the retries, the new trials and the trials that failed
// for good, each list cut at PlanListLimit unless full.
func (v *View) planTrials(ds *definition.Search, s *plan.Search, full bool) {
	lines := func(symbol, color string, n int, line func(i int) string) {
		for i := range n {
			if !full && i >= PlanListLimit {
				v.Printf("  %s\n", v.Colorize("dim", fmt.Sprintf("  … and %d more (-full shows them all)", n-i)))
				return
			}
			v.Printf("  %s %s\n", v.Colorize(color, symbol), line(i))
		}
	}
	lines("~", "yellow", len(s.ToRetry), func(i int) string {
		t := s.ToRetry[i]
		return fmt.Sprintf("trial %-4d %s%s", t.Number, FormatPoint(ds, t.Point), v.Colorize("dim", fmt.Sprintf("  # attempt %d: %s", t.Attempt, t.Reason)))
	})
	lines("+", "green", len(s.ToRun), func(i int) string {
		t := s.ToRun[i]
		return fmt.Sprintf("trial %-4d %s", t.Number, FormatPoint(ds, t.Point))
	})
	lines("!", "red", len(s.FailedTrials), func(i int) string {
		t := s.FailedTrials[i]
		return fmt.Sprintf("trial %-4d failed (%s): %s", t.Number, plural(t.Attempts, "attempt"), t.Error)
	})
	if len(s.FailedTrials) > 0 {
		v.Printf("    %s fwapply apply -retry-failed (every failed trial), or -replace=search.%s[%d] (one trial; repeatable).\n",
			v.Colorize("yellow", "Fix the cause, then run them again:"), s.Name, s.FailedTrials[0].Number)
	}
}

// planExcluded lists why trials are excluded, one line per reason with the
// trials it applies to.
func (v *View) planExcluded(s *plan.Search, full bool) {
	for _, g := range ExclusionGroups(s.ExcludedTrials) {
		which := fmt.Sprintf("%s: %s", plural(len(g.Numbers), "trial"), numberList(g.Numbers, full))
		if len(g.Numbers) == s.Excluded+s.Kept+s.Failed+len(s.ToRetry) && len(g.Numbers) > 1 {
			which = fmt.Sprintf("all %d trials", len(g.Numbers))
		}
		v.Printf("      %s %s (%s)\n", v.Colorize("dim", "-"), g.Reason, which)
	}
}

// ExclusionGroup is the trials excluded for one reason.
type ExclusionGroup struct {
	Reason  string
	Numbers []int
}

// ExclusionGroups groups excluded trials by reason, largest group first
// (then by first trial number); a trial excluded for several reasons is in
// several groups.
func ExclusionGroups(ex []plan.Exclusion) []ExclusionGroup {
	var groups []ExclusionGroup
	index := map[string]int{}
	for _, x := range ex {
		keys := x.Groups
		if len(keys) == 0 {
			keys = []string{x.Reason}
		}
		for _, key := range keys {
			i, ok := index[key]
			if !ok {
				i = len(groups)
				index[key] = i
				groups = append(groups, ExclusionGroup{Reason: key})
			}
			groups[i].Numbers = append(groups[i].Numbers, x.Number)
		}
	}
	slices.SortStableFunc(groups, func(a, b ExclusionGroup) int { return len(b.Numbers) - len(a.Numbers) })
	return groups
}

// numberList writes trial numbers, cut at PlanListLimit unless full.
func numberList(ns []int, full bool) string {
	parts := make([]string, 0, len(ns))
	for i, n := range ns {
		if !full && i >= PlanListLimit {
			parts = append(parts, fmt.Sprintf("… %d more", len(ns)-i))
			break
		}
		parts = append(parts, strconv.Itoa(n))
	}
	return strings.Join(parts, ", ")
}

// planSettings lists what changed in the definition since the last apply,
// and says so when none of it excluded a trial.
func (v *View) planSettings(s *plan.Search) {
	if len(s.SettingsChanges) == 0 {
		return
	}
	what := "Changed since the last apply"
	if s.Excluded == 0 {
		what += ", excluding no trial"
	}
	v.Printf("    %s:\n", what)
	for _, c := range s.SettingsChanges {
		v.Printf("      %s %s\n", v.Colorize("dim", "-"), definition.FormatSettingsChange(c))
	}
}

func (v *View) planNotes(s *plan.Search) {
	if s.Exhausted {
		v.Printf("    %s search.%s's space has fewer configs than its budget of %d: it stops when every config has run.\n",
			v.Colorize("yellow", "Note:"), s.Name, s.Budget)
	}
}

// FormatPoint renders a point as "path = value" pairs, or "(known after
// apply)" for nil.
func FormatPoint(s *definition.Search, p space.Point) string {
	if p == nil {
		return "(known after apply)"
	}
	parts := make([]string, 0, len(p))
	for i, val := range p {
		if space.IsInactive(val) {
			continue // the param sets nothing: its path keeps the base value
		}
		name := fmt.Sprint(i)
		if s != nil && i < len(s.Params) {
			name = s.Params[i].Path
		}
		parts = append(parts, name+" = "+FormatValue(val))
	}
	return strings.Join(parts, ", ")
}

// FormatValue renders a param value compactly: floats to 6 significant
// digits, strings quoted, and "-" for no value (a param inactive in a
// trial, or not among its params).
func FormatValue(v any) string {
	if v == nil || space.IsInactive(v) {
		return "-"
	}
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', 6, 64)
	case string:
		return strconv.Quote(v)
	}
	return fmt.Sprint(v)
}

// PlanJSON is the document `fwapply plan -json` prints (docs/commands.md).
type PlanJSON struct {
	FormatVersion string                     `json:"format_version"`
	Lineage       string                     `json:"lineage"`
	Serial        uint64                     `json:"serial"`
	Searches      map[string]*PlanSearchJSON `json:"searches"`
	Summary       PlanSummaryJSON            `json:"summary"`
}

// PlanSearchJSON is one search's plan.
type PlanSearchJSON struct {
	Strategy string          `json:"strategy"`
	Metric   string          `json:"metric"`
	Mode     string          `json:"mode"`
	Budget   int             `json:"budget"`
	ToRun    []PlanTrialJSON `json:"to_run"`
	ToRetry  []PlanTrialJSON `json:"to_retry"`
	Kept     int             `json:"kept"`
	Failed   int             `json:"failed"`
	// FailedTrials are the trials that failed every attempt and are not
	// run again unless replaced.
	FailedTrials []plan.FailedTrial `json:"failed_trials"`
	// Excluded names the trials that no longer match the definition, each
	// with its reason (and the reason without its own values, "group");
	// ExcludedCount is their number.
	Excluded      []plan.Exclusion `json:"excluded"`
	ExcludedCount int              `json:"excluded_count"`
	Exhausted     bool             `json:"exhausted"`
	// SettingsChanges is what changed in the search's definition since
	// the last apply, as {path, old, new} in the language's terms.
	SettingsChanges []definition.ConfigChange `json:"settings_changes"`
	// UpstreamChanges name the searches read whose best changed since
	// the last apply: {upstream, from, to} trial numbers.
	UpstreamChanges []plan.UpstreamChange `json:"upstream_changes"`
	// Deferred is set (null otherwise) when the search's definition is
	// known only after apply; its to_run is then empty and budget its
	// trials (0 for grid).
	Deferred *PlanDeferredJSON `json:"deferred"`
	// Stage is where the search's definition came from; null for a
	// search that reads no other.
	Stage *StageJSON `json:"stage"`
}

// PlanTrialJSON is one planned trial; Params is null when known after apply.
type PlanTrialJSON struct {
	Number  int            `json:"number"`
	Params  map[string]any `json:"params"`
	Attempt int            `json:"attempt"`
	Reason  string         `json:"reason,omitempty"`
	// Attach is set for a trial left running on Slurm: apply waits for
	// its job (Job, the recorded handle, "" when it is looked up on the
	// cluster) instead of running it again.
	Attach bool   `json:"attach,omitempty"`
	Job    string `json:"job,omitempty"`
}

// PlanSummaryJSON is the summary line as numbers.
type PlanSummaryJSON struct {
	ToRun    int `json:"to_run"`
	ToRetry  int `json:"to_retry"`
	Excluded int `json:"excluded"`
	// Deferred names the searches known only after apply.
	Deferred []string `json:"deferred"`
}

// NewPlanJSON builds the JSON document of a plan.
func NewPlanJSON(p *plan.Plan, def *definition.Definition) *PlanJSON {
	doc := &PlanJSON{FormatVersion: FormatVersion, Lineage: p.Lineage, Serial: p.Serial, Searches: map[string]*PlanSearchJSON{}}
	for _, s := range p.Searches {
		ds := def.Search(s.Name)
		js := &PlanSearchJSON{Strategy: string(s.Strategy), Metric: s.Metric, Mode: string(s.Mode), Budget: s.Budget,
			ToRun: []PlanTrialJSON{}, ToRetry: []PlanTrialJSON{}, Kept: s.Kept, Failed: s.Failed,
			FailedTrials: nonNil(s.FailedTrials), Excluded: nonNil(s.ExcludedTrials), ExcludedCount: s.Excluded, Exhausted: s.Exhausted,
			SettingsChanges: nonNil(s.SettingsChanges), UpstreamChanges: nonNil(s.UpstreamChanges),
			Deferred: newPlanDeferredJSON(s), Stage: NewStageJSON(ds)}
		conv := func(t plan.Trial) PlanTrialJSON {
			jt := PlanTrialJSON{Number: t.Number, Attempt: t.Attempt, Reason: t.Reason, Attach: t.Attach, Job: t.Job}
			if t.Point != nil {
				jt.Params = ds.ParamMap(t.Point)
			}
			return jt
		}
		for _, t := range s.ToRun {
			js.ToRun = append(js.ToRun, conv(t))
		}
		for _, t := range s.ToRetry {
			js.ToRetry = append(js.ToRetry, conv(t))
		}
		doc.Searches[s.Name] = js
	}
	doc.Summary.ToRun, doc.Summary.ToRetry, doc.Summary.Excluded = p.Totals()
	doc.Summary.Deferred = nonNil(p.Deferred())
	return doc
}

// nonNil returns l, or an empty list for nil, so JSON shows [] not null.
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// plural returns "1 trial" or "n trials".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// prefixed returns the names with a prefix.
func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
