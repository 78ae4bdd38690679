package views

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// This file renders plan and show as GitHub-flavoured markdown, for a
// pull-request comment (plan -format=markdown, show -format=markdown).
//
// Contract: the markdown is compact whatever the size of the plan: per
// search at most MarkdownRows trials in view, at most MarkdownListLimit
// in all (the rest counted), long lists folded in <details>; it holds no
// ANSI escape; every value and message from the definition, the state or
// a trial is escaped (in a table cell, a | cannot end the cell; in a code
// span, a backtick cannot end it), so a comment renders as written.

// MarkdownRows is how many planned trials of a search the markdown shows
// before folding the rest in <details>.
const MarkdownRows = 5

// MarkdownListLimit is how many planned trials of a search the markdown
// lists in all without -full; the others are counted.
const MarkdownListLimit = 50

// markdownGroups is how many exclusion reasons of a search are in view
// before the rest are folded.
const markdownGroups = 5

// markdownTop is how many trials the top table of show lists.
const markdownTop = 5

// PlanMarkdown says what PlanMarkdown renders besides the plan.
type PlanMarkdown struct {
	// State is the state the plan was made against, for the best trial
	// of each search; nil leaves the best out.
	State *state.State
	// Full lists every planned trial (folded), not MarkdownListLimit.
	Full bool
	// Stale says why a saved plan is stale ("" when it is not), and
	// PlanFile names it.
	Stale, PlanFile string
}

// PlanMarkdown renders a plan as markdown: a summary line, then per
// search with something to say (trials to run or retry, trials excluded
// or failed for good, definition changes) its counts, a table of the
// first trials to run, the reasons trials are excluded, the trials that
// failed for good, what changed in the definition, and the best trial
// with its config against the base config (and against the best
// recorded trial when that one no longer matches). Searches with nothing
// to say are named on one line.
func (v *View) PlanMarkdown(p *plan.Plan, def *definition.Definition, o PlanMarkdown) {
	var b strings.Builder
	b.WriteString("### Frameworm plan\n\n")
	run, retry, excluded := p.Totals()
	kept, failed := 0, 0
	for _, s := range p.Searches {
		kept += s.Kept
		failed += s.Failed
	}
	later := ""
	if names := p.Deferred(); len(names) > 0 {
		codes := make([]string, len(names))
		for i, n := range names {
			codes[i] = code("search." + n)
		}
		later = ", then " + strings.Join(codes, ", ") + " (known after apply)"
	}
	switch {
	case p.Changes():
		fmt.Fprintf(&b, "**%s to run**, %d to retry, %d excluded%s.\n", plural(run, "trial"), retry, excluded, later)
	case failed == 0:
		fmt.Fprintf(&b, "**No changes.** Every search has its trials: %d kept.\n", kept)
	default:
		fmt.Fprintf(&b, "**No trials to run.** %d kept; %s failed every attempt and will not run again by themselves.\n", kept, plural(failed, "trial"))
	}
	if o.Stale != "" {
		fmt.Fprintf(&b, "\n> **Note:** this plan is stale: %s would refuse it: %s.\n", code("fwapply apply "+o.PlanFile), mdText(o.Stale))
	}
	var quiet []string
	for _, s := range p.Searches {
		if s.Deferred != nil {
			fmt.Fprintf(&b, "\n#### %s · %s, %s %s\n\n", code("search."+s.Name), s.Strategy, s.Mode, code(s.Metric))
			fmt.Fprintf(&b, "**%s.** Its base_config and params are known after apply: it %s.\n", mdText(deferredTrials(s)), mdText(s.Deferred.Reason))
			if s.Recorded > 0 {
				fmt.Fprintf(&b, "\n%s in the state, matched once its definition is known.\n", plural(s.Recorded, "trial"))
			}
			continue
		}
		if len(s.ToRun)+len(s.ToRetry)+s.Failed+s.Excluded+len(s.SettingsChanges)+len(s.UpstreamChanges) == 0 && !s.Exhausted {
			quiet = append(quiet, fmt.Sprintf("%s (%d kept)", code("search."+s.Name), s.Kept))
			continue
		}
		ds := def.Search(s.Name)
		fmt.Fprintf(&b, "\n#### %s · %s, %s %s%s\n\n", code("search."+s.Name), s.Strategy, s.Mode, code(s.Metric), mdText(where(ds)))
		fmt.Fprintf(&b, "%d to run, %d to retry, %d kept", len(s.ToRun), len(s.ToRetry), s.Kept)
		if s.Pruned > 0 {
			fmt.Fprintf(&b, ", %d pruned", s.Pruned)
		}
		if s.Failed > 0 {
			fmt.Fprintf(&b, ", %d failed for good", s.Failed)
		}
		if s.Excluded > 0 {
			fmt.Fprintf(&b, ", %d excluded", s.Excluded)
		}
		fmt.Fprintf(&b, " · budget %d\n", s.Budget)
		if p := Provenance(ds); p != "" {
			fmt.Fprintf(&b, "\nStage: %s.\n", mdText(p))
		}
		mdPlanTrials(&b, ds, s, o.Full)
		mdExcluded(&b, s)
		mdFailed(&b, s)
		mdSettings(&b, s)
		for _, c := range s.UpstreamChanges {
			fmt.Fprintf(&b, "\n**Note:** %s.\n", mdText(UpstreamChangeLine(s.Name, c)))
		}
		if s.Exhausted {
			fmt.Fprintf(&b, "\n**Note:** the space has fewer configs than the budget of %d: the search stops when every config has run.\n", s.Budget)
		}
		if ds != nil && ds.Deferred == nil && o.State != nil {
			h, ok := s.History(o.State)
			if !ok {
				h = plan.Classify(ds, o.State.Trials(s.Name))
			}
			mdPlanBest(&b, ds, h)
		}
	}
	if len(quiet) > 0 {
		fmt.Fprintf(&b, "\nUnchanged: %s.\n", strings.Join(quiet, ", "))
	}
	v.Printf("%s", b.String())
}

// mdPlanTrials writes the table of the trials a search plans: retries
// first, then new trials, MarkdownRows in view and the rest folded.
func mdPlanTrials(b *strings.Builder, ds *definition.Search, s *plan.Search, full bool) {
	type row struct {
		t    plan.Trial
		what string
	}
	var rows []row
	for _, t := range s.ToRetry {
		what := fmt.Sprintf("retry, attempt %d: %s", t.Attempt, t.Reason)
		if t.Attach {
			what = "re-attach to " + cmp.Or(t.Job, "its job")
		}
		rows = append(rows, row{t, what})
	}
	for _, t := range s.ToRun {
		rows = append(rows, row{t, "new"})
	}
	if len(rows) == 0 {
		return
	}
	var params []string
	if ds != nil {
		for _, p := range ds.Params {
			params = append(params, p.Path)
		}
	}
	table := func(rows []row) {
		head, align := []string{"trial", "action"}, []string{"--:", "---"}
		for _, p := range params {
			head, align = append(head, cellCode(p)), append(align, "---")
		}
		mdRow(b, head...)
		mdRow(b, align...)
		for _, r := range rows {
			cells := []string{fmt.Sprint(r.t.Number), mdCell(r.what)}
			for i := range params {
				switch {
				case r.t.Point == nil && i == 0:
					cells = append(cells, "(known after apply)")
				case r.t.Point == nil || i >= len(r.t.Point):
					cells = append(cells, "")
				default:
					cells = append(cells, mdValue(r.t.Point[i]))
				}
			}
			mdRow(b, cells...)
		}
	}
	listed := len(rows)
	if !full {
		listed = min(listed, MarkdownListLimit)
	}
	b.WriteString("\n")
	table(rows[:min(listed, MarkdownRows)])
	if listed > MarkdownRows {
		fmt.Fprintf(b, "\n<details><summary>%s</summary>\n\n", html.EscapeString(fmt.Sprintf("… and %d more", len(rows)-MarkdownRows)))
		table(rows[MarkdownRows:listed])
		b.WriteString("\n</details>\n")
	}
	if listed < len(rows) {
		fmt.Fprintf(b, "\n… and %d more (`fwapply plan -full` lists them all).\n", len(rows)-listed)
	}
}

// mdExcluded writes why trials are excluded, one line per reason with
// the trials it applies to; past markdownGroups reasons, the rest folded.
func mdExcluded(b *strings.Builder, s *plan.Search) {
	if s.Excluded == 0 {
		return
	}
	fmt.Fprintf(b, "\n**Excluded:** %s no longer %s the definition (kept as history, out of the budget and the best):\n\n",
		plural(s.Excluded, "trial"), map[bool]string{true: "matches", false: "match"}[s.Excluded == 1])
	groups := ExclusionGroups(s.ExcludedTrials)
	for i, g := range groups {
		if i == markdownGroups && len(groups) > markdownGroups+1 {
			fmt.Fprintf(b, "\n<details><summary>%d more reasons</summary>\n\n", len(groups)-i)
		}
		fmt.Fprintf(b, "- %s (%s: %s)\n", mdText(g.Reason), plural(len(g.Numbers), "trial"), numberList(g.Numbers, false))
	}
	if len(groups) > markdownGroups+1 {
		b.WriteString("\n</details>\n")
	}
}

// mdFailed writes the trials that failed for good, and how to run them
// again.
func mdFailed(b *strings.Builder, s *plan.Search) {
	if len(s.FailedTrials) == 0 {
		return
	}
	fmt.Fprintf(b, "\n**Failed for good:** %s failed every attempt; fix the cause, then `fwapply apply -retry-failed` (or %s) runs them again.\n\n",
		plural(len(s.FailedTrials), "trial"), code(fmt.Sprintf("-replace=search.%s[%d]", s.Name, s.FailedTrials[0].Number)))
	b.WriteString("| trial | attempts | error |\n| --: | --: | --- |\n")
	for i, t := range s.FailedTrials {
		if i == PlanListLimit {
			fmt.Fprintf(b, "\n… and %d more.\n", len(s.FailedTrials)-i)
			break
		}
		fmt.Fprintf(b, "| %d | %d | %s |\n", t.Number, t.Attempts, mdCell(truncate(t.Error, 120)))
	}
}

// mdSettings writes what changed in the definition since the last apply.
func mdSettings(b *strings.Builder, s *plan.Search) {
	if len(s.SettingsChanges) == 0 {
		return
	}
	what := "Changed since the last apply"
	if s.Excluded == 0 {
		what += ", excluding no trial"
	}
	fmt.Fprintf(b, "\n**%s:**\n\n", what)
	for i, c := range s.SettingsChanges {
		if i == PlanListLimit && len(s.SettingsChanges) > PlanListLimit+1 {
			fmt.Fprintf(b, "- … and %d more\n", len(s.SettingsChanges)-i)
			break
		}
		fmt.Fprintf(b, "- %s\n", code(definition.FormatSettingsChange(c)))
	}
}

// mdPlanBest writes the best trial that counts under the definition, its
// config against the base config, and, when a trial that no longer
// matches scored better, that trial, why it no longer counts and how the
// best config changes from it.
func mdPlanBest(b *strings.Builder, ds *definition.Search, h plan.History) {
	best := h.Best(ds)
	old, why := h.ExcludedBest(ds)
	if old != nil && best != nil && plan.Objective(ds, best.Metrics[ds.Metric]) <= plan.Objective(ds, old.Metrics[ds.Metric]) {
		old = nil // the best that counts is at least as good
	}
	if best == nil && old == nil {
		return
	}
	if best != nil {
		mdBest(b, ds, ds.Metric, best.Number, best.Metrics[ds.Metric], best.Config)
	} else {
		fmt.Fprintf(b, "\n**Best %s:** none yet: no completed trial matches the definition.\n", code(ds.Metric))
	}
	if old == nil {
		return
	}
	fmt.Fprintf(b, "\n**Note:** trial %d scored better (%s = %s) but no longer matches the definition: %s.",
		old.Number, code(ds.Metric), FormatScore(old.Metrics[ds.Metric]), mdText(why))
	if best == nil {
		b.WriteString("\n")
		return
	}
	changes := LeafChanges(definition.DiffConfigs(old.Config, best.Config))
	if len(changes) == 0 {
		b.WriteString(" The best config is the same.\n")
		return
	}
	fmt.Fprintf(b, " Against it, the best config changes:\n\n")
	mdChangeTable(b, fmt.Sprintf("trial %d", old.Number), fmt.Sprintf("trial %d", best.Number), changes)
}

// mdBest writes a best trial and its config against the base config
// (only the paths the search set); the whole config folded.
func mdBest(b *strings.Builder, ds *definition.Search, metric string, number int, score float64, config map[string]any) {
	fmt.Fprintf(b, "\n**Best %s:** %s (trial %d)", code(metric), FormatScore(score), number)
	if ds == nil {
		b.WriteString(".\n")
	} else if changes := LeafChanges(definition.DiffConfigs(ds.BaseConfig, config)); len(changes) == 0 {
		b.WriteString(", the base config itself.\n")
	} else {
		b.WriteString(", against the base config:\n\n")
		mdChangeTable(b, "base config", "best", changes)
	}
	fmt.Fprintf(b, "\n<details><summary>Best config (trial %d)</summary>\n\n%s\n</details>\n", number, fenced("json", jsonText(config)))
}

// mdChangeTable writes config changes as a table path | from | to.
func mdChangeTable(b *strings.Builder, from, to string, changes []definition.ConfigChange) {
	fmt.Fprintf(b, "| path | %s | %s |\n| --- | --- | --- |\n", mdCell(from), mdCell(to))
	for i, c := range changes {
		if i == PlanListLimit && len(changes) > PlanListLimit+1 {
			fmt.Fprintf(b, "| … and %d more | | |\n", len(changes)-i)
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", cellCode(c.Path), mdConfigValue(c.Old), mdConfigValue(c.New))
	}
}

// ShowMarkdown renders the show document as markdown: per search its
// counts by status, the best trial with its config against the base
// config (the whole config folded) and the best trials, folded.
func (v *View) ShowMarkdown(doc *ShowJSON, def *definition.Definition) {
	var b strings.Builder
	b.WriteString("### Frameworm state\n")
	if len(doc.order) == 0 {
		b.WriteString("\nNo searches.\n")
	}
	for _, name := range doc.order {
		js, s := doc.Searches[name], def.Search(name)
		head := code("search." + name)
		if s != nil {
			head += fmt.Sprintf(" · %s, %s %s", s.Strategy, s.Mode, code(s.Metric))
		} else {
			head += " · no longer defined"
		}
		fmt.Fprintf(&b, "\n#### %s\n\n", head)
		if len(js.Trials) == 0 {
			b.WriteString("No trials yet: `fwapply apply` runs them.\n")
			continue
		}
		counts := map[string]int{}
		for _, t := range js.Trials {
			counts[t.Status]++
		}
		b.WriteString(plural(len(js.Trials), "trial"))
		for _, st := range statusOrder {
			if counts[st] > 0 {
				fmt.Fprintf(&b, ", %d %s", counts[st], st)
			}
		}
		if js.Excluded > 0 {
			fmt.Fprintf(&b, " · %d excluded (no longer match the definition)", js.Excluded)
		}
		if s != nil {
			if budget, err := plan.Budget(s); err == nil {
				fmt.Fprintf(&b, " · budget %d", budget)
			}
		}
		b.WriteString("\n")
		if js.Best == nil {
			b.WriteString("\nNo completed trial matches the definition yet.\n")
			continue
		}
		mdBest(&b, s, js.Metric, js.Best.Trial, js.Best.Score, js.Best.Config)
		mdTop(&b, s, js)
	}
	v.Printf("%s", b.String())
}

// mdTop writes the best matching completed trials of a search, folded.
func mdTop(b *strings.Builder, s *definition.Search, js *ShowSearchJSON) {
	if s == nil {
		return
	}
	var top []ShowTrialJSON
	for _, t := range js.Trials {
		if _, ok := t.Metrics[s.Metric]; ok && t.Status == string(state.Completed) && !t.Excluded {
			top = append(top, t)
		}
	}
	slices.SortStableFunc(top, func(a, c ShowTrialJSON) int {
		return cmp.Compare(plan.Objective(s, a.Metrics[s.Metric]), plan.Objective(s, c.Metrics[s.Metric]))
	})
	n := min(len(top), markdownTop)
	fmt.Fprintf(b, "\n<details><summary>Best %d of %d completed trials</summary>\n\n", n, len(top))
	head, align := []string{"trial", cellCode(s.Metric)}, []string{"--:", "--:"}
	for _, p := range s.Params {
		head, align = append(head, cellCode(p.Path)), append(align, "---")
	}
	mdRow(b, head...)
	mdRow(b, align...)
	for _, t := range top[:n] {
		cells := []string{fmt.Sprint(t.Number), FormatScore(t.Metrics[s.Metric])}
		for _, p := range s.Params {
			cells = append(cells, mdValue(t.Params[p.Path]))
		}
		mdRow(b, cells...)
	}
	b.WriteString("\n</details>\n")
}

// mdRow writes a table row of cells already escaped.
func mdRow(b *strings.Builder, cells ...string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// code writes s as an inline code span that renders as s: delimited by
// more backticks than s holds in a row. Outside tables only: see
// cellCode.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return "` `"
	}
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := ""
	if longest > 0 || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.TrimSpace(s) != "" {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// cellCode is code for a table cell: GitHub ends a cell at a | even in a
// code span, unless it is escaped (and then shows it without the \).
func cellCode(s string) string {
	return strings.ReplaceAll(code(s), "|", `\|`)
}

// mdText escapes s as markdown text, so that it renders as written:
// the characters that make inline markup anywhere (emphasis, code,
// links, HTML, entities, strikethrough, table cells) are
// backslash-escaped, and so is a first character that could start a
// block (a heading, a list item, a quote).
func mdText(s string) string {
	var b strings.Builder
	for i, r := range oneLine(s) {
		if strings.ContainsRune("\\`*_[]<>|~&", r) || i == 0 && strings.ContainsRune("#+-=", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCell is mdText for a table cell.
func mdCell(s string) string { return mdText(s) }

// mdValue writes a param value for a table cell: a number as FormatValue
// writes it, a string quoted in a code span.
func mdValue(v any) string {
	if space.IsInactive(v) {
		return "-"
	}
	switch v := v.(type) {
	case nil:
		return "-"
	case string:
		return cellCode(FormatValue(v))
	}
	return mdText(FormatValue(v))
}

// mdConfigValue writes a config value for a table cell: numbers and
// strings as mdValue, other values as JSON in a code span, a missing
// value as "(not set)".
func mdConfigValue(v any) string {
	switch v.(type) {
	case nil:
		return "(not set)"
	case string, float64, int64, int:
		return mdValue(v)
	}
	return cellCode(definition.FormatValue(v))
}

// fenced writes s as a fenced code block whose fence no line of s can
// close.
func fenced(lang, s string) string {
	n := 3
	for _, line := range strings.Split(s, "\n") {
		if t := strings.TrimLeft(line, " "); strings.HasPrefix(t, "```") {
			n = max(n, len(t)-len(strings.TrimLeft(t, "`"))+1)
		}
	}
	fence := strings.Repeat("`", n)
	return fence + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

// oneLine joins the lines of s with spaces: a newline would end a table
// row or a list item.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)), " ")
}

// PlanSavedMarkdown says, in markdown, where plan -out saved the plan
// and how to run it.
func (v *View) PlanSavedMarkdown(path string) {
	v.Printf("\nSaved the plan to %s; %s runs exactly it.\n", code(path), code("fwapply apply "+path))
}
