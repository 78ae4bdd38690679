package views

import (
	"fmt"
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
		v.Printf("%s", v.Colorize("bold", "No changes."))
		kept := 0
		for _, s := range p.Searches {
			kept += s.Kept
		}
		v.Printf(" Every search has its trials: %d kept.\n", kept)
		for _, s := range p.Searches {
			v.planNotes(s)
		}
		return
	}
	v.Printf("fwapply will run these trials:\n")
	for _, s := range p.Searches {
		ds := def.Search(s.Name)
		v.Printf("\n  %s\n", v.Colorize("bold", fmt.Sprintf("# search.%s (%s, %s %s)", s.Name, s.Strategy, s.Mode, s.Metric)))
		shown := 0
		lines := func(symbol, color string, trials []plan.Trial, suffix func(plan.Trial) string) {
			for i, t := range trials {
				if !full && shown >= PlanListLimit {
					v.Printf("  %s\n", v.Colorize("dim", fmt.Sprintf("  … and %d more (fwapply plan -full shows them all)", len(trials)-i)))
					return
				}
				shown++
				v.Printf("  %s trial %-4d %s%s\n", v.Colorize(color, symbol), t.Number, FormatPoint(ds, t.Point), suffix(t))
			}
		}
		shown = 0
		lines("~", "yellow", s.ToRetry, func(t plan.Trial) string {
			return v.Colorize("dim", fmt.Sprintf("  # attempt %d: %s", t.Attempt, t.Reason))
		})
		shown = 0
		lines("+", "green", s.ToRun, func(plan.Trial) string { return "" })
		v.Printf("    %d to run, %d to retry, %d kept", len(s.ToRun), len(s.ToRetry), s.Kept)
		if s.Failed > 0 {
			v.Printf(", %d failed for good", s.Failed)
		}
		if s.Excluded > 0 {
			v.Printf(", %d excluded (they no longer match the definition)", s.Excluded)
		}
		v.Printf("\n")
		v.planNotes(s)
	}
	run, retry, excluded := p.Totals()
	v.Printf("\n%s %s to run, %d to retry, %d excluded.\n", v.Colorize("bold", "Plan:"), plural(run, "trial"), retry, excluded)
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
	parts := make([]string, len(p))
	for i, val := range p {
		name := fmt.Sprint(i)
		if s != nil && i < len(s.Params) {
			name = s.Params[i].Path
		}
		parts[i] = name + " = " + FormatValue(val)
	}
	return strings.Join(parts, ", ")
}

// FormatValue renders a param value compactly: floats to 6 significant
// digits, strings quoted.
func FormatValue(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', 6, 64)
	case string:
		return strconv.Quote(v)
	}
	return fmt.Sprint(v)
}

// PlanJSON is the document `fwapply plan -json` prints (DESIGN.md §3).
type PlanJSON struct {
	FormatVersion string                     `json:"format_version"`
	Lineage       string                     `json:"lineage"`
	Serial        uint64                     `json:"serial"`
	Searches      map[string]*PlanSearchJSON `json:"searches"`
	Summary       PlanSummaryJSON            `json:"summary"`
}

// PlanSearchJSON is one search's plan.
type PlanSearchJSON struct {
	Strategy  string          `json:"strategy"`
	Metric    string          `json:"metric"`
	Mode      string          `json:"mode"`
	Budget    int             `json:"budget"`
	ToRun     []PlanTrialJSON `json:"to_run"`
	ToRetry   []PlanTrialJSON `json:"to_retry"`
	Kept      int             `json:"kept"`
	Failed    int             `json:"failed"`
	Excluded  int             `json:"excluded"`
	Exhausted bool            `json:"exhausted"`
}

// PlanTrialJSON is one planned trial; Params is null when known after apply.
type PlanTrialJSON struct {
	Number  int            `json:"number"`
	Params  map[string]any `json:"params"`
	Attempt int            `json:"attempt"`
	Reason  string         `json:"reason,omitempty"`
}

// PlanSummaryJSON is the summary line as numbers.
type PlanSummaryJSON struct {
	ToRun    int `json:"to_run"`
	ToRetry  int `json:"to_retry"`
	Excluded int `json:"excluded"`
}

// NewPlanJSON builds the JSON document of a plan.
func NewPlanJSON(p *plan.Plan, def *definition.Definition) *PlanJSON {
	doc := &PlanJSON{FormatVersion: FormatVersion, Lineage: p.Lineage, Serial: p.Serial, Searches: map[string]*PlanSearchJSON{}}
	for _, s := range p.Searches {
		ds := def.Search(s.Name)
		js := &PlanSearchJSON{Strategy: string(s.Strategy), Metric: s.Metric, Mode: string(s.Mode), Budget: s.Budget,
			ToRun: []PlanTrialJSON{}, ToRetry: []PlanTrialJSON{}, Kept: s.Kept, Failed: s.Failed, Excluded: s.Excluded, Exhausted: s.Exhausted}
		conv := func(t plan.Trial) PlanTrialJSON {
			jt := PlanTrialJSON{Number: t.Number, Attempt: t.Attempt, Reason: t.Reason}
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
	return doc
}

// plural returns "1 trial" or "n trials".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
