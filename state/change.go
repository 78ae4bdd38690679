package state

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// TrialRef names one trial.
type TrialRef struct {
	Search string `json:"search"`
	Number int    `json:"number"`
}

func (r TrialRef) String() string { return fmt.Sprintf("%s #%d", r.Search, r.Number) }

// Change is one journal record. Exactly one of its fields is set.
type Change struct {
	Put    *Trial    // insert or replace the trial (Search, Number)
	Remove *TrialRef // delete the trial record
	// Settings records a search's definition as an apply ran it, so a
	// later plan can say what changed since.
	Settings *SearchSettings
}

// SearchSettings is a search's definition as last applied: a JSON object
// of its settings (strategy, budget, params, base config, trial command,
// ...), in whatever shape the writer chose; the state only stores it.
type SearchSettings struct {
	Search   string         `json:"search"`
	Settings map[string]any `json:"settings"`
}

// Validate checks the shape of a change without looking at a state: exactly
// one field set, a search name, a non-negative number, a known status,
// finite metrics and no negative queue wait. It does not check Params and
// Config (Apply normalizes them).
func (c Change) Validate() error {
	set := 0
	for _, ok := range []bool{c.Put != nil, c.Remove != nil, c.Settings != nil} {
		if ok {
			set++
		}
	}
	switch {
	case set > 1:
		return errors.New("invalid change: more than one of Put, Remove and Settings is set")
	case c.Settings != nil:
		if c.Settings.Search == "" {
			return errors.New("invalid change: search settings without a search name")
		}
		return nil
	case c.Put != nil:
		t := c.Put
		if err := checkRef(t.Ref()); err != nil {
			return err
		}
		if !t.Status.valid() {
			return fmt.Errorf("invalid change: trial %s has status %q (want %q, %q, %q, %q or %q)", t.Ref(), t.Status, Completed, Failed, Running, Interrupted, Pruned)
		}
		for i := 1; i < len(t.Steps); i++ {
			if t.Steps[i].Step <= t.Steps[i-1].Step {
				return fmt.Errorf("invalid change: trial %s has steps out of order (%d after %d)", t.Ref(), t.Steps[i].Step, t.Steps[i-1].Step)
			}
		}
		if (t.Status == Pruned) != (t.Pruned != nil) {
			return fmt.Errorf("invalid change: trial %s has status %q and pruned step %v: a pruned trial, and only a pruned one, has the step it was pruned at", t.Ref(), t.Status, t.Pruned)
		}
		if t.Queued < 0 {
			return fmt.Errorf("invalid change: trial %s has a negative queue wait (%v)", t.Ref(), t.Queued)
		}
		for k, v := range t.Metrics {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("invalid change: trial %s metric %q is %v, which cannot be stored (JSON has no NaN or infinity)", t.Ref(), k, v)
			}
		}
		return nil
	case c.Remove != nil:
		return checkRef(*c.Remove)
	}
	return errors.New("invalid change: none of Put, Remove and Settings is set")
}

func checkRef(r TrialRef) error {
	if r.Search == "" {
		return fmt.Errorf("invalid change: trial #%d has no search name", r.Number)
	}
	if r.Number < 0 {
		return fmt.Errorf("invalid change: trial %s has a negative number", r)
	}
	return nil
}

// Apply applies one change and bumps Serial. A Put stores a normalized deep
// copy of the trial (see NormalizeValue; empty Metrics are stored as nil,
// invalid UTF-8 in strings as U+FFFD and Queued truncated to the
// millisecond, as they would read back), so the caller may keep changing
// its value. Removing a trial that is not there is an error. On error the
// state is unchanged.
func (s *State) Apply(c Change) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Put != nil {
		t, err := normalizeTrial(c.Put)
		if err != nil {
			return err
		}
		c = Change{Put: t}
	}
	if c.Settings != nil {
		ss, err := normalizeSettings(c.Settings)
		if err != nil {
			return err
		}
		c = Change{Settings: ss}
	}
	return s.apply(c)
}

// normalizeTrial returns a normalized deep copy of t.
func normalizeTrial(t *Trial) (*Trial, error) {
	c := *t
	var err error
	if c.Params, err = normalizeObject(t.Params); err != nil {
		return nil, fmt.Errorf("trial %s params: %w", t.Ref(), err)
	}
	if c.Config, err = normalizeObject(t.Config); err != nil {
		return nil, fmt.Errorf("trial %s config: %w", t.Ref(), err)
	}
	c.Metrics = nil
	if len(t.Metrics) > 0 {
		c.Metrics = make(map[string]float64, len(t.Metrics))
		for k, v := range t.Metrics {
			c.Metrics[validUTF8(k)] = v
		}
	}
	c.Steps = nil
	if len(t.Steps) > 0 {
		c.Steps = slices.Clone(t.Steps)
	}
	if t.Pruned != nil {
		p := *t.Pruned
		c.Pruned = &p
	}
	c.Queued = c.Queued.Truncate(time.Millisecond) // as it reads back (see Trial.Queued)
	for _, s := range []*string{&c.Search, &c.ConfigHash, &c.Error, &c.Host, &c.Dir, &c.Job} {
		*s = validUTF8(*s)
	}
	return &c, nil
}

func normalizeObject(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	v, err := normalize(m, "")
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// normalizeSettings returns a normalized deep copy of ss.
func normalizeSettings(ss *SearchSettings) (*SearchSettings, error) {
	m, err := normalizeObject(ss.Settings)
	if err != nil {
		return nil, fmt.Errorf("settings of search %q: %w", ss.Search, err)
	}
	return &SearchSettings{Search: validUTF8(ss.Search), Settings: m}, nil
}

// apply applies a valid change whose trial the state may keep as it is.
func (s *State) apply(c Change) error {
	switch {
	case c.Put != nil:
		s.put(c.Put)
	case c.Settings != nil:
		s.putSettings(c.Settings)
	default:
		if err := s.remove(*c.Remove); err != nil {
			return err
		}
	}
	s.Serial++
	return nil
}

func (s *State) put(t *Trial) {
	if s.trials == nil {
		s.trials = map[string]map[int]*Trial{}
	}
	if s.next == nil {
		s.next = map[string]int{}
	}
	m := s.trials[t.Search]
	if m == nil {
		m = map[int]*Trial{}
		s.trials[t.Search] = m
	}
	m[t.Number] = t
	s.next[t.Search] = max(s.next[t.Search], t.Number+1)
}

func (s *State) remove(r TrialRef) error {
	if s.trials[r.Search][r.Number] == nil {
		return fmt.Errorf("cannot remove trial %s: there is no such trial", r)
	}
	delete(s.trials[r.Search], r.Number)
	if len(s.trials[r.Search]) == 0 {
		delete(s.trials, r.Search)
	}
	return nil
}
