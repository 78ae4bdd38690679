package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// Mismatch is one reason a recorded trial is not a config the current
// definition can produce.
type Mismatch struct {
	// Path is the config path concerned.
	Path string
	// Text says what is wrong, with this trial's value, like
	// "training.lr = 5e-05 is below low = 0.0001".
	Text string
	// Group says the same without this trial's own value, so trials
	// excluded for one reason group together, like
	// "training.lr is below low = 0.0001".
	Group string
}

// Match reports whether a state trial is one the current definition can
// produce, and returns its point in the current space.
func Match(s *definition.Search, t *state.Trial) (space.Point, bool) {
	pt, mm := Explain(s, t)
	return pt, len(mm) == 0
}

// Explain matches a recorded trial against the current definition by its
// resolved config: the trial counts when every current param's value at
// its path lies in the current space and every other path equals the
// current base config. It returns the trial's point in the current space
// when it matches, and otherwise every reason it does not, sorted by path.
//
// A trial recorded without a config (which fwapply never writes, but an
// edited export may hold) is matched by its params and config hash.
func Explain(s *definition.Search, t *state.Trial) (space.Point, []Mismatch) {
	return newMatcher(s).explain(t)
}

// matcher explains trials against one search; build it once per search.
type matcher struct {
	s      *definition.Search
	params map[string]bool // the current param paths
}

func newMatcher(s *definition.Search) matcher {
	params := make(map[string]bool, len(s.Params))
	for _, p := range s.Params {
		params[p.Path] = true
	}
	return matcher{s: s, params: params}
}

func (m matcher) explain(t *state.Trial) (space.Point, []Mismatch) {
	s := m.s
	if t.Config == nil {
		return explainByParams(s, t)
	}
	var mm []Mismatch
	raw := make(space.Point, len(s.Params))
	for i, p := range s.Params {
		v, ok := definition.LookupPath(t.Config, p.Segments)
		if !ok {
			mm = append(mm, Mismatch{Path: p.Path,
				Text:  fmt.Sprintf("%s was not set in this trial's config", p.Path),
				Group: fmt.Sprintf("%s was not set in their configs", p.Path)})
			continue
		}
		nv, ok := p.Dim.Normalize(v)
		if !ok {
			text, group := outside(p.Path, p.Dim, v)
			mm = append(mm, Mismatch{Path: p.Path, Text: text, Group: group})
			continue
		}
		raw[i] = nv
	}
	for _, c := range definition.DiffConfigs(t.Config, s.BaseConfig) {
		if m.params[c.Path] {
			continue // the value at a param's path was checked above
		}
		mm = append(mm, baseMismatch(c, t.Params))
	}
	if len(mm) > 0 {
		slices.SortStableFunc(mm, func(a, b Mismatch) int { return strings.Compare(a.Path, b.Path) })
		return nil, mm
	}
	// The config is the base config with these values at the param
	// paths, which the loader checked every point can be set at: it is
	// what s.Resolve(raw) would give, without building it.
	return raw, nil
}

// baseMismatch explains a difference between a trial's config (Old) and
// the config the current definition resolves its params to (New), at a
// path that no current param sets.
func baseMismatch(c definition.ConfigChange, oldParams map[string]any) Mismatch {
	p := c.Path
	_, wasParam := oldParams[p]
	switch {
	case c.Old == nil:
		text := fmt.Sprintf("base_config.%s was added (= %s)", p, definition.FormatValue(c.New))
		return Mismatch{Path: p, Text: text, Group: text}
	case wasParam && c.New == nil:
		return Mismatch{Path: p,
			Text:  fmt.Sprintf("%s = %s is no longer searched, and base_config has no %s", p, definition.FormatValue(c.Old), p),
			Group: fmt.Sprintf("%s is no longer searched, and base_config has no %s", p, p)}
	case wasParam:
		return Mismatch{Path: p,
			Text:  fmt.Sprintf("%s = %s is no longer searched, and base_config has %s", p, definition.FormatValue(c.Old), definition.FormatValue(c.New)),
			Group: fmt.Sprintf("%s is no longer searched, and base_config has %s = %s", p, p, definition.FormatValue(c.New))}
	case c.New == nil:
		text := fmt.Sprintf("base_config.%s was removed (was %s)", p, definition.FormatValue(c.Old))
		return Mismatch{Path: p, Text: text, Group: text}
	}
	text := fmt.Sprintf("base_config.%s changed %s → %s", p, definition.FormatValue(c.Old), definition.FormatValue(c.New))
	return Mismatch{Path: p, Text: text, Group: text}
}

// outside explains why v is not a value of a param's dimension.
func outside(path string, dim space.Dimension, v any) (text, group string) {
	val := definition.FormatValue(v)
	why := "is not a value of the param"
	switch d := dim.(type) {
	case *space.Real:
		f, ok := toFloat(v)
		switch {
		case !ok:
			why = "is not a number"
		case f < d.Low:
			why = "is below low = " + definition.FormatValue(d.Low)
		case f > d.High:
			why = "is above high = " + definition.FormatValue(d.High)
		case d.Step > 0:
			why = "is not on the grid of step = " + definition.FormatValue(d.Step)
		}
	case *space.Integer:
		f, ok := toFloat(v)
		switch {
		case !ok:
			why = "is not a number"
		case f != float64(int64(f)):
			why = "is not a whole number"
		case int64(f) < d.Low:
			why = "is below low = " + definition.FormatValue(d.Low)
		case int64(f) > d.High:
			why = "is above high = " + definition.FormatValue(d.High)
		case d.Step > 1:
			why = "is not on the grid of step = " + definition.FormatValue(d.Step)
		}
	case *space.Categorical:
		vals := make([]string, len(d.Values))
		for i, x := range d.Values {
			vals[i] = definition.FormatValue(x)
		}
		why = "is not one of [" + strings.Join(vals, ", ") + "]"
	}
	return fmt.Sprintf("%s = %s %s", path, val, why), fmt.Sprintf("%s %s", path, why)
}

func toFloat(v any) (float64, bool) {
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

// explainByParams matches a trial that has no recorded config by its flat
// params and config hash.
func explainByParams(s *definition.Search, t *state.Trial) (space.Point, []Mismatch) {
	fail := func(text string) (space.Point, []Mismatch) {
		return nil, []Mismatch{{Text: text, Group: text}}
	}
	var extra []string
	for k := range t.Params {
		if !slices.ContainsFunc(s.Params, func(p definition.Param) bool { return p.Path == k }) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return fail(fmt.Sprintf("it has no recorded config, and its params %s are no longer searched", strings.Join(extra, ", ")))
	}
	raw := make(space.Point, len(s.Params))
	for i, p := range s.Params {
		v, ok := t.Params[p.Path]
		if !ok {
			return fail(fmt.Sprintf("it has no recorded config, and %s was not one of its params", p.Path))
		}
		nv, ok := p.Dim.Normalize(v)
		if !ok {
			text, group := outside(p.Path, p.Dim, v)
			return nil, []Mismatch{{Path: p.Path, Text: text, Group: group}}
		}
		raw[i] = nv
	}
	cfg, err := s.Resolve(raw)
	if err != nil {
		return fail("its params do not fit the base config: " + err.Error())
	}
	if h, err := definition.Hash(cfg); err != nil || h != t.ConfigHash {
		return fail("it has no recorded config, and the base config changed since it ran")
	}
	return raw, nil
}

// Reason joins the texts of mismatches into one line.
func Reason(mm []Mismatch) string {
	texts := make([]string, len(mm))
	for i, m := range mm {
		texts[i] = m.Text
	}
	return strings.Join(texts, "; ")
}

// groups returns the groups of mismatches.
func groups(mm []Mismatch) []string {
	out := make([]string, len(mm))
	for i, m := range mm {
		out[i] = m.Group
	}
	return out
}

// GroupReason joins the groups of mismatches into one line.
func GroupReason(mm []Mismatch) string {
	groups := make([]string, len(mm))
	for i, m := range mm {
		groups[i] = m.Group
	}
	return strings.Join(groups, "; ")
}
