// Package jsonenc appends JSON for the normalized values of configs,
// params and metrics (nil, bool, string, int64, float64, []any and
// map[string]any) without reflection: the state journal and the streamed
// show -json write hundreds of thousands of them.
//
// Contract: the output is byte for byte what encoding/json writes for the
// same value (object keys sorted, HTML characters escaped in strings,
// floats in encoding/json's format), except where a function says
// otherwise (AppendFloatDot). NaN and ±Inf are errors, as in
// encoding/json.
package jsonenc

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Append appends the compact JSON of a normalized value. With floatDot,
// every float64 shows a '.' or an exponent (AppendFloatDot), so that it
// reads back as a float. Other types are an error.
func Append(b []byte, v any, floatDot bool) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return AppendString(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		if floatDot {
			return AppendFloatDot(b, v)
		}
		return AppendNumber(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = Append(b, e, floatDot); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '{')
		var buf [16]string
		for i, k := range SortedKeys(buf[:0], v) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(AppendString(b, k), ':')
			if b, err = Append(b, v[k], floatDot); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("cannot encode a value of type %T (the value was not normalized)", v)
}

// AppendIndent appends v as json.Encoder with SetIndent("", "  ") writes
// it when v starts at the given depth. Values of other types than the
// normalized ones go through encoding/json.
func AppendIndent(b []byte, v any, depth int) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case nil, bool, string, int64, float64:
		return Append(b, v, false)
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '{')
		var buf [8]string
		for i, k := range SortedKeys(buf[:0], v) {
			if i > 0 {
				b = append(b, ',')
			}
			b = Newline(b, depth+1)
			b = append(AppendString(b, k), ": "...)
			if b, err = AppendIndent(b, v[k], depth+1); err != nil {
				return b, err
			}
		}
		if len(v) > 0 {
			b = Newline(b, depth)
		}
		return append(b, '}'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = Newline(b, depth+1)
			if b, err = AppendIndent(b, e, depth+1); err != nil {
				return b, err
			}
		}
		if len(v) > 0 {
			b = Newline(b, depth)
		}
		return append(b, ']'), nil
	}
	j, err := json.MarshalIndent(v, strings.Repeat("  ", depth), "  ")
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// Newline appends a newline and the indentation of depth (two spaces per
// level).
func Newline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for range depth {
		b = append(b, "  "...)
	}
	return b
}

// SortedKeys appends the keys of m to keys, sorted: with a keys buffer on
// the caller's stack, small objects sort without allocating.
func SortedKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AppendNumber appends f exactly as encoding/json writes a float64.
func AppendNumber(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("cannot encode %v (JSON has no NaN or infinity)", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // 1e-07 -> 1e-7, as encoding/json writes it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// AppendFloatDot is AppendNumber plus ".0" when the number would look like
// an integer, so that it decodes as a float again.
func AppendFloatDot(b []byte, f float64) ([]byte, error) {
	start := len(b)
	b, err := AppendNumber(b, f)
	if err != nil {
		return nil, err
	}
	for _, c := range b[start:] {
		if c == '.' || c == 'e' || c == 'E' {
			return b, nil
		}
	}
	return append(b, ".0"...), nil
}

// AppendString appends s as encoding/json writes a string. Plain ASCII is
// copied; anything else goes through encoding/json for its escaping rules.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
