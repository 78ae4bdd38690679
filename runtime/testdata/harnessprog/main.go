// Command harnessprog is a trial program built on runtime.Harness, for
// the end-to-end tests of package runtime. HARNESSPROG_MODE picks what it
// does: "ok" (report progress, return metrics), "panic", or "wait" (wait
// for the context to be cancelled, then note it in the trial directory).
package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

type Config struct {
	Training struct {
		LR        float64 `json:"lr"`
		BatchSize int     `json:"batch_size"`
	} `json:"training"`
	Optimizer string `json:"optimizer"`
}

type Metrics struct {
	ValLoss float64 `json:"val_loss"`
	LR      float64 `json:"lr"`
	Batch   int     `json:"batch"`
}

var harness = runtime.Harness[Config, Metrics]{
	Defaults: func() Config {
		var c Config
		c.Training.LR, c.Training.BatchSize, c.Optimizer = 0.001, 32, "adam"
		return c
	},
	Validate: func(c Config) error {
		if c.Training.LR <= 0 {
			return errors.New("training.lr: must be > 0")
		}
		return nil
	},
	Fingerprint: "harnessprog-fp-1",
	Metric:      "val_loss",
}

func main() {
	harness.Main(func(ctx context.Context, cfg Config, r *runtime.Reporter) (Metrics, error) {
		switch os.Getenv("HARNESSPROG_MODE") {
		case "panic":
			panic("harnessprog: deliberate panic")
		case "wait":
			dir := os.Getenv("FW_TRIAL_DIR")
			os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
			select {
			case <-ctx.Done():
				os.WriteFile(filepath.Join(dir, "cancelled"), []byte(context.Cause(ctx).Error()), 0o644)
				return Metrics{}, ctx.Err()
			case <-time.After(30 * time.Second):
				return Metrics{}, errors.New("not cancelled")
			}
		}
		for step := range 3 {
			r.Report(int64(step+1), map[string]float64{"loss": 1 / float64(step+1)})
		}
		return Metrics{ValLoss: 0.125, LR: cfg.Training.LR, Batch: cfg.Training.BatchSize}, nil
	})
}
