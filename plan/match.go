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

// Matcher matches many trials against one search: Explain and Match
// without the work of preparing the search each time. It is read-only
// once built, so safe for concurrent use.
type Matcher struct{ m matcher }

// NewMatcher returns the matcher of a search.
func NewMatcher(s *definition.Search) *Matcher { return &Matcher{newMatcher(s)} }

// Explain is Explain(s, t) for the matcher's search s.
func (m *Matcher) Explain(t *state.Trial) (space.Point, []Mismatch) { return m.m.explain(t) }

// Match is Match(s, t) for the matcher's search s.
func (m *Matcher) Match(t *state.Trial) (space.Point, bool) {
	pt, mm := m.m.explain(t)
	return pt, len(mm) == 0
}

// matcher explains trials against one search; build it once per search.
type matcher struct {
	s      *definition.Search
	params map[string]bool // the current param paths
	tree   *pathNode       // the same paths, by segment
	base   *baseObject     // the base config, compiled for sameBase
	// baseAt holds, for a conditional search, the base value at each
	// param's path (nil when absent, with has false): an inactive
	// param's path keeps it.
	baseAt  []any
	baseHas []bool
}

// pathNode is a node of the tree of param paths: children by segment,
// param set where a param's path ends.
type pathNode struct {
	children map[string]*pathNode
	param    bool
	index    int // the param's index in the search's Params, when param
}

func newMatcher(s *definition.Search) matcher {
	params := make(map[string]bool, len(s.Params))
	tree := &pathNode{}
	for i, p := range s.Params {
		params[p.Path] = true
		n := tree
		// DiffConfigs names paths by joining keys with dots, so a key
		// that holds a dot misses this tree: sameBase then says
		// "different" and explain takes the slow, exact path.
		for _, seg := range strings.Split(p.Path, ".") {
			c := n.children[seg]
			if c == nil {
				if n.children == nil {
					n.children = map[string]*pathNode{}
				}
				c = &pathNode{}
				n.children[seg] = c
			}
			n = c
		}
		n.param, n.index = true, i
	}
	m := matcher{s: s, params: params, tree: tree, base: compileBase(s.BaseConfig, tree)}
	if s.Space != nil && s.Space.Conditional() {
		m.baseAt, m.baseHas = make([]any, len(s.Params)), make([]bool, len(s.Params))
		for i, p := range s.Params {
			m.baseAt[i], m.baseHas[i] = definition.LookupPath(s.BaseConfig, p.Segments)
		}
	}
	return m
}

// inactive checks a param whose condition is false for the trial: its
// path must keep the base value, and its recorded params must not hold
// it. It returns the mismatch, or nil.
func (m matcher) inactive(i int, t *state.Trial) *Mismatch {
	p := m.s.Params[i]
	when := p.WhenText()
	v, has := definition.LookupPath(t.Config, p.Segments)
	switch {
	case has != m.baseHas[i] || has && !definition.EqualValues(v, m.baseAt[i]):
		val := "is absent"
		if has {
			val = "= " + definition.FormatValue(v)
		}
		keeps := "leaves it out"
		if m.baseHas[i] {
			keeps = "keeps " + definition.FormatValue(m.baseAt[i])
		}
		return &Mismatch{Path: p.Path,
			Text:  fmt.Sprintf("%s %s, but the param is inactive here (when %s is false), where base_config %s", p.Path, val, when, keeps),
			Group: fmt.Sprintf("%s is set where the param is inactive (when %s is false)", p.Path, when)}
	}
	if pv, ok := t.Params[p.Path]; ok {
		return &Mismatch{Path: p.Path,
			Text:  fmt.Sprintf("%s = %s was searched in this trial, but the param is inactive here (when %s is false)", p.Path, definition.FormatValue(pv), when),
			Group: fmt.Sprintf("%s was searched where the param is inactive (when %s is false)", p.Path, when)}
	}
	return nil
}

// baseObject is an object of the base config laid out for comparing
// many configs with it: its entries in a slice, each with its key's node
// in the tree of param paths.
type baseObject struct {
	m       map[string]any
	entries []baseEntry
}

type baseEntry struct {
	key  string
	val  any
	obj  *baseObject // val, when it is an object
	node *pathNode   // may be nil
}

func compileBase(m map[string]any, n *pathNode) *baseObject {
	b := &baseObject{m: m, entries: make([]baseEntry, 0, len(m))}
	for k, v := range m {
		e := baseEntry{key: k, val: v, node: n.child(k)}
		if vm, ok := v.(map[string]any); ok {
			e.obj = compileBase(vm, e.node)
		}
		b.entries = append(b.entries, e)
	}
	return b
}

// same is sameBase(cfg, b.m, n), faster in the common case: it looks the
// base's keys up in cfg rather than iterating cfg's maps, and leaves any
// difference in the keys themselves to sameBase.
func (b *baseObject) same(cfg map[string]any, n *pathNode) bool {
	if len(cfg) != len(b.entries) {
		return sameBase(cfg, b.m, n)
	}
	for i := range b.entries {
		e := &b.entries[i]
		v, ok := cfg[e.key]
		if !ok {
			return sameBase(cfg, b.m, n) // cfg has another key instead
		}
		if e.obj != nil {
			if vm, ok := v.(map[string]any); ok {
				if !e.obj.same(vm, e.node) {
					return false
				}
				continue
			}
		}
		if !e.node.isParam() && !definition.EqualValues(v, e.val) {
			return false
		}
	}
	return true
}

// capture is same for a config that has exactly the base's keys, which
// also stores the value at each param path it meets in raw (by param
// index) and counts them in got. It reports false whenever same would not
// settle it the fast way (other keys: sameBase's work) or would say
// "different", so its true means same is true and every captured value
// is the one LookupPath finds.
func (b *baseObject) capture(cfg map[string]any, raw []space.Value, got *int) bool {
	if len(cfg) != len(b.entries) {
		return false
	}
	for i := range b.entries {
		e := &b.entries[i]
		v, ok := cfg[e.key]
		if !ok {
			return false
		}
		if e.node.isParam() {
			raw[e.node.index] = v
			*got++
		}
		if e.obj != nil {
			if vm, ok := v.(map[string]any); ok {
				if !e.obj.capture(vm, raw, got) {
					return false
				}
				continue
			}
		}
		if !e.node.isParam() && !definition.EqualValues(v, e.val) {
			return false
		}
	}
	return true
}

// child returns the node of key under n, or nil; n may be nil.
func (n *pathNode) child(key string) *pathNode {
	if n == nil {
		return nil
	}
	return n.children[key]
}

func (n *pathNode) isParam() bool { return n != nil && n.param }

// sameBase reports whether DiffConfigs(cfg, base) has no change outside
// the param paths, without building the changes: the common case of a
// matching trial, where the changes would only be thrown away.
func sameBase(a, b any, n *pathNode) bool {
	am, aObj := a.(map[string]any)
	bm, bObj := b.(map[string]any)
	if aObj && bObj {
		shared := 0
		for k, av := range am {
			c := n.child(k)
			bv, ok := bm[k]
			if !ok {
				if !c.isParam() {
					return false
				}
				continue
			}
			shared++
			if !sameBase(av, bv, c) {
				return false
			}
		}
		if shared == len(bm) {
			return true // b has no key a lacks
		}
		for k := range bm {
			if _, ok := am[k]; !ok && !n.child(k).isParam() {
				return false
			}
		}
		return true
	}
	return n.isParam() || definition.EqualValues(a, b)
}

func (m matcher) explain(t *state.Trial) (space.Point, []Mismatch) {
	return m.explainInto(t, nil)
}

// explainInto is explain, building the point in dst when it has room for
// it (ClassifyWith allocates the points of all trials at once).
func (m matcher) explainInto(t *state.Trial, dst []space.Value) (space.Point, []Mismatch) {
	s := m.s
	if t.Config == nil {
		return explainByParams(s, t)
	}
	raw := space.Point(dst)
	if len(raw) != len(s.Params) {
		raw = make(space.Point, len(s.Params))
	}
	if m.fast(t.Config, raw) {
		return raw, nil
	}
	clear(raw)
	return m.slow(t, raw)
}

// slow is explainInto for any trial with a config, without the fast path:
// it builds the point in raw, which has a value per param.
func (m matcher) slow(t *state.Trial, raw space.Point) (space.Point, []Mismatch) {
	s := m.s
	var mm []Mismatch
	for i, p := range s.Params {
		if m.baseAt != nil && s.Space.Condition(i) != nil {
			if len(mm) > 0 {
				// Activity reads earlier values, one of which is
				// already wrong: nothing more to say of this param.
				continue
			}
			if !s.Space.Active(raw, i) {
				raw[i] = space.Inactive
				if bad := m.inactive(i, t); bad != nil {
					mm = append(mm, *bad)
				}
				continue
			}
		}
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
	if len(mm) == 0 && m.base.same(t.Config, m.tree) {
		// The config is the base config with these values at the param
		// paths, which the loader checked every point can be set at: it
		// is what s.Resolve(raw) would give, without building it.
		return raw, nil
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
	return raw, nil // differences only at param paths, where the values were checked
}

// fast matches a config in one walk of the base config, the common case
// of a trial that matches: the config has the base's keys, equal values
// outside the param paths, and a value of its dimension at every param
// path. It then leaves the trial's point in raw and reports true; false
// says nothing, and explainInto takes the general path.
func (m matcher) fast(cfg map[string]any, raw space.Point) bool {
	got := 0
	if m.baseAt != nil {
		return false // a conditional search takes the general path
	}
	if !m.base.capture(cfg, raw, &got) || got != len(raw) {
		return false
	}
	for i, p := range m.s.Params {
		v, ok := p.Dim.Normalize(raw[i])
		if !ok {
			return false
		}
		raw[i] = v
	}
	return true
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
		f, ok := definition.AsNumber(v)
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
		f, ok := definition.AsNumber(v)
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
		if !s.Space.Active(raw, i) {
			if ok {
				return fail(fmt.Sprintf("it has no recorded config, and %s = %s is one of its params, but the param is inactive here (when %s is false)", p.Path, definition.FormatValue(v), p.WhenText()))
			}
			raw[i] = space.Inactive
			continue
		}
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
