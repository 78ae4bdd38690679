package command

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
)

// TestWithin: "within 1 %" of the best, for min and max, and for a best
// at or near 0, where 0.01 % of the median's distance from the best
// sets the tolerance.
func TestWithin(t *testing.T) {
	tests := []struct {
		name                string
		mode                string
		score, best, median float64
		want                bool
	}{
		{"min, 1 % above", "min", 1.01, 1, 2, true},
		{"min, just over 1 %", "min", 1.0101, 1, 2, false},
		{"min, negative best", "min", -0.99, -1, 0, true},
		{"min, negative best, over", "min", -0.98, -1, 0, false},
		{"max, 1 % below", "max", 0.99, 1, 0.5, true},
		{"max, over 1 % below", "max", 0.989, 1, 0.5, false},
		{"max, negative best", "max", -1.01, -1, -3, true},
		{"max, negative best, over", "max", -1.02, -1, -3, false},
		{"best 0: the median's distance sets it", "min", 0.0009, 0, 10, true},
		{"best 0, over", "min", 0.0011, 0, 10, false},
		{"near 0: the larger tolerance", "min", 1.05e-5, 1e-5, 10, true},
		{"a diverged trial does not widen it", "min", 0.0506, 0.05, 0.2, false},
		{"everything equal to 0", "min", 0, 0, 0, true},
	}
	for _, tt := range tests {
		tol := withinTolerance(tt.best, tt.median)
		if got := isWithin(tt.mode, tt.score, tt.best, tol); got != tt.want {
			t.Errorf("%s: isWithin(%s, %g, best %g, tol %g) = %v, want %v", tt.name, tt.mode, tt.score, tt.best, tol, got, tt.want)
		}
	}
}

// TestCompareSearch: a search's row and series. Positions count every
// trial in number order; the time series follows the order trials
// ended, which parallel trials change.
func TestCompareSearch(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	trials := []analysis.Trial{ // out of number order on purpose
		{Number: 3, Status: "completed", Score: 0.5, Started: at(1), Ended: at(3)},
		{Number: 0, Status: "completed", Score: 2, Started: at(0), Ended: at(4)},
		{Number: 1, Status: "failed", Started: at(0), Ended: at(1)},
		{Number: 2, Status: "completed", Score: 1, Started: at(1), Ended: at(2)},
		{Number: 4, Status: "completed", Score: math.NaN(), Started: at(3), Ended: at(5)},
		{Number: 5, Status: "completed", Score: 0.499, Started: at(4), Ended: at(6)},
	}
	s := &definition.Search{Name: "r", Strategy: definition.Random, Mode: definition.Min, Metric: "loss"}
	sum := analysis.Summarize("r", "loss", "min", trials)
	row, series := compareSearch(s, trials, sum)
	best := 0.499
	want := views.CompareRow{Search: "r", Strategy: "random", Trials: 6, Completed: 4, Best: &best, BestTrial: 5,
		Within: &views.Within{Trials: 4, Trial: 3, Elapsed: 3 * time.Second}, WallTime: sum.WallTime, TrialTime: sum.TimeSpent}
	if d := cmp.Diff(want, row); d != "" {
		t.Errorf("row (-want +got):\n%s", d)
	}
	wantTrial := []comparePoint{{1, 4, 2}, {3, 2, 1}, {4, 3, 0.5}, {6, 6, 0.499}}
	wantTime := []comparePoint{{3, 2, 1}, {4, 3, 0.5}, {1, 4, 0.5}, {6, 6, 0.499}}
	if d := cmp.Diff(wantTrial, series.byTrial, cmp.AllowUnexported(comparePoint{})); d != "" {
		t.Errorf("by trial (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantTime, series.byTime, cmp.AllowUnexported(comparePoint{})); d != "" {
		t.Errorf("by time (-want +got):\n%s", d)
	}

	// Maximized, the best is the highest; no completed trial: no best.
	s.Mode = definition.Max
	row, _ = compareSearch(s, trials, sum)
	if *row.Best != 2 || row.Within.Trials != 1 {
		t.Errorf("max: best %v within %+v", *row.Best, row.Within)
	}
	row, series = compareSearch(s, trials[2:3], sum)
	if row.Best != nil || row.Within != nil || row.Trials != 1 || series.byTrial != nil {
		t.Errorf("only a failed trial: %+v %+v", row, series)
	}
}
