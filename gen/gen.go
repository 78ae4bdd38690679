package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
)

// Options say what Generate generates.
type Options struct {
	// Package is the name of the generated package; it must be a Go
	// identifier.
	Package string
	// Search selects the one search to generate for; "" generates for
	// every search of the definition, sharing one Config type.
	Search string
	// Sources are the names of the search files, listed in the header
	// comment; nil leaves them out.
	Sources []string
}

// Generate returns the gofmt'd source of one Go file holding the config
// types, Defaults, Validate, Metrics, the constants and Main of the selected
// searches (see the package documentation). The output is a pure function
// of def and opts. On error diagnostics the source is nil; warnings come
// with a source.
func Generate(def *definition.Definition, opts Options) ([]byte, hcl.Diagnostics) {
	if !isIdentifier(opts.Package) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid package name",
			Detail:   fmt.Sprintf("%q is not a Go package name: use a lower-case identifier like \"fwconfig\".", opts.Package),
		}}
	}
	p, diags := build(def, opts.Search)
	if diags.HasErrors() {
		return nil, diags
	}
	var buf bytes.Buffer
	if err := p.file(opts).Render(&buf); err != nil {
		// Render fails only when the generated code does not parse: a bug.
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "fwgen generated invalid Go",
			Detail:   fmt.Sprintf("This is a bug in fwgen; please report it with the search files. %v", err),
		})
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "fwgen generated invalid Go",
			Detail:   fmt.Sprintf("This is a bug in fwgen; please report it with the search files. %v", err),
		})
	}
	return src, diags
}

// SchemaFingerprint returns the SchemaFingerprint constant that Generate
// writes for the same definition and Options.Search: the hex SHA-256 of the
// generated type model (paths, Go names and types, the constraints of each
// search, the metrics). It does not depend on the package name, the source
// files, base values or anything else that leaves the types and checks as
// they are. A program built from generated code reports this value, so a
// differing fingerprint means the code is stale.
func SchemaFingerprint(def *definition.Definition, search string) (string, hcl.Diagnostics) {
	p, diags := build(def, search)
	if diags.HasErrors() {
		return "", diags
	}
	return p.fingerprint, diags
}

// SchemaFingerprints returns every fingerprint that code generated for the
// search from the current definition may hold: the one of a package for
// the search alone (fwgen -search=NAME), then, when it differs and the
// searches can share a package, the one of a package for every search of
// the definition (fwgen's default). A program built for the search is
// current when it reports one of them. Diagnostics are those of the
// search alone.
func SchemaFingerprints(def *definition.Definition, search string) ([]string, hcl.Diagnostics) {
	one, diags := SchemaFingerprint(def, search)
	if diags.HasErrors() {
		return nil, diags
	}
	fps := []string{one}
	if all, d := SchemaFingerprint(def, ""); !d.HasErrors() && all != one {
		fps = append(fps, all)
	}
	return fps, diags
}

// pkg is the model of one generated file.
type pkg struct {
	searches    []*definition.Search
	root        *typ   // Config
	structs     []*typ // every struct type, Config first
	enums       []*typ // every categorical type
	metrics     []string
	metricNames map[string]string
	objective   string
	// searchNames are the Go names of the searches, for the identifiers
	// of a package with several.
	searchNames map[string]string
	fingerprint string
}

func (p *pkg) multi() bool { return len(p.searches) > 1 }

// build selects the searches, types them, merges their trees and names
// everything.
func build(def *definition.Definition, search string) (*pkg, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if def == nil || len(def.Searches) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No searches",
			Detail:   "The search files declare no search block, so there is nothing to generate.",
		}}
	}
	searches := def.Searches
	if search != "" {
		s := def.Search(search)
		if s == nil {
			names := make([]string, len(def.Searches))
			for i, s := range def.Searches {
				names[i] = fmt.Sprintf("%q", s.Name)
			}
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Unknown search",
				Detail:   fmt.Sprintf("There is no search %q; the search files declare %s.", search, strings.Join(names, ", ")),
			}}
		}
		searches = withUpstreams(def, s)
	}
	searches = stageViews(searches)
	p := &pkg{searches: searches}

	b := &builder{}
	trees := make([]*typ, len(searches))
	for i, s := range searches {
		trees[i] = b.searchTree(s)
	}
	diags = append(diags, b.diags...)
	if diags.HasErrors() {
		return nil, diags
	}
	m := &merger{}
	p.root = trees[0]
	for _, t := range trees[1:] {
		p.root = m.merge(p.root, t, nil)
	}
	diags = append(diags, m.diags...)
	diags = append(diags, p.collectMetrics()...)
	if diags.HasErrors() {
		return nil, diags
	}
	p.name()
	diags = append(diags, p.checkKeys()...)
	if diags.HasErrors() {
		return nil, diags
	}
	p.fingerprint = p.computeFingerprint()
	return p, diags
}

// collectMetrics sets the objective, which all searches must share, and
// the metrics: the union of the searches' lists, in order.
func (p *pkg) collectMetrics() hcl.Diagnostics {
	var diags hcl.Diagnostics
	first := p.searches[0]
	p.objective = first.Metric
	for _, s := range p.searches {
		if s.Metric != p.objective {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Searches with different metrics",
				Detail: fmt.Sprintf("Search %q optimizes %q, but search %q (at %s) optimizes %q. A generated package has one Metric; generate a package per search with fwgen -search=NAME -out=DIR.",
					s.Name, s.Metric, first.Name, at(first.DeclRange), first.Metric),
				Subject: rangePtr(s.DeclRange),
			})
			continue
		}
		list := s.Metrics
		if len(list) == 0 {
			list = []string{s.Metric}
		}
		if !slices.Contains(list, s.Metric) {
			list = append([]string{s.Metric}, list...)
		}
		for _, name := range list {
			if !slices.Contains(p.metrics, name) {
				p.metrics = append(p.metrics, name)
			}
		}
	}
	return diags
}

// Package-level names that generated code always declares.
var reservedNames = []string{"Config", "Defaults", "Main", "Metric", "Metrics", "SchemaFingerprint", "Search"}

// name gives every type, field, constant and search its Go name.
func (p *pkg) name() {
	ns := namespace{}
	for _, n := range reservedNames {
		ns[n] = true
	}
	p.searchNames = map[string]string{}
	if p.multi() {
		sns := namespace{}
		for _, s := range p.searches {
			g := sns.take(goName(s.Name))
			p.searchNames[s.Name] = g
			ns["Search"+g] = true
			ns["DefaultsFor"+g] = true
		}
	}

	// Struct types: Config, then every nested object, named by its path.
	p.root.name = "Config"
	p.structs = []*typ{p.root}
	var enums []*typ
	var walk func(t *typ, segs []string)
	walk = func(t *typ, segs []string) {
		switch t.kind {
		case kStruct:
			if len(segs) > 0 {
				t.name = ns.take(pathName(segs))
				t.path = segs
				p.structs = append(p.structs, t)
			}
			t.keys = sortedKeys(t.fields)
			for _, k := range t.keys {
				walk(t.fields[k], appendSeg(segs, k))
			}
		case kList:
			walk(t.elem, appendSeg(segs, itemSeg))
		case kEnum:
			t.path = segs
			enums = append(enums, t)
		}
	}
	walk(p.root, nil)

	// Categorical types: by the leaf key when no other categorical has the
	// same leaf name and no struct took it, else by the whole path.
	leafCount := map[string]int{}
	for _, e := range enums {
		leafCount[goName(e.path[len(e.path)-1])]++
	}
	for _, e := range enums {
		leaf := goName(e.path[len(e.path)-1])
		if leafCount[leaf] == 1 && !ns[leaf] {
			e.name = ns.take(leaf)
		} else {
			e.name = ns.take(pathName(e.path))
		}
	}
	for _, e := range enums {
		e.consts = make([]string, len(e.values))
		for i, v := range e.values {
			vn := valueName(v)
			if vn == "" {
				vn = fmt.Sprintf("Value%d", i+1)
			}
			e.consts[i] = ns.take(constName(e.name, vn))
		}
	}
	p.enums = enums

	// Fields: unique within their struct; Config's methods are reserved.
	rootMethods := []string{"Validate"}
	for _, s := range p.searches {
		if p.multi() {
			rootMethods = append(rootMethods, "ValidateFor"+p.searchNames[s.Name])
		}
	}
	for _, t := range p.structs {
		if t == p.root {
			t.fieldName = fieldNames(t.keys, rootMethods...)
		} else {
			t.fieldName = fieldNames(t.keys)
		}
	}
	p.metricNames = fieldNames(p.metrics)
}

// pathName is the Go name of a type at a path: the names of its keys,
// joined ("model.encoder" -> ModelEncoder).
func pathName(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(joinWords(s))
	}
	return exported(b.String())
}

// checkKeys reports keys that cannot be JSON tags: encoding/json would
// ignore the tag and match the field name instead.
func (p *pkg) checkKeys() hcl.Diagnostics {
	var diags hcl.Diagnostics
	var walk func(t *typ, segs []string)
	walk = func(t *typ, segs []string) {
		switch t.kind {
		case kStruct:
			for _, k := range t.keys {
				f := t.fields[k]
				if !validTag(k) {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Key unfit for a JSON tag",
						Detail:   fmt.Sprintf("Search %q: the config key %q (at %q) cannot be a Go JSON tag, so the generated struct could not read it. Keys may hold letters, digits, spaces and the punctuation !#$%%&()*+-./:;<=>?@[]^_{|}~; rename the key.", f.origin.search, k, displayPath(appendSeg(segs, k))),
						Subject:  rangePtr(f.origin.rng),
					})
				}
				walk(f, appendSeg(segs, k))
			}
		case kList:
			walk(t.elem, appendSeg(segs, itemSeg))
		}
	}
	walk(p.root, nil)
	for _, m := range p.metrics {
		if !validTag(m) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Metric name unfit for a JSON tag",
				Detail:   fmt.Sprintf("The metric %q cannot be a Go JSON tag, so the generated Metrics struct could not write it; rename the metric.", m),
				Subject:  rangePtr(p.searches[0].DeclRange),
			})
		}
	}
	return diags
}

// validTag reports whether encoding/json accepts key as a tag name.
func validTag(key string) bool {
	if key == "" {
		return false
	}
	for _, c := range key {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// exported makes a joined name an exported identifier: names that do not
// start with an upper-case letter get an X in front.
func exported(name string) string {
	for _, r := range name {
		if unicode.IsUpper(r) {
			return name
		}
		break
	}
	return "X" + name
}

func isIdentifier(s string) bool {
	if s == "" || s == "_" {
		return false
	}
	for i, r := range s {
		if !(unicode.IsLetter(r) || r == '_' || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return !isKeyword(s)
}

func isKeyword(s string) bool {
	switch s {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else",
		"fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
		"map", "package", "range", "return", "select", "struct", "switch", "type", "var":
		return true
	}
	return false
}

// withUpstreams returns s and every search it builds on, directly or not,
// in source order: a stage search takes its types from its upstreams.
func withUpstreams(def *definition.Definition, s *definition.Search) []*definition.Search {
	need := map[string]bool{s.Name: true}
	for todo := []*definition.Search{s}; len(todo) > 0; {
		t := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, u := range t.Upstreams {
			if us := def.Search(u); us != nil && !need[u] {
				need[u] = true
				todo = append(todo, us)
			}
		}
	}
	var out []*definition.Search
	for _, t := range def.Searches {
		if need[t.Name] {
			out = append(out, t)
		}
	}
	return out
}

// stageViews replaces each search that builds on others (one with
// Upstreams) by its identity alone: name, strategy, metric, mode and
// metrics, with no base config and no params. Its base config and ranges
// come from its upstreams' outcomes, which fwgen cannot know (it reads no
// state): the generated code, and its SchemaFingerprint, must be the same
// before and after the upstreams run, whether the definition was loaded
// with the state's outcomes (fwapply's check of go_build programs) or
// without (fwgen). Its config has its upstreams' types; Validate cannot
// check its ranges.
func stageViews(searches []*definition.Search) []*definition.Search {
	out := make([]*definition.Search, len(searches))
	for i, s := range searches {
		if len(s.Upstreams) == 0 {
			out[i] = s
			continue
		}
		out[i] = &definition.Search{
			Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode,
			Metrics: s.Metrics, Upstreams: s.Upstreams, DeclRange: s.DeclRange, Deferred: s.Deferred,
			BaseConfig: map[string]any{},
		}
	}
	return out
}
