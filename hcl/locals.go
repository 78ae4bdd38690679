package hcl

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Local values (docs/language.md#locals): the attributes of the top-level
// locals blocks, named values that expressions read as local.NAME.
//
// A local may read variables, functions and other locals. The loader
// finds each local's references to others (expr.Variables), orders the
// locals by them with Tarjan's algorithm, written without recursion, and
// evaluates each once, after those it reads; every locals block of the
// directory is one namespace. A cycle is an error at one reference of it,
// naming the cycle. A local with an error, or that reads one with an
// error, a variable without a value or a cycle, is unknown: what reads it
// gets no value and no further error, as with variables.
//
// The work is linear in the number of locals and references. A local's
// evaluation sees only the locals it reads (an object of those), not all
// of them. Locals could nest and multiply values without bound (a chain
// of a = [local.b] nests one level per local, and one of
// a = [local.b, local.b] doubles the size per local while its text stays
// small), so each value is measured (valueMeter) and one that nests
// deeper than MaxNesting, holds more than MaxDecodedValues values or a
// string longer than file() may read is an error.

// localRoot is the root name of references to locals: local.NAME.
const localRoot = "local"

// maxSuggestedLocals bounds how many distinct undeclared names get a "did
// you mean" among the declared locals: each costs one edit distance per
// local, and a file may have tens of thousands of both.
const maxSuggestedLocals = 100

// localValue is one local: its attribute and, once evaluated, its value
// (cty.DynamicVal when it has no value, for an error here or upstream).
type localValue struct {
	name  string
	attr  *hcl.Attribute
	value cty.Value
}

// localScope is the locals of a load.
type localScope struct {
	byName map[string]*localValue
	order  []*localValue // in declaration order: file, then position
	// names are the declared names, sorted, for suggestions; suggested
	// caches the suggestion given for an undeclared name.
	names     []string
	suggested map[string]string
}

// object is the value of local in expressions outside the locals blocks:
// every local, those without a value unknown.
func (s *localScope) object() cty.Value {
	if s == nil || len(s.order) == 0 {
		return cty.EmptyObjectVal
	}
	vals := make(map[string]cty.Value, len(s.order))
	for _, lv := range s.order {
		vals[lv.name] = lv.value
	}
	return cty.ObjectVal(vals)
}

// suggest returns " Did you mean "x"?" for an undeclared local, or "".
func (s *localScope) suggest(name string) string {
	if s == nil {
		return ""
	}
	if hint, ok := s.suggested[name]; ok {
		return hint
	}
	if len(s.suggested) >= maxSuggestedLocals {
		return ""
	}
	hint := Suggest(name, s.names)
	s.suggested[name] = hint
	return hint
}

// localEdge is a reference of one local to another: the index of the
// local read, and where.
type localEdge struct {
	to  int
	rng hcl.Range
}

// decodeLocals reads the locals blocks and evaluates every local, in
// dependency order, with ctx (the variables and functions) and the locals
// each one reads. It sets l.locals; the diagnostics are the load's.
func (l *loader) decodeLocals(blocks []*hcl.Block, ctx *hcl.EvalContext) {
	scope := &localScope{byName: map[string]*localValue{}, suggested: map[string]string{}}
	l.locals = scope
	for _, b := range blocks {
		attrs, diags := b.Body.JustAttributes()
		l.add(diags...)
		sorted := make([]*hcl.Attribute, 0, len(attrs))
		for _, a := range attrs {
			sorted = append(sorted, a)
		}
		slices.SortFunc(sorted, func(a, b *hcl.Attribute) int { return cmp.Compare(a.NameRange.Start.Byte, b.NameRange.Start.Byte) })
		for _, a := range sorted {
			if prev, ok := scope.byName[a.Name]; ok {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate local value",
					Detail: fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique within a directory, across its locals blocks and files; rename or remove one of them.",
						a.Name, prev.attr.NameRange),
					Subject: a.NameRange.Ptr(),
				})
				continue
			}
			lv := &localValue{name: a.Name, attr: a, value: cty.DynamicVal}
			scope.byName[a.Name] = lv
			scope.order = append(scope.order, lv)
		}
	}
	if len(scope.order) == 0 {
		return
	}
	scope.names = make([]string, 0, len(scope.order))
	index := make(map[string]int, len(scope.order))
	for i, lv := range scope.order {
		scope.names = append(scope.names, lv.name)
		index[lv.name] = i
	}
	slices.Sort(scope.names)

	edges := make([][]localEdge, len(scope.order))
	adj := make([][]int, len(scope.order))
	for i, lv := range scope.order {
		for _, tr := range lv.attr.Expr.Variables() {
			if tr.RootName() != localRoot {
				continue
			}
			// Invalid and undeclared references are reported when the
			// local is evaluated (eval); they order nothing.
			if name, ok := localRefName(tr); ok {
				if j, ok := index[name]; ok {
					edges[i] = append(edges[i], localEdge{to: j, rng: tr.SourceRange()})
					adj[i] = append(adj[i], j)
				}
			}
		}
	}

	meter := newValueMeter()
	for _, comp := range stronglyConnected(adj) {
		if len(comp) > 1 || slices.ContainsFunc(edges[comp[0]], func(e localEdge) bool { return e.to == comp[0] }) {
			l.reportCycle(scope, edges, comp)
			continue // its locals stay unknown
		}
		lv := scope.order[comp[0]]
		deps := make(map[string]cty.Value, len(edges[comp[0]]))
		for _, e := range edges[comp[0]] {
			dep := scope.order[e.to]
			deps[dep.name] = dep.value
		}
		local := cty.EmptyObjectVal
		if len(deps) > 0 {
			local = cty.ObjectVal(deps)
		}
		lctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": ctx.Variables["var"], localRoot: local},
			Functions: ctx.Functions,
		}
		// Not l.eval: its test that v is wholly known walks v whole,
		// which the meter does without walking parts it has seen.
		if !l.checkRefs(lv.attr.Expr, lctx) {
			continue
		}
		v, diags := lv.attr.Expr.Value(lctx)
		l.add(diags...)
		if diags.HasErrors() {
			continue
		}
		known, err := meter.check(v)
		if err != nil {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Local value too large",
				Detail: fmt.Sprintf("The value of local.%s %s. Locals that read others can nest and repeat values without bound; "+
					"large data belongs in a JSON or YAML file that the search reads with file().", lv.name, err),
				Subject: lv.attr.Expr.Range().Ptr(),
			})
			continue
		}
		if known { // else it reads a local or variable with an error
			lv.value = v
		}
	}
}

// reportCycle reports the cycle of a strongly connected component of
// locals: the shortest cycle through its first-declared local, at that
// local's reference to the next.
func (l *loader) reportCycle(scope *localScope, edges [][]localEdge, comp []int) {
	path, first := shortestCycle(edges, comp)
	names := make([]string, len(path))
	for i, p := range path {
		names[i] = localRoot + "." + scope.order[p].name
	}
	how := "refers to itself"
	if len(path) > 2 {
		how = "refers to itself through other locals"
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cycle in local values",
		Detail: fmt.Sprintf("%s %s: %s. A local value cannot depend on its own value; remove one of these references.",
			names[0], how, cycleText(names)),
		Subject: first.rng.Ptr(),
	})
}

// localRefName returns the name a reference to a local reads: local.NAME
// or local["NAME"]. It reports false for local alone or an index by
// anything but a string.
func localRefName(tr hcl.Traversal) (string, bool) {
	if len(tr) < 2 {
		return "", false
	}
	switch st := tr[1].(type) {
	case hcl.TraverseAttr:
		return st.Name, true
	case hcl.TraverseIndex:
		if st.Key.Type() == cty.String && st.Key.IsKnown() && !st.Key.IsNull() {
			return st.Key.AsString(), true
		}
	}
	return "", false
}

// checkLocalRef checks a reference to a local in an expression: it must
// name one that is declared. It reports whether the reference is valid.
func (l *loader) checkLocalRef(tr hcl.Traversal) bool {
	name, ok := localRefName(tr)
	if !ok {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference to local values",
			Detail:   "local is not a value of its own: refer to one local value by its name, like local.epochs.",
			Subject:  tr.SourceRange().Ptr(),
		})
		return false
	}
	if l.locals != nil {
		if _, declared := l.locals.byName[name]; declared {
			return true
		}
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference to undeclared local value",
		Detail: fmt.Sprintf("A local value named %q is not declared.%s Declare it in a locals block, like locals { %s = ... }.",
			name, l.locals.suggest(name), name),
		Subject: tr.SourceRange().Ptr(),
	})
	return false
}

// stronglyConnected returns the strongly connected components of the
// graph adj (adj[v]: the nodes v has an edge to), each as its nodes, in an
// order where a component comes after every component it has an edge to:
// a local after those it reads. It is Tarjan's algorithm with an explicit
// stack, so that a long chain does not recurse; roots are taken in index
// order, so the result is deterministic.
func stronglyConnected(adj [][]int) [][]int {
	n := len(adj)
	index := make([]int, n) // 0: not visited; else visit order, from 1
	low := make([]int, n)
	onStack := make([]bool, n)
	var stack []int
	var out [][]int
	next := 1
	type frame struct{ v, edge int }
	var calls []frame
	visit := func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		calls = append(calls, frame{v: v})
	}
	for root := range n {
		if index[root] != 0 {
			continue
		}
		visit(root)
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			v := top.v
			if top.edge < len(adj[v]) {
				w := adj[v][top.edge]
				top.edge++
				switch {
				case index[w] == 0:
					visit(w)
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				u := calls[len(calls)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			slices.Sort(comp)
			out = append(out, comp)
		}
	}
	return out
}

// valueMeter measures the values of locals: how deep they nest and how
// many values they hold (every element and attribute, at any depth, each
// shared part counted every time it appears, as a config holds it).
//
// A local's value shares the values of the locals it reads, so measuring
// each value whole would take, on a chain of a = [local.b, local.b],
// time that doubles with each local. The meter remembers the measure of
// every list, tuple, map and object it has measured, by the identity of
// its elements in memory, and does not walk one twice: its work is the
// number of new parts the evaluations built. (This reads cty.Value's
// representation by reflection; should it change, nothing remembered
// matches and each walk stops at the limits, slower but as correct.)
type valueMeter struct {
	memo map[rawID]valueSize
	work int // the parts walked, for tests
}

// rawID identifies a collection value by its elements in memory: a
// slice's first element and length, or a map. The pointer keeps the
// elements alive, so no other value can take their address while the
// meter remembers them.
type rawID struct {
	p unsafe.Pointer
	n int
}

type valueSize struct {
	size    int  // values, this one included
	height  int  // levels of nesting below this one
	unknown bool // whether it is or holds an unknown value
}

var (
	errLocalTooDeep  = fmt.Errorf("nests deeper than the %d levels the loader reads", MaxNesting)
	errLocalTooLarge = fmt.Errorf("holds more than %d values (elements and attributes at any depth, each counted every time it appears)", MaxDecodedValues)
	errLocalTooLong  = fmt.Errorf("holds a string longer than %s, the most file() reads", byteSize(maxFileSize))
)

// ctyRaw is the index of cty.Value's field holding its Go representation.
var ctyRaw = func() []int {
	if f, ok := reflect.TypeFor[cty.Value]().FieldByName("v"); ok && f.Type.Kind() == reflect.Interface {
		return f.Index
	}
	return nil
}()

func newValueMeter() *valueMeter { return &valueMeter{memo: map[rawID]valueSize{}} }

// check returns an error when v nests deeper than MaxNesting, holds more
// than MaxDecodedValues values or a string longer than maxFileSize, and
// else whether v is wholly known.
func (m *valueMeter) check(v cty.Value) (known bool, err error) {
	s, err := m.walk(v, 0)
	return !s.unknown, err
}

func (m *valueMeter) walk(v cty.Value, depth int) (valueSize, error) {
	m.work++
	if depth > MaxNesting {
		return valueSize{}, errLocalTooDeep
	}
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if !v.IsKnown() {
		return valueSize{size: 1, unknown: true}, nil
	}
	if v.IsNull() {
		return valueSize{size: 1}, nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if len(v.AsString()) > maxFileSize {
			return valueSize{}, errLocalTooLong
		}
		return valueSize{size: 1}, nil
	case !(ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType()):
		return valueSize{size: 1}, nil
	}
	id, memo := rawIdentity(v)
	if memo {
		if s, ok := m.memo[id]; ok {
			if depth+s.height > MaxNesting {
				return valueSize{}, errLocalTooDeep
			}
			return s, nil
		}
	}
	s := valueSize{size: 1}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		c, err := m.walk(e, depth+1)
		if err != nil {
			return valueSize{}, err
		}
		s.size += c.size
		s.height = max(s.height, c.height+1)
		s.unknown = s.unknown || c.unknown
		if s.size > MaxDecodedValues {
			return valueSize{}, errLocalTooLarge
		}
	}
	if memo {
		m.memo[id] = s
	}
	return s, nil
}

// rawIdentity returns the identity of a non-empty list, tuple, map or
// object value, or false.
func rawIdentity(v cty.Value) (rawID, bool) {
	if ctyRaw == nil {
		return rawID{}, false
	}
	raw := reflect.ValueOf(v).FieldByIndex(ctyRaw)
	if raw.IsNil() {
		return rawID{}, false
	}
	e := raw.Elem()
	switch e.Kind() {
	case reflect.Slice:
		if e.Len() > 0 {
			return rawID{p: e.UnsafePointer(), n: e.Len()}, true
		}
	case reflect.Map:
		return rawID{p: e.UnsafePointer(), n: -1}, true
	}
	return rawID{}, false
}
