package mlp

import (
	"fmt"
	"math"
)

// Optimizers are the names Options.Optimizer accepts.
var Optimizers = []string{"sgd", "adam", "rmsprop"}

// optimizer updates a parameter vector from its gradient.
type optimizer interface {
	step(params, grad []float64)
}

func newOptimizer(name string, lr float64, n int) (optimizer, error) {
	switch name {
	case "sgd":
		return &sgd{lr: lr, momentum: 0.9, v: make([]float64, n)}, nil
	case "adam":
		return &adam{lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, m: make([]float64, n), v: make([]float64, n)}, nil
	case "rmsprop":
		return &rmsprop{lr: lr, rho: 0.9, eps: 1e-8, s: make([]float64, n)}, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (want sgd, adam or rmsprop)", name)
}

// sgd is stochastic gradient descent with (heavy-ball) momentum:
// v = momentum*v - lr*g; p += v.
type sgd struct {
	lr, momentum float64
	v            []float64
}

func (o *sgd) step(params, grad []float64) {
	for i, g := range grad {
		o.v[i] = o.momentum*o.v[i] - o.lr*g
		params[i] += o.v[i]
	}
}

// adam is Adam (Kingma and Ba, 2015) with bias correction.
type adam struct {
	lr, beta1, beta2, eps float64
	m, v                  []float64
	t                     int
}

func (o *adam) step(params, grad []float64) {
	o.t++
	c1 := 1 - math.Pow(o.beta1, float64(o.t))
	c2 := 1 - math.Pow(o.beta2, float64(o.t))
	for i, g := range grad {
		o.m[i] = o.beta1*o.m[i] + (1-o.beta1)*g
		o.v[i] = o.beta2*o.v[i] + (1-o.beta2)*g*g
		params[i] -= o.lr * (o.m[i] / c1) / (math.Sqrt(o.v[i]/c2) + o.eps)
	}
}

// rmsprop divides the step by a running root mean square of the gradient.
type rmsprop struct {
	lr, rho, eps float64
	s            []float64
}

func (o *rmsprop) step(params, grad []float64) {
	for i, g := range grad {
		o.s[i] = o.rho*o.s[i] + (1-o.rho)*g*g
		params[i] -= o.lr * g / (math.Sqrt(o.s[i]) + o.eps)
	}
}
