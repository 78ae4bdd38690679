package space

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// maxInteger bounds Integer dimensions so that every value is an exact
// float64 (the encoding works in float64).
const maxInteger = 1 << 53

// Integer is a dimension of int64 values Low, Low+Step, ..., High.
//
// With Log set (Step must then be 1), samples follow the discretized
// log-uniform distribution: value k has probability mass proportional to
// ln((k+0.5)/(k-0.5)), which is what rounding a log-uniform draw on
// [Low-0.5, High+0.5] to the nearest integer gives. Both endpoints are
// reachable, each with its correct mass. The encoding is linear in ln v.
//
// Build an Integer with NewInteger and do not change its fields afterwards.
type Integer struct {
	name      string
	Low, High int64
	Log       bool
	Step      int64 // at least 1
}

var _ Dimension = (*Integer)(nil)

// NewInteger returns an Integer dimension. Its arguments are float64 so
// that non-whole values from a configuration file can be rejected with a
// *FieldError; a step of 0 means the default step of 1. Besides the checks
// of NewReal it requires whole bounds and step within ±2^53, a step that
// divides high - low, and no step larger than 1 together with log.
func NewInteger(name string, low, high float64, log bool, step float64) (*Integer, error) {
	if err := checkFinite(low, high); err != nil {
		return nil, err
	}
	if err := checkWhole("low", low); err != nil {
		return nil, err
	}
	if err := checkWhole("high", high); err != nil {
		return nil, err
	}
	if err := checkRange(low, high, log); err != nil {
		return nil, err
	}
	if step == 0 {
		step = 1
	}
	switch {
	case math.IsNaN(step) || math.IsInf(step, 0):
		return nil, fieldErr("step", "step must be a finite number, got %v.", step)
	case step < 0:
		return nil, fieldErr("step", "step (%v) must be greater than 0.", step)
	}
	if err := checkWhole("step", step); err != nil {
		return nil, err
	}
	lo, hi, st := int64(low), int64(high), int64(step)
	switch span := hi - lo; {
	case log && st > 1:
		return nil, fieldErr("step", "step (%d) cannot be combined with log = true; remove step or set log = false.", st)
	case st > span:
		return nil, fieldErr("step", "step (%d) is larger than high - low (%d); use a step of at most %d.", st, span, span)
	case span%st != 0:
		under := lo + span/st*st
		return nil, fieldErr("step", "step (%d) does not divide high - low (%d) evenly; change high to %d or %d, or use a step that divides %d.",
			st, span, under, under+st, span)
	}
	return &Integer{name: name, Low: lo, High: hi, Log: log, Step: st}, nil
}

// checkWhole rejects a finite field value that is not a whole number in
// [-2^53, 2^53].
func checkWhole(field string, x float64) error {
	if x != math.Trunc(x) {
		return fieldErr(field, "%s must be a whole number, got %v.", field, x)
	}
	if math.Abs(x) > maxInteger {
		return fieldErr(field, "%s must be between %d and %d, got %v.", field, -maxInteger, maxInteger, x)
	}
	return nil
}

// Name returns the dimension's name.
func (d *Integer) Name() string { return d.name }

// count returns the number of values.
func (d *Integer) count() uint64 { return uint64((d.High-d.Low)/d.Step) + 1 }

// Sample draws a value: uniform over Low, Low+Step, ..., High, or from the
// discretized log-uniform distribution described on Integer if Log is set.
func (d *Integer) Sample(r *rand.Rand) Value { return d.sample(r) }

// sample is Sample without boxing the value.
func (d *Integer) sample(r *rand.Rand) int64 {
	if !d.Log {
		return d.Low + int64(r.Uint64N(d.count()))*d.Step
	}
	lo, hi := math.Log(float64(d.Low)-0.5), math.Log(float64(d.High)+0.5)
	k := int64(math.Round(math.Exp(lo + r.Float64()*(hi-lo))))
	return min(max(k, d.Low), d.High)
}

// Contains reports whether v is a whole number among d's values.
func (d *Integer) Contains(v Value) bool {
	_, ok := d.Normalize(v)
	return ok
}

// Normalize converts any Go integer kind, or a float holding a whole
// number, to int64. It reports false if v is not one of d's values.
func (d *Integer) Normalize(v Value) (Value, bool) {
	k, ok := d.normalize(v)
	if !ok {
		return nil, false
	}
	if _, ok := v.(int64); ok {
		return v, true // already canonical: no new boxed value
	}
	return k, true
}

// normalize is Normalize without boxing the value.
func (d *Integer) normalize(v Value) (int64, bool) {
	k, ok := toInt(v)
	if !ok || !d.has(k) {
		return 0, false
	}
	return k, true
}

// has reports whether k is one of d's values.
func (d *Integer) has(k int64) bool {
	return k >= d.Low && k <= d.High && (k-d.Low)%d.Step == 0
}

// GridSize returns the number of values; it is always finite.
func (d *Integer) GridSize() (n uint64, finite bool) { return d.count(), true }

// GridValue returns Low + i*Step.
func (d *Integer) GridValue(i uint64) Value { return d.Low + int64(i)*d.Step }

// EncodedLen returns 1.
func (d *Integer) EncodedLen() int { return 1 }

// Encode writes (v-Low)/(High-Low), or its log-space analogue, to dst[0].
// It panics if v is not a value of d.
func (d *Integer) Encode(v Value, dst []float64) {
	k, ok := d.Normalize(v)
	if !ok {
		panic(fmt.Sprintf("space: %#v is not a value of dimension %q", v, d.name))
	}
	dst[0] = d.toUnit(k.(int64))
}

// Decode clamps src[0] to [0,1], inverts Encode and returns the value whose
// encoding is nearest (ties go to the smaller value).
func (d *Integer) Decode(src []float64) Value {
	t := clamp01(src[0])
	var x float64
	if d.Log {
		lo := math.Log(float64(d.Low))
		x = math.Exp(lo + t*(math.Log(float64(d.High))-lo))
	} else {
		x = float64(d.Low) + t*float64(d.High-d.Low)
	}
	n := d.count()
	i := uint64(min(max(0, math.Floor((x-float64(d.Low))/float64(d.Step))), float64(n-1)))
	k := d.Low + int64(i)*d.Step
	if i+1 < n && math.Abs(d.toUnit(k+d.Step)-t) < math.Abs(d.toUnit(k)-t) {
		k += d.Step
	}
	return k
}

// toUnit maps k in [Low, High] to [0,1].
func (d *Integer) toUnit(k int64) float64 {
	if d.Log {
		lo := math.Log(float64(d.Low))
		return (math.Log(float64(k)) - lo) / (math.Log(float64(d.High)) - lo)
	}
	return float64(k-d.Low) / float64(d.High-d.Low)
}
