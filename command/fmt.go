package command

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/format"
	"github.com/frameworm/frameworm/textdiff"
)

const fmtHelp = `
Usage: fwapply [-chdir=DIR] fmt [flags] [PATH...]

  Rewrites search files (*.fw.hcl) in the canonical format. With no PATH it
  formats the working directory; a directory PATH formats its *.fw.hcl files,
  a file PATH formats that file, and "-" formats standard input to standard
  output. A file with syntax errors is reported and left untouched.

  Prints the name of each file it changed (or, with -check, would change).

  Exit status: 0 when done (or, with -check, when every file is formatted),
  3 with -check when a file would change, 2 on errors.
`

const (
	fmtExitError   = 2
	fmtExitChanged = 3
)

func runFmt(m *Meta, args []string) int {
	a, diags := arguments.ParseFmt(args)
	if diags.HasErrors() {
		if arguments.IsHelp(diags) {
			return m.help("fmt")
		}
		m.view(a.NoColor).Diagnostics(diags)
		return fmtExitError
	}
	view := m.view(a.NoColor)
	if len(a.Paths) == 1 && a.Paths[0] == "-" {
		return fmtStdin(m, a)
	}
	paths := make([]string, len(a.Paths))
	for i, p := range a.Paths {
		paths[i] = m.abs(p)
	}
	if len(paths) == 0 {
		paths = []string{m.WorkDir}
	}
	files, err := format.Files(paths, a.Recursive)
	if err != nil {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot list files to format",
			Detail:   fmt.Sprintf("%s. Give existing files or directories.", err),
		}})
		return fmtExitError
	}
	status := 0
	var allDiags hcl.Diagnostics
	allFiles := map[string]*hcl.File{}
	for _, path := range files {
		name := m.display(path)
		src, err := os.ReadFile(path)
		if err != nil {
			allDiags = append(allDiags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read file",
				Detail:   fmt.Sprintf("%s: %s.", name, err),
			})
			status = fmtExitError
			continue
		}
		out, diags := format.Source(name, src)
		if diags.HasErrors() {
			allDiags = append(allDiags, diags...)
			allFiles[name] = &hcl.File{Bytes: src}
			status = fmtExitError
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		fmt.Fprintln(m.Stdout, name)
		if a.Diff {
			fmt.Fprint(m.Stdout, colorDiff(view.Color, textdiff.Unified("old/"+name, "new/"+name, src, out)))
		}
		if a.Check {
			if status == 0 {
				status = fmtExitChanged
			}
			continue
		}
		if a.Write {
			if err := atomicfile.Write(path, out, 0o644); err != nil {
				allDiags = append(allDiags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Cannot write file",
					Detail:   fmt.Sprintf("%s: %s.", name, err),
				})
				status = fmtExitError
			}
		}
	}
	view.Files = allFiles
	view.Diagnostics(allDiags)
	return status
}

func fmtStdin(m *Meta, a *arguments.Fmt) int {
	view := m.view(a.NoColor)
	src, err := io.ReadAll(m.Stdin)
	if err != nil {
		fmt.Fprintf(m.Stderr, "Error: cannot read standard input: %s\n", err)
		return fmtExitError
	}
	out, diags := format.Source("<stdin>", src)
	if diags.HasErrors() {
		view.Files = map[string]*hcl.File{"<stdin>": {Bytes: src}}
		view.Diagnostics(diags)
		return fmtExitError
	}
	changed := !bytes.Equal(src, out)
	switch {
	case a.Diff:
		fmt.Fprint(m.Stdout, colorDiff(view.Color, textdiff.Unified("old/<stdin>", "new/<stdin>", src, out)))
	case !a.Check:
		m.Stdout.Write(out)
	}
	if a.Check && changed {
		return fmtExitChanged
	}
	return 0
}

// display names a file relative to the working directory when it is under it.
func (m *Meta) display(path string) string {
	wd, err := filepath.Abs(m.WorkDir)
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

func colorDiff(color bool, diff string) string {
	if !color || diff == "" {
		return diff
	}
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter([]byte(diff), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		code := ""
		switch {
		case bytes.HasPrefix(line, []byte("+++")), bytes.HasPrefix(line, []byte("---")):
			code = "1"
		case line[0] == '+':
			code = "32"
		case line[0] == '-':
			code = "31"
		case line[0] == '@':
			code = "36"
		}
		if code == "" {
			b.Write(line)
			continue
		}
		b.WriteString("\x1b[" + code + "m")
		b.Write(bytes.TrimSuffix(line, []byte("\n")))
		b.WriteString("\x1b[0m\n")
	}
	return b.String()
}
