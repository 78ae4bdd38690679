// Command prog is a trial program on the generated harness whose schema
// fingerprint matches no search: it stands for stale generated code.
package main

import (
	"context"

	"github.com/frameworm/frameworm/runtime"
)

type config struct {
	X float64 `json:"x"`
}

type metrics struct {
	Loss float64 `json:"loss"`
}

func main() {
	runtime.Harness[config, metrics]{
		Defaults:    func() config { return config{X: 0.5} },
		Validate:    func(config) error { return nil },
		Fingerprint: "0000000000000000000000000000000000000000000000000000000000000000",
		Metric:      "loss",
	}.Main(func(_ context.Context, c config, _ *runtime.Reporter) (metrics, error) {
		return metrics{Loss: (c.X - 0.3) * (c.X - 0.3)}, nil
	})
}
