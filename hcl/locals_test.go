package hcl

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/frameworm/frameworm/definition"
)

// writtenOut is a search that uses every place an expression may appear:
// search attributes, base_config, params, trial, bayesian, pruner, and an
// executor block. TestLocalsSameAsWrittenOut rewrites parts of it with
// locals.
const writtenOut = `variable "epochs" {
  default = 10
}

executor "slurm" "gpu" {
  partition = "gpu"
  time      = "2h"
}

search "s" {
  strategy        = "bayesian"
  metric          = "val_loss"
  mode            = "min"
  trials          = 30
  seed            = 7
  parallelism     = 4
  metrics         = ["val_loss", "val_acc"]
  tags            = ["locals"]
  go_types        = { "training.epochs" = "float64" }
  experiment_root = "runs"
  base_config = {
    training  = { lr = 0.001, batch_size = 64, epochs = var.epochs }
    optimizer = "adam"
  }
  param "training.lr" {
    type = real
    low  = 0.00001
    high = 0.01
    log  = true
  }
  param "training.batch_size" {
    values = [32, 64, 128]
  }
  param "training.warmup" {
    type = integer
    low  = 0
    high = 100
    step = 10
    new  = true
  }
  trial {
    command  = ["python3", "train.py"]
    timeout  = "30m"
    env      = { DATA = "/data" }
    executor = executor.slurm.gpu
  }
  bayesian {
    initial_points = 8
    acquisition    = "ei"
    xi             = 0.02
  }
  pruner "asha" {
    max_steps        = base_config.training.epochs
    min_steps        = 2
    reduction_factor = 3
  }
}
`

// rewrite returns writtenOut with each pair old, new of edits replaced
// (old must occur once) and the blocks of locals before it.
func rewrite(t *testing.T, locals string, edits ...string) string {
	t.Helper()
	src := writtenOut
	for i := 0; i+1 < len(edits); i += 2 {
		if n := strings.Count(src, edits[i]); n != 1 {
			t.Fatalf("rewrite: %q occurs %d times", edits[i], n)
		}
		src = strings.Replace(src, edits[i], edits[i+1], 1)
	}
	return locals + src
}

// meaningOpts compare definitions by everything but source ranges; the
// space is compared by its dimensions, which are the params'.
var meaningOpts = cmp.Options{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmpopts.IgnoreTypes(hcl.Range{}),
	cmpopts.IgnoreFields(definition.Search{}, "Space"),
}

// TestLocalsSameAsWrittenOut checks that a definition using locals, in
// every place an expression may appear, loads as the same definition
// written out: values, params, trial, executor and pruner, fingerprints.
func TestLocalsSameAsWrittenOut(t *testing.T) {
	tests := []struct {
		name  string
		files []Source // the locals version; its first file is the rewrite
		opts  Options
	}{
		{name: "the example of the language reference", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  epochs = var.epochs
  base   = { training = { lr = 0.001, batch_size = 64, epochs = local.epochs }, optimizer = "adam" }
}
`, "base_config = {\n    training  = { lr = 0.001, batch_size = 64, epochs = var.epochs }\n    optimizer = \"adam\"\n  }", "base_config = local.base"))}}},
		{name: "search attributes", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  strategy = "bayesian"
  metric   = "val_loss"
  mode     = "min"
  budget   = 30
  seed     = 7
  workers  = 4
  metrics  = [local.metric, "val_acc"]
  tags     = ["locals"]
  go_types = { "training.epochs" = "float64" }
  root     = "runs"
}
`,
			`strategy        = "bayesian"`, `strategy        = local.strategy`,
			`metric          = "val_loss"`, `metric          = local.metric`,
			`mode            = "min"`, `mode            = local.mode`,
			`trials          = 30`, `trials          = local.budget`,
			`seed            = 7`, `seed            = local.seed`,
			`parallelism     = 4`, `parallelism     = local.workers`,
			`metrics         = ["val_loss", "val_acc"]`, `metrics         = local.metrics`,
			`tags            = ["locals"]`, `tags            = local.tags`,
			`go_types        = { "training.epochs" = "float64" }`, `go_types        = local.go_types`,
			`experiment_root = "runs"`, `experiment_root = local.root`))}}},
		{name: "params", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  lr      = { low = 0.00001, high = 0.01 }
  log     = true
  sizes   = [32, local.sizes_mid, 128]
  sizes_mid = 64
  warmup  = { high = 100, step = 10 }
  is_new  = true
}
`,
			"    low  = 0.00001\n    high = 0.01\n    log  = true", "    low  = local.lr.low\n    high = local.lr.high\n    log  = local.log",
			"values = [32, 64, 128]", "values = local.sizes",
			"    high = 100\n    step = 10\n    new  = true", "    high = local.warmup.high\n    step = local.warmup[\"step\"]\n    new  = local.is_new"))}}},
		{name: "trial", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  command = ["python3", local.script]
  script  = "train.py"
  minutes = 30
  env     = { DATA = "/data" }
}
`,
			`command  = ["python3", "train.py"]`, `command  = local.command`,
			`timeout  = "30m"`, `timeout  = "${local.minutes}m"`,
			`env      = { DATA = "/data" }`, `env      = local.env`))}}},
		{name: "bayesian", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  bayes = { initial_points = 8, acquisition = "ei", xi = 0.02 }
}
`,
			"    initial_points = 8\n    acquisition    = \"ei\"\n    xi             = 0.02",
			"    initial_points = local.bayes.initial_points\n    acquisition    = local.bayes.acquisition\n    xi             = local.bayes.xi"))}}},
		{name: "pruner", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  rungs = { min = 2, factor = 3 }
  steps = var.epochs
}
`,
			"    max_steps        = base_config.training.epochs\n    min_steps        = 2\n    reduction_factor = 3",
			"    max_steps        = local.steps\n    min_steps        = local.rungs.min\n    reduction_factor = local.rungs.factor"))}}},
		{name: "executor block", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  partition = "gpu"
  hours     = 2
}
`,
			`  partition = "gpu"
  time      = "2h"`, `  partition = local.partition
  time      = "${local.hours}h"`))}}},
		{name: "variables and functions", opts: Options{VarFlags: []string{"epochs=25"}}, files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, `locals {
  training = jsondecode("{\"lr\": 0.001, \"batch_size\": 64}")
  base     = merge({ optimizer = lower("ADAM") }, { training = merge(local.training, { epochs = var.epochs }) })
  budget   = max(var.epochs, 3) + 5
}
`,
			"base_config = {\n    training  = { lr = 0.001, batch_size = 64, epochs = var.epochs }\n    optimizer = \"adam\"\n  }", "base_config = local.base",
			`trials          = 30`, `trials          = local.budget`))}}},
		{name: "declared later, in blocks after the search", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, "",
			`trials          = 30`, `trials          = local.c`) + "locals {\n  c = local.b * 3\n}\nlocals {\n  b = local.a * 2\n  a = 5\n}\n")}}},
		{name: "across files", files: []Source{
			{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, "", `trials          = 30`, `trials          = local.budget`, `seed            = 7`, `seed            = local.seed`))},
			{Name: "locals.fw.hcl", Bytes: []byte("locals {\n  budget = local.seed * 4 + 2\n}\n")},
			{Name: "more.fw.hcl", Bytes: []byte("locals {\n  seed = 7\n}\n")},
		}},
		{name: "a for expression's own local", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, "",
			`tags            = ["locals"]`, `tags            = [for local in ["locals"] : local]`))}}},
		{name: "unused and null locals", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, "locals {\n  unused  = \"x\"\n  nothing = null\n  parts   = split(\",\", \"a,b\")\n}\n"))}}},
		{name: "null seed from a local is absent", files: []Source{{Name: "main.fw.hcl", Bytes: []byte(rewrite(t, "locals {\n  none = null\n}\n",
			`experiment_root = "runs"`, "experiment_root = \"runs\"\n  tags            = local.none == null ? [\"locals\"] : []", `tags            = ["locals"]`, ""))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: []byte(writtenOut)}}, tt.opts)
			if len(diags) > 0 {
				t.Fatalf("written out:\n%s", render(want.Files, diags))
			}
			got, diags := Load(sharedDir, tt.files, tt.opts)
			if len(diags) > 0 {
				t.Fatalf("with locals:\n%s", render(got.Files, diags))
			}
			if d := cmp.Diff(want.Definition, got.Definition, meaningOpts); d != "" {
				t.Errorf("definitions differ (-written out +locals):\n%s", d)
			}
			ws, gs := want.Definition.Search("s"), got.Definition.Search("s")
			if ws.Fingerprint() != gs.Fingerprint() || ws.SpaceFingerprint() != gs.SpaceFingerprint() {
				t.Errorf("fingerprints differ")
			}
			if d := cmp.Diff(ws.Settings(), gs.Settings()); d != "" {
				t.Errorf("settings differ (-written out +locals):\n%s", d)
			}
		})
	}
}

// TestLocalsChangeTheDefinition checks that the values of locals reach the
// definition: a different local value is a different definition.
func TestLocalsChangeTheDefinition(t *testing.T) {
	load := func(budget string) *definition.Search {
		t.Helper()
		src := rewrite(t, "locals {\n  budget = "+budget+"\n}\n", `trials          = 30`, `trials          = local.budget`)
		res, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: []byte(src)}}, Options{})
		if len(diags) > 0 {
			t.Fatalf("%s", render(res.Files, diags))
		}
		return res.Definition.Search("s")
	}
	a, b := load("30"), load("31")
	if a.Trials != 30 || b.Trials != 31 {
		t.Errorf("trials %d and %d; want 30 and 31", a.Trials, b.Trials)
	}
}

// localsBase is base (load_test.go) after the given locals blocks; base's
// trials = 10 is replaced by trials = <trials>.
func localsBase(t *testing.T, locals, trials string) string {
	t.Helper()
	return locals + edit(t, "  trials      = 10\n", "  trials      = "+trials+"\n")
}

// chain returns locals blocks of n+1 locals name0 ... nameN, name0 = first
// and each next one step(previous reference).
func chain(name string, n int, first string, step func(prev string) string) string {
	var b strings.Builder
	b.WriteString("locals {\n")
	fmt.Fprintf(&b, "  %s0 = %s\n", name, first)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  %s%d = %s\n", name, i, step(fmt.Sprintf("local.%s%d", name, i-1)))
	}
	b.WriteString("}\n")
	return b.String()
}

// TestLocalsDiagnostics covers every error of locals: the diagnostic, the
// file, line and text of its subject, a part of its detail, and the
// number of errors of the load, so that an error does not bring others
// about (a local with an error is unknown downstream, like a variable
// without a value).
func TestLocalsDiagnostics(t *testing.T) {
	tests := []struct {
		name    string
		files   []Source // or src, as main.fw.hcl
		src     string
		summary string
		file    string // of the subject; main.fw.hcl when ""
		line    int
		at      string // the subject's text
		detail  string
		errors  int
	}{
		// Definitions.
		{name: "duplicate in one block", src: localsBase(t, "locals {\n  x = 1\n  x = 2\n}\n", "local.x"),
			summary: "Attribute redefined", line: 3, at: "x", detail: `The argument "x" was already set at main.fw.hcl:2,3-4.`, errors: 1},
		{name: "duplicate across blocks", src: localsBase(t, "locals {\n  x = 1\n}\nlocals {\n  y = 1\n  x = 2\n}\n", "local.x"),
			summary: "Duplicate local value", line: 6, at: "x", detail: `A local value named "x" was already defined at main.fw.hcl:2,3-4. Local value names must be unique within a directory`, errors: 1},
		{name: "duplicate across files", files: []Source{
			{Name: "a.fw.hcl", Bytes: []byte(localsBase(t, "locals {\n  budget = 3\n}\n", "local.budget"))},
			{Name: "b.fw.hcl", Bytes: []byte("\nlocals {\n  budget = 4\n}\n")},
		}, summary: "Duplicate local value", file: "b.fw.hcl", line: 3, at: "budget", detail: `already defined at a.fw.hcl:2,3-9.`, errors: 1},
		{name: "nested block", src: localsBase(t, "locals {\n  x = 1\n  more {\n  }\n}\n", "local.x"),
			summary: `Unexpected "more" block`, line: 3, at: "more", detail: "Blocks are not allowed here.", errors: 1},
		{name: "label", src: localsBase(t, "locals \"a\" {\n  x = 1\n}\n", "3"),
			summary: "Extraneous label for locals", line: 1, at: `"a"`, detail: "No labels are expected", errors: 1},

		// Cycles.
		{name: "cycle of one", src: localsBase(t, "locals {\n  a = local.a\n}\n", "local.a"),
			summary: "Cycle in local values", line: 2, at: "local.a", detail: "local.a refers to itself: local.a → local.a. A local value cannot depend on its own value", errors: 1},
		{name: "cycle of one inside an expression", src: localsBase(t, "locals {\n  a = { x = [1, local.a.x[0] + 1] }\n}\n", "3"),
			summary: "Cycle in local values", line: 2, at: "local.a.x[0]", detail: "local.a → local.a.", errors: 1},
		{name: "cycle of two", src: localsBase(t, "locals {\n  a = local.b + 1\n  b = local.a\n}\n", "local.a"),
			summary: "Cycle in local values", line: 2, at: "local.b", detail: "local.a refers to itself through other locals: local.a → local.b → local.a.", errors: 1},
		{name: "cycle of three", src: localsBase(t, "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n", "local.c"),
			summary: "Cycle in local values", line: 2, at: "local.b", detail: ": local.a → local.b → local.c → local.a.", errors: 1},
		{name: "cycle starts at the first declared", src: localsBase(t, "locals {\n  c = [local.a]\n  a = local.b\n  b = local.c\n}\n", "3"),
			summary: "Cycle in local values", line: 2, at: "local.a", detail: ": local.c → local.a → local.b → local.c.", errors: 1},
		{name: "shortest cycle through the first", src: localsBase(t, "locals {\n  a = [local.b, local.c]\n  b = local.c\n  c = local.a\n}\n", "3"),
			summary: "Cycle in local values", line: 2, at: "local.c", detail: ": local.a → local.c → local.a.", errors: 1},
		{name: "cycle across files", files: []Source{
			{Name: "a.fw.hcl", Bytes: []byte(localsBase(t, "locals {\n  a = local.b\n}\n", "local.a"))},
			{Name: "b.fw.hcl", Bytes: []byte("locals {\n  b = local.a\n}\n")},
		}, summary: "Cycle in local values", file: "a.fw.hcl", line: 2, at: "local.b", detail: "local.a → local.b → local.a.", errors: 1},
		{name: "cycle with a dependent in use", src: localsBase(t, "locals {\n  a = local.b\n  b = local.a\n  c = local.a + 1\n}\n", "local.c"),
			summary: "Cycle in local values", line: 2, at: "local.b", detail: "local.a → local.b → local.a.", errors: 1},
		{name: "two cycles", src: localsBase(t, "locals {\n  a = local.a\n  b = local.c\n  c = local.b\n}\n", "3"),
			summary: "Cycle in local values", line: 2, at: "local.a", detail: "local.a → local.a.", errors: 2}, // and local.b → local.c → local.b
		{name: "long cycle is shortened", src: localsBase(t, chain("x", 20, "local.x20", func(prev string) string { return prev }), "3"),
			summary: "Cycle in local values", line: 2, at: "local.x20", detail: "local.x0 → local.x20 → local.x19 → local.x18 → local.x17 → … (12 more) → local.x4 → local.x3 → local.x2 → local.x1 → local.x0.", errors: 1},

		// References.
		{name: "undeclared in a local", src: localsBase(t, "locals {\n  epochs = 3\n  x = local.epoch * 2\n}\n", "local.x"),
			summary: "Reference to undeclared local value", line: 3, at: "local.epoch", detail: `A local value named "epoch" is not declared. Did you mean "epochs"? Declare it in a locals block, like locals { epoch = ... }.`, errors: 1},
		{name: "undeclared without locals", src: localsBase(t, "", "local.budget"),
			summary: "Reference to undeclared local value", line: 5, at: "local.budget", detail: `A local value named "budget" is not declared. Declare it in a locals block`, errors: 1},
		{name: "undeclared in a search attribute", src: localsBase(t, "locals {\n  trials = 3\n}\n", "local.trails"),
			summary: "Reference to undeclared local value", line: 8, at: "local.trails", detail: `Did you mean "trials"?`, errors: 1},
		{name: "undeclared in base_config", src: "locals {\n  rate = 0.1\n}\n" + edit(t, "{ lr = 0.1,", "{ lr = local.rat,"),
			summary: "Reference to undeclared local value", line: 9, at: "local.rat", detail: `Did you mean "rate"?`, errors: 1},
		{name: "undeclared in a param", src: "locals {\n  high = 1\n}\n" + edit(t, "    high = 1\n", "    high = local.hihg\n"),
			summary: "Reference to undeclared local value", line: 13, at: "local.hihg", detail: `Did you mean "high"?`, errors: 1},
		{name: "undeclared in the trial", src: "locals {\n  program = \"true\"\n}\n" + edit(t, `command = ["true"]`, `command = [local.programm]`),
			summary: "Reference to undeclared local value", line: 17, at: "local.programm", detail: `Did you mean "program"?`, errors: 1},
		{name: "undeclared in an executor block", src: "locals {\n  partition = \"gpu\"\n}\n" + execSearch(slurmBlock("  partition = local.partion\n"), "executor.slurm.gpu"),
			summary: "Reference to undeclared local value", line: 5, at: "local.partion", detail: `Did you mean "partition"?`, errors: 1},
		{name: "undeclared in a pruner", src: "locals {\n  steps = 9\n}\n" + prunerSearch(asha("    max_steps = local.step\n")),
			summary: "Reference to undeclared local value", line: 24, at: "local.step", detail: `Did you mean "steps"?`, errors: 1},
		{name: "local alone", src: localsBase(t, "locals {\n  x = 1\n  y = length(local)\n}\n", "local.y"),
			summary: "Invalid reference to local values", line: 3, at: "local", detail: "refer to one local value by its name, like local.epochs.", errors: 1},
		{name: "local indexed by a number", src: localsBase(t, "locals {\n  x = 1\n}\n", "local[0]"),
			summary: "Invalid reference to local values", line: 8, at: "local[0]", detail: "like local.epochs", errors: 1},
		{name: "local indexed by a variable", src: "variable \"k\" {\n  default = \"x\"\n}\n" + localsBase(t, "locals {\n  x = 1\n}\n", "local[var.k]"),
			summary: "Invalid reference to local values", line: 11, at: "local", detail: "like local.epochs", errors: 1},
		{name: "undeclared variable in a local", src: "variable \"budget\" {\n  default = 3\n}\n" + localsBase(t, "locals {\n  x = var.budgt\n}\n", "local.x"),
			summary: "Reference to undeclared input variable", line: 5, at: "var.budgt", detail: `Did you mean "budget"?`, errors: 1},
		{name: "function error in a local", src: localsBase(t, "locals {\n  x = length(jsondecode(file(\"missing.json\")))\n}\n", "local.x"),
			summary: "Invalid function argument", line: 2, at: "missing.json", detail: "no such file", errors: 1},
		{name: "type error where the local is used", src: localsBase(t, "locals {\n  x = \"ten\"\n}\n", "local.x"),
			summary: "Incorrect attribute value type", line: 8, at: "local.x", detail: "a number required, got string", errors: 1},
		{name: "variable without a value", src: "variable \"v\" {\n}\n" + localsBase(t, "locals {\n  x = var.v + 1\n  y = [local.x]\n}\n", "length(local.y) + local.x"),
			summary: "No value for required variable", line: 1, at: `variable "v"`, detail: "must be set", errors: 1},

		// Where locals are not allowed.
		{name: "in the frameworm block", src: "locals {\n  ws = \"digits\"\n}\nframeworm {\n  backend \"pg\" {\n    workspace = local.ws\n  }\n}\n" + base,
			summary: "Variables not allowed", line: 6, at: "local.ws", detail: "workspace cannot refer to local.ws.", errors: 1},
		{name: "in a variable's default", src: "locals {\n  n = 3\n}\nvariable \"v\" {\n  default = local.n\n}\n" + base,
			summary: "Variables not allowed", line: 5, at: "local", detail: "Variables may not be used here.", errors: 2}, // and the variable has no value
		{name: "as the executor", src: "locals {\n  x = \"gpu\"\n}\n" + execSearch(slurmBlock(""), "local.x"),
			summary: "Invalid executor", line: 17, at: "local", detail: "executor cannot be a local value: it names an executor block, which local values cannot hold.", errors: 1},

		// Bounds.
		{name: "nested too deep", src: localsBase(t, chain("a", MaxNesting+10, "1", func(prev string) string { return "[" + prev + "]" }), "3"),
			summary: "Local value too large", line: MaxNesting + 3, at: fmt.Sprintf("[local.a%d]", MaxNesting), detail: fmt.Sprintf("The value of local.a%d nests deeper than the 256 levels the loader reads.", MaxNesting+1), errors: 1},
		{name: "doubling", src: localsBase(t, chain("b", 60, "[1]", func(prev string) string { return "[" + prev + ", " + prev + "]" }), "length(local.b60)"),
			summary: "Local value too large", line: 21, at: "[local.b18, local.b18]", detail: "The value of local.b19 holds more than 1048576 values", errors: 1},
		{name: "string doubling", src: localsBase(t, chain("s", 30, `"0123456789abcdef"`, func(prev string) string { return `"${` + prev + `}${` + prev + `}"` }), "length(local.s30)"),
			summary: "Local value too large", line: 23, at: `"${local.s20}${local.s20}"`, detail: "The value of local.s21 holds a string longer than 16 MiB, the most file() reads.", errors: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := tt.files
			if files == nil {
				files = []Source{{Name: "main.fw.hcl", Bytes: []byte(tt.src)}}
			}
			res, diags := Load(sharedDir, files, Options{})
			if res.Definition != nil {
				t.Errorf("a definition was returned with errors")
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == tt.summary && found == nil {
					found = d
				}
			}
			rendered := render(res.Files, diags)
			if found == nil {
				t.Fatalf("no diagnostic %q; got:\n%s", tt.summary, rendered)
			}
			if n := len(diags.Errs()); n != tt.errors {
				t.Errorf("%d errors, want %d:\n%s", n, tt.errors, rendered)
			}
			if !strings.Contains(found.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", found.Detail, tt.detail)
			}
			file := tt.file
			if file == "" {
				file = "main.fw.hcl"
			}
			if found.Subject == nil {
				t.Fatalf("no subject; want %s:%d", file, tt.line)
			}
			if found.Subject.Filename != file || found.Subject.Start.Line != tt.line {
				t.Errorf("subject %s; want %s line %d\n%s", found.Subject, file, tt.line, rendered)
			}
			var src []byte
			for _, f := range files {
				if f.Name == found.Subject.Filename {
					src = f.Bytes
				}
			}
			if got := string(src[found.Subject.Start.Byte:found.Subject.End.Byte]); got != tt.at {
				t.Errorf("subject %q; want %q", got, tt.at)
			}
		})
	}
}

// TestLocalsManyDeclaredBackwards loads a chain of 20,000 locals, each
// reading the next one declared: deep chains neither recurse nor fail.
func TestLocalsManyDeclaredBackwards(t *testing.T) {
	const n = 20000
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := range n {
		fmt.Fprintf(&b, "  a%d = local.a%d + 1\n", i, i+1)
	}
	fmt.Fprintf(&b, "  a%d = 1\n}\n", n)
	res, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: []byte(localsBase(t, b.String(), "local.a0"))}}, Options{})
	if len(diags) > 0 {
		t.Fatalf("%s", render(res.Files, diags))
	}
	if got := res.Definition.Search("s").Trials; got != n+1 {
		t.Errorf("trials = %d; want %d", got, n+1)
	}
}

// TestLocalsSuggestionsBounded checks that only the first
// maxSuggestedLocals distinct undeclared names get a suggestion: each
// costs an edit distance per declared local.
func TestLocalsSuggestionsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := range maxSuggestedLocals + 20 {
		fmt.Fprintf(&b, "  value%d = 1\n  use%d = local.valeu%d\n", i, i, i)
	}
	b.WriteString("}\n")
	res, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: []byte(localsBase(t, b.String(), "3"))}}, Options{})
	if res.Definition != nil {
		t.Fatal("no error")
	}
	with := 0
	for _, d := range diags {
		if d.Summary == "Reference to undeclared local value" && strings.Contains(d.Detail, "Did you mean") {
			with++
		}
	}
	if with != maxSuggestedLocals {
		t.Errorf("%d suggestions; want %d", with, maxSuggestedLocals)
	}
}

func TestStronglyConnected(t *testing.T) {
	tests := []struct {
		name string
		adj  [][]int
		want [][]int
	}{
		{"empty", nil, nil},
		{"one", [][]int{nil}, [][]int{{0}}},
		{"self", [][]int{{0}}, [][]int{{0}}},
		{"chain: dependencies first", [][]int{{1}, {2}, nil}, [][]int{{2}, {1}, {0}}},
		{"backwards chain", [][]int{nil, {0}, {1}}, [][]int{{0}, {1}, {2}}},
		{"cycle of three and a dependent", [][]int{{1}, {2}, {0}, {0}}, [][]int{{0, 1, 2}, {3}}},
		{"two cycles joined", [][]int{{1}, {0, 2}, {3}, {2}}, [][]int{{2, 3}, {0, 1}}},
		{"diamond", [][]int{{1, 2}, {3}, {3}, nil}, [][]int{{3}, {1}, {2}, {0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, stronglyConnected(tt.adj)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	// A long chain and a long cycle, which a recursive walk would follow
	// a million frames deep.
	const n = 1_000_000
	adj := make([][]int, n)
	for i := range n - 1 {
		adj[i] = []int{i + 1}
	}
	comps := stronglyConnected(adj)
	if len(comps) != n || comps[0][0] != n-1 || comps[n-1][0] != 0 {
		t.Errorf("chain: %d components, first %v", len(comps), comps[0])
	}
	adj[n-1] = []int{0}
	if comps := stronglyConnected(adj); len(comps) != 1 || len(comps[0]) != n {
		t.Errorf("cycle: %d components", len(comps))
	}
}

// TestValueMeterShares checks that the meter walks a shared part once:
// a value that doubles at each of 40 levels is measured in a few steps
// per level, and found too large.
func TestValueMeterShares(t *testing.T) {
	leaf := make([]cty.Value, 100)
	for i := range leaf {
		leaf[i] = cty.NumberIntVal(int64(i))
	}
	m := newValueMeter()
	v := cty.TupleVal(leaf)
	if _, err := m.check(v); err != nil {
		t.Fatal(err)
	}
	var err error
	for level := 1; level <= 40 && err == nil; level++ {
		v = cty.TupleVal([]cty.Value{v, v, cty.StringVal("x")})
		_, err = m.check(v)
		if level < 13 && err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
	}
	if err != errLocalTooLarge {
		t.Errorf("err = %v; want %v", err, errLocalTooLarge)
	}
	if m.work > 200 {
		t.Errorf("the meter walked %d parts; want about 4 a level and 101 for the leaf", m.work)
	}
	// Objects and maps are shared too.
	m = newValueMeter()
	obj := cty.ObjectVal(map[string]cty.Value{"a": cty.TupleVal(leaf)})
	mp := cty.MapVal(map[string]cty.Value{"k": cty.ListVal(leaf)})
	for range 50 {
		if _, err := m.check(cty.TupleVal([]cty.Value{obj, mp})); err != nil {
			t.Fatal(err)
		}
	}
	if m.work > 2*101+2+50*3 {
		t.Errorf("the meter walked %d parts for 50 values sharing two", m.work)
	}
}

func TestValueMeterLimits(t *testing.T) {
	deep := cty.NumberIntVal(1)
	for range MaxNesting {
		deep = cty.ListVal([]cty.Value{deep})
	}
	partly := cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.TupleVal([]cty.Value{cty.UnknownVal(cty.Number)})})
	tests := []struct {
		name    string
		v       cty.Value
		unknown bool
		want    error
	}{
		{"number", cty.NumberIntVal(3), false, nil},
		{"null", cty.NullVal(cty.List(cty.String)), false, nil},
		{"unknown", cty.DynamicVal, true, nil},
		{"partly unknown", partly, true, nil},
		{"sharing a partly unknown part", cty.TupleVal([]cty.Value{partly, cty.NumberIntVal(1)}), true, nil},
		{"empty", cty.EmptyTupleVal, false, nil},
		{"at the depth limit", deep, false, nil},
		{"beyond it", cty.TupleVal([]cty.Value{deep}), false, errLocalTooDeep},
		{"a string at the length limit", cty.StringVal(strings.Repeat("x", maxFileSize)), false, nil},
		{"beyond it", cty.ObjectVal(map[string]cty.Value{"s": cty.StringVal(strings.Repeat("x", maxFileSize+1))}), false, errLocalTooLong},
		{"a set", cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), false, nil},
	}
	m := newValueMeter() // shared: remembered parts must measure the same
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			known, err := m.check(tt.v)
			if err != tt.want || (err == nil && known == tt.unknown) {
				t.Errorf("check = %v, %v; want %v, %v", known, err, !tt.unknown, tt.want)
			}
		})
	}
	// The depth of a remembered part counts where it is used again.
	m = newValueMeter()
	if _, err := m.check(deep); err != nil {
		t.Fatal(err)
	}
	if _, err := m.check(cty.TupleVal([]cty.Value{deep})); err != errLocalTooDeep {
		t.Errorf("a remembered part one level deeper: %v; want %v", err, errLocalTooDeep)
	}
}

// BenchmarkLocals loads chains of locals, each reading the one before
// and sharing a base object: the time per local should not grow with n.
func BenchmarkLocals(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var sb strings.Builder
			sb.WriteString("locals {\n  base = { training = { lr = 0.001, epochs = 10 }, optimizer = \"adam\" }\n  a0 = { n = 1, base = local.base }\n")
			for i := 1; i < n; i++ {
				fmt.Fprintf(&sb, "  a%d = { n = local.a%d.n + 1, base = local.base }\n", i, i-1)
			}
			sb.WriteString("}\n")
			src := []byte(sb.String() + strings.Replace(base, "trials      = 10", fmt.Sprintf("trials      = local.a%d.n", n-1), 1))
			b.ReportAllocs()
			for b.Loop() {
				res, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: src}}, Options{})
				if len(diags) > 0 || res.Definition.Search("s").Trials != n {
					b.Fatalf("%s", render(res.Files, diags))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/local")
		})
	}
}

// TestLocalsDocExample checks that the example of docs/language.md's
// Locals section loads, with the values it says.
func TestLocalsDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Locals\n")
	if !ok {
		t.Fatal("no Locals section in docs/language.md")
	}
	_, example, ok := strings.Cut(section, "```hcl\n")
	if !ok {
		t.Fatal("no example in the Locals section")
	}
	example, _, _ = strings.Cut(example, "```")
	res, diags := loadAt(t, sharedDir, example, Options{})
	if len(diags) > 0 {
		t.Fatalf("the example does not load:\n%s", render(res.Files, diags))
	}
	s := res.Definition.Search("coarse")
	want := map[string]any{"training": map[string]any{"lr": 0.001, "batch_size": int64(64), "epochs": int64(10)}, "optimizer": "adam"}
	if d := cmp.Diff(want, s.BaseConfig); d != "" {
		t.Errorf("base_config (-want +got):\n%s", d)
	}
	if s.Trials != 40 || !slices.Equal(s.Trial.Command, []string{"python3", "train.py", "--epochs", "10"}) {
		t.Errorf("trials %d, command %q", s.Trials, s.Trial.Command)
	}
}
