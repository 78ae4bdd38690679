package views

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// ApplySummary renders the end of an apply for people, without the state:
// no noise estimate and no excluded previous best.
func (v *View) ApplySummary(res *apply.Result, def *definition.Definition) {
	v.ApplySummaryWith(res, def, nil)
}

// ApplySummaryWith renders the end of an apply for people: per search the
// counts, the best score and how it moved, and the best config's changes
// one path per line. With the state it also weighs the score change
// against the noise the trials show (repeated configs, or a reported
// <metric>_std / _sem), and, when no earlier trial matches the definition
// any more, diffs against the excluded previous best and says why it no
// longer counts.
func (v *View) ApplySummaryWith(res *apply.Result, def *definition.Definition, st *state.State) {
	total := apply.SearchResult{}
	for _, sr := range res.Searches {
		s := def.Search(sr.Name)
		total.Completed += sr.Completed
		total.Failed += sr.Failed
		total.Interrupted += sr.Interrupted
		v.Printf("\n%s %d completed, %d failed", v.Colorize("bold", "search."+sr.Name+":"), sr.Completed, sr.Failed)
		if sr.Interrupted > 0 {
			v.Printf(", %d interrupted", sr.Interrupted)
		}
		if sr.NotRun > 0 {
			v.Printf(", %d not run", sr.NotRun)
		}
		v.Printf(", %d kept from earlier applies.\n", sr.Kept)
		if sr.StoppedBy != "" {
			v.Printf("  Stopped: %s.\n", sr.StoppedBy)
		}
		if sr.BestAfter == nil {
			v.Printf("  %s no trial of this search has completed.\n", v.Colorize("red", "No best:"))
			continue
		}
		v.bestChange(s, sr, st)
	}
	v.Printf("\n%s %s completed, %d failed", v.Colorize("bold", "Apply complete!"), plural(total.Completed, "trial"), total.Failed)
	if total.Interrupted > 0 {
		v.Printf(", %d interrupted", total.Interrupted)
	}
	v.Printf(".\n")
}

// bestChange renders how a search's best moved in this apply.
func (v *View) bestChange(s *definition.Search, sr *apply.SearchResult, st *state.State) {
	after := sr.BestAfter
	v.Printf("  Best %s: %s (trial %d)", s.Metric, FormatScore(after.Metrics[s.Metric]), after.Number)
	before, excludedWhy := sr.BestBefore, ""
	if before == nil && st != nil {
		before, excludedWhy = excludedBest(s, st.Trials(s.Name))
	}
	switch {
	case before == nil:
		v.Printf(", the first best.\n  Best config:\n%s", indent(jsonText(after.Config), "    "))
		return
	case before.Number == after.Number && before.Search == after.Search:
		v.Printf(", unchanged by this apply.\n")
		return
	}
	old, now := before.Metrics[s.Metric], after.Metrics[s.Metric]
	v.Printf(", was %s (trial %d): %s.\n", FormatScore(old), before.Number, scoreDelta(old, now))
	if excludedWhy != "" {
		v.Printf("  %s previous best, trial %d, no longer matches the definition: %s. The changes below are against it anyway.\n",
			v.Colorize("yellow", "Note:"), before.Number, excludedWhy)
	} else if n, ok := estimateNoise(s, st, before, after); ok && math.Abs(now-old) <= n.sigma {
		v.Printf("  %s the change is within the noise the trials show (±%s, %s): it may not be a real improvement.\n",
			v.Colorize("yellow", "Note:"), FormatScore(n.sigma), n.source)
	}
	changes := LeafChanges(definition.DiffConfigs(before.Config, after.Config))
	if len(changes) == 0 {
		v.Printf("  Best config: unchanged (the same config scored differently).\n")
		return
	}
	v.Printf("  Best config changes:\n")
	for _, line := range FormatConfigChanges(changes) {
		v.Printf("    %s\n", v.colorChange(line))
	}
}

// colorChange colours a change line by its symbol.
func (v *View) colorChange(line string) string {
	switch line[0] {
	case '+':
		return v.Colorize("green", "+") + line[1:]
	case '-':
		return v.Colorize("red", "-") + line[1:]
	case '~':
		return v.Colorize("yellow", "~") + line[1:]
	}
	return line
}

// scoreDelta writes a score change with its relative size.
func scoreDelta(old, now float64) string {
	d := now - old
	s := FormatScore(d)
	if d > 0 {
		s = "+" + s
	}
	if old != 0 {
		s += fmt.Sprintf(" (%+.1f%%)", 100*d/math.Abs(old))
	}
	return s
}

// LeafChanges expands changes of whole objects (a subtree added or
// removed) into one change per leaf, so every line names a full path.
func LeafChanges(changes []definition.ConfigChange) []definition.ConfigChange {
	var out []definition.ConfigChange
	for _, c := range changes {
		om, oldObj := c.Old.(map[string]any)
		nm, newObj := c.New.(map[string]any)
		switch {
		case oldObj && c.New == nil:
			for _, k := range sortedKeys(om) {
				out = append(out, LeafChanges([]definition.ConfigChange{{Path: definition.JoinPath(c.Path, k), Old: om[k]}})...)
			}
		case newObj && c.Old == nil:
			for _, k := range sortedKeys(nm) {
				out = append(out, LeafChanges([]definition.ConfigChange{{Path: definition.JoinPath(c.Path, k), New: nm[k]}})...)
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// FormatConfigChanges writes changes Terraform style, one per line:
// "~ training.lr = 0.0104 → 0.0031", "+ model.hidden = 70",
// "- model.dropout = 0.1", with values as JSON writes them.
func FormatConfigChanges(changes []definition.ConfigChange) []string {
	lines := make([]string, len(changes))
	for i, c := range changes {
		switch {
		case c.Old == nil:
			lines[i] = fmt.Sprintf("+ %s = %s", c.Path, definition.FormatValue(c.New))
		case c.New == nil:
			lines[i] = fmt.Sprintf("- %s = %s", c.Path, definition.FormatValue(c.Old))
		default:
			lines[i] = fmt.Sprintf("~ %s = %s → %s", c.Path, definition.FormatValue(c.Old), definition.FormatValue(c.New))
		}
	}
	return lines
}

// excludedBest returns the best completed trial of those that no longer
// match the definition, with why it does not, or nil.
func excludedBest(s *definition.Search, trials []*state.Trial) (*state.Trial, string) {
	var best *state.Trial
	var bestVal float64
	var why string
	for _, t := range trials {
		v, ok := t.Metrics[s.Metric]
		if t.Status != state.Completed || !ok {
			continue
		}
		_, mm := plan.Explain(s, t)
		if len(mm) == 0 {
			continue
		}
		if o := plan.Objective(s, v); best == nil || o < bestVal {
			best, bestVal, why = t, o, plan.GroupReason(mm)
		}
	}
	return best, why
}

// noise is an estimate of the standard deviation of a score for one
// config, and where it comes from.
type noise struct {
	sigma  float64
	source string
}

// estimateNoise estimates how much a config's score varies between runs:
// from the <metric>_std, _stderr or _sem the two best trials report, or
// else from configs the search ran more than once (the pooled standard
// deviation of their scores). ok is false when the trials carry no such
// information.
func estimateNoise(s *definition.Search, st *state.State, before, after *state.Trial) (noise, bool) {
	for _, suffix := range []string{"_std", "_stderr", "_sem"} {
		a, okA := after.Metrics[s.Metric+suffix]
		b, okB := before.Metrics[s.Metric+suffix]
		if okA && okB && a >= 0 && b >= 0 {
			return noise{sigma: math.Hypot(a, b), source: fmt.Sprintf("from the %s%s the trials report", s.Metric, suffix)}, true
		}
	}
	if st == nil {
		return noise{}, false
	}
	groups := map[string][]float64{}
	for _, t := range st.Trials(s.Name) {
		v, ok := t.Metrics[s.Metric]
		if t.Status != state.Completed || !ok || t.ConfigHash == "" {
			continue
		}
		groups[t.ConfigHash] = append(groups[t.ConfigHash], v)
	}
	var ss float64
	dof, configs := 0, 0
	for _, vs := range groups {
		if len(vs) < 2 {
			continue
		}
		mean := 0.0
		for _, x := range vs {
			mean += x
		}
		mean /= float64(len(vs))
		for _, x := range vs {
			ss += (x - mean) * (x - mean)
		}
		dof += len(vs) - 1
		configs++
	}
	if dof == 0 {
		return noise{}, false
	}
	sd := math.Sqrt(ss / float64(dof))
	// The difference of two scores each with this spread.
	return noise{sigma: math.Sqrt2 * sd, source: fmt.Sprintf("from %s run more than once", plural(configs, "config"))}, true
}

func jsonText(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
