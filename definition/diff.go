package definition

import (
	"reflect"
	"slices"
	"strings"
)

// ConfigChange is one difference between two configs: the dotted path of
// a leaf (or of a subtree added or removed whole) with its old and new
// values; Old or New is nil when the path is absent on that side.
type ConfigChange struct {
	Path string `json:"path"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

// DiffConfigs lists the differences between two configs, sorted by path.
// Objects are compared key by key; lists and scalars as a whole. int64(2)
// and float64(2) are equal, as in JSON.
func DiffConfigs(old, new map[string]any) []ConfigChange {
	var out []ConfigChange
	diffValue("", old, new, &out)
	slices.SortFunc(out, func(a, b ConfigChange) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func diffValue(path string, a, b any, out *[]ConfigChange) {
	am, aObj := a.(map[string]any)
	bm, bObj := b.(map[string]any)
	if aObj && bObj {
		for k, av := range am {
			bv, ok := bm[k]
			if !ok {
				*out = append(*out, ConfigChange{Path: JoinPath(path, k), Old: av})
				continue
			}
			diffValue(JoinPath(path, k), av, bv, out)
		}
		for k, bv := range bm {
			if _, ok := am[k]; !ok {
				*out = append(*out, ConfigChange{Path: JoinPath(path, k), New: bv})
			}
		}
		return
	}
	if !EqualValues(a, b) {
		*out = append(*out, ConfigChange{Path: path, Old: a, New: b})
	}
}

// EqualValues is DiffConfigs' equality of two values that are not both
// objects: numbers by value (int64(2) equals float64(2)), also inside
// lists and objects, anything else as reflect.DeepEqual compares it.
func EqualValues(a, b any) bool {
	if af, ok := AsNumber(a); ok {
		bf, ok := AsNumber(b)
		return ok && af == bf
	}
	return deepEqual(a, b)
}

// AsNumber returns a config value that is a number (int64, float64 or
// int) as a float64.
func AsNumber(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case int:
		return float64(v), true
	}
	return 0, false
}

// deepEqual is reflect.DeepEqual, without reflection for the values
// configs hold most.
func deepEqual(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case int64:
		bi, ok := b.(int64)
		return ok && a == bi
	case float64:
		bf, ok := b.(float64)
		return ok && a == bf
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) || (a == nil) != (bl == nil) {
			return false
		}
		for i := range a {
			if !EqualValues(a[i], bl[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) || (a == nil) != (bm == nil) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !EqualValues(av, bv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// JoinPath joins a dotted path and a key.
func JoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// settingsValue renders a settings value for FormatSettingsChange: a
// param's `when` as the expression it is (`config.optimizer == "sgd"`,
// not a quoted string), anything else as FormatValue does.
func settingsValue(path string, v any) string {
	if s, ok := v.(string); ok && strings.HasPrefix(path, "param ") && strings.HasSuffix(path, `".when`) {
		return s
	}
	return FormatValue(v)
}
