package hcl

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

var update = flag.Bool("update", false, "rewrite golden files")

// base is a valid search; the table cases edit one line of it. Its lines:
//
//	1  search "s" {
//	2    strategy    = "random"
//	3    metric      = "loss"
//	4    mode        = "min"
//	5    trials      = 10
//	6    base_config = { lr = 0.1, name = "x", opt = { beta = 0.9 }, layers = 2 }
//	7    param "lr" {
//	8      type = real
//	9      low  = 0.001
//	10     high = 1
//	11     log  = true
//	12   }
//	13   trial {
//	14     command = ["true"]
//	15   }
//	16 }
const base = `search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 10
  base_config = { lr = 0.1, name = "x", opt = { beta = 0.9 }, layers = 2 }
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

// edit replaces old (which must occur once in base) with new.
func edit(t testing.TB, old, new string) string {
	t.Helper()
	if strings.Count(base, old) != 1 {
		t.Fatalf("edit: %q occurs %d times in base", old, strings.Count(base, old))
	}
	return strings.Replace(base, old, new, 1)
}

// withParam returns base with the param "lr" renamed to path and, unless
// baseConfig is "", base_config replaced by it; the param block stays on
// line 7.
func withParam(t *testing.T, path, baseConfig string) string {
	t.Helper()
	src := edit(t, `param "lr" {`, fmt.Sprintf("param %q {", path))
	if baseConfig != "" {
		src = strings.Replace(src, `{ lr = 0.1, name = "x", opt = { beta = 0.9 }, layers = 2 }`, baseConfig, 1)
	}
	return src
}

func loadString(t *testing.T, src string, opts Options) (*Result, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	name := filepath.Join(dir, "main.fw.hcl")
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadDir(dir, opts)
}

func TestLoadValid(t *testing.T) {
	res, diags := loadString(t, base, Options{})
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics: %s", diags)
	}
	s := res.Definition.Search("s")
	if s == nil {
		t.Fatal("search s missing")
	}
	want := map[string]any{"lr": 0.1, "name": "x", "opt": map[string]any{"beta": 0.9}, "layers": int64(2)}
	if d := cmp.Diff(want, s.BaseConfig); d != "" {
		t.Errorf("base config (-want +got):\n%s", d)
	}
	if s.Strategy != definition.Random || s.Metric != "loss" || s.Mode != definition.Min || s.Trials != 10 {
		t.Errorf("attributes: %+v", s)
	}
	r, ok := s.Params[0].Dim.(*space.Real)
	if !ok || r.Low != 0.001 || r.High != 1 || !r.Log {
		t.Errorf("param lr: %#v", s.Params[0].Dim)
	}
	if d := cmp.Diff([]string{"true"}, s.Trial.Command); d != "" {
		t.Errorf("command: %s", d)
	}
}

// TestDiagnostics covers every bad input of the language: each case gives
// the summary and line of the diagnostic it must produce.
func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name        string
		src         string
		opts        Options
		wantSummary string
		wantLine    int    // 0: no source range (command-line input)
		wantDetail  string // substring of the detail
	}{
		{"unknown attribute", edit(t, "  strategy ", "  stratgy  "), Options{}, "Unsupported argument", 2, `Did you mean "strategy"?`},
		{"unknown block", edit(t, `  param "lr" {`, `  parm "lr" {`), Options{}, "Unsupported block type", 7, `Did you mean "param"?`},
		{"unknown param attribute", edit(t, "    log  = true", "    logg = true"), Options{}, "Unsupported argument", 11, `Did you mean "log"?`},
		{"duplicate search", base + strings.Replace(base, "\n", "\n", 1), Options{}, "Duplicate search", 17, "already declared at"},
		{"duplicate param", edit(t, "  trial {", "  param \"lr\" {\n    values = [1, 2]\n  }\n  trial {"), Options{}, "Duplicate param", 13, "already declared"},
		{"missing metric", edit(t, "  metric      = \"loss\"\n", ""), Options{}, "Missing required argument", 1, `"metric" is required`},
		{"missing mode", edit(t, "  mode        = \"min\"\n", ""), Options{}, "Missing required argument", 1, `"mode" is required`},
		{"bad mode", edit(t, `"min"`, `"minimize"`), Options{}, "Invalid mode", 4, `Use "min" or "max"`},
		{"unknown strategy", edit(t, `"random"`, `"randon"`), Options{}, "Invalid strategy", 2, `Did you mean "random"?`},
		{"trials on grid", edit(t, `"random"`, `"grid"`), Options{}, "trials is not allowed for grid search", 5, "runs every point"},
		{"no trials on random", edit(t, "  trials      = 10\n", ""), Options{}, "Missing trials", 2, "budget"},
		{"no trials on bayesian", strings.Replace(edit(t, "  trials      = 10\n", ""), `"random"`, `"bayesian"`, 1), Options{}, "Missing trials", 2, "budget"},
		{"trials not whole", edit(t, "= 10\n", "= 2.5\n"), Options{}, "Invalid trials", 5, "whole number"},
		{"low equal high", edit(t, "    high = 1\n", "    high = 0.001\n"), Options{}, "Invalid low", 9, "less than"},
		{"low above high", edit(t, "    low  = 0.001", "    low  = 5"), Options{}, "Invalid low", 9, "less than"},
		{"log with low zero", edit(t, "    low  = 0.001", "    low  = 0"), Options{}, "Invalid low", 9, "log"},
		{"log with negative low", edit(t, "    low  = 0.001", "    low  = -1"), Options{}, "Invalid low", 9, "log"},
		{"integer low not whole", edit(t, "    type = real\n    low  = 0.001", "    type = integer\n    low  = 1.5"), Options{}, "Invalid low", 9, "whole"},
		{"integer high not whole", edit(t, "    type = real\n    low  = 0.001\n    high = 1", "    type = integer\n    low  = 1\n    high = 7.5"), Options{}, "Invalid high", 10, "whole"},
		{"step not dividing", edit(t, "    log  = true", "    step = 0.3"), Options{}, "Invalid step", 11, "divid"},
		{"zero step", edit(t, "    log  = true", "    step = 0"), Options{}, "Invalid step", 11, "greater than 0"},
		{"empty values", edit(t, "    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "    values = []"), Options{}, "Invalid values", 8, "at least one value"},
		{"duplicate values", edit(t, "    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "    values = [0.1, 0.2, 0.1]"), Options{}, "Invalid values", 8, "repeats values[0]"},
		{"mixed values", edit(t, "    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "    values = [0.1, \"a\"]"), Options{}, "Mixed value types", 8, "element 0"},
		{"values with type", edit(t, "    low  = 0.001\n    high = 1\n    log  = true", "    values = [0.1, 0.2]"), Options{}, "type is not allowed with values", 8, "categorical"},
		{"missing param type", edit(t, "    type = real\n", ""), Options{}, "Missing param type", 7, "type = real"},
		{"quoted param type", edit(t, "type = real", `type = "real"`), Options{}, "Invalid param type", 8, "without quotes"},
		{"unknown param type", edit(t, "type = real", `type = reel`), Options{}, "Invalid param type", 8, `Did you mean "real"?`},
		{"missing low", edit(t, "    low  = 0.001\n", ""), Options{}, "Missing low", 7, "low and high"},
		{"grid over real without step", strings.Replace(edit(t, "  trials      = 10\n", ""), `"random"`, `"grid"`, 1), Options{}, "Grid search over a continuous param", 6, "step"},
		{"grid too large", strings.Replace(edit(t, "  param \"lr\" {\n    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "  param \"layers\" {\n    type = integer\n    low  = 1\n    high = 1000000000"), "  strategy    = \"random\"\n  metric      = \"loss\"\n  mode        = \"min\"\n  trials      = 10\n", "  strategy    = \"grid\"\n  metric      = \"loss\"\n  mode        = \"min\"\n", 1), Options{}, "Grid too large", 1, "1000000000 points"},
		{"param path through scalar", edit(t, `param "lr" {`, `param "lr.x" {`), Options{}, "Param path through a scalar", 7, "not an object"},
		{"param path missing object", edit(t, `param "lr" {`, `param "sched.lr" {`), Options{}, "Param path not in base_config", 7, "no object"},
		{"param replaces object", edit(t, `param "lr" {`, `param "opt" {`), Options{}, "Param type does not match base_config", 7, "an object"},
		{"type clash real on string", edit(t, `param "lr" {`, `param "name" {`), Options{}, "Param type does not match base_config", 7, "needs a number"},
		{"type clash integer on fraction", edit(t, "  param \"lr\" {\n    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "  param \"lr\" {\n    type = integer\n    low  = 1\n    high = 8"), Options{}, "Param type does not match base_config", 7, "fractional"},
		{"type clash categorical", edit(t, "  param \"lr\" {\n    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "  param \"name\" {\n    values = [1, 2]"), Options{}, "Param type does not match base_config", 7, "numbers"},
		{"bayesian block on random", edit(t, "  trial {", "  bayesian {\n    initial_points = 3\n  }\n  trial {"), Options{}, "bayesian block on a non-Bayesian search", 13, "strategy = \"bayesian\""},
		{"unknown acquisition", strings.Replace(edit(t, "  trial {", "  bayesian {\n    acquisition = \"ucb\"\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Invalid acquisition", 14, `"ei", "lcb" or "pi"`},
		{"unknown pruned_trials", strings.Replace(edit(t, "  trial {", "  bayesian {\n    pruned_trials = \"exclued\"\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Invalid pruned_trials", 14, `Did you mean "exclude"? Use "value", "worst" or "exclude".`},
		{"pruned_trials not a string", strings.Replace(edit(t, "  trial {", "  bayesian {\n    pruned_trials = [\"value\"]\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Incorrect attribute value type", 14, "string"},
		{"explore_kappa zero", strings.Replace(edit(t, "  trial {", "  bayesian {\n    explore_kappa = 0\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Invalid explore_kappa", 14, "explore_every = 0"},
		{"explore_every negative", strings.Replace(edit(t, "  trial {", "  bayesian {\n    explore_every = -1\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Invalid explore_every", 14, "at least 0"},
		{"stall_trials zero", strings.Replace(edit(t, "  trial {", "  bayesian {\n    stall_trials = 0\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Invalid stall_trials", 14, "at least 1"},
		{"explore_every fractional", strings.Replace(edit(t, "  trial {", "  bayesian {\n    explore_every = 2.5\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "Invalid explore_every", 14, "whole"},
		{"initial points above trials", strings.Replace(edit(t, "  trial {", "  bayesian {\n    initial_points = 11\n  }\n  trial {"), `"random"`, `"bayesian"`, 1), Options{}, "initial_points exceeds trials", 14, "budget of 10"},
		{"unknown variable", edit(t, "= 10\n", "= var.budget\n"), Options{}, "Reference to undeclared input variable", 5, `"budget" is not declared`},
		{"unknown variable suggestion", "variable \"budget\" {\n  default = 3\n}\n" + edit(t, "= 10\n", "= var.budgt\n"), Options{}, "Reference to undeclared input variable", 8, `Did you mean "budget"?`},
		{"malformed var flag", base, Options{VarFlags: []string{"epochs"}}, "Invalid -var option", 0, "equals sign"},
		{"undeclared var flag", base, Options{VarFlags: []string{"epochs=3"}}, "Value for undeclared variable", 0, "declare"},
		{"required variable without value", "variable \"epochs\" {\n  type = number\n}\n" + base, Options{}, "No value for required variable", 1, "-var"},
		{"bad var value type", "variable \"epochs\" {\n  type = number\n}\n" + base, Options{VarFlags: []string{"epochs=many"}}, "Invalid value for variable", 0, "number"},
		{"missing trial command", edit(t, "    command = [\"true\"]\n", ""), Options{}, "Missing trial command", 13, "go_build"},
		{"command and go_build", edit(t, `command = ["true"]`, "command = [\"true\"]\n    go_build = \"./cmd/train\""), Options{}, "Both command and go_build", 15, "remove one"},
		{"bad go_build", edit(t, `command = ["true"]`, `go_build = "cmd/train"`), Options{}, "Invalid go_build", 14, "./cmd/train"},
		{"empty metric name", edit(t, "  trials      = 10\n", "  trials      = 10\n  metrics     = [\"acc\", \"\"]\n"), Options{}, "Invalid metrics", 6, "cannot be empty"},
		{"bad go_types", edit(t, "  trials      = 10\n", "  trials      = 10\n  go_types    = { lr = \"float32\" }\n"), Options{}, "Invalid go_types", 6, "float64"},
		{"go_types unknown path", edit(t, "  trials      = 10\n", "  trials      = 10\n  go_types    = { nope = \"int\" }\n"), Options{}, "Invalid go_types", 6, "neither"},
		{"empty trial command", edit(t, `command = ["true"]`, `command = []`), Options{}, "Empty trial command", 14, "at least the program"},
		{"empty trial program", edit(t, `command = ["true"]`, `command = ["", "x"]`), Options{}, "Empty trial program", 14, "cannot be empty"},
		{"trial command not a list", edit(t, `command = ["true"]`, `command = "python3 train.py"`), Options{}, "Incorrect attribute value type", 14, "list of strings"},
		{"missing trial block", edit(t, "  trial {\n    command = [\"true\"]\n  }\n", ""), Options{}, "Missing trial block", 1, "trial {"},
		{"bad timeout", edit(t, `command = ["true"]`, "command = [\"true\"]\n    timeout = \"30 minutes\""), Options{}, "Invalid timeout", 15, "30m"},
		{"negative timeout", edit(t, `command = ["true"]`, "command = [\"true\"]\n    timeout = \"-5s\""), Options{}, "Invalid timeout", 15, "positive"},
		{"unreadable file", edit(t, "base_config = { lr = 0.1, name = \"x\", opt = { beta = 0.9 }, layers = 2 }", "base_config = jsondecode(file(\"missing.json\"))"), Options{}, "Invalid function argument", 6, "no such file"},
		{"base_config not an object", edit(t, "base_config = { lr = 0.1, name = \"x\", opt = { beta = 0.9 }, layers = 2 }", "base_config = [1, 2]"), Options{}, "Invalid base_config", 6, "must be an object"},
		{"parallelism zero", edit(t, "  trials      = 10\n", "  trials      = 10\n  parallelism = 0\n"), Options{}, "Invalid parallelism", 6, "-1"},
		{"empty metric", edit(t, `"loss"`, `""`), Options{}, "Empty metric", 3, "cannot be empty"},
		{"duplicate trial block", edit(t, "  trial {", "  trial {\n    command = [\"x\"]\n  }\n  trial {"), Options{}, "Duplicate trial block", 16, "at most one"},
		{"invalid search name", strings.Replace(base, `search "s"`, `search "1s"`, 1), Options{}, "Invalid search name", 1, "starts with a letter"},
		{"syntax error", edit(t, "  trials      = 10\n", "  trials      = \n"), Options{}, "Invalid expression", 5, ""},
		{"empty param path segment", edit(t, `param "lr" {`, `param "opt..beta" {`), Options{}, "Invalid param path", 7, "empty parts"},
		{"param typo by edit distance", withParam(t, "opt.betta", ""), Options{}, "Param path may be a typo", 7, `did you mean "opt.beta"?`},
		{"param typo by swapped letters", withParam(t, "training.lraening_rate", "{ training = { learning_rate = 0.1 } }"), Options{}, "Param path may be a typo", 7, `did you mean "training.learning_rate"?`},
		{"param typo by two edits", withParam(t, "lyres", ""), Options{}, "Param path may be a typo", 7, `did you mean "layers"?`},
		{"param typo of a short name", withParam(t, "lrr", ""), Options{}, "Param path may be a typo", 7, `did you mean "lr"?`},
		{"param typo by case style", withParam(t, "training.batchSize", "{ training = { batch_size = 32 } }"), Options{}, "Param path may be a typo", 7, `did you mean "training.batch_size"?`},
		{"param typo by kebab case", withParam(t, "learning-rate", "{ learning_rate = 0.1 }"), Options{}, "Param path may be a typo", 7, `did you mean "learning_rate"?`},
		{"param typo by abbreviation", withParam(t, "training.learning_rate", "{ training = { lr = 0.001 } }"), Options{}, "Param path may be a typo", 7, `did you mean "training.lr"?`},
		{"param typo by expansion", withParam(t, "bs", "{ batch_size = 32 }"), Options{}, "Param path may be a typo", 7, `did you mean "batch_size"?`},
		{"param typo hints new", withParam(t, "training.learning_rate", "{ training = { lr = 0.001 } }"), Options{}, "Param path may be a typo", 7, "If training.learning_rate is really a new setting, add `new = true` to the param block."},
		{"param typo best suggestion", withParam(t, "training.learning_rate", "{ training = { lr = 0.1, learning_rat = 0.1, learningRate = 0.1 } }"), Options{}, "Param path may be a typo", 7, `did you mean "training.learningRate"?`},
		{"param new not a bool", edit(t, "    log  = true\n", "    log  = true\n    new  = 1\n"), Options{}, "Incorrect attribute value type", 12, "a bool required"},
		{"metric typo", edit(t, "  trials      = 10\n", "  trials      = 10\n  metrics     = [\"val_acc\", \"los\"]\n"), Options{}, "Metric may be a typo", 3, `did you mean "los"?`},
		{"metric typo by case style", strings.Replace(edit(t, "  trials      = 10\n", "  trials      = 10\n  metrics     = [\"val_loss\", \"val_acc\"]\n"), `"loss"`, `"valLoss"`, 1), Options{}, "Metric may be a typo", 3, `did you mean "val_loss"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadString(t, tt.src, tt.opts)
			if !diags.HasErrors() {
				t.Fatalf("no error; want %q", tt.wantSummary)
			}
			if res.Definition != nil {
				t.Errorf("a definition was returned with errors")
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == tt.wantSummary {
					found = d
					break
				}
			}
			if found == nil {
				t.Fatalf("no diagnostic %q; got:\n%s", tt.wantSummary, render(res.Files, diags))
			}
			if !strings.Contains(found.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", found.Detail, tt.wantDetail)
			}
			switch {
			case tt.wantLine == 0 && found.Subject != nil:
				t.Errorf("diagnostic has a range %s; want none", found.Subject)
			case tt.wantLine != 0 && found.Subject == nil:
				t.Errorf("diagnostic has no range; want line %d", tt.wantLine)
			case tt.wantLine != 0 && found.Subject.Start.Line != tt.wantLine:
				t.Errorf("diagnostic at line %d; want %d\n%s", found.Subject.Start.Line, tt.wantLine, render(res.Files, diags))
			}
		})
	}
}

// TestAllErrorsReported checks that a load reports every error, not the first.
func TestAllErrorsReported(t *testing.T) {
	src := `search "a" {
  strategy = "randon"
  metric   = "loss"
  mode     = "maximum"
  trials   = 0
  base_config = { lr = 0.1 }
  param "lr" {
    type = real
    low  = 1
    high = 0
  }
  trial {
    command = []
    timeout = "soon"
  }
}
`
	_, diags := loadString(t, src, Options{})
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	want := []string{"Invalid strategy", "Invalid mode", "Invalid trials", "Empty trial command", "Invalid timeout", "Invalid low"}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing %q in %q", w, got)
		}
	}
}

// TestGoldenDiagnostics renders the diagnostics of each testdata/diagnostics
// file with snippets and compares them with the .golden file beside it.
func TestGoldenDiagnostics(t *testing.T) {
	files, err := filepath.Glob("testdata/diagnostics/*.fw.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".fw.hcl")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, diags := Load("testdata/diagnostics", []Source{{Name: filepath.ToSlash(f), Bytes: src}}, Options{})
			got := render(res.Files, diags)
			golden := strings.TrimSuffix(f, ".fw.hcl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./hcl -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("rendered diagnostics differ (-want +got); run go test ./hcl -run TestGoldenDiagnostics -update if this is intended:\n%s", d)
			}
		})
	}
}

func render(files map[string]*hcl.File, diags hcl.Diagnostics) string {
	var b bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&b, files, 78, false)
	for _, d := range diags {
		_ = w.WriteDiagnostic(d)
	}
	return b.String()
}

// TestNullRequired checks every required attribute given null: an error
// at the attribute, as for a missing one, saying it is null.
func TestNullRequired(t *testing.T) {
	categorical := "    values = [0.1, 0.2]"
	rangeLines := "    type = real\n    low  = 0.001\n    high = 1\n    log  = true"
	tests := []struct {
		name     string
		src      string
		attr     string
		wantLine int
	}{
		{"strategy", edit(t, `"random"`, "null"), "strategy", 2},
		{"metric", edit(t, `"loss"`, "null"), "metric", 3},
		{"mode", edit(t, `"min"`, "null"), "mode", 4},
		{"trials of random", edit(t, "= 10\n", "= null\n"), "trials", 5},
		{"trials of bayesian", strings.Replace(edit(t, "= 10\n", "= null\n"), `"random"`, `"bayesian"`, 1), "trials", 5},
		{"trials from an expression", edit(t, "= 10\n", "= true ? null : 10\n"), "trials", 5},
		{"command", edit(t, `command = ["true"]`, "command = null"), "command", 14},
		{"go_build", edit(t, `command = ["true"]`, "go_build = null"), "go_build", 14},
		{"command and go_build", edit(t, `command = ["true"]`, "command = null\n    go_build = null"), "command", 14},
		{"param type", edit(t, "type = real", "type = null"), "type", 8},
		{"param low", edit(t, "low  = 0.001", "low  = null"), "low", 9},
		{"param high", edit(t, "high = 1\n", "high = null\n"), "high", 10},
		{"param values", strings.Replace(base, rangeLines, "    values = null", 1), "values", 8},
		{"param values from a variable", "variable \"opts\" {\n  type    = list(number)\n  default = [1]\n}\n" + strings.Replace(base, rangeLines, "    values = var.opts", 1), "values", 12},
		{"param low and values", strings.Replace(base, rangeLines, categorical+"\n    low = null", 1), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// FW_VAR_opts=null sets var.opts to null: a list-typed
			// variable parses its value as HCL.
			res, diags := loadString(t, tt.src, Options{Environ: []string{"FW_VAR_opts=null"}})
			if tt.attr == "" {
				// A null optional attribute beside a valid categorical is
				// absent, not "low is not allowed with values".
				if diags.HasErrors() {
					t.Fatalf("unexpected errors:\n%s", render(res.Files, diags))
				}
				return
			}
			if res.Definition != nil {
				t.Fatal("a definition was returned for a null required attribute")
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == "Required argument is null" {
					found = d
				}
			}
			if found == nil {
				t.Fatalf("no null diagnostic; got:\n%s", render(res.Files, diags))
			}
			if len(diags.Errs()) != 1 {
				t.Errorf("want only the null error; got:\n%s", render(res.Files, diags))
			}
			if want := fmt.Sprintf("The argument %q is required, but its value is null.", tt.attr); !strings.Contains(found.Detail, want) {
				t.Errorf("detail %q does not contain %q", found.Detail, want)
			}
			if found.Subject == nil {
				t.Fatal("diagnostic has no range")
			}
			if line := found.Subject.Start.Line; tt.wantLine != 0 && line != tt.wantLine {
				t.Errorf("diagnostic at line %d; want %d", line, tt.wantLine)
			}
		})
	}
}

// TestNullOptional checks that an optional attribute given null loads as
// if it were absent.
func TestNullOptional(t *testing.T) {
	grid := strings.Replace(strings.Replace(base, "    log  = true", "    step = 0.111", 1), `"random"`, `"grid"`, 1)
	bayes := strings.Replace(edit(t, "  trial {", "  bayesian {\n    initial_points = 3\n  }\n  trial {"), `"random"`, `"bayesian"`, 1)
	tests := []struct {
		name        string
		withNull    string
		withoutAttr string
	}{
		{"trials of grid", strings.Replace(grid, "= 10\n", "= null\n", 1), strings.Replace(grid, "  trials      = 10\n", "", 1)},
		{"seed", edit(t, "= 10\n", "= 10\n  seed = null\n"), base},
		{"parallelism", edit(t, "= 10\n", "= 10\n  parallelism = null\n"), base},
		{"base_config", strings.Replace(edit(t, `{ lr = 0.1, name = "x", opt = { beta = 0.9 }, layers = 2 }`, "null"), "  param", "  param", 1), edit(t, "  base_config = { lr = 0.1, name = \"x\", opt = { beta = 0.9 }, layers = 2 }\n", "")},
		{"metrics", edit(t, "= 10\n", "= 10\n  metrics = null\n"), base},
		{"tags", edit(t, "= 10\n", "= 10\n  tags = null\n"), base},
		{"go_types", edit(t, "= 10\n", "= 10\n  go_types = null\n"), base},
		{"experiment_root", edit(t, "= 10\n", "= 10\n  experiment_root = null\n"), base},
		{"log", edit(t, "    log  = true", "    log  = null"), edit(t, "    log  = true\n", "")},
		{"step", edit(t, "    log  = true", "    step = null"), edit(t, "    log  = true\n", "")},
		{"new", edit(t, "    log  = true", "    log  = true\n    new  = null"), base},
		{"type beside values", strings.Replace(base, "    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "    type = null\n    values = [0.1]", 1), strings.Replace(base, "    type = real\n    low  = 0.001\n    high = 1\n    log  = true", "    values = [0.1]", 1)},
		{"command beside go_build", edit(t, `command = ["true"]`, "command = null\n    go_build = \"./cmd/train\""), edit(t, `command = ["true"]`, "go_build = \"./cmd/train\"")},
		{"go_build beside command", edit(t, `command = ["true"]`, "command = [\"true\"]\n    go_build = null"), base},
		{"timeout", edit(t, `command = ["true"]`, "command = [\"true\"]\n    timeout = null"), base},
		{"env", edit(t, `command = ["true"]`, "command = [\"true\"]\n    env = null"), base},
		{"initial_points", strings.Replace(bayes, "initial_points = 3", "initial_points = null", 1), strings.Replace(bayes, "    initial_points = 3\n", "", 1)},
		{"acquisition", strings.Replace(bayes, "initial_points = 3", "initial_points = 3\n    acquisition = null", 1), bayes},
		{"xi", strings.Replace(bayes, "initial_points = 3", "initial_points = 3\n    xi = null", 1), bayes},
		{"kappa", strings.Replace(bayes, "initial_points = 3", "initial_points = 3\n    kappa = null", 1), bayes},
		{"variable description", "variable \"v\" {\n  default = 1\n  description = null\n}\n" + base, "variable \"v\" {\n  default = 1\n}\n" + base},
		{"variable type", "variable \"v\" {\n  default = 1\n  type = null\n}\n" + base, "variable \"v\" {\n  default = 1\n}\n" + base},
	}
	opts := []cmp.Option{cmpopts.IgnoreTypes(hcl.Range{}), cmpopts.IgnoreFields(definition.Search{}, "Space"), cmpopts.IgnoreFields(definition.Param{}, "Dim")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadString(t, tt.withNull, Options{})
			if diags.HasErrors() {
				t.Fatalf("null: unexpected errors:\n%s", render(res.Files, diags))
			}
			want, wdiags := loadString(t, tt.withoutAttr, Options{})
			if wdiags.HasErrors() {
				t.Fatalf("absent: unexpected errors:\n%s", render(want.Files, wdiags))
			}
			got, w := res.Definition.Searches[0], want.Definition.Searches[0]
			got.Dir, got.ExperimentRoot = w.Dir, strings.Replace(got.ExperimentRoot, got.Dir, w.Dir, 1)
			if d := cmp.Diff(w, got, opts...); d != "" {
				t.Errorf("null differs from absent (-absent +null):\n%s", d)
			}
			if got.Fingerprint() != w.Fingerprint() {
				t.Error("fingerprints differ")
			}
		})
	}
}

// TestExperimentRoot checks what experiment_root may name.
func TestExperimentRoot(t *testing.T) {
	tests := []struct {
		value      string
		want       string // the root, relative to the directory of the search files unless absolute
		wantDetail string // for an error
	}{
		{value: `"runs"`, want: "runs"},
		{value: `".fw/trials"`, want: ".fw/trials"},
		{value: `"runs/../trials"`, want: "trials"},
		{value: `"./runs/"`, want: "runs"},
		{value: `"."`, want: "."},
		{value: `"/shared/fw-trials"`, want: "/shared/fw-trials"},
		{value: `"/shared//fw-trials/./x/"`, want: "/shared/fw-trials/x"},
		{value: `"/"`, wantDetail: `experiment_root "/" is the root of the filesystem`},
		{value: `"//"`, wantDetail: "is the root of the filesystem"},
		{value: `"/a/.."`, wantDetail: "is the root of the filesystem"},
		{value: `"/shared/../etc"`, wantDetail: `has ".." segments. Write an absolute experiment_root without them, like "/etc".`},
		{value: `"/shared/fw/.."`, wantDetail: `has ".." segments`},
		{value: `".."`, wantDetail: `experiment_root ".." climbs out of the directory of the search files`},
		{value: `"../trials"`, wantDetail: "climbs out"},
		{value: `"runs/../../trials"`, wantDetail: "climbs out"},
		{value: `""`, wantDetail: "remove it for the default .fw/trials"},
		{value: `"  "`, wantDetail: "remove it for the default .fw/trials"},
		{value: `"a\u0000b"`, wantDetail: "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			dir := t.TempDir()
			src := edit(t, "= 10\n", "= 10\n  experiment_root = "+tt.value+"\n")
			res, diags := Load(dir, []Source{{Name: "main.fw.hcl", Bytes: []byte(src)}}, Options{})
			if tt.wantDetail != "" {
				if len(diags.Errs()) != 1 {
					t.Fatalf("want one error; got:\n%s", render(res.Files, diags))
				}
				d := diags.Errs()[0].(*hcl.Diagnostic)
				if !strings.Contains(d.Detail, tt.wantDetail) {
					t.Errorf("detail %q does not contain %q", d.Detail, tt.wantDetail)
				}
				if d.Subject == nil || d.Subject.Start.Line != 6 {
					t.Errorf("diagnostic at %v; want line 6", d.Subject)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("unexpected errors:\n%s", render(res.Files, diags))
			}
			want := tt.want
			if !filepath.IsAbs(want) {
				want = filepath.Join(dir, want)
			}
			if got := res.Definition.Searches[0].ExperimentRoot; got != want {
				t.Errorf("root %q; want %q", got, want)
			}
		})
	}
}
