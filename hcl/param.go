package hcl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

func (l *loader) decodeParam(b *hcl.Block, ctx *hcl.EvalContext, s *definition.Search) (definition.Param, bool) {
	path := b.Labels[0]
	p := definition.Param{Path: path, Segments: strings.Split(path, "."), DeclRange: b.DefRange}
	content, diags := b.Body.Content(paramSchema)
	l.add(diags...)
	ok := !diags.HasErrors()
	for _, seg := range p.Segments {
		if seg == "" {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid param path",
				Detail:   fmt.Sprintf("%q is not a valid path: it is a dotted path into base_config, like \"training.lr\", with no empty parts.", path),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			return p, false
		}
	}
	attrs := content.Attributes
	isNew, nok := l.paramNew(attrs["new"], ctx)
	p.New, ok = isNew, ok && nok
	var dim space.Dimension
	var err error
	if va := attrs["values"]; va != nil {
		if l.nullRequired(va, ctx, " values = [...] lists the values of a categorical param; for a range, remove values and give type, low and high.") {
			return p, false
		}
		for _, name := range []string{"type", "low", "high", "log", "step"} {
			if a := attrs[name]; a != nil && !l.nullAttr(a, ctx) {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("%s is not allowed with values", name),
					Detail:   "A param with values = [...] is categorical and takes one of the listed values. Remove " + name + ", or remove values and give a range with type, low and high.",
					Subject:  a.Range.Ptr(),
				})
				ok = false
			}
		}
		values, vok := l.categoricalValues(va, ctx)
		if !vok {
			return p, false
		}
		dim, err = space.NewCategorical(path, values)
		if err != nil {
			l.fieldError(err, b, attrs)
			return p, false
		}
	} else {
		kind, kok := l.paramType(b, attrs)
		low, lok := l.requiredFloat(b, attrs, "low", ctx)
		high, hok := l.requiredFloat(b, attrs, "high", ctx)
		var log bool
		var step float64
		if a := attrs["log"]; a != nil {
			var ok2 bool
			if log, ok2 = l.boolAttr(a, ctx); !ok2 && !l.isNull(a, ctx) {
				ok = false
			}
		}
		if a := attrs["step"]; a != nil && !l.isNull(a, ctx) {
			var ok2 bool
			if step, ok2 = l.floatAttr(a, ctx); !ok2 {
				ok = false
			} else if step <= 0 {
				// The space constructors read 0 as "no step"; a step
				// written out must be positive.
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid step",
					Detail:   fmt.Sprintf("Param %q: step (%g) must be greater than 0; remove step for a continuous range.", path, step),
					Subject:  a.Expr.Range().Ptr(),
				})
				ok = false
			}
		}
		if !(kok && lok && hok && ok) {
			return p, false
		}
		switch kind {
		case "real":
			dim, err = space.NewReal(path, low, high, log, step)
		case "integer":
			dim, err = space.NewInteger(path, low, high, log, step)
		}
		if err != nil {
			l.fieldError(err, b, attrs)
			return p, false
		}
	}
	if !ok {
		return p, false
	}
	p.Dim = dim
	return p, l.checkParamPath(s.BaseConfig, p, b, attrs["new"])
}

// paramNew decodes the optional `new = true` of a param block; false when
// it is absent or null.
func (l *loader) paramNew(a *hcl.Attribute, ctx *hcl.EvalContext) (bool, bool) {
	if a == nil {
		return false, true
	}
	v, ok := l.boolAttr(a, ctx)
	if !ok && !l.isNull(a, ctx) {
		return false, false
	}
	return v, true
}

// isNull reports whether an attribute's value is null. Its diagnostics
// are dropped: those of the evaluation that decodes the value report.
func (l *loader) isNull(a *hcl.Attribute, ctx *hcl.EvalContext) bool {
	v, diags := a.Expr.Value(ctx)
	return !diags.HasErrors() && v.IsNull()
}

// nullAttr is isNull for any param attribute, type included: type = null
// is the keyword null.
func (l *loader) nullAttr(a *hcl.Attribute, ctx *hcl.EvalContext) bool {
	if a.Name == "type" {
		return hcl.ExprAsKeyword(a.Expr) == "null"
	}
	return l.isNull(a, ctx)
}

func (l *loader) paramType(b *hcl.Block, attrs hcl.Attributes) (string, bool) {
	a := attrs["type"]
	if a == nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing param type",
			Detail:   "A param needs type = real or type = integer with low and high, or values = [...] for a categorical.",
			Subject:  b.DefRange.Ptr(),
		})
		return "", false
	}
	kw := hcl.ExprAsKeyword(a.Expr)
	switch kw {
	case "real", "integer":
		return kw, true
	case "null":
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Required argument is null",
			Detail:   "The argument \"type\" is required, but its value is null. A param needs type = real or type = integer with low and high, or values = [...] for a categorical.",
			Subject:  a.Expr.Range().Ptr(),
			Context:  a.Range.Ptr(),
		})
		return "", false
	}
	detail := "type is the bare keyword real or integer, like type = real. For a categorical, remove type and give values = [...]."
	if kw != "" {
		detail = fmt.Sprintf("%q is not a param type.%s ", kw, Suggest(kw, []string{"real", "integer"})) + detail
	} else if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && !v.IsNull() {
		detail = fmt.Sprintf("Write the keyword without quotes: type = %s. ", v.AsString()) + detail
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid param type",
		Detail:   detail,
		Subject:  a.Expr.Range().Ptr(),
	})
	return "", false
}

func (l *loader) requiredFloat(b *hcl.Block, attrs hcl.Attributes, name string, ctx *hcl.EvalContext) (float64, bool) {
	a := attrs[name]
	if a == nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing " + name,
			Detail:   fmt.Sprintf("A real or integer param needs low and high; add %s = ....", name),
			Subject:  b.DefRange.Ptr(),
		})
		return 0, false
	}
	if l.nullRequired(a, ctx, " A real or integer param needs low and high.") {
		return 0, false
	}
	return l.floatAttr(a, ctx)
}

func (l *loader) categoricalValues(a *hcl.Attribute, ctx *hcl.EvalContext) ([]space.Value, bool) {
	v, ok := l.eval(a.Expr, ctx)
	if !ok {
		return nil, false
	}
	ty := v.Type()
	if v.IsNull() || !(ty.IsTupleType() || ty.IsListType() || ty.IsSetType()) {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid values",
			Detail:   fmt.Sprintf("values must be a list of strings, numbers or bools, like [\"adam\", \"sgd\"]; got %s.", friendlyType(v)),
			Subject:  a.Expr.Range().Ptr(),
		})
		return nil, false
	}
	var out []space.Value
	var first cty.Type
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		et := e.Type()
		if e.IsNull() || !(et == cty.String || et == cty.Number || et == cty.Bool) {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid values",
				Detail:   fmt.Sprintf("Element %d of values is %s; a categorical takes strings, numbers or bools.", i, friendlyType(e)),
				Subject:  a.Expr.Range().Ptr(),
			})
			return nil, false
		}
		if i == 0 {
			first = et
		} else if et != first {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Mixed value types",
				Detail:   fmt.Sprintf("Element %d of values is a %s, but element 0 is a %s. The values of one param share one type, so the config keeps one type at its path.", i, et.FriendlyName(), first.FriendlyName()),
				Subject:  a.Expr.Range().Ptr(),
			})
			return nil, false
		}
		gv, err := goValue(e, "")
		if err != nil {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid values", Detail: err.Error() + ".", Subject: a.Expr.Range().Ptr()})
			return nil, false
		}
		out = append(out, gv)
	}
	return out, true
}

// fieldError turns a space constructor error into a diagnostic on the
// attribute it names.
func (l *loader) fieldError(err error, b *hcl.Block, attrs hcl.Attributes) {
	rng := b.DefRange
	var fe *space.FieldError
	if errors.As(err, &fe) {
		if a := attrs[fe.Field]; a != nil {
			rng = a.Expr.Range()
		}
	}
	msg := err.Error()
	summary := "Invalid param"
	if fe != nil {
		msg = fe.Msg
		summary = "Invalid " + fe.Field
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("Param %q: %s", b.Labels[0], msg),
		Subject:  rng.Ptr(),
	})
}

// checkParamPath checks the param's path against the base config: every
// segment but the last names an object, the leaf, when present, holds a
// value of the param's kind, and, when absent, is not a likely typo of a
// key beside it. newAttr is the param's `new` attribute, or nil.
func (l *loader) checkParamPath(base map[string]any, p definition.Param, b *hcl.Block, newAttr *hcl.Attribute) bool {
	if l.decoding.baseUnknown {
		return true // base_config reads a search not run yet (upstream.go)
	}
	rng := b.LabelRanges[0].Ptr()
	cur := base
	for i, seg := range p.Segments[:len(p.Segments)-1] {
		prefix := strings.Join(p.Segments[:i+1], ".")
		v, ok := cur[seg]
		if !ok {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Param path not in base_config",
				Detail:   fmt.Sprintf("base_config has no object at %q.%s A param path names a value of base_config or a new leaf under an existing object; add %s = { ... } to base_config, or fix the path.", prefix, Suggest(seg, keys(cur)), prefix),
				Subject:  rng,
			})
			return false
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Param path through a scalar",
				Detail:   fmt.Sprintf("base_config has %s at %q, not an object, so %q cannot be set under it.", describe(v), prefix, p.Path),
				Subject:  rng,
			})
			return false
		}
		cur = m
	}
	leaf, exists := cur[p.Segments[len(p.Segments)-1]]
	if !exists {
		return l.checkNewLeaf(cur, p, b)
	}
	if p.New {
		l.warnNotNew(p, newAttr)
	}
	if leaf == nil {
		return true
	}
	clash := ""
	switch leaf := leaf.(type) {
	case map[string]any:
		clash = "an object, which a param value would replace; point the param at a leaf under it"
	case []any:
		clash = "a list, which a param value would replace"
	default:
		clash = kindClash(p.Dim, leaf)
	}
	if clash != "" {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Param type does not match base_config",
			Detail:   fmt.Sprintf("The param %q is %s, but base_config has %s there: %s.", p.Path, describeDim(p.Dim), describe(leaf), clash),
			Subject:  rng,
		})
		return false
	}
	return true
}

// checkNewLeaf checks a param whose leaf is not in base_config, where
// siblings is the object the leaf would go in. Unless the param says
// new = true, a leaf close to one of the keys beside it (by the rule of
// closest) is an error: most likely a typo of that key, which would leave
// the value the trials read unsearched.
func (l *loader) checkNewLeaf(siblings map[string]any, p definition.Param, b *hcl.Block) bool {
	if p.New {
		return true
	}
	leaf := p.Segments[len(p.Segments)-1]
	match, ok := closest(leaf, keys(siblings))
	if !ok {
		return true
	}
	suggestion := strings.Join(append(slices.Clone(p.Segments[:len(p.Segments)-1]), match), ".")
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Param path may be a typo",
		Detail: fmt.Sprintf("The param %q sets a key that base_config does not have, next to the similar key %q: did you mean %q? "+
			"A param on a misspelled key changes nothing the trials read, so every trial would score alike. "+
			"If %s is really a new setting, add `new = true` to the param block.", p.Path, match, suggestion, p.Path),
		Subject: b.LabelRanges[0].Ptr(),
	})
	return false
}

// warnNotNew warns about `new = true` on a param whose path base_config
// already has.
func (l *loader) warnNotNew(p definition.Param, newAttr *hcl.Attribute) {
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Param is not new",
		Detail:   fmt.Sprintf("new = true, but %s is already in base_config: the param replaces the value there, as params do. Remove new = true, which is only for keys that base_config does not have.", p.Path),
		Subject:  newAttr.Range.Ptr(),
	})
}

// kindClash says why a base value cannot hold the dimension's values, or "".
func kindClash(d space.Dimension, leaf any) string {
	switch d := d.(type) {
	case *space.Real:
		if !isNumber(leaf) {
			return "a real param needs a number there"
		}
	case *space.Integer:
		switch leaf := leaf.(type) {
		case int64:
		case float64:
			return fmt.Sprintf("an integer param needs a whole number there, and %g is fractional; use type = real", leaf)
		default:
			return "an integer param needs a number there"
		}
	case *space.Categorical:
		if len(d.Values) == 0 {
			return ""
		}
		want := valueKind(d.Values[0])
		if got := valueKind(leaf); got != want {
			return fmt.Sprintf("its values are %ss and the base value is a %s", want, got)
		}
	}
	return ""
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func valueKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case int64, float64:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the bool %t", v)
	case int64:
		return fmt.Sprintf("the number %d", v)
	case float64:
		return fmt.Sprintf("the number %g", v)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "null"
}

func describeDim(d space.Dimension) string {
	switch d.(type) {
	case *space.Real:
		return "a real"
	case *space.Integer:
		return "an integer"
	case *space.Categorical:
		return "a categorical"
	}
	return "a param"
}
