package state

import (
	"encoding/json"
	"math"
	"testing"
)

// TestStepJSON: a Step is the pair [step, value], with NaN and the
// infinities as strings, and reads back the same through encoding/json.
func TestStepJSON(t *testing.T) {
	for _, tc := range []struct {
		s    Step
		want string
	}{
		{Step{4, 0.91}, `[4,0.91]`},
		{Step{0, 3}, `[0,3]`},
		{Step{-2, 1e-7}, `[-2,1e-7]`},
		{Step{1, math.NaN()}, `[1,"NaN"]`},
		{Step{1, math.Inf(1)}, `[1,"Infinity"]`},
		{Step{1, math.Inf(-1)}, `[1,"-Infinity"]`},
	} {
		b, err := json.Marshal(tc.s)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.s, b, err, tc.want)
			continue
		}
		var back Step
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("Unmarshal(%s): %v", b, err)
			continue
		}
		if back.Step != tc.s.Step || !(back.Value == tc.s.Value || math.IsNaN(back.Value) && math.IsNaN(tc.s.Value)) {
			t.Errorf("Unmarshal(%s) = %v, want %v", b, back, tc.s)
		}
	}
	for _, bad := range []string{`[1]`, `[1,2,3]`, `{"step":1}`, `[1.5,2]`, `[1,"nan"]`, `[1,true]`, `"x"`} {
		var s Step
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, s)
		}
	}
}
