package prune

import (
	"math"
	"testing"
)

// BenchmarkDecide measures Decide for a trial with 100 steps and 1,000
// peers of 100 steps each, every peer ended: "all" decides every
// checkpoint (after = Start: a resumed search), "last" only the newest
// (the call after each progress line). The trial is never pruned, so
// every checkpoint is evaluated.
func BenchmarkDecide(b *testing.B) {
	const peers, steps = 1000, 100
	curve := func(n int, st int) float64 {
		return 1/float64(st) + float64(n%97)/100 + float64(n%7)*float64(st%5)/1000
	}
	ps := make([]Trial, peers)
	for n := range ps {
		ss := make([]Step, steps)
		for i := range ss {
			ss[i] = Step{int64(i + 1), curve(n, i+1)}
		}
		ps[n] = Trial{Number: n, Steps: ss, Ended: true, Completed: true}
	}
	own := Trial{Number: peers, Steps: make([]Step, steps)}
	for i := range own.Steps {
		own.Steps[i] = Step{int64(i + 1), math.Inf(-1)} // never pruned: every checkpoint evaluated
	}
	for _, bc := range []struct {
		name  string
		s     Settings
		after int64
	}{
		{"median/all", medianSettings(5, 0, 1), Start},
		{"median/last", medianSettings(5, 0, 1), steps - 1},
		{"asha/all", ashaSettings(1, steps, 3), Start},
		{"asha/last", ashaSettings(1, steps, 3), 27},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := Decide(bc.s, own, ps, bc.after); d.Prune || d.Waiting {
					b.Fatalf("%+v", d)
				}
			}
		})
	}
}
