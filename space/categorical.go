package space

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Categorical is a dimension whose values are listed explicitly. Values are
// strings, bools or float64s (every number is stored as float64, so 1 and
// 1.0 are the same value). Grid order is declaration order, and the
// encoding is one-hot: one coordinate per value, never an ordinal index.
//
// Build a Categorical with NewCategorical and do not change its fields
// afterwards.
type Categorical struct {
	name   string
	Values []Value
}

var _ Dimension = (*Categorical)(nil)

// NewCategorical returns a Categorical dimension holding a canonical copy
// of values, or a *FieldError if values is empty, holds something other
// than a string, a bool or a finite number, or holds a value twice (the
// error's Index is then the second occurrence).
func NewCategorical(name string, values []Value) (*Categorical, error) {
	if len(values) == 0 {
		return nil, fieldErr("values", "values must list at least one value.")
	}
	vals := make([]Value, len(values))
	seen := make(map[Value]int, len(values))
	for i, v := range values {
		c, ok := canonical(v)
		if !ok {
			return nil, &FieldError{Field: "values", Index: i,
				Msg: fmt.Sprintf("values[%d] (%#v) must be a string, a bool or a finite number.", i, v)}
		}
		if j, dup := seen[c]; dup {
			return nil, &FieldError{Field: "values", Index: i,
				Msg: fmt.Sprintf("values[%d] (%#v) repeats values[%d]; list each value once.", i, v, j)}
		}
		seen[c] = i
		vals[i] = c
	}
	return &Categorical{name: name, Values: vals}, nil
}

// Name returns the dimension's name.
func (d *Categorical) Name() string { return d.name }

// Sample draws one of the values uniformly.
func (d *Categorical) Sample(r *rand.Rand) Value { return d.Values[d.sample(r)] }

// sample is Sample, returning the value's index.
func (d *Categorical) sample(r *rand.Rand) int { return r.IntN(len(d.Values)) }

// Contains reports whether v, once normalized, is one of the values.
func (d *Categorical) Contains(v Value) bool { return d.index(v) >= 0 }

// Normalize returns the stored value equal to v (so int 1 gives float64 1),
// or false if there is none.
func (d *Categorical) Normalize(v Value) (Value, bool) {
	if i := d.index(v); i >= 0 {
		return d.Values[i], true
	}
	return nil, false
}

// index returns the position of v among the values, or -1.
func (d *Categorical) index(v Value) int {
	// The canonical types first, without boxing v again.
	switch x := v.(type) {
	case string:
		for i, w := range d.Values {
			if s, ok := w.(string); ok && s == x {
				return i
			}
		}
		return -1
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return -1
		}
		for i, w := range d.Values {
			if f, ok := w.(float64); ok && f == x { // -0 == 0, as canonical says
				return i
			}
		}
		return -1
	case bool:
		for i, w := range d.Values {
			if b, ok := w.(bool); ok && b == x {
				return i
			}
		}
		return -1
	}
	c, ok := canonical(v)
	if !ok {
		return -1
	}
	for i, w := range d.Values {
		if w == c {
			return i
		}
	}
	return -1
}

// GridSize returns the number of values; it is always finite.
func (d *Categorical) GridSize() (n uint64, finite bool) { return uint64(len(d.Values)), true }

// GridValue returns the i-th value in declaration order.
func (d *Categorical) GridValue(i uint64) Value { return d.Values[i] }

// EncodedLen returns the number of values.
func (d *Categorical) EncodedLen() int { return len(d.Values) }

// Encode writes the one-hot encoding of v to dst[:len(Values)]. It panics
// if v is not one of the values.
func (d *Categorical) Encode(v Value, dst []float64) {
	i := d.index(v)
	if i < 0 {
		panic(fmt.Sprintf("space: %#v is not a value of dimension %q", v, d.name))
	}
	for j := range d.Values {
		dst[j] = 0
	}
	dst[i] = 1
}

// Decode returns the value whose coordinate in src[:len(Values)] is largest
// after clamping to [0,1]; ties go to the earliest value.
func (d *Categorical) Decode(src []float64) Value {
	best := 0
	for i := 1; i < len(d.Values); i++ {
		if clamp01(src[i]) > clamp01(src[best]) {
			best = i
		}
	}
	return d.Values[best]
}
