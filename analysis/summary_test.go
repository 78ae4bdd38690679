package analysis

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// at returns t0 plus m minutes.
func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// history is a search's trials, deliberately out of number order:
//
//	#1 completed 5, #2 failed, #3 completed 3, #4 completed 4,
//	#5 completed 3 (ties #3), #6 running, #7 completed 1, #8 interrupted,
//	#9 completed 6, #10 completed NaN.
func history() []Trial {
	return []Trial{
		{Number: 9, Status: "completed", Score: 6, Started: at(40), Ended: at(50)},
		{Number: 1, Status: "completed", Score: 5, Started: at(0), Ended: at(10), Initial: true},
		{Number: 2, Status: "failed", Score: -100, Started: at(0), Ended: at(2), Initial: true},
		{Number: 3, Status: "completed", Score: 3, Started: at(10), Ended: at(15), Initial: true},
		{Number: 4, Status: "completed", Score: 4, Started: at(15), Ended: at(20)},
		{Number: 5, Status: "completed", Score: 3, Started: at(20), Ended: at(25)},
		{Number: 6, Status: "running", Started: at(30)},
		{Number: 7, Status: "completed", Score: 1, Started: at(25), Ended: at(35)},
		{Number: 8, Status: "interrupted", Score: -50, Started: at(35), Ended: at(36)},
		{Number: 10, Status: "completed", Score: math.NaN(), Started: at(50), Ended: at(51)},
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		trials     []Trial
		best       int // trial number; 0 for none
		trajectory []Point2
		spent      time.Duration
		wall       time.Duration
		byStatus   map[string]int
		// queued trials, their total and median queue wait
		queued              int
		queueTime, queueMed time.Duration
	}{
		{
			name: "min", mode: "min", trials: history(), best: 7,
			trajectory: []Point2{{1, 5}, {3, 3}, {7, 1}},
			// 10 + 2 + 5 + 5 + 5 + 10 + 1 + 10 + 1 minutes; #6 has no end.
			spent:    49 * time.Minute,
			wall:     51 * time.Minute,
			byStatus: map[string]int{"completed": 7, "failed": 1, "running": 1, "interrupted": 1},
		},
		{
			name: "max", mode: "max", trials: history(), best: 9,
			trajectory: []Point2{{1, 5}, {9, 6}},
			spent:      49 * time.Minute,
			wall:       51 * time.Minute,
			byStatus:   map[string]int{"completed": 7, "failed": 1, "running": 1, "interrupted": 1},
		},
		{
			name: "max tie goes to the lower number", mode: "max",
			trials: []Trial{
				{Number: 4, Status: "completed", Score: 2},
				{Number: 2, Status: "completed", Score: 2},
				{Number: 3, Status: "completed", Score: 1},
			},
			best:       2,
			trajectory: []Point2{{2, 2}},
			byStatus:   map[string]int{"completed": 3},
		},
		{
			name: "nothing completed", mode: "min",
			trials: []Trial{
				{Number: 1, Status: "failed", Started: at(0), Ended: at(3)},
				{Number: 2, Status: "running", Started: at(5)},
			},
			spent:    3 * time.Minute,
			wall:     3 * time.Minute,
			byStatus: map[string]int{"failed": 1, "running": 1},
		},
		{name: "no trials", mode: "min", byStatus: map[string]int{}},
		{
			name: "queued, odd count", mode: "min",
			trials: []Trial{
				{Number: 1, Status: "completed", Score: 1, Queued: 30 * time.Second, Started: at(1), Ended: at(2)},
				{Number: 2, Status: "failed", Queued: 10 * time.Second, Started: at(0), Ended: at(3)},
				{Number: 3, Status: "completed", Score: 2, Queued: 2 * time.Minute, Started: at(1), Ended: at(2)},
				{Number: 4, Status: "completed", Score: 3, Started: at(1), Ended: at(2)}, // did not queue
			},
			best: 1, trajectory: []Point2{{1, 1}},
			spent: 6 * time.Minute, wall: 3 * time.Minute,
			byStatus: map[string]int{"completed": 3, "failed": 1},
			queued:   3, queueTime: 160 * time.Second, queueMed: 30 * time.Second,
		},
		{
			name: "queued, even count", mode: "min",
			trials: []Trial{
				{Number: 1, Status: "running", Queued: 1 * time.Second},
				{Number: 2, Status: "running", Queued: 4 * time.Second},
			},
			byStatus: map[string]int{"running": 2},
			queued:   2, queueTime: 5 * time.Second, queueMed: 2500 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.trials
			s := Summarize("s1", "loss", tt.mode, in)
			if s.Search != "s1" || s.Metric != "loss" || s.Mode != tt.mode {
				t.Errorf("header = %q %q %q", s.Search, s.Metric, s.Mode)
			}
			if diff := cmp.Diff(tt.byStatus, s.ByStatus); diff != "" {
				t.Errorf("ByStatus (-want +got):\n%s", diff)
			}
			switch {
			case tt.best == 0 && s.Best != nil:
				t.Errorf("Best = #%d, want none", s.Best.Number)
			case tt.best != 0 && (s.Best == nil || s.Best.Number != tt.best):
				t.Errorf("Best = %+v, want #%d", s.Best, tt.best)
			}
			if diff := cmp.Diff(tt.trajectory, s.Trajectory); diff != "" {
				t.Errorf("Trajectory (-want +got):\n%s", diff)
			}
			if s.TimeSpent != tt.spent || s.WallTime != tt.wall {
				t.Errorf("TimeSpent, WallTime = %v, %v; want %v, %v", s.TimeSpent, s.WallTime, tt.spent, tt.wall)
			}
			if s.Queued != tt.queued || s.QueueTime != tt.queueTime || s.QueueMedian != tt.queueMed {
				t.Errorf("Queued, QueueTime, QueueMedian = %d, %v, %v; want %d, %v, %v", s.Queued, s.QueueTime, s.QueueMedian, tt.queued, tt.queueTime, tt.queueMed)
			}
		})
	}
}

func TestSummarizeDoesNotModify(t *testing.T) {
	in := history()
	s := Summarize("s", "m", "min", in)
	if in[0].Number != 9 {
		t.Error("Summarize reordered its input")
	}
	s.Best.Score = 99
	for _, tr := range in {
		if tr.Score == 99 {
			t.Error("Best aliases an input trial")
		}
	}
}

func numbers(trials []Trial) []int {
	out := []int{}
	for _, t := range trials {
		out = append(out, t.Number)
	}
	return out
}

func TestBestN(t *testing.T) {
	tests := []struct {
		name string
		mode string
		n    int
		want []int
	}{
		{"min top 3, tie by number", "min", 3, []int{7, 3, 5}},
		{"min top 2", "min", 2, []int{7, 3}},
		{"max top 3", "max", 3, []int{9, 1, 4}},
		{"n larger than available", "min", 100, []int{7, 3, 5, 4, 1, 9}},
		{"max all, tie by number", "max", 6, []int{9, 1, 4, 3, 5, 7}},
		{"zero", "min", 0, []int{}},
		{"negative", "min", -1, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BestN(history(), tt.mode, tt.n)
			if diff := cmp.Diff(tt.want, numbers(got)); diff != "" {
				t.Errorf("BestN (-want +got):\n%s", diff)
			}
			for _, tr := range got {
				if tr.Status != StatusCompleted || math.IsNaN(tr.Score) {
					t.Errorf("BestN returned #%d (%s, %v)", tr.Number, tr.Status, tr.Score)
				}
			}
		})
	}
	if got := BestN(nil, "min", 3); len(got) != 0 {
		t.Errorf("BestN(nil) = %v", got)
	}
}

func TestConvergence(t *testing.T) {
	tests := []struct {
		name string
		mode string
		want []ConvergencePoint
	}{
		{"min", "min", []ConvergencePoint{
			{Trial: 1, Score: 5, BestSoFar: 5, Initial: true},
			{Trial: 3, Score: 3, BestSoFar: 3, Initial: true},
			{Trial: 4, Score: 4, BestSoFar: 3},
			{Trial: 5, Score: 3, BestSoFar: 3},
			{Trial: 7, Score: 1, BestSoFar: 1},
			{Trial: 9, Score: 6, BestSoFar: 1},
		}},
		{"max", "max", []ConvergencePoint{
			{Trial: 1, Score: 5, BestSoFar: 5, Initial: true},
			{Trial: 3, Score: 3, BestSoFar: 5, Initial: true},
			{Trial: 4, Score: 4, BestSoFar: 5},
			{Trial: 5, Score: 3, BestSoFar: 5},
			{Trial: 7, Score: 1, BestSoFar: 5},
			{Trial: 9, Score: 6, BestSoFar: 6},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Convergence(history(), tt.mode)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Convergence (-want +got):\n%s", diff)
			}
			for i := 1; i < len(got); i++ {
				if better(got[i-1].BestSoFar, got[i].BestSoFar, tt.mode) {
					t.Errorf("best-so-far worsens at #%d: %v after %v", got[i].Trial, got[i].BestSoFar, got[i-1].BestSoFar)
				}
				if better(got[i].Score, got[i].BestSoFar, tt.mode) {
					t.Errorf("#%d scores %v, better than its best-so-far %v", got[i].Trial, got[i].Score, got[i].BestSoFar)
				}
			}
		})
	}
	if got := Convergence(nil, "min"); len(got) != 0 {
		t.Errorf("Convergence(nil) = %v", got)
	}
}
