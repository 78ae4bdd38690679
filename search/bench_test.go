package search

import (
	"fmt"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// bigSpace is the space of internal/bigstate's search: a log real, a log
// integer, a stepped integer, a real and a categorical.
func bigSpace(b *testing.B) *space.Space {
	return ok(space.New(
		ok(space.NewReal("training.lr", 1e-5, 1e-1, true, 0)),
		ok(space.NewInteger("training.batch_size", 16, 512, true, 0)),
		ok(space.NewInteger("model.hidden_dim", 32, 1024, false, 32)),
		ok(space.NewReal("model.dropout", 0, 0.5, false, 0)),
		ok(space.NewCategorical("optimizer", []space.Value{"adam", "sgd", "rmsprop"})),
	))
}

// BenchmarkRandomPropose proposes one more point after n observed ones
// (the first n of the stream): what plan and apply do for a random search
// raised by one trial.
func BenchmarkRandomPropose(b *testing.B) {
	sp := bigSpace(b)
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			pts, err := Random{}.Propose(Request{Space: sp, Seed: 7}, n)
			if err != nil || len(pts) != n {
				b.Fatal(len(pts), err)
			}
			req := Request{Space: sp, Seed: 7, Observations: observe(pts)}
			b.ReportAllocs()
			for b.Loop() {
				if got, err := (Random{}).Propose(req, 1); err != nil || len(got) != 1 {
					b.Fatal(got, err)
				}
			}
		})
	}
}
