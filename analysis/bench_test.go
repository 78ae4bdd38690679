package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// The speed of Importance is measured by BenchmarkImportance (100 trials,
// 10 params of every kind), never asserted as a wall-clock limit.

// speedSpace is a 10-parameter space of every kind, 14 encoded inputs.
func speedSpace(t testing.TB) *space.Space {
	lr, _ := space.NewReal("lr", 1e-5, 1e-1, true, 0)
	wd, _ := space.NewReal("wd", 1e-6, 1e-2, true, 0)
	drop, _ := space.NewReal("dropout", 0, 0.5, false, 0.05)
	mom, _ := space.NewReal("momentum", 0.8, 0.99, false, 0)
	layers, _ := space.NewInteger("layers", 1, 8, false, 0)
	width, _ := space.NewInteger("width", 16, 1024, true, 0)
	batch, _ := space.NewInteger("batch", 16, 256, false, 16)
	opt, _ := space.NewCategorical("optimizer", []space.Value{"sgd", "adam", "adamw"})
	act, _ := space.NewCategorical("activation", []space.Value{"relu", "gelu"})
	warm, _ := space.NewReal("warmup", 0, 1, false, 0)
	sp, err := space.New(lr, wd, drop, mom, layers, width, batch, opt, act, warm)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func speedTrials(sp *space.Space) []Trial {
	return sampleTrials(sp, 100, 9, func(p space.Point, r *rand.Rand) float64 {
		l := math.Log10(p[0].(float64)) + 3
		s := l*l + 0.5*float64(p[4].(int64)) + 0.1*r.NormFloat64()
		if p[7] == "sgd" {
			s += 2
		}
		return s
	})
}

func BenchmarkImportance(b *testing.B) {
	sp := speedSpace(b)
	trials := speedTrials(sp)
	for b.Loop() {
		if _, err := Importance(sp, nil, trials, 1); err != nil {
			b.Fatal(err)
		}
	}
}
