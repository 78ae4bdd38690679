package hcl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
)

// FuzzLoad feeds arbitrary bytes to the loader as a search file. It must
// never panic, and a load without errors must give a usable definition.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/diagnostics/*.fw.hcl")
	more, _ := filepath.Glob("../examples/*/*.fw.hcl")
	for _, name := range append(seeds, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(base))
	// Deep nesting, which the loader refuses before the parser sees it.
	for _, n := range []int{MaxNesting - 2, MaxNesting + 1, 1000} {
		f.Add([]byte(trialsExpr(f, nested("(", "10", ")", n))))
		f.Add([]byte(trialsExpr(f, strings.Repeat("-", n)+"10")))
		f.Add([]byte(trialsExpr(f, "1"+strings.Repeat("+1", n))))
		f.Add([]byte(baseConfigExpr(f, "{ lr = 0.1, x = "+nested("[", "1", "]", n)+" }")))
		f.Add([]byte(baseConfigExpr(f, `{ lr = 0.1, x = `+nested(`"${`, `"x"`, `}"`, n)+" }")))
		f.Add([]byte(base + nested("b {\n", "", "}\n", n)))
		f.Add([]byte(baseConfigExpr(f, `jsondecode("`+nested("[", "1", "]", n)+`")`)))
		f.Add([]byte(baseConfigExpr(f, `yamldecode("x: `+nested("[", "1", "]", n)+`")`)))
	}
	f.Add([]byte(baseConfigExpr(f, "yamldecode(<<EOT\nlr: 1\n"+laughs(9)+"EOT\n)")))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		// With outcomes of every kind (upstream_test.go), then without
		// (as validate loads).
		fuzzWithOutcomes(t, dir, src)
		res, diags := Load(dir, []Source{{Name: "fuzz.fw.hcl", Bytes: src}}, Options{})
		if res == nil {
			t.Fatal("nil result")
		}
		for _, d := range diags {
			if d.Subject != nil && d.Subject.Filename == "" {
				t.Errorf("diagnostic %q has a range without a file name", d.Summary)
			}
		}
		if diags.HasErrors() {
			if res.Definition != nil {
				t.Fatal("definition returned with errors")
			}
			return
		}
		checkDefinition(t, res.Definition)
	})
}

// checkDefinition exercises what later stages do with a definition.
func checkDefinition(t *testing.T, d *definition.Definition) {
	t.Helper()
	if d == nil {
		t.Fatal("nil definition without errors")
	}
	for _, s := range d.Searches {
		if s.Deferred != nil {
			checkDeferred(t, s)
			continue
		}
		if s.Space == nil || s.Space.Len() != len(s.Params) {
			t.Fatalf("search %q: space does not match params", s.Name)
		}
		_ = s.Fingerprint()
		_ = s.SpaceFingerprint()
		checkPruner(t, s)
		if s.Space.Len() == 0 {
			continue
		}
		if s.Strategy == definition.Grid {
			if _, err := s.Space.GridSize(); err != nil {
				t.Fatalf("search %q: grid accepted but GridSize fails: %v", s.Name, err)
			}
			p := s.Space.GridPoint(0)
			if _, err := s.Resolve(p); err != nil {
				t.Fatalf("search %q: resolve grid point: %v", s.Name, err)
			}
		}
	}
}

// FuzzVarFlag feeds arbitrary -var arguments to variables of several types.
// It must never panic; accepted values must have the declared type.
func FuzzVarFlag(f *testing.F) {
	for _, s := range []string{"epochs=5", "layers=[1, 2]", "name=x", "tags={a = \"b\"}", "epochs", "=", "epochs=", "layers=[", "flag=true", "epochs=1e400", "name=${x}", "layers=[var.x]", "tags={a = file(\"x\")}"} {
		f.Add(s)
	}
	src := []byte(`variable "epochs" {
  type    = number
  default = 1
}
variable "layers" {
  type    = list(number)
  default = []
}
variable "name" {
  default = "n"
}
variable "flag" {
  type    = bool
  default = false
}
variable "tags" {
  type    = map(string)
  default = {}
}
search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 1
  base_config = { epochs = var.epochs, layers = var.layers, name = var.name, flag = var.flag, tags = var.tags }
  trial {
    command = ["true"]
  }
}
`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, arg string) {
		res, diags := Load(dir, []Source{{Name: "vars.fw.hcl", Bytes: src}}, Options{VarFlags: []string{arg}})
		if diags.HasErrors() {
			return
		}
		cfg := res.Definition.Search("s").BaseConfig
		switch cfg["epochs"].(type) {
		case int64, float64:
		case nil:
			// Set to null on purpose ({"epochs": null}): a variable's
			// value may be null, as in Terraform.
		default:
			t.Fatalf("epochs is %T", cfg["epochs"])
		}
		if _, ok := cfg["name"].(string); !ok && cfg["name"] != nil {
			t.Fatalf("name is %T", cfg["name"])
		}
		if _, ok := cfg["flag"].(bool); !ok {
			t.Fatalf("flag is %T", cfg["flag"])
		}
		if l, ok := cfg["layers"].([]any); ok {
			for _, e := range l {
				switch e.(type) {
				case int64, float64, nil:
				default:
					t.Fatalf("layers element is %T", e)
				}
			}
		}
	})
}

// varFileSearch declares a variable of each kind for FuzzVarFile.
const varFileSearch = `variable "epochs" {
  type    = number
  default = 1
}
variable "layers" {
  type    = list(number)
  default = []
}
variable "name" {
  default = "n"
}
variable "opts" {
  type    = map(any)
  default = {}
}
search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 1
  base_config = { epochs = var.epochs, layers = var.layers, name = var.name, opts = var.opts }
  trial {
    command = ["true"]
  }
}
`

// FuzzVarFile feeds arbitrary bytes to the loader as the contents of a
// -var-file, HCL or JSON (by its name), read from disk as -var-file
// reads it. It must never panic; its problems are diagnostics that point
// into the file; accepted values have the declared types.
func FuzzVarFile(f *testing.F) {
	for _, seed := range []struct {
		json bool
		src  string
	}{
		{false, "epochs = 5\nlayers = [64, 32]\nname = \"x\"\nopts = { a = 1, b = [true] }\n"},
		{true, `{"epochs": 5, "layers": [64, 32], "name": "x", "opts": {"a": 1, "b": [true]}}`},
		{false, "epochs = \"five\"\n"},
		{false, "epochs = 1 +\n"},
		{false, "unknown = 1\n"},
		{false, "layers = [for x in [1, 2] : x * 2]\nname = <<EOT\nhello ${\"x\"}\nEOT\n"},
		{false, "epochs = var.x\nname = file(\"x\")\n"},
		{false, "block {\n  x = 1\n}\n"},
		{true, `{"epochs": "5", "name": null}`},
		{true, `[1, 2]`},
		{true, `{"epochs": `},
		{false, "epochs = " + nested("(", "1", ")", MaxNesting+1) + "\n"},
		{false, "layers = " + nested("[", "1", "]", MaxNesting-1) + "\n"},
		{false, "epochs = " + strings.Repeat("-", 1000) + "1\n"},
		{true, `{"opts": ` + nested(`{"a": `, "1", "}", MaxNesting+1) + "}"},
		{true, `{"name": "` + strings.Repeat(`[\"`, 300) + `"}`},
	} {
		f.Add(seed.json, []byte(seed.src))
	}
	dir := f.TempDir()
	src := []byte(varFileSearch)
	f.Fuzz(func(t *testing.T, isJSON bool, contents []byte) {
		name := filepath.Join(dir, "vars.fwvars.hcl")
		if isJSON {
			name = filepath.Join(dir, "vars.json")
		}
		if err := os.WriteFile(name, contents, 0o644); err != nil {
			t.Fatal(err)
		}
		res, diags := Load(dir, []Source{{Name: "vars.fw.hcl", Bytes: src}}, Options{VarFiles: []string{name}})
		if res == nil {
			t.Fatal("nil result")
		}
		for _, d := range diags {
			if d.Subject != nil && d.Subject.Filename == "" {
				t.Errorf("diagnostic %q has a range without a file name", d.Summary)
			}
			if d.Summary == "" {
				t.Errorf("diagnostic without a summary: %+v", d)
			}
		}
		if diags.HasErrors() {
			if res.Definition != nil {
				t.Fatal("definition returned with errors")
			}
			return
		}
		cfg := res.Definition.Search("s").BaseConfig
		switch cfg["epochs"].(type) {
		case int64, float64:
		case nil:
			// Set to null on purpose ({"epochs": null}): a variable's
			// value may be null, as in Terraform.
		default:
			t.Fatalf("epochs is %T", cfg["epochs"])
		}
		if _, ok := cfg["layers"].([]any); !ok && cfg["layers"] != nil {
			t.Fatalf("layers is %T", cfg["layers"])
		}
		if _, ok := cfg["opts"].(map[string]any); !ok && cfg["opts"] != nil {
			t.Fatalf("opts is %T", cfg["opts"])
		}
		checkDefinition(t, res.Definition)
	})
}
