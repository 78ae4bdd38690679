package gp

import (
	"errors"
	"fmt"
	"math"
)

// ErrInput is wrapped by every error of malformed input.
var ErrInput = errors.New("gp: malformed input")

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// flatten checks X and y and returns X as a flat row-major copy and the
// number of input dimensions.
func flatten(X [][]float64, y []float64) (x []float64, d int, err error) {
	if len(X) == 0 {
		return nil, 0, fmt.Errorf("%w: no observations", ErrInput)
	}
	if len(y) != len(X) {
		return nil, 0, fmt.Errorf("%w: %d outputs for %d input rows", ErrInput, len(y), len(X))
	}
	d = len(X[0])
	if d == 0 {
		return nil, 0, fmt.Errorf("%w: rows have no inputs", ErrInput)
	}
	x = make([]float64, 0, len(X)*d)
	for i, row := range X {
		if len(row) != d {
			return nil, 0, fmt.Errorf("%w: row %d has %d inputs, want %d", ErrInput, i, len(row), d)
		}
		for j, v := range row {
			if !finite(v) {
				return nil, 0, fmt.Errorf("%w: input %d of row %d is %v", ErrInput, j, i, v)
			}
		}
		x = append(x, row...)
	}
	for i, v := range y {
		if !finite(v) {
			return nil, 0, fmt.Errorf("%w: output %d is %v", ErrInput, i, v)
		}
	}
	return x, d, nil
}

// checkHyper checks h for d input dimensions.
func checkHyper(h Hyper, d int) error {
	if len(h.LengthScales) != d {
		return fmt.Errorf("%w: %d length scales for %d input dimensions", ErrInput, len(h.LengthScales), d)
	}
	if !(h.Amplitude > 0) || math.IsInf(h.Amplitude, 1) {
		return fmt.Errorf("%w: amplitude %v is not positive and finite", ErrInput, h.Amplitude)
	}
	for i, l := range h.LengthScales {
		if !(l > 0) || math.IsInf(l, 1) {
			return fmt.Errorf("%w: length scale %d is %v, not positive and finite", ErrInput, i, l)
		}
	}
	if !(h.Noise >= NoiseFloor) || math.IsInf(h.Noise, 1) {
		return fmt.Errorf("%w: noise %v is below NoiseFloor %v or not finite", ErrInput, h.Noise, NoiseFloor)
	}
	return nil
}
