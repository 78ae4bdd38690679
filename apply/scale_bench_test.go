package apply

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/internal/bigstate"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// instantExecutor completes every trial at once with the metrics of
// internal/bigstate's search.
type instantExecutor struct{}

func (instantExecutor) Run(_ context.Context, spec runtime.Spec) runtime.Result {
	now := time.Now()
	return runtime.Result{Outcome: runtime.Completed, Started: now, Ended: now, Host: "bench",
		Metrics: map[string]float64{"val_loss": 0.5, "val_acc": 0.9, "train_loss": 0.4}}
}

// discardJournal accepts every change.
type discardJournal struct{}

func (discardJournal) Append(context.Context, state.Change) error { return nil }

// BenchmarkApplyOneMore plans and applies one more trial of a random
// search that holds n trials (package bigstate's): plan.Make and Run,
// without loading or writing the state, with a trial that ends at once.
// Each iteration raises the budget by one, as `fwapply apply -var
// trials=N+1` does.
func BenchmarkApplyOneMore(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, err := bigstate.Search(b.TempDir(), n)
			if err != nil {
				b.Fatal(err)
			}
			o := bigstate.DefaultOptions
			o.Trials = n
			trials, err := bigstate.Trials(s, o)
			if err != nil {
				b.Fatal(err)
			}
			st := state.New()
			for _, t := range trials {
				if err := st.Apply(state.Change{Put: t}); err != nil {
					b.Fatal(err)
				}
			}
			def := &definition.Definition{Searches: []*definition.Search{s}}
			b.ReportAllocs()
			for b.Loop() {
				s.Trials++
				p, err := plan.Make(def, st, plan.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if got := len(p.Searches[0].ToRun); got != 1 {
					b.Fatalf("%d trials planned", got)
				}
				r := &Runner{Def: def, State: st, Journal: discardJournal{}, Executor: instantExecutor{}}
				res, err := r.Run(context.Background(), nil, p)
				if err != nil {
					b.Fatal(err)
				}
				if res.Searches[0].Completed != 1 || res.Searches[0].BestAfter == nil {
					b.Fatalf("%+v", res.Searches[0])
				}
			}
		})
	}
}
