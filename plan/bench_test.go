package plan

import (
	"fmt"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/internal/bigstate"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// BenchmarkClassify matches n recorded trials against a search: what
// plan, show and every adaptive proposal of an apply do. Half the trials
// lie outside the current range, so both paths are measured.
func BenchmarkClassify(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			lr := must(space.NewReal("training.lr", 1e-5, 1e-1, true, 0))
			opt := must(space.NewCategorical("optimizer", []space.Value{"adam", "sgd"}))
			base := map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5), "batch_size": int64(64)},
				"model": map[string]any{"hidden": int64(40), "dropout": 0.1}, "optimizer": "adam", "seed": int64(1)}
			old := searchOf(&testing.T{}, base, lr, opt)
			now := searchOf(&testing.T{}, base, must(space.NewReal("training.lr", 1e-3, 1e-1, true, 0)), opt)
			trials := make([]*state.Trial, n)
			for i := range trials {
				pt := space.Point{1e-5 * float64(1+i%10000), []string{"adam", "sgd"}[i%2]}
				cfg, _ := old.Resolve(pt)
				h, _ := definition.Hash(cfg)
				trials[i] = &state.Trial{Search: "s", Number: i, Params: old.ParamMap(pt), Config: cfg, ConfigHash: h, Status: state.Completed,
					Metrics: map[string]float64{"loss": float64(i)}}
			}
			b.ReportAllocs()
			for b.Loop() {
				Classify(now, trials)
			}
		})
	}
}

// BenchmarkClassifyBig matches the trials of a realistic search (package
// bigstate), which all match, as plan, show and apply do at every run.
func BenchmarkClassifyBig(b *testing.B) {
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
			b.ReportAllocs()
			for b.Loop() {
				h := Classify(s, trials)
				if len(h.Excluded) > 0 {
					b.Fatalf("%d trials excluded", len(h.Excluded))
				}
			}
		})
	}
}
