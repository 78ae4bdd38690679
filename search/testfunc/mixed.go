package testfunc

import (
	"fmt"
	"math"
)

// Mixed returns a mixed-type objective shaped like a training loss: a
// log-scaled real lr in [1e-5, 1e-1], a log-scaled integer batch in
// [8, 512] and a categorical opt in {"adam", "sgd", "rmsprop"}. With
// u = log10(lr) and v = log2(batch) - 6,
//
//	f = (u - u*(opt) - v/4)² + v²/2 + c(opt),
//
// where (u*, c) is (-3, 0) for adam, (-1.5, 0.15) for sgd and (-3.5, 0.05)
// for rmsprop: the best learning rate grows with the batch size, and each
// optimizer has its own. Both squares are non-negative and c(opt) >= 0, so
// f >= 0, with equality only at opt = "adam", batch = 64 (v = 0) and
// lr = 1e-3 (u = -3): Optimum is exactly 0. Each optimizer's own minimum,
// c(opt) at batch 64 and lr = 10^u*(opt), also lies inside the box.
func Mixed() Function {
	return Function{
		Name: "mixed",
		Dims: []Dim{
			{Name: "lr", Kind: Real, Low: 1e-5, High: 1e-1, Log: true},
			{Name: "batch", Kind: Integer, Low: 8, High: 512, Log: true},
			{Name: "opt", Kind: Categorical, Values: []string{"adam", "sgd", "rmsprop"}},
		},
		Optimum:    0,
		Minimizers: [][]any{{1e-3, int64(64), "adam"}},
		Eval: func(x []any) float64 {
			if len(x) != 3 {
				panic(fmt.Sprintf("testfunc: mixed takes 3 values, got %d", len(x)))
			}
			lr, batch := number("mixed", 0, x[0]), number("mixed", 1, x[1])
			name, ok := x[2].(string)
			if !ok {
				panic(fmt.Sprintf("testfunc: mixed value 2 is %T, want a string", x[2]))
			}
			o, ok := mixedOpts[name]
			if !ok {
				panic(fmt.Sprintf("testfunc: mixed: unknown opt %q", name))
			}
			u, v := math.Log10(lr), math.Log2(batch)-6
			a := u - o.bestLog10LR - v/4
			return a*a + v*v/2 + o.offset
		},
	}
}

// mixedOpts holds, per optimizer, log10 of its best learning rate at batch
// 64 and its offset above the global optimum.
var mixedOpts = map[string]struct{ bestLog10LR, offset float64 }{
	"adam":    {-3, 0},
	"sgd":     {-1.5, 0.15},
	"rmsprop": {-3.5, 0.05},
}
