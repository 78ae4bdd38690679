package gen

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// kind is the shape of the Go type of one config path.
type kind uint8

const (
	kNull    kind = iota // a null base value: any (or *T with go_types)
	kEmpty               // the element of an empty list: not known yet
	kAny                 // the element of a list of mixed values
	kBool                // bool
	kString              // string
	kInt                 // int
	kInt64               // int64
	kFloat64             // float64
	kPtr                 // *base: a null base value that go_types types
	kList                // []elem
	kStruct              // a struct type of its own
	kEnum                // a categorical param: a named type over base
)

var scalarNames = map[kind]string{
	kBool: "bool", kString: "string", kInt: "int", kInt64: "int64", kFloat64: "float64",
}

// overrideKinds are the Go types go_types may set.
var overrideKinds = map[string]kind{
	"bool": kBool, "string": kString, "int": kInt, "int64": kInt64, "float64": kFloat64,
}

func isNumeric(k kind) bool { return k == kInt || k == kInt64 || k == kFloat64 }

func isScalar(k kind) bool { return scalarNames[k] != "" }

// typ is the Go type of one config path. Each search gets a tree of its
// own first; the trees of the searches of a package are then merged into
// one, which is what the generated code declares.
type typ struct {
	kind   kind
	base   kind            // kPtr, kEnum: the scalar underneath
	elem   *typ            // kList
	fields map[string]*typ // kStruct
	values []any           // kEnum: string, bool or float64, in order
	params []searched      // the params that search this path
	origin origin          // where the type comes from, for diagnostics

	// Filled in by naming.
	name      string            // kStruct, kEnum: the Go type name
	path      []string          // kStruct, kEnum: where the type is
	keys      []string          // kStruct: the keys, sorted
	fieldName map[string]string // kStruct: key -> Go field name
	consts    []string          // kEnum: one constant per value
}

// searched is one search's param at a path.
type searched struct {
	search *definition.Search
	param  definition.Param
}

// origin says where a search gives a path its type.
type origin struct {
	search string
	rng    hcl.Range
	what   string
}

// goType is the type's Go spelling, for messages and fingerprints.
func (t *typ) goType() string {
	switch t.kind {
	case kNull, kEmpty, kAny:
		return "any"
	case kPtr:
		return "*" + scalarNames[t.base]
	case kList:
		return "[]" + t.elem.goType()
	case kStruct:
		if t.name != "" {
			return t.name
		}
		return "struct"
	case kEnum:
		if t.name != "" {
			return t.name
		}
		return "categorical " + scalarNames[t.base]
	}
	return scalarNames[t.kind]
}

// describe names the type in messages, before type names are given.
func (t *typ) describe() string {
	switch t.kind {
	case kStruct:
		return "a struct"
	case kEnum:
		return "a categorical " + scalarNames[t.base]
	case kList:
		return "a list of " + t.elem.describe()
	case kNull, kEmpty, kAny:
		return "any"
	}
	return t.goType()
}

// builder turns searches into type trees, reporting what cannot be typed.
type builder struct {
	diags hcl.Diagnostics
}

func (b *builder) errorf(rng hcl.Range, summary, format string, args ...any) {
	b.diags = append(b.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rangePtr(rng),
	})
}

func rangePtr(rng hcl.Range) *hcl.Range {
	if rng.Filename == "" && rng.Start.Line == 0 {
		return nil
	}
	return rng.Ptr()
}

// baseRange is where diagnostics about base_config values point.
func baseRange(s *definition.Search) hcl.Range {
	if s.BaseConfigRange.Filename != "" {
		return s.BaseConfigRange
	}
	return s.DeclRange
}

// at formats a range as file:line for details that name another place.
func at(rng hcl.Range) string {
	if rng.Filename == "" {
		return "an unknown place"
	}
	return fmt.Sprintf("%s:%d", rng.Filename, rng.Start.Line)
}

// searchTree types one search's config: its base_config with each param
// put in at its path.
func (b *builder) searchTree(s *definition.Search) *typ {
	root := b.valueType(s, s.BaseConfig, nil, "")
	if root.kind != kStruct {
		root = &typ{kind: kStruct, fields: map[string]*typ{}}
	}
	for _, p := range s.Params {
		b.insertParam(s, root, p)
	}
	return root
}

// noOverride tells valueType that no go_types entry applies: the elements
// of a list without one are typed from their values alone.
const noOverride = "\x00none"

// valueType types a base_config value at the path segs. override is the
// go_types entry that applies (a list's applies to its elements); "" looks
// it up by path.
func (b *builder) valueType(s *definition.Search, v any, segs []string, override string) *typ {
	path := strings.Join(segs, ".")
	switch {
	case override == noOverride:
		override = ""
	case override == "" && len(segs) > 0:
		override = s.GoTypes[path]
	}
	o := origin{search: s.Name, rng: baseRange(s), what: describeValue(v)}
	switch v := v.(type) {
	case map[string]any:
		if override != "" {
			b.errorf(o.rng, "Invalid go_types", "Search %q: go_types sets %q to %s, but base_config has an object there, which becomes a struct type; go_types applies to leaves (and to the elements of lists).", s.Name, path, override)
		}
		t := &typ{kind: kStruct, fields: make(map[string]*typ, len(v)), origin: o}
		for _, k := range sortedKeys(v) {
			t.fields[k] = b.valueType(s, v[k], appendSeg(segs, k), "")
		}
		return t
	case []any:
		if override != "" {
			return b.overrideList(s, v, path, override, o)
		}
		elem := &typ{kind: kEmpty, origin: o}
		for _, e := range v {
			elem = unify(elem, b.valueType(s, e, appendSeg(segs, itemSeg), noOverride))
		}
		return &typ{kind: kList, elem: elem, origin: o}
	}
	if override != "" {
		k, ok := b.override(s, path, override, o.rng)
		if !ok {
			return &typ{kind: scalarKind(v), origin: o}
		}
		if v == nil {
			return &typ{kind: kPtr, base: k, origin: o}
		}
		if !fits(v, k) {
			b.errorf(o.rng, "Invalid go_types", "Search %q: go_types makes %q %s, which cannot hold %s. Remove the go_types entry or change the base value.", s.Name, path, override, o.what)
			return &typ{kind: scalarKind(v), origin: o}
		}
		return &typ{kind: k, origin: o}
	}
	return &typ{kind: scalarKind(v), origin: o}
}

// overrideList types a list whose elements go_types sets.
func (b *builder) overrideList(s *definition.Search, v []any, path, override string, o origin) *typ {
	k, ok := b.override(s, path, override, o.rng)
	if !ok {
		return &typ{kind: kList, elem: &typ{kind: kAny}, origin: o}
	}
	for i, e := range v {
		if e == nil || !fits(e, k) {
			b.errorf(o.rng, "Invalid go_types", "Search %q: go_types makes the elements of the list %q %s, but element %d is %s. Remove the go_types entry or change the list.", s.Name, path, override, i, describeValue(e))
			return &typ{kind: kList, elem: &typ{kind: kAny}, origin: o}
		}
	}
	return &typ{kind: kList, elem: &typ{kind: k, origin: o}, origin: o}
}

// override looks up a go_types type name.
func (b *builder) override(s *definition.Search, path, name string, rng hcl.Range) (kind, bool) {
	k, ok := overrideKinds[name]
	if !ok {
		b.errorf(rng, "Invalid go_types", "Search %q: go_types sets %q to %q, which is not one of bool, float64, int, int64 or string.", s.Name, path, name)
	}
	return k, ok
}

// scalarKind types a scalar base value: whole numbers are int (int64 when
// they do not fit 32 bits, so the code compiles everywhere), other numbers
// float64, null unknown.
func scalarKind(v any) kind {
	switch v := v.(type) {
	case string:
		return kString
	case bool:
		return kBool
	case int64:
		if v > math.MaxInt32 || v < math.MinInt32 {
			return kInt64
		}
		return kInt
	case float64:
		return kFloat64
	}
	return kNull
}

// fits reports whether a base value is a value of the scalar kind k.
func fits(v any, k kind) bool {
	switch v := v.(type) {
	case string:
		return k == kString
	case bool:
		return k == kBool
	case int64:
		return isNumeric(k)
	case float64:
		switch k {
		case kFloat64:
			return true
		case kInt, kInt64:
			return v == math.Trunc(v) && math.Abs(v) < 1<<63
		}
	}
	return false
}

// unify is the type of the elements of one list: numbers widen to the
// widest (HCL writes 1.0 as 1), objects merge key by key, and anything
// else that differs gives any.
func unify(a, b *typ) *typ {
	switch {
	case a.kind == kEmpty:
		return b
	case b.kind == kEmpty:
		return a
	case isNumeric(a.kind) && isNumeric(b.kind):
		return &typ{kind: max(a.kind, b.kind), origin: a.origin}
	case a.kind == kStruct && b.kind == kStruct:
		for _, k := range sortedKeys(b.fields) {
			if f, ok := a.fields[k]; ok {
				a.fields[k] = unify(f, b.fields[k])
			} else {
				a.fields[k] = b.fields[k]
			}
		}
		return a
	case a.kind == kList && b.kind == kList:
		a.elem = unify(a.elem, b.elem)
		return a
	case a.kind == b.kind && a.kind != kNull:
		return a
	}
	return &typ{kind: kAny, origin: a.origin}
}

// insertParam puts a param's type in at its path.
func (b *builder) insertParam(s *definition.Search, root *typ, p definition.Param) {
	parent := root
	for _, seg := range p.Segments[:len(p.Segments)-1] {
		next := parent.fields[seg]
		if next == nil || next.kind != kStruct {
			// The loader rejects such paths; a definition built by hand
			// may still hold one.
			b.errorf(p.DeclRange, "Param path not in base_config", "Search %q: the param %q does not lead through objects of base_config.", s.Name, p.Path)
			return
		}
		parent = next
	}
	base, _ := definition.LookupPath(s.BaseConfig, p.Segments)
	t := b.paramType(s, p, base)
	if t == nil {
		return
	}
	leaf := p.Segments[len(p.Segments)-1]
	if old := parent.fields[leaf]; old != nil && (old.kind == kStruct || old.kind == kList) {
		b.errorf(p.DeclRange, "Param type does not match base_config", "Search %q: the param %q would replace %s of base_config with a single value.", s.Name, p.Path, describeValue(base))
		return
	}
	parent.fields[leaf] = t
}

// paramType types a searched path: float64 for a real param, int for an
// integer one, a named type for a categorical.
func (b *builder) paramType(s *definition.Search, p definition.Param, base any) *typ {
	override := s.GoTypes[p.Path]
	o := origin{search: s.Name, rng: p.DeclRange}
	t := &typ{params: []searched{{s, p}}}
	switch d := p.Dim.(type) {
	case *space.Real:
		o.what = "a real param"
		t.kind = kFloat64
		if override != "" && override != "float64" {
			b.errorf(p.DeclRange, "Invalid go_types", "Search %q: go_types makes the real param %q %s, but a real param takes fractional values; use float64 or remove the go_types entry.", s.Name, p.Path, override)
			return nil
		}
	case *space.Integer:
		o.what = "an integer param"
		t.kind = kInt
		if d.Low < math.MinInt32 || d.High > math.MaxInt32 {
			t.kind = kInt64
		}
		if override != "" {
			k, ok := b.override(s, p.Path, override, p.DeclRange)
			if !ok {
				return nil
			}
			if !isNumeric(k) {
				b.errorf(p.DeclRange, "Invalid go_types", "Search %q: go_types makes the integer param %q %s; use int, int64 or float64.", s.Name, p.Path, override)
				return nil
			}
			t.kind = k
		}
	case *space.Categorical:
		t.kind = kEnum
		t.values = slices.Clone(d.Values)
		t.base = categoricalBase(d.Values, base)
		o.what = "a categorical param of " + kindWord(t.base) + "s"
		if override != "" {
			k, ok := b.override(s, p.Path, override, p.DeclRange)
			if !ok {
				return nil
			}
			for _, v := range append(slices.Clone(d.Values), base) {
				if v != nil && !fits(v, k) {
					b.errorf(p.DeclRange, "Invalid go_types", "Search %q: go_types makes the categorical param %q %s, which cannot hold %s. Remove the go_types entry or change the values.", s.Name, p.Path, override, describeValue(v))
					return nil
				}
			}
			t.base = k
		}
	default:
		b.errorf(p.DeclRange, "Unsupported param", "Search %q: the param %q has a dimension fwgen does not know (%T).", s.Name, p.Path, p.Dim)
		return nil
	}
	t.origin = o
	if base != nil && !p.Dim.Contains(base) && p.When == nil { // a conditional param keeps its base value where inactive
		b.diags = append(b.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Base value outside the searched space",
			Detail: fmt.Sprintf("Search %q: base_config sets %q to %s, which the param never takes. Defaults() returns it and Validate rejects it; trials are not affected, since every trial config sets the param. Change the base value to one the param takes.",
				s.Name, p.Path, describeValue(base)),
			Subject: rangePtr(p.DeclRange),
		})
	}
	return t
}

// categoricalBase is the Go type under a categorical: string, bool, or for
// numbers int when every value (and the base value) is whole, int64 when
// one of them does not fit 32 bits, else float64.
func categoricalBase(values []any, base any) kind {
	switch values[0].(type) {
	case string:
		return kString
	case bool:
		return kBool
	}
	k := kInt
	for _, v := range append(slices.Clone(values), base) {
		var f float64
		switch v := v.(type) {
		case float64:
			f = v
		case int64:
			f = float64(v)
		default:
			continue
		}
		switch {
		case f != math.Trunc(f) || math.Abs(f) > 1<<53:
			return kFloat64
		case f > math.MaxInt32 || f < math.MinInt32:
			k = kInt64
		}
	}
	return k
}

func kindWord(k kind) string {
	switch k {
	case kString:
		return "string"
	case kBool:
		return "bool"
	}
	return "number"
}

// merger merges the trees of several searches into one.
type merger struct {
	diags hcl.Diagnostics
}

// merge merges b, one search's type of a path, into a, the type the
// searches before it give the path. A null base value takes the other's
// type; a categorical absorbs plain values of its Go type and the values
// of another categorical; anything else must be the same Go type.
func (m *merger) merge(a, b *typ, segs []string) *typ {
	switch {
	case b.kind == kEmpty || b.kind == kNull:
		return a
	case a.kind == kEmpty || a.kind == kNull:
		return b
	case a.kind == kStruct && b.kind == kStruct:
		for _, k := range sortedKeys(b.fields) {
			if f, ok := a.fields[k]; ok {
				a.fields[k] = m.merge(f, b.fields[k], appendSeg(segs, k))
			} else {
				a.fields[k] = b.fields[k]
			}
		}
		return a
	case a.kind == kList && b.kind == kList:
		a.elem = m.merge(a.elem, b.elem, appendSeg(segs, itemSeg))
		return a
	case a.kind == kEnum && b.kind == kEnum && a.base == b.base:
		for _, v := range b.values {
			if !slices.Contains(a.values, v) {
				a.values = append(a.values, v)
			}
		}
		a.params = append(a.params, b.params...)
		return a
	case a.kind == kEnum && b.kind == a.base:
		a.params = append(a.params, b.params...)
		return a
	case b.kind == kEnum && a.kind == b.base:
		b.params = append(a.params, b.params...)
		return b
	case a.kind == b.kind && (isScalar(a.kind) || a.kind == kAny || (a.kind == kPtr && a.base == b.base)):
		a.params = append(a.params, b.params...)
		return a
	}
	m.clash(a, b, segs)
	return a
}

func (m *merger) clash(a, b *typ, segs []string) {
	path := displayPath(segs)
	fix := "Make them agree"
	if numericKind(a) && numericKind(b) && !strings.Contains(path, "[]") {
		fix = fmt.Sprintf("Make them agree, for example with go_types = { %q = \"float64\" } in both searches (HCL writes 1.0 as the whole number 1)", path)
	}
	m.diags = append(m.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Conflicting Go types",
		Detail: fmt.Sprintf("Search %q makes %q %s (from %s), but search %q makes it %s (from %s, at %s). The searches of one package share one Config type, so a path has one Go type in all of them. %s, or generate a package per search with fwgen -search=NAME.",
			b.origin.search, path, b.describe(), b.origin.what, a.origin.search, a.describe(), a.origin.what, at(a.origin.rng), fix),
		Subject: rangePtr(b.origin.rng),
	})
}

// numericKind reports whether t holds numbers: a number type or a numeric
// categorical.
func numericKind(t *typ) bool {
	return isNumeric(t.kind) || (t.kind == kEnum && isNumeric(t.base))
}

// itemSeg is the path segment of a list's elements. Its NUL separates no
// words, so the element struct of "blocks" is named BlocksItem, and it is
// no key that can be a JSON tag (see validTag) holds it.
const itemSeg = "\x00item"

// displayPath writes a path for messages; list elements show as [].
func displayPath(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		if s == itemSeg {
			b.WriteString("[]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the bool %t", v)
	case int64:
		return fmt.Sprintf("the whole number %d", v)
	case float64:
		return fmt.Sprintf("the number %s", formatFloat(v))
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "null"
}

func appendSeg(segs []string, s string) []string {
	return append(slices.Clip(segs), s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
