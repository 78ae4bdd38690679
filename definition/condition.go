package definition

import (
	"fmt"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/space"
)

// Condition is a param's `when`: the param is searched only in the
// configs where the expression is true, and elsewhere its path keeps the
// base value (the param is inactive, and a trial's params leave it out).
type Condition struct {
	// Text is the expression in canonical form: formatted as hclwrite
	// formats it, comments dropped, and every var.NAME and local.NAME
	// replaced by its value, so equal meanings give equal text. It is
	// what plans, exports and fwgen show, and what the fingerprints hash.
	Text string
	// Reads are the paths of the earlier params the expression reads, in
	// declaration order.
	Reads []string
	// Space evaluates the expression on the coordinates of the earlier
	// params: it is the Condition of the param's dimension in
	// Search.Space. It is not serialized.
	Space space.Condition `json:"-"`
}

// WhenText returns the canonical text of the param's condition, or
// "true" when it has none.
func (p Param) WhenText() string {
	if p.When == nil {
		return "true"
	}
	return p.When.Text
}

// PointFromParams returns the point of a trial's flat params (as
// params.json and the state hold them) in the search's space: the value
// of each active param, and space.Inactive where a param's condition is
// false, where params must not hold it. It fails, saying why, when a
// param is missing, extra, outside its dimension, or present although
// inactive. Values must already be int64, float64, string or bool.
func (s *Search) PointFromParams(params map[string]any) (space.Point, error) {
	pt := make(space.Point, len(s.Params))
	used := 0
	for i, p := range s.Params {
		v, ok := params[p.Path]
		active := s.Space.Active(pt, i)
		switch {
		case !active && ok:
			return nil, fmt.Errorf("%s = %s is set, but the param is inactive there (when %s is false)", p.Path, FormatValue(v), p.WhenText())
		case !active:
			pt[i] = space.Inactive
			continue
		case !ok:
			return nil, fmt.Errorf("%s is not set", p.Path)
		}
		nv, ok := p.Dim.Normalize(v)
		if !ok {
			return nil, fmt.Errorf("%s = %s is outside the param's space", p.Path, FormatValue(v))
		}
		pt[i] = nv
		used++
	}
	if used != len(params) {
		var extra []string
		for k := range params {
			if !slices.ContainsFunc(s.Params, func(p Param) bool { return p.Path == k }) {
				extra = append(extra, k)
			}
		}
		slices.Sort(extra)
		return nil, fmt.Errorf("%s not searched", strings.Join(extra, ", "))
	}
	return pt, nil
}
