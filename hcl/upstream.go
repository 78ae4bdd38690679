package hcl

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
)

// Searches that build on searches (docs/language.md#searches-that-build-on-searches):
// search.NAME.best and search.NAME.top read the outcome of another
// search, and a refine block (refine.go) narrows another search's space.
//
// Before any search is decoded, the loader finds every search.X
// traversal in each search block (searchRefs), checks its shape against
// the static shape of an outcome (a name that is declared, then best or
// top, then a field of a trial), and builds the graph of searches from
// them. A cycle is an error at one reference of it; the searches of a
// cycle are not decoded. The others are decoded in dependency order: once
// a search is decoded, its outcome is asked of Options.Outcomes when a
// later search reads it. A known outcome gives values; an unknown one
// (no Outcomes, a search with trials to run, a deferred search) gives
// unknown values of the right type, and a search whose definition then
// holds unknowns is returned deferred (definition.Deferred).

// searchRoot is the root name of references to searches.
const searchRoot = "search"

// outcomeFields are the fields of search.NAME; trialFields those of
// search.NAME.best and of each element of search.NAME.top.
var (
	outcomeFields = []string{"best", "top"}
	trialFields   = []string{"config", "metrics", "params", "score", "trial"}
)

// fixedAttrs are the attributes of a search block that may not read
// other searches: what the search is and where it runs, which a plan
// shows before anything runs.
var fixedAttrs = map[string]bool{"strategy": true, "metric": true, "mode": true, "parallelism": true, "experiment_root": true}

// trialType is the type of search.NAME.best and of the elements of
// search.NAME.top when the outcome is not known: the config and params
// have a shape only the trials give.
var trialType = cty.Object(map[string]cty.Type{
	"config":  cty.DynamicPseudoType,
	"params":  cty.DynamicPseudoType,
	"score":   cty.Number,
	"metrics": cty.Map(cty.Number),
	"trial":   cty.Number,
})

// searchNode is one search block in the graph of searches.
type searchNode struct {
	index int
	block *hcl.Block
	// refs are the valid references to other searches, in source order
	// (refine's from included); edges the same as graph edges.
	refs  []searchRef
	edges []localEdge
	// cyclic: the search is on a cycle and is not decoded.
	cyclic bool
	// decoded: decodeSearch ran; search is its result (nil on errors).
	decoded bool
	search  *definition.Search
	// The outcome, computed once when a later search reads it.
	outcomeDone bool
	value       cty.Value // {best, top}
	known       bool
	outcome     definition.Outcome
	pending     string // why it is not known
}

// searchRef is a reference to a search: its name, the traversal and
// whether it is refine's from.
type searchRef struct {
	name string
	tr   hcl.Traversal
	from bool
}

// searchGraph is the searches of a load.
type searchGraph struct {
	nodes  []*searchNode
	byName map[string]*searchNode
	names  []string // sorted, for suggestions
}

// buildSearchGraph finds the references of every search block (blocks
// have unique, valid names), reports those that are invalid and the
// cycles, and returns the graph and the order to decode the searches in.
func (l *loader) buildSearchGraph(blocks []*hcl.Block) (*searchGraph, []*searchNode) {
	g := &searchGraph{byName: map[string]*searchNode{}}
	for i, b := range blocks {
		n := &searchNode{index: i, block: b}
		g.nodes = append(g.nodes, n)
		g.byName[b.Labels[0]] = n
		g.names = append(g.names, b.Labels[0])
	}
	slices.Sort(g.names)
	adj := make([][]int, len(g.nodes))
	for i, n := range g.nodes {
		for _, f := range searchRefs(n.block.Body) {
			name, diag := g.checkRef(f)
			if diag != nil {
				l.add(diag)
				continue
			}
			if name == "" {
				continue
			}
			up := g.byName[name]
			n.refs = append(n.refs, searchRef{name: name, tr: f.tr, from: f.from})
			n.edges = append(n.edges, localEdge{to: up.index, rng: f.tr.SourceRange()})
			adj[i] = append(adj[i], up.index)
		}
	}
	var order []*searchNode
	for _, comp := range stronglyConnected(adj) {
		n := g.nodes[comp[0]]
		if len(comp) > 1 || slices.Contains(adj[comp[0]], comp[0]) {
			l.reportSearchCycle(g, comp)
			for _, i := range comp {
				g.nodes[i].cyclic = true
			}
			continue
		}
		order = append(order, n)
	}
	return g, order
}

// foundRef is a traversal rooted at search in a search block: the
// attribute it is in (name), whether that attribute is directly in the
// search block, and whether it is refine's from.
type foundRef struct {
	tr       hcl.Traversal
	attr     string
	topLevel bool
	from     bool
}

// searchRefs returns the traversals rooted at search in a search block's
// body and its nested blocks, in source order.
func searchRefs(body hcl.Body) []foundRef {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []foundRef
	var walk func(b *hclsyntax.Body, block string)
	walk = func(b *hclsyntax.Body, block string) {
		for _, a := range b.Attributes {
			for _, tr := range a.Expr.Variables() {
				if tr.RootName() == searchRoot {
					out = append(out, foundRef{tr: tr, attr: a.Name, topLevel: block == "", from: block == "refine" && a.Name == "from"})
				}
			}
		}
		for _, blk := range b.Blocks {
			if blk.Body != nil {
				walk(blk.Body, blk.Type)
			}
		}
	}
	walk(sb, "")
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].tr.SourceRange().Start.Byte < out[j].tr.SourceRange().Start.Byte
	})
	return out
}

// refName returns the search a traversal names: search.NAME or
// search["NAME"].
func refName(tr hcl.Traversal) (string, bool) {
	return localRefName(tr) // the same shape as local.NAME
}

// checkRef checks a reference's shape: a declared search, then best or
// top, then a field of a trial. It returns the search's name, or a
// diagnostic. refine's from is checked for the name only (refine.go
// checks the rest); a reference in an attribute that may not read
// searches is an error.
func (g *searchGraph) checkRef(f foundRef) (string, *hcl.Diagnostic) {
	tr := f.tr
	rng := tr.SourceRange().Ptr()
	diag := func(summary, detail string) (string, *hcl.Diagnostic) {
		return "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng}
	}
	if f.topLevel && fixedAttrs[f.attr] {
		return diag("Search reference not allowed here",
			fmt.Sprintf("%s cannot read another search: it says what this search is or where it runs, which a plan shows before any trial runs. "+
				"Write the value out, or use a variable or a local.", f.attr))
	}
	name, ok := refName(tr)
	if !ok {
		return diag("Invalid reference to searches",
			"search is not a value of its own: refer to one search by its name, like search.coarse.best.")
	}
	if _, declared := g.byName[name]; !declared {
		return diag("Reference to undeclared search",
			fmt.Sprintf("A search named %q is not declared in this directory.%s Declare it with a search %q block, or fix the name.",
				name, Suggest(name, slices.Clone(g.names)), name))
	}
	if f.from {
		return name, nil
	}
	here := "search." + name
	if len(tr) == 2 {
		return diag("Invalid reference to a search",
			fmt.Sprintf("%s is not a value: read %s.best (its best trial) or %s.top (its completed trials, best first). "+
				"Only refine's from names a search alone.", here, here, here))
	}
	field, ok := stepKey(tr[2])
	if !ok || !slices.Contains(outcomeFields, field) {
		return diag("Unsupported attribute",
			fmt.Sprintf("%s has no field %q.%s A search reference reads %s.best or %s.top.",
				here, field, Suggest(field, slices.Clone(outcomeFields)), here, here))
	}
	rest := tr[3:]
	here += "." + field
	if field == "top" && len(rest) > 0 {
		if _, isIndex := rest[0].(hcl.TraverseIndex); !isIndex || isStringIndex(rest[0]) {
			return diag("Unsupported attribute",
				fmt.Sprintf("%s is a list of trials, best first: index it, like %s[0].score.", here, here))
		}
		here += "[...]"
		rest = rest[1:]
	}
	if len(rest) > 0 {
		f, ok := stepKey(rest[0])
		if !ok {
			return diag("Unsupported attribute",
				fmt.Sprintf("%s is a trial, not a list: read one of its fields, %s.", here, quoteList(trialFields)))
		}
		if !slices.Contains(trialFields, f) {
			return diag("Unsupported attribute",
				fmt.Sprintf("%s has no field %q.%s A trial has %s.", here, f, Suggest(f, slices.Clone(trialFields)), quoteList(trialFields)))
		}
	}
	return name, nil
}

// stepKey returns the name of an attribute step, or of an index by a
// string.
func stepKey(st hcl.Traverser) (string, bool) {
	switch st := st.(type) {
	case hcl.TraverseAttr:
		return st.Name, true
	case hcl.TraverseIndex:
		if isStringIndex(st) {
			return st.Key.AsString(), true
		}
	}
	return "", false
}

func isStringIndex(st hcl.Traverser) bool {
	ix, ok := st.(hcl.TraverseIndex)
	return ok && ix.Key.Type() == cty.String && ix.Key.IsKnown() && !ix.Key.IsNull()
}

// reportSearchCycle reports the cycle of a strongly connected component
// of searches: the shortest cycle through its first-declared search, at
// that search's reference to the next.
func (l *loader) reportSearchCycle(g *searchGraph, comp []int) {
	edges := make([][]localEdge, len(g.nodes))
	for _, i := range comp {
		edges[i] = g.nodes[i].edges
	}
	path, first := shortestCycle(edges, comp)
	names := make([]string, len(path))
	for i, p := range path {
		names[i] = searchRoot + "." + g.nodes[p].block.Labels[0]
	}
	how := "reads itself"
	if len(path) > 2 {
		how = "reads itself through other searches"
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cycle in searches",
		Detail: fmt.Sprintf("%s %s: %s. A search can build only on searches that run before it; remove one of these references.",
			names[0], how, cycleText(names)),
		Subject: first.rng.Ptr(),
	})
}

// cycleText joins the names of a cycle with arrows, the middle of a long
// one elided.
func cycleText(names []string) string {
	const shown = 10
	if len(names) <= shown+1 {
		return strings.Join(names, " → ")
	}
	return strings.Join(names[:shown/2], " → ") + fmt.Sprintf(" → … (%d more) → ", len(names)-shown) + strings.Join(names[len(names)-shown/2:], " → ")
}

// shortestCycle returns the shortest cycle through the first node of a
// strongly connected component (as its nodes, first and last the same)
// and that node's edge to the next.
func shortestCycle(edges [][]localEdge, comp []int) ([]int, localEdge) {
	start := slices.Min(comp)
	in := make(map[int]bool, len(comp))
	for _, i := range comp {
		in[i] = true
	}
	type step struct {
		from int
		edge localEdge
	}
	prev := map[int]step{}
	queue := []int{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range edges[v] {
			if !in[e.to] {
				continue
			}
			if e.to == start {
				path := []int{start}
				first := e
				for u := v; u != start; u = prev[u].from {
					path = append(path, u)
					first = prev[u].edge
				}
				path = append(path, start)
				slices.Reverse(path)
				return path, first
			}
			if _, seen := prev[e.to]; !seen {
				prev[e.to] = step{from: v, edge: e}
				queue = append(queue, e.to)
			}
		}
	}
	// Not reached: every node of such a component is on a cycle.
	return append(slices.Clone(comp), start), edges[start][0]
}

// upstreams returns the names of the searches a node reads, sorted,
// without repeats; nil for none.
func (n *searchNode) upstreams() []string {
	var out []string
	for _, r := range n.refs {
		if !slices.Contains(out, r.name) {
			out = append(out, r.name)
		}
	}
	slices.Sort(out)
	return out
}

// outcome computes, once, the outcome of a decoded search that a later
// search reads: its value for search.NAME and whether it is known.
func (l *loader) outcomeOf(n *searchNode) *searchNode {
	if n.outcomeDone {
		return n
	}
	n.outcomeDone = true
	unknown := func(pending string) {
		n.known, n.pending = false, pending
		n.value = cty.ObjectVal(map[string]cty.Value{"best": cty.UnknownVal(trialType), "top": cty.UnknownVal(cty.List(trialType))})
	}
	switch {
	case n.search == nil:
		// Errors (reported) or a cycle: what reads it gets no value and
		// no further error; the load fails anyway.
		unknown("it has errors")
		return n
	case n.search.Deferred != nil:
		unknown("known after search." + n.search.Deferred.Upstream + " runs")
		return n
	case l.opts.Outcomes == nil:
		unknown("not known without the state")
		return n
	}
	o := l.opts.Outcomes.Outcome(n.search)
	if !o.Known {
		p := o.Pending
		if p == "" {
			p = "not complete"
		}
		unknown(p)
		return n
	}
	n.known, n.outcome = true, o
	top := make([]cty.Value, 0, len(o.Top))
	for _, t := range o.Top {
		v, err := trialValue(t)
		if err != nil {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid outcome",
				Detail:   fmt.Sprintf("Trial %d of search %q cannot be read by other searches: %s. This is a bug in fwapply; please report it.", t.Trial, n.search.Name, err),
				Subject:  n.block.DefRange.Ptr(),
			})
			unknown("it has errors")
			return n
		}
		top = append(top, v)
	}
	best := cty.UnknownVal(trialType) // no completed trial: reading it is an error (checkOutcomeRefs)
	topVal := cty.EmptyTupleVal
	if len(top) > 0 {
		best, topVal = top[0], cty.TupleVal(top)
	}
	n.value = cty.ObjectVal(map[string]cty.Value{"best": best, "top": topVal})
	return n
}

// trialValue is one trial of an outcome as search.NAME.best gives it.
func trialValue(t definition.OutcomeTrial) (cty.Value, error) {
	config, err := outcomeValue(t.Config)
	if err != nil {
		return cty.NilVal, fmt.Errorf("config: %w", err)
	}
	if config.IsNull() {
		config = cty.EmptyObjectVal
	}
	params := map[string]cty.Value{}
	for k, v := range t.Params {
		if params[k], err = outcomeValue(v); err != nil {
			return cty.NilVal, fmt.Errorf("param %q: %w", k, err)
		}
	}
	metrics := map[string]cty.Value{}
	for k, v := range t.Metrics {
		metrics[k] = floatVal(v)
	}
	m := cty.MapValEmpty(cty.Number)
	if len(metrics) > 0 {
		m = cty.MapVal(metrics)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"config":  config,
		"params":  cty.ObjectVal(params),
		"score":   floatVal(t.Score),
		"metrics": m,
		"trial":   cty.NumberIntVal(int64(t.Trial)),
	}), nil
}

// floatVal is a number; NaN, which cty cannot hold, is null.
func floatVal(x float64) cty.Value {
	if math.IsNaN(x) {
		return cty.NullVal(cty.Number)
	}
	return cty.NumberFloatVal(x)
}

// outcomeValue converts a config or param value of an outcome to cty, as
// ctyValue does, accepting any Go number and refusing other types.
func outcomeValue(v any) (cty.Value, error) {
	switch v := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case string:
		return cty.StringVal(v), nil
	case bool:
		return cty.BoolVal(v), nil
	case int:
		return cty.NumberIntVal(int64(v)), nil
	case int64:
		return cty.NumberIntVal(v), nil
	case int32:
		return cty.NumberIntVal(int64(v)), nil
	case float32:
		return floatVal(float64(v)), nil
	case float64:
		return floatVal(v), nil
	case map[string]any:
		if len(v) == 0 {
			return cty.EmptyObjectVal, nil
		}
		m := make(map[string]cty.Value, len(v))
		for k, e := range v {
			c, err := outcomeValue(e)
			if err != nil {
				return cty.NilVal, err
			}
			m[k] = c
		}
		return cty.ObjectVal(m), nil
	case []any:
		if len(v) == 0 {
			return cty.EmptyTupleVal, nil
		}
		l := make([]cty.Value, len(v))
		for i, e := range v {
			c, err := outcomeValue(e)
			if err != nil {
				return cty.NilVal, err
			}
			l[i] = c
		}
		return cty.TupleVal(l), nil
	}
	return cty.NilVal, fmt.Errorf("a value of Go type %T", v)
}

// searchContext returns the context of a search block's expressions: ctx
// with search bound to the outcomes of the searches it reads. It reports
// the references to a known search without the completed trials they
// read, and records in n which upstreams are not known.
func (l *loader) searchContext(ctx *hcl.EvalContext, n *searchNode) (*hcl.EvalContext, []string) {
	vals := map[string]cty.Value{}
	var unknown []string
	for _, r := range n.refs {
		up := l.outcomeOf(l.searches.byName[r.name])
		vals[r.name] = up.value
		if !up.known && up.search != nil && !slices.Contains(unknown, r.name) {
			unknown = append(unknown, r.name)
		}
		if !r.from && !l.checkParamKey(r, up) {
			l.badRefs[r.tr.SourceRange()] = true
		}
		if up.known && !r.from && !l.checkOutcomeRef(r, up) {
			l.badRefs[r.tr.SourceRange()] = true
		}
	}
	obj := cty.EmptyObjectVal
	if len(vals) > 0 {
		obj = cty.ObjectVal(vals)
	}
	vars := make(map[string]cty.Value, len(ctx.Variables)+1)
	for k, v := range ctx.Variables {
		vars[k] = v
	}
	vars[searchRoot] = obj
	return &hcl.EvalContext{Variables: vars, Functions: ctx.Functions}, unknown
}

// checkOutcomeRef reports a reference to best or to top[i] of a known
// search that has not that many completed trials; it reports whether the
// reference is valid.
func (l *loader) checkOutcomeRef(r searchRef, up *searchNode) bool {
	if len(r.tr) < 3 {
		return true
	}
	field, _ := stepKey(r.tr[2])
	need := 0 // completed trials the reference needs
	switch {
	case field == "best":
		need = 1
	case field == "top" && len(r.tr) > 3:
		ix, ok := r.tr[3].(hcl.TraverseIndex)
		if !ok || ix.Key.Type() != cty.Number || !ix.Key.IsKnown() || ix.Key.IsNull() {
			return true
		}
		i, acc := ix.Key.AsBigFloat().Int64()
		if acc != 0 || i < 0 {
			return true // HCL reports the invalid index
		}
		need = int(min(i, math.MaxInt32)) + 1
	}
	have := len(up.outcome.Top)
	if need <= have {
		return true
	}
	detail := fmt.Sprintf("search.%s has no completed trial yet that matches its definition, so it has no best. "+
		"Run it first (fwapply apply -target=search.%s), or fix the failures of its trials (fwapply show %s).", r.name, r.name, r.name)
	if have > 0 {
		detail = fmt.Sprintf("search.%s has %d completed %s, so %s has no element %d. Read a smaller index, or give search.%s a larger budget.",
			r.name, have, plural(have, "trial", "trials"), traversalString(r.tr[:3]), need-1, r.name)
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Search without completed trials",
		Detail:   detail,
		Subject:  r.tr.SourceRange().Ptr(),
	})
	return false
}

// checkParamKey checks a reference to params["PATH"] of a trial of a
// search whose params are known (decoded, not deferred): PATH must be one
// of them. It reports whether the reference is valid.
func (l *loader) checkParamKey(r searchRef, up *searchNode) bool {
	if up.search == nil || up.search.Deferred != nil {
		return true
	}
	rest := r.tr[min(3, len(r.tr)):]
	if len(r.tr) >= 3 {
		if f, _ := stepKey(r.tr[2]); f == "top" && len(rest) > 0 {
			rest = rest[1:]
		}
	}
	if len(rest) < 2 {
		return true
	}
	if f, _ := stepKey(rest[0]); f != "params" {
		return true
	}
	key, ok := stepKey(rest[1])
	if !ok {
		return true
	}
	paths := make([]string, len(up.search.Params))
	for i, p := range up.search.Params {
		paths[i] = p.Path
	}
	if slices.Contains(paths, key) {
		return true
	}
	detail := fmt.Sprintf("search.%s has no param %q.%s", r.name, key, Suggest(key, slices.Clone(paths)))
	if len(paths) > 0 && len(paths) <= 20 {
		detail += fmt.Sprintf(" Its params are %s.", quoteAll(paths))
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Not a param of the search",
		Detail:   detail + " Read a value of its best config with .best.config.PATH.",
		Subject:  r.tr.SourceRange().Ptr(),
	})
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkSearchRef is checkRefs for a reference to a search: outside a
// search block (no search in ctx) it is an error; inside, it may be
// evaluated when buildSearchGraph found it valid (else it is reported
// there).
func (l *loader) checkSearchRef(tr hcl.Traversal, ctx *hcl.EvalContext) bool {
	obj, inSearch := ctx.Variables[searchRoot]
	if !inSearch {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Search reference not allowed here",
			Detail: "search.NAME.best and search.NAME.top may be read only in a search block: its attributes (but strategy, metric, mode, parallelism " +
				"and experiment_root) and its blocks. Locals, variables and executor blocks are evaluated before any search runs.",
			Subject: tr.SourceRange().Ptr(),
		})
		return false
	}
	name, ok := refName(tr)
	return ok && !l.badRefs[tr.SourceRange()] && obj.Type().IsObjectType() && obj.Type().HasAttribute(name) && l.searches != nil && l.validRef(tr)
}

// validRef reports whether buildSearchGraph accepted the reference.
func (l *loader) validRef(tr hcl.Traversal) bool {
	_, diag := l.searches.checkRef(foundRef{tr: tr})
	return diag == nil
}

// searchDecoding is the state of the search being decoded.
type searchDecoding struct {
	node *searchNode
	// unknown are the searches it reads whose outcome is not known, in
	// the order of their first reference.
	unknown []string
	// unknowns counts the expressions whose value was unknown (eval).
	unknowns int
	// baseUnknown: base_config reads an unknown outcome, so param paths
	// and go_types are not checked against it.
	baseUnknown bool
	// refineUnknown: the refine block's from is not known.
	refineUnknown bool
}

// decodeNode decodes the search of a node, with search bound to the
// outcomes of the searches it reads.
func (l *loader) decodeNode(n *searchNode, ctx *hcl.EvalContext) {
	sctx, unknown := l.searchContext(ctx, n)
	l.decoding = searchDecoding{node: n, unknown: unknown}
	n.search = l.decodeSearch(n.block, sctx)
	n.decoded = true
	l.decoding = searchDecoding{}
}

// deferral returns why the search being decoded is deferred, or nil: it
// reads a search whose outcome is not known, and its definition holds
// unknown values.
func (l *loader) deferral() *definition.Deferred {
	d := &l.decoding
	if len(d.unknown) == 0 || (d.unknowns == 0 && !d.refineUnknown) {
		return nil
	}
	up := l.searches.byName[d.unknown[0]]
	return &definition.Deferred{
		Upstream: d.unknown[0],
		Reason:   fmt.Sprintf("depends on search.%s (%s)", d.unknown[0], up.pending),
	}
}

// deferredSearch is s reduced to what a deferred search documents.
func deferredSearch(s *definition.Search, d *definition.Deferred) *definition.Search {
	return &definition.Search{
		Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode, Trials: s.Trials,
		Upstreams: s.Upstreams, Dir: s.Dir, DeclRange: s.DeclRange, Deferred: d,
	}
}
