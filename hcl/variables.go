package hcl

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvPrefix is the prefix of environment variables that set variables.
const EnvPrefix = "FW_VAR_"

type variable struct {
	name        string
	typ         cty.Type
	description string
	value       cty.Value // NilVal until set, by default or by an input
	block       *hcl.Block
}

func (l *loader) decodeVariables(blocks []*hcl.Block) map[string]*variable {
	vars := map[string]*variable{}
	for _, b := range blocks {
		name := b.Labels[0]
		if !l.checkName(b, "variable") {
			continue
		}
		if prev, ok := vars[name]; ok {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate variable",
				Detail:   fmt.Sprintf("A variable named %q was already declared at %s. Variable names must be unique within a directory.", name, prev.block.DefRange),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		v := &variable{name: name, typ: cty.DynamicPseudoType, block: b}
		vars[name] = v
		content, diags := b.Body.Content(variableSchema)
		l.add(diags...)
		if a := content.Attributes["type"]; a != nil && hcl.ExprAsKeyword(a.Expr) != "null" {
			ty, diags := typeexpr.TypeConstraint(a.Expr)
			l.add(diags...)
			if !diags.HasErrors() {
				v.typ = ty
			}
		}
		if a := content.Attributes["description"]; a != nil {
			if s, ok := l.stringAttr(a, nil); ok {
				v.description = s
			}
		}
		if a := content.Attributes["default"]; a != nil {
			val, diags := a.Expr.Value(nil)
			l.add(diags...)
			if !diags.HasErrors() {
				if cv, err := convert.Convert(val, v.typ); err != nil {
					l.add(&hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid default value for variable",
						Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", err),
						Subject:  a.Expr.Range().Ptr(),
					})
				} else if !cv.IsNull() {
					v.value = cv
				}
			}
		}
	}
	l.assignEnv(vars)
	for _, f := range l.opts.VarFiles {
		l.assignFile(vars, f)
	}
	for _, f := range l.opts.VarFlags {
		l.assignFlag(vars, f)
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := vars[n]
		if v.value == cty.NilVal {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail:   fmt.Sprintf("The variable %q has no default, so it must be set: -var '%s=...', a -var-file, or %s%s in the environment.", n, n, EnvPrefix, n),
				Subject:  v.block.DefRange.Ptr(),
			})
		}
	}
	return vars
}

func (l *loader) assignEnv(vars map[string]*variable) {
	for _, kv := range l.opts.Environ {
		if !strings.HasPrefix(kv, EnvPrefix) {
			continue
		}
		name, raw, ok := strings.Cut(kv[len(EnvPrefix):], "=")
		v := vars[name]
		if !ok || v == nil {
			continue // like Terraform: the environment may hold more than one project's variables
		}
		l.setRaw(v, raw, EnvPrefix+name)
	}
}

// ParseVarFlag splits a -var argument into name and raw value.
func ParseVarFlag(arg string) (name, raw string, diags hcl.Diagnostics) {
	name, raw, ok := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid -var option",
			Detail:   fmt.Sprintf("The given -var option %q is not correctly specified. It must be a variable name and a value separated by an equals sign, like -var=\"epochs=5\".", arg),
		}}
	}
	return name, raw, nil
}

func (l *loader) assignFlag(vars map[string]*variable, arg string) {
	name, raw, diags := ParseVarFlag(arg)
	l.add(diags...)
	if diags.HasErrors() {
		return
	}
	v := vars[name]
	if v == nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value for undeclared variable",
			Detail:   fmt.Sprintf("A variable named %q was assigned on the command line, but the search files do not declare it.%s Declare it with a variable block, or remove the -var option.", name, Suggest(name, keys(vars))),
		})
		return
	}
	l.setRaw(v, raw, "-var "+name)
}

// setRaw sets a variable from a command-line or environment string. As in
// Terraform, variables of a primitive type (or no type) take the string
// literally, converted to the type; others parse it as an HCL expression.
func (l *loader) setRaw(v *variable, raw, source string) {
	var val cty.Value
	if v.typ.IsPrimitiveType() || v.typ == cty.DynamicPseudoType {
		val = cty.StringVal(raw)
	} else {
		filename := fmt.Sprintf("<value for var.%s>", v.name)
		if diags := checkExpression([]byte(raw), filename, source); diags.HasErrors() {
			l.add(diags...)
			return
		}
		expr, diags := hclsyntax.ParseExpression([]byte(raw), filename, hcl.InitialPos)
		l.add(diags...)
		if diags.HasErrors() {
			return
		}
		var vdiags hcl.Diagnostics
		val, vdiags = expr.Value(nil)
		l.add(vdiags...)
		if vdiags.HasErrors() {
			return
		}
	}
	cv, err := convert.Convert(val, v.typ)
	if err != nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value given by %s is not compatible with the variable's type constraint (%s): %s.", source, typeexpr.TypeString(v.typ), err),
		})
		return
	}
	v.value = cv
}

func (l *loader) assignFile(vars map[string]*variable, path string) {
	src, size, ok, err := readSource(path)
	if err != nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read a variables file",
			Detail:   fmt.Sprintf("-var-file=%s: %s.", path, describeFSError(err)),
		})
		return
	}
	if !ok {
		l.add(tooLarge(path, "variables file", size))
		return
	}
	l.assignSource(vars, path, src)
}

// assignSource sets variables from the contents of a -var-file: HCL, or
// JSON when the name ends in .json.
func (l *loader) assignSource(vars map[string]*variable, path string, src []byte) {
	isJSON := strings.HasSuffix(path, ".json")
	if !l.check(path, src, "variables file", isJSON) {
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if isJSON {
		f, diags = l.parser.ParseJSON(src, path)
	} else {
		f, diags = l.parser.ParseHCL(src, path)
	}
	l.add(diags...)
	if diags.HasErrors() || f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.add(diags...)
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := attrs[n]
		v := vars[n]
		if v == nil {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The file sets %q, but the search files do not declare it.%s The value is ignored.", n, Suggest(n, keys(vars))),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		val, diags := a.Expr.Value(nil)
		l.add(diags...)
		if diags.HasErrors() {
			continue
		}
		cv, err := convert.Convert(val, v.typ)
		if err != nil {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("This value is not compatible with the variable's type constraint (%s): %s.", typeexpr.TypeString(v.typ), err),
				Subject:  a.Expr.Range().Ptr(),
			})
			continue
		}
		v.value = cv
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
