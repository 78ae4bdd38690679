package views

import (
	"testing"
	"time"

	"github.com/frameworm/frameworm/apply"
)

// ETA takes the pace of the later half of the trials ended: a steady
// pace gives the overall pace's estimate; a pace that slows (asks that
// grow with the model) is not taken at its early rate.
func TestETA(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	// ends returns the end times of trials taking the given seconds each,
	// one after the other from t0.
	ends := func(secs ...float64) []time.Time {
		var out []time.Time
		at := t0
		for _, s := range secs {
			at = at.Add(time.Duration(s * float64(time.Second)))
			out = append(out, at)
		}
		return out
	}
	steady := ends(2, 2, 2, 2, 2, 2, 2, 2, 2, 2)
	slowing := ends(1, 1, 1, 1, 1, 3, 3, 3, 3, 3)
	for _, tc := range []struct {
		name string
		p    apply.Progress
		now  time.Time
		want time.Duration
	}{
		{"nothing ended", apply.Progress{Total: 10, Started: t0}, t0.Add(time.Minute), 0},
		{"all ended", apply.Progress{Total: 10, Done: 10, Started: t0, Ended: steady}, steady[9], 0},
		{"not started", apply.Progress{Total: 10, Done: 2}, t0, 0},
		{"steady", apply.Progress{Total: 30, Done: 10, Started: t0, Ended: steady}, steady[9], 40 * time.Second},
		// 5 trials of 3 s since the 5th ended: 3 s a trial, 20 left.
		{"slowing", apply.Progress{Total: 30, Done: 10, Started: t0, Ended: slowing}, slowing[9], 60 * time.Second},
		// Up to 3 ended: the pace since the start.
		{"three ended", apply.Progress{Total: 13, Done: 3, Started: t0, Ended: slowing[:3]}, slowing[2], 10 * time.Second},
		// The time since the last end counts: 1 s more over 5 trials.
		{"between ends", apply.Progress{Total: 30, Done: 10, Started: t0, Ended: slowing}, slowing[9].Add(time.Second), 20 * 16 * time.Second / 5},
		// Without end times (an older producer), the overall pace.
		{"no end times", apply.Progress{Total: 30, Done: 10, Started: t0}, slowing[9], 20 * 2 * time.Second},
	} {
		if got := eta(tc.p, tc.now); got != tc.want {
			t.Errorf("%s: eta %v, want %v", tc.name, got, tc.want)
		}
	}
}
