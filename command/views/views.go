// Package views renders the results of fwapply commands, for people (text
// with colour and source snippets) and for programs (JSON with a
// format_version that only grows by adding fields).
//
// Contract: a view writes only to the writers it is given, and rendering
// never changes exit statuses or state; commands pick those.
package views

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
)

// FormatVersion is the format_version of every JSON document fwapply
// prints. Minor versions add fields; a major version would remove or change
// one.
const FormatVersion = "1.0"

// View is what every command renders through.
type View struct {
	Stdout, Stderr io.Writer
	Color          bool
	Width          int // columns for wrapping diagnostics; 0 means 78
	// Files are the sources diagnostics point into, for snippets.
	Files map[string]*hcl.File
}

// Diagnostics writes diags to stderr with source snippets.
func (v *View) Diagnostics(diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	width := v.Width
	if width <= 0 {
		width = 78
	}
	files := v.Files
	if files == nil {
		files = map[string]*hcl.File{}
	}
	w := hcl.NewDiagnosticTextWriter(v.Stderr, files, uint(width), v.Color)
	for _, d := range diags {
		// WriteDiagnostic only fails when the writer does; there is
		// nowhere left to report that.
		_ = w.WriteDiagnostic(d)
	}
}

// Printf writes a line of human output to stdout.
func (v *View) Printf(format string, args ...any) {
	fmt.Fprintf(v.Stdout, format, args...)
}

// Colorize wraps s in the ANSI codes of attr when colour is on.
func (v *View) Colorize(attr, s string) string {
	if !v.Color {
		return s
	}
	codes := map[string]string{"bold": "1", "red": "31", "green": "32", "yellow": "33", "cyan": "36", "dim": "2"}
	c, ok := codes[attr]
	if !ok {
		return s
	}
	return "\x1b[" + c + "m" + s + "\x1b[0m"
}

// JSON writes doc as indented JSON to stdout.
func (v *View) JSON(doc any) error {
	enc := json.NewEncoder(v.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JSON output: %w", err)
	}
	return nil
}

// JSONPos is a position in a source file.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// JSONRange is a source range.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONDiagnostic is one diagnostic in machine-readable output.
type JSONDiagnostic struct {
	Severity string     `json:"severity"` // "error" or "warning"
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *JSONRange `json:"range,omitempty"`
	Snippet  *string    `json:"snippet,omitempty"`
}

// NewJSONDiagnostics converts diagnostics for JSON output; it never
// returns nil, so an empty list encodes as [].
func NewJSONDiagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) []JSONDiagnostic {
	out := make([]JSONDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := JSONDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			r := d.Subject
			jd.Range = &JSONRange{
				Filename: r.Filename,
				Start:    JSONPos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
				End:      JSONPos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
			}
			if f := files[r.Filename]; f != nil && r.Start.Byte >= 0 && r.End.Byte <= len(f.Bytes) && r.Start.Byte <= r.End.Byte {
				s := string(f.Bytes[r.Start.Byte:r.End.Byte])
				jd.Snippet = &s
			}
		}
		out = append(out, jd)
	}
	return out
}

// Count returns the number of errors and warnings in diags.
func Count(diags hcl.Diagnostics) (errs, warns int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			warns++
		} else {
			errs++
		}
	}
	return errs, warns
}
