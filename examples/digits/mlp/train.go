package mlp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Options are the hyperparameters of a training run.
type Options struct {
	LR        float64 // learning rate, > 0
	Hidden    int     // hidden units, >= 1
	BatchSize int     // examples per minibatch, >= 1 (capped at the training set's size)
	L2        float64 // weight of the L2 penalty on the weights (not the biases), >= 0
	Optimizer string  // "sgd" (momentum 0.9), "adam" or "rmsprop"
	Epochs    int     // passes over the training set, >= 1
	Seed      uint64  // seeds the initial weights and the minibatch order
}

// Validate reports every option out of range, joined.
func (o Options) Validate() error {
	var errs []error
	if !(o.LR > 0) || math.IsInf(o.LR, 0) {
		errs = append(errs, fmt.Errorf("LR is %v; want a finite number > 0", o.LR))
	}
	if o.Hidden < 1 {
		errs = append(errs, fmt.Errorf("Hidden is %d; want >= 1", o.Hidden))
	}
	if o.BatchSize < 1 {
		errs = append(errs, fmt.Errorf("BatchSize is %d; want >= 1", o.BatchSize))
	}
	if !(o.L2 >= 0) || math.IsInf(o.L2, 0) {
		errs = append(errs, fmt.Errorf("L2 is %v; want a finite number >= 0", o.L2))
	}
	if o.Epochs < 1 {
		errs = append(errs, fmt.Errorf("Epochs is %d; want >= 1", o.Epochs))
	}
	if _, err := newOptimizer(o.Optimizer, 1, 0); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Result is the outcome of a training run: the losses and accuracy after
// the last epoch that ran, and the model.
type Result struct {
	Epochs    int     // epochs completed
	TrainLoss float64 // mean cross-entropy on the training set (without the L2 term)
	ValLoss   float64 // mean cross-entropy on the validation set
	ValAcc    float64 // accuracy on the validation set, 0..1
	Model     *Model
}

// ErrDiverged is returned (wrapped) when the training loss stops being a
// finite number.
var ErrDiverged = errors.New("training diverged")

// Train trains a model on data.Train with minibatches in a fresh random
// order each epoch, minimizing mean cross-entropy plus opts.L2/2 times the
// squared weights. After each epoch it evaluates the model on the whole
// training and validation sets and calls onEpoch (when not nil) with the
// epoch (1-based), the training and validation cross-entropy, and the
// validation accuracy.
//
// The same data, options and seed give the same result, bit for bit.
// Train checks ctx between minibatches: once it is done, Train returns the
// result of the last complete epoch and an error wrapping ctx.Err(). A
// training loss that is NaN or infinite after an epoch stops training
// with an error wrapping ErrDiverged (onEpoch has seen the epoch). Options
// out of range, such as an unknown optimizer, are an error before any
// training.
func Train(ctx context.Context, data Data, opts Options, onEpoch func(epoch int, trainLoss, valLoss, valAcc float64)) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, fmt.Errorf("mlp: %w", err)
	}
	if data.Train == nil || data.Train.Len() == 0 || data.Val == nil || data.Val.Len() == 0 {
		return Result{}, errors.New("mlp: the training and validation sets must not be empty")
	}
	_, in := data.Train.X.Dims()
	if _, vin := data.Val.X.Dims(); vin != in {
		return Result{}, fmt.Errorf("mlp: the training set has %d features, the validation set %d", in, vin)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6d6c70))
	model := newModel(in, opts.Hidden, Classes, rng)
	opt, _ := newOptimizer(opts.Optimizer, opts.LR, len(model.params))
	n := data.Train.Len()
	batch := min(opts.BatchSize, n)
	w := model.newWorkspace(max(batch, 256))
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}

	res := Result{Model: model}
	for epoch := 1; epoch <= opts.Epochs; epoch++ {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for lo := 0; lo < n; lo += batch {
			if err := ctx.Err(); err != nil {
				return res, fmt.Errorf("mlp: stopped in epoch %d: %w", epoch, err)
			}
			hi := min(lo+batch, n)
			xb := w.xb.Slice(0, hi-lo, 0, in).(*mat.Dense)
			for i, j := range order[lo:hi] {
				xb.SetRow(i, data.Train.X.RawRowView(j))
				w.yb[i] = data.Train.Y[j]
			}
			model.lossAndGrad(w, xb, w.yb[:hi-lo], opts.L2)
			opt.step(model.params, w.grad)
		}
		trainLoss, _ := model.evaluate(w, data.Train)
		valLoss, valAcc := model.evaluate(w, data.Val)
		res.Epochs, res.TrainLoss, res.ValLoss, res.ValAcc = epoch, trainLoss, valLoss, valAcc
		if onEpoch != nil {
			onEpoch(epoch, trainLoss, valLoss, valAcc)
		}
		if math.IsNaN(trainLoss) || math.IsInf(trainLoss, 0) {
			return res, fmt.Errorf("mlp: %w in epoch %d: the training loss is %v (try a smaller learning rate)", ErrDiverged, epoch, trainLoss)
		}
	}
	return res, nil
}
