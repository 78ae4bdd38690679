package hcl

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/frameworm/frameworm/definition"
)

// Pruner blocks (docs/language.md, "Pruners") stop trials early from the
// progress they report:
//
//	search "digits" {
//	  pruner "median" {
//	    metric         = "val_loss"
//	    startup_trials = 5
//	    warmup_steps   = 3
//	    interval       = 1
//	  }
//	}
//
// A search has at most one. Each kind takes its own attributes; every
// attribute is optional but asha's max_steps, and the defaults are filled
// in. The whole-number attributes may read the search's base config,
// bound as base_config in the block alone (max_steps =
// base_config.training.epochs); a reference to a path it does not have is
// a located error with a suggestion.

// prunerRoot is the name pruner attributes read the search's base config by.
const prunerRoot = "base_config"

// maxPrunerCount is the largest value of a pruner's whole-number
// attributes: steps and trials fit an int on every platform.
const maxPrunerCount = math.MaxInt32

// prunerInt describes one whole-number attribute of a pruner block.
type prunerInt struct {
	name  string
	kind  string // the pruner kind it belongs to
	min   int64
	def   int  // default; unused when required
	req   bool // required: no default
	rule  string
	field func(*definition.Pruner) *int
}

// prunerInts are the whole-number attributes of both kinds, in the order
// they are documented.
var prunerInts = []prunerInt{
	{name: "startup_trials", kind: definition.PrunerMedian, min: 0, def: definition.DefaultStartupTrials,
		rule:  "0 or more: the number of earlier trials that must have completed before any trial is pruned",
		field: func(p *definition.Pruner) *int { return &p.StartupTrials }},
	{name: "warmup_steps", kind: definition.PrunerMedian, min: 0, def: definition.DefaultWarmupSteps,
		rule:  "0 or more: the first step at which a trial may be pruned",
		field: func(p *definition.Pruner) *int { return &p.WarmupSteps }},
	{name: "interval", kind: definition.PrunerMedian, min: 1, def: definition.DefaultInterval,
		rule:  "at least 1: a trial is checked every interval steps, 1 for every step",
		field: func(p *definition.Pruner) *int { return &p.Interval }},
	{name: "min_steps", kind: definition.PrunerASHA, min: 1, def: definition.DefaultMinSteps,
		rule:  "at least 1: the step of the first rung",
		field: func(p *definition.Pruner) *int { return &p.MinSteps }},
	{name: "max_steps", kind: definition.PrunerASHA, min: 1, req: true,
		rule:  "at least 1: the step at which a trial is complete",
		field: func(p *definition.Pruner) *int { return &p.MaxSteps }},
	{name: "reduction_factor", kind: definition.PrunerASHA, min: 2, def: definition.DefaultReductionFactor,
		rule:  "at least 2: each rung keeps the best 1/reduction_factor of the trials",
		field: func(p *definition.Pruner) *int { return &p.ReductionFactor }},
}

// prunerAttributes returns the attributes a pruner of the kind takes, in
// the order they are documented.
func prunerAttributes(kind string) []string {
	names := []string{"metric"}
	for _, n := range prunerInts {
		if n.kind == kind {
			names = append(names, n.name)
		}
	}
	return names
}

// prunerKindHints explain the pruner kinds users may know from other
// tools, by their normalized name (see normalizeKind).
var prunerKindHints = map[string]string{
	"hyperband":         `Hyperband runs successive halving in several brackets with different starting budgets; the pruner "asha" is one such bracket, run asynchronously. Use pruner "asha" with min_steps, max_steps and reduction_factor.`,
	"successivehalving": `Successive halving is the pruner "asha" (asynchronous successive halving, which promotes a trial as soon as it is among the best at its rung instead of waiting for the rung to fill). Use pruner "asha".`,
	"sha":               `Successive halving is the pruner "asha" (asynchronous successive halving). Use pruner "asha".`,
	"halving":           `Successive halving is the pruner "asha" (asynchronous successive halving). Use pruner "asha".`,
	"percentile":        `Optuna's PercentilePruner at the 50th percentile is the pruner "median"; other percentiles are not supported. Use pruner "median".`,
	"none":              "To run every trial to its end, remove the pruner block.",
	"nop":               "To run every trial to its end, remove the pruner block.",
	"off":               "To run every trial to its end, remove the pruner block.",
}

// normalizeKind lowercases a pruner kind and drops what is not a letter
// or digit, and a "pruner" suffix: "MedianPruner" and "successive_halving"
// become "median" and "successivehalving".
func normalizeKind(kind string) string {
	n := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return -1
	}, kind)
	if t := strings.TrimSuffix(n, "pruner"); t != "" {
		n = t
	}
	return n
}

// decodePruner decodes the pruner blocks of a search into s.Pruner: at most
// one, of a known kind, with its attributes checked. It runs after the
// search's metrics are decoded. baseConfigOK says whether s.BaseConfig is
// the search's base config: false when base_config had errors, which are
// reported already, so references into it are not checked again.
func (l *loader) decodePruner(blocks hcl.Blocks, ctx *hcl.EvalContext, s *definition.Search, baseConfigOK bool) {
	if len(blocks) == 0 {
		return
	}
	first := blocks[0]
	for _, b := range blocks[1:] {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate pruner block",
			Detail: fmt.Sprintf("A search has at most one pruner; the first one, pruner %q, is at %s. Keep one of them: a trial is pruned by a single rule.",
				first.Labels[0], first.DefRange),
			Subject: b.DefRange.Ptr(),
		})
	}
	if !l.checkPrunerKind(first) {
		return
	}
	errsBefore := len(l.diags.Errs())
	p := &definition.Pruner{Kind: first.Labels[0], Metric: s.Metric, DeclRange: first.DefRange}
	attrs := l.prunerAttrs(first)
	pctx := prunerContext(ctx, s, baseConfigOK)
	if a := attrs["metric"]; a != nil && l.checkBaseRefs(a, s, baseConfigOK) {
		if v, ok := l.stringAttr(a, pctx); ok {
			p.Metric = v
			l.checkPrunerMetric(a, v, s)
		}
	}
	// failed: the attributes whose errors are reported, so that no check
	// of two attributes reports a consequence.
	failed := map[string]bool{}
	for _, n := range prunerInts {
		if n.kind != p.Kind {
			continue
		}
		*n.field(p) = n.def
		a := attrs[n.name]
		if a == nil {
			if n.req {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Missing " + n.name,
					Detail: fmt.Sprintf("A pruner %q needs %s, the step at which a trial is complete (its number of epochs, say), which sets the rungs: add %s = 27, or a reference like %s = base_config.training.epochs.",
						p.Kind, n.name, n.name, n.name),
					Subject: first.DefRange.Ptr(),
				})
			}
			continue
		}
		if !l.checkBaseRefs(a, s, baseConfigOK) {
			failed[n.name] = true
			continue
		}
		if l.isNull(a, pctx) {
			if n.req {
				l.nullRequired(a, pctx, fmt.Sprintf(" Set it to the step at which a trial is complete, like %s = base_config.training.epochs.", n.name))
				failed[n.name] = true
			}
			continue
		}
		if v, ok := l.prunerCount(a, pctx, n); ok {
			*n.field(p) = v
		} else {
			failed[n.name] = true
		}
	}
	switch p.Kind {
	case definition.PrunerASHA:
		if attrs["max_steps"] != nil && !failed["max_steps"] && !failed["min_steps"] && p.MaxSteps <= p.MinSteps {
			d := &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid max_steps",
				Detail: fmt.Sprintf("max_steps (%d) must be greater than min_steps (%d): the first rung is at min_steps, and a trial that reaches max_steps is complete.",
					p.MaxSteps, p.MinSteps),
				Subject: attrs["max_steps"].Expr.Range().Ptr(),
			}
			if m := attrs["min_steps"]; m != nil {
				d.Context = hcl.RangeOver(m.Range, attrs["max_steps"].Range).Ptr()
			}
			l.add(d)
		}
	case definition.PrunerMedian:
		if !failed["startup_trials"] && s.Strategy != definition.Grid && s.Trials > 0 && p.StartupTrials >= s.Trials {
			// A grid's budget is its size, known once the space is.
			subject, what := first.DefRange, fmt.Sprintf("startup_trials (%d, the default)", p.StartupTrials)
			if a := attrs["startup_trials"]; a != nil && !l.isNull(a, pctx) {
				subject, what = a.Expr.Range(), fmt.Sprintf("startup_trials (%d)", p.StartupTrials)
			}
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Pruner that never prunes",
				Detail: fmt.Sprintf("%s is not below the budget of %d trials: the median pruner judges a trial only once %d earlier trials have completed, so it never prunes in this search. Lower startup_trials, or raise trials.",
					what, s.Trials, p.StartupTrials),
				Subject: subject.Ptr(),
			})
		}
	}
	if len(l.diags.Errs()) == errsBefore {
		s.Pruner = p
	}
}

// checkPrunerKind reports whether the block's kind is known, and adds the
// error when it is not.
func (l *loader) checkPrunerKind(b *hcl.Block) bool {
	kind := b.Labels[0]
	if slices.Contains(definition.PrunerKinds, kind) {
		return true
	}
	const known = `The pruner kinds are "asha" (asynchronous successive halving) and "median" (Optuna's MedianPruner).`
	norm := normalizeKind(kind)
	var detail string
	if hint, ok := prunerKindHints[norm]; ok {
		detail = fmt.Sprintf("There is no pruner %q. %s %s", kind, hint, known)
	} else {
		detail = fmt.Sprintf("Unknown pruner kind %q.%s %s", kind, Suggest(norm, slices.Clone(definition.PrunerKinds)), known)
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown pruner kind",
		Detail:   detail,
		Subject:  b.LabelRanges[0].Ptr(),
	})
	return false
}

// prunerAttrs returns the attributes of a pruner block that its kind
// takes, and reports the others: an attribute of the other kind, one
// that only looks like a pruner option (mode), an unknown one with a
// suggestion, and any nested block.
func (l *loader) prunerAttrs(b *hcl.Block) hcl.Attributes {
	kind := b.Labels[0]
	attrs, diags := b.Body.JustAttributes()
	for _, d := range diags {
		if strings.HasPrefix(d.Summary, "Unexpected ") && strings.HasSuffix(d.Summary, " block") {
			// hclsyntax's wording is about attributes-only bodies in
			// general; say what a pruner block holds.
			d.Summary = "Unsupported block type"
			d.Detail = fmt.Sprintf("A pruner block holds only attributes; a pruner %q takes %s.", kind, quoteAll(prunerAttributes(kind)))
		}
	}
	l.add(diags...)
	takes := prunerAttributes(kind)
	var other string
	for _, k := range definition.PrunerKinds {
		if k != kind {
			other = k
		}
	}
	otherTakes := prunerAttributes(other)
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	// Report in source order, whatever the map's.
	slices.SortFunc(names, func(a, b string) int { return attrs[a].Range.Start.Byte - attrs[b].Range.Start.Byte })
	takesList := fmt.Sprintf("A pruner %q takes %s.", kind, quoteAll(takes))
	for _, name := range names {
		a := attrs[name]
		var detail string
		switch {
		case slices.Contains(takes, name):
			continue
		case slices.Contains(otherTakes, name):
			detail = fmt.Sprintf("%s is an attribute of pruner %q, not of pruner %q. %s", name, other, kind, takesList)
		case name == "mode":
			detail = fmt.Sprintf("A pruner has no mode of its own: it compares its metric in the search's mode, so its metric must improve in the same direction as the search's. %s", takesList)
		case name == "kind" || name == "type":
			detail = fmt.Sprintf("The kind of a pruner is its label, as in pruner %q { ... }. %s", kind, takesList)
		default:
			detail = fmt.Sprintf("An argument named %q is not expected here.%s %s", name, suggestAttribute(name, takes), takesList)
		}
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported argument",
			Detail:   detail,
			Subject:  a.NameRange.Ptr(),
		})
		delete(attrs, name)
	}
	return attrs
}

// quoteAll is quoteList joined by "and": all of xs, not one of them.
func quoteAll(xs []string) string {
	q := quoteList(xs)
	if i := strings.LastIndex(q, `" or "`); i >= 0 {
		q = q[:i] + `" and "` + q[i+len(`" or "`):]
	}
	return q
}

// suggestAttribute returns ` Did you mean "x"?` for the name of names
// that given most likely mistypes: by edit distance (Suggest), else by the
// closeness rule of typo.go, which also knows case styles and
// abbreviations (startupTrials, rf); or "".
func suggestAttribute(given string, names []string) string {
	if s := Suggest(given, slices.Clone(names)); s != "" {
		return s
	}
	if match, ok := closest(given, names); ok {
		return fmt.Sprintf(" Did you mean %q?", match)
	}
	return ""
}

// checkPrunerMetric reports a pruner metric that is not one of the
// search's metrics: the trials would never report it.
func (l *loader) checkPrunerMetric(a *hcl.Attribute, metric string, s *definition.Search) {
	if s.Metric == "" || slices.Contains(s.Metrics, metric) {
		// Without a metric, the search's own error is reported.
		return
	}
	detail := fmt.Sprintf("The pruner's metric %q is not one of the search's metrics, %s.", metric, quoteList(s.Metrics))
	if strings.TrimSpace(metric) == "" {
		detail = fmt.Sprintf("The pruner's metric is empty. Remove metric to use the search's metric, %q.", s.Metric)
	} else {
		if sug := suggestAttribute(metric, s.Metrics); sug != "" {
			detail += sug
		}
		detail += " The pruner compares a metric the trials report with their progress: if they report it, add it to the search's metrics."
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown pruner metric",
		Detail:   detail,
		Subject:  a.Expr.Range().Ptr(),
	})
}

// prunerCount decodes one whole-number attribute of a pruner, which is not
// null, within [n.min, maxPrunerCount].
func (l *loader) prunerCount(a *hcl.Attribute, ctx *hcl.EvalContext, n prunerInt) (int, bool) {
	v, ok := l.eval(a.Expr, ctx)
	if !ok {
		return 0, false
	}
	refs := baseRefs(a.Expr)
	reads := ""
	if len(refs) > 0 {
		reads = fmt.Sprintf(" (it reads %s)", strings.Join(refs, " and "))
	}
	invalid := func(summary, detail string) (int, bool) {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  summary,
			Detail:   detail,
			Subject:  a.Expr.Range().Ptr(),
		})
		return 0, false
	}
	num, err := convert.Convert(v, cty.Number)
	if err != nil {
		return invalid("Incorrect attribute value type", fmt.Sprintf("Inappropriate value for attribute %q: a whole number required, got %s%s.", a.Name, friendlyType(v), reads))
	}
	f := num.AsBigFloat()
	i, acc := f.Int64()
	switch {
	case !f.IsInt() || acc != big.Exact:
		return invalid("Invalid "+n.name, fmt.Sprintf("%s must be a whole number, got %s%s.", n.name, f.Text('g', -1), reads))
	case i < n.min:
		return invalid("Invalid "+n.name, fmt.Sprintf("%s must be %s; got %d%s.", n.name, n.rule, i, reads))
	case i > maxPrunerCount:
		return invalid("Invalid "+n.name, fmt.Sprintf("%s is %d%s, more than the %d a pruner counts to.", n.name, i, reads, maxPrunerCount))
	}
	return int(i), true
}

// baseRefs returns the references to base_config in expr, as written
// (base_config.training.epochs), in source order.
func baseRefs(expr hcl.Expression) []string {
	var out []string
	for _, tr := range expr.Variables() {
		if tr.RootName() == prunerRoot {
			out = append(out, traversalString(tr))
		}
	}
	return out
}

// traversalString writes a traversal as HCL does: a.b["c"][0].
func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	for _, step := range tr {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(st.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + st.Name)
		case hcl.TraverseIndex:
			if st.Key.Type() == cty.String && st.Key.IsKnown() && !st.Key.IsNull() {
				fmt.Fprintf(&b, "[%q]", st.Key.AsString())
			} else if st.Key.Type() == cty.Number && st.Key.IsKnown() && !st.Key.IsNull() {
				fmt.Fprintf(&b, "[%s]", st.Key.AsBigFloat().Text('f', -1))
			} else {
				b.WriteString("[...]")
			}
		default:
			b.WriteString("[...]")
		}
	}
	return b.String()
}

// checkBaseRefs checks the references to base_config in a pruner
// attribute against the search's base config: each must name a value
// there, or it is a located error with a suggestion; and a reference to a
// value some param searches gets a warning, since the pruner reads the base
// value, the same for every trial. It reports whether the attribute may be
// evaluated.
func (l *loader) checkBaseRefs(a *hcl.Attribute, s *definition.Search, baseConfigOK bool) bool {
	if !baseConfigOK {
		return true // base_config is unknown in the context: no value, no new error
	}
	ok := true
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() != prunerRoot {
			continue
		}
		var cur any = s.BaseConfig
		var path []string // the keys walked so far, for params
		for i, step := range tr[1:] {
			key, index, isKey, isIndex := traverseKey(step)
			if !isKey && !isIndex {
				break // a computed index: the evaluation reports
			}
			here := traversalString(tr[:i+1])
			var next any
			var found bool
			var problem string
			switch c := cur.(type) {
			case map[string]any:
				if isKey {
					next, found = c[key]
					if !found {
						keys := make([]string, 0, len(c))
						for k := range c {
							keys = append(keys, k)
						}
						problem = fmt.Sprintf("%s has no key %q.%s", here, key, suggestAttribute(key, keys))
						if len(keys) > 0 && len(keys) <= 20 {
							slices.Sort(keys)
							problem += fmt.Sprintf(" Its keys are %s.", quoteAll(keys))
						}
					}
				} else {
					problem = fmt.Sprintf("%s is an object, not a list: index it by key, like %s.name.", here, here)
				}
			case []any:
				if isIndex {
					if index >= 0 && index < int64(len(c)) {
						next, found = c[index], true
					} else {
						problem = fmt.Sprintf("%s has %d elements; it has no element %d.", here, len(c), index)
					}
				} else {
					problem = fmt.Sprintf("%s is a list: it has no key %q.", here, key)
				}
			case nil:
				problem = fmt.Sprintf("%s is null: it has no %s.", here, stepName(key, index, isKey))
			default:
				problem = fmt.Sprintf("%s is %s, not an object: it has no %s.", here, definition.FormatValue(c), stepName(key, index, isKey))
			}
			if !found {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reference to a missing base_config value",
					Detail:   problem + " A pruner attribute may read the search's base_config, like max_steps = base_config.training.epochs.",
					Subject:  tr.SourceRange().Ptr(),
				})
				ok = false
				break
			}
			cur = next
			if isKey {
				path = append(path, key)
			} else {
				path = append(path, fmt.Sprint(index))
			}
		}
		if !ok {
			continue
		}
		for _, p := range s.Params {
			if p.Path == strings.Join(path, ".") {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Pruner reads a searched value",
					Detail: fmt.Sprintf("%s reads %s, which the param %q searches: the pruner uses its base value, %s, for every trial, not the trial's own. Write the value that holds for every trial instead.",
						a.Name, traversalString(tr), p.Path, definition.FormatValue(cur)),
					Subject: tr.SourceRange().Ptr(),
				})
			}
		}
	}
	return ok
}

// traverseKey returns what one step of a traversal selects: a key (an
// attribute, or an index by a string) or an index by a whole number.
func traverseKey(step hcl.Traverser) (key string, index int64, isKey, isIndex bool) {
	switch st := step.(type) {
	case hcl.TraverseAttr:
		return st.Name, 0, true, false
	case hcl.TraverseIndex:
		k := st.Key
		if !k.IsKnown() || k.IsNull() {
			return "", 0, false, false
		}
		switch k.Type() {
		case cty.String:
			return k.AsString(), 0, true, false
		case cty.Number:
			if i, acc := k.AsBigFloat().Int64(); acc == big.Exact {
				return "", i, false, true
			}
		}
	}
	return "", 0, false, false
}

func stepName(key string, index int64, isKey bool) string {
	if isKey {
		return fmt.Sprintf("key %q", key)
	}
	return fmt.Sprintf("element %d", index)
}

// prunerContext is the context of a pruner block's attributes: the
// search's, with base_config bound to the search's base config (unknown
// when base_config had errors, so that references to it report nothing
// more).
func prunerContext(ctx *hcl.EvalContext, s *definition.Search, baseConfigOK bool) *hcl.EvalContext {
	vars := make(map[string]cty.Value, len(ctx.Variables)+1)
	for k, v := range ctx.Variables {
		vars[k] = v
	}
	vars[prunerRoot] = cty.DynamicVal
	if baseConfigOK {
		vars[prunerRoot] = ctyValue(s.BaseConfig)
	}
	return &hcl.EvalContext{Variables: vars, Functions: ctx.Functions}
}

// ctyValue converts a config value (see package definition) to cty:
// objects to objects, lists to tuples.
func ctyValue(v any) cty.Value {
	switch v := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case string:
		return cty.StringVal(v)
	case bool:
		return cty.BoolVal(v)
	case int64:
		return cty.NumberIntVal(v)
	case int:
		return cty.NumberIntVal(int64(v))
	case float64:
		return cty.NumberFloatVal(v)
	case map[string]any:
		if len(v) == 0 {
			return cty.EmptyObjectVal
		}
		m := make(map[string]cty.Value, len(v))
		for k, e := range v {
			m[k] = ctyValue(e)
		}
		return cty.ObjectVal(m)
	case []any:
		if len(v) == 0 {
			return cty.EmptyTupleVal
		}
		l := make([]cty.Value, len(v))
		for i, e := range v {
			l[i] = ctyValue(e)
		}
		return cty.TupleVal(l)
	}
	// Config values hold nothing else; reaching this is a bug in the
	// loader.
	panic(fmt.Sprintf("hcl: %T in a config", v))
}
