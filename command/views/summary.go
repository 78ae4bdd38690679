package views

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
)

// ApplySummary renders the end of an apply for people.
func (v *View) ApplySummary(res *apply.Result, def *definition.Definition) {
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
		v.Printf("  Best %s: %s (trial %d)", s.Metric, FormatScore(sr.BestAfter.Metrics[s.Metric]), sr.BestAfter.Number)
		switch {
		case sr.BestBefore == nil:
			v.Printf(", the first best.\n  Best config:\n%s", indent(jsonText(sr.BestAfter.Config), "    "))
		case sr.BestBefore.Number == sr.BestAfter.Number && sr.BestBefore.Search == sr.BestAfter.Search:
			v.Printf(", unchanged by this apply.\n")
		default:
			v.Printf(", was %s (trial %d).\n  Best config changes (-before +after):\n%s", FormatScore(sr.BestBefore.Metrics[s.Metric]), sr.BestBefore.Number,
				indent(cmp.Diff(sr.BestBefore.Config, sr.BestAfter.Config), "  "))
		}
	}
	v.Printf("\n%s %d trials completed, %d failed", v.Colorize("bold", "Apply complete!"), total.Completed, total.Failed)
	if total.Interrupted > 0 {
		v.Printf(", %d interrupted", total.Interrupted)
	}
	v.Printf(".\n")
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

