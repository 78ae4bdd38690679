package space

import (
	"fmt"
	"math"
)

// Refine returns a copy of s narrowed around the point around, for a
// coarse-to-fine search. Every numeric dimension keeps its name, Log and
// Step, and gets the window centred on around's value with half-width
// factor*(High-Low)/2, measured in log space for log-scaled dimensions.
// The window is clipped to the original bounds (it is not shifted back
// inside), then:
//   - a continuous Real takes the window as its bounds;
//   - a stepped Real and an Integer round the window outward to their
//     original grid of values, and widen it by one value if needed so the
//     refined dimension keeps at least two values;
//   - a Categorical is kept unchanged.
//
// A conditional space keeps its conditions; a dimension that is inactive
// in around has no value to centre on and is kept unchanged.
//
// Refine reports an error unless 0 < factor <= 1 and around is a point of
// s, or if factor is so small that a continuous range collapses.
func Refine(s *Space, around Point, factor float64) (*Space, error) {
	if !(factor > 0 && factor <= 1) {
		return nil, fmt.Errorf("space: refine factor must be greater than 0 and at most 1, got %v.", factor)
	}
	if len(around) != s.Len() {
		return nil, fmt.Errorf("space: cannot refine around a point with %d values in a space of %d dimensions.", len(around), s.Len())
	}
	if s.conds != nil {
		if _, ok := s.Normalize(around); !ok {
			return nil, fmt.Errorf("space: cannot refine around %v: it is not a point of the space (a value is invalid, or a param is inactive exactly where its condition holds, or set where it does not).", around)
		}
	}
	dims := make([]Dimension, len(s.dims))
	for i, d := range s.dims {
		if s.conds != nil && around[i] == Inactive {
			dims[i] = d
			continue
		}
		v, ok := d.Normalize(around[i])
		if !ok {
			return nil, fmt.Errorf("space: cannot refine around %#v: it is not a value of dimension %q.", around[i], d.Name())
		}
		var err error
		switch d := d.(type) {
		case *Real:
			dims[i], err = refineReal(d, v.(float64), factor)
		case *Integer:
			dims[i], err = refineInteger(d, v.(int64), factor)
		default:
			dims[i] = d
		}
		if err != nil {
			return nil, err
		}
	}
	return NewConditional(dims, s.conds)
}

// window returns the clipped window of half-width factor*(high-low)/2 around
// c, in linear scale, computed in log space if log is set.
func window(low, high, c float64, log bool, factor float64) (lo, hi float64) {
	if log {
		l, h, m := math.Log(low), math.Log(high), math.Log(c)
		w := factor * (h - l) / 2
		lo, hi = math.Exp(m-w), math.Exp(m+w)
	} else {
		w := factor * (high - low) / 2
		lo, hi = c-w, c+w
	}
	return max(lo, low), min(hi, high)
}

func refineReal(d *Real, v, factor float64) (*Real, error) {
	lo, hi := window(d.Low, d.High, v, d.Log, factor)
	if d.Step > 0 {
		i, j := snapOutward((lo-d.Low)/d.Step, (hi-d.Low)/d.Step, d.steps()+1)
		lo, hi = d.at(i), d.at(j)
	}
	if !(lo < hi) {
		return nil, fmt.Errorf("space: refining dimension %q around %v with factor %v leaves an empty range; use a larger factor.", d.name, v, factor)
	}
	// Not NewReal: the bounds are on d's grid by construction, and
	// re-checking that Step divides their difference could fail on
	// rounding noise far from zero.
	return &Real{name: d.name, Low: lo, High: hi, Log: d.Log, Step: d.Step}, nil
}

func refineInteger(d *Integer, v int64, factor float64) (*Integer, error) {
	low := float64(d.Low)
	lo, hi := window(low, float64(d.High), float64(v), d.Log, factor)
	step := float64(d.Step)
	i, j := snapOutward((lo-low)/step, (hi-low)/step, d.count())
	r, err := NewInteger(d.name, low+float64(i)*step, low+float64(j)*step, d.Log, step)
	if err != nil {
		return nil, fmt.Errorf("space: refining dimension %q: %w", d.name, err)
	}
	return r, nil
}

// Keep returns d restricted to the values of keep that it holds, in d's
// order, for a refine that keeps the categories of the best trials.
// Inactive values in keep are skipped, and repeats count once; with no
// value left, d is returned unchanged. A value that is not one of d's is
// an error.
func Keep(d *Categorical, keep []Value) (*Categorical, error) {
	in := make([]bool, len(d.Values))
	kept := false
	for _, v := range keep {
		if v == Inactive {
			continue
		}
		i := d.index(v)
		if i < 0 {
			return nil, fmt.Errorf("space: cannot keep %#v: it is not a value of dimension %q.", v, d.name)
		}
		in[i], kept = true, true
	}
	if !kept {
		return d, nil
	}
	var vals []Value
	for i, v := range d.Values {
		if in[i] {
			vals = append(vals, v)
		}
	}
	return NewCategorical(d.name, vals)
}
