package hcl

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// The refine block (docs/language.md#refine): the params of another
// search, narrowed around its best trial with space.Refine's semantics.
//
//	refine {
//	  from   = search.coarse                          # required
//	  factor = 0.5                                    # required, in (0, 1]
//	  params = ["training.lr", "training.batch_size"] # default: all of from's
//	  top_k  = 3                                      # categoricals: keep the best 3 trials' values
//	}
//
// The refined params are the search's first params, in from's order; a
// param block of one of their paths is an error. They are unconditional
// (from's `when` conditions are not carried over).

// decodeRefine decodes a refine block. It returns the paths it refines
// (known whenever from's params are, even when its outcome is not) and,
// when from's outcome is known, the refined params; it sets s.Refine.
// baseConfigOK says whether s.BaseConfig is the search's (not the default
// left by an error), to check the refined paths against.
func (l *loader) decodeRefine(b *hcl.Block, ctx *hcl.EvalContext, s *definition.Search, baseConfigOK bool) ([]string, []definition.Param) {
	content, diags := b.Body.Content(refineSchema)
	l.add(diags...)
	if diags.HasErrors() {
		return nil, nil
	}
	attrs := content.Attributes
	errsBefore := len(l.diags.Errs())
	fromAttr := attrs["from"]
	up, name := l.refineFrom(fromAttr)

	factor := 0.0
	if a := attrs["factor"]; a != nil && !l.nullRequired(a, ctx, " factor is the width of the refined ranges, a fraction of from's, in (0, 1].") {
		if f, ok := l.floatAttr(a, ctx); ok {
			if !(f > 0 && f <= 1) {
				l.add(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid factor",
					Detail:   fmt.Sprintf("factor is the width of each refined range as a fraction of from's, greater than 0 and at most 1; got %g. 0.5 halves every range.", f),
					Subject:  a.Expr.Range().Ptr(),
				})
			}
			factor = f
		}
	}
	topK := 0
	if a := attrs["top_k"]; a != nil && !l.isNull(a, ctx) {
		if v, ok := l.intAttr(a, ctx, 1, math.MaxInt32, "at least 1"); ok {
			topK = int(v)
		}
	}
	if up == nil || up.search == nil {
		// from is invalid, on a cycle or has errors: reported already.
		return nil, nil
	}
	if up.search.Deferred != nil {
		// Its params are not known yet; this search is deferred too.
		l.decoding.refineUnknown = true
		return nil, nil
	}
	paths, ok := l.refineParams(attrs["params"], ctx, up.search, name)
	if !ok || len(l.diags.Errs()) > errsBefore {
		return paths, nil
	}
	l.outcomeOf(up)
	if !up.known {
		l.decoding.refineUnknown = true
		return paths, nil
	}
	if len(up.outcome.Top) == 0 {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Search without completed trials",
			Detail: fmt.Sprintf("search.%s has no completed trial yet that matches its definition, so there is nothing to refine around. "+
				"Run it first (fwapply apply -target=search.%s), or fix the failures of its trials (fwapply show %s).", name, name, name),
			Subject: fromAttr.Expr.Range().Ptr(),
		})
		return paths, nil
	}
	best := up.outcome.Top[0]
	refined, err := refineAround(up.search, up.outcome.Top, paths, factor, topK)
	if err != nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot refine",
			Detail:   fmt.Sprintf("Refining the space of search.%s around its trial %d: %s.", name, best.Trial, strings.TrimSuffix(err.Error(), ".")),
			Subject:  b.DefRange.Ptr(),
		})
		return paths, nil
	}
	var out []definition.Param
	for i, path := range paths {
		p := definition.Param{Path: path, Segments: strings.Split(path, "."), Dim: refined[i], DeclRange: b.DefRange}
		if baseConfigOK && !l.decoding.baseUnknown && !l.refinedPathFits(s.BaseConfig, p, b, name) {
			continue
		}
		out = append(out, p)
	}
	s.Refine = &definition.Refinement{From: name, Factor: factor, Params: paths, TopK: topK, Around: best.Trial}
	return paths, out
}

// refineFrom decodes from = search.NAME: the node of the search, or nil
// (buildSearchGraph reports an undeclared name).
func (l *loader) refineFrom(a *hcl.Attribute) (*searchNode, string) {
	invalid := func() (*searchNode, string) {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid from",
			Detail:   "from names the search to refine around, as a bare reference like from = search.coarse.",
			Subject:  a.Expr.Range().Ptr(),
		})
		return nil, ""
	}
	if a == nil {
		return nil, "" // Content reports the missing attribute
	}
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() || tr.RootName() != searchRoot {
		return invalid()
	}
	name, ok := refName(tr)
	if !ok || len(tr) != 2 {
		return invalid()
	}
	if l.searches == nil {
		return nil, ""
	}
	return l.searches.byName[name], name // nil: undeclared, reported
}

// refineParams decodes refine's params: paths of params of from, each
// once; every param of from when absent or null.
func (l *loader) refineParams(a *hcl.Attribute, ctx *hcl.EvalContext, from *definition.Search, name string) ([]string, bool) {
	all := make([]string, len(from.Params))
	for i, p := range from.Params {
		all[i] = p.Path
	}
	if a == nil || l.isNull(a, ctx) {
		if len(all) == 0 {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Nothing to refine",
				Detail:   fmt.Sprintf("search.%s has no params, so a refine block has nothing to narrow. Remove the refine block.", name),
				Subject:  ctxRange(a),
			})
			return nil, false
		}
		return all, true
	}
	v, ok := l.evalAs(a, ctx, cty.List(cty.String), "a list of param paths")
	if !ok {
		return nil, false
	}
	var listed []string
	valid := true
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		path := ""
		if !e.IsNull() {
			path = e.AsString()
		}
		switch {
		case !slices.Contains(all, path):
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Not a param of from",
				Detail: fmt.Sprintf("search.%s has no param %q.%s refine narrows the params of from; its params are %s.",
					name, path, Suggest(path, slices.Clone(all)), quoteAll(all)),
				Subject: a.Expr.Range().Ptr(),
			})
			valid = false
		case slices.Contains(listed, path):
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Param listed twice",
				Detail:   fmt.Sprintf("%q is listed twice in params; list each param once.", path),
				Subject:  a.Expr.Range().Ptr(),
			})
			valid = false
		default:
			listed = append(listed, path)
		}
	}
	if valid && len(listed) == 0 {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Nothing to refine",
			Detail:   fmt.Sprintf("params is empty. Remove it to refine every param of search.%s, or list the params to refine.", name),
			Subject:  a.Expr.Range().Ptr(),
		})
		return nil, false
	}
	// In from's order, which the refined params keep.
	out := slices.DeleteFunc(slices.Clone(all), func(p string) bool { return !slices.Contains(listed, p) })
	return out, valid
}

func ctxRange(a *hcl.Attribute) *hcl.Range {
	if a == nil {
		return nil
	}
	return a.Expr.Range().Ptr()
}

// refineAround returns the dimensions of the params paths of from (in
// that order), refined around top[0] by factor with space.Refine; with
// topK > 0, a categorical keeps the values of the best topK trials.
func refineAround(from *definition.Search, top []definition.OutcomeTrial, paths []string, factor float64, topK int) ([]space.Dimension, error) {
	point := func(t definition.OutcomeTrial) space.Point {
		p := make(space.Point, len(from.Params))
		for i, prm := range from.Params {
			v, ok := t.Params[prm.Path]
			if !ok || v == nil {
				v = space.Inactive
			}
			p[i] = v
		}
		return p
	}
	refined, err := space.Refine(from.Space, point(top[0]), factor)
	if err != nil {
		return nil, err
	}
	dims := refined.Dims()
	out := make([]space.Dimension, 0, len(paths))
	for _, path := range paths {
		i := from.Space.Index(path)
		if i < 0 {
			return nil, fmt.Errorf("it has no dimension %q", path)
		}
		d := dims[i]
		if c, isCat := d.(*space.Categorical); isCat && topK > 0 {
			var vals []space.Value
			for _, t := range top[:min(topK, len(top))] {
				if v := point(t)[i]; v != space.Inactive {
					vals = append(vals, v)
				}
			}
			if d, err = space.Keep(c, vals); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// refinedPathFits checks that a refined param's path has a place in the
// search's base config: every segment but the last names an object.
func (l *loader) refinedPathFits(base map[string]any, p definition.Param, b *hcl.Block, from string) bool {
	cur := base
	for i, seg := range p.Segments[:len(p.Segments)-1] {
		next, ok := cur[seg].(map[string]any)
		if !ok {
			prefix := strings.Join(p.Segments[:i+1], ".")
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Refined param not in base_config",
				Detail: fmt.Sprintf("The param %q refined from search.%s needs an object at %q in this search's base_config, which has none. "+
					"Start from search.%s's best config (base_config = search.%s.best.config), or add %s = { ... } to base_config.",
					p.Path, from, prefix, from, from, prefix),
				Subject: b.DefRange.Ptr(),
			})
			return false
		}
		cur = next
	}
	return true
}

// refinedTwice reports a param block of a path that refine defines.
func (l *loader) refinedTwice(blk, refine *hcl.Block) {
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Param defined by refine",
		Detail: fmt.Sprintf("The param %q is defined by the refine block at %s, which narrows it around the best trial of its search. "+
			"Remove this param block, or leave %q out of refine's params.", blk.Labels[0], refine.DefRange, blk.Labels[0]),
		Subject: blk.LabelRanges[0].Ptr(),
	})
}
