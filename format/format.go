// Package format puts Frameworm's HCL files (*.fw.hcl and *.fwvars.hcl)
// in canonical form, for the "fwapply fmt" command.
//
// Contract:
//   - Source refuses a file with syntax errors: it returns nil and the
//     diagnostics of hclsyntax.ParseConfig, whose ranges name the given
//     file and point into the given bytes, and never a half-formatted file.
//     It refuses a file beyond the loader's limits (hcl.CheckSource: size
//     and nesting) the same way, before parsing it.
//   - Otherwise the canonical form is the layout of hclwrite.Format
//     (indentation, spacing, aligned "=" and comments), with every line
//     ending in LF rather than CRLF, no spaces or tabs at the end of a line
//     and exactly one newline at the end of the file; a file that holds
//     nothing but white space becomes empty. The text of heredocs is a
//     value, so spaces at the end of its lines are kept (CRLF there does
//     become LF).
//   - Only layout changes: the result has the same tokens as the input,
//     but for white space (including that at the end of comments' lines)
//     and line ends. Source checks this, and refuses with an error
//     diagnostic at the token concerned the rare files where
//     hclwrite.Format would merge tokens (it turns "1. 5", a legacy index
//     on a number, into the number "1.5").
//   - Source is idempotent, Source(Source(x)) == Source(x), and its result
//     parses without errors. Formatting is repeated until it changes
//     nothing; should that take more than a few rounds, or should the
//     result not parse, Source returns an error diagnostic rather than a
//     result that breaks this contract.
//   - Files finds the files to format from command-line arguments; it
//     reads directories but no file contents. Source touches no files.
package format

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	fwhcl "github.com/frameworm/frameworm/hcl"
)

// maxRounds bounds the number of formatting rounds Source tries in order
// to reach a text that formatting leaves unchanged.
const maxRounds = 5

// Source returns the canonical form of src. A file with syntax errors is
// refused: it returns nil and the parser's hcl.Diagnostics (with source
// ranges), never a half-formatted file. On success the diagnostics hold
// the parser's warnings, if any.
//
// Formatting is hclwrite.Format, after checking syntax with
// hclsyntax.ParseConfig, followed by the normalizations of the package
// contract (CRLF to LF, no trailing white space, exactly one final newline,
// and an empty file for one with only white space). The result is
// idempotent: Source(Source(x)) == Source(x).
func Source(filename string, src []byte) ([]byte, hcl.Diagnostics) {
	// The parser may crash the process on a file beyond the loader's
	// limits (deep nesting), so those are refused first.
	if diags := fwhcl.CheckSource(filename, src, "file"); diags.HasErrors() {
		return nil, diags
	}
	_, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}

	out := src
	for range maxRounds {
		next := formatOnce(filename, out)
		if !bytes.Equal(next, out) {
			out = next
			continue
		}
		// A fixed point; next, unlike out, never shares memory with src.
		if r := firstChange(filename, src, next); r != nil {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  summaryChangesTokens,
				Detail: "Formatting would change the tokens here (for example by joining two numbers " +
					"separated by a dot and a space into one), so the file is left as it is. " +
					"Add or remove spaces by hand to avoid the ambiguity.",
				Subject: r,
			})
		}
		if _, errs := hclsyntax.ParseConfig(next, filename, hcl.InitialPos); errs.HasErrors() {
			return nil, append(diags, internalError(filename, summaryInvalidResult,
				"Formatting this file gives invalid syntax, so the file is left as it is."))
		}
		return next, diags
	}
	return nil, append(diags, internalError(filename, summaryUnstable,
		fmt.Sprintf("Formatting this file does not reach a stable form in %d rounds, so the file is left as it is.", maxRounds)))
}

// Summaries of the diagnostics of Source on files that are valid but that
// it cannot format.
const (
	summaryChangesTokens = "Formatting would change the file's meaning"
	summaryInvalidResult = "Formatting gives invalid syntax"
	summaryUnstable      = "Formatting does not settle"
)

// internalError reports a failure of the formatter itself on a valid file.
func internalError(filename, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail + " This is a bug in the formatter.",
		Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
	}
}

// firstChange compares the tokens of src and out, but for white space
// and line ends, and returns the range in src of the first token that
// formatting changed, or nil when there is none.
func firstChange(filename string, src, out []byte) *hcl.Range {
	a, b := significantTokens(filename, src), significantTokens(filename, out)
	for i, t := range a {
		if i >= len(b) || b[i].Type != t.Type || !bytes.Equal(normalizeToken(b[i]), normalizeToken(t)) {
			return &t.Range
		}
	}
	if len(b) > len(a) {
		r := b[len(a)].Range
		return &hcl.Range{Filename: filename, Start: r.Start, End: r.Start}
	}
	return nil
}

// significantTokens returns the tokens of src but newlines and the end of
// file.
func significantTokens(filename string, src []byte) hclsyntax.Tokens {
	all, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	tokens := all[:0]
	for _, t := range all {
		if t.Type != hclsyntax.TokenNewline && t.Type != hclsyntax.TokenEOF {
			tokens = append(tokens, t)
		}
	}
	return tokens
}

// normalizeToken returns the text of t as formatting may leave it: with
// LF line ends, and for a comment without white space at line ends.
func normalizeToken(t hclsyntax.Token) []byte {
	text := toLF(t.Bytes)
	if t.Type != hclsyntax.TokenComment {
		return text
	}
	lines := bytes.Split(text, []byte{'\n'})
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, " \t\r")
	}
	return bytes.TrimRight(bytes.Join(lines, []byte{'\n'}), "\n")
}

// lineEnd matches a line end: a line feed after any carriage returns.
var lineEnd = regexp.MustCompile(`\r+\n`)

// toLF turns the line ends of src into single line feeds.
func toLF(src []byte) []byte {
	return lineEnd.ReplaceAllLiteral(src, []byte{'\n'})
}

// formatOnce applies one round of formatting to src, which must be free of
// syntax errors.
func formatOnce(filename string, src []byte) []byte {
	src = toLF(src)
	src = hclwrite.Format(src)
	src = trimLineEnds(filename, src)
	src = bytes.TrimRight(src, "\n")
	if len(src) == 0 {
		return []byte{}
	}
	return append(src, '\n')
}

// trimLineEnds removes the spaces, tabs and carriage returns at the end
// of each line of src, except on lines of heredoc text.
func trimLineEnds(filename string, src []byte) []byte {
	// Literal text tokens hold newlines only in heredocs: a quoted string
	// cannot span lines.
	inText := make(map[int]bool)
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	for _, t := range tokens {
		if t.Type != hclsyntax.TokenStringLit {
			continue
		}
		for i, c := range t.Bytes {
			if c == '\n' {
				inText[t.Range.Start.Byte+i] = true
			}
		}
	}

	out := make([]byte, 0, len(src))
	for pos := 0; pos < len(src); {
		end := len(src)
		if i := bytes.IndexByte(src[pos:], '\n'); i >= 0 {
			end = pos + i
		}
		line := src[pos:end]
		if !inText[end] {
			line = bytes.TrimRight(line, " \t\r")
		}
		out = append(out, line...)
		if end < len(src) {
			out = append(out, '\n')
		}
		pos = end + 1
	}
	return out
}

// Files lists the files fmt works on for the given PATH arguments: a file
// argument is taken as is (any name); a directory contributes its *.fw.hcl
// and *.fwvars.hcl files, sorted, and with recursive also those of its
// subdirectories, skipping hidden directories (such as .git and .fw) and
// testdata directories. No
// arguments means the current directory ".". A missing path is an error.
//
// The result keeps the order of the arguments; the files found in one
// directory argument are sorted by path. Paths are those of the
// arguments joined with the names found, so a relative argument gives
// relative paths.
func Files(paths []string, recursive bool) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := dirFiles(p, recursive, nil)
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, nil
}

// dirFiles appends to files the Frameworm HCL files in dir, and with
// recursive those of its subdirectories that are not hidden. Symbolic
// links to directories are not followed, except dir itself.
func dirFiles(dir string, recursive bool, files []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			// Like the go tool, skip testdata: it holds deliberately
			// unformatted inputs.
			if recursive && !strings.HasPrefix(e.Name(), ".") && e.Name() != "testdata" {
				if files, err = dirFiles(path, recursive, files); err != nil {
					return nil, err
				}
			}
		case strings.HasSuffix(e.Name(), ".fw.hcl"), strings.HasSuffix(e.Name(), ".fwvars.hcl"):
			files = append(files, path)
		}
	}
	return files, nil
}
