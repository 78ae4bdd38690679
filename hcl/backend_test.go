package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
)

// password is the password the tests write into conn_str; it must never
// appear in a diagnostic, rendered with its snippets.
const password = "hunter2-S3CRET"

// withBackend returns a frameworm block holding body (the lines of the
// backend block), followed by base: the backend block's attributes start
// on line 3.
func withBackend(typ, body string) string {
	return "frameworm {\n  backend \"" + typ + "\" {\n" + body + "  }\n}\n" + base
}

func TestBackendValid(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *definition.Backend // DeclRange not compared
	}{
		{"no frameworm block", base, nil},
		{"empty frameworm block", "frameworm {\n}\n" + base, nil},
		{"defaults", withBackend("pg", ""), &definition.Backend{Type: "pg", Schema: "frameworm", Workspace: "default"}},
		{"every attribute", withBackend("pg", `    conn_str      = "postgres://fw@db.internal:5432/frameworm?sslmode=require"
    schema_name   = "fw_search"
    workspace     = "digits.v2-a_b"
    retry_timeout = "2m30s"
`), &definition.Backend{Type: "pg", ConnStr: "postgres://fw@db.internal:5432/frameworm?sslmode=require", Schema: "fw_search", Workspace: "digits.v2-a_b", RetryTimeout: 150 * time.Second}},
		{"key=value conn_str", withBackend("pg", "    conn_str = \"host=db dbname=fw user=fw\"\n"), &definition.Backend{Type: "pg", ConnStr: "host=db dbname=fw user=fw", Schema: "frameworm", Workspace: "default"}},
		{"heredoc conn_str", withBackend("pg", "    conn_str = <<EOT\nhost=db\ndbname=fw\nEOT\n"), &definition.Backend{Type: "pg", ConnStr: "host=db\ndbname=fw\n", Schema: "frameworm", Workspace: "default"}},
		{"nulls are absent", withBackend("pg", "    conn_str = null\n    schema_name = null\n    workspace = null\n    retry_timeout = null\n"), &definition.Backend{Type: "pg", Schema: "frameworm", Workspace: "default"}},
		{"number workspace", withBackend("pg", "    workspace = 2024\n"), &definition.Backend{Type: "pg", Schema: "frameworm", Workspace: "2024"}},
		{"literal template", withBackend("pg", "    workspace = \"w-${\"x\"}\"\n"), &definition.Backend{Type: "pg", Schema: "frameworm", Workspace: "w-x"}},
		{"block after the searches", base + "frameworm {\n  backend \"pg\" {\n    workspace = \"late\"\n  }\n}\n", &definition.Backend{Type: "pg", Schema: "frameworm", Workspace: "late"}},
		{"longest names", withBackend("pg", "    schema_name = \""+strings.Repeat("s", 63)+"\"\n    workspace = \""+strings.Repeat("w", 200)+"\"\n"), &definition.Backend{Type: "pg", Schema: strings.Repeat("s", 63), Workspace: strings.Repeat("w", 200)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.fw.hcl": tt.src})
			res, diags := LoadDir(dir, Options{})
			if diags.HasErrors() {
				t.Fatalf("LoadDir: %s", render(res.Files, diags))
			}
			opt := cmpopts.IgnoreFields(definition.Backend{}, "DeclRange")
			if d := cmp.Diff(tt.want, res.Definition.Backend, opt); d != "" {
				t.Errorf("LoadDir backend (-want +got):\n%s", d)
			}
			got, diags := LoadBackend(dir)
			if len(diags) > 0 {
				t.Fatalf("LoadBackend: %s", diags)
			}
			if d := cmp.Diff(tt.want, got, opt); d != "" {
				t.Errorf("LoadBackend (-want +got):\n%s", d)
			}
			if got != nil {
				if d := cmp.Diff(res.Definition.Backend.DeclRange, got.DeclRange); d != "" {
					t.Errorf("DeclRange differs between LoadDir and LoadBackend: %s", d)
				}
				if got.DeclRange.Filename != "main.fw.hcl" || !strings.HasPrefix(sourceAt(tt.src, got.DeclRange), `backend "pg"`) {
					t.Errorf("DeclRange %s is not the backend block's header", got.DeclRange)
				}
			}
		})
	}
}

// sourceAt returns the text of src at r.
func sourceAt(src string, r hcl.Range) string {
	return src[r.Start.Byte:r.End.Byte]
}

// TestBackendDiagnostics covers every bad frameworm block: each case gives
// the diagnostic LoadDir and LoadBackend must both produce, at the line
// given.
func TestBackendDiagnostics(t *testing.T) {
	tests := []struct {
		name        string
		src         string
		severity    hcl.DiagnosticSeverity
		wantSummary string
		wantLine    int
		wantDetail  string
	}{
		{"duplicate frameworm block", "frameworm {\n}\n" + withBackend("pg", ""), hcl.DiagError, "Duplicate frameworm block", 3, "the first one is at main.fw.hcl:1"},
		{"duplicate backend block", "frameworm {\n  backend \"pg\" {\n  }\n  backend \"pg\" {\n  }\n}\n" + base, hcl.DiagError, "Duplicate backend block", 4, "at most one backend block"},
		{"frameworm with a label", "frameworm \"x\" {\n}\n" + base, hcl.DiagError, "Extraneous label for frameworm", 1, ""},
		{"backend without a type", "frameworm {\n  backend {\n  }\n}\n" + base, hcl.DiagError, "Missing type for backend", 2, ""},
		{"unknown block in frameworm", "frameworm {\n  backnd \"pg\" {\n  }\n}\n" + base, hcl.DiagError, "Unsupported block type", 2, `Did you mean "backend"?`},
		{"attribute in frameworm", "frameworm {\n  workspace = \"x\"\n}\n" + base, hcl.DiagError, "Unsupported argument", 2, ""},
		{"postgres type", withBackend("postgres", ""), hcl.DiagError, "Unknown backend type", 2, `Did you mean "pg"?`},
		{"typo of pg", withBackend("pgg", ""), hcl.DiagError, "Unknown backend type", 2, `Did you mean "pg"?`},
		{"local type", withBackend("local", ""), hcl.DiagError, "Unknown backend type", 2, "local state file is the default"},
		{"other type", withBackend("s3", ""), hcl.DiagError, "Unknown backend type", 2, `The known backend types are "pg"`},
		{"unknown attribute", withBackend("pg", "    workspce = \"x\"\n"), hcl.DiagError, "Unsupported argument", 3, `Did you mean "workspace"?`},
		{"variable in conn_str", "variable \"c\" {\n  default = \"host=db\"\n}\n" + withBackend("pg", "    conn_str = var.c\n"), hcl.DiagError, "Variables not allowed", 6, "conn_str cannot refer to var.c"},
		{"function in conn_str", withBackend("pg", "    conn_str = file(\"conn.txt\")\n"), hcl.DiagError, "Function calls not allowed", 3, "FW_PG_CONN_STR"},
		{"env function", withBackend("pg", "    workspace = env(\"USER\")\n"), hcl.DiagError, "Function calls not allowed", 3, "workspace cannot call functions"},
		{"conn_str not a string", withBackend("pg", "    conn_str = [\"host=db\"]\n"), hcl.DiagError, "Incorrect attribute value type", 3, "a string required"},
		{"empty conn_str", withBackend("pg", "    conn_str = \"\"\n"), hcl.DiagError, "Invalid conn_str", 3, "Remove it to connect with FW_PG_CONN_STR"},
		{"garbage conn_str", withBackend("pg", "    conn_str = \"db.internal\"\n"), hcl.DiagError, "Invalid conn_str", 3, "neither a postgres:// URL nor key=value"},
		{"other scheme", withBackend("pg", "    conn_str = \"mysql://fw@db/x\"\n"), hcl.DiagError, "Invalid conn_str", 3, "not a PostgreSQL one"},
		{"bad port", withBackend("pg", "    conn_str = \"postgres://db:port/x\"\n"), hcl.DiagError, "Invalid conn_str", 3, "port"},
		{"unterminated quote", withBackend("pg", "    conn_str = \"host='db\"\n"), hcl.DiagError, "Invalid conn_str", 3, "closing quote"},
		{"password in url", withBackend("pg", "    conn_str = \"postgres://fw:"+password+"@db/x\"\n"), hcl.DiagWarning, "Password in a search file", 3, "FW_PG_CONN_STR"},
		{"password in key=value", withBackend("pg", "    conn_str = \"host=db password="+password+"\"\n"), hcl.DiagWarning, "Password in a search file", 3, "~/.pgpass or PGPASSWORD"},
		{"password in query", withBackend("pg", "    conn_str = \"postgres://db/x?password="+password+"\"\n"), hcl.DiagWarning, "Password in a search file", 3, "version control"},
		{"schema name with capitals", withBackend("pg", "    schema_name = \"Frameworm\"\n"), hcl.DiagError, "Invalid schema_name", 3, "lowercase letters"},
		{"schema name with dash", withBackend("pg", "    schema_name = \"fw-search\"\n"), hcl.DiagError, "Invalid schema_name", 3, "underscores"},
		{"schema name starting with a digit", withBackend("pg", "    schema_name = \"1fw\"\n"), hcl.DiagError, "Invalid schema_name", 3, "starting with a letter"},
		{"schema name too long", withBackend("pg", "    schema_name = \""+strings.Repeat("s", 64)+"\"\n"), hcl.DiagError, "Invalid schema_name", 3, "1 to 63"},
		{"empty schema name", withBackend("pg", "    schema_name = \"\"\n"), hcl.DiagError, "Invalid schema_name", 3, "1 to 63"},
		{"reserved schema name", withBackend("pg", "    schema_name = \"pg_catalog\"\n"), hcl.DiagError, "Invalid schema_name", 3, "reserved"},
		{"information_schema", withBackend("pg", "    schema_name = \"information_schema\"\n"), hcl.DiagError, "Invalid schema_name", 3, "reserved"},
		{"empty workspace", withBackend("pg", "    workspace = \"\"\n"), hcl.DiagError, "Invalid workspace", 3, "cannot be empty"},
		{"workspace too long", withBackend("pg", "    workspace = \""+strings.Repeat("w", 201)+"\"\n"), hcl.DiagError, "Invalid workspace", 3, "201 bytes"},
		{"workspace with a slash", withBackend("pg", "    workspace = \"a/b\"\n"), hcl.DiagError, "Invalid workspace", 3, "letters, digits"},
		{"workspace with a space", withBackend("pg", "    workspace = \"a b\"\n"), hcl.DiagError, "Invalid workspace", 3, "letters, digits"},
		{"retry_timeout not a duration", withBackend("pg", "    retry_timeout = \"2 minutes\"\n"), hcl.DiagError, "Invalid retry_timeout", 3, "\"2m\""},
		{"retry_timeout without unit", withBackend("pg", "    retry_timeout = 30\n"), hcl.DiagError, "Invalid retry_timeout", 3, "not a duration"},
		{"retry_timeout zero", withBackend("pg", "    retry_timeout = \"0s\"\n"), hcl.DiagError, "Invalid retry_timeout", 3, "must be positive"},
		{"retry_timeout negative", withBackend("pg", "    retry_timeout = \"-1m\"\n"), hcl.DiagError, "Invalid retry_timeout", 3, "must be positive"},
		{"syntax error in the block", withBackend("pg", "    workspace = \n"), hcl.DiagError, "Invalid expression", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.fw.hcl": tt.src})
			res, diags := LoadDir(dir, Options{})
			checkDiag(t, "LoadDir", render(res.Files, diags), diags, tt.severity, tt.wantSummary, tt.wantLine, tt.wantDetail)
			if tt.severity == hcl.DiagError && res.Definition != nil {
				t.Errorf("LoadDir returned a definition with errors")
			}
			if tt.severity == hcl.DiagWarning && (res.Definition == nil || res.Definition.Backend == nil) {
				t.Errorf("LoadDir returned no backend for a warning")
			}
			if strings.HasPrefix(tt.src, "variable") {
				return // LoadBackend reads no variable: the reference is the error, the same
			}
			b, files, diags := LoadBackendFiles(dir)
			checkDiag(t, "LoadBackend", render(files, diags), diags, tt.severity, tt.wantSummary, tt.wantLine, tt.wantDetail)
			if tt.severity == hcl.DiagError && b != nil {
				t.Errorf("LoadBackend returned a backend with errors")
			}
			if tt.severity == hcl.DiagWarning && b == nil {
				t.Errorf("LoadBackend returned no backend for a warning")
			}
		})
	}
}

func checkDiag(t *testing.T, what, rendered string, diags hcl.Diagnostics, severity hcl.DiagnosticSeverity, summary string, line int, detail string) {
	t.Helper()
	var found *hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == summary {
			found = d
			break
		}
	}
	switch {
	case found == nil:
		t.Errorf("%s: no diagnostic %q; got:\n%s", what, summary, rendered)
	case found.Severity != severity:
		t.Errorf("%s: %q has severity %v, want %v", what, summary, found.Severity, severity)
	case !strings.Contains(found.Detail, detail):
		t.Errorf("%s: detail %q does not contain %q", what, found.Detail, detail)
	case found.Subject == nil:
		t.Errorf("%s: %q has no range", what, summary)
	case found.Subject.Start.Line != line:
		t.Errorf("%s: %q at line %d, want %d:\n%s", what, summary, found.Subject.Start.Line, line, rendered)
	}
	if strings.Contains(rendered, password) {
		t.Errorf("%s: the password appears in the diagnostics:\n%s", what, rendered)
	}
}

// TestBackendDuplicateAcrossFiles checks that one frameworm block per
// directory holds across files: the second is the error, naming the first.
func TestBackendDuplicateAcrossFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.fw.hcl": "frameworm {\n  backend \"pg\" {\n  }\n}\n",
		"b.fw.hcl": "\nframeworm {\n}\n" + base,
	})
	res, diags := LoadDir(dir, Options{})
	checkDiag(t, "LoadDir", render(res.Files, diags), diags, hcl.DiagError, "Duplicate frameworm block", 2, "the first one is at a.fw.hcl:1,1-10")
	_, files, diags := LoadBackendFiles(dir)
	checkDiag(t, "LoadBackend", render(files, diags), diags, hcl.DiagError, "Duplicate frameworm block", 2, "the first one is at a.fw.hcl:1,1-10")
	if d := diags[0]; d.Subject.Filename != "b.fw.hcl" {
		t.Errorf("the error points at %s, want b.fw.hcl", d.Subject.Filename)
	}
}

// TestLoadBackendReadsOnlyTheBlock checks that LoadBackend finds the
// backend in files whose other content is invalid, and finds no block
// where there is none at the top level.
func TestLoadBackendReadsOnlyTheBlock(t *testing.T) {
	block := "frameworm {\n  backend \"pg\" {\n    workspace = \"w\"\n  }\n}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string // the workspace; "" for no backend
	}{
		{"syntax error in a search", map[string]string{"main.fw.hcl": block + "search \"s\" {\n  trials = = 3\n"}, "w"},
		{"syntax error before the block", map[string]string{"main.fw.hcl": "search \"s\" {\n  trials = (\n}\n" + block}, "w"},
		{"unknown blocks and variables", map[string]string{"main.fw.hcl": "resource \"x\" {\n  a = var.nope\n}\n" + block}, "w"},
		{"block in another file", map[string]string{"a.fw.hcl": "search {{{", "b.fw.hcl": block}, "w"},
		{"block after a comment", map[string]string{"main.fw.hcl": "# state\n" + block}, "w"},

		{"no search files", map[string]string{"notes.txt": block}, ""},
		{"block in a search", map[string]string{"main.fw.hcl": "search \"s\" {\n  frameworm {\n    backend \"pg\" {\n    }\n  }\n}\n"}, ""},
		{"block in a heredoc", map[string]string{"main.fw.hcl": "x = <<EOT\n" + block + "EOT\n"}, ""},
		{"block in a comment", map[string]string{"main.fw.hcl": "/*\n" + block + "*/\n"}, ""},
		{"attribute named frameworm", map[string]string{"main.fw.hcl": "frameworm = 1\n"}, ""},
		{"hidden file", map[string]string{".main.fw.hcl": block}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			b, diags := LoadBackend(dir)
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %s", diags)
			}
			switch {
			case tt.want == "" && b != nil:
				t.Errorf("backend %+v, want none", b)
			case tt.want != "" && (b == nil || b.Workspace != tt.want):
				t.Errorf("backend %+v, want workspace %q", b, tt.want)
			}
		})
	}
}

func TestLoadBackendErrors(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		_, diags := LoadBackend(filepath.Join(t.TempDir(), "nope"))
		if !diags.HasErrors() || diags[0].Summary != "Cannot read the search directory" {
			t.Errorf("diagnostics: %s", diags)
		}
	})
	t.Run("file too large", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"main.fw.hcl": "# " + strings.Repeat("x", MaxSourceSize) + "\n"})
		_, diags := LoadBackend(dir)
		if !diags.HasErrors() || diags[0].Summary != "File too large" {
			t.Errorf("diagnostics: %s", diags)
		}
	})
	t.Run("block hidden by a syntax error", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"main.fw.hcl": "x = \"abc\nframeworm {\n  backend \"pg\" {\n  }\n}\n"})
		b, diags := LoadBackend(dir)
		if b != nil || !diags.HasErrors() || diags[0].Summary != "Unreadable frameworm block" || diags[0].Subject.Start.Line != 2 {
			t.Errorf("backend %v, diagnostics: %s", b, diags)
		}
	})
	t.Run("block hidden in a file nested too deep", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"main.fw.hcl": "x = " + nested("(", "\"a\nframeworm {\n}\n\"", ")", 100000) + "\n"})
		b, diags := LoadBackend(dir)
		if b != nil || !diags.HasErrors() || diags[0].Summary != "Unreadable frameworm block" {
			t.Errorf("backend %v, diagnostics: %s", b, diags)
		}
	})
	t.Run("nesting too deep", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"main.fw.hcl": "frameworm {\n  backend \"pg\" {\n    workspace = " + nested("(", "1", ")", MaxNesting+1) + "\n  }\n}\n"})
		_, diags := LoadBackend(dir)
		if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Start.Line != 3 {
			t.Errorf("diagnostics: %s", diags)
		}
	})
}

// TestPasswordNeverInDiagnostics renders every diagnostic of a load, with
// source snippets, for conn_str strings holding a password in each form,
// valid or not, and in files with syntax errors: the password never
// appears.
func TestPasswordNeverInDiagnostics(t *testing.T) {
	connStrs := []string{
		`"postgres://fw:` + password + `@db/x"`,
		`"postgresql://fw:` + password + `@db:5432,db2:5433/x?sslmode=require"`,
		`"postgres://db/x?user=fw&password=` + password + `"`,
		`"host=db password=` + password + ` dbname=x"`,
		`"host=db password='` + password + ` x' dbname=x"`,
		`"postgres://fw:` + password + `@db:bad/x"`,
		`"postgres://fw:` + password + `@db/x?sslmode"`,
		`"mysql://fw:` + password + `@db/x"`,
		`"host=db password='` + password + `"`,
		`"postgres://fw:` + password + `\u0040db/x"`,
		`"postgres://fw:` + password + `@db/x" + 1`,
		`"postgres://fw:` + password + `@db/x" x`,
		`"postgres://fw:` + password + `@db/x`,
		"<<EOT\npostgres://fw:" + password + "@db/x\nEOT",
	}
	for i, cs := range connStrs {
		src := withBackend("pg", "    conn_str = "+cs+"\n    workspace = 1.5\n    bogus = 1\n")
		src = strings.Replace(src, "  trials      = 10\n", "  trials      = 10\n  seed = \"x\"\n", 1)
		dir := writeFiles(t, map[string]string{"main.fw.hcl": src})
		res, diags := LoadDir(dir, Options{})
		if len(diags) == 0 {
			t.Fatalf("case %d: no diagnostics", i)
		}
		if out := render(res.Files, diags); strings.Contains(out, password) {
			t.Errorf("case %d: LoadDir shows the password:\n%s", i, out)
		}
		_, files, diags := LoadBackendFiles(dir)
		if out := render(files, diags); strings.Contains(out, password) {
			t.Errorf("case %d: LoadBackend shows the password:\n%s", i, out)
		}
	}
}

// TestMaskKeepsPositions checks that the masked source of a load keeps
// every byte but the password's, so snippets of other diagnostics show
// the right text.
func TestMaskKeepsPositions(t *testing.T) {
	src := withBackend("pg", "    conn_str = \"postgres://fw:"+password+"@db/x\"\n")
	dir := writeFiles(t, map[string]string{"main.fw.hcl": src})
	res, _ := LoadDir(dir, Options{})
	got := string(res.Files["main.fw.hcl"].Bytes)
	want := strings.Replace(src, password, strings.Repeat("*", len(password)), 1)
	if got != want {
		t.Errorf("masked source:\n%s\nwant:\n%s", got, want)
	}
}

// TestBackendNotInFingerprint checks that the frameworm block changes no
// search's fingerprint.
func TestBackendNotInFingerprint(t *testing.T) {
	load := func(src string) *definition.Definition {
		dir := writeFiles(t, map[string]string{"main.fw.hcl": src})
		res, diags := LoadDir(dir, Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return res.Definition
	}
	without := load(base)
	with := load(withBackend("pg", "    conn_str = \"postgres://fw:"+password+"@db/x\"\n    workspace = \"w\"\n"))
	if a, b := without.Search("s").Fingerprint(), with.Search("s").Fingerprint(); a != b {
		t.Errorf("fingerprint changed by the backend block: %s != %s", a, b)
	}
	if a, b := without.Search("s").SpaceFingerprint(), with.Search("s").SpaceFingerprint(); a != b {
		t.Errorf("space fingerprint changed by the backend block")
	}
}

// FuzzLoadBackend feeds arbitrary bytes to LoadBackend as a search file.
// It must never panic; its diagnostics carry ranges in that file; a
// backend comes back only without errors, with valid names; and the
// password of conn_str never appears in the rendered diagnostics.
func FuzzLoadBackend(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/diagnostics/backend*.fw.hcl")
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "pw")
	}
	f.Add([]byte(withBackend("pg", "    conn_str = \"postgres://fw:"+password+"@db/x\"\n")), password)
	f.Add([]byte(withBackend("pg", "    conn_str = \"host=db password='"+password+"'\"\n")), password)
	f.Add([]byte("frameworm {\n  backend \"pg\" {\n    conn_str = \"postgres://a:"+password+"@"), password)
	f.Add([]byte("frameworm {\n"+nested("(", "", ")", MaxNesting+1)), "x")
	f.Fuzz(func(t *testing.T, src []byte, secret string) {
		if len(src) > MaxSourceSize {
			return // LoadBackendFiles refuses it before reading
		}
		b, files, diags := backendFromSources([]Source{{Name: "f.fw.hcl", Bytes: src}})
		for _, d := range diags {
			if d.Subject != nil && d.Subject.Filename != "f.fw.hcl" {
				t.Fatalf("diagnostic %q points into %q", d.Summary, d.Subject.Filename)
			}
		}
		switch {
		case diags.HasErrors() && b != nil:
			t.Fatal("backend returned with errors")
		case b != nil && (schemaNameProblem(b.Schema) != "" || workspaceProblem(b.Workspace) != "" || b.RetryTimeout < 0 || b.Type != "pg"):
			t.Fatalf("invalid backend accepted: %+v", b)
		}
		if len(secret) < 6 || !strings.Contains(string(src), "postgres://a:"+secret+"@") {
			return
		}
		if out := render(files, diags); strings.Contains(out, "postgres://a:"+secret) {
			t.Fatalf("password shown:\n%s", out)
		}
	})
}

// TestBackendDocExample checks that the example of docs/language.md's
// frameworm section loads, with its documented values.
func TestBackendDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "```hcl\nframeworm {")
	if !ok {
		t.Fatal("no frameworm example in docs/language.md")
	}
	example, _, _ := strings.Cut(after, "```")
	dir := writeFiles(t, map[string]string{"main.fw.hcl": "frameworm {" + example})
	b, diags := LoadBackend(dir)
	if diags.HasErrors() || b == nil {
		t.Fatalf("the example does not load: %s", diags)
	}
	want := definition.Backend{Type: "pg", ConnStr: "postgres://fw@db.internal/frameworm", Schema: "frameworm", Workspace: "digits", RetryTimeout: 2 * time.Minute}
	if d := cmp.Diff(want, *b, cmpopts.IgnoreFields(definition.Backend{}, "DeclRange")); d != "" {
		t.Errorf("example (-want +got):\n%s", d)
	}
}

// BenchmarkLoadBackend measures what every state command adds to find the
// state: LoadBackend on a directory of many searches with a backend block,
// against LoadDir of the same directory.
func BenchmarkLoadBackend(b *testing.B) {
	var src strings.Builder
	src.WriteString("frameworm {\n  backend \"pg\" {\n    conn_str  = \"postgres://fw:" + password + "@db/x\"\n    workspace = \"w\"\n  }\n}\n")
	for i := range 200 {
		src.WriteString(strings.Replace(base, `search "s"`, fmt.Sprintf(`search "s%d"`, i), 1))
	}
	dir := writeFiles(b, map[string]string{"main.fw.hcl": src.String()})
	b.Run("LoadBackend", func(b *testing.B) {
		b.SetBytes(int64(src.Len()))
		for b.Loop() {
			if be, diags := LoadBackend(dir); be == nil || diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("LoadDir", func(b *testing.B) {
		b.SetBytes(int64(src.Len()))
		for b.Loop() {
			if _, diags := LoadDir(dir, Options{}); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
	// The same searches without the block: what LoadDir spends on it.
	_, searches, _ := strings.Cut(src.String(), "}\n}\n")
	plain := writeFiles(b, map[string]string{"main.fw.hcl": searches})
	b.Run("LoadDirWithoutBlock", func(b *testing.B) {
		b.SetBytes(int64(len(searches)))
		for b.Loop() {
			if _, diags := LoadDir(plain, Options{}); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
	small := writeFiles(b, map[string]string{"main.fw.hcl": withBackend("pg", "    workspace = \"w\"\n")})
	b.Run("LoadBackendOneSearch", func(b *testing.B) {
		for b.Loop() {
			if be, diags := LoadBackend(small); be == nil || diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
}
