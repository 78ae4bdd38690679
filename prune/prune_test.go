package prune

import (
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Settings
		err  string // "" when valid
	}{
		{"median", medianSettings(5, 0, 1), ""},
		{"median without startup", medianSettings(0, 0, 1), ""},
		{"asha", ashaSettings(1, 27, 3), ""},
		{"asha without a rung", ashaSettings(5, 1, 2), ""},
		{"no metric", Settings{Kind: Median, Interval: 1}, "has no metric"},
		{"unknown kind", Settings{Kind: "hyperband", Metric: "m"}, `unknown pruner "hyperband"`},
		{"negative startup", medianSettings(-1, 0, 1), "startup_trials is -1"},
		{"negative warmup", medianSettings(0, -2, 1), "warmup_steps is -2"},
		{"interval 0", medianSettings(0, 0, 0), "interval is 0"},
		{"min_steps 0", ashaSettings(0, 27, 3), "min_steps is 0"},
		{"reduction_factor 1", ashaSettings(1, 27, 1), "reduction_factor is 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Validate: %v, want an error containing %q", err, tc.err)
			}
		})
	}
}

func TestDecidePanicsOnInvalidSettings(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Decide(medianSettings(0, 0, 0), Trial{}, nil, Start)
}

func TestSettle(t *testing.T) {
	med := medianSettings(0, 0, 2) // checkpoints 0, 2, 4, ...
	asha := ashaSettings(1, 27, 3) // rungs 1, 3, 9
	for _, tc := range []struct {
		name string
		s    Settings
		p    spec
		d    Decision
		want spec
	}{{
		name: "pruned: its steps up to the pruning step, ended, not completed",
		s:    med,
		p:    running(3, "1=1 2=2 5=5 3=3 6=6"),
		d:    Decision{Prune: true, Step: 2, Checked: 0},
		want: ended(3, "1=1 2=2"),
	}, {
		name: "pruned after completing: not completed",
		s:    asha,
		p:    done(3, "1=1 2=2 10=10"),
		d:    Decision{Prune: true, Step: 10, Checked: 1},
		want: ended(3, "1=1 2=2 10=10"),
	}, {
		name: "not decided yet: up to its first checkpoint",
		s:    med,
		p:    running(3, "1=1 2=2 3=3"),
		d:    Decision{Checked: Start},
		want: running(3, "1=1 2=2"),
	}, {
		name: "waiting: up to the checkpoint waited for",
		s:    med,
		p:    running(3, "0=0 1=1 2=2 3=3 4=4"),
		d:    Decision{Waiting: true, Checked: 0},
		want: running(3, "0=0 1=1 2=2"),
	}, {
		name: "ended while waiting: not ended, not completed yet",
		s:    med,
		p:    done(3, "0=0 1=1 2=2 3=3"),
		d:    Decision{Waiting: true, Checked: 0},
		want: running(3, "0=0 1=1 2=2"),
	}, {
		name: "a stale decision: up to the first checkpoint not decided",
		s:    med,
		p:    done(3, "0=0 1=1 2=2 3=3 4=4 5=5"),
		d:    Decision{Checked: 2},
		want: running(3, "0=0 1=1 2=2 3=3 4=4"),
	}, {
		name: "every checkpoint decided: itself",
		s:    med,
		p:    done(3, "0=0 1=1 2=2 3=3"),
		d:    Decision{Checked: 2},
		want: done(3, "0=0 1=1 2=2 3=3"),
	}, {
		name: "every checkpoint decided, running: itself",
		s:    med,
		p:    running(3, "0=0 1=1 2=2 3=3"),
		d:    Decision{Checked: 2},
		want: running(3, "0=0 1=1 2=2 3=3"),
	}, {
		name: "asha: up to its first step at the next rung",
		s:    asha,
		p:    done(3, "1=1 2=2 4=4 10=10 11=11"),
		d:    Decision{Waiting: true, Checked: 3},
		want: running(3, "1=1 2=2 4=4 10=10"),
	}, {
		name: "asha: next rung not reached: itself",
		s:    asha,
		p:    running(3, "1=1 2=2 4=4"),
		d:    Decision{Checked: 3},
		want: running(3, "1=1 2=2 4=4"),
	}, {
		name: "asha: after the last rung: itself",
		s:    asha,
		p:    done(3, "1=1 9=9 30=30"),
		d:    Decision{Checked: 9},
		want: done(3, "1=1 9=9 30=30"),
	}, {
		name: "asha: before the first rung: up to it",
		s:    asha,
		p:    running(3, "0=0 1=1 2=2"),
		d:    Decision{Checked: Start},
		want: running(3, "0=0 1=1"),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := Settle(tc.s, tc.p.trial(t), tc.d)
			want := tc.want.trial(t)
			if got.Number != want.Number || got.Ended != want.Ended || got.Completed != want.Completed ||
				!slices.Equal(got.Steps, want.Steps) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestSettleCompletedImpliesEnded: a trial marked completed but not ended
// is ended.
func TestSettleCompletedImpliesEnded(t *testing.T) {
	p := Trial{Number: 1, Steps: []Step{{1, 1}}, Completed: true}
	if got := Settle(medianSettings(0, 0, 1), p, Decision{Checked: 1}); !got.Ended || !got.Completed {
		t.Errorf("got %+v", got)
	}
}

// TestResume: a trial waiting for a peer, called again with after =
// Checked as the peer progresses, gets the decision one call with the
// complete progress gives.
func TestResume(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Settings
		own  string
		peer []string // the peer's progress, growing; the last is complete
	}{{
		name: "median: pruned at the third checkpoint",
		s:    medianSettings(0, 0, 1),
		own:  "1=0.5 2=0.5 3=0.5 4=0.5",
		peer: []string{"", "1=0.6", "1=0.6 2=0.6", "1=0.6 2=0.6 3=0.4 4=0.4"},
	}, {
		name: "median: never pruned",
		s:    medianSettings(0, 0, 1),
		own:  "1=0.5 2=0.5 3=0.5 4=0.5",
		peer: []string{"1=0.6", "1=0.6 2=0.6 3=0.6", "1=0.6 2=0.6 3=0.6 4=0.6 5=0.6"},
	}, {
		name: "asha: pruned at rung 9",
		s:    ashaSettings(1, 27, 3),
		own:  "1=0.5 3=0.5 10=0.5",
		peer: []string{"1=0.6", "1=0.6 3=0.6 4=0.6", "1=0.6 3=0.6 4=0.6 12=0.1"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			own := Trial{Number: 1, Steps: parseSteps(t, tc.own)}
			d := Decision{Checked: Start}
			waited := false
			for i, p := range tc.peer {
				peer := Trial{Number: 0, Steps: parseSteps(t, p), Ended: i == len(tc.peer)-1, Completed: i == len(tc.peer)-1}
				d = Decide(tc.s, own, []Trial{peer}, d.Checked)
				if d.Prune {
					break
				}
				waited = waited || d.Waiting
			}
			if !waited {
				t.Fatal("the case never waits")
			}
			last := parseSteps(t, tc.peer[len(tc.peer)-1])
			want := Decide(tc.s, own, []Trial{{Number: 0, Steps: last, Ended: true, Completed: true}}, Start)
			if !sameDecision(d, want) {
				t.Errorf("resumed %+v\none call %+v", d, want)
			}
		})
	}
}
