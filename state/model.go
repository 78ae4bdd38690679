package state

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Status is the status of a trial.
type Status string

// The trial statuses.
const (
	Completed   Status = "completed"
	Failed      Status = "failed"
	Running     Status = "running"     // started; still running, or the process that ran it crashed
	Interrupted Status = "interrupted" // stopped by the user or found running after a crash
	// Pruned: stopped by the search's pruner, at Trial.Pruned. It counts
	// against the budget, is never run again, and never counts for the
	// best.
	Pruned Status = "pruned"
)

func (st Status) valid() bool {
	switch st {
	case Completed, Failed, Running, Interrupted, Pruned:
		return true
	}
	return false
}

// Trial is one trial record. Number is unique within a search and never
// reused, even after Remove.
type Trial struct {
	Search     string             `json:"search"`
	Number     int                `json:"number"`
	Params     map[string]any     `json:"params"` // flat dotted keys -> values
	Config     map[string]any     `json:"config"` // the resolved nested config
	ConfigHash string             `json:"config_hash"`
	Status     Status             `json:"status"`
	Metrics    map[string]float64 `json:"metrics,omitempty"`
	Error      string             `json:"error,omitempty"`
	Attempts   int                `json:"attempts"`
	Tainted    bool               `json:"tainted,omitempty"` // run again on the next apply
	Started    time.Time          `json:"started,omitzero"`
	Ended      time.Time          `json:"ended,omitzero"`
	Host       string             `json:"host,omitempty"` // where it ran, e.g. "local:myhost pid 1234"
	Dir        string             `json:"dir,omitempty"`  // the trial directory
	// Job is the scheduler's handle of the job that ran the last attempt,
	// for executors that queue trials ("slurm:1234", "slurm:1234_7" for
	// an element of a job array); empty for trials run by fwapply itself.
	Job string `json:"job,omitempty"`
	// Steps are the values of the metric the search's pruner watches, as
	// the trial reported them in its progress, one per step in ascending
	// order; kept for the trials of a search with a pruner, when they
	// end. The pruner decides from them alone, so that a resumed search
	// makes the same decisions.
	Steps []Step `json:"steps,omitempty"`
	// Pruned is the step at which the pruner stopped the trial and the
	// value that decided it (status Pruned); nil otherwise.
	Pruned *Step `json:"pruned,omitempty"`
	// Queued is how long the last attempt waited in the scheduler's queue,
	// from its submission to its start; 0 when it did not queue. It is
	// kept to the millisecond, in JSON as "queued_s", a number of seconds
	// (see MarshalJSON).
	Queued time.Duration `json:"-"`
}

// plainTrial is a Trial without its MarshalJSON method.
type plainTrial Trial

// MarshalJSON writes the fields of Trial as their tags say, with Queued
// as "queued_s", a number of seconds, after "job" (left out when 0), as
// the state file's records hold it.
func (t Trial) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		plainTrial
		QueuedS float64 `json:"queued_s,omitempty"`
	}{plainTrial(t), t.Queued.Seconds()})
}

// Ref returns the trial's identity.
func (t *Trial) Ref() TrialRef { return TrialRef{Search: t.Search, Number: t.Number} }

// Clone returns a deep copy of t.
func (t *Trial) Clone() *Trial {
	c := *t
	c.Params = copyObject(t.Params)
	c.Config = copyObject(t.Config)
	c.Metrics = maps.Clone(t.Metrics)
	c.Steps = slices.Clone(t.Steps)
	if t.Pruned != nil {
		p := *t.Pruned
		c.Pruned = &p
	}
	return &c
}

// State is the whole state of one working directory, in memory. It is not
// safe for concurrent use.
type State struct {
	Lineage string // random UUID fixed at creation
	Serial  uint64 // bumped by every change

	trials   map[string]map[int]*Trial // search -> number -> trial
	next     map[string]int            // search -> next trial number
	settings map[string]map[string]any // search -> settings as last applied
}

// Settings returns a search's definition as last recorded by an apply, or
// nil. Like Trials, it returns the state's own value: read it only.
func (s *State) Settings(search string) map[string]any {
	return s.settings[search]
}

// SettingsSearches returns the searches that have settings, sorted.
func (s *State) SettingsSearches() []string {
	return slices.Sorted(maps.Keys(s.settings))
}

func (s *State) putSettings(ss *SearchSettings) {
	if s.settings == nil {
		s.settings = map[string]map[string]any{}
	}
	s.settings[ss.Search] = ss.Settings
}

// New returns an empty state with a fresh lineage and serial 0.
func New() *State {
	return &State{Lineage: newUUID(), trials: map[string]map[int]*Trial{}, next: map[string]int{}}
}

// Searches returns the searches that have trials or have ever had one,
// sorted.
func (s *State) Searches() []string {
	return slices.Sorted(maps.Keys(s.next))
}

// Trials returns the trials of a search sorted by number. The trials are the
// state's own records: read them, never modify them; to change one, Apply a
// Put of a Clone.
func (s *State) Trials(search string) []*Trial {
	m := s.trials[search]
	ts := make([]*Trial, 0, len(m))
	for _, n := range slices.Sorted(maps.Keys(m)) {
		ts = append(ts, m[n])
	}
	return ts
}

// Trial returns one trial, or nil when there is none. Like Trials, it
// returns the state's own record, which must not be modified.
func (s *State) Trial(search string, number int) *Trial {
	return s.trials[search][number]
}

// NextNumber returns the number the next new trial of a search gets: 0 for a
// new search, else the largest number ever recorded plus one.
func (s *State) NextNumber(search string) int {
	return s.next[search]
}

// Len returns the number of trial records.
func (s *State) Len() int {
	n := 0
	for _, m := range s.trials {
		n += len(m)
	}
	return n
}

// DeepCopy returns a copy of s that shares nothing with it.
func (s *State) DeepCopy() *State {
	c := &State{Lineage: s.Lineage, Serial: s.Serial, trials: make(map[string]map[int]*Trial, len(s.trials)), next: maps.Clone(s.next)}
	for search, m := range s.settings {
		if c.settings == nil {
			c.settings = map[string]map[string]any{}
		}
		c.settings[search] = copyObject(m)
	}
	for search, m := range s.trials {
		cm := make(map[int]*Trial, len(m))
		for n, t := range m {
			cm[n] = t.Clone()
		}
		c.trials[search] = cm
	}
	return c
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program rather than return an error)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// copyObject deep-copies a normalized JSON object.
func copyObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = copyValue(v)
	}
	return c
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyObject(v)
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = copyValue(e)
		}
		return l
	}
	return v
}
