package state

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/frameworm/frameworm/jsonenc"
)

// Step is one value a trial reported in its progress, at a step: the
// values a search's pruner watches (Trial.Steps), and where it stopped a
// trial (Trial.Pruned). Value may be NaN or ±Inf (a diverging loss): in
// JSON a Step is the pair [step, value], the value a number, or the
// string "NaN", "Infinity" or "-Infinity".
type Step struct {
	Step  int64
	Value float64
}

// MarshalJSON writes the pair [step, value].
func (s Step) MarshalJSON() ([]byte, error) { return appendStep(nil, s), nil }

// UnmarshalJSON reads the pair [step, value].
func (s *Step) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("a step is [step, value], not %s", b)
	}
	if err := json.Unmarshal(pair[0], &s.Step); err != nil {
		return fmt.Errorf("a step is [step, value]: step %s is not a whole number", pair[0])
	}
	var str string
	if json.Unmarshal(pair[1], &str) == nil {
		v, ok := nonFinite(str)
		if !ok {
			return fmt.Errorf("a step's value is a number, \"NaN\", \"Infinity\" or \"-Infinity\", not %q", str)
		}
		s.Value = v
		return nil
	}
	if err := json.Unmarshal(pair[1], &s.Value); err != nil {
		return fmt.Errorf("a step's value is a number, \"NaN\", \"Infinity\" or \"-Infinity\", not %s", pair[1])
	}
	return nil
}

func nonFinite(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}

// appendStep appends s as the pair [step, value].
func appendStep(b []byte, s Step) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, s.Step, 10)
	b = append(b, ',')
	switch {
	case math.IsNaN(s.Value):
		b = append(b, `"NaN"`...)
	case math.IsInf(s.Value, 1):
		b = append(b, `"Infinity"`...)
	case math.IsInf(s.Value, -1):
		b = append(b, `"-Infinity"`...)
	default:
		b, _ = jsonenc.AppendNumber(b, s.Value) // finite: no error
	}
	return append(b, ']')
}
