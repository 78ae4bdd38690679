package gp

import (
	"sync"
	"testing"
)

// A Model is safe for concurrent use (run with -race).
func TestConcurrentUse(t *testing.T) {
	X, y := hartmannData(newRand(30), 120)
	m, err := Fit(X, y, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	Q := randX(newRand(31), 70, 6)
	want := make([]float64, 2*len(Q))
	m.PredictBatch(Q, want[:len(Q)], want[len(Q):])
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Go(func() {
			got := make([]float64, 2*len(Q))
			dm, dv := make([]float64, 6), make([]float64, 6)
			for range 3 {
				m.PredictBatch(Q, got[:len(Q)], got[len(Q):])
				for i, q := range Q {
					mean, variance := m.Predict(q)
					gm, gv := m.PredictGrad(q, dm, dv)
					if mean != want[i] || variance != want[len(Q)+i] || gm != mean || gv != variance || got[i] != mean || got[len(Q)+i] != variance {
						errs <- "concurrent predictions differ"
						return
					}
				}
				_ = m.Condition(Q[g], 0)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
