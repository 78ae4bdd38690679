package views

import (
	"bufio"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// ShowJSON is the document `fwapply show -json` prints (docs/commands.md).
type ShowJSON struct {
	FormatVersion string                     `json:"format_version"`
	Lineage       string                     `json:"lineage"`
	Serial        uint64                     `json:"serial"`
	Searches      map[string]*ShowSearchJSON `json:"searches"`
	order         []string
}

// ShowSearchJSON is one search in show -json.
type ShowSearchJSON struct {
	Metric   string          `json:"metric"`
	Mode     string          `json:"mode"`
	Defined  bool            `json:"defined"`
	Best     *BestJSON       `json:"best"`
	Trials   []ShowTrialJSON `json:"trials"`
	Excluded int             `json:"excluded"`
	// Stage is where the search's definition came from (the searches it
	// reads, its refine block, or why it is known only after apply);
	// absent for a search that reads no other.
	Stage *StageJSON `json:"stage,omitempty"`
}

// ShowTrialJSON is one trial in show -json.
type ShowTrialJSON struct {
	Number   int                `json:"number"`
	Status   string             `json:"status"`
	Params   map[string]any     `json:"params"`
	Metrics  map[string]float64 `json:"metrics"`
	Error    string             `json:"error"`
	Attempts int                `json:"attempts"`
	Tainted  bool               `json:"tainted"`
	Excluded bool               `json:"excluded"`
	Started  *time.Time         `json:"started"`
	Ended    *time.Time         `json:"ended"`
	Duration float64            `json:"duration_seconds"`
	Host     string             `json:"host"`
	// Job and Queued are, for a trial run by a scheduler, its job handle
	// and its queue wait in seconds; absent otherwise.
	Job    string  `json:"job,omitempty"`
	Queued float64 `json:"queued_seconds,omitempty"`
	Dir    string  `json:"dir"`
	// Pruned is, for a pruned trial, the step at which the pruner
	// stopped it and the value that decided it.
	Pruned *PrunedJSON `json:"pruned,omitempty"`
	// Progress is, for a running trial that reported progress, the last
	// line of its progress file (see ShowJSON.AddProgress).
	Progress *ProgressJSON `json:"progress,omitempty"`
}

// ProgressJSON is the last line a running trial appended to its progress
// file: its step and metrics, NaN and ±Inf as strings (JSONNumber).
type ProgressJSON struct {
	Step    int64          `json:"step"`
	Metrics map[string]any `json:"metrics"`
	values  map[string]float64
}

// NewProgressJSON returns the JSON form of a progress line, or nil.
func NewProgressJSON(l *runtime.ProgressLine) *ProgressJSON {
	if l == nil {
		return nil
	}
	return &ProgressJSON{Step: l.Step, Metrics: JSONMetrics(l.Metrics), values: l.Metrics}
}

// LastProgress returns the last line of the progress file of the running
// trial whose directory is dir, nil when it has none (or none can be
// read). show reads it from the trial directory (see command/show.go).
type LastProgress func(dir string) *runtime.ProgressLine

// AddProgress sets the Progress of every running trial of doc that has a
// directory, from last; it reads nothing for the other trials. It
// returns doc.
func (doc *ShowJSON) AddProgress(last LastProgress) *ShowJSON {
	if last == nil {
		return doc
	}
	for _, js := range doc.Searches {
		for i := range js.Trials {
			if t := &js.Trials[i]; t.Status == string(state.Running) && t.Dir != "" {
				t.Progress = NewProgressJSON(last(t.Dir))
			}
		}
	}
	return doc
}

// NewShowJSON builds the show document for the named searches.
func NewShowJSON(def *definition.Definition, st *state.State, names []string) *ShowJSON {
	doc := &ShowJSON{FormatVersion: FormatVersion, Lineage: st.Lineage, Serial: st.Serial, Searches: map[string]*ShowSearchJSON{}, order: names}
	for _, name := range names {
		s := def.Search(name)
		trials := st.Trials(name)
		js := &ShowSearchJSON{Trials: []ShowTrialJSON{}, Defined: s != nil}
		var matching map[int]bool
		switch {
		case s != nil && s.Deferred != nil:
			// Known only after apply: no best, no trial excluded yet.
			js.Metric, js.Mode = s.Metric, string(s.Mode)
			matching = map[int]bool{}
			for _, t := range trials {
				matching[t.Number] = true
			}
		case s != nil:
			// One pass of matching gives both the best and the excluded
			// trials.
			h := plan.Classify(s, trials)
			js.Metric, js.Mode = s.Metric, string(s.Mode)
			js.Best = NewBestJSON(s, h.Best(s))
			matching = h.Matching()
		}
		js.Stage = NewStageJSON(s)
		for _, t := range trials {
			jt := ShowTrialJSON{Number: t.Number, Status: string(t.Status), Params: t.Params, Metrics: t.Metrics, Error: t.Error,
				Attempts: t.Attempts, Tainted: t.Tainted, Host: t.Host, Job: t.Job, Queued: t.Queued.Seconds(), Dir: t.Dir, Pruned: NewPrunedJSON(t)}
			if jt.Metrics == nil {
				jt.Metrics = map[string]float64{}
			}
			if !t.Started.IsZero() {
				started := t.Started
				jt.Started = &started
			}
			if !t.Ended.IsZero() {
				ended := t.Ended
				jt.Ended = &ended
				jt.Duration = t.Ended.Sub(t.Started).Seconds()
			}
			jt.Excluded = !matching[t.Number]
			if jt.Excluded {
				js.Excluded++
			}
			js.Trials = append(js.Trials, jt)
		}
		doc.Searches[name] = js
	}
	return doc
}

// Show renders the show document for people: per search a heading with
// the counts by status, a table of the trials (number, status, a column per
// metric, duration, queue wait and job when a trial of the search ran on
// a scheduler, params) and the best trial. A pruned trial's status says
// at which step it was pruned; a running trial's, the last step it
// reported, its metric cells the values of that progress line. metrics picks the metric
// columns, in order; none means every metric (see MetricNames).
func (v *View) Show(doc *ShowJSON, def *definition.Definition, metrics ...string) {
	if len(doc.order) == 0 {
		v.Printf("No searches.\n")
		return
	}
	for i, name := range doc.order {
		if i > 0 {
			v.Printf("\n")
		}
		v.showSearch(name, doc.Searches[name], def.Search(name), metrics)
	}
}

// showSearch renders one search of the show document; s is nil for a
// search that is no longer defined.
func (v *View) showSearch(name string, js *ShowSearchJSON, s *definition.Search, metrics []string) {
	v.Printf("%s\n", v.showHeading(name, js, s))
	if js.Stage != nil {
		v.Printf("%s\n", v.Colorize("dim", "stage: "+js.Stage.Text))
	}
	if len(js.Trials) == 0 {
		return
	}
	columns := metrics
	if len(columns) == 0 {
		columns = js.MetricNames(s)
	}
	if len(columns) == 0 {
		columns = []string{"metric"} // nothing reported yet; errors go here
	}
	var params []string
	if s != nil {
		for _, p := range s.Params {
			params = append(params, p.Path)
		}
	}
	// tabwriter writes each cell and each run of padding on its own:
	// buffered, a table of 100k trials is a few writes, not millions.
	bw := bufio.NewWriterSize(v.Stdout, 64<<10)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	// Trials run by a scheduler add where they ran: the queue wait and the
	// job, after the duration they ran for.
	queued := slices.ContainsFunc(js.Trials, func(t ShowTrialJSON) bool { return t.Job != "" || t.Queued > 0 })
	where := ""
	if queued {
		where = "queued\tjob\t"
	}
	fmt.Fprintf(tw, "  #\tstatus\t%s\tduration\t%s%s\n", strings.Join(columns, "\t"), where, strings.Join(params, "\t"))
	for _, t := range js.Trials {
		cells := []string{fmt.Sprint(t.Number), trialStatus(t)}
		cells = append(cells, metricCells(t, columns)...)
		cells = append(cells, trialDuration(t))
		if queued {
			cells = append(cells, trialQueued(t), cmp.Or(t.Job, "-"))
		}
		for _, p := range params {
			cells = append(cells, FormatValue(t.Params[p]))
		}
		fmt.Fprintf(tw, "  %s\n", strings.Join(cells, "\t"))
	}
	tw.Flush()
	bw.Flush()
	if js.Best == nil {
		v.Printf("  No completed trial matches the definition yet.\n")
		return
	}
	v.Printf("  Best %s: %s (trial %d)\n  Best config:\n%s", js.Metric, FormatScore(js.Best.Score), js.Best.Trial, indent(jsonText(js.Best.Config), "    "))
}

// showHeading is the first line of a search in show: its address,
// strategy and objective, and its trials by status.
func (v *View) showHeading(name string, js *ShowSearchJSON, s *definition.Search) string {
	head := fmt.Sprintf("search.%s", name)
	if s != nil {
		head += fmt.Sprintf(" (%s, %s %s)", s.Strategy, s.Mode, s.Metric)
	} else {
		head += " (no longer defined)"
	}
	counts := map[string]int{}
	for _, t := range js.Trials {
		counts[t.Status]++
	}
	line := fmt.Sprintf("%s: %d trials", v.Colorize("bold", head), len(js.Trials))
	for _, st := range statusOrder {
		if counts[st] > 0 {
			line += fmt.Sprintf(", %d %s", counts[st], st)
		}
	}
	if js.Excluded > 0 {
		line += fmt.Sprintf(", %d excluded", js.Excluded)
	}
	return line
}

// statusOrder is the order in which views count trials by status.
var statusOrder = []string{"completed", "pruned", "failed", "running", "interrupted"}

// trialStatus is a trial's status with its excluded and tainted marks:
// "pruned at step 4", "running (step 12)" for a running trial that
// reported progress.
func trialStatus(t ShowTrialJSON) string {
	status := t.Status
	switch {
	case t.Pruned != nil:
		status += fmt.Sprintf(" at step %d", t.Pruned.Step)
	case t.Progress != nil:
		status += fmt.Sprintf(" (step %d)", t.Progress.Step)
	}
	if t.Excluded {
		status += " (excluded)"
	}
	if t.Tainted {
		status += " (tainted)"
	}
	return status
}

// metricCells renders a trial's value of each column, "-" for none, a
// running trial's from its last progress line; a failed or interrupted
// trial's error takes the first column it has no value for (a pruned
// trial's reason does not: its status says it).
func metricCells(t ShowTrialJSON, columns []string) []string {
	cells := make([]string, len(columns))
	for i, c := range columns {
		x, ok := t.Metrics[c]
		if !ok && t.Progress != nil {
			x, ok = t.Progress.values[c]
		}
		switch {
		case ok:
			cells[i] = FormatScore(x)
		case t.Error != "" && i == 0 && t.Status != string(state.Pruned):
			cells[i] = "error: " + truncate(t.Error, 40)
		default:
			cells[i] = "-"
		}
	}
	return cells
}

func trialDuration(t ShowTrialJSON) string {
	if t.Ended == nil {
		return "-"
	}
	return time.Duration(t.Duration * float64(time.Second)).Round(time.Millisecond).String()
}

// trialQueued is a trial's queue wait, "-" for none.
func trialQueued(t ShowTrialJSON) string {
	if t.Queued <= 0 {
		return "-"
	}
	return time.Duration(t.Queued * float64(time.Second)).Round(time.Millisecond).String()
}

// MetricNames returns the metrics of a search in display order (see
// MetricNames): its objective, its declared metrics, then the others its
// trials reported. s is nil for a search that is no longer defined.
func (js *ShowSearchJSON) MetricNames(s *definition.Search) []string {
	reported := make([]map[string]float64, len(js.Trials))
	for i, t := range js.Trials {
		reported[i] = t.Metrics
	}
	return SearchMetricNames(s, reported...)
}

// SearchMetricNames returns the metrics of search s in display order,
// given the metrics its trials reported; s may be nil.
func SearchMetricNames(s *definition.Search, reported ...map[string]float64) []string {
	if s == nil {
		return MetricNames("", nil, reported...)
	}
	return MetricNames(s.Metric, s.Metrics, reported...)
}

// MetricNames orders metric names for display, each once: the objective
// first (when not ""), then the declared metrics in their order, then any
// other metric of reported by name.
func MetricNames(objective string, declared []string, reported ...map[string]float64) []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	add(objective)
	for _, n := range declared {
		add(n)
	}
	others := map[string]bool{}
	for _, m := range reported {
		for n := range m {
			if !seen[n] {
				others[n] = true
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(others)) {
		add(n)
	}
	return names
}

// StateList renders `fwapply state list`: one line per trial with its
// address, its status and every metric it reported as name=value, in the
// order of SearchMetricNames. Cells are separated by tabs, padded with
// tabs to line up, so the address stays the first field for scripts. def
// orders the metrics of the searches it defines; it may be nil.
func (v *View) StateList(trials []*state.Trial, def *definition.Definition) {
	order := map[string][]string{}
	for _, t := range trials {
		if _, ok := order[t.Search]; !ok {
			order[t.Search] = SearchMetricNames(searchOf(def, t.Search), trialMetrics(trials, t.Search)...)
		}
	}
	bw := bufio.NewWriterSize(v.Stdout, 64<<10) // see showSearch
	tw := tabwriter.NewWriter(bw, 0, 8, 1, '\t', 0)
	for _, t := range trials {
		status := string(t.Status)
		if t.Tainted {
			status += ", tainted"
		}
		cells := []string{fmt.Sprintf("search.%s[%d]", t.Search, t.Number), status}
		for _, name := range order[t.Search] {
			cell := ""
			if x, ok := t.Metrics[name]; ok {
				cell = name + "=" + FormatScore(x)
			}
			cells = append(cells, cell)
		}
		for len(cells) > 2 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		fmt.Fprintf(tw, "%s\n", strings.Join(cells, "\t"))
	}
	tw.Flush()
	bw.Flush()
}

// searchOf returns the search name of def, or nil.
func searchOf(def *definition.Definition, name string) *definition.Search {
	if def == nil {
		return nil
	}
	return def.Search(name)
}

// trialMetrics returns the metrics of the trials of one search.
func trialMetrics(trials []*state.Trial, search string) []map[string]float64 {
	var out []map[string]float64
	for _, t := range trials {
		if t.Search == search {
			out = append(out, t.Metrics)
		}
	}
	return out
}

// ShowPlanJSON is the document `fwapply show -json PLANFILE` prints: the
// document of plan -json, and whether the state has moved on since the
// plan was made, so that apply would refuse it.
type ShowPlanJSON struct {
	*PlanJSON
	Stale bool `json:"stale"`
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// Watch renders the compact summary of show -watch: one line per search
// with its progress against the budget (completed and pruned trials both
// count against it), failures and the best so far; then, when its
// running trials report progress (ShowJSON.AddProgress), a line per
// running trial with its last step and metric (at most maxTrialLines).
func (v *View) Watch(doc *ShowJSON, def *definition.Definition, now time.Time) {
	v.Printf("%s  (state serial %d)\n", now.Format("15:04:05"), doc.Serial)
	for _, name := range doc.order {
		js := doc.Searches[name]
		s := def.Search(name)
		counts := map[string]int{}
		for _, t := range js.Trials {
			if !t.Excluded {
				counts[t.Status]++
			}
		}
		budget := ""
		if s != nil {
			if b, err := plan.Budget(s); err == nil {
				budget = fmt.Sprintf("/%d", b)
			}
		}
		done, pruned := counts["completed"], counts["pruned"]
		line := fmt.Sprintf("search.%s: %d%s completed", name, done, budget)
		if pruned > 0 {
			// Pruned trials count against the budget too.
			line = fmt.Sprintf("search.%s: %d%s ended (%d completed, %d pruned)", name, done+pruned, budget, done, pruned)
		}
		for _, st := range []string{"running", "failed", "interrupted"} {
			if counts[st] > 0 {
				line += fmt.Sprintf(", %d %s", counts[st], st)
			}
		}
		if js.Best != nil {
			line += fmt.Sprintf(", best %s=%s (trial %d)", js.Metric, FormatScore(js.Best.Score), js.Best.Trial)
		}
		v.Printf("%s\n", line)
		for _, l := range watchRunning(s, js) {
			v.Printf("  %s\n", l)
		}
	}
}

// watchRunning returns the lines of show -watch for the running trials of
// a search: none when none of them reported progress, else one per
// running trial as the bars of apply show it (runningLine), the last of
// maxTrialLines saying how many more run.
func watchRunning(s *definition.Search, js *ShowSearchJSON) []string {
	var running []ShowTrialJSON
	reported := false
	for _, t := range js.Trials {
		if t.Status == string(state.Running) && !t.Excluded {
			running = append(running, t)
			reported = reported || t.Progress != nil
		}
	}
	if !reported {
		return nil
	}
	var lines []string
	for j, t := range running {
		if j == maxTrialLines-1 && len(running) > maxTrialLines {
			lines = append(lines, fmt.Sprintf("… and %d more running", len(running)-j))
			break
		}
		rt := &runningTrial{}
		if t.Progress != nil {
			rt.line = &runtime.ProgressLine{Step: t.Progress.Step, Metrics: t.Progress.values}
		}
		lines = append(lines, runningLine(s, t.Number, rt))
	}
	return lines
}
