package hcl

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/internal/connstr"
)

// The frameworm block (docs/language.md, "The frameworm block and state
// backends") says where the state is kept:
//
//	frameworm {
//	  backend "pg" {
//	    conn_str      = "postgres://fw@db.internal/frameworm"
//	    schema_name   = "frameworm"
//	    workspace     = "digits"
//	    retry_timeout = "2m"
//	  }
//	}
//
// At most one frameworm block per directory, holding at most one backend
// block. Its values are literal constants, as Terraform's backend
// settings are: the block is read before variables are set, and by
// commands that read nothing else (LoadBackend).
//
// conn_str may hold a password. Nothing here puts it into a diagnostic's
// text, and the source files a load returns (Result.Files, for snippets)
// have its bytes replaced by '*', so that no rendered diagnostic shows it.

// Backend defaults.
const (
	DefaultSchemaName = "frameworm"
	DefaultWorkspace  = "default"
	// MaxWorkspaceLen is the longest workspace name, in bytes.
	MaxWorkspaceLen = 200
)

// backendTypes are the known backend types.
var backendTypes = []string{"pg"}

// backendAliases are names people write for a known backend type.
var backendAliases = map[string]string{
	"postgres": "pg", "postgresql": "pg", "postgre": "pg", "pgsql": "pg", "psql": "pg", "pgx": "pg",
}

var (
	frameworkRootSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{{Type: "frameworm"}},
	}
	frameworkSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}},
	}
	pgBackendSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "conn_str"},
			{Name: "schema_name"},
			{Name: "workspace"},
			{Name: "retry_timeout"},
		},
	}
)

var (
	schemaNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	workspaceRE  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// constantHint ends the messages about values that are not constants.
const constantHint = "The backend block is read before variables are set, and by commands that read nothing else (state list, init, force-unlock), so its values are written literally. To keep the connection string out of the file, leave conn_str out and set FW_PG_CONN_STR, or the PG* variables (PGHOST, PGUSER, ...)."

// LoadBackend reads only the frameworm blocks of the directory's search
// files (the same files LoadDir reads), ignoring every other block and
// attribute, so that commands which work without valid search files (state
// list, force-unlock, init, state pull/push) still find their state. It
// returns nil and no diagnostics when no file declares a frameworm block.
//
// Errors elsewhere in a file, syntax errors included, are not reported:
// only the text of the frameworm blocks is parsed, found by the lexer at
// the top level of each file. A file that cannot be read, or is larger
// than MaxSourceSize, is an error, since it may hold the block. The
// diagnostics name files as LoadDir's do (base names, relative to dir),
// with the same ranges, and are the same as LoadDir reports for the block;
// their text never holds a password.
func LoadBackend(dir string) (*definition.Backend, hcl.Diagnostics) {
	b, _, diags := LoadBackendFiles(dir)
	return b, diags
}

// LoadBackendFiles is LoadBackend, also returning the sources its
// diagnostics point into, for rendering them with snippets: each file
// holding a frameworm block, with everything but those blocks blanked
// and the passwords of conn_str replaced by '*'.
func LoadBackendFiles(dir string) (*definition.Backend, map[string]*hcl.File, hcl.Diagnostics) {
	names, err := ListDir(dir)
	if err != nil {
		return nil, map[string]*hcl.File{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the search directory",
			Detail:   fmt.Sprintf("%s. Run fwapply in the directory that holds your *%s files, or pass -chdir=DIR.", err, FileSuffix),
		}}
	}
	sources, diags := readSources(names)
	b, files, more := backendFromSources(sources)
	diags = append(diags, more...)
	if diags.HasErrors() {
		return nil, files, diags
	}
	return b, files, diags
}

// backendFromSources is LoadBackendFiles on search files given as bytes.
func backendFromSources(sources []Source) (*definition.Backend, map[string]*hcl.File, hcl.Diagnostics) {
	files := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	var blocks []*hcl.Block
	parsed := map[string][]byte{}
	for _, source := range sources {
		name := source.Name
		src, found := frameworkOnly(source.Bytes, name)
		if !found {
			diags = append(diags, hiddenBlock(source.Bytes, name)...)
			continue
		}
		files[name] = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
		if more := CheckSource(name, src, "search file"); more.HasErrors() {
			diags = append(diags, more...)
			continue
		}
		f, more := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		diags = append(diags, more...)
		if more.HasErrors() || f == nil {
			continue
		}
		files[name] = f
		parsed[name] = src
		content, _, more := f.Body.PartialContent(frameworkRootSchema)
		diags = append(diags, more...)
		blocks = append(blocks, content.Blocks...)
	}
	if diags.HasErrors() {
		maskAllSecrets(files, nil, true)
		return nil, files, diags
	}
	d := &backendDecoder{source: func(name string) []byte { return parsed[name] }}
	backend := d.decode(blocks)
	diags = append(diags, d.diags...)
	maskAllSecrets(files, d.secrets, true)
	if diags.HasErrors() {
		return nil, files, diags
	}
	return backend, files, diags
}

// frameworkOnly returns src with every byte outside its top-level
// frameworm blocks replaced by a space (newlines kept), so that parsing it
// reads those blocks alone, at their own lines, columns and byte offsets.
// found is false when src has no frameworm block.
func frameworkOnly(src []byte, filename string) (out []byte, found bool) {
	regions, _ := frameworkRegions(src, filename)
	if len(regions) == 0 {
		return nil, false
	}
	out = make([]byte, len(src))
	for k, c := range src {
		if c == '\n' {
			out[k] = c
		} else {
			out[k] = ' '
		}
	}
	for _, r := range regions {
		copy(out[r[0]:r[1]], src[r[0]:r[1]])
	}
	return out, true
}

// frameworkRegions returns the byte ranges of the top-level frameworm
// blocks of src, and its tokens. A block is the token "frameworm" first on
// a line at the top level, up to its matching '}' (or the end of src, for
// the parser to report). A "frameworm" at the start of its line (column 1)
// counts as top level even when brackets before it are left open: in a
// file with syntax errors, where the nesting is unknown, top-level blocks
// are the ones not indented.
func frameworkRegions(src []byte, filename string) ([][2]int, hclsyntax.Tokens) {
	if !bytes.Contains(src, []byte("frameworm")) {
		return nil, nil
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	var regions [][2]int
	depth := 0
	lineStart := true
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		topLevel := depth == 0 || tok.Range.Start.Column == 1
		if topLevel && lineStart && tok.Type == hclsyntax.TokenIdent && string(tok.Bytes) == "frameworm" {
			if end, ok := blockEnd(tokens, i); ok {
				stop := len(src)
				if end < len(tokens) {
					stop = tokens[end].Range.End.Byte
				}
				regions = append(regions, [2]int{tok.Range.Start.Byte, stop})
				i = end
				lineStart = false
				continue
			}
		}
		depth = max(depth+nestingDelta(tok.Type), 0)
		lineStart = tok.Type == hclsyntax.TokenNewline || tok.Type == hclsyntax.TokenComment
	}
	return regions, tokens
}

// lexedSecrets returns the ranges of the passwords in the string literals
// of src's frameworm blocks, read from tokens: it finds them even in a
// file with syntax errors, which is never decoded. A literal is read as a
// connection string and, for one held inside it, as unquoted text is.
func lexedSecrets(src []byte, filename string) []hcl.Range {
	regions, tokens := frameworkRegions(src, filename)
	var out []hcl.Range
	for _, r := range regions {
		// The block's bytes with its string literals blanked: what is
		// left may hold a connection string written without quotes.
		unquoted := slices.Clone(src[r[0]:r[1]])
		for _, tok := range tokens {
			if tok.Range.Start.Byte < r[0] || tok.Range.End.Byte > r[1] {
				continue
			}
			if tok.Type != hclsyntax.TokenQuotedLit && tok.Type != hclsyntax.TokenStringLit {
				continue
			}
			for _, sp := range connstr.Spans(string(tok.Bytes)) {
				out = append(out, byteRange(filename, tok.Range.Start.Byte+sp[0], tok.Range.Start.Byte+sp[1]))
			}
			// A literal that is not a connection string may hold one
			// ("x=postgres://u:pw@" reads as a setting x, with no
			// password): look inside it as in unquoted text.
			out = append(out, unquotedSecrets(tok.Bytes, tok.Range.Start.Byte, filename)...)
			for k := tok.Range.Start.Byte; k < tok.Range.End.Byte; k++ {
				if unquoted[k-r[0]] != '\n' {
					unquoted[k-r[0]] = ' '
				}
			}
		}
		out = append(out, unquotedSecrets(unquoted, r[0], filename)...)
	}
	return out
}

// unquotedSecrets returns the ranges of the passwords in a connection
// string written without quotes in text (a block's bytes with its string
// literals blanked, starting at
// byte offset base of its file): a syntax error's snippet shows such a
// line as written. A URL runs from its scheme to the end of its line (a
// password may hold any byte), as does a key=value password lookalike
// from "password".
func unquotedSecrets(text []byte, base int, filename string) []hcl.Range {
	var out []hcl.Range
	add := func(start, end int) {
		for _, sp := range connstr.Spans(string(text[start:end])) {
			out = append(out, byteRange(filename, base+start+sp[0], base+start+sp[1]))
		}
	}
	for from := 0; ; {
		k := bytes.Index(text[from:], []byte("://"))
		if k < 0 {
			break
		}
		k += from
		start := k
		for start > 0 && isSchemeByte(text[start-1]) {
			start--
		}
		end := k + 3
		for end < len(text) && text[end] != '\n' {
			end++
		}
		add(start, end)
		from = k + 3
	}
	lower := bytes.ToLower(text)
	for from := 0; ; {
		k := bytes.Index(lower[from:], []byte("password"))
		if k < 0 {
			break
		}
		k += from
		end := k
		for end < len(text) && text[end] != '\n' {
			end++
		}
		add(k, end)
		from = k + len("password")
	}
	return out
}

// isSchemeByte reports whether c may be part of a URL scheme.
func isSchemeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '.' || c == '-'
}

// hiddenFrameworkRE matches a line that starts like a frameworm block.
var hiddenFrameworkRE = regexp.MustCompile(`(?m)^frameworm[ \t]*(\{|"|$)`)

// hiddenBlock is the error for a file where frameworkRegions finds no
// block but a line starts like one, and the file does not parse: a syntax
// error before it (an unclosed string, say) hides it, and reading no
// backend would silently use the local state file instead.
func hiddenBlock(src []byte, filename string) hcl.Diagnostics {
	loc := hiddenFrameworkRE.FindIndex(src)
	if loc == nil {
		return nil
	}
	// A file beyond the limits is not parsed (the parser could crash the
	// process); it is broken all the same.
	if !CheckSource(filename, src, "search file").HasErrors() {
		if _, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); !diags.HasErrors() {
			return nil
		}
	}
	start := position(src, loc[0])
	end := start
	end.Byte += len("frameworm")
	end.Column += len("frameworm")
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unreadable frameworm block",
		Detail:   "This line looks like the start of a frameworm block, but a syntax error before it (an unclosed string or bracket) keeps it from being read, so where the state is kept is unknown. Fix the syntax errors: fwapply validate shows them.",
		Subject:  &hcl.Range{Filename: filename, Start: start, End: end},
	}}
}

// blockEnd returns the index of the '}' closing the block whose type is
// tokens[start], or len(tokens) when it is not closed; ok is false when
// tokens[start] does not begin a block (no '{' before the end of the line).
func blockEnd(tokens hclsyntax.Tokens, start int) (int, bool) {
	i := start + 1
	for ; i < len(tokens) && tokens[i].Type != hclsyntax.TokenOBrace; i++ {
		switch tokens[i].Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF, hclsyntax.TokenEqual:
			return 0, false
		}
	}
	if i == len(tokens) {
		return 0, false
	}
	depth := 0
	for ; i < len(tokens); i++ {
		if tokens[i].Type == hclsyntax.TokenEOF {
			break
		}
		depth += nestingDelta(tokens[i].Type)
		if depth <= 0 {
			return i, true
		}
	}
	return len(tokens), true
}

// nestingDelta is +1 for a token that opens a level of nesting, -1 for
// one that closes it.
func nestingDelta(t hclsyntax.TokenType) int {
	switch t {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
		hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl,
		hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc:
		return 1
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
		hclsyntax.TokenTemplateSeqEnd, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
		return -1
	}
	return 0
}

// backendDecoder decodes frameworm blocks. source returns a file's bytes,
// for finding where a password is written; secrets collects the source
// ranges of the passwords found, for masking.
type backendDecoder struct {
	source  func(filename string) []byte
	diags   hcl.Diagnostics
	secrets []hcl.Range
}

func (d *backendDecoder) add(diags ...*hcl.Diagnostic) { d.diags = append(d.diags, diags...) }

// decode decodes the frameworm blocks of a directory, in file order, and
// returns the backend, nil for the local state file.
func (d *backendDecoder) decode(blocks []*hcl.Block) *definition.Backend {
	if len(blocks) == 0 {
		return nil
	}
	first := blocks[0]
	for _, b := range blocks[1:] {
		d.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate frameworm block",
			Detail:   fmt.Sprintf("A directory has at most one frameworm block, across all its search files; the first one is at %s. Keep one, holding the backend block.", first.DefRange),
			Subject:  b.DefRange.Ptr(),
		})
	}
	content, diags := first.Body.Content(frameworkSchema)
	d.add(diags...)
	var backendBlock *hcl.Block
	for _, b := range content.Blocks {
		if backendBlock != nil {
			d.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate backend block",
				Detail:   fmt.Sprintf("The frameworm block has at most one backend block, the one state of the directory; the first one is at %s.", backendBlock.DefRange),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		backendBlock = b
	}
	if backendBlock == nil {
		return nil
	}
	return d.decodeBackend(backendBlock)
}

func (d *backendDecoder) decodeBackend(b *hcl.Block) *definition.Backend {
	typ := b.Labels[0]
	if !d.checkType(b) {
		return nil
	}
	errsBefore := len(d.diags.Errs())
	content, diags := b.Body.Content(pgBackendSchema)
	d.add(diags...)
	be := &definition.Backend{
		Type:      typ,
		Schema:    DefaultSchemaName,
		Workspace: DefaultWorkspace,
		DeclRange: b.DefRange,
	}
	attrs := content.Attributes
	if a := attrs["conn_str"]; a != nil {
		if v, ok := d.constString(a); ok {
			be.ConnStr = v
			d.checkConnStr(a, v)
		}
	}
	d.checkedString(attrs["schema_name"], schemaNameProblem, &be.Schema)
	d.checkedString(attrs["workspace"], workspaceProblem, &be.Workspace)
	if a := attrs["retry_timeout"]; a != nil {
		if v, ok := d.constString(a); ok {
			dur, diag := positiveDuration(a, v, `"30s", "2m" or "1h"`,
				"retry_timeout must be positive, got %q: it is how long writes wait for the database to come back. Remove it for the default of 2 minutes.")
			if diag != nil {
				d.add(diag)
			} else {
				be.RetryTimeout = dur
			}
		}
	}
	if len(d.diags.Errs()) > errsBefore {
		return nil
	}
	return be
}

// checkedString sets *dst to the constant string value of a, when a is
// set and problem (schemaNameProblem, say) finds nothing wrong with it;
// else it adds the error "Invalid <name>" with problem's message.
func (d *backendDecoder) checkedString(a *hcl.Attribute, problem func(string) string, dst *string) {
	if a == nil {
		return
	}
	v, ok := d.constString(a)
	if !ok {
		return
	}
	if msg := problem(v); msg != "" {
		d.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   msg,
			Subject:  a.Expr.Range().Ptr(),
		})
		return
	}
	*dst = v
}

// checkType reports whether the backend block's type is known, and adds
// the error when it is not.
func (d *backendDecoder) checkType(b *hcl.Block) bool {
	typ := b.Labels[0]
	for _, t := range backendTypes {
		if typ == t {
			return true
		}
	}
	known := quoteList(backendTypes)
	var detail string
	switch lower := strings.ToLower(typ); {
	case lower == "local" || lower == "file":
		detail = fmt.Sprintf("The local state file is the default: without a backend block the state is kept in the file frameworm.fwstate (or -state=PATH). Remove the backend block to use it; the known backend types are %s.", known)
	case backendAliases[lower] != "":
		detail = fmt.Sprintf("Unknown backend type %q. Did you mean %q? The known backend types are %s (PostgreSQL).", typ, backendAliases[lower], known)
	default:
		detail = fmt.Sprintf("Unknown backend type %q.%s The known backend types are %s (PostgreSQL).", typ, Suggest(typ, append([]string(nil), backendTypes...)), known)
	}
	d.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown backend type",
		Detail:   detail,
		Subject:  b.LabelRanges[0].Ptr(),
	})
	return false
}

// constString evaluates an attribute that must be a constant string. A
// null value is absent (ok false, no error).
func (d *backendDecoder) constString(a *hcl.Attribute) (string, bool) {
	if vars := a.Expr.Variables(); len(vars) > 0 {
		for _, tr := range vars {
			d.add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Variables not allowed",
				Detail:   fmt.Sprintf("%s cannot refer to %s. %s", a.Name, traversalString(tr), constantHint),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	for _, diag := range diags {
		if diag.Summary == "Function calls not allowed" {
			diag.Detail = fmt.Sprintf("%s cannot call functions. %s", a.Name, constantHint)
		}
	}
	d.add(diags...)
	if diags.HasErrors() {
		return "", false
	}
	if v.IsNull() {
		return "", false
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil || !sv.IsKnown() {
		d.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for attribute %q: a string required, got %s.", a.Name, v.Type().FriendlyName()),
			Subject:  a.Expr.Range().Ptr(),
		})
		return "", false
	}
	return sv.AsString(), true
}

// checkConnStr checks a conn_str, warns when it holds a password and
// records where the password is written. No message quotes v.
func (d *backendDecoder) checkConnStr(a *hcl.Attribute, v string) {
	d.recordSecrets(a.Expr.Range(), v)
	if strings.TrimLeft(v, " \t\n\r\v\f") == "" {
		d.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid conn_str",
			Detail:   "conn_str is empty. Remove it to connect with FW_PG_CONN_STR or the PG* environment variables (PGHOST, PGUSER, PGDATABASE, ...), or write a URL like postgres://USER@HOST:5432/DATABASE.",
			Subject:  a.Expr.Range().Ptr(),
		})
		return
	}
	hasPassword, err := connstr.Check(v)
	if err != nil {
		d.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid conn_str",
			Detail:   fmt.Sprintf("conn_str is not a PostgreSQL connection string: %s. Write a URL like postgres://USER@HOST:5432/DATABASE, or settings like host=HOST dbname=DATABASE user=USER.", err),
			Subject:  a.Expr.Range().Ptr(),
		})
		return
	}
	if hasPassword {
		d.add(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Password in a search file",
			Detail:   "conn_str holds a password, and search files are usually committed to version control. Leave the password out of conn_str and keep it in ~/.pgpass or PGPASSWORD, or move the whole connection string to the FW_PG_CONN_STR environment variable (used when the backend block has no conn_str). fwapply never prints it.",
			Subject:  a.NameRange.Ptr(),
		})
	}
}

// recordSecrets records the source ranges of the passwords of the
// connection string v, the value of the expression at rng: exactly the
// passwords when the expression is a quoted string written without
// escapes, else the whole of it.
func (d *backendDecoder) recordSecrets(rng hcl.Range, v string) {
	spans := connstr.Spans(v)
	if len(spans) == 0 {
		return
	}
	src := d.source(rng.Filename)
	start, end := rng.Start.Byte, rng.End.Byte
	if src == nil || start < 0 || end > len(src) || start >= end {
		return
	}
	text := src[start:end]
	if len(text) == len(v)+2 && text[0] == '"' && text[len(text)-1] == '"' && string(text[1:len(text)-1]) == v {
		for _, sp := range spans {
			d.secrets = append(d.secrets, byteRange(rng.Filename, start+1+sp[0], start+1+sp[1]))
		}
		return
	}
	if text[0] == '"' && text[len(text)-1] == '"' && len(text) >= 2 {
		start, end = start+1, end-1
	}
	d.secrets = append(d.secrets, byteRange(rng.Filename, start, end))
}

// byteRange is a range of bytes; only the byte offsets are used.
func byteRange(filename string, start, end int) hcl.Range {
	return hcl.Range{Filename: filename, Start: hcl.Pos{Byte: start}, End: hcl.Pos{Byte: end}}
}

// maskAllSecrets masks in files the passwords at decoded (the ranges a
// backendDecoder recorded) and, when lex is set, those lexedSecrets
// finds: a load with errors (syntax errors, or blocks left undecoded)
// needs both; a load without errors decoded every conn_str, and is spared
// lexing its files again.
func maskAllSecrets(files map[string]*hcl.File, decoded []hcl.Range, lex bool) {
	secrets := append([]hcl.Range(nil), decoded...)
	for name, f := range files {
		if f != nil && lex {
			secrets = append(secrets, lexedSecrets(f.Bytes, name)...)
		}
	}
	maskSecrets(files, secrets)
}

// maskSecrets replaces in files the bytes of the given ranges by '*'
// (newlines kept), in copies of the files: they stay usable for rendering
// diagnostics, at the same lines and columns, without the passwords.
func maskSecrets(files map[string]*hcl.File, secrets []hcl.Range) {
	masked := map[string][]byte{}
	for _, r := range secrets {
		f := files[r.Filename]
		if f == nil || r.End.Byte > len(f.Bytes) {
			continue
		}
		b := masked[r.Filename]
		if b == nil {
			b = append([]byte(nil), f.Bytes...)
			masked[r.Filename] = b
		}
		for k := r.Start.Byte; k < r.End.Byte; k++ {
			if b[k] != '\n' && b[k] != '\r' {
				b[k] = '*'
			}
		}
	}
	for name, b := range masked {
		f := *files[name]
		f.Bytes = b
		files[name] = &f
	}
}

// schemaNameProblem says what is wrong with a schema name, or "".
func schemaNameProblem(v string) string {
	switch {
	case !schemaNameRE.MatchString(v):
		return fmt.Sprintf("%q is not a schema name fwapply accepts: 1 to 63 lowercase letters, digits and underscores, starting with a letter or underscore (PostgreSQL's unquoted identifiers). Remove schema_name for the default %q.", v, DefaultSchemaName)
	case strings.HasPrefix(v, "pg_") || v == "information_schema":
		return fmt.Sprintf("%q is reserved by PostgreSQL for its system schemas. Choose another name, or remove schema_name for the default %q.", v, DefaultSchemaName)
	}
	return ""
}

// workspaceProblem says what is wrong with a workspace name, or "".
func workspaceProblem(v string) string {
	switch {
	case v == "":
		return fmt.Sprintf("workspace cannot be empty. Remove it for the default %q.", DefaultWorkspace)
	case len(v) > MaxWorkspaceLen:
		return fmt.Sprintf("The workspace name is %d bytes long, more than the %d a name may have.", len(v), MaxWorkspaceLen)
	case !workspaceRE.MatchString(v):
		return fmt.Sprintf("%q is not a workspace name: use letters, digits, '-', '_' and '.'.", v)
	}
	return ""
}
