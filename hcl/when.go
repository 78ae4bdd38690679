package hcl

// This file decodes a param's `when`: the param is searched only in the
// configs where the expression is true (see docs/language.md, "Conditional
// params"). The expression reads `config`, the base config with the
// params declared before this one set at their paths (an inactive one
// keeps its base value), and may read var, local and the functions.
//
// The loader checks what it can before any trial: every config path read
// is in base_config or is a param declared before, and the expression
// gives true or false on a set of probe configs (the first grid points and
// samples of the earlier params). At run time an expression that still
// fails (on a config no probe met) makes the param inactive there.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// whenRoot is the name a `when` expression reads the config by.
const whenRoot = "config"

// Probes of a `when` at load time: up to whenGridProbes points spread over
// the grid of the earlier params (all of them when it is that small), and
// whenSampleProbes random points of their space.
const (
	whenGridProbes   = 256
	whenSampleProbes = 64
)

// decodeWhens decodes the `when` of each param of s, in order, once the
// params are decoded; blocks are the search's param blocks. It sets
// Param.When and returns the conditions, one per param of s.Params (nil
// for a param always searched), for space.NewConditional.
func (l *loader) decodeWhens(blocks hcl.Blocks, ctx *hcl.EvalContext, s *definition.Search) []space.Condition {
	var conds []space.Condition
	declared := map[string]bool{} // every param block's path, decoded or not
	for _, b := range blocks {
		declared[b.Labels[0]] = true
	}
	for i := range s.Params {
		p := &s.Params[i]
		b := paramBlock(blocks, p.DeclRange)
		if b == nil {
			continue
		}
		content, _ := b.Body.Content(paramSchema) // reported by decodeParam
		a := content.Attributes["when"]
		if a == nil || l.isNull(a, ctx) {
			continue
		}
		c, ok := l.decodeWhen(a, ctx, s, i, declared)
		if !ok {
			continue
		}
		if conds == nil {
			conds = make([]space.Condition, len(s.Params))
		}
		conds[i] = c
		if !l.probeWhen(a, c, s, conds[:i]) {
			conds[i] = nil
			continue
		}
		p.When = &definition.Condition{Text: l.canonicalWhen(a.Expr, ctx), Reads: slices.Clone(c.names), Space: c}
	}
	return conds
}

// paramBlock returns the block declared at rng.
func paramBlock(blocks hcl.Blocks, rng hcl.Range) *hcl.Block {
	for _, b := range blocks {
		if b.DefRange == rng {
			return b
		}
	}
	return nil
}

// decodeWhen checks the references of the `when` of param i and builds
// its condition.
func (l *loader) decodeWhen(a *hcl.Attribute, ctx *hcl.EvalContext, s *definition.Search, i int, declared map[string]bool) (*whenCondition, bool) {
	ok := l.checkRefs(a.Expr, ctx)
	var reads [][]string
	for _, tr := range a.Expr.Variables() {
		switch tr.RootName() {
		case "var", localRoot:
			continue
		case whenRoot:
			segs := configPath(tr)
			if !l.checkWhenPath(tr, segs, s, i, declared) {
				ok = false
				continue
			}
			reads = append(reads, segs)
		default:
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference in when",
				Detail: fmt.Sprintf("when may read config (the config with the params declared before this one set), var and local; %q is none of them. "+
					"Write the condition over config, like when = config.optimizer == \"sgd\".", tr.RootName()),
				Subject: tr.SourceRange().Ptr(),
			})
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	c := &whenCondition{expr: a.Expr, ctx: ctx}
	c.root, c.deps = buildConfigTree(s, i, reads)
	for _, j := range c.deps {
		c.names = append(c.names, s.Params[j].Path)
	}
	return c, true
}

// configPath returns the config keys a traversal from config names, as far
// as they are static: config.training["lr"] is training, lr; config.a[0]
// is a.
func configPath(tr hcl.Traversal) []string {
	segs := []string{}
	for _, step := range tr[1:] {
		switch st := step.(type) {
		case hcl.TraverseAttr:
			segs = append(segs, st.Name)
		case hcl.TraverseIndex:
			if st.Key.Type() != cty.String || !st.Key.IsKnown() || st.Key.IsNull() {
				return segs
			}
			segs = append(segs, st.Key.AsString())
		default:
			return segs
		}
	}
	return segs
}

// checkWhenPath checks a config path that the `when` of param i reads: it
// is in base_config or is a param declared before i, and it is not, and
// does not hold, a param declared after i (or i itself), which the
// condition would read at its base value.
func (l *loader) checkWhenPath(tr hcl.Traversal, segs []string, s *definition.Search, i int, declared map[string]bool) bool {
	self := s.Params[i].Path
	fail := func(summary, detail string) bool {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: tr.SourceRange().Ptr()})
		return false
	}
	later := func(p string) bool {
		if p == self {
			return fail("when reads its own param", fmt.Sprintf("The when of %q reads config.%s, the param itself. A condition decides whether the param is searched, so it reads only base_config and the params declared before it.", self, p))
		}
		return fail("when reads a later param", fmt.Sprintf("The when of %q reads config.%s, which the param %q declared after it searches: a condition sees only the params declared before its own, so it would read the base value. Declare %q before %q.", self, p, p, p, self))
	}
	cur := s.BaseConfig
	for k := 1; k <= len(segs); k++ {
		pre := segs[:k]
		for j, p := range s.Params {
			if slices.Equal(p.Segments, pre) {
				if j < i {
					return true
				}
				return later(p.Path)
			}
		}
		key := segs[k-1]
		v, ok := cur[key]
		if !ok {
			if declared[strings.Join(pre, ".")] {
				return false // a param that failed to decode: already reported
			}
			path := strings.Join(pre, ".")
			return fail("Unknown config path in when", fmt.Sprintf("The when of %q reads config.%s, which is neither in base_config nor a param declared before it.%s Add it to base_config, or fix the path.", self, path, Suggest(key, keys(cur))))
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			return true // reading into a scalar or a list: the probes check it
		}
		cur = m
	}
	if len(segs) == 0 {
		return true // the whole config, with the earlier params
	}
	for j, p := range s.Params {
		if j >= i && len(p.Segments) > len(segs) && slices.Equal(p.Segments[:len(segs)], segs) {
			return later(p.Path)
		}
	}
	return true
}

// whenCondition is the space.Condition of a `when`.
type whenCondition struct {
	expr  hcl.Expression
	ctx   *hcl.EvalContext // var, local and the functions
	root  *configNode      // the part of the config the expression reads
	deps  []int            // the earlier params it reads, ascending
	names []string         // their paths

	// memo holds results by the values of deps, up to whenMemo of them:
	// the values a condition reads are mostly categorical, and a hit
	// costs a small fraction of an evaluation.
	mu   sync.RWMutex
	memo map[string]bool
}

// whenMemo bounds the results a condition keeps.
const whenMemo = 4096

// Active evaluates the expression on the config of prefix. An expression
// that fails, or gives anything but true or false, is false: the param
// keeps its base value.
func (c *whenCondition) Active(prefix space.Point) bool {
	key, ok := c.key(prefix)
	if ok {
		c.mu.RLock()
		active, hit := c.memo[string(key)]
		c.mu.RUnlock()
		if hit {
			return active
		}
	}
	v, diags := c.eval(prefix)
	active := !diags.HasErrors() && isBool(v) && v.True()
	if ok {
		c.mu.Lock()
		if c.memo == nil {
			c.memo = map[string]bool{}
		}
		if len(c.memo) < whenMemo {
			c.memo[string(key)] = active
		}
		c.mu.Unlock()
	}
	return active
}

// key encodes the coordinates the condition reads; false when one is not
// a coordinate (the result is then not kept).
func (c *whenCondition) key(prefix space.Point) ([]byte, bool) {
	b := make([]byte, 0, 32)
	for _, j := range c.deps {
		if j >= len(prefix) {
			return nil, false
		}
		switch v := prefix[j].(type) {
		case float64:
			b = binary.LittleEndian.AppendUint64(append(b, 'f'), math.Float64bits(v))
		case int64:
			b = binary.LittleEndian.AppendUint64(append(b, 'i'), uint64(v))
		case bool:
			if v {
				b = append(b, 't')
			} else {
				b = append(b, 'F')
			}
		case string:
			b = binary.AppendUvarint(append(b, 's'), uint64(len(v)))
			b = append(b, v...)
		default:
			if !space.IsInactive(v) {
				return nil, false
			}
			b = append(b, 'n')
		}
	}
	return b, true
}

// DependsOn names the earlier params the expression reads.
func (c *whenCondition) DependsOn() []string { return slices.Clone(c.names) }

func (c *whenCondition) eval(prefix space.Point) (cty.Value, hcl.Diagnostics) {
	cfg, _ := c.root.value(prefix)
	ctx := c.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{whenRoot: cfg}
	v, diags := c.expr.Value(ctx)
	v, _ = v.Unmark()
	return v, diags
}

func isBool(v cty.Value) bool { return v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() }

// configNode is a node of the part of a config a `when` reads, built once:
// a fixed value, a param's value (its base value when inactive), or an
// object of nodes.
type configNode struct {
	fixed    cty.Value // NilVal: absent (a new leaf, inactive)
	param    int       // the param here, or -1
	keys     []string  // an object with a param below: its keys...
	children []*configNode
}

// value returns the node's value on a prefix, and whether it is present.
func (n *configNode) value(prefix space.Point) (cty.Value, bool) {
	switch {
	case n.param >= 0 && n.param < len(prefix) && !space.IsInactive(prefix[n.param]):
		return pointValue(prefix[n.param]), true
	case n.children == nil:
		return n.fixed, n.fixed != cty.NilVal
	}
	m := make(map[string]cty.Value, len(n.keys))
	for k, c := range n.children {
		if v, ok := c.value(prefix); ok {
			m[n.keys[k]] = v
		}
	}
	return cty.ObjectVal(m), true
}

// pointValue converts a coordinate to cty.
func pointValue(v space.Value) cty.Value {
	switch v := v.(type) {
	case float64:
		return cty.NumberFloatVal(v)
	case int64:
		return cty.NumberIntVal(v)
	case string:
		return cty.StringVal(v)
	case bool:
		return cty.BoolVal(v)
	}
	return cty.DynamicVal // not a coordinate: the expression fails
}

// configValue converts a config value to cty.
func configValue(v any) cty.Value {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]cty.Value, len(v))
		for k, e := range v {
			m[k] = configValue(e)
		}
		return cty.ObjectVal(m)
	case []any:
		l := make([]cty.Value, len(v))
		for i, e := range v {
			l[i] = configValue(e)
		}
		return cty.TupleVal(l)
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return pointValue(v)
}

// readTrie is the set of config paths an expression reads.
type readTrie struct {
	whole    bool // read whole: everything below is needed
	children map[string]*readTrie
}

// buildConfigTree builds the part of the config that the paths read by
// the `when` of param i, with the params before i, and lists those params.
func buildConfigTree(s *definition.Search, i int, reads [][]string) (*configNode, []int) {
	trie := &readTrie{}
	for _, segs := range reads {
		n := trie
		for _, seg := range segs {
			if n.whole {
				break
			}
			c := n.children[seg]
			if c == nil {
				if n.children == nil {
					n.children = map[string]*readTrie{}
				}
				c = &readTrie{}
				n.children[seg] = c
			}
			n = c
		}
		n.whole, n.children = true, nil
	}
	b := treeBuilder{params: s.Params[:i], used: map[int]bool{}}
	root := b.node(trie, s.BaseConfig, true, nil)
	var deps []int
	for j := range b.used {
		deps = append(deps, j)
	}
	slices.Sort(deps)
	return root, deps
}

type treeBuilder struct {
	params []definition.Param // those before the condition's own
	used   map[int]bool
}

// node builds the node at path segs, whose base value is base (present
// when ok), for the reads below it in t.
func (b *treeBuilder) node(t *readTrie, base any, ok bool, segs []string) *configNode {
	if t.whole {
		return b.whole(base, ok, segs)
	}
	n := &configNode{param: -1}
	bm, _ := base.(map[string]any)
	for _, k := range sortedKeys(t.children) {
		child := append(slices.Clone(segs), k)
		v, has := bm[k]
		var c *configNode
		if j := b.paramAt(child); j >= 0 {
			b.used[j] = true
			c = &configNode{param: j, fixed: fixed(v, has)}
		} else if has {
			c = b.node(t.children[k], v, true, child)
		} else {
			continue // not in the config: the expression fails there
		}
		n.keys, n.children = append(n.keys, k), append(n.children, c)
	}
	if n.children == nil {
		n.fixed = cty.EmptyObjectVal
	}
	return n
}

// whole builds the node of a value read whole: its base value with the
// params at or below segs set.
func (b *treeBuilder) whole(base any, ok bool, segs []string) *configNode {
	if j := b.paramAt(segs); j >= 0 {
		b.used[j] = true
		return &configNode{param: j, fixed: fixed(base, ok)}
	}
	below := map[string]bool{}
	for _, p := range b.params {
		if len(p.Segments) > len(segs) && slices.Equal(p.Segments[:len(segs)], segs) {
			below[p.Segments[len(segs)]] = true
		}
	}
	if len(below) == 0 {
		return &configNode{param: -1, fixed: fixed(base, ok)}
	}
	bm, _ := base.(map[string]any)
	for k := range bm {
		below[k] = true
	}
	n := &configNode{param: -1}
	for _, k := range sortedKeys(below) {
		v, has := bm[k]
		n.keys = append(n.keys, k)
		n.children = append(n.children, b.whole(v, has, append(slices.Clone(segs), k)))
	}
	return n
}

// paramAt returns the index of the param at segs, or -1.
func (b *treeBuilder) paramAt(segs []string) int {
	for j, p := range b.params {
		if slices.Equal(p.Segments, segs) {
			return j
		}
	}
	return -1
}

func fixed(v any, ok bool) cty.Value {
	if !ok {
		return cty.NilVal
	}
	return configValue(v)
}

func sortedKeys[V any](m map[string]V) []string {
	out := keys(m)
	slices.Sort(out)
	return out
}

// probeWhen evaluates the condition of param i on probe points of the
// space of the params before it, with their conditions conds, and reports
// the first one where it fails or is not a bool, with that config.
func (l *loader) probeWhen(a *hcl.Attribute, c *whenCondition, s *definition.Search, conds []space.Condition) bool {
	dims := make([]space.Dimension, len(conds))
	for j := range conds {
		dims[j] = s.Params[j].Dim
	}
	ps, err := space.NewConditional(dims, conds)
	if err != nil {
		return true // reported when the search's space is built
	}
	var probes []space.Point
	if n, err := ps.GridSize(); err == nil {
		step := max(1, n/whenGridProbes)
		for k := uint64(0); k < n && len(probes) < whenGridProbes; k += step {
			probes = append(probes, ps.GridPoint(k))
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range whenSampleProbes {
		probes = append(probes, ps.Sample(r))
	}
	for _, pt := range probes {
		v, diags := c.eval(pt)
		var why string
		switch {
		case diags.HasErrors():
			d := diags.Errs()[0].(*hcl.Diagnostic)
			why = fmt.Sprintf("it fails: %s: %s", d.Summary, strings.TrimSuffix(d.Detail, "."))
		case !isBool(v):
			why = "it gives " + article(v) + ", not true or false"
		default:
			continue
		}
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid when",
			Detail: fmt.Sprintf("when must be true or false for every config the search can produce, but for %s %s. "+
				"Make the condition give true or false for these values too (lookup(object, key, default) reads a key that may be absent).", describeProbe(s, pt, c.deps), why),
			Subject: a.Expr.Range().Ptr(),
		})
		return false
	}
	return true
}

// describeProbe says which config a probe point gives, by the params the
// condition reads (deps).
func describeProbe(s *definition.Search, pt space.Point, deps []int) string {
	if len(deps) == 0 {
		return "base_config"
	}
	parts := make([]string, len(deps))
	for k, j := range deps {
		v := pt[j]
		if space.IsInactive(v) {
			parts[k] = s.Params[j].Path + " inactive"
		} else {
			parts[k] = s.Params[j].Path + " = " + definition.FormatValue(v)
		}
	}
	return "the config with " + strings.Join(parts, ", ")
}

// canonicalWhen writes a `when` expression canonically: var.NAME and
// local.NAME replaced by their values, comments and line breaks dropped,
// and formatted as hclwrite formats it.
func (l *loader) canonicalWhen(expr hcl.Expression, ctx *hcl.EvalContext) string {
	rng := expr.Range()
	f := l.parser.Files()[rng.Filename]
	if f == nil || rng.End.Byte > len(f.Bytes) || rng.Start.Byte > rng.End.Byte {
		return ""
	}
	src := f.Bytes[rng.Start.Byte:rng.End.Byte]
	type repl struct {
		start, end int
		text       []byte
	}
	var repls []repl
	for _, tr := range expr.Variables() {
		if root := tr.RootName(); root != "var" && root != localRoot {
			continue
		}
		v, diags := tr.TraverseAbs(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() {
			continue
		}
		v, _ = v.UnmarkDeep()
		tr := tr.SourceRange()
		repls = append(repls, repl{tr.Start.Byte - rng.Start.Byte, tr.End.Byte - rng.Start.Byte, hclwrite.TokensForValue(v).Bytes()})
	}
	slices.SortFunc(repls, func(a, b repl) int { return b.start - a.start })
	out := slices.Clone(src)
	last := len(out) + 1
	for _, r := range repls {
		if r.start < 0 || r.end > len(out) || r.end > last || r.start > r.end {
			continue
		}
		out = slices.Concat(out[:r.start], r.text, out[r.end:])
		last = r.start
	}
	return formatExpr(out)
}

// formatExpr formats an expression's source on one line.
func formatExpr(src []byte) string {
	toks, diags := hclsyntax.LexExpression(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		return string(bytes.TrimSpace(src))
	}
	var b []byte
	var prev hclsyntax.TokenType
	var open []hclsyntax.TokenType // the brackets open
	comma := false                 // a line break separated object items
	word := func(t hclsyntax.TokenType) bool { return t == hclsyntax.TokenIdent || t == hclsyntax.TokenNumberLit }
	for _, tk := range toks {
		switch tk.Type {
		case hclsyntax.TokenComment, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenNewline:
			if n := len(open); n > 0 && open[n-1] == hclsyntax.TokenOBrace && prev != hclsyntax.TokenOBrace && prev != hclsyntax.TokenComma {
				comma = true
			}
			continue
		}
		if comma && tk.Type != hclsyntax.TokenCBrace {
			b = append(b, ',')
			prev = hclsyntax.TokenComma
		}
		comma = false
		switch tk.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			open = append(open, tk.Type)
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
		if len(b) > 0 && word(tk.Type) && word(prev) {
			b = append(b, ' ')
		}
		b = append(b, tk.Bytes...)
		prev = tk.Type
	}
	return string(bytes.TrimSpace(hclwrite.Format(b)))
}

// article names a value's type with its article: "a string", "an object",
// or "null".
func article(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	if !v.IsKnown() {
		return "an unknown value"
	}
	name := v.Type().FriendlyName()
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}
