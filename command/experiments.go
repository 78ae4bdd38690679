package command

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/experiment"
	"github.com/frameworm/frameworm/state"
)

const experimentsHelp = `
Usage: fwapply [-chdir=DIR] experiments list [-tag=T ...] [-status=S] [-json]

  Lists every trial of the state as an experiment, across searches: its
  search, number, status, tags and directory (which holds config.json,
  params.json, metrics.json, progress.jsonl, the logs and meta.json).
  Tags are the search's tags = [...] plus the strategy (grid_search,
  random_search, bayesian_search) and the search name.

Flags:
  -tag=T        only experiments with tag T (repeatable: all must match)
  -status=S     only experiments with status S (completed, failed,
                running, interrupted)
  -json         an array of {"search", "number", "status", "tags", "dir",
                "strategy", "started", "ended", "duration_seconds", "host"}
  -state=PATH   state file (default frameworm.fwstate)
  -no-color     no colour in the output
`

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
	// The definition supplies tags for trials whose meta.json is missing;
	// listing works without it.
	var def *definition.Definition
	if res, diags := m.load(arguments.Vars{}); !diags.HasErrors() {
		def = res.Definition
	}
	rows := []experiment.Meta{}
	var dirs []string
	for _, name := range o.st.Searches() {
		for _, t := range o.st.Trials(name) {
			meta := experimentOf(def, t)
			if a.Status != "" && meta.Status != a.Status {
				continue
			}
			if !meta.HasTags(a.Tags) {
				continue
			}
			rows = append(rows, meta)
			dirs = append(dirs, t.Dir)
		}
	}
	if a.JSON {
		type row struct {
			experiment.Meta
			Dir string `json:"dir"`
		}
		out := make([]row, len(rows))
		for i := range rows {
			out[i] = row{rows[i], dirs[i]}
		}
		return jsonLine(m, view, out)
	}
	if len(rows) == 0 {
		fmt.Fprintln(m.Stdout, "No experiments match.")
		return 0
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEARCH\t#\tSTATUS\tDURATION\tTAGS\tDIR")
	for i, r := range rows {
		dur := "-"
		if r.Ended != nil {
			dur = time.Duration(r.DurationSeconds * float64(time.Second)).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", r.Search, r.Number, r.Status, dur, strings.Join(r.Tags, ","), m.display(dirs[i]))
	}
	tw.Flush()
	return 0
}

// experimentOf returns a trial's experiment record: its meta.json, with
// the status from the state (which is authoritative), or one built from
// the state and the definition when meta.json is missing.
func experimentOf(def *definition.Definition, t *state.Trial) experiment.Meta {
	meta, err := experiment.Read(t.Dir)
	if err != nil {
		meta = experiment.Meta{Search: t.Search, Number: t.Number, Attempts: t.Attempts, Host: t.Host, Error: t.Error, Params: t.Params, Tags: []string{t.Search}}
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
