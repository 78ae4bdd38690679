package analysis

import (
	"slices"
	"time"
)

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
	// Queued is the number of trials that waited in a scheduler's queue
	// (a Queued above 0), QueueTime the sum of their waits and QueueMedian
	// their median (the mean of the middle two for an even number); all 0
	// when no trial queued. The waits are apart from TimeSpent, which
	// counts from each trial's start.
	Queued      int
	QueueTime   time.Duration
	QueueMedian time.Duration
}

// Summarize summarizes the trials of one search. Best is the best
// completed trial (ties: the lower number), a copy.
func Summarize(search string, metric, mode string, trials []Trial) Summary {
	s := Summary{Search: search, Metric: metric, Mode: mode, ByStatus: map[string]int{}}
	var first, last time.Time
	var waits []time.Duration
	for _, t := range trials {
		s.ByStatus[t.Status]++
		if t.Queued > 0 {
			waits = append(waits, t.Queued)
			s.QueueTime += t.Queued
		}
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
	if s.Queued = len(waits); s.Queued > 0 {
		slices.Sort(waits)
		mid := s.Queued / 2
		s.QueueMedian = waits[mid]
		if s.Queued%2 == 0 {
			s.QueueMedian = waits[mid-1] + (waits[mid]-waits[mid-1])/2
		}
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
