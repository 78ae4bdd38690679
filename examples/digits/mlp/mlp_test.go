package mlp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

const dataPath = "../data/digits.csv.gz"

var loadDigits = sync.OnceValues(func() (*Dataset, error) { return Load(dataPath) })

func digits(t testing.TB) Data {
	t.Helper()
	d, err := loadDigits()
	if err != nil {
		t.Fatal(err)
	}
	return d.Split(0.2, 1)
}

// good are settings that train well.
var good = Options{LR: 1e-2, Hidden: 64, BatchSize: 32, L2: 1e-4, Optimizer: "adam", Epochs: 10, Seed: 1}

func TestLoad(t *testing.T) {
	d, err := loadDigits()
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 1797 {
		t.Errorf("%d rows, want 1797", d.Len())
	}
	if r, c := d.X.Dims(); r != 1797 || c != Features {
		t.Errorf("X is %dx%d", r, c)
	}
	counts := make([]int, Classes)
	for _, y := range d.Y {
		counts[y]++
	}
	for c, n := range counts {
		if n < 170 || n > 190 {
			t.Errorf("class %d has %d examples", c, n)
		}
	}
	if lo, hi := mat.Min(d.X), mat.Max(d.X); lo != 0 || hi != 1 {
		t.Errorf("features span [%v, %v], want [0, 1]", lo, hi)
	}
}

func TestReadErrors(t *testing.T) {
	row := func(pixel, class string) string {
		return strings.Repeat("0,", Features-1) + pixel + "," + class + "\n"
	}
	tests := []struct{ name, csv, err string }{
		{"short row", "1,2,3\n", "record on line 1: wrong number of fields"},
		{"pixel range", row("0", "1") + row("17", "1"), "line 2, column 64: pixel 17 is outside 0..16"},
		{"class range", row("0", "10"), "line 1: class 10 is outside 0..9"},
		{"not a number", row("x", "1"), `line 1, column 64: "x" is not an integer`},
		{"empty", "", "no examples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.csv))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Read = %v, want %q", err, tt.err)
			}
		})
	}
	if _, err := Load("no/such/file.csv.gz"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestSplit(t *testing.T) {
	d, err := loadDigits()
	if err != nil {
		t.Fatal(err)
	}
	a, b := d.Split(0.2, 1), d.Split(0.2, 1)
	if a.Train.Len()+a.Val.Len() != d.Len() || a.Val.Len() < 350 || a.Val.Len() > 370 {
		t.Errorf("split %d + %d", a.Train.Len(), a.Val.Len())
	}
	if !mat.Equal(a.Val.X, b.Val.X) || !equalInts(a.Val.Y, b.Val.Y) {
		t.Error("the same seed gave different splits")
	}
	if c := d.Split(0.2, 2); mat.Equal(a.Val.X, c.Val.X) {
		t.Error("another seed gave the same split")
	}
	counts := make([]int, Classes)
	for _, y := range a.Val.Y {
		counts[y]++
	}
	for c, n := range counts {
		if n < 34 || n > 38 {
			t.Errorf("validation class %d has %d examples; want a stratified ~36", c, n)
		}
	}
}

// TestGradient compares the analytic gradient with central finite
// differences on a small network, with and without the L2 term.
func TestGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, in, hidden = 7, 5, 6
	x := mat.NewDense(n, in, nil)
	y := make([]int, n)
	for i := range n {
		for j := range in {
			x.Set(i, j, rng.Float64())
		}
		y[i] = rng.IntN(Classes)
	}
	for _, l2 := range []float64{0, 0.1} {
		m := newModel(in, hidden, Classes, rng)
		for i := range m.b1 { // biases away from zero: no kinks at ReLU
			m.b1[i] = 0.1 * rng.NormFloat64()
		}
		w := m.newWorkspace(n)
		m.lossAndGrad(w, x, y, l2)
		grad := append([]float64(nil), w.grad...)
		// A few weights of each block: W1, b1, W2, b2.
		n1, n2, n3 := in*hidden, in*hidden+hidden, in*hidden+hidden+hidden*Classes
		for _, i := range []int{0, 7, n1 - 1, n1, n2 - 1, n2, n2 + 13, n3 - 1, n3, len(m.params) - 1} {
			const h = 1e-6
			orig := m.params[i]
			m.params[i] = orig + h
			up, _ := m.lossAndGrad(w, x, y, l2)
			m.params[i] = orig - h
			down, _ := m.lossAndGrad(w, x, y, l2)
			m.params[i] = orig
			numeric := (up - down) / (2 * h)
			if diff := math.Abs(numeric - grad[i]); diff > 1e-6*math.Max(1, math.Abs(numeric)) {
				t.Errorf("l2 %v, param %d: analytic %.9g, numeric %.9g", l2, i, grad[i], numeric)
			}
		}
	}
}

func TestTrainReachesAccuracy(t *testing.T) {
	data := digits(t)
	for _, opt := range Optimizers {
		t.Run(opt, func(t *testing.T) {
			opts := good
			opts.Optimizer = opt
			if opt == "sgd" {
				opts.LR = 0.05
			}
			if opt == "rmsprop" {
				opts.LR = 3e-3
			}
			var epochs []int
			var losses []float64
			start := time.Now()
			res, err := Train(context.Background(), data, opts, func(e int, trainLoss, valLoss, valAcc float64) {
				epochs = append(epochs, e)
				losses = append(losses, trainLoss)
			})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: val acc %.4f, val loss %.4f, train loss %.4f in %v", opt, res.ValAcc, res.ValLoss, res.TrainLoss, elapsed)
			if res.ValAcc <= 0.9 {
				t.Errorf("validation accuracy %.3f, want > 0.9", res.ValAcc)
			}
			if res.Epochs != 10 || len(epochs) != 10 || epochs[0] != 1 || epochs[9] != 10 {
				t.Errorf("epochs %d, callbacks %v", res.Epochs, epochs)
			}
			if losses[9] >= losses[0] {
				t.Errorf("training loss went from %v to %v", losses[0], losses[9])
			}
			pred := res.Model.Predict(data.Val.X)
			correct := 0
			for i, p := range pred {
				if p == data.Val.Y[i] {
					correct++
				}
			}
			if acc := float64(correct) / float64(len(pred)); acc != res.ValAcc {
				t.Errorf("Predict accuracy %v, Result.ValAcc %v", acc, res.ValAcc)
			}
		})
	}
}

func TestTrainDeterministic(t *testing.T) {
	data := digits(t)
	opts := good
	opts.Epochs = 3
	a, err := Train(context.Background(), data, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(context.Background(), data, opts, nil)
	if a.ValLoss != b.ValLoss || a.TrainLoss != b.TrainLoss || !equalFloats(a.Model.params, b.Model.params) {
		t.Errorf("two runs with seed %d differ: %v vs %v", opts.Seed, a.ValLoss, b.ValLoss)
	}
	opts.Seed = 2
	c, _ := Train(context.Background(), data, opts, nil)
	if c.ValLoss == a.ValLoss {
		t.Error("another seed gave the same result")
	}
}

func TestTrainCancel(t *testing.T) {
	data := digits(t)
	opts := good
	opts.Epochs = 1000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen int
	start := time.Now()
	res, err := Train(ctx, data, opts, func(e int, _, _, _ float64) {
		seen = e
		if e == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train = %v, want context.Canceled", err)
	}
	if res.Epochs != 2 || seen != 2 || res.Model == nil {
		t.Errorf("stopped after %d epochs (callback saw %d), want 2", res.Epochs, seen)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancel took %v", d)
	}

	// Cancelled mid-epoch: stops at the next minibatch.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	opts.BatchSize = 1
	start = time.Now()
	if _, err := Train(ctx, data, opts, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Train = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a deadline of 20ms took %v to stop training", d)
	}
}

func TestTrainBadOptions(t *testing.T) {
	data := digits(t)
	tests := []struct {
		name   string
		change func(*Options)
		err    string
	}{
		{"optimizer", func(o *Options) { o.Optimizer = "adagrad" }, `unknown optimizer "adagrad" (want sgd, adam or rmsprop)`},
		{"empty optimizer", func(o *Options) { o.Optimizer = "" }, `unknown optimizer ""`},
		{"lr", func(o *Options) { o.LR = 0 }, "LR is 0; want a finite number > 0"},
		{"lr NaN", func(o *Options) { o.LR = math.NaN() }, "LR is NaN"},
		{"hidden", func(o *Options) { o.Hidden = 0 }, "Hidden is 0"},
		{"batch", func(o *Options) { o.BatchSize = -1 }, "BatchSize is -1"},
		{"l2", func(o *Options) { o.L2 = -1 }, "L2 is -1"},
		{"epochs", func(o *Options) { o.Epochs = 0 }, "Epochs is 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := good
			tt.change(&opts)
			called := false
			_, err := Train(context.Background(), data, opts, func(int, float64, float64, float64) { called = true })
			if err == nil || !strings.Contains(err.Error(), tt.err) || called {
				t.Errorf("Train = %v (trained: %v), want %q", err, called, tt.err)
			}
		})
	}
	if _, err := Train(context.Background(), Data{}, good, nil); err == nil {
		t.Error("Train on no data succeeded")
	}
}

func TestTrainDiverges(t *testing.T) {
	opts := good
	opts.Optimizer, opts.LR, opts.L2 = "sgd", 1e200, 0
	_, err := Train(context.Background(), digits(t), opts, nil)
	if !errors.Is(err, ErrDiverged) {
		t.Errorf("Train with LR 1e200 = %v, want ErrDiverged", err)
	}
}

func BenchmarkTrain10Epochs(b *testing.B) {
	data := digits(b)
	for b.Loop() {
		if _, err := Train(context.Background(), data, good, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
