package command

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, dir string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, Meta{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, WorkDir: dir, Environ: []string{"NO_COLOR=1"}})
	return result{code, out.String(), errb.String()}
}

func write(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const valid = `search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 5
  base_config = { lr = 0.1 }
  param "lr" {
    type = real
    low  = 0.001
    high = 1
    log  = true
  }
  trial {
    command = ["true"]
  }
}
`

func TestValidate(t *testing.T) {
	r := run(t, "../examples/quickstart", "", "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "Success! 1 search is valid.") {
		t.Fatalf("quickstart: %+v", r)
	}
	dir := t.TempDir()
	write(t, dir, "a.fw.hcl", strings.Replace(valid, `"min"`, `"mni"`, 1))
	r = run(t, dir, "", "validate", "-no-color")
	if r.code != 1 || !strings.Contains(r.stderr, "Error: Invalid mode") || !strings.Contains(r.stderr, `4:   mode     = "mni"`) {
		t.Fatalf("bad mode: %+v", r)
	}
	if strings.Contains(r.stderr, "\x1b[") {
		t.Errorf("colour with -no-color")
	}
}

func TestValidateJSON(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.fw.hcl", strings.Replace(valid, `"min"`, `"mni"`, 1))
	r := run(t, dir, "", "validate", "-json")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		FormatVersion string `json:"format_version"`
		Valid         bool   `json:"valid"`
		ErrorCount    int    `json:"error_count"`
		WarningCount  int    `json:"warning_count"`
		Diagnostics   []struct {
			Severity, Summary, Detail string
			Range                     struct {
				Filename   string
				Start, End struct{ Line, Column int }
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if doc.FormatVersion == "" || doc.Valid || doc.ErrorCount != 1 || len(doc.Diagnostics) != 1 {
		t.Fatalf("doc: %+v", doc)
	}
	d := doc.Diagnostics[0]
	if d.Severity != "error" || d.Summary != "Invalid mode" || d.Range.Start.Line != 4 || d.Range.Start.Column != 14 || !strings.HasSuffix(d.Range.Filename, "a.fw.hcl") {
		t.Errorf("diagnostic: %+v", d)
	}

	write(t, dir, "a.fw.hcl", valid)
	r = run(t, dir, "", "validate", "-json")
	if r.code != 0 || !strings.Contains(r.stdout, `"valid": true`) || !strings.Contains(r.stdout, `"diagnostics": []`) {
		t.Fatalf("valid: %+v", r)
	}
}

func TestValidateVars(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.fw.hcl", "variable \"n\" {\n  type = number\n}\n"+strings.Replace(valid, "trials   = 5", "trials   = var.n", 1))
	write(t, dir, "vars/prod.fwvars", "n = 7\n")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate"}, 1, "No value for required variable"},
		{[]string{"validate", "-var", "n=3"}, 0, "Success!"},
		{[]string{"validate", "-var", "n"}, 1, "Invalid -var option"},
		{[]string{"validate", "-var-file=vars/prod.fwvars"}, 0, "Success!"},
		{[]string{"validate", "-var-file=vars/missing"}, 1, "Cannot read a variables file"},
		{[]string{"validate", "extra"}, 1, "Unexpected argument"},
		{[]string{"validate", "-bogus"}, 1, "flag provided but not defined: -bogus"},
	} {
		r := run(t, dir, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tc.args, r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
	}
	// FW_VAR_ in the environment.
	var out, errb bytes.Buffer
	code := Run([]string{"validate"}, Meta{Stdout: &out, Stderr: &errb, WorkDir: dir, Environ: []string{"FW_VAR_n=4"}})
	if code != 0 {
		t.Errorf("FW_VAR_n: exit %d: %s", code, errb.String())
	}
}

const unformatted = "search \"s\" {\n  strategy = \"random\"\n  metric = \"loss\"\n}\n"
const formatted = "search \"s\" {\n  strategy = \"random\"\n  metric   = \"loss\"\n}\n"

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.fw.hcl", unformatted)
	b := write(t, dir, "b.fw.hcl", formatted)
	sub := write(t, dir, "sub/c.fw.hcl", unformatted)

	r := run(t, dir, "", "fmt", "-check")
	if r.code != 3 || r.stdout != "a.fw.hcl\n" {
		t.Fatalf("-check: %+v", r)
	}
	r = run(t, dir, "", "fmt", "-check", "-diff", "-recursive")
	if r.code != 3 || !strings.Contains(r.stdout, "--- old/a.fw.hcl\n+++ new/a.fw.hcl\n") || !strings.Contains(r.stdout, "-  metric = \"loss\"\n+  metric   = \"loss\"\n") || !strings.Contains(r.stdout, "sub/c.fw.hcl") {
		t.Fatalf("-diff: %+v", r)
	}
	if got, _ := os.ReadFile(a); string(got) != unformatted {
		t.Fatal("-check wrote a file")
	}
	r = run(t, dir, "", "fmt", "-write=false")
	if r.code != 0 || r.stdout != "a.fw.hcl\n" {
		t.Fatalf("-write=false: %+v", r)
	}
	if got, _ := os.ReadFile(a); string(got) != unformatted {
		t.Fatal("-write=false wrote a file")
	}
	r = run(t, dir, "", "fmt")
	if r.code != 0 || r.stdout != "a.fw.hcl\n" {
		t.Fatalf("fmt: %+v", r)
	}
	for _, p := range []string{a, b} {
		if got, _ := os.ReadFile(p); string(got) != formatted {
			t.Errorf("%s not formatted:\n%s", p, got)
		}
	}
	if got, _ := os.ReadFile(sub); string(got) != unformatted {
		t.Error("fmt without -recursive changed a subdirectory")
	}
	r = run(t, dir, "", "fmt", "-recursive")
	if r.code != 0 || r.stdout != filepath.Join("sub", "c.fw.hcl")+"\n" {
		t.Fatalf("-recursive: %+v", r)
	}
	r = run(t, dir, "", "fmt", "-check", "-recursive")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("after fmt: %+v", r)
	}
}

func TestFmtSyntaxError(t *testing.T) {
	dir := t.TempDir()
	broken := "search \"s\" {\n  strategy = \"random\n}\n"
	p := write(t, dir, "bad.fw.hcl", broken)
	write(t, dir, "ok.fw.hcl", unformatted)
	r := run(t, dir, "", "fmt")
	if r.code != 2 || !strings.Contains(r.stderr, "bad.fw.hcl line 2") {
		t.Fatalf("syntax error: %+v", r)
	}
	if got, _ := os.ReadFile(p); string(got) != broken {
		t.Error("a file with syntax errors was changed")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "ok.fw.hcl")); string(got) != formatted {
		t.Error("the valid file was not formatted")
	}
	r = run(t, dir, "", "fmt", "missing.fw.hcl")
	if r.code != 2 {
		t.Fatalf("missing file: %+v", r)
	}
}

func TestFmtStdin(t *testing.T) {
	r := run(t, t.TempDir(), unformatted, "fmt", "-")
	if r.code != 0 || r.stdout != formatted {
		t.Fatalf("stdin: %+v", r)
	}
	r = run(t, t.TempDir(), unformatted, "fmt", "-check", "-")
	if r.code != 3 || r.stdout != "" {
		t.Fatalf("stdin -check: %+v", r)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for name := range commands {
		for _, args := range [][]string{{"help", name}, {name, "-help"}, {name, "-h"}} {
			r := run(t, ".", "", args...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: fwapply") {
				t.Errorf("%v: %+v", args, r)
			}
		}
	}
	r := run(t, ".", "", "-help")
	if r.code != 0 || !strings.Contains(r.stdout, "validate") || !strings.Contains(r.stdout, "-chdir=DIR") {
		t.Errorf("-help: %+v", r)
	}
	r = run(t, ".", "")
	if r.code != 1 || !strings.Contains(r.stdout, "Usage:") {
		t.Errorf("no command: %+v", r)
	}
	r = run(t, ".", "", "valdate")
	if r.code != 1 || !strings.Contains(r.stderr, `Did you mean "validate"?`) {
		t.Errorf("typo: %+v", r)
	}
	for _, args := range [][]string{{"version"}, {"-version"}} {
		r = run(t, ".", "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "fwapply v") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	r = run(t, ".", "", "version", "-json")
	if r.code != 0 || !strings.Contains(r.stdout, `"format_version"`) {
		t.Errorf("version -json: %+v", r)
	}
}

func TestChdir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "x/a.fw.hcl", valid)
	r := run(t, dir, "", "-chdir=x", "validate")
	if r.code != 0 {
		t.Fatalf("-chdir: %+v", r)
	}
	r = run(t, dir, "", "-chdir=nope", "validate")
	if r.code != 1 || !strings.Contains(r.stderr, "Invalid -chdir") {
		t.Fatalf("bad -chdir: %+v", r)
	}
}
