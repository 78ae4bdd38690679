// Command train is the digits example's trial program: it trains the MLP
// of package mlp with one config of the search and reports its metrics,
// by the trial protocol (docs/protocol.md) through the generated harness.
//
// Inside fwapply it reads FW_CONFIG, appends one progress line per epoch to
// FW_PROGRESS and writes val_loss, val_acc and train_loss to FW_METRICS.
// Run alone (go run ./cmd/train [-config FILE]) it trains with the search's
// base config, or FILE, and prints the metrics. -fw-schema prints the
// schema fingerprint of the generated code.
//
// DIGITS_EPOCH_DELAY, a Go duration ("100ms"), makes each epoch that much
// longer, standing in for a larger model: epochs of a few milliseconds
// end before fwapply looks at the progress again, so scripts/prune-bench
// sets it to measure what a pruner saves.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/frameworm/frameworm/examples/digits/mlp"
	"github.com/frameworm/frameworm/examples/digits/trainconfig"
	"github.com/frameworm/frameworm/runtime"
)

// defaultData is relative to the working directory: fwapply runs trials
// in the directory of the search file, examples/digits. DIGITS_DATA
// overrides it.
const defaultData = "data/digits.csv.gz"

// The validation split is fixed, not a hyperparameter: every trial of a
// search is scored on the same examples.
const (
	valFraction = 0.2
	splitSeed   = 1
)

func main() {
	trainconfig.Main(train)
}

func train(ctx context.Context, cfg trainconfig.Config, r *runtime.Reporter) (trainconfig.Metrics, error) {
	path := defaultData
	if p := os.Getenv("DIGITS_DATA"); p != "" {
		path = p
	}
	all, err := mlp.Load(path)
	if err != nil {
		return trainconfig.Metrics{}, err
	}
	data := all.Split(valFraction, splitSeed)
	var delay time.Duration
	if v := os.Getenv("DIGITS_EPOCH_DELAY"); v != "" {
		if delay, err = time.ParseDuration(v); err != nil {
			return trainconfig.Metrics{}, fmt.Errorf("DIGITS_EPOCH_DELAY: %w", err)
		}
	}
	opts := mlp.Options{
		LR:        cfg.Training.LR,
		Hidden:    cfg.Model.Hidden,
		BatchSize: cfg.Training.BatchSize,
		L2:        cfg.Training.L2,
		Optimizer: string(cfg.Training.Optimizer), // string() in case fwgen makes an enum type
		Epochs:    cfg.Training.Epochs,
		Seed:      uint64(cfg.Seed),
	}
	reportFailed := false
	res, err := mlp.Train(ctx, data, opts, func(epoch int, trainLoss, valLoss, valAcc float64) {
		err := r.Report(int64(epoch), trainconfig.Metrics{ValLoss: valLoss, ValAcc: valAcc, TrainLoss: trainLoss})
		if err != nil && !reportFailed {
			reportFailed = true // progress is for live views; training goes on
			fmt.Fprintln(os.Stderr, "warning: reporting progress:", err)
		}
		if delay > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(delay):
			}
		}
	})
	if err != nil {
		return trainconfig.Metrics{}, err
	}
	return trainconfig.Metrics{ValLoss: res.ValLoss, ValAcc: res.ValAcc, TrainLoss: res.TrainLoss}, nil
}
