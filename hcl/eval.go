package hcl

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// evalContext is what expressions in search blocks see: var.NAME,
// local.NAME (locals.go; no local before decodeLocals) and the function
// table.
func (l *loader) evalContext(vars map[string]*variable) *hcl.EvalContext {
	vals := make(map[string]cty.Value, len(vars))
	for name, v := range vars {
		if v.value != cty.NilVal {
			vals[name] = v.value
		} else {
			vals[name] = cty.DynamicVal
		}
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vals), localRoot: l.locals.object()},
		Functions: functions(l.dir),
	}
}

// eval evaluates an expression. References to undeclared variables and
// locals are reported as such, with a suggestion, before evaluation.
func (l *loader) eval(expr hcl.Expression, ctx *hcl.EvalContext) (cty.Value, bool) {
	if !l.checkRefs(expr, ctx) {
		return cty.NilVal, false
	}
	v, diags := expr.Value(ctx)
	l.add(diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		// A variable that failed to get a value, or a local with an
		// error (locals.go), is unknown; that error is already reported.
		// So is what reads a search whose outcome is not known
		// (upstream.go), which defers the search.
		l.decoding.unknowns++
		return cty.NilVal, false
	}
	return v, true
}

// checkRefs reports the references of expr to undeclared variables and
// locals, with a suggestion; it reports whether there were none.
func (l *loader) checkRefs(expr hcl.Expression, ctx *hcl.EvalContext) bool {
	ok := true
	for _, tr := range expr.Variables() {
		if tr.RootName() == localRoot && ctx != nil {
			ok = l.checkLocalRef(tr) && ok
			continue
		}
		if tr.RootName() == searchRoot && ctx != nil {
			ok = l.checkSearchRef(tr, ctx) && ok
			continue
		}
		if tr.RootName() != "var" || len(tr) < 2 || ctx == nil {
			continue
		}
		attr, isAttr := tr[1].(hcl.TraverseAttr)
		if !isAttr {
			continue
		}
		varObj := ctx.Variables["var"]
		if varObj.Type().IsObjectType() && varObj.Type().HasAttribute(attr.Name) {
			continue
		}
		var names []string
		for n := range varObj.Type().AttributeTypes() {
			names = append(names, n)
		}
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Reference to undeclared input variable",
			Detail:   fmt.Sprintf("An input variable named %q is not declared.%s Declare it with a variable %q block.", attr.Name, Suggest(attr.Name, names), attr.Name),
			Subject:  tr.SourceRange().Ptr(),
		})
		ok = false
	}
	return ok
}

// nullRequired reports whether a required attribute is null, and if so
// adds the error: that of a missing attribute, saying it is null. hint
// says what to write. Optional attributes that are null are absent.
func (l *loader) nullRequired(a *hcl.Attribute, ctx *hcl.EvalContext, hint string) bool {
	if !l.isNull(a, ctx) {
		return false
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Required argument is null",
		Detail:   fmt.Sprintf("The argument %q is required, but its value is null.%s", a.Name, hint),
		Subject:  a.Expr.Range().Ptr(),
		Context:  a.Range.Ptr(),
	})
	return true
}

// evalAs evaluates an attribute and converts it to ty. A null value counts
// as absent: ok is true and the value is null.
func (l *loader) evalAs(a *hcl.Attribute, ctx *hcl.EvalContext, ty cty.Type, what string) (cty.Value, bool) {
	v, ok := l.eval(a.Expr, ctx)
	if !ok {
		return cty.NilVal, false
	}
	if v.IsNull() {
		return v, true
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s required, got %s.", a.Name, what, v.Type().FriendlyName()),
			Subject:  a.Expr.Range().Ptr(),
		})
		return cty.NilVal, false
	}
	return cv, true
}

func (l *loader) stringAttr(a *hcl.Attribute, ctx *hcl.EvalContext) (string, bool) {
	v, ok := l.evalAs(a, ctx, cty.String, "a string")
	if !ok || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}

func (l *loader) boolAttr(a *hcl.Attribute, ctx *hcl.EvalContext) (bool, bool) {
	v, ok := l.evalAs(a, ctx, cty.Bool, "a bool")
	if !ok || v.IsNull() {
		return false, false
	}
	return v.True(), true
}

func (l *loader) numberAttr(a *hcl.Attribute, ctx *hcl.EvalContext) (*big.Float, bool) {
	v, ok := l.evalAs(a, ctx, cty.Number, "a number")
	if !ok || v.IsNull() {
		return nil, false
	}
	return v.AsBigFloat(), true
}

func (l *loader) floatAttr(a *hcl.Attribute, ctx *hcl.EvalContext) (float64, bool) {
	f, ok := l.numberAttr(a, ctx)
	if !ok {
		return 0, false
	}
	x, acc := f.Float64()
	if f.IsInf() || (acc != big.Exact && (x == 0 || x > 1e308 || x < -1e308)) {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Number out of range",
			Detail:   fmt.Sprintf("The value of %q, %s, does not fit a 64-bit float.", a.Name, f.Text('g', 10)),
			Subject:  a.Expr.Range().Ptr(),
		})
		return 0, false
	}
	return x, true
}

// intAttr decodes a whole number within [min, max].
func (l *loader) intAttr(a *hcl.Attribute, ctx *hcl.EvalContext, lo, hi int64, rule string) (int64, bool) {
	f, ok := l.numberAttr(a, ctx)
	if !ok {
		return 0, false
	}
	i, acc := f.Int64()
	if !f.IsInt() || acc != big.Exact {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   fmt.Sprintf("%s must be a whole number, got %s.", a.Name, f.Text('g', -1)),
			Subject:  a.Expr.Range().Ptr(),
		})
		return 0, false
	}
	if i < lo || i > hi {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   fmt.Sprintf("%s must be %s, got %d.", a.Name, rule, i),
			Subject:  a.Expr.Range().Ptr(),
		})
		return 0, false
	}
	return i, true
}

// Suggest returns ` Did you mean "x"?` for the name of names closest to
// given (at most two edits away), or "".
func Suggest(given string, names []string) string {
	sort.Strings(names)
	best, bestDist := "", 3
	for _, n := range names {
		if d := editDistance(given, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
