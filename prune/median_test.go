package prune

import (
	"math"
	"testing"
)

func medianSettings(startup, warmup, interval int) Settings {
	return Settings{Kind: Median, Metric: "val_loss", StartupTrials: startup, WarmupSteps: warmup, Interval: interval}
}

func TestMedian(t *testing.T) {
	maximize := func(s Settings) Settings { s.Maximize = true; return s }
	for _, tc := range []struct {
		name  string
		s     Settings
		t     spec
		peers []spec
		after *int64 // nil: Start
		want  Decision
	}{{
		name: "no peers, no startup: nothing to compare with",
		s:    medianSettings(0, 0, 1),
		t:    running(0, "0=0.9 1=0.8 2=0.7"),
		want: Decision{Checked: 2},
	}, {
		name:  "worse than the median of two",
		s:     medianSettings(2, 0, 1),
		t:     running(2, "1=0.9"),
		peers: []spec{done(0, "1=0.5 2=0.4"), done(1, "1=0.3 2=0.2")},
		want:  Decision{Prune: true, Step: 1, Value: 0.9, Reason: "pruned at step 1: val_loss 0.9 worse than median 0.4 of 2 trials", Checked: Start},
	}, {
		name:  "a tie with the median is not pruned",
		s:     medianSettings(2, 0, 1),
		t:     running(2, "1=0.4"),
		peers: []spec{done(0, "1=0.5 2=0.4"), done(1, "1=0.3 2=0.2")},
		want:  Decision{Checked: 1},
	}, {
		name:  "the median of an odd count is the middle value",
		s:     medianSettings(0, 0, 1),
		t:     running(3, "1=0.31"),
		peers: []spec{done(0, "1=0.9"), done(1, "1=0.1"), done(2, "1=0.3")},
		want:  Decision{Prune: true, Step: 1, Value: 0.31, Reason: "pruned at step 1: val_loss 0.31 worse than median 0.3 of 3 trials", Checked: Start},
	}, {
		name:  "the best value so far is compared, not the last",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=0.2 2=0.9 3=0.9"),
		peers: []spec{done(0, "1=0.5 2=0.5 3=0.3"), done(1, "1=0.5 2=0.5 3=0.1")},
		want:  Decision{Checked: 3}, // 0.2 ties the median at 3; the last value 0.9 would not
	}, {
		name:  "fewer completed than startup_trials while enough may still complete: waiting",
		s:     medianSettings(3, 0, 1),
		t:     running(3, "1=0.9 2=0.9"),
		peers: []spec{done(0, "1=0.1 2=0.1"), done(1, "1=0.1 2=0.1"), running(2, "1=0.1 2=0.1 3=0.1")},
		want:  Decision{Waiting: true, Checked: Start},
	}, {
		name:  "fewer completed than startup_trials and every peer ended: not pruned",
		s:     medianSettings(3, 0, 1),
		t:     running(3, "1=0.9 2=0.9"),
		peers: []spec{done(0, "1=0.1 2=0.1"), done(1, "1=0.1 2=0.1"), ended(2, "1=0.1 2=0.1")},
		want:  Decision{Checked: 2},
	}, {
		name:  "fewer peers than startup_trials: not pruned, not waiting",
		s:     medianSettings(5, 0, 1),
		t:     running(3, "1=0.9 2=0.9"),
		peers: []spec{done(0, "1=0.1 2=0.1"), done(1, "1=0.1 2=0.1"), running(2, "1=0.1")},
		want:  Decision{Checked: 2},
	}, {
		name:  "startup_trials completed: pruned although a peer runs",
		s:     medianSettings(2, 0, 1),
		t:     running(3, "1=0.9"),
		peers: []spec{done(0, "1=0.1 2=0.1"), done(1, "1=0.1 2=0.1"), running(2, "1=0.1")},
		want:  Decision{Prune: true, Step: 1, Value: 0.9, Reason: "pruned at step 1: val_loss 0.9 worse than median 0.1 of 3 trials", Checked: Start},
	}, {
		name:  "startup_trials counts only peers, never trials above",
		s:     medianSettings(2, 0, 1),
		t:     running(1, "1=0.9"),
		peers: []spec{done(0, "1=0.1"), done(2, "1=0.1"), done(3, "1=0.1")},
		want:  Decision{Checked: 1},
	}, {
		name:  "a peer that has not reached the step: waiting, checked up to the step before",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.9 2=0.9"),
		peers: []spec{running(0, "1=0.95")},
		want:  Decision{Waiting: true, Checked: 1},
	}, {
		name:  "a peer that has not started: waiting",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=0.9"),
		peers: []spec{done(0, "1=0.1"), running(1, "")},
		want:  Decision{Waiting: true, Checked: Start},
	}, {
		name:  "a peer that ended before the step is left out",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=0.5 2=0.5"),
		peers: []spec{ended(0, "1=0.1"), done(1, "1=0.9 2=0.4")},
		want:  Decision{Prune: true, Step: 2, Value: 0.5, Reason: "pruned at step 2: val_loss 0.5 worse than median 0.4 of 1 trial", Checked: 1},
	}, {
		name:  "a peer that skipped the step is left out, not read at an earlier step",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=0.5 2=0.5"),
		peers: []spec{done(0, "1=0.1 3=0.1"), done(1, "1=0.9 2=0.2 3=0.2")},
		want:  Decision{Prune: true, Step: 2, Value: 0.5, Reason: "pruned at step 2: val_loss 0.5 worse than median 0.2 of 1 trial", Checked: 1},
	}, {
		name:  "a running peer past the step counts",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.5"),
		peers: []spec{running(0, "1=0.1 2=0.1")},
		want:  Decision{Prune: true, Step: 1, Value: 0.5, Reason: "pruned at step 1: val_loss 0.5 worse than median 0.1 of 1 trial", Checked: Start},
	}, {
		name:  "mode max: smaller is worse",
		s:     maximize(medianSettings(0, 0, 1)),
		t:     running(2, "1=0.84"),
		peers: []spec{done(0, "1=0.8"), done(1, "1=0.9")},
		want:  Decision{Prune: true, Step: 1, Value: 0.84, Reason: "pruned at step 1: val_loss 0.84 worse than median 0.85 of 2 trials", Checked: Start},
	}, {
		name:  "mode max: the best so far is the largest",
		s:     maximize(medianSettings(0, 0, 1)),
		t:     running(2, "1=0.9 2=0.1"),
		peers: []spec{done(0, "1=0.8 2=0.8"), done(1, "1=0.9 2=0.9")},
		want:  Decision{Checked: 2},
	}, {
		name:  "own values all NaN: pruned, whatever the peers",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=nan 2=nan"),
		peers: []spec{running(0, "")},
		want:  Decision{Prune: true, Step: 1, Value: math.NaN(), Reason: "pruned at step 1: val_loss is NaN at every step up to 1", Checked: Start},
	}, {
		name:  "own NaN before startup_trials: waiting like any other",
		s:     medianSettings(1, 0, 1),
		t:     running(1, "1=nan"),
		peers: []spec{running(0, "1=0.1")},
		want:  Decision{Waiting: true, Checked: Start},
	}, {
		name:  "own NaN ignored in the best so far",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=0.3 2=nan 3=nan"),
		peers: []spec{done(0, "1=0.5 2=0.5 3=0.5"), done(1, "1=0.5 2=0.5 3=0.5")},
		want:  Decision{Checked: 3},
	}, {
		name:  "NaN peer values left out",
		s:     medianSettings(0, 0, 1),
		t:     running(3, "1=0.35"),
		peers: []spec{done(0, "1=0.2"), done(1, "1=nan"), done(2, "1=0.4")},
		want:  Decision{Prune: true, Step: 1, Value: 0.35, Reason: "pruned at step 1: val_loss 0.35 worse than median 0.3 of 2 trials", Checked: Start},
	}, {
		name:  "only NaN peer values: not pruned",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=100"),
		peers: []spec{done(0, "1=nan"), done(1, "1=nan")},
		want:  Decision{Checked: 1},
	}, {
		name:  "own +Inf is worse than any number",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=inf"),
		peers: []spec{done(0, "1=1e300")},
		want:  Decision{Prune: true, Step: 1, Value: math.Inf(1), Reason: "pruned at step 1: val_loss +Inf worse than median 1e+300 of 1 trial", Checked: Start},
	}, {
		name:  "a median of +Inf values prunes nothing finite",
		s:     medianSettings(0, 0, 1),
		t:     running(3, "1=1e300"),
		peers: []spec{done(0, "1=1"), done(1, "1=inf"), done(2, "1=inf")},
		want:  Decision{Checked: 1},
	}, {
		name:  "-Inf and +Inf in the middle: no median, not pruned",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=inf"),
		peers: []spec{done(0, "1=-inf"), done(1, "1=inf")},
		want:  Decision{Checked: 1},
	}, {
		name:  "-Inf and a number in the middle: -Inf",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=-1e308"),
		peers: []spec{done(0, "1=-inf"), done(1, "1=5")},
		want:  Decision{Prune: true, Step: 1, Value: -1e308, Reason: "pruned at step 1: val_loss -1e+308 worse than median -Inf of 2 trials", Checked: Start},
	}, {
		name:  "huge middle values do not overflow",
		s:     medianSettings(0, 0, 1),
		t:     running(2, "1=1e-300"),
		peers: []spec{done(0, "1=-1.5e308"), done(1, "1=1.5e308")},
		want:  Decision{Prune: true, Step: 1, Value: 1e-300, Reason: "pruned at step 1: val_loss 1e-300 worse than median 0 of 2 trials", Checked: Start},
	}, {
		name:  "every step a checkpoint",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.3 2=0.3 3=0.3 4=0.3"),
		peers: []spec{done(0, "1=0.5 2=0.5 3=0.1 4=0.1 5=0.1 6=0.1")},
		want:  Decision{Prune: true, Step: 3, Value: 0.3, Reason: "pruned at step 3: val_loss 0.3 worse than median 0.1 of 1 trial", Checked: 2},
	}, {
		name:  "warmup 2, interval 2: checkpoints 2, 4, 6",
		s:     medianSettings(0, 2, 2),
		t:     running(1, "1=0.3 2=0.3 3=0.3 4=0.3"),
		peers: []spec{done(0, "1=0.5 2=0.5 3=0.1 4=0.1 5=0.1 6=0.1")},
		want:  Decision{Prune: true, Step: 4, Value: 0.3, Reason: "pruned at step 4: val_loss 0.3 worse than median 0.1 of 1 trial", Checked: 2},
	}, {
		name:  "warmup 1, interval 2: checkpoints 1, 3, ...; step 2 is not one",
		s:     medianSettings(0, 1, 2),
		t:     running(1, "0=0.9 1=0.3 2=0.3"),
		peers: []spec{done(0, "0=0.1 1=0.5 2=0.1 3=0.1")},
		want:  Decision{Checked: 1},
	}, {
		name:  "before the warmup: no checkpoint",
		s:     medianSettings(0, 5, 1),
		t:     running(1, "1=0.3 2=0.3 3=0.3 4=0.3"),
		peers: []spec{done(0, "1=0.1 2=0.1 3=0.1 4=0.1")},
		want:  Decision{Checked: Start},
	}, {
		name:  "a trial that skips the checkpoint step is not checked there",
		s:     medianSettings(0, 0, 2),
		t:     running(1, "1=0.9 3=0.9"),
		peers: []spec{done(0, "1=0.1 2=0.1 3=0.1 4=0.1")},
		want:  Decision{Checked: Start},
	}, {
		name:  "step 0 is a checkpoint after Start",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "0=0.9"),
		peers: []spec{done(0, "0=0.1")},
		want:  Decision{Prune: true, Step: 0, Value: 0.9, Reason: "pruned at step 0: val_loss 0.9 worse than median 0.1 of 1 trial", Checked: Start},
	}, {
		name:  "after below Start is Start",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "0=0.1"),
		peers: []spec{done(0, "0=0.9")},
		after: ptr(-1 << 63),
		want:  Decision{Checked: 0},
	}, {
		name:  "checkpoints up to after are not evaluated again",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.5 2=0.5"),
		peers: []spec{done(0, "1=0.1 2=0.9")},
		after: ptr(1),
		want:  Decision{Checked: 2},
	}, {
		name:  "after beyond the last step: nothing to do",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.5 2=0.5"),
		peers: []spec{running(0, "")},
		after: ptr(7),
		want:  Decision{Checked: 7},
	}, {
		name:  "an own step repeated or going back is ignored",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.5 2=0.9 2=0.1 1=0.0 3=0.7"),
		peers: []spec{done(0, "1=0.6 2=0.6 3=0.45")},
		want:  Decision{Prune: true, Step: 3, Value: 0.5, Reason: "pruned at step 3: val_loss 0.5 worse than median 0.45 of 1 trial", Checked: 2},
	}, {
		name:  "a peer's repeated step: its first value counts",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.5"),
		peers: []spec{done(0, "1=0.4 1=0.9 0=0.9")},
		want:  Decision{Prune: true, Step: 1, Value: 0.5, Reason: "pruned at step 1: val_loss 0.5 worse than median 0.4 of 1 trial", Checked: Start},
	}, {
		name:  "numbers differing beyond 4 digits are written apart",
		s:     medianSettings(0, 0, 1),
		t:     running(1, "1=0.42001"),
		peers: []spec{done(0, "1=0.42")},
		want:  Decision{Prune: true, Step: 1, Value: 0.42001, Reason: "pruned at step 1: val_loss 0.42001 worse than median 0.42 of 1 trial", Checked: Start},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			after := Start
			if tc.after != nil {
				after = *tc.after
			}
			got := Decide(tc.s, tc.t.trial(t), trialsOf(t, tc.peers), after)
			if !sameDecision(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestMedianOf(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		vals []float64
		want float64
		ok   bool
	}{
		{nil, 0, false},
		{[]float64{3}, 3, true},
		{[]float64{3, 1, 2}, 2, true},
		{[]float64{4, 1, 2, 3}, 2.5, true},
		{[]float64{inf, inf}, inf, true},
		{[]float64{-inf, -inf, 1}, -inf, true},
		{[]float64{-inf, 1}, -inf, true},
		{[]float64{1, inf}, inf, true},
		{[]float64{-inf, inf}, 0, false},
		{[]float64{math.Ldexp(1.5, 1023), math.Ldexp(1, 1023)}, math.Ldexp(1.25, 1023), true},
		{[]float64{5e-324, 5e-324}, 5e-324, true},
	} {
		got, ok := median(append([]float64(nil), tc.vals...))
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("median(%v) = %v, %v; want %v, %v", tc.vals, got, ok, tc.want, tc.ok)
		}
	}
}
