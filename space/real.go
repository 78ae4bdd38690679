package space

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// maxSteps bounds the number of steps of a stepped Real, so that every grid
// index is an exact float64.
const maxSteps = 1 << 53

// Real is a dimension of float64 values in [Low, High].
//
// With Log set, samples are uniform in log space and the encoding is
// linear in ln v. With Step > 0 the dimension is discrete: its values are
// Low, Low+Step, Low+2*Step, ..., High, where value i is computed as
// Low + i*Step and the last one is exactly High. Step 0 means continuous.
// Log and Step cannot be combined.
//
// Build a Real with NewReal and do not change its fields afterwards.
type Real struct {
	name      string
	Low, High float64
	Log       bool
	Step      float64 // 0 for a continuous range
}

var _ Dimension = (*Real)(nil)

// NewReal returns a Real dimension, or a *FieldError if low and high are
// not finite with low < high, if log is set with low <= 0, if step is
// negative or not finite, if step is combined with log, or if step does not
// divide high - low (up to a relative tolerance of 1e-9).
func NewReal(name string, low, high float64, log bool, step float64) (*Real, error) {
	if err := checkRange(low, high, log); err != nil {
		return nil, err
	}
	switch {
	case math.IsNaN(step) || math.IsInf(step, 0):
		return nil, fieldErr("step", "step must be a finite number, got %v.", step)
	case step < 0:
		return nil, fieldErr("step", "step (%v) must be greater than 0; leave it out (or use 0) for a continuous range.", step)
	case step > 0 && log:
		return nil, fieldErr("step", "step cannot be combined with log = true; remove step or set log = false.")
	case step > 0:
		span := high - low
		k := math.Round(span / step)
		if k < 1 || math.Abs(k*step-span) > slack(span, low, high) {
			if step > span {
				return nil, fieldErr("step", "step (%v) is larger than high - low (%v); use a step of at most %v.", step, span, span)
			}
			under := low + math.Floor(span/step)*step
			return nil, fieldErr("step", "step (%v) does not divide high - low (%v) evenly; change high to %s or %s, or use a step that divides %v.",
				step, span, short(under), short(under+step), span)
		}
		if k > maxSteps {
			return nil, fieldErr("step", "step (%v) is too small: the range would hold more than 2^53 values; use a larger step or leave it out for a continuous range.", step)
		}
	}
	return &Real{name: name, Low: low, High: high, Log: log, Step: step}, nil
}

// checkRange validates numeric bounds shared by Real and Integer.
func checkRange(low, high float64, log bool) error {
	if err := checkFinite(low, high); err != nil {
		return err
	}
	switch {
	case low > high:
		return fieldErr("low", "low (%v) must be less than high (%v); swap them.", low, high)
	case low == high:
		return fieldErr("low", "low (%v) must be less than high (%v); a dimension needs at least two values.", low, high)
	case math.IsInf(high-low, 0):
		return fieldErr("high", "high - low is too large to represent (low %v, high %v); narrow the range.", low, high)
	case log && low <= 0:
		return fieldErr("low", "low (%v) must be greater than 0 when log = true, because a log scale cannot reach 0 or negative numbers; raise low or set log = false.", low)
	}
	return nil
}

// checkFinite rejects NaN and infinite bounds.
func checkFinite(low, high float64) error {
	if math.IsNaN(low) || math.IsInf(low, 0) {
		return fieldErr("low", "low must be a finite number, got %v.", low)
	}
	if math.IsNaN(high) || math.IsInf(high, 0) {
		return fieldErr("high", "high must be a finite number, got %v.", high)
	}
	return nil
}

// short formats a computed suggestion without floating-point noise.
func short(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }

// Name returns the dimension's name.
func (d *Real) Name() string { return d.name }

// steps returns the number of steps between Low and High (Step > 0).
func (d *Real) steps() uint64 { return uint64(math.Round((d.High - d.Low) / d.Step)) }

// Sample draws a value: uniform on [Low, High], uniform in log space if Log
// is set, or uniform over the grid values if Step > 0.
func (d *Real) Sample(r *rand.Rand) Value { return d.sample(r) }

// sample is Sample without boxing the value.
func (d *Real) sample(r *rand.Rand) float64 {
	if d.Step > 0 {
		return d.at(r.Uint64N(d.steps() + 1))
	}
	return d.fromUnit(r.Float64())
}

// Contains reports whether v is a number in [Low, High] and, for a stepped
// Real, within a small tolerance of a grid value.
func (d *Real) Contains(v Value) bool {
	_, ok := d.Normalize(v)
	return ok
}

// Normalize converts v to float64. A value within tolerance of a grid value
// of a stepped Real is replaced by that grid value. It reports false if v
// is not a number or not a value of d.
func (d *Real) Normalize(v Value) (Value, bool) {
	f, ok := d.normalize(v)
	if !ok {
		return nil, false
	}
	if x, ok := v.(float64); ok && math.Float64bits(x) == math.Float64bits(f) {
		return v, true // already canonical: no new boxed value
	}
	return f, true
}

// normalize is Normalize without boxing the value.
func (d *Real) normalize(v Value) (float64, bool) {
	f, ok := toFloat(v)
	if !ok {
		return 0, false
	}
	return d.normalizeFloat(f)
}

// normalizeFloat is Normalize for a float64.
func (d *Real) normalizeFloat(f float64) (float64, bool) {
	if math.IsNaN(f) {
		return 0, false
	}
	f += 0 // -0 becomes 0
	if d.Step == 0 {
		if f < d.Low || f > d.High {
			return 0, false
		}
		return f, true
	}
	i := math.Round((f - d.Low) / d.Step)
	if i < 0 || i > float64(d.steps()) {
		return 0, false
	}
	g := d.at(uint64(i))
	if math.Abs(f-g) > slack(d.Step, d.Low, d.High) {
		return 0, false
	}
	return g, true
}

// GridSize returns the number of grid values, or finite = false for a
// continuous Real.
func (d *Real) GridSize() (n uint64, finite bool) {
	if d.Step == 0 {
		return 0, false
	}
	return d.steps() + 1, true
}

// GridValue returns Low + i*Step, or exactly High for the last value. It
// panics for a continuous Real.
func (d *Real) GridValue(i uint64) Value {
	if d.Step == 0 {
		panic(fmt.Sprintf("space: dimension %q is continuous and has no grid", d.name))
	}
	return d.at(i)
}

// at returns grid value i of a stepped Real.
func (d *Real) at(i uint64) float64 {
	if i >= d.steps() {
		return d.High
	}
	return d.Low + float64(i)*d.Step
}

// EncodedLen returns 1.
func (d *Real) EncodedLen() int { return 1 }

// Encode writes (v-Low)/(High-Low), or its log-space analogue, to dst[0].
// It panics if v is not a value of d.
func (d *Real) Encode(v Value, dst []float64) {
	f, ok := d.Normalize(v)
	if !ok {
		panic(fmt.Sprintf("space: %#v is not a value of dimension %q", v, d.name))
	}
	dst[0] = d.toUnit(f.(float64))
}

// Decode clamps src[0] to [0,1], inverts Encode and, for a stepped Real,
// snaps to the nearest grid value.
func (d *Real) Decode(src []float64) Value {
	t := clamp01(src[0])
	if d.Step > 0 {
		n := d.steps()
		return d.at(uint64(math.Round(t * float64(n))))
	}
	return d.fromUnit(t)
}

// toUnit maps f in [Low, High] to [0,1].
func (d *Real) toUnit(f float64) float64 {
	if d.Log {
		return (math.Log(f) - math.Log(d.Low)) / (math.Log(d.High) - math.Log(d.Low))
	}
	return (f - d.Low) / (d.High - d.Low)
}

// fromUnit maps t in [0,1] to [Low, High], exactly to the bounds at 0 and 1.
func (d *Real) fromUnit(t float64) float64 {
	switch {
	case t <= 0:
		return d.Low
	case t >= 1:
		return d.High
	}
	var f float64
	if d.Log {
		lo := math.Log(d.Low)
		f = math.Exp(lo + t*(math.Log(d.High)-lo))
	} else {
		f = d.Low + t*(d.High-d.Low)
	}
	return min(max(f, d.Low), d.High)
}
