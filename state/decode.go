package state

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"time"
)

// decodeRecord decodes and checks the payload of a record line (the "r"
// object). It parses by hand into the structs: loading a large state is
// mostly this, and encoding/json's reflection made it several times slower.
// Unknown keys are skipped.
func (p *parser) decodeRecord(payload []byte) (serial uint64, c Change, err error) {
	p.data, p.pos, p.depth = payload, 0, 0
	null, err := p.fields(func(key []byte) error {
		var err error
		switch string(key) {
		case "serial":
			var n int64
			n, err = p.int()
			if n < 0 {
				return p.errorf("negative serial")
			}
			serial = uint64(n)
		case "put":
			c.Put, err = p.trial()
		case "remove":
			c.Remove, err = p.ref()
		case "settings":
			c.Settings, err = p.settings()
		default:
			_, err = p.value()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if err == nil && null {
		err = p.errorf("record is null")
	}
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return 0, Change{}, fmt.Errorf("not a valid record: %w", err)
	}
	if err := c.Validate(); err != nil {
		return 0, Change{}, err
	}
	return serial, c, nil
}

func (p *parser) trial() (*Trial, error) {
	t := &Trial{}
	null, err := p.fields(func(key []byte) error {
		var err error
		switch string(key) {
		case "search":
			t.Search, err = p.string()
		case "number":
			t.Number, err = p.intField()
		case "params":
			t.Params, err = p.objectOrNull()
		case "config":
			t.Config, err = p.objectOrNull()
		case "config_hash":
			t.ConfigHash, err = p.string()
		case "status":
			var s string
			s, err = p.string()
			t.Status = Status(s)
		case "metrics":
			t.Metrics, err = p.metrics()
		case "error":
			t.Error, err = p.string()
		case "attempts":
			t.Attempts, err = p.intField()
		case "tainted":
			t.Tainted, err = p.bool()
		case "started":
			t.Started, err = p.time()
		case "ended":
			t.Ended, err = p.time()
		case "host":
			t.Host, err = p.string()
		case "dir":
			t.Dir, err = p.string()
		case "job":
			t.Job, err = p.string()
		case "queued_s":
			t.Queued, err = p.seconds()
		case "steps":
			t.Steps, err = p.steps()
		case "pruned":
			var st Step
			var null bool
			if st, null, err = p.step(); err == nil && !null {
				t.Pruned = &st
			}
		default:
			_, err = p.value()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if null || err != nil {
		return nil, err
	}
	return t, nil
}

// steps reads a list of [step, value] pairs (Step).
func (p *parser) steps() ([]Step, error) {
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if v != nil && !ok {
		return nil, p.errorf("want a list of [step, value] pairs")
	}
	var out []Step
	for _, e := range list {
		st, err := p.stepOf(e)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// step reads one [step, value] pair, or null.
func (p *parser) step() (Step, bool, error) {
	v, err := p.value()
	if err != nil || v == nil {
		return Step{}, v == nil, err
	}
	st, err := p.stepOf(v)
	return st, false, err
}

func (p *parser) stepOf(v any) (Step, error) {
	pair, ok := v.([]any)
	if !ok || len(pair) != 2 {
		return Step{}, p.errorf("want a [step, value] pair")
	}
	n, ok := pair[0].(int64)
	if !ok {
		return Step{}, p.errorf("a step's step is a whole number")
	}
	st := Step{Step: n}
	switch x := pair[1].(type) {
	case float64:
		st.Value = x
	case int64:
		st.Value = float64(x)
	case string:
		if st.Value, ok = nonFinite(x); !ok {
			return Step{}, p.errorf("a step's value is a number, \"NaN\", \"Infinity\" or \"-Infinity\", not %q", x)
		}
	default:
		return Step{}, p.errorf("a step's value is a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
	}
	return st, nil
}

func (p *parser) ref() (*TrialRef, error) {
	r := &TrialRef{}
	null, err := p.fields(func(key []byte) error {
		var err error
		switch string(key) {
		case "search":
			r.Search, err = p.string()
		case "number":
			r.Number, err = p.intField()
		default:
			_, err = p.value()
		}
		return err
	})
	if null || err != nil {
		return nil, err
	}
	return r, nil
}

func (p *parser) objectOrNull() (map[string]any, error) {
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if v != nil && !ok {
		return nil, p.errorf("want an object")
	}
	return m, nil
}

func (p *parser) metrics() (map[string]float64, error) {
	m := map[string]float64{}
	null, err := p.fields(func(key []byte) error {
		k := p.intern(key)
		v, err := p.value()
		switch v := v.(type) {
		case float64:
			m[k] = v
		case int64:
			m[k] = float64(v)
		default:
			err = cmp.Or(err, p.errorf("metric %q is not a number", k))
		}
		return err
	})
	if null || err != nil || len(m) == 0 {
		return nil, err
	}
	return m, nil
}

func (p *parser) int() (int64, error) {
	v, err := p.value()
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, p.errorf("want an integer")
	}
	return n, nil
}

func (p *parser) intField() (int, error) {
	n, err := p.int()
	if err == nil && (n < math.MinInt || n > math.MaxInt) {
		err = p.errorf("integer %d out of range", n)
	}
	return int(n), err
}

func (p *parser) bool() (bool, error) {
	if _, err := p.peek(); err != nil {
		return false, err
	}
	switch {
	case p.literal("true"):
		return true, nil
	case p.literal("false"):
		return false, nil
	}
	return false, p.errorf("want true or false")
}

// seconds parses a non-negative number of seconds into a Duration, to the
// millisecond: a float64 of seconds holds every millisecond of a Duration
// exactly enough that encoding it again gives the same text.
func (p *parser) seconds() (time.Duration, error) {
	v, err := p.value()
	if err != nil {
		return 0, err
	}
	var s float64
	switch v := v.(type) {
	case float64:
		s = v
	case int64:
		s = float64(v)
	default:
		return 0, p.errorf("want a number of seconds")
	}
	ms := math.Round(s * 1e3)
	if !(ms >= 0 && ms <= math.MaxInt64/1e6) {
		return 0, p.errorf("%v seconds is not a duration (want 0 to some 292 years)", s)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// time parses an RFC 3339 string, as time.Time marshals itself.
func (p *parser) time() (time.Time, error) {
	var t time.Time
	if c, err := p.peek(); err != nil || c != '"' {
		return t, cmp.Or(err, p.errorf("want a time string"))
	}
	b, err := p.rawString()
	if err != nil {
		return t, err
	}
	if err := t.UnmarshalText(b); err != nil {
		return t, fmt.Errorf("invalid time %s: %w", strconv.Quote(string(b)), err)
	}
	return t, nil
}

// settings decodes a search's settings record.
func (p *parser) settings() (*SearchSettings, error) {
	ss := &SearchSettings{}
	null, err := p.fields(func(key []byte) error {
		var err error
		switch string(key) {
		case "search":
			ss.Search, err = p.string()
		case "settings":
			ss.Settings, err = p.objectOrNull()
		default:
			_, err = p.value()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if null {
		return nil, p.errorf("settings is null")
	}
	return ss, nil
}

// TrialDecoder decodes trials written as JSON objects with MarshalTrial
// (or by encoding/json from a Trial), as the state file's records hold
// them, with the state file's parser: an integer literal becomes an int64
// and any other number a float64, unknown keys are skipped. It does not
// validate the trial (see Change.Validate); State.Apply normalizes it. A
// TrialDecoder is not safe for concurrent use; its zero value is ready.
type TrialDecoder struct{ p parser }

// Decode decodes one trial object; null is an error.
func (d *TrialDecoder) Decode(data []byte) (*Trial, error) {
	p := &d.p
	p.data, p.pos, p.depth = data, 0, 0
	t, err := p.trial()
	if err == nil && t == nil {
		err = p.errorf("the trial is null")
	}
	if err == nil {
		err = p.end()
	}
	p.data = nil // keep no reference to the caller's bytes
	if err != nil {
		return nil, fmt.Errorf("not a valid trial: %w", err)
	}
	return t, nil
}
