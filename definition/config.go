package definition

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/frameworm/frameworm/space"
)

// Resolve returns the whole nested config of one trial: a deep copy of the
// base config with each param of the point set at its path. It fails when
// the point does not belong to the search's space. A coordinate that is
// space.Inactive leaves its path at the base value.
func (s *Search) Resolve(p space.Point) (map[string]any, error) {
	if len(p) != len(s.Params) {
		return nil, fmt.Errorf("point has %d values, search %q has %d params", len(p), s.Name, len(s.Params))
	}
	cfg := CopyValue(s.BaseConfig).(map[string]any)
	for i, prm := range s.Params {
		if space.IsInactive(p[i]) {
			continue
		}
		if err := SetPath(cfg, prm.Segments, p[i]); err != nil {
			return nil, fmt.Errorf("param %q: %w", prm.Path, err)
		}
	}
	return cfg, nil
}

// ParamMap returns the point as flat dotted keys, as written to params.json.
// An inactive param (space.Inactive) is left out.
func (s *Search) ParamMap(p space.Point) map[string]any {
	m := make(map[string]any, len(p))
	for i, prm := range s.Params {
		if i < len(p) && !space.IsInactive(p[i]) {
			m[prm.Path] = p[i]
		}
	}
	return m
}

// SetPath sets v at the path in cfg. Every segment but the last must name an
// existing object; the last may name a new key.
func SetPath(cfg map[string]any, path []string, v any) error {
	m := cfg
	for i, seg := range path[:len(path)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not an object", strings.Join(path[:i+1], "."))
		}
		m = next
	}
	m[path[len(path)-1]] = v
	return nil
}

// LookupPath returns the value at the path, and whether it exists.
func LookupPath(cfg map[string]any, path []string) (any, bool) {
	var v any = cfg
	for _, seg := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return v, true
}

// CopyValue deep-copies a config value.
func CopyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = CopyValue(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = CopyValue(e)
		}
		return l
	default:
		return v
	}
}

// CanonicalJSON encodes a config value with sorted keys and no insignificant
// whitespace: equal values give equal bytes.
func CanonicalJSON(v any) ([]byte, error) {
	// encoding/json sorts map keys and formats numbers deterministically;
	// int64(2) and float64(2) both encode as 2.
	return json.Marshal(v)
}

// Hash returns the hex SHA-256 of the canonical JSON of v.
func Hash(v any) (string, error) {
	b, err := CanonicalJSON(v)
	if err != nil {
		return "", fmt.Errorf("hashing config: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
