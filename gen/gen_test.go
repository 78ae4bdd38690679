package gen

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestGoName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"lr", "LR"},
		{"batch_size", "BatchSize"},
		{"hidden_dim", "HiddenDim"},
		{"id", "ID"},
		{"url", "URL"},
		{"api_key", "APIKey"},
		{"http_url", "HTTPURL"},
		{"type", "Type"},
		{"func", "Func"},
		{"range", "Range"},
		{"2d_conv", "X2dConv"},
		{"a-b", "AB"},
		{"HTTPServer", "HTTPServer"},
		{"httpServer", "HTTPServer"},
		{"batchSize", "BatchSize"},
		{"user_ids", "UserIDs"},
		{"MAX_LEN", "MaxLen"},
		{"lr_decay", "LRDecay"},
		{"rmsprop", "RMSProp"},
		{"leaky-relu", "LeakyReLU"},
		{"sgd", "SGD"},
		{"conv2d", "Conv2d"},
		{"utf8_name", "UTF8Name"},
		{"größe", "Größe"},
		{"日本", "X日本"},
		{"_private", "Private"},
		{"", "X"},
		{"---", "X"},
		{"x.y", "XY"},
		{"val_loss", "ValLoss"},
		{"bias", "Bias"},
		{"gpus", "GPUs"},
	}
	for _, tt := range tests {
		if got := goName(tt.key); got != tt.want {
			t.Errorf("goName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestFieldNamesUnique(t *testing.T) {
	got := fieldNames([]string{"AB", "a-b", "a_b", "ab2", "validate"}, "Validate")
	want := map[string]string{"AB": "Ab", "a-b": "AB", "a_b": "AB2", "ab2": "Ab2", "validate": "Validate2"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("fieldNames: %q -> %q, want %q (all: %v)", k, got[k], w, got)
		}
	}
	// A suffixed name never takes the plain name of a later key.
	got = fieldNames([]string{"x-1", "x_1", "x12"})
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n] {
			t.Errorf("fieldNames gave %q twice: %v", n, got)
		}
		seen[n] = true
	}
}

func TestValueNames(t *testing.T) {
	tests := []struct {
		typ  string
		v    any
		want string
	}{
		{"Optimizer", "adam", "OptimizerAdam"},
		{"Optimizer", "sgd", "OptimizerSGD"},
		{"Optimizer", "rmsprop", "OptimizerRMSProp"},
		{"BatchSize", 32.0, "BatchSize32"},
		{"Dropout", 0.1, "Dropout0_1"},
		{"Shift", -0.5, "ShiftNeg0_5"},
		{"UseBias", true, "UseBiasTrue"},
		{"Conv2", 3.0, "Conv2_3"},
		{"Kind", "2d", "Kind2d"},
	}
	for _, tt := range tests {
		if got := constName(tt.typ, valueName(tt.v)); got != tt.want {
			t.Errorf("constName(%q, valueName(%v)) = %q, want %q", tt.typ, tt.v, got, tt.want)
		}
	}
}

func TestTypeRules(t *testing.T) {
	def, _ := load(t, "a.fw.hcl", search("s", `
  base_config = {
    epochs    = 5
    lr        = 1
    frac      = 0.5
    big       = 5000000000
    name      = "x"
    on        = true
    none      = null
    ints      = [1, 2]
    floats    = [0.5, 1]
    mixed     = [1, "a"]
    empty     = []
    nested    = [[1], [2.5]]
    objs      = [{ a = 1 }, { a = 2.5, b = "x" }]
    model     = { encoder = { dim = 3 } }
    bs        = 32
    drop      = 0.1
    act       = "relu"
    flag      = true
    huge      = 1
  }
  param "lr" {
    type = real
    low  = 0.1
    high = 2
  }
  param "bs" {
    values = [16, 32]
  }
  param "drop" {
    values = [0.1, 0.2]
  }
  param "act" {
    values = ["relu", "gelu"]
  }
  param "flag" {
    values = [true, false]
  }
  param "huge" {
    type = integer
    low  = 1
    high = 10000000000
  }
  param "model.encoder.heads" {
    type = integer
    low  = 1
    high = 8
  }
`))
	src := generate(t, def, Options{})
	typeCheck(t, src)
	got := fieldTypes(t, src)
	want := map[string]string{
		"Config.Epochs":      "int",
		"Config.LR":          "float64",
		"Config.Frac":        "float64",
		"Config.Big":         "int64",
		"Config.Name":        "string",
		"Config.On":          "bool",
		"Config.None":        "any",
		"Config.Ints":        "[]int",
		"Config.Floats":      "[]float64",
		"Config.Mixed":       "[]any",
		"Config.Empty":       "[]any",
		"Config.Nested":      "[][]float64",
		"Config.Objs":        "[]ObjsItem",
		"ObjsItem.A":         "float64",
		"ObjsItem.B":         "string",
		"Config.Model":       "Model",
		"Model.Encoder":      "ModelEncoder",
		"ModelEncoder.Dim":   "int",
		"ModelEncoder.Heads": "int",
		"Config.Bs":          "Bs",
		"Bs":                 "int",
		"Config.Drop":        "Drop",
		"Drop":               "float64",
		"Config.Act":         "Act",
		"Act":                "string",
		"Config.Flag":        "Flag",
		"Flag":               "bool",
		"Config.Huge":        "int64",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: type %q, want %q", k, got[k], w)
		}
	}
	for _, s := range []string{"Bs16 Bs = 16", "Drop0_1 Drop = 0.1", "ActReLU Act = \"relu\"", "FlagTrue Flag = true"} {
		if !strings.Contains(squeeze(src), s) {
			t.Errorf("the generated code lacks %q", s)
		}
	}
}

// squeeze collapses runs of blanks, so that gofmt's alignment does not
// matter to substring checks.
func squeeze(src []byte) string {
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(src), " ")
}

func TestGoTypesOverride(t *testing.T) {
	def, _ := load(t, "a.fw.hcl", search("s", `
  base_config = {
    epochs  = 5
    weights = [1, 2]
    resume  = null
    width   = 64
    seed    = 3
  }
  go_types = {
    epochs  = "float64"
    weights = "float64"
    resume  = "int"
    width   = "float64"
    seed    = "int64"
  }
  param "width" {
    values = [32, 64]
  }
`))
	src := generate(t, def, Options{})
	typeCheck(t, src)
	got := fieldTypes(t, src)
	want := map[string]string{
		"Config.Epochs":  "float64",
		"Config.Weights": "[]float64",
		"Config.Resume":  "*int",
		"Config.Width":   "Width",
		"Width":          "float64",
		"Config.Seed":    "int64",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: type %q, want %q", k, got[k], w)
		}
	}
}

func TestGoTypesErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"int on fraction", `
  base_config = { x = 0.5 }
  go_types    = { x = "int" }`, `cannot hold the number 0.5`},
		{"int on real param", `
  base_config = { x = 1 }
  go_types    = { x = "int" }
  param "x" {
    type = real
    low  = 0
    high = 1
  }`, `a real param takes fractional values`},
		{"string on number", `
  base_config = { x = 1 }
  go_types    = { x = "string" }`, `cannot hold the whole number 1`},
		{"object", `
  base_config = { x = { y = 1 } }
  go_types    = { x = "int" }`, `has an object there`},
		{"list of strings", `
  base_config = { x = ["a"] }
  go_types    = { x = "int" }`, `element 0 is the string "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, _ := load(t, "a.fw.hcl", search("s", tt.body))
			_, diags := Generate(def, Options{Package: "p"})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			if !strings.Contains(diags.Error(), tt.want) {
				t.Errorf("diagnostics %q lack %q", diags.Error(), tt.want)
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a range: %v", d)
				}
			}
		})
	}
}

func TestWeirdKeysCompile(t *testing.T) {
	def, _ := load(t, "a.fw.hcl", search("s", `
  base_config = {
    type       = "a"
    func       = 1
    "2d_conv"  = { "0" = 1, "00" = 2 }
    "a-b"      = 1
    a_b        = 2
    AB         = 3
    "日本"     = "x"
    "ß"        = 1
    "-"        = 1
    "_"        = 2
    "a b"      = 3
    "x.y"      = 4
    validate   = true
    Validate   = false
    config     = { config = 1 }
    metrics    = { a = 1 }
    search     = "s"
    "100%"     = 1
    opt        = "a"
    opt_a      = { x = 1 }
  }
  param "opt" {
    values = ["a", "A", "", "%d", "a-b", "a_b", "!!"]
  }
  param "type" {
    values = ["a", "b"]
  }
  param "100%" {
    type = integer
    low  = 0
    high = 4
    step = 2
  }
`))
	src := generate(t, def, Options{})
	typeCheck(t, src)
	if !strings.Contains(string(src), `"100%%: %v is above the maximum 4"`) {
		t.Errorf("the path with %% is not escaped in messages:\n%s", src)
	}
}

func TestDeterministic(t *testing.T) {
	files := []string{
		"b.fw.hcl", search("fine", `
  base_config = { training = { lr = 0.01, epochs = 3 }, tags = ["a"], m = { x = 1, y = 2, z = 3 } }
  param "training.lr" {
    type = real
    low  = 0.001
    high = 0.1
  }`),
		"a.fw.hcl", search("coarse", `
  base_config = { training = { lr = 0.01, epochs = 3 }, opt = "adam", m = { x = 1, w = 0 } }
  param "opt" {
    values = ["adam", "sgd"]
  }`),
	}
	def, _ := load(t, files...)
	first := generate(t, def, Options{Sources: []string{"a.fw.hcl", "b.fw.hcl"}})
	typeCheck(t, first)
	for i := 0; i < 20; i++ {
		def, _ := load(t, files...)
		if got := generate(t, def, Options{Sources: []string{"a.fw.hcl", "b.fw.hcl"}}); !bytes.Equal(got, first) {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, got, first)
		}
	}
}

func TestHeader(t *testing.T) {
	def, _ := load(t, "a.fw.hcl", search("s", `base_config = { x = 1 }`))
	re := regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)
	for _, sources := range [][]string{nil, {"a.fw.hcl", "b.fw.hcl"}} {
		src := generate(t, def, Options{Sources: sources})
		line, _, _ := strings.Cut(string(src), "\n")
		if !re.MatchString(line) {
			t.Errorf("first line %q does not match %s", line, re)
		}
		if sources != nil && line != "// Code generated by fwgen from a.fw.hcl, b.fw.hcl. DO NOT EDIT." {
			t.Errorf("first line %q", line)
		}
	}
}

func TestPackageName(t *testing.T) {
	def, _ := load(t, "a.fw.hcl", search("s", `base_config = { x = 1 }`))
	for _, name := range []string{"", "type", "a-b", "1x"} {
		if _, diags := Generate(def, Options{Package: name}); !diags.HasErrors() {
			t.Errorf("package %q: no error", name)
		}
	}
}

func TestValidateMessages(t *testing.T) {
	def, _ := load(t, "a.fw.hcl", search("s", `
  base_config = { training = { lr = 0.001, bs = 64, drop = 0.1 }, opt = "adam" }
  param "training.lr" {
    type = real
    low  = 1e-5
    high = 1e-2
    log  = true
  }
  param "training.bs" {
    type = integer
    low  = 32
    high = 256
    step = 32
  }
  param "training.drop" {
    type = real
    low  = 0
    high = 0.5
    step = 0.1
  }
  param "opt" {
    values = ["adam", "sgd"]
  }
`))
	src := string(generate(t, def, Options{}))
	for _, want := range []string{
		`"training.lr: %v is above the maximum 0.01"`,
		`"training.lr: %v is below the minimum 1e-05"`,
		`"training.lr: NaN is not a number"`,
		`"training.bs: %v is off the grid from 32 to 256 in steps of 32"`,
		`(v-32)%32 != 0`,
		`!fwOnStep(v, 0.0, 0.5, 0.1)`,
		`"opt: %q is not one of \"adam\" or \"sgd\""`,
		`// LR is searched: real in [1e-05, 0.01], log scale.`,
		`// Bs is searched: integer in [32, 256], step 32.`,
		`// Opt is searched: one of "adam" or "sgd".`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the generated code lacks %s", want)
		}
	}
}

func TestSharedConfig(t *testing.T) {
	def, _ := load(t,
		"a.fw.hcl", search("coarse", `
  base_config = { lr = 0.01, opt = "adam", only_a = 1 }
  param "lr" {
    type = real
    low  = 0.001
    high = 0.1
  }
  param "opt" {
    values = ["adam", "sgd", "rmsprop"]
  }`),
		"b.fw.hcl", search("fine-tune", `
  base_config = { lr = 0.005, opt = "adam", only_b = "x", n = null }
  param "lr" {
    type = real
    low  = 0.001
    high = 0.01
  }
  param "opt" {
    values = ["adam", "adamw"]
  }`),
		"c.fw.hcl", search("c", `
  base_config = { lr = 0.01, n = 3 }
  param "lr" {
    type = real
    low  = 0.001
    high = 0.01
  }`),
	)
	src := generate(t, def, Options{})
	typeCheck(t, src)
	s := squeeze(src)
	for _, want := range []string{
		"func (c Config) ValidateForCoarse() error",
		"func (c Config) ValidateForFineTune() error",
		"func (c Config) ValidateForC() error",
		"func DefaultsForFineTune() Config",
		`SearchFineTune = "fine-tune"`,
		`OptAdamW Opt = "adamw"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the generated code lacks %q", want)
		}
	}
	got := fieldTypes(t, src)
	for k, w := range map[string]string{"Config.OnlyA": "int", "Config.OnlyB": "string", "Config.N": "int", "Config.Opt": "Opt"} {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	// Only the search's own values pass its validator.
	if !strings.Contains(s, "case OptAdam, OptAdamW:") {
		t.Errorf("fine-tune's validator does not switch on its own values:\n%s", src)
	}
	// -search generates one search only, with exact checks and no per-search API.
	one := string(generate(t, def, Options{Search: "fine-tune"}))
	if strings.Contains(one, "ValidateFor") || strings.Contains(one, "OnlyA") || !strings.Contains(one, `Search = "fine-tune"`) {
		t.Errorf("-search=fine-tune:\n%s", one)
	}
}

func TestDiagnostics(t *testing.T) {
	t.Run("clash", func(t *testing.T) {
		def, files := load(t,
			"a.fw.hcl", search("a", `base_config = { epochs = 5 }`),
			"b.fw.hcl", search("b", `
  base_config = { epochs = 5 }
  param "epochs" {
    type = real
    low  = 1
    high = 10
  }`))
		_, diags := Generate(def, Options{Package: "p"})
		if len(diags) != 1 || !diags.HasErrors() {
			t.Fatalf("diagnostics: %s", renderDiags(files, diags))
		}
		d := diags[0]
		if d.Subject == nil || d.Subject.Filename != "b.fw.hcl" || d.Subject.Start.Line != 8 {
			t.Errorf("subject %v, want b.fw.hcl:8 (the param)", d.Subject)
		}
		for _, want := range []string{`Search "b" makes "epochs" float64 (from a real param)`, `search "a" makes it int`, "a.fw.hcl:6", `go_types = { "epochs" = "float64" }`, "-search=NAME"} {
			if !strings.Contains(d.Detail, want) {
				t.Errorf("detail %q lacks %q", d.Detail, want)
			}
		}
		// The searches apart generate fine.
		for _, s := range []string{"a", "b"} {
			generate(t, def, Options{Search: s})
		}
	})
	t.Run("metrics", func(t *testing.T) {
		def, _ := load(t,
			"a.fw.hcl", search("a", `base_config = { x = 1 }`),
			"b.fw.hcl", strings.Replace(search("b", `base_config = { x = 1 }`), `"val_loss"`, `"acc"`, 1))
		_, diags := Generate(def, Options{Package: "p"})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "different metrics") {
			t.Errorf("diagnostics: %v", diags)
		}
	})
	t.Run("unknown search", func(t *testing.T) {
		def, _ := load(t, "a.fw.hcl", search("a", `base_config = { x = 1 }`))
		_, diags := Generate(def, Options{Package: "p", Search: "nope"})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), `There is no search "nope"; the search files declare "a"`) {
			t.Errorf("diagnostics: %v", diags)
		}
	})
	t.Run("bad key", func(t *testing.T) {
		def, _ := load(t, "a.fw.hcl", search("a", `base_config = { "a,b" = 1, "q\"" = 2 }`))
		_, diags := Generate(def, Options{Package: "p"})
		if len(diags.Errs()) != 2 || diags[0].Subject == nil {
			t.Errorf("diagnostics: %v", diags)
		}
	})
	t.Run("base outside space", func(t *testing.T) {
		def, _ := load(t, "a.fw.hcl", search("a", `
  base_config = { lr = 0.5 }
  param "lr" {
    type = real
    low  = 0.001
    high = 0.1
  }`))
		src, diags := Generate(def, Options{Package: "p"})
		if src == nil || diags.HasErrors() || len(diags) != 1 || diags[0].Severity != hcl.DiagWarning {
			t.Errorf("diagnostics: %v", diags)
		}
	})
}

func TestSchemaFingerprint(t *testing.T) {
	base := search("s", `
  base_config = { lr = 0.01, epochs = 3 }
  param "lr" {
    type = real
    low  = 0.001
    high = 0.1
  }`)
	def, _ := load(t, "a.fw.hcl", base)
	fp, diags := SchemaFingerprint(def, "")
	if diags.HasErrors() || len(fp) != 64 {
		t.Fatalf("SchemaFingerprint = %q, %v", fp, diags)
	}
	src := string(generate(t, def, Options{Package: "x"}))
	if !strings.Contains(src, `SchemaFingerprint = "`+fp+`"`) {
		t.Errorf("the generated constant is not %s", fp)
	}
	if fp2, _ := SchemaFingerprint(def, "s"); fp2 != fp {
		t.Errorf("selecting the only search changed the fingerprint")
	}
	same := []string{
		strings.Replace(base, "lr = 0.01", "lr = 0.02", 1),         // a base value
		strings.Replace(base, "trials   = 10", "trials   = 99", 1), // the budget
		"# comment\n" + strings.ReplaceAll(base, "  ", "    "),     // formatting
	}
	for i, s := range same {
		d, _ := load(t, "other.fw.hcl", s)
		if got, _ := SchemaFingerprint(d, ""); got != fp {
			t.Errorf("same[%d]: fingerprint changed", i)
		}
	}
	differ := []string{
		strings.Replace(base, "high = 0.1", "high = 0.2", 1),        // a range
		strings.Replace(base, "epochs = 3", "epochs = 3.5", 1),      // a type
		strings.Replace(base, "epochs = 3", "epochs = 3, x = 1", 1), // a field
		strings.Replace(base, `"val_loss"`, `"loss"`, 1),            // the metric
	}
	for i, s := range differ {
		d, _ := load(t, "a.fw.hcl", s)
		if got, _ := SchemaFingerprint(d, ""); got == fp {
			t.Errorf("differ[%d]: fingerprint unchanged", i)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("  - \"coarse\": one of \"aaaa\", \"bbbb\", \"cccc\" or \"dddd\".", 20)
	want := []string{`  - "coarse": one of`, `    "aaaa", "bbbb",`, `    "cccc" or`, `    "dddd".`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestMergedChecksCompile(t *testing.T) {
	def, _ := load(t,
		"a.fw.hcl", search("a", `
  base_config = { drop = 0.1, bs = 32, n = 10, flag = true }
  go_types    = { n = "float64" }
  param "drop" {
    type = real
    low  = 0
    high = 0.5
    step = 0.1
  }
  param "bs" {
    type = integer
    low  = 16
    high = 128
    step = 16
  }
  param "n" {
    type = integer
    low  = 0
    high = 100
    step = 5
  }`),
		"b.fw.hcl", search("b", `
  base_config = { drop = 0.2, bs = 64, n = 10.5, flag = false }
  param "drop" {
    values = [0.1, 0.2]
  }
  param "bs" {
    values = [32, 64]
  }
  param "flag" {
    values = [true]
  }`),
		"c.fw.hcl", search("c", `base_config = { other = 1 }`),
	)
	src := generate(t, def, Options{Package: "runtime"})
	typeCheck(t, src)
	got := fieldTypes(t, src)
	for k, w := range map[string]string{"Config.Drop": "Drop", "Drop": "float64", "Config.Bs": "Bs", "Bs": "int", "Config.N": "float64", "Config.Flag": "Flag"} {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	s := squeeze(src)
	for _, want := range []string{
		"!fwOnStep(float64(v), 0.0, 0.5, 0.1)",
		"case v != math.Trunc(v):",
		"case math.Mod(v, 5.0) != 0:",
		"case (v-16)%16 != 0:",
		"case FlagTrue:",
		// c has no params, so it accepts everything, and so does Validate.
		"func (c Config) violationsC() []error {\n var errs []error\n return errs\n}",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the generated code lacks %q", want)
		}
	}
}

func TestSchemaFingerprints(t *testing.T) {
	def, _ := load(t,
		"a.fw.hcl", search("a", `base_config = { x = 1 }`),
		"b.fw.hcl", search("b", `base_config = { y = "s" }`))
	fps, diags := SchemaFingerprints(def, "a")
	one, _ := SchemaFingerprint(def, "a")
	all, _ := SchemaFingerprint(def, "")
	if diags.HasErrors() || len(fps) != 2 || fps[0] != one || fps[1] != all || one == all {
		t.Errorf("SchemaFingerprints = %v, %v; want [%s %s]", fps, diags, one, all)
	}
	// When the searches clash, only a package per search is possible.
	def, _ = load(t,
		"a.fw.hcl", search("a", `base_config = { x = 1 }`),
		"b.fw.hcl", search("b", `base_config = { x = "s" }`))
	if fps, diags := SchemaFingerprints(def, "b"); diags.HasErrors() || len(fps) != 1 {
		t.Errorf("SchemaFingerprints with a clash = %v, %v", fps, diags)
	}
	if _, diags := SchemaFingerprints(def, "nope"); !diags.HasErrors() {
		t.Error("an unknown search gave no error")
	}
}
