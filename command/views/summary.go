package views

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
)

// ApplySummary renders the end of an apply for people: per search the
// counts (pruned trials apart from failed ones), the best score and how it moved, and the best config's changes
// one path per line. A score change within the noise the trials show (a
// reported <metric>_std, _stderr or _sem, or the spread of configs run
// more than once) is flagged; when no earlier trial matched the
// definition, the changes are against the excluded previous best, and the
// summary says why it no longer counts.
func (v *View) ApplySummary(res *apply.Result, def *definition.Definition) {
	total := apply.SearchResult{}
	for _, sr := range res.Searches {
		s := def.Search(sr.Name)
		total.Completed += sr.Completed
		total.Failed += sr.Failed
		total.Interrupted += sr.Interrupted
		total.Pruned += sr.Pruned
		v.Printf("\n%s %d completed%s, %d failed", v.Colorize("bold", "search."+sr.Name+":"), sr.Completed, prunedCount(sr.Pruned), sr.Failed)
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
		v.bestChange(s, sr)
	}
	headline := v.Colorize("bold", "Apply complete!")
	if res.Stopped != "" {
		headline = v.Colorize("bold", "Apply stopped ("+res.Stopped+"):")
	}
	v.Printf("\n%s %s completed%s, %d failed", headline, plural(total.Completed, "trial"), prunedCount(total.Pruned), total.Failed)
	if total.Interrupted > 0 {
		v.Printf(", %d interrupted", total.Interrupted)
	}
	v.Printf(".\n")
	for _, d := range res.Deferred {
		v.Printf("%s search.%s did not run: it %s.\n", v.Colorize("yellow", "Deferred:"), d.Search, d.Reason)
	}
}

// prunedCount is ", N pruned", or "" for none.
func prunedCount(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d pruned", n)
}

// bestChange renders how a search's best moved in this apply.
func (v *View) bestChange(s *definition.Search, sr *apply.SearchResult) {
	after, before := sr.BestAfter, sr.BestBefore
	v.Printf("  Best %s: %s (trial %d)", s.Metric, FormatScore(after.Metrics[s.Metric]), after.Number)
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
	if sr.BestBeforeExcluded != "" {
		v.Printf("  %s previous best, trial %d, no longer matches the definition: %s. The changes below are against it anyway.\n",
			v.Colorize("yellow", "Note:"), before.Number, sr.BestBeforeExcluded)
	} else if n, ok := estimateNoise(s, sr); ok && math.Abs(now-old) <= n.sigma {
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

// noise is an estimate of the standard deviation of the difference of
// two scores, and where it comes from.
type noise struct {
	sigma  float64
	source string
}

// estimateNoise estimates how much the best's score change could be
// noise: from the <metric>_std, _stderr or _sem the two best trials
// report, or else from the search's configs that ran more than once. ok
// is false when the trials carry no such information.
func estimateNoise(s *definition.Search, sr *apply.SearchResult) (noise, bool) {
	for _, suffix := range []string{"_std", "_stderr", "_sem"} {
		a, okA := sr.BestAfter.Metrics[s.Metric+suffix]
		b, okB := sr.BestBefore.Metrics[s.Metric+suffix]
		if okA && okB && a >= 0 && b >= 0 {
			return noise{sigma: math.Hypot(a, b), source: fmt.Sprintf("from the %s%s the trials report", s.Metric, suffix)}, true
		}
	}
	if sr.Noise.Configs == 0 {
		return noise{}, false
	}
	// The difference of two scores each with this spread.
	return noise{sigma: math.Sqrt2 * sr.Noise.SD, source: fmt.Sprintf("from %s run more than once", plural(sr.Noise.Configs, "config"))}, true
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
