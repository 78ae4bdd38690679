package command

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// The export format: a versioned JSON document with each search's
// definition (when the search is defined) and every trial of the state.
const (
	exportFormat  = "frameworm-export"
	exportVersion = 1
)

type exportDoc struct {
	Format   string                   `json:"format"`
	Version  int                      `json:"version"`
	Exported time.Time                `json:"exported"`
	Lineage  string                   `json:"lineage"`
	Serial   uint64                   `json:"serial"`
	Searches map[string]*exportSearch `json:"searches"`
}

type exportSearch struct {
	Definition *exportDefinition `json:"definition"` // null when not defined
	Trials     []*state.Trial    `json:"trials"`
}

type exportDefinition struct {
	Strategy         string                 `json:"strategy"`
	Metric           string                 `json:"metric"`
	Mode             string                 `json:"mode"`
	Trials           int                    `json:"trials"`
	Seed             int64                  `json:"seed"`
	Fingerprint      string                 `json:"fingerprint"`
	SpaceFingerprint string                 `json:"space_fingerprint"`
	BaseConfig       map[string]any         `json:"base_config"`
	Params           []definition.ParamSpec `json:"params"`
	Command          []string               `json:"command"`
}

const exportHelp = `
Usage: fwapply [-chdir=DIR] export [flags] FILE

  Writes every trial of the state, with each search's definition, to FILE
  as versioned JSON ("format": "frameworm-export", "version": 1): the
  results of a search, to keep, share, or import into another state.
`

func runExport(m *Meta, args []string) int {
	a, diags := arguments.ParseTransfer("export", args)
	if diags.HasErrors() {
		return m.parseFailed("export", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	res := m.loadDefinition(a.Vars, view)
	if res == nil {
		return 1
	}
	def := res.Definition
	o, err := m.openState(context.Background(), a.State, "export", false, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	doc := exportDoc{Format: exportFormat, Version: exportVersion, Exported: time.Now().UTC(), Lineage: o.st.Lineage, Serial: o.st.Serial, Searches: map[string]*exportSearch{}}
	n := 0
	for _, name := range searchNames(def, o.st) {
		if len(a.Targets) > 0 && !contains(a.Targets, name) {
			continue
		}
		es := &exportSearch{Trials: o.st.Trials(name)}
		if es.Trials == nil {
			es.Trials = []*state.Trial{}
		}
		n += len(es.Trials)
		if s := def.Search(name); s != nil {
			ed := &exportDefinition{Strategy: string(s.Strategy), Metric: s.Metric, Mode: string(s.Mode), Trials: s.Trials, Seed: s.Seed,
				Fingerprint: s.Fingerprint(), SpaceFingerprint: s.SpaceFingerprint(), BaseConfig: s.BaseConfig, Command: s.Trial.Command,
				Params: []definition.ParamSpec{}}
			for _, p := range s.Params {
				ed.Params = append(ed.Params, p.Spec())
			}
			es.Definition = ed
		}
		doc.Searches[name] = es
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fail(view, "Cannot encode the export", err)
	}
	if err := atomicfile.Write(m.abs(a.File), append(b, '\n'), 0o644); err != nil {
		return fail(view, "Cannot write the export", err)
	}
	view.Printf("Exported %d trials of %d searches to %s.\n", n, len(doc.Searches), a.File)
	return 0
}

const importHelp = `
Usage: fwapply [-chdir=DIR] import [flags] FILE

  Adds the completed and failed trials of an export to the state. Trials
  that match the current definition count as observations, so a search can
  be warm-started from earlier results: the next plan keeps them and runs
  only the rest of the budget.

  Into the state the export came from (same lineage), trials keep their
  numbers; trials already there are skipped, and a different trial under
  the same number is a conflict. Into another state, -force is required,
  and the trials get new numbers; configs the state already holds are
  skipped.

  Afterwards it counts, per search, the trials that match the definition;
  the search files are loaded with -var and -var-file for that.
`

func runImport(m *Meta, args []string) int {
	a, diags := arguments.ParseTransfer("import", args)
	if diags.HasErrors() {
		return m.parseFailed("import", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	raw, err := os.ReadFile(m.abs(a.File))
	if err != nil {
		return fail(view, "Cannot read the export", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc exportDoc
	if err := dec.Decode(&doc); err != nil || doc.Format != exportFormat {
		return fail(view, "Not an export", fmt.Errorf("%s is not a file written by fwapply export", a.File))
	}
	if doc.Version != exportVersion {
		return fail(view, "Unsupported export version", fmt.Errorf("%s is export version %d; this fwapply reads version %d", a.File, doc.Version, exportVersion))
	}
	ctx := context.Background()
	o, err := m.openState(ctx, a.State, "import", true, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	same := doc.Lineage == o.st.Lineage
	if !same && !a.Force && o.st.Len() > 0 {
		return fail(view, "Export from another state", fmt.Errorf("%s comes from state lineage %s, this state is %s; give -force to import its trials with new numbers", a.File, doc.Lineage, o.st.Lineage))
	}
	changes, skipped, err := importChanges(o.st, &doc, same)
	if err != nil {
		return fail(view, "Cannot import", err)
	}
	for _, c := range changes {
		if err := o.st.Apply(c); err != nil {
			return fail(view, "Cannot import", err)
		}
		if err := o.backend.Append(ctx, c); err != nil {
			return fail(view, "Cannot write the state", err)
		}
	}
	if len(changes) > 0 {
		if err := o.backend.Compact(ctx, o.st); err != nil {
			return fail(view, "Cannot compact the state", err)
		}
	}
	view.Printf("Imported %d trials (%d skipped).\n", len(changes), skipped)
	if def := m.loadOptional(a.Vars, view, "the trials that match each search are not counted"); def != nil {
		for _, s := range def.Searches {
			h := plan.Classify(s, o.st.Trials(s.Name))
			view.Printf("search.%s: %d completed trials match the definition.\n", s.Name, len(h.Kept))
		}
	}
	return 0
}

// importChanges decides what an import adds. Running and interrupted
// trials are not results and are skipped.
func importChanges(st *state.State, doc *exportDoc, sameLineage bool) ([]state.Change, int, error) {
	var changes []state.Change
	skipped := 0
	for _, name := range slices.Sorted(maps.Keys(doc.Searches)) {
		next := st.NextNumber(name)
		have := map[string]bool{}
		for _, t := range st.Trials(name) {
			have[t.ConfigHash+"/"+string(t.Status)] = true
		}
		for _, t := range doc.Searches[name].Trials {
			if t.Status != state.Completed && t.Status != state.Failed {
				skipped++
				continue
			}
			t.Search = name
			if sameLineage {
				if cur := st.Trial(name, t.Number); cur != nil {
					if cur.ConfigHash == t.ConfigHash && cur.Status == t.Status {
						skipped++
						continue
					}
					return nil, 0, fmt.Errorf("trial search.%s[%d] differs from the one in the state; remove it with fwapply state rm first, or import into another state with -force", name, t.Number)
				}
			} else {
				if have[t.ConfigHash+"/"+string(t.Status)] {
					skipped++
					continue
				}
				t.Number = next
				next++
			}
			have[t.ConfigHash+"/"+string(t.Status)] = true
			changes = append(changes, state.Change{Put: t})
		}
	}
	return changes, skipped, nil
}
