package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// fileKind and fileVersion identify a saved plan (fwapply plan -out).
const (
	fileKind    = "frameworm-plan"
	fileVersion = 1
)

type fileDoc struct {
	Kind     string       `json:"kind"`
	Version  int          `json:"version"`
	Lineage  string       `json:"lineage"`
	Serial   uint64       `json:"serial"`
	Vars     Vars         `json:"vars"`
	Searches []fileSearch `json:"searches"`
}

type fileSearch struct {
	Name        string      `json:"name"`
	Fingerprint string      `json:"fingerprint"`
	Budget      int         `json:"budget"`
	ToRun       []fileTrial `json:"to_run"`
	ToRetry     []fileTrial `json:"to_retry"`
	Kept        int         `json:"kept"`
	Failed      int         `json:"failed"`
	Excluded    int         `json:"excluded"`
	Exhausted   bool        `json:"exhausted,omitempty"`
	// Added in this version's later releases; older files lack them.
	ExcludedTrials []Exclusion   `json:"excluded_trials,omitempty"`
	FailedTrials   []FailedTrial `json:"failed_trials,omitempty"`
	// SettingsChanges: what changed since the last apply.
	SettingsChanges []definition.ConfigChange `json:"settings_changes,omitempty"`
}

type fileTrial struct {
	Number  int            `json:"number"`
	Params  map[string]any `json:"params"` // null: known after apply
	Attempt int            `json:"attempt"`
	Reason  string         `json:"reason,omitempty"`
}

// WriteFile saves a plan for a later `fwapply apply FILE`. def must be the
// definition the plan was made from.
func WriteFile(path string, p *Plan, def *definition.Definition) error {
	doc := fileDoc{Kind: fileKind, Version: fileVersion, Lineage: p.Lineage, Serial: p.Serial, Vars: p.Vars}
	for _, s := range p.Searches {
		ds := def.Search(s.Name)
		fs := fileSearch{Name: s.Name, Fingerprint: s.Fingerprint, Budget: s.Budget, Kept: s.Kept, Failed: s.Failed, Excluded: s.Excluded, Exhausted: s.Exhausted,
			ToRun: []fileTrial{}, ToRetry: []fileTrial{}, ExcludedTrials: s.ExcludedTrials, FailedTrials: s.FailedTrials, SettingsChanges: s.SettingsChanges}
		for _, t := range s.ToRun {
			fs.ToRun = append(fs.ToRun, toFileTrial(ds, t))
		}
		for _, t := range s.ToRetry {
			fs.ToRetry = append(fs.ToRetry, toFileTrial(ds, t))
		}
		doc.Searches = append(doc.Searches, fs)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

func toFileTrial(s *definition.Search, t Trial) fileTrial {
	ft := fileTrial{Number: t.Number, Attempt: t.Attempt, Reason: t.Reason}
	if t.Point != nil {
		ft.Params = s.ParamMap(t.Point)
	}
	return ft
}

// Saved is a plan read back from a file, not yet checked against the
// current definition and state.
type Saved struct {
	doc fileDoc
}

// Vars returns the variable inputs the plan was made with.
func (s *Saved) Vars() Vars { return s.doc.Vars }

// ReadFile reads a saved plan.
func ReadFile(path string) (*Saved, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading plan file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil || doc.Kind != fileKind {
		return nil, fmt.Errorf("%s is not a plan file written by fwapply plan -out", path)
	}
	if doc.Version != fileVersion {
		return nil, fmt.Errorf("%s is a version %d plan file; this fwapply reads version %d. Run fwapply plan -out again", path, doc.Version, fileVersion)
	}
	return &Saved{doc: doc}, nil
}

// ErrStale is wrapped by the errors of Bind for a plan that no longer
// applies.
var ErrStale = errors.New("stale plan")

// Bind checks a saved plan against the current definition and the current
// state's lineage and serial, and returns it as a Plan.
func (sv *Saved) Bind(def *definition.Definition, lineage string, serial uint64) (*Plan, error) {
	d := sv.doc
	// A plan made before the state existed binds to the state the first
	// apply creates, whatever its lineage.
	empty := d.Serial == 0 && serial == 0
	if d.Lineage != lineage && !empty && d.Serial > 0 {
		return nil, fmt.Errorf("%w: the plan was made for another state (lineage %s, the state's is %s); run fwapply plan again", ErrStale, d.Lineage, lineage)
	}
	if d.Serial != serial {
		return nil, fmt.Errorf("%w: the state changed since the plan was made (serial %d, now %d); run fwapply plan again", ErrStale, d.Serial, serial)
	}
	return sv.Plan(def)
}

// Lineage and Serial return the state the plan was made against.
func (sv *Saved) Lineage() string { return sv.doc.Lineage }

// Serial returns the serial of the state the plan was made against.
func (sv *Saved) Serial() uint64 { return sv.doc.Serial }

// Plan returns the saved plan, checked against the current definition
// (every search it names must exist with the fingerprint it was planned
// with) but not against a state: for showing a plan file.
func (sv *Saved) Plan(def *definition.Definition) (*Plan, error) {
	d := sv.doc
	p := &Plan{Lineage: d.Lineage, Serial: d.Serial, Vars: d.Vars}
	for _, fs := range d.Searches {
		s := def.Search(fs.Name)
		if s == nil {
			return nil, fmt.Errorf("%w: search %q is no longer defined; run fwapply plan again", ErrStale, fs.Name)
		}
		if s.Fingerprint() != fs.Fingerprint {
			return nil, fmt.Errorf("%w: search %q changed since the plan was made; run fwapply plan again", ErrStale, fs.Name)
		}
		ps := &Search{Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode, Fingerprint: fs.Fingerprint,
			Budget: fs.Budget, Kept: fs.Kept, Failed: fs.Failed, Excluded: fs.Excluded, Exhausted: fs.Exhausted,
			ExcludedTrials: fs.ExcludedTrials, FailedTrials: fs.FailedTrials, SettingsChanges: jsonChanges(fs.SettingsChanges)}
		var err error
		if ps.ToRun, err = fromFileTrials(s, fs.ToRun); err != nil {
			return nil, err
		}
		if ps.ToRetry, err = fromFileTrials(s, fs.ToRetry); err != nil {
			return nil, err
		}
		p.Searches = append(p.Searches, ps)
	}
	return p, nil
}

func fromFileTrials(s *definition.Search, fts []fileTrial) ([]Trial, error) {
	var out []Trial
	for _, ft := range fts {
		t := Trial{Number: ft.Number, Attempt: ft.Attempt, Reason: ft.Reason}
		if ft.Params != nil {
			raw := make(space.Point, len(s.Params))
			for i, p := range s.Params {
				raw[i] = jsonValue(ft.Params[p.Path])
			}
			pt, ok := s.Space.Normalize(raw)
			if !ok || len(ft.Params) != len(s.Params) {
				return nil, fmt.Errorf("%w: trial %d of search %q has params %v outside the search space; run fwapply plan again", ErrStale, ft.Number, s.Name, ft.Params)
			}
			t.Point = pt
		}
		out = append(out, t)
	}
	return out, nil
}

// jsonValue converts a json.Number to int64 or float64.
func jsonValue(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}

// jsonChanges converts the json.Numbers of decoded changes.
func jsonChanges(cs []definition.ConfigChange) []definition.ConfigChange {
	for i := range cs {
		cs[i].Old, cs[i].New = jsonValueDeep(cs[i].Old), jsonValueDeep(cs[i].New)
	}
	return cs
}

// jsonValueDeep converts every json.Number in a decoded value.
func jsonValueDeep(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonValueDeep(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = jsonValueDeep(e)
		}
		return v
	}
	return jsonValue(v)
}
