package plan

import (
	"fmt"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/internal/bigstate"
	"github.com/frameworm/frameworm/state"
)

// bigHistory returns package bigstate's search and the classification of
// its n trials.
func bigHistory(b *testing.B, n int) (*definition.Search, History, []*state.Trial) {
	b.Helper()
	o := bigstate.DefaultOptions
	o.Trials = n
	s, err := bigstate.Search(b.TempDir(), n)
	if err != nil {
		b.Fatal(err)
	}
	trials, err := bigstate.Trials(s, o)
	if err != nil {
		b.Fatal(err)
	}
	return s, Classify(s, trials), trials
}

// BenchmarkHistory measures what an apply does with a search's history
// besides matching its trials: the best, the noise, the strategy's
// request, and the update with one more trial.
func BenchmarkHistory(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		s, h, trials := bigHistory(b, n)
		one := trials[len(trials)-1].Clone()
		one.Number = n
		b.Run(fmt.Sprintf("Best/%d", n), func(b *testing.B) {
			for b.Loop() {
				if h.Best(s) == nil {
					b.Fatal("no best")
				}
			}
		})
		b.Run(fmt.Sprintf("Noise/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.Noise(s)
			}
		})
		b.Run(fmt.Sprintf("Request/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.Request(s)
			}
		})
		b.Run(fmt.Sprintf("Update/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if u := h.Update(s, []*state.Trial{one}); len(u.Kept)+len(u.Failed) != n+1 {
					b.Fatal(len(u.Kept), len(u.Failed))
				}
			}
		})
	}
}
