package command

import (
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

// MarshalJSON writes the trials as the state file holds them
// (state.MarshalTrial), so that an integer and a whole float64 in params
// and config stay apart through an export and an import.
func (es *exportSearch) MarshalJSON() ([]byte, error) {
	trials := make([]json.RawMessage, len(es.Trials))
	for i, t := range es.Trials {
		b, err := state.MarshalTrial(t)
		if err != nil {
			return nil, err
		}
		trials[i] = b
	}
	return json.Marshal(exportSearchJSON{Definition: es.Definition, Trials: trials})
}

// exportSearchJSON is a search of an export file as written.
type exportSearchJSON struct {
	Definition *exportDefinition `json:"definition"`
	Trials     []json.RawMessage `json:"trials"`
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
	res, o := m.loadWithState(a.Vars, a.State, "export", view)
	if res == nil {
		return 1
	}
	defer o.Close()
	def := res.Definition
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
		if s := def.Search(name); s != nil && s.Deferred == nil { // a deferred search's definition is not known
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
  numbers and their trial directories; trials already there are skipped,
  and a different trial under the same number is a conflict. Into another
  state, -force is required, and the trials get new numbers and no trial
  directory: their artifacts stay where the export names them, and no
  fwapply command deletes or reuses those directories for them. Configs
  the state already holds are skipped.

  The trials are added in one atomic write: an import that fails or is
  killed leaves the state as it was. Afterwards it counts, per search, the
  trials that match the definition; the search files are loaded with -var
  and -var-file for that.
`

func runImport(m *Meta, args []string) int {
	a, diags := arguments.ParseTransfer("import", args)
	if diags.HasErrors() {
		return m.parseFailed("import", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	// Where the state is, first: a -state that conflicts with a backend
	// block is the first thing to fix.
	if _, err := m.locate(a.State, view, false); err != nil {
		return fail(view, "Cannot read the state", err)
	}
	raw, err := os.ReadFile(m.abs(a.File))
	if err != nil {
		return fail(view, "Cannot read the export", err)
	}
	doc, err := decodeExport(raw, a.File)
	if err != nil {
		return fail(view, "Not a valid export", err)
	}
	raw = nil
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
	im, err := importChanges(o.st, doc, same)
	if err != nil {
		return fail(view, "Cannot import", err)
	}
	if len(im.changes) > 0 {
		for _, c := range im.changes {
			if err := o.st.Apply(c); err != nil {
				return fail(view, "Cannot import", fmt.Errorf("%w; nothing was imported", err))
			}
		}
		// One atomic batch: a failed or killed import leaves the old state.
		// It rewrites the file, so no compaction follows.
		if err := o.backend.AppendBatch(ctx, im.changes); err != nil {
			return fail(view, "Cannot write the state", err)
		}
	}
	view.Printf("Imported %d trials (%d skipped).\n", len(im.changes), im.skipped)
	if len(im.droppedDirs) > 0 {
		view.Printf("Trials imported from another state get new numbers and no trial directory, so that no fwapply command deletes or reuses "+
			"a directory for them: the artifacts of %s stay where %s names them (the \"dir\" of each trial), like %s.\n",
			countOf(len(im.droppedDirs), "trial", "trials"), a.File, im.droppedDirs[0])
	}
	if def := m.loadOptional(a.Vars, view, "the trials that match each search are not counted"); def != nil {
		for _, s := range def.Searches {
			if s.Deferred != nil {
				continue // known only after the searches it reads complete
			}
			h := plan.Classify(s, o.st.Trials(s.Name))
			view.Printf("search.%s: %d completed trials match the definition.\n", s.Name, len(h.Kept))
		}
	}
	return 0
}

// decodeExport reads and checks an export file (named name in errors):
// the format and version, a lineage, and every trial a valid record of its
// search (a number ≥ 0 used once, a known status, finite metrics, params
// and config JSON objects), so that every trial importChanges picks can
// be applied. Trials are decoded like the state file's records: an
// integer stays an int64 and any other number a float64.
func decodeExport(raw []byte, name string) (*exportDoc, error) {
	// The trials are decoded by state.TrialDecoder; the definitions only
	// document the export, and import does not read them.
	var file struct {
		exportDoc
		Searches map[string]*struct {
			Trials []json.RawMessage `json:"trials"`
		} `json:"searches"`
	}
	// Unmarshal, unlike a Decoder, refuses any data after the document, and
	// reads a large file faster.
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("%s is not a file written by fwapply export: %v", name, err)
	}
	doc := &file.exportDoc
	if doc.Format != exportFormat {
		return nil, fmt.Errorf("%s is not a file written by fwapply export: its format is %q, want %q", name, doc.Format, exportFormat)
	}
	if doc.Version != exportVersion {
		return nil, fmt.Errorf("%s is export version %d; this fwapply reads version %d", name, doc.Version, exportVersion)
	}
	if doc.Lineage == "" {
		return nil, fmt.Errorf("%s names no lineage: an export records the lineage of its state", name)
	}
	if file.Searches == nil {
		return nil, fmt.Errorf("%s has no \"searches\" object", name)
	}
	doc.Searches = make(map[string]*exportSearch, len(file.Searches))
	var td state.TrialDecoder
	for _, search := range slices.Sorted(maps.Keys(file.Searches)) {
		raw := file.Searches[search]
		if search == "" || raw == nil {
			return nil, fmt.Errorf("%s: search %q has no name or is null", name, search)
		}
		es := &exportSearch{Trials: make([]*state.Trial, len(raw.Trials))}
		doc.Searches[search] = es
		seen := make(map[int]bool, len(raw.Trials))
		for i, b := range raw.Trials {
			if string(b) == "null" {
				return nil, fmt.Errorf("%s: trial %d of search.%s is null", name, i+1, search)
			}
			t, err := td.Decode(b)
			if err != nil {
				return nil, fmt.Errorf("%s: trial %d of search.%s: %w", name, i+1, search, err)
			}
			if t.Search != "" && t.Search != search {
				return nil, fmt.Errorf("%s: trial %d of search.%s names search %q", name, i+1, search, t.Search)
			}
			t.Search = search
			if err := (state.Change{Put: t}).Validate(); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if seen[t.Number] {
				return nil, fmt.Errorf("%s: search.%s has two trials numbered %d", name, search, t.Number)
			}
			seen[t.Number] = true
			es.Trials[i] = t
		}
	}
	return doc, nil
}

// imported is what an import adds.
type imported struct {
	changes []state.Change
	skipped int
	// droppedDirs are the trial directories of imported trials that were
	// renumbered, which they no longer point at.
	droppedDirs []string
}

// importChanges decides what an import adds. Running and interrupted
// trials are not results and are skipped. A trial keeps its directory only
// when it keeps its number in the state it came from (same lineage); a
// renumbered trial gets none, since its directory belongs to another
// trial of another state.
func importChanges(st *state.State, doc *exportDoc, sameLineage bool) (*imported, error) {
	im := &imported{}
	for _, name := range slices.Sorted(maps.Keys(doc.Searches)) {
		next := st.NextNumber(name)
		have := map[string]bool{}
		for _, t := range st.Trials(name) {
			have[t.ConfigHash+"/"+string(t.Status)] = true
		}
		for _, t := range doc.Searches[name].Trials {
			if t.Status != state.Completed && t.Status != state.Failed {
				im.skipped++
				continue
			}
			t.Search = name
			if sameLineage {
				if cur := st.Trial(name, t.Number); cur != nil {
					if cur.ConfigHash == t.ConfigHash && cur.Status == t.Status {
						im.skipped++
						continue
					}
					return nil, fmt.Errorf("trial search.%s[%d] differs from the one in the state; remove it with fwapply state rm first, or import into another state with -force", name, t.Number)
				}
			} else {
				if have[t.ConfigHash+"/"+string(t.Status)] {
					im.skipped++
					continue
				}
				t.Number = next
				next++
				if t.Dir != "" {
					im.droppedDirs = append(im.droppedDirs, t.Dir)
					t.Dir = ""
				}
			}
			have[t.ConfigHash+"/"+string(t.Status)] = true
			im.changes = append(im.changes, state.Change{Put: t})
		}
	}
	return im, nil
}
