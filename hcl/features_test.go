package hcl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

func mustLoad(t *testing.T, dir string, opts Options) *definition.Definition {
	t.Helper()
	res, diags := LoadDir(dir, opts)
	if diags.HasErrors() {
		t.Fatalf("load: %s", render(res.Files, diags))
	}
	return res.Definition
}

func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFingerprint(t *testing.T) {
	a := `search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 10
  base_config = { a = 1, b = { c = "x" } }
  param "a" {
    type = integer
    low  = 1
    high = 8
  }
  param "b.c" {
    values = ["x", "y"]
  }
  trial {
    command = ["./t"]
  }
}
`
	// Same meaning: attributes reordered, spacing and comments changed,
	// base_config keys reordered and written differently, another file name.
	same := `# a comment
search "s" {
  trials = 10
  mode = "min"
  metric = "loss"
  strategy = "random"
  parallelism = 4
  base_config = {
    b = { c = "x" }
    a = 1.0
  }
  param "a" {
    high = 8
    low = 1
    type = integer
  }
  param "b.c" { values = ["x", "y"] }
  trial { command = ["./t"] }
}
`
	fp := func(src, file string) (string, string) {
		d := mustLoad(t, writeFiles(t, map[string]string{file: src}), Options{})
		s := d.Search("s")
		return s.Fingerprint(), s.SpaceFingerprint()
	}
	base, baseSpace := fp(a, "a.fw.hcl")
	if got, _ := fp(same, "other.fw.hcl"); got != base {
		t.Errorf("same meaning, different fingerprint")
	}
	for _, tc := range []struct {
		name, old, new string
		spaceChanges   bool
	}{
		{"budget", "trials   = 10", "trials   = 11", false},
		{"seed", "trials   = 10", "trials   = 10\n  seed = 3", false},
		{"mode", `"min"`, `"max"`, false},
		{"base config", `a = 1,`, `a = 2,`, true},
		{"range", "high = 8", "high = 9", true},
		{"values order", `["x", "y"]`, `["y", "x"]`, true},
		{"command", `["./t"]`, `["./t", "-v"]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, gotSpace := fp(strings.Replace(a, tc.old, tc.new, 1), "a.fw.hcl")
			if got == base {
				t.Errorf("fingerprint did not change")
			}
			if (gotSpace != baseSpace) != tc.spaceChanges {
				t.Errorf("space fingerprint changed = %v, want %v", gotSpace != baseSpace, tc.spaceChanges)
			}
		})
	}
}

// TestFingerprintIgnoresNew checks that `new = true` leaves both
// fingerprints alone: it allows a param, it does not change which configs
// the search produces.
func TestFingerprintIgnoresNew(t *testing.T) {
	src := `search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 10
  base_config = { training = { lr = 0.1 } }
  param "training.warmup" {
    type = integer
    low  = 0
    high = 100
  }
  trial {
    command = ["./t"]
  }
}
`
	withNew := strings.Replace(src, "    high = 100\n", "    high = 100\n    new  = true\n", 1)
	plain := mustLoad(t, writeFiles(t, map[string]string{"a.fw.hcl": src}), Options{}).Search("s")
	marked := mustLoad(t, writeFiles(t, map[string]string{"a.fw.hcl": withNew}), Options{}).Search("s")
	if plain.Params[0].New || !marked.Params[0].New {
		t.Fatalf("New = %v and %v, want false and true", plain.Params[0].New, marked.Params[0].New)
	}
	if plain.Fingerprint() != marked.Fingerprint() {
		t.Errorf("new = true changed the fingerprint")
	}
	if plain.SpaceFingerprint() != marked.SpaceFingerprint() {
		t.Errorf("new = true changed the space fingerprint")
	}
}

func TestVariablePrecedence(t *testing.T) {
	src := `variable "epochs" {
  type    = number
  default = 1
}
variable "layers" {
  type    = list(number)
  default = [8]
}
variable "name" {
  default = "base"
}
search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 3
  base_config = { epochs = var.epochs, layers = var.layers, name = var.name }
  trial {
    command = ["./t"]
  }
}
`
	dir := writeFiles(t, map[string]string{
		"main.fw.hcl": src,
		"a.fwvars":    "epochs = 3\nname = \"file-a\"\n",
		"b.json":      `{"epochs": 4}`,
	})
	get := func(opts Options) map[string]any {
		return mustLoad(t, dir, opts).Search("s").BaseConfig
	}
	env := []string{"FW_VAR_epochs=2", "FW_VAR_name=env", "FW_VAR_undeclared=x", "HOME=/root"}
	tests := []struct {
		name string
		opts Options
		want map[string]any
	}{
		{"defaults", Options{}, map[string]any{"epochs": int64(1), "layers": []any{int64(8)}, "name": "base"}},
		{"env over default", Options{Environ: env}, map[string]any{"epochs": int64(2), "layers": []any{int64(8)}, "name": "env"}},
		{"file over env", Options{Environ: env, VarFiles: []string{filepath.Join(dir, "a.fwvars")}}, map[string]any{"epochs": int64(3), "layers": []any{int64(8)}, "name": "file-a"}},
		{"later file wins", Options{Environ: env, VarFiles: []string{filepath.Join(dir, "a.fwvars"), filepath.Join(dir, "b.json")}}, map[string]any{"epochs": int64(4), "layers": []any{int64(8)}, "name": "file-a"}},
		{"flag over file", Options{Environ: env, VarFiles: []string{filepath.Join(dir, "b.json")}, VarFlags: []string{"epochs=5"}}, map[string]any{"epochs": int64(5), "layers": []any{int64(8)}, "name": "env"}},
		{"later flag wins", Options{VarFlags: []string{"epochs=5", "epochs=6", "layers=[1, 2]", "name=a=b"}}, map[string]any{"epochs": int64(6), "layers": []any{int64(1), int64(2)}, "name": "a=b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, get(tt.opts)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestBaseConfigFromFiles(t *testing.T) {
	search := func(expr string) string {
		return `search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 3
  base_config = ` + expr + `
  param "training.lr" {
    type = real
    low  = 0.0001
    high = 0.1
    log  = true
  }
  trial {
    command = ["./t"]
  }
}
`
	}
	want := map[string]any{
		"training": map[string]any{"lr": 0.001, "epochs": int64(5)},
		"layers":   []any{int64(64), int64(32)},
		"name":     "mlp",
	}
	for _, tc := range []struct{ name, expr string }{
		{"json", `jsondecode(file("base.json"))`},
		{"yaml", `yamldecode(file("conf/base.yaml"))`},
		{"functions", `merge(jsondecode(file("base.json")), { name = format("%s", lower("MLP")), layers = concat([max(64, 1)], [min(32, 100)]) })`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				"main.fw.hcl": search(tc.expr),
				"base.json":   `{"training": {"lr": 0.001, "epochs": 5}, "layers": [64, 32], "name": "mlp"}`,
			})
			if err := os.Mkdir(filepath.Join(dir, "conf"), 0o755); err != nil {
				t.Fatal(err)
			}
			yml := "training:\n  lr: 0.001\n  epochs: 5\nlayers: [64, 32]\nname: mlp\n"
			if err := os.WriteFile(filepath.Join(dir, "conf", "base.yaml"), []byte(yml), 0o644); err != nil {
				t.Fatal(err)
			}
			got := mustLoad(t, dir, Options{}).Search("s").BaseConfig
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParamKinds(t *testing.T) {
	src := `search "g" {
  strategy = "grid"
  metric   = "acc"
  mode     = "max"
  base_config = { lr = 0.1, bs = 32, opt = "adam", nested = { flag = true } }
  param "lr" {
    type = real
    low  = 0.1
    high = 0.5
    step = 0.1
  }
  param "bs" {
    type = integer
    low  = 16
    high = 64
    step = 16
  }
  param "opt" {
    values = ["adam", "sgd"]
  }
  param "nested.flag" {
    values = [true, false]
  }
  param "nested.new_leaf" {
    values = [1, 2.5]
  }
  trial {
    command = ["./t"]
    timeout = "1h30m"
    env     = { A = "1" }
  }
}
`
	d := mustLoad(t, writeFiles(t, map[string]string{"g.fw.hcl": src}), Options{})
	s := d.Search("g")
	n, err := s.Space.GridSize()
	if err != nil || n != 5*4*2*2*2 {
		t.Fatalf("grid size %d, %v; want 160", n, err)
	}
	if _, ok := s.Params[1].Dim.(*space.Integer); !ok {
		t.Errorf("bs is %T", s.Params[1].Dim)
	}
	if s.Trial.Timeout.Minutes() != 90 || s.Trial.Env["A"] != "1" {
		t.Errorf("trial: %+v", s.Trial)
	}
	cfg, err := s.Resolve(s.Space.GridPoint(0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"lr": 0.1, "bs": int64(16), "opt": "adam", "nested": map[string]any{"flag": true, "new_leaf": 1.0}}
	if d := cmp.Diff(want, cfg); d != "" {
		t.Errorf("resolved config (-want +got):\n%s", d)
	}
	if s.BaseConfig["bs"] != int64(32) {
		t.Errorf("Resolve changed the base config")
	}
}

func TestBayesianDefaults(t *testing.T) {
	src := `search "b" {
  strategy = "bayesian"
  metric   = "loss"
  mode     = "min"
  trials   = 6
  base_config = { x = 1.5 }
  param "x" {
    type = real
    low  = -5
    high = 10
  }
  trial {
    command = ["./t"]
  }
}
`
	s := mustLoad(t, writeFiles(t, map[string]string{"b.fw.hcl": src}), Options{}).Search("b")
	want := definition.DefaultBayesian(30)
	want.InitialPoints = 6
	if d := cmp.Diff(want, s.Bayesian); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestNoFiles(t *testing.T) {
	_, diags := LoadDir(t.TempDir(), Options{})
	if !diags.HasErrors() || diags[0].Summary != "No search files" {
		t.Fatalf("got %v", diags)
	}
	_, diags = LoadDir(filepath.Join(t.TempDir(), "missing"), Options{})
	if !diags.HasErrors() || diags[0].Summary != "Cannot read the search directory" {
		t.Fatalf("got %v", diags)
	}
}

func TestExampleQuickstart(t *testing.T) {
	d := mustLoad(t, "../examples/quickstart", Options{})
	s := d.Search("quickstart")
	if s == nil || s.Strategy != definition.Random || len(s.Params) != 3 {
		t.Fatalf("quickstart: %+v", s)
	}
}

func TestBayesianBlock(t *testing.T) {
	src := func(block string) string {
		return `search "b" {
  strategy = "bayesian"
  metric   = "loss"
  mode     = "max"
  trials   = 30
  base_config = { x = 1.5 }
  param "x" {
    type = real
    low  = -5
    high = 10
  }
  bayesian {
` + block + `
  }
  trial {
    command = ["./t"]
  }
}
`
	}
	opts := func(edit func(*definition.BayesianOptions)) definition.BayesianOptions {
		o := definition.DefaultBayesian(30)
		edit(o)
		return *o
	}
	for _, tc := range []struct {
		block string
		want  definition.BayesianOptions
	}{
		{"", opts(func(o *definition.BayesianOptions) {})},
		{`acquisition = "pi"`, opts(func(o *definition.BayesianOptions) { o.Acquisition, o.Xi = "pi", 0.01 })},
		{"acquisition = \"ei\"\n    xi = 0.1\n    initial_points = 4", opts(func(o *definition.BayesianOptions) { o.Xi, o.InitialPoints = 0.1, 4 })},
		{"acquisition = \"lcb\"\n    kappa = 3", opts(func(o *definition.BayesianOptions) { o.Acquisition, o.Kappa = "lcb", 3 })},
		{`pruned_trials = "value"`, opts(func(o *definition.BayesianOptions) {})},
		{`pruned_trials = "exclude"`, opts(func(o *definition.BayesianOptions) { o.PrunedTrials = "exclude" })},
		{`pruned_trials = "worst"`, opts(func(o *definition.BayesianOptions) { o.PrunedTrials = "worst" })},
		{"explore_every = 0", opts(func(o *definition.BayesianOptions) { o.ExploreEvery = 0 })},
		{"explore_every = 5\n    explore_kappa = 1.5\n    stall_trials = 4", opts(func(o *definition.BayesianOptions) { o.ExploreEvery, o.ExploreKappa, o.StallTrials = 5, 1.5, 4 })},
	} {
		s := mustLoad(t, writeFiles(t, map[string]string{"b.fw.hcl": src(tc.block)}), Options{}).Search("b")
		if d := cmp.Diff(&tc.want, s.Bayesian); d != "" {
			t.Errorf("%q (-want +got):\n%s", tc.block, d)
		}
	}
}

func TestMetricsAndGoTypes(t *testing.T) {
	src := `search "s" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 3
  metrics     = ["val_acc", "train_loss"]
  go_types    = { "training.epochs" = "float64" }
  base_config = { training = { epochs = 5 } }
  trial {
    go_build = "./cmd/train"
  }
}
`
	s := mustLoad(t, writeFiles(t, map[string]string{"s.fw.hcl": src}), Options{}).Search("s")
	if d := cmp.Diff([]string{"val_loss", "val_acc", "train_loss"}, s.Metrics); d != "" {
		t.Errorf("metrics (-want +got):\n%s", d)
	}
	if s.GoTypes["training.epochs"] != "float64" || s.Trial.GoBuild != "./cmd/train" || s.Trial.Command != nil {
		t.Errorf("go_types %v, go_build %q, command %v", s.GoTypes, s.Trial.GoBuild, s.Trial.Command)
	}
	if s.BaseConfigRange.Start.Line != 8 {
		t.Errorf("base_config range %v", s.BaseConfigRange)
	}
}
