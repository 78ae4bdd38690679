package apply

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

func failAll(runtime.Spec) runtime.Outcome { return runtime.Failed }

func TestIdenticalFailuresStop(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		outcome   func(runtime.Spec) runtime.Outcome
		stderr    func(runtime.Spec) []string
		failed    int
		stoppedBy string
	}{
		{
			name: "same reason, same last line", limit: 3, outcome: failAll,
			stderr:    func(runtime.Spec) []string { return []string{"Traceback", "RuntimeError: boom"} },
			failed:    3,
			stoppedBy: `the first 3 trials all failed the same way (exit status 3; stderr ends with "RuntimeError: boom")`,
		},
		{
			name: "no stderr", limit: 2, outcome: failAll,
			failed: 2, stoppedBy: "the first 2 trials all failed the same way (exit status 3)",
		},
		{
			name: "digits do not tell failures apart", limit: 3, outcome: failAll,
			stderr: func(s runtime.Spec) []string {
				return []string{fmt.Sprintf("12:00:%02d killed pid %d", s.Number, 1000+s.Number)}
			},
			failed: 3, stoppedBy: `the first 3 trials all failed the same way (exit status 3; stderr ends with "12:00:02 killed pid 1002")`,
		},
		{
			name: "different last lines", limit: 3, outcome: failAll,
			stderr: func(s runtime.Spec) []string {
				return []string{[]string{"KeyError: 'lr'", "ValueError: nan"}[s.Number%2]}
			},
			failed: 10,
		},
		{
			name: "a completed trial first", limit: 3,
			outcome: func(s runtime.Spec) runtime.Outcome {
				if s.Number == 0 {
					return runtime.Completed
				}
				return runtime.Failed
			},
			failed: 9,
		},
		{name: "limit 0 never stops", limit: 0, outcome: failAll, failed: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := testDef(t, 10, 1)
			r, _, p := newRunner(t, def, &fakeExecutor{outcome: tt.outcome, stderr: tt.stderr})
			r.Options.MaxIdenticalFailures = tt.limit
			res, err := r.Run(context.Background(), nil, p)
			if err != nil {
				t.Fatal(err)
			}
			sr := res.Searches[0]
			stopped := tt.stoppedBy != ""
			if sr.Failed != tt.failed || sr.StoppedBy != tt.stoppedBy || sr.HitIdenticalFailures != stopped || sr.HitMaxFailures {
				t.Fatalf("failed %d, stopped by %q (identical %v, max %v); want %d, %q",
					sr.Failed, sr.StoppedBy, sr.HitIdenticalFailures, sr.HitMaxFailures, tt.failed, tt.stoppedBy)
			}
			if stopped && sr.NotRun != 10-tt.failed {
				t.Errorf("not run %d, want %d", sr.NotRun, 10-tt.failed)
			}
		})
	}
}

// TestIdenticalFailuresDrain: the trials running when the rule fires
// finish; nothing new starts.
func TestIdenticalFailuresDrain(t *testing.T) {
	def := testDef(t, 12, 3)
	ex := &fakeExecutor{delay: 20 * time.Millisecond, outcome: failAll}
	r, _, p := newRunner(t, def, ex)
	r.Options.MaxIdenticalFailures = 3
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Searches[0]
	if !sr.HitIdenticalFailures || sr.Failed < 3 || sr.Failed > 5 || sr.Interrupted != 0 || sr.Failed+sr.NotRun != 12 {
		t.Fatalf("result: %+v; want 3 to 5 failed (the running ones drain), the rest not run", sr)
	}
}

// TestMaxFailuresAndIdentical: the rule that fires first names the stop.
func TestMaxFailuresAndIdentical(t *testing.T) {
	def := testDef(t, 10, 1)
	r, _, p := newRunner(t, def, &fakeExecutor{outcome: failAll})
	r.Options.MaxIdenticalFailures, r.Options.MaxFailures = 3, 2
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if sr := res.Searches[0]; sr.Failed != 2 || !sr.HitMaxFailures || sr.HitIdenticalFailures {
		t.Fatalf("result: %+v, want a stop at -max-failures=2", sr)
	}
}

func TestFailedForGood(t *testing.T) {
	def := testDef(t, 4, 1)
	r, _, p := newRunner(t, def, &fakeExecutor{outcome: func(s runtime.Spec) runtime.Outcome {
		if s.Number == 3 {
			return runtime.Completed
		}
		return runtime.Failed
	}})
	for i := range p.Searches[0].ToRun {
		if i != 0 {
			p.Searches[0].ToRun[i].Attempt = 2 // their last automatic attempt
		}
	}
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Searches[0].FailedForGood); got != "[1 2]" {
		t.Errorf("FailedForGood = %s, want [1 2]: trial 0 was on its first attempt, 3 completed", got)
	}
}

// recorder keeps the events it observes.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Observe(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// TestEventOrder checks what observers rely on: a trial's start before
// its end, each improvement of the best right after the trial that made
// it, naming the best before; one SearchStopped, before SearchEnded.
func TestEventOrder(t *testing.T) {
	def := testDef(t, 12, 3)
	ex := &fakeExecutor{delay: time.Millisecond, outcome: func(s runtime.Spec) runtime.Outcome {
		if s.Number >= 6 {
			return runtime.Failed
		}
		return runtime.Completed
	}, stderr: func(runtime.Spec) []string { return []string{"boom"} }}
	r, _, p := newRunner(t, def, ex)
	r.Options.MaxFailures = 2
	rec := &recorder{}
	r.Observer = rec
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	started := map[int]bool{}
	var best *state.Trial
	var last Event
	stops := 0
	for i, ev := range rec.events {
		switch ev.Kind {
		case TrialStarted:
			started[ev.Trial.Number] = true
		case TrialEnded:
			if !started[ev.Trial.Number] {
				t.Errorf("trial %d ended before it started", ev.Trial.Number)
			}
			if ev.Result == nil || string(ev.Result.Outcome) != string(ev.Trial.Status) {
				t.Errorf("trial %d ended without its result: %+v", ev.Trial.Number, ev.Result)
			}
			if ev.Trial.Status == state.Failed && strings.Join(ev.Result.StderrTail, "") != "boom" {
				t.Errorf("failed trial %d: tail %q", ev.Trial.Number, ev.Result.StderrTail)
			}
		case BestChanged:
			if last.Kind != TrialEnded || last.Trial.Number != ev.Trial.Number {
				t.Errorf("event %d: best changed to trial %d, not right after its end", i, ev.Trial.Number)
			}
			if (best == nil) != (ev.Previous == nil) || best != nil && best.Number != ev.Previous.Number {
				t.Errorf("best changed to trial %d from %v, want from %v", ev.Trial.Number, ev.Previous, best)
			}
			best = ev.Trial
		case SearchStopped:
			stops++
			if ev.StoppedBy != "2 failed trials reached -max-failures=2" || ev.Trial == nil || ev.Result == nil || ev.Result.StderrLog == "" {
				t.Errorf("search stopped: %q, trial %v", ev.StoppedBy, ev.Trial)
			}
		case SearchEnded:
			if i != len(rec.events)-1 || stops != 1 {
				t.Errorf("search ended at event %d of %d after %d stops", i, len(rec.events), stops)
			}
		}
		last = ev
	}
	if best == nil {
		t.Error("no BestChanged event")
	}
}
