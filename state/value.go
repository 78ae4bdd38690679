package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NormalizeValue returns a deep copy of v that holds JSON values only: nil,
// bool, string, int64, float64, []any and map[string]any. Other Go integer
// kinds become int64 and float32 becomes float64; a json.Number becomes an
// int64 when it is an integer literal (no '.', 'e' or 'E') that fits, else a
// float64. Slices, arrays and maps with string keys are copied element by
// element, and invalid UTF-8 in strings becomes U+FFFD. NaN, ±Inf, integers beyond int64 and other types are errors,
// since they cannot be stored as JSON and read back as the same value.
//
// Values decoded from a state file (and from plan files, which use the same
// rule) are already normalized, so a value survives a write and a read with
// its Go type intact.
func NormalizeValue(v any) (any, error) {
	return normalize(v, "")
}

func normalize(v any, path string) (any, error) {
	switch v := v.(type) {
	case nil, bool, int64:
		return v, nil
	case string:
		return validUTF8(v), nil
	case float64:
		return finite(v, path)
	case int:
		return int64(v), nil
	case json.Number:
		n, err := numberValue(string(v))
		if err != nil {
			return nil, pathError(path, fmt.Errorf("%w: %q", err, string(v)))
		}
		return n, nil
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			n, err := normalize(e, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			m[validUTF8(k)] = n
		}
		return m, nil
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			n, err := normalize(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			l[i] = n
		}
		return l, nil
	}
	return normalizeReflect(reflect.ValueOf(v), path)
}

// normalizeReflect handles the kinds the fast cases of normalize do not:
// named types, sized integers, typed slices and maps.
func normalizeReflect(rv reflect.Value, path string) (any, error) {
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return validUTF8(rv.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.Uint() > math.MaxInt64 {
			return nil, pathError(path, fmt.Errorf("integer %d does not fit in int64", rv.Uint()))
		}
		return int64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return finite(rv.Float(), path)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		l := make([]any, rv.Len())
		for i := range l {
			n, err := normalize(rv.Index(i).Interface(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			l[i] = n
		}
		return l, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		if rv.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := it.Key().String()
			n, err := normalize(it.Value().Interface(), joinPath(path, k))
			if err != nil {
				return nil, err
			}
			m[validUTF8(k)] = n
		}
		return m, nil
	}
	return nil, pathError(path, fmt.Errorf("unsupported value of type %s (want bool, string, number, list or object)", rv.Type()))
}

func finite(f float64, path string) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, pathError(path, fmt.Errorf("%v cannot be stored (JSON has no NaN or infinity)", f))
	}
	return f, nil
}

var errInvalidNumber = errors.New("invalid number (or out of the float64 range)")

// numberValue converts the text of a JSON number: an integer literal that
// fits becomes int64, anything else float64.
func numberValue(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, errInvalidNumber
	}
	return f, nil
}

// validUTF8 replaces each byte of invalid UTF-8 with U+FFFD, as
// encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s { // an invalid byte reads as utf8.RuneError
		b.WriteRune(r)
	}
	return b.String()
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathError(path string, err error) error {
	if path == "" {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
