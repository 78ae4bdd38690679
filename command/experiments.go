package command

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/experiment"
	"github.com/frameworm/frameworm/state"
)

const experimentsHelp = `
Usage: fwapply [-chdir=DIR] experiments list [flags]

  Lists every trial of the state as an experiment, across searches: its
  search, number, status, every metric it reported (a column each: the
  search's metric first, then its declared metrics, then any others by
  name), duration, tags and directory (which holds config.json,
  params.json, metrics.json, progress.jsonl, the logs and meta.json).
  Tags are the search's tags = [...] plus the strategy (grid_search,
  random_search, bayesian_search) and the search name. The statuses are
  completed, pruned (stopped by the search's pruner), failed, running and
  interrupted; a last line counts the experiments listed by status.

  With -json it prints an array of {"search", "number", "strategy",
  "status", "attempts", "started", "ended", "duration_seconds", "host",
  "tags", "error", "params", "metrics", "dir"}, a pruned trial with
  "pruned": {"step", "value"} too.
`

// experimentRow is one experiment of experiments list -json: its meta.json
// record, its metrics from the state, and its directory.
type experimentRow struct {
	experiment.Meta
	Metrics map[string]float64 `json:"metrics"`
	Dir     string             `json:"dir"`
	// Pruned is where the pruner stopped a pruned trial.
	Pruned *views.PrunedJSON `json:"pruned,omitempty"`
}

func runExperiments(m *Meta, args []string) int {
	a, diags := arguments.ParseExperiments(args)
	if diags.HasErrors() {
		return m.parseFailed("experiments", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	o, err := m.openState(context.Background(), a.State, "experiments", false, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	// The definition supplies tags for trials whose meta.json is missing,
	// and the order of the metric columns; listing works without it.
	def := m.loadOptional(a.Vars, view, "metric columns are ordered by name, and tags come from meta.json only")
	rows := []experimentRow{}
	for _, name := range o.st.Searches() {
		for _, t := range o.st.Trials(name) {
			meta := experimentOf(def, t)
			if a.Status != "" && meta.Status != a.Status || !meta.HasTags(a.Tags) {
				continue
			}
			metrics := t.Metrics
			if metrics == nil {
				metrics = map[string]float64{}
			}
			rows = append(rows, experimentRow{Meta: meta, Metrics: metrics, Dir: t.Dir, Pruned: views.NewPrunedJSON(t)})
		}
	}
	if a.JSON {
		return jsonLine(m, view, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(m.Stdout, "No experiments match.")
		return 0
	}
	m.experimentsTable(rows, experimentMetrics(def, rows))
	return 0
}

// experimentMetrics returns the metric columns of experiments list: for
// each search in turn, its metrics in display order, each name once.
func experimentMetrics(def *definition.Definition, rows []experimentRow) []string {
	var searches []string
	reported := map[string][]map[string]float64{}
	for _, r := range rows {
		if _, ok := reported[r.Search]; !ok {
			searches = append(searches, r.Search)
		}
		reported[r.Search] = append(reported[r.Search], r.Metrics)
	}
	var names []string
	for _, name := range searches {
		var s *definition.Search
		if def != nil {
			s = def.Search(name)
		}
		for _, n := range views.SearchMetricNames(s, reported[name]...) {
			if !contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// experimentsTable prints the experiments as an aligned table with a
// column per metric, then their count by status.
func (m *Meta) experimentsTable(rows []experimentRow, metrics []string) {
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	head := append(append([]string{"SEARCH", "#", "STATUS"}, metrics...), "DURATION", "TAGS", "DIR")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		cells := []string{r.Search, fmt.Sprint(r.Number), r.Status}
		for _, n := range metrics {
			cell := "-"
			if x, ok := r.Metrics[n]; ok {
				cell = views.FormatScore(x)
			}
			cells = append(cells, cell)
		}
		dur := "-"
		if r.Ended != nil {
			dur = time.Duration(r.DurationSeconds * float64(time.Second)).Round(time.Millisecond).String()
		}
		cells = append(cells, dur, strings.Join(r.Tags, ","), m.display(r.Dir))
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintln(m.Stdout, statusCounts(rows))
}

// statusCounts says how many experiments there are by status, pruned
// apart from failed: "18 experiments: 12 completed, 5 pruned, 1 failed".
func statusCounts(rows []experimentRow) string {
	counts := map[string]int{}
	var order []string
	for _, r := range rows {
		if counts[r.Status] == 0 {
			order = append(order, r.Status)
		}
		counts[r.Status]++
	}
	known := []string{string(state.Completed), string(state.Pruned), string(state.Failed), string(state.Running), string(state.Interrupted)}
	var parts []string
	for _, st := range known {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	for _, st := range order { // statuses of a newer fwapply
		if !contains(known, st) {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	noun := "experiments"
	if len(rows) == 1 {
		noun = "experiment"
	}
	return fmt.Sprintf("%d %s: %s", len(rows), noun, strings.Join(parts, ", "))
}

// experimentOf returns a trial's experiment record: its meta.json, with
// the status from the state (which is authoritative), or one built from
// the state and the definition when meta.json is missing.
func experimentOf(def *definition.Definition, t *state.Trial) experiment.Meta {
	meta, err := experiment.Read(t.Dir)
	if err != nil {
		meta = experiment.Meta{Search: t.Search, Number: t.Number, Attempts: t.Attempts, Host: t.Host, Error: t.Error, Params: t.Params, Tags: []string{t.Search}}
		meta.Job, meta.QueuedSeconds = t.Job, t.Queued.Seconds()
		if def != nil {
			if s := def.Search(t.Search); s != nil {
				meta.Strategy, meta.Tags = string(s.Strategy), s.ExperimentTags()
			}
		}
		if !t.Started.IsZero() {
			started := t.Started
			meta.Started = &started
		}
		if !t.Ended.IsZero() {
			ended := t.Ended
			meta.Ended = &ended
			meta.DurationSeconds = t.Ended.Sub(t.Started).Seconds()
		}
	}
	meta.Status = string(t.Status)
	return meta
}
