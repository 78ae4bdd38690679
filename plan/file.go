package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// fileKind and fileVersion identify a saved plan (fwapply plan -out).
// Version 2 added the checksum; version 1 files are refused (plans are
// short-lived: make the plan again).
const (
	fileKind    = "frameworm-plan"
	fileVersion = 2
)

// fileEnvelope is a plan file: the plan, and the SHA-256 of its compact
// JSON encoding ("sha256:" and 64 hex digits), so that a plan edited after
// it was written is refused. Whitespace inside "plan" does not count.
type fileEnvelope struct {
	Kind     string          `json:"kind"`
	Version  int             `json:"version"`
	Checksum string          `json:"checksum"`
	Plan     json.RawMessage `json:"plan"`
}

type fileDoc struct {
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
	Pruned      int         `json:"pruned,omitempty"`
	// Added in this version's later releases; older files lack them.
	ExcludedTrials []Exclusion   `json:"excluded_trials,omitempty"`
	FailedTrials   []FailedTrial `json:"failed_trials,omitempty"`
	// SettingsChanges: what changed since the last apply.
	SettingsChanges []definition.ConfigChange `json:"settings_changes,omitempty"`
	// UpstreamChanges: the searches read whose best changed since.
	UpstreamChanges []UpstreamChange `json:"upstream_changes,omitempty"`
	// Deferred: the search's definition was known only after apply;
	// nothing is planned for it (apply of the file runs nothing of it).
	Deferred *definition.Deferred `json:"deferred,omitempty"`
	Recorded int                  `json:"recorded,omitempty"`
}

type fileTrial struct {
	Number  int            `json:"number"`
	Params  map[string]any `json:"params"` // null: known after apply
	Attempt int            `json:"attempt"`
	Reason  string         `json:"reason,omitempty"`
	// Attach and Job: a trial left running on Slurm, attached to.
	Attach bool   `json:"attach,omitempty"`
	Job    string `json:"job,omitempty"`
}

// WriteFile saves a plan for a later `fwapply apply FILE`. def must be the
// definition the plan was made from.
func WriteFile(path string, p *Plan, def *definition.Definition) error {
	doc := fileDoc{Lineage: p.Lineage, Serial: p.Serial, Vars: p.Vars}
	for _, s := range p.Searches {
		ds := def.Search(s.Name)
		fs := fileSearch{Name: s.Name, Fingerprint: s.Fingerprint, Budget: s.Budget, Kept: s.Kept, Failed: s.Failed, Excluded: s.Excluded, Exhausted: s.Exhausted, Pruned: s.Pruned,
			ToRun: []fileTrial{}, ToRetry: []fileTrial{}, ExcludedTrials: s.ExcludedTrials, FailedTrials: s.FailedTrials, SettingsChanges: s.SettingsChanges,
			UpstreamChanges: s.UpstreamChanges, Deferred: s.Deferred, Recorded: s.Recorded}
		for _, t := range s.ToRun {
			fs.ToRun = append(fs.ToRun, toFileTrial(ds, t))
		}
		for _, t := range s.ToRetry {
			fs.ToRetry = append(fs.ToRetry, toFileTrial(ds, t))
		}
		doc.Searches = append(doc.Searches, fs)
	}
	b, err := encodeFile(doc)
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

// encodeFile encodes a plan file: the envelope with the plan's checksum,
// indented.
func encodeFile(doc fileDoc) ([]byte, error) {
	payload, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return sealFile(payload)
}

// sealFile wraps a compact plan payload in its envelope.
func sealFile(payload []byte) ([]byte, error) {
	env := fileEnvelope{Kind: fileKind, Version: fileVersion, Checksum: checksum(payload), Plan: payload}
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// checksum is the checksum of a compact payload.
func checksum(payload []byte) string {
	sum := sha256.Sum256(payload)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func toFileTrial(s *definition.Search, t Trial) fileTrial {
	ft := fileTrial{Number: t.Number, Attempt: t.Attempt, Reason: t.Reason, Attach: t.Attach, Job: t.Job}
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
	doc, err := decodeFile(b)
	if err != nil {
		return nil, fmt.Errorf("%s %w", path, err)
	}
	return &Saved{doc: doc}, nil
}

// decodeFile decodes a plan file and checks its checksum. Its errors
// follow the file's name.
func decodeFile(b []byte) (fileDoc, error) {
	var env fileEnvelope
	if err := json.Unmarshal(b, &env); err != nil || env.Kind != fileKind {
		return fileDoc{}, errors.New("is not a plan file written by fwapply plan -out")
	}
	if env.Version != fileVersion {
		return fileDoc{}, fmt.Errorf("is a version %d plan file; this fwapply reads version %d. Run fwapply plan -out again", env.Version, fileVersion)
	}
	var payload bytes.Buffer
	if len(env.Plan) == 0 || json.Compact(&payload, env.Plan) != nil || !strings.HasPrefix(env.Checksum, "sha256:") {
		return fileDoc{}, errors.New("is not a plan file written by fwapply plan -out: it lacks its plan or its checksum")
	}
	if checksum(payload.Bytes()) != env.Checksum {
		return fileDoc{}, errors.New("was modified after fwapply plan wrote it: its content does not match its checksum. Run fwapply plan -out again")
	}
	dec := json.NewDecoder(&payload)
	dec.UseNumber()
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		return fileDoc{}, fmt.Errorf("holds a plan that cannot be read (%v). Run fwapply plan -out again", err)
	}
	return doc, nil
}

// ErrStale is wrapped by the errors of Bind for a plan that no longer
// applies.
var ErrStale = errors.New("stale plan")

// ErrMismatch is wrapped by the errors of Bind for a plan that does not
// fit the very state it names: one edited by hand (and its checksum
// recomputed), since Make never writes such a plan.
var ErrMismatch = errors.New("the plan does not fit the state")

// Bind checks a saved plan against the current definition and state, and
// returns it as a Plan. The plan is stale when the state's lineage or
// serial, or a search's definition, is not the one it was made against
// (ErrStale). It does not fit the state (ErrMismatch) when a search
// appears twice; a new trial's number is already in the state, below the
// search's next number, planned twice or not the next in turn; a new
// trial's attempt is not 1, or its params are left to apply in a search
// whose strategy is not adaptive; a retried trial is not a matching trial of the
// state, has other params than it, or an attempt other than its next; or
// the new trials exceed the search's budget (trials, or the grid size)
// beside the matching trials the state holds. Params outside the space are
// stale.
func (sv *Saved) Bind(def *definition.Definition, st *state.State) (*Plan, error) {
	p, err := sv.bindSerial(def, st.Lineage, st.Serial)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, ps := range p.Searches {
		if seen[ps.Name] {
			return nil, fmt.Errorf("%w: search %q appears twice; run fwapply plan -out again", ErrMismatch, ps.Name)
		}
		seen[ps.Name] = true
		if ps.Deferred != nil {
			continue // nothing planned: Plan checked it is still deferred
		}
		if err := checkSearch(def.Search(ps.Name), ps, st); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkSearch checks one search of a saved plan against the state.
func checkSearch(s *definition.Search, ps *Search, st *state.State) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: search %q: %s; run fwapply plan -out again", ErrMismatch, s.Name, fmt.Sprintf(format, args...))
	}
	h := Classify(s, st.Trials(s.Name))
	matching := map[int]Matched{}
	for _, group := range [][]Matched{h.Kept, h.Failed, h.Retry, h.Pruned} {
		for _, m := range group {
			matching[m.Trial.Number] = m
		}
	}
	planned := map[int]bool{}
	for _, t := range ps.ToRetry {
		if planned[t.Number] {
			return fail("trial %d is planned twice", t.Number)
		}
		planned[t.Number] = true
		m, ok := matching[t.Number]
		switch {
		case st.Trial(s.Name, t.Number) == nil:
			return fail("trial %d to retry is not in the state", t.Number)
		case !ok:
			return fail("trial %d to retry no longer matches the definition", t.Number)
		case t.Attach && !Attachable(s, m.Trial):
			return fail("trial %d is planned as an attach to its job, but it is no longer running on a Slurm executor", t.Number)
		case t.Attach && (t.Attempt != m.Trial.Attempts || t.Job != m.Trial.Job):
			return fail("trial %d is planned as an attach to job %q attempt %d, but the state records job %q attempt %d", t.Number, t.Job, t.Attempt, m.Trial.Job, m.Trial.Attempts)
		case !t.Attach && t.Job != "":
			return fail("trial %d to retry names job %q without attaching to it", t.Number, t.Job)
		case !t.Attach && t.Attempt != m.Trial.Attempts+1:
			return fail("trial %d to retry has attempt %d, but its next attempt is %d", t.Number, t.Attempt, m.Trial.Attempts+1)
		case t.Point == nil || !reflect.DeepEqual(s.ParamMap(t.Point), s.ParamMap(m.Point)):
			return fail("trial %d to retry has other params than the state's trial %d", t.Number, t.Number)
		}
	}
	strategy, err := StrategyFor(s)
	if err != nil {
		return fmt.Errorf("search %q: %w", s.Name, err)
	}
	_, adaptive := strategy.(search.Adaptive)
	next := st.NextNumber(s.Name)
	for i, t := range ps.ToRun {
		switch {
		case planned[t.Number]:
			return fail("trial %d is planned twice", t.Number)
		case st.Trial(s.Name, t.Number) != nil:
			return fail("new trial %d is already in the state", t.Number)
		case t.Number < next:
			return fail("new trial %d is below the search's next trial number, %d (numbers are never reused)", t.Number, next)
		case t.Number != next+i:
			return fail("new trial %d should be trial %d: new trials are numbered in turn from %d", t.Number, next+i, next)
		case t.Attempt != 1:
			return fail("new trial %d has attempt %d, not 1", t.Number, t.Attempt)
		case t.Point == nil && !adaptive:
			return fail("new trial %d has no params, but a %s search plans every trial's params", t.Number, s.Strategy)
		}
		planned[t.Number] = true
	}
	budget, err := Budget(s)
	if err != nil {
		return fmt.Errorf("search %q: %w", s.Name, err)
	}
	if room := max(0, budget-len(matching)); len(ps.ToRun) > room {
		return fail("%d new trials, but the budget of %d leaves room for %d beside the %d matching trials in the state", len(ps.ToRun), budget, room, len(matching))
	}
	return nil
}

// bindSerial checks a saved plan against the state's lineage and serial
// and the current definition.
func (sv *Saved) bindSerial(def *definition.Definition, lineage string, serial uint64) (*Plan, error) {
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
		if fs.Deferred != nil || s.Deferred != nil {
			if fs.Deferred == nil || s.Deferred == nil || len(fs.ToRun)+len(fs.ToRetry) > 0 {
				return nil, fmt.Errorf("%w: search %q was planned with its definition %s, and it is %s now; run fwapply plan again", ErrStale, fs.Name, knownWord(fs.Deferred == nil), knownWord(s.Deferred == nil))
			}
			p.Searches = append(p.Searches, &Search{Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode,
				Budget: fs.Budget, Deferred: s.Deferred, Recorded: fs.Recorded})
			continue
		}
		if s.Fingerprint() != fs.Fingerprint {
			return nil, fmt.Errorf("%w: search %q changed since the plan was made; run fwapply plan again", ErrStale, fs.Name)
		}
		ps := &Search{Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode, Fingerprint: fs.Fingerprint,
			Budget: fs.Budget, Kept: fs.Kept, Failed: fs.Failed, Excluded: fs.Excluded, Exhausted: fs.Exhausted, Pruned: fs.Pruned,
			ExcludedTrials: fs.ExcludedTrials, FailedTrials: fs.FailedTrials, SettingsChanges: jsonChanges(fs.SettingsChanges),
			UpstreamChanges: fs.UpstreamChanges}
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
		t := Trial{Number: ft.Number, Attempt: ft.Attempt, Reason: ft.Reason, Attach: ft.Attach, Job: ft.Job}
		if ft.Params != nil && s.Space.Conditional() {
			params := make(map[string]any, len(ft.Params))
			for k, v := range ft.Params {
				params[k] = jsonValue(v)
			}
			pt, err := s.PointFromParams(params) // inactive params are left out
			if err != nil {
				return nil, fmt.Errorf("%w: trial %d of search %q: %v; run fwapply plan again", ErrStale, ft.Number, s.Name, err)
			}
			t.Point = pt
		} else if ft.Params != nil {
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

// knownWord says whether a search's definition is known.
func knownWord(known bool) string {
	if known {
		return "known"
	}
	return "known only after apply"
}
