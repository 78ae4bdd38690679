package prune

import (
	"math"
	"testing"
)

func ashaSettings(minSteps, maxSteps, factor int) Settings {
	return Settings{Kind: ASHA, Metric: "val_loss", MinSteps: minSteps, MaxSteps: maxSteps, ReductionFactor: factor}
}

func TestASHA(t *testing.T) {
	s := ashaSettings(1, 27, 3) // rungs at 1, 3, 9
	maximize := func(s Settings) Settings { s.Maximize = true; return s }
	fivePeers := []spec{done(0, "1=0.1"), done(1, "1=0.2"), done(2, "1=0.3"), done(3, "1=0.4"), done(4, "1=0.5")}
	for _, tc := range []struct {
		name  string
		s     Settings
		t     spec
		peers []spec
		after *int64 // nil: Start
		want  Decision
	}{{
		name: "no peers: its own value is the cutoff, checked up to the last rung",
		s:    s,
		t:    running(0, "1=0.9 3=0.9 9=0.9 27=0.9 30=0.9"),
		want: Decision{Checked: 9},
	}, {
		name:  "not in the best third of 6: idx 1",
		s:     s,
		t:     running(5, "1=0.35"),
		peers: fivePeers,
		want:  Decision{Prune: true, Step: 1, Value: 0.35, Reason: "pruned at step 1 (rung 0 of 0..2): val_loss 0.35 not in the best 1/3 of 6 trials at step 1 (cutoff 0.2)", Checked: Start},
	}, {
		name:  "a tie with the cutoff is not pruned",
		s:     s,
		t:     running(5, "1=0.2"),
		peers: fivePeers,
		want:  Decision{Checked: 1},
	}, {
		name:  "fewer competing than the factor: idx 0, only the best goes on",
		s:     s,
		t:     running(1, "1=0.4"),
		peers: []spec{done(0, "1=0.3")},
		want:  Decision{Prune: true, Step: 1, Value: 0.4, Reason: "pruned at step 1 (rung 0 of 0..2): val_loss 0.4 not in the best 1/3 of 2 trials at step 1 (cutoff 0.3)", Checked: Start},
	}, {
		name:  "fewer competing than the factor: a tie with the best goes on",
		s:     s,
		t:     running(1, "1=0.3"),
		peers: []spec{done(0, "1=0.3")},
		want:  Decision{Checked: 1},
	}, {
		name:  "9 competing: idx 2, t among the best three",
		s:     s,
		t:     running(8, "1=0.3"),
		peers: []spec{done(0, "1=0.1"), done(1, "1=0.2"), done(2, "1=0.3"), done(3, "1=0.4"), done(4, "1=0.5"), done(5, "1=0.6"), done(6, "1=0.7"), done(7, "1=0.8")},
		want:  Decision{Checked: 1},
	}, {
		name:  "9 competing: idx 2, t fourth",
		s:     s,
		t:     running(8, "1=0.31"),
		peers: []spec{done(0, "1=0.1"), done(1, "1=0.2"), done(2, "1=0.3"), done(3, "1=0.4"), done(4, "1=0.5"), done(5, "1=0.6"), done(6, "1=0.7"), done(7, "1=0.8")},
		want:  Decision{Prune: true, Step: 1, Value: 0.31, Reason: "pruned at step 1 (rung 0 of 0..2): val_loss 0.31 not in the best 1/3 of 9 trials at step 1 (cutoff 0.3)", Checked: Start},
	}, {
		name:  "mode max: the largest are the best",
		s:     maximize(s),
		t:     running(5, "1=0.75"),
		peers: []spec{done(0, "1=0.9"), done(1, "1=0.8"), done(2, "1=0.7"), done(3, "1=0.6"), done(4, "1=0.5")},
		want:  Decision{Prune: true, Step: 1, Value: 0.75, Reason: "pruned at step 1 (rung 0 of 0..2): val_loss 0.75 not in the best 1/3 of 6 trials at step 1 (cutoff 0.8)", Checked: Start},
	}, {
		name:  "mode max: second of six goes on",
		s:     maximize(s),
		t:     running(5, "1=0.85"),
		peers: []spec{done(0, "1=0.9"), done(1, "1=0.8"), done(2, "1=0.7"), done(3, "1=0.6"), done(4, "1=0.5")},
		want:  Decision{Checked: 1},
	}, {
		name:  "own NaN: pruned without waiting for peers",
		s:     s,
		t:     running(1, "1=0.1 3=nan"),
		peers: []spec{running(0, "1=0.5")},
		want:  Decision{Prune: true, Step: 3, Value: math.NaN(), Reason: "pruned at step 3 (rung 1 of 0..2): val_loss is NaN", Checked: 1},
	}, {
		name:  "NaN peers are the worst",
		s:     s,
		t:     running(5, "1=0.7"),
		peers: []spec{ended(0, "1=nan"), ended(1, "1=nan"), ended(2, "1=nan"), done(3, "1=0.5"), done(4, "1=0.6")},
		want:  Decision{Prune: true, Step: 1, Value: 0.7, Reason: "pruned at step 1 (rung 0 of 0..2): val_loss 0.7 not in the best 1/3 of 6 trials at step 1 (cutoff 0.6)", Checked: Start},
	}, {
		name:  "a NaN cutoff prunes no number",
		s:     s,
		t:     running(8, "1=0.5"),
		peers: []spec{ended(0, "1=nan"), ended(1, "1=nan"), ended(2, "1=nan"), ended(3, "1=nan"), ended(4, "1=nan"), ended(5, "1=nan"), ended(6, "1=nan"), done(7, "1=0.1")},
		want:  Decision{Checked: 1}, // idx 2 of 0.1, 0.5, NaN, ...
	}, {
		name:  "infinities order as usual",
		s:     s,
		t:     running(2, "1=1e308"),
		peers: []spec{done(0, "1=-inf"), done(1, "1=inf")},
		want:  Decision{Prune: true, Step: 1, Value: 1e308, Reason: "pruned at step 1 (rung 0 of 0..2): val_loss 1e+308 not in the best 1/3 of 3 trials at step 1 (cutoff -Inf)", Checked: Start},
	}, {
		name:  "skipped steps: two rungs checked at step 10 with its value there",
		s:     s,
		t:     running(1, "1=0.5 10=0.5"),
		peers: []spec{done(0, "1=0.6 2=0.6 4=0.4 9=0.4")},
		want:  Decision{Prune: true, Step: 10, Value: 0.5, Reason: "pruned at step 10 (rung 1 of 0..2): val_loss 0.5 not in the best 1/3 of 2 trials at step 3 (cutoff 0.4)", Checked: 1},
	}, {
		name:  "a peer's rung value is its value at its first step at or after the rung",
		s:     s,
		t:     running(1, "1=0.5 3=0.3"),
		peers: []spec{done(0, "1=0.9 3=0.2 4=0.9 5=0.9")},
		want:  Decision{Prune: true, Step: 3, Value: 0.3, Reason: "pruned at step 3 (rung 1 of 0..2): val_loss 0.3 not in the best 1/3 of 2 trials at step 3 (cutoff 0.2)", Checked: 1},
	}, {
		name:  "a peer that ended before the rung does not compete",
		s:     s,
		t:     running(2, "1=0.1 3=0.4"),
		peers: []spec{ended(0, "1=0.1"), done(1, "1=0.9 3=0.3")},
		want:  Decision{Prune: true, Step: 3, Value: 0.4, Reason: "pruned at step 3 (rung 1 of 0..2): val_loss 0.4 not in the best 1/3 of 2 trials at step 3 (cutoff 0.3)", Checked: 1},
	}, {
		name:  "a running peer not at the rung: waiting, checked up to the rung before",
		s:     s,
		t:     running(1, "1=0.5 3=0.5 9=0.5"),
		peers: []spec{running(0, "1=0.6 2=0.6 3=0.6 4=0.6")},
		want:  Decision{Waiting: true, Checked: 3},
	}, {
		name:  "a running peer past the rung competes",
		s:     s,
		t:     running(1, "1=0.5 3=0.5"),
		peers: []spec{running(0, "1=0.6 2=0.6 3=0.4 4=0.6")},
		want:  Decision{Prune: true, Step: 3, Value: 0.5, Reason: "pruned at step 3 (rung 1 of 0..2): val_loss 0.5 not in the best 1/3 of 2 trials at step 3 (cutoff 0.4)", Checked: 1},
	}, {
		name:  "peers numbered above are ignored",
		s:     s,
		t:     running(1, "1=0.5"),
		peers: []spec{done(0, "1=0.6"), done(1, "1=0.1"), done(2, "1=0.1")},
		want:  Decision{Checked: 1},
	}, {
		name:  "no rung at max_steps",
		s:     ashaSettings(1, 9, 3),
		t:     running(1, "1=0.5 3=0.5 9=0.9"),
		peers: []spec{done(0, "1=0.6 3=0.6 9=0.1")},
		want:  Decision{Checked: 3},
	}, {
		name:  "rungs of min_steps 2, factor 2",
		s:     ashaSettings(2, 100, 2),
		t:     running(1, "1=0.5 2=0.5 4=0.5 8=0.5 16=0.5 32=0.5 64=0.9"),
		peers: []spec{done(0, "1=0 2=0.6 4=0.6 8=0.6 16=0.6 32=0.6 64=0.6")},
		want:  Decision{Prune: true, Step: 64, Value: 0.9, Reason: "pruned at step 64 (rung 5 of 0..5): val_loss 0.9 not in the best 1/2 of 2 trials at step 64 (cutoff 0.6)", Checked: 32},
	}, {
		name:  "max_steps not above min_steps: no rung",
		s:     ashaSettings(5, 5, 3),
		t:     running(1, "5=0.9 6=0.9"),
		peers: []spec{done(0, "5=0.1 6=0.1")},
		want:  Decision{Checked: Start},
	}, {
		name:  "rungs up to after are not evaluated again",
		s:     s,
		t:     running(1, "1=0.9 3=0.1"),
		peers: []spec{done(0, "1=0.1 3=0.2")},
		after: ptr(1),
		want:  Decision{Checked: 3},
	}, {
		name:  "after between rungs",
		s:     s,
		t:     running(1, "1=0.9 3=0.9"),
		peers: []spec{done(0, "1=0.1 3=0.2")},
		after: ptr(2),
		want:  Decision{Prune: true, Step: 3, Value: 0.9, Reason: "pruned at step 3 (rung 1 of 0..2): val_loss 0.9 not in the best 1/3 of 2 trials at step 3 (cutoff 0.2)", Checked: 2},
	}, {
		name:  "no steps: nothing to check",
		s:     s,
		t:     running(1, ""),
		peers: []spec{running(0, "")},
		want:  Decision{Checked: Start},
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

func TestRungs(t *testing.T) {
	for _, tc := range []struct {
		s    Settings
		want int
	}{
		{ashaSettings(1, 27, 3), 3},
		{ashaSettings(1, 28, 3), 4},
		{ashaSettings(1, 1, 3), 0},
		{ashaSettings(3, 2, 3), 0},
		{ashaSettings(2, 100, 2), 6},
		{ashaSettings(1, math.MaxInt, 2), 63},
		{ashaSettings(1, math.MaxInt, 1<<40), 2},
		{ashaSettings(math.MaxInt-1, math.MaxInt, 2), 1},
	} {
		if got := rungs(tc.s); got != tc.want {
			t.Errorf("rungs(min %d, max %d, factor %d) = %d, want %d",
				tc.s.MinSteps, tc.s.MaxSteps, tc.s.ReductionFactor, got, tc.want)
		}
	}
}
