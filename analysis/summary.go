package analysis

import "time"

// Summary is print_summary's data.
type Summary struct {
	Search   string
	Metric   string
	Mode     string
	ByStatus map[string]int // every trial, counted by its Status
	Best     *Trial         // nil if none completed
	// Trajectory is the best-so-far after each completed trial, in
	// trial-number order: (trial number, score), only the points where
	// the best improved (the first completed trial always does).
	Trajectory []Point2
	TimeSpent  time.Duration // sum of trial durations (trials with a start and a later end)
	WallTime   time.Duration // first start to last end; 0 without both
}

// Summarize summarizes the trials of one search. Best is the best
// completed trial (ties: the lower number), a copy.
func Summarize(search string, metric, mode string, trials []Trial) Summary {
	s := Summary{Search: search, Metric: metric, Mode: mode, ByStatus: map[string]int{}}
	var first, last time.Time
	for _, t := range trials {
		s.ByStatus[t.Status]++
		if !t.Started.IsZero() && (first.IsZero() || t.Started.Before(first)) {
			first = t.Started
		}
		if !t.Ended.IsZero() && (last.IsZero() || t.Ended.After(last)) {
			last = t.Ended
		}
		if !t.Started.IsZero() && !t.Ended.IsZero() && t.Ended.After(t.Started) {
			s.TimeSpent += t.Ended.Sub(t.Started)
		}
	}
	if !first.IsZero() && last.After(first) {
		s.WallTime = last.Sub(first)
	}
	for _, i := range scoredOrder(trials) {
		t := &trials[i]
		if s.Best == nil || better(t.Score, s.Best.Score, mode) {
			best := *t
			s.Best = &best
			s.Trajectory = append(s.Trajectory, Point2{Trial: t.Number, Score: t.Score})
		}
	}
	return s
}
