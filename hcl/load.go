package hcl

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/frameworm/frameworm/definition"
)

// FileSuffix is the suffix of the files a directory load reads.
const FileSuffix = ".fw.hcl"

// Options are the inputs of a load besides the search files.
type Options struct {
	// VarFlags are the -var arguments, "name=value", in command-line order.
	VarFlags []string
	// VarFiles are the -var-file arguments in command-line order, relative
	// to the current directory.
	VarFiles []string
	// Environ is the environment searched for FW_VAR_name, as os.Environ
	// gives it; nil means none.
	Environ []string
	// Outcomes gives the outcome of each search that another search
	// reads, once that search is decoded; nil means every outcome is
	// unknown (as for validate, which reads no state).
	Outcomes Outcomes
}

// Outcomes gives the outcome of a search that other searches read
// (search.NAME.best, search.NAME.top, refine's from). The command layer
// computes it from the state; the loader reads no state itself.
type Outcomes interface {
	Outcome(s *definition.Search) definition.Outcome
}

// Result is what a load produced. Files holds every file parsed (search
// files and -var-file files) by name, for rendering diagnostics with their
// source snippets; it is set even when the load failed.
type Result struct {
	Definition *definition.Definition
	Files      map[string]*hcl.File
}

// LoadDir loads every *.fw.hcl file of dir.
func LoadDir(dir string, opts Options) (*Result, hcl.Diagnostics) {
	names, err := ListDir(dir)
	if err != nil {
		return &Result{Files: map[string]*hcl.File{}}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the search directory",
			Detail:   fmt.Sprintf("%s. Run fwapply in the directory that holds your *%s files, or pass -chdir=DIR.", err, FileSuffix),
		}}
	}
	if len(names) == 0 {
		abs, _ := filepath.Abs(dir)
		return &Result{Files: map[string]*hcl.File{}}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No search files",
			Detail:   fmt.Sprintf("The directory %s has no *%s files. Run fwapply in the directory that holds them, or pass -chdir=DIR.", abs, FileSuffix),
		}}
	}
	sources, diags := readSources(names)
	res, more := Load(dir, sources, opts)
	return res, append(diags, more...)
}

// readSources reads the search files at the paths names (as ListDir
// returns them), named by their base names: diagnostics name files
// relative to the search directory, as Terraform does after -chdir. A file
// that cannot be read, or is larger than MaxSourceSize, is left out with an
// error.
func readSources(names []string) ([]Source, hcl.Diagnostics) {
	sources := make([]Source, 0, len(names))
	var diags hcl.Diagnostics
	for _, n := range names {
		name := filepath.Base(n)
		b, size, ok, err := readSource(n)
		switch {
		case err != nil:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read a search file",
				Detail:   fmt.Sprintf("%s. Check the file's permissions.", err),
			})
		case !ok:
			diags = append(diags, tooLarge(name, "search file", size))
		default:
			sources = append(sources, Source{Name: name, Bytes: b})
		}
	}
	return sources, diags
}

// ListDir returns the *.fw.hcl files of dir, sorted, as paths joined to dir.
func ListDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), FileSuffix) && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(names)
	return names, nil
}

// Source is one search file's name and contents.
type Source struct {
	Name  string
	Bytes []byte
}

// Load loads search files given as bytes; dir is the directory they belong
// to, which file() paths and trial commands are relative to.
func Load(dir string, sources []Source, opts Options) (*Result, hcl.Diagnostics) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		absDir = dir
	}
	l := &loader{
		parser:  hclparse.NewParser(),
		dir:     absDir,
		opts:    opts,
		badRefs: map[hcl.Range]bool{},
	}
	def := l.load(sources)
	res := &Result{Files: l.parser.Files()}
	for name, f := range l.unparsed {
		res.Files[name] = f
	}
	// No rendered snippet may show a conn_str's password (backend.go).
	maskAllSecrets(res.Files, l.secrets, l.diags.HasErrors())
	if l.diags.HasErrors() {
		return res, l.diags
	}
	res.Definition = def
	return res, l.diags
}

type loader struct {
	parser *hclparse.Parser
	dir    string
	opts   Options
	diags  hcl.Diagnostics
	// unparsed holds the files refused before parsing (limits.go) whose
	// diagnostics can show a short source line.
	unparsed map[string]*hcl.File
	// secrets are the source ranges of the frameworm block's passwords,
	// masked in the files a load returns.
	secrets []hcl.Range
	// executors are the executor blocks decoded (executor.go), by type
	// and name; badExecutors those whose errors are already reported.
	executors    map[executorKey]*definition.Executor
	badExecutors map[executorKey]bool
	// locals are the local values (locals.go), set before any search
	// expression is evaluated.
	locals *localScope
	// searches is the graph of searches (upstream.go); decoding is the
	// state of the search being decoded.
	searches *searchGraph
	decoding searchDecoding
	// badRefs are the references to searches reported when the searches
	// they read were decoded: they are not evaluated.
	badRefs map[hcl.Range]bool
}

// check checks a source against the limits before it is parsed; see
// CheckSource.
func (l *loader) check(name string, src []byte, what string, json bool) bool {
	var diags hcl.Diagnostics
	if json {
		diags = checkJSONSource(name, src, what)
	} else {
		diags = CheckSource(name, src, what)
	}
	l.add(diags...)
	if !diags.HasErrors() {
		return true
	}
	if r := diags[0].Subject; r != nil && shortLine(src, r.Start.Byte) {
		if l.unparsed == nil {
			l.unparsed = map[string]*hcl.File{}
		}
		l.unparsed[name] = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
	}
	return false
}

// shortLine reports whether the line holding byte off of src is short
// enough to quote in a diagnostic.
func shortLine(src []byte, off int) bool {
	if off > len(src) {
		return false
	}
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		end = len(src) - off
	}
	return off+end-start <= 200
}

func (l *loader) add(d ...*hcl.Diagnostic) { l.diags = append(l.diags, d...) }

func (l *loader) load(sources []Source) *definition.Definition {
	var files []*hcl.File
	for _, src := range sources {
		if !l.check(src.Name, src.Bytes, "search file", false) {
			continue
		}
		f, diags := l.parser.ParseHCL(src.Bytes, src.Name)
		l.add(diags...)
		if f != nil && f.Body != nil {
			files = append(files, f)
		}
	}
	if l.diags.HasErrors() {
		// Like Terraform: with syntax errors, the rest of the checks
		// would mostly report their consequences.
		return nil
	}
	var varBlocks, searchBlocks, frameworkBlocks, executorBlocks, localBlocks []*hcl.Block
	for _, f := range files {
		content, diags := f.Body.Content(rootSchema)
		l.add(diags...)
		for _, b := range content.Blocks {
			switch b.Type {
			case "variable":
				varBlocks = append(varBlocks, b)
			case "search":
				searchBlocks = append(searchBlocks, b)
			case "frameworm":
				frameworkBlocks = append(frameworkBlocks, b)
			case "executor":
				executorBlocks = append(executorBlocks, b)
			case "locals":
				localBlocks = append(localBlocks, b)
			}
		}
	}
	vars := l.decodeVariables(varBlocks)
	l.decodeLocals(localBlocks, l.evalContext(vars))
	ctx := l.evalContext(vars)
	def := &definition.Definition{Dir: l.dir}
	bd := &backendDecoder{source: func(name string) []byte {
		if f := l.parser.Files()[name]; f != nil {
			return f.Bytes
		}
		return nil
	}}
	def.Backend = bd.decode(frameworkBlocks)
	l.add(bd.diags...)
	l.secrets = bd.secrets
	l.decodeExecutors(executorBlocks, ctx)
	seen := map[string]*hcl.Block{}
	var unique []*hcl.Block
	for _, b := range searchBlocks {
		name := b.Labels[0]
		if !l.checkName(b, "search") {
			continue
		}
		if prev, ok := seen[name]; ok {
			l.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate search",
				Detail:   fmt.Sprintf("A search named %q was already declared at %s. Search names must be unique within a directory; rename one of them.", name, prev.DefRange),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		seen[name] = b
		unique = append(unique, b)
	}
	// Searches are decoded in dependency order (upstream.go), and listed
	// in source order.
	g, order := l.buildSearchGraph(unique)
	l.searches = g
	for _, n := range order {
		l.decodeNode(n, ctx)
	}
	for _, n := range g.nodes {
		if n.search != nil {
			def.Searches = append(def.Searches, n.search)
		}
	}
	return def
}

// checkName reports a label that is not a valid identifier-like name.
func (l *loader) checkName(b *hcl.Block, what string) bool {
	name := b.Labels[0]
	if validName(name) {
		return true
	}
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s name", what),
		Detail:   fmt.Sprintf("%q is not a valid %s name: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes.", name, what),
		Subject:  b.LabelRanges[0].Ptr(),
	})
	return false
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '-' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}
