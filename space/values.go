package space

import (
	"math"
	"reflect"
)

// toFloat converts any Go integer or float kind (including named types such
// as time.Duration) to float64. It reports false for every other type.
func toFloat(v Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	}
	return 0, false
}

// toInt converts any Go integer kind, or a float holding a whole number, to
// int64. It reports false for other types and for values outside int64.
func toInt(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		return int64(u), u <= math.MaxInt64
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 { // also rejects NaN and ±Inf
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// canonical converts a categorical value to its canonical Go type: string
// and bool kinds to string and bool, numbers to a finite float64 (with -0
// turned into 0). It reports false for anything else.
func canonical(v Value) (Value, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return x, true
	}
	if f, ok := toFloat(v); ok {
		return f + 0, !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), true
	case reflect.Bool:
		return rv.Bool(), true
	}
	return nil, false
}

// clamp01 clamps an encoded coordinate to [0,1], mapping NaN to 0.
func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}

// slack is the tolerance used when comparing a computed real grid value
// with a given one: a relative 1e-9 of scale plus a few units in the last
// place of the largest bound, to absorb floating-point rounding.
func slack(scale, low, high float64) float64 {
	m := max(math.Abs(low), math.Abs(high))
	return 1e-9*scale + 4*(math.Nextafter(m, math.Inf(1))-m)
}

// snapOutward returns the indices i < j of the grid values (0..n-1, n >= 2)
// that enclose the window [a, b], given in steps from the first value. A
// window narrower than one step is widened to two neighbouring values.
func snapOutward(a, b float64, n uint64) (i, j uint64) {
	const tol = 1e-9 // in steps: a bound this close to a grid value is on it
	i = uint64(max(0, math.Floor(a+tol)))
	j = uint64(min(float64(n-1), max(0, math.Ceil(b-tol))))
	if i >= j {
		if i+1 < n {
			j = i + 1
		} else {
			i, j = n-2, n-1
		}
	}
	return i, j
}
