package hcl

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
)

// prunerSearch is a search holding blocks (pruner blocks, usually) after
// its param. Its lines:
//
//	1  search "s" {
//	2    strategy    = "random"
//	3    metric      = "val_loss"
//	4    mode        = "min"
//	5    trials      = 20
//	6    metrics     = ["val_loss", "val_acc"]
//	7    base_config = {
//	8      training  = { lr = 0.001, epochs = 27, warmup = 2, name = "run", layers = [64, 32], opt = null, frac = 2.5 }
//	9      optimizer = "adam"
//	10   }
//	11   param "training.lr" {
//	12     type = real
//	13     low  = 0.0001
//	14     high = 0.1
//	15     log  = true
//	16   }
//	17   trial {
//	18     command = ["true"]
//	19   }
//	20   <blocks>
func prunerSearch(blocks string) string {
	return `search "s" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 20
  metrics     = ["val_loss", "val_acc"]
  base_config = {
    training  = { lr = 0.001, epochs = 27, warmup = 2, name = "run", layers = [64, 32], opt = null, frac = 2.5 }
    optimizer = "adam"
  }
  param "training.lr" {
    type = real
    low  = 0.0001
    high = 0.1
    log  = true
  }
  trial {
    command = ["true"]
  }
` + blocks + "}\n"
}

// gridSearch is prunerSearch as a grid search over a categorical param.
func gridSearch(blocks string) string {
	src := strings.Replace(prunerSearch(blocks), "  trials      = 20\n", "", 1)
	src = strings.Replace(src, `"random"`, `"grid"`, 1)
	return strings.Replace(src, "    type = real\n    low  = 0.0001\n    high = 0.1\n    log  = true\n", "    values = [0.001, 0.01]\n", 1)
}

// median and asha are pruner blocks holding body.
func median(body string) string { return "  pruner \"median\" {\n" + body + "  }\n" }
func asha(body string) string   { return "  pruner \"asha\" {\n" + body + "  }\n" }

func TestPrunerValid(t *testing.T) {
	const epochsVar = "variable \"epochs\" {\n  default = 9\n}\n"
	medianDefaults := &definition.Pruner{Kind: "median", Metric: "val_loss", StartupTrials: 5, WarmupSteps: 0, Interval: 1}
	ashaWith := func(min, max, rf int) *definition.Pruner {
		return &definition.Pruner{Kind: "asha", Metric: "val_loss", MinSteps: min, MaxSteps: max, ReductionFactor: rf}
	}
	tests := []struct {
		name string
		src  string
		opts Options
		want *definition.Pruner // DeclRange not compared
	}{
		{"no pruner", prunerSearch(""), Options{}, nil},
		{"median defaults", prunerSearch(median("")), Options{}, medianDefaults},
		{"median every attribute", prunerSearch(median("    metric         = \"val_acc\"\n    startup_trials = 0\n    warmup_steps   = 3\n    interval       = 2\n")), Options{},
			&definition.Pruner{Kind: "median", Metric: "val_acc", StartupTrials: 0, WarmupSteps: 3, Interval: 2}},
		{"median nulls are defaults", prunerSearch(median("    metric = null\n    startup_trials = null\n    warmup_steps = null\n    interval = null\n")), Options{}, medianDefaults},
		{"median metric is the objective", prunerSearch(median("    metric = \"val_loss\"\n")), Options{}, medianDefaults},
		{"median warmup from base_config", prunerSearch(median("    warmup_steps = base_config.training.warmup\n")), Options{},
			&definition.Pruner{Kind: "median", Metric: "val_loss", StartupTrials: 5, WarmupSteps: 2, Interval: 1}},
		{"asha literal", prunerSearch(asha("    max_steps = 27\n")), Options{}, ashaWith(1, 27, 3)},
		{"asha every attribute", prunerSearch(asha("    metric           = \"val_acc\"\n    min_steps        = 2\n    max_steps        = 30\n    reduction_factor = 2\n")), Options{},
			&definition.Pruner{Kind: "asha", Metric: "val_acc", MinSteps: 2, MaxSteps: 30, ReductionFactor: 2}},
		{"asha one rung", prunerSearch(asha("    min_steps = 9\n    max_steps = 10\n")), Options{}, ashaWith(9, 10, 3)},
		{"asha nulls are defaults", prunerSearch(asha("    max_steps = 27\n    min_steps = null\n    reduction_factor = null\n    metric = null\n")), Options{}, ashaWith(1, 27, 3)},
		{"max_steps from base_config", prunerSearch(asha("    max_steps = base_config.training.epochs\n")), Options{}, ashaWith(1, 27, 3)},
		{"max_steps by index", prunerSearch(asha("    max_steps = base_config[\"training\"][\"epochs\"]\n")), Options{}, ashaWith(1, 27, 3)},
		{"max_steps from a list", prunerSearch(asha("    max_steps = base_config.training.layers[1]\n")), Options{}, ashaWith(1, 32, 3)},
		{"max_steps computed", prunerSearch(asha("    max_steps = base_config.training.epochs * 2 + length(base_config.training.layers)\n")), Options{}, ashaWith(1, 56, 3)},
		{"max_steps from a variable", epochsVar + prunerSearch(asha("    max_steps = var.epochs\n")), Options{}, ashaWith(1, 9, 3)},
		{"max_steps from a -var", epochsVar + prunerSearch(asha("    max_steps = var.epochs\n")), Options{VarFlags: []string{"epochs=81"}}, ashaWith(1, 81, 3)},
		{"base_config from a variable", epochsVar + strings.Replace(prunerSearch(asha("    max_steps = base_config.training.epochs\n")), "epochs = 27", "epochs = var.epochs", 1), Options{VarFlags: []string{"epochs=12"}}, ashaWith(1, 12, 3)},
		{"base_config from jsondecode", strings.Replace(prunerSearch(asha("    max_steps = base_config.training.epochs\n")),
			"{\n    training  = { lr = 0.001, epochs = 27, warmup = 2, name = \"run\", layers = [64, 32], opt = null, frac = 2.5 }\n    optimizer = \"adam\"\n  }",
			`jsondecode("{\"training\": {\"lr\": 0.001, \"epochs\": 40}}")`, 1), Options{}, ashaWith(1, 40, 3)},
		{"float base value that is whole", strings.Replace(prunerSearch(asha("    max_steps = base_config.training.epochs\n")), "epochs = 27", "epochs = 27.0", 1), Options{}, ashaWith(1, 27, 3)},
		{"grid search", gridSearch(median("")), Options{}, medianDefaults},
		{"metric when metrics is not given", strings.Replace(prunerSearch(median("    metric = \"val_loss\"\n")), "  metrics     = [\"val_loss\", \"val_acc\"]\n", "", 1), Options{}, medianDefaults},
		{"kind label of the asha block", prunerSearch(asha("    max_steps = 3\n    min_steps = 2\n")), Options{}, ashaWith(2, 3, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadAt(t, sharedDir, tt.src, tt.opts)
			if len(diags) > 0 {
				t.Fatalf("diagnostics:\n%s", render(res.Files, diags))
			}
			got := res.Definition.Search("s").Pruner
			if d := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(definition.Pruner{}, "DeclRange")); d != "" {
				t.Errorf("pruner (-want +got):\n%s", d)
			}
			if got != nil && !strings.HasPrefix(sourceAt(tt.src, got.DeclRange), `pruner "`+got.Kind+`"`) {
				t.Errorf("DeclRange %s is not the pruner block's header", got.DeclRange)
			}
		})
	}
}

// TestPrunerDiagnostics covers every bad pruner block: the diagnostic each
// must produce, its severity and the line of its subject, given as text
// found first on that line.
func TestPrunerDiagnostics(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		warning bool
		summary string
		at      string // text on the subject's line (its first occurrence)
		detail  string // substring of the detail
	}{
		// Kinds.
		{name: "misspelled kind", src: prunerSearch("  pruner \"medain\" {\n  }\n"), summary: "Unknown pruner kind", at: `"medain"`, detail: `Unknown pruner kind "medain". Did you mean "median"? The pruner kinds are "asha" (asynchronous successive halving) and "median"`},
		{name: "kind in upper case", src: prunerSearch("  pruner \"ASHA\" {\n  }\n"), summary: "Unknown pruner kind", at: `"ASHA"`, detail: `Did you mean "asha"?`},
		{name: "kind as a class name", src: prunerSearch("  pruner \"MedianPruner\" {\n  }\n"), summary: "Unknown pruner kind", at: `"MedianPruner"`, detail: `Did you mean "median"?`},
		{name: "hyperband", src: prunerSearch("  pruner \"hyperband\" {\n  }\n"), summary: "Unknown pruner kind", at: `"hyperband"`, detail: `There is no pruner "hyperband". Hyperband runs successive halving in several brackets`},
		{name: "HyperbandPruner", src: prunerSearch("  pruner \"HyperbandPruner\" {\n  }\n"), summary: "Unknown pruner kind", at: `"HyperbandPruner"`, detail: `Use pruner "asha" with min_steps, max_steps and reduction_factor.`},
		{name: "successive halving", src: prunerSearch("  pruner \"successive_halving\" {\n  }\n"), summary: "Unknown pruner kind", at: `"successive_halving"`, detail: `Successive halving is the pruner "asha"`},
		{name: "SuccessiveHalvingPruner", src: prunerSearch("  pruner \"SuccessiveHalvingPruner\" {\n  }\n"), summary: "Unknown pruner kind", at: `"SuccessiveHalvingPruner"`, detail: `Successive halving is the pruner "asha"`},
		{name: "sha", src: prunerSearch("  pruner \"sha\" {\n  }\n"), summary: "Unknown pruner kind", at: `"sha"`, detail: `Successive halving is the pruner "asha"`},
		{name: "percentile", src: prunerSearch("  pruner \"percentile\" {\n  }\n"), summary: "Unknown pruner kind", at: `"percentile"`, detail: `PercentilePruner at the 50th percentile is the pruner "median"`},
		{name: "none", src: prunerSearch("  pruner \"none\" {\n  }\n"), summary: "Unknown pruner kind", at: `"none"`, detail: "remove the pruner block"},
		{name: "other kind", src: prunerSearch("  pruner \"threshold\" {\n  }\n"), summary: "Unknown pruner kind", at: `"threshold"`, detail: `Unknown pruner kind "threshold". The pruner kinds are`},
		{name: "missing kind", src: prunerSearch("  pruner {\n  }\n"), summary: "Missing kind for pruner", at: "  pruner {", detail: "kind"},
		{name: "two labels", src: prunerSearch("  pruner \"median\" \"x\" {\n  }\n"), summary: "Extraneous label for pruner", at: `"x"`, detail: "Only 1 labels"},
		{name: "duplicate", src: prunerSearch(median("") + asha("    max_steps = 9\n")), summary: "Duplicate pruner block", at: `  pruner "asha"`, detail: `the first one, pruner "median", is at main.fw.hcl:20,3-18`},
		{name: "duplicate of a bad kind", src: prunerSearch("  pruner \"medain\" {\n  }\n" + median("")), summary: "Duplicate pruner block", at: `  pruner "median"`, detail: `the first one, pruner "medain"`},

		// Attributes.
		{name: "asha attribute in median", src: prunerSearch(median("    max_steps = 27\n")), summary: "Unsupported argument", at: "max_steps", detail: `max_steps is an attribute of pruner "asha", not of pruner "median". A pruner "median" takes "metric", "startup_trials", "warmup_steps" and "interval".`},
		{name: "median attribute in asha", src: prunerSearch(asha("    max_steps = 27\n    warmup_steps = 1\n")), summary: "Unsupported argument", at: "warmup_steps", detail: `warmup_steps is an attribute of pruner "median", not of pruner "asha". A pruner "asha" takes "metric", "min_steps", "max_steps" and "reduction_factor".`},
		{name: "misspelled attribute", src: prunerSearch(median("    startup_trial = 3\n")), summary: "Unsupported argument", at: "startup_trial", detail: `An argument named "startup_trial" is not expected here. Did you mean "startup_trials"?`},
		{name: "camelCase attribute", src: prunerSearch(median("    warmupSteps = 3\n")), summary: "Unsupported argument", at: "warmupSteps", detail: `Did you mean "warmup_steps"?`},
		{name: "abbreviated attribute", src: prunerSearch(asha("    max_steps = 27\n    rf = 3\n")), summary: "Unsupported argument", at: "rf", detail: `Did you mean "reduction_factor"?`},
		{name: "unknown attribute", src: prunerSearch(median("    patience = 3\n")), summary: "Unsupported argument", at: "patience", detail: `An argument named "patience" is not expected here. A pruner "median" takes`},
		{name: "mode", src: prunerSearch(median("    mode = \"max\"\n")), summary: "Unsupported argument", at: "    mode", detail: "A pruner has no mode of its own"},
		{name: "kind as an attribute", src: prunerSearch(median("    type = \"median\"\n")), summary: "Unsupported argument", at: "    type = \"median\"", detail: `The kind of a pruner is its label, as in pruner "median" { ... }.`},
		{name: "nested block", src: prunerSearch(median("    rung {\n    }\n")), summary: "Unsupported block type", at: "rung", detail: "A pruner block holds only attributes"},

		// Values.
		{name: "startup_trials negative", src: prunerSearch(median("    startup_trials = -1\n")), summary: "Invalid startup_trials", at: "startup_trials", detail: "startup_trials must be 0 or more: the number of earlier trials that must have completed before any trial is pruned; got -1."},
		{name: "startup_trials fraction", src: prunerSearch(median("    startup_trials = 2.5\n")), summary: "Invalid startup_trials", at: "startup_trials", detail: "startup_trials must be a whole number, got 2.5."},
		{name: "startup_trials string", src: prunerSearch(median("    startup_trials = \"five\"\n")), summary: "Incorrect attribute value type", at: "startup_trials", detail: `Inappropriate value for attribute "startup_trials": a whole number required, got string.`},
		{name: "warmup_steps negative", src: prunerSearch(median("    warmup_steps = -3\n")), summary: "Invalid warmup_steps", at: "warmup_steps", detail: "warmup_steps must be 0 or more"},
		{name: "interval zero", src: prunerSearch(median("    interval = 0\n")), summary: "Invalid interval", at: "interval", detail: "interval must be at least 1: a trial is checked every interval steps, 1 for every step; got 0."},
		{name: "interval too large", src: prunerSearch(median("    interval = 1e12\n")), summary: "Invalid interval", at: "interval", detail: "interval is 1000000000000, more than the 2147483647 a pruner counts to."},
		{name: "min_steps zero", src: prunerSearch(asha("    min_steps = 0\n    max_steps = 27\n")), summary: "Invalid min_steps", at: "min_steps", detail: "min_steps must be at least 1: the step of the first rung; got 0."},
		{name: "reduction_factor one", src: prunerSearch(asha("    max_steps = 27\n    reduction_factor = 1\n")), summary: "Invalid reduction_factor", at: "reduction_factor", detail: "reduction_factor must be at least 2"},
		{name: "reduction_factor fraction", src: prunerSearch(asha("    max_steps = 27\n    reduction_factor = 2.5\n")), summary: "Invalid reduction_factor", at: "reduction_factor", detail: "whole number, got 2.5"},
		{name: "max_steps missing", src: prunerSearch(asha("    min_steps = 1\n")), summary: "Missing max_steps", at: `  pruner "asha"`, detail: `A pruner "asha" needs max_steps, the step at which a trial is complete`},
		{name: "max_steps null", src: prunerSearch(asha("    max_steps = null\n")), summary: "Required argument is null", at: "max_steps", detail: `The argument "max_steps" is required, but its value is null.`},
		{name: "max_steps null in base_config", src: prunerSearch(asha("    max_steps = base_config.training.opt\n")), summary: "Required argument is null", at: "max_steps", detail: "is required"},
		{name: "max_steps zero", src: prunerSearch(asha("    max_steps = 0\n")), summary: "Invalid max_steps", at: "max_steps", detail: "max_steps must be at least 1"},
		{name: "max_steps equal to min_steps", src: prunerSearch(asha("    min_steps = 3\n    max_steps = 3\n")), summary: "Invalid max_steps", at: "max_steps", detail: "max_steps (3) must be greater than min_steps (3)"},
		{name: "max_steps below default min_steps", src: prunerSearch(asha("    max_steps = 1\n")), summary: "Invalid max_steps", at: "max_steps", detail: "max_steps (1) must be greater than min_steps (1)"},
		{name: "metric not reported", src: prunerSearch(median("    metric = \"accuracy\"\n")), summary: "Unknown pruner metric", at: "    metric", detail: `The pruner's metric "accuracy" is not one of the search's metrics, "val_loss" or "val_acc". The pruner compares`},
		{name: "metric typo", src: prunerSearch(median("    metric = \"val_los\"\n")), summary: "Unknown pruner metric", at: "    metric", detail: `Did you mean "val_loss"?`},
		{name: "metric typo by case style", src: prunerSearch(asha("    max_steps = 9\n    metric = \"valAcc\"\n")), summary: "Unknown pruner metric", at: "    metric", detail: `Did you mean "val_acc"?`},
		{name: "metric not listed without metrics", src: strings.Replace(prunerSearch(median("    metric = \"val_acc\"\n")), "  metrics     = [\"val_loss\", \"val_acc\"]\n", "", 1), summary: "Unknown pruner metric", at: "    metric", detail: `is not one of the search's metrics, "val_loss".`},
		{name: "metric empty", src: prunerSearch(median("    metric = \"\"\n")), summary: "Unknown pruner metric", at: "    metric", detail: `The pruner's metric is empty. Remove metric to use the search's metric, "val_loss".`},
		{name: "metric not a string", src: prunerSearch(median("    metric = [\"val_loss\"]\n")), summary: "Incorrect attribute value type", at: "    metric", detail: "a string required"},
		{name: "undeclared variable", src: prunerSearch(asha("    max_steps = var.epochs\n")), summary: "Reference to undeclared input variable", at: "max_steps", detail: `"epochs" is not declared`},

		// References into base_config.
		{name: "missing top key", src: prunerSearch(asha("    max_steps = base_config.trainig.epochs\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: `base_config has no key "trainig". Did you mean "training"? Its keys are "optimizer" and "training".`},
		{name: "missing nested key", src: prunerSearch(asha("    max_steps = base_config.training.epoch\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: `base_config.training has no key "epoch". Did you mean "epochs"?`},
		{name: "missing key by index", src: prunerSearch(asha("    max_steps = base_config[\"training\"][\"epoch\"]\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: `base_config["training"] has no key "epoch". Did you mean "epochs"?`},
		{name: "key of a scalar", src: prunerSearch(asha("    max_steps = base_config.optimizer.epochs\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: `base_config.optimizer is "adam", not an object: it has no key "epochs".`},
		{name: "key of null", src: prunerSearch(asha("    max_steps = base_config.training.opt.steps\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: `base_config.training.opt is null: it has no key "steps".`},
		{name: "list out of range", src: prunerSearch(asha("    max_steps = base_config.training.layers[2]\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: "base_config.training.layers has 2 elements; it has no element 2."},
		{name: "key of a list", src: prunerSearch(asha("    max_steps = base_config.training.layers.first\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: `base_config.training.layers is a list: it has no key "first".`},
		{name: "index of an object", src: prunerSearch(asha("    max_steps = base_config.training[0]\n")), summary: "Reference to a missing base_config value", at: "max_steps", detail: "base_config.training is an object, not a list"},
		{name: "reference in metric", src: prunerSearch(median("    metric = base_config.metric\n")), summary: "Reference to a missing base_config value", at: "    metric", detail: `base_config has no key "metric".`},
		{name: "reference on a later line", src: prunerSearch(asha("    max_steps = (\n      base_config.training.epoch\n    )\n")), summary: "Reference to a missing base_config value", at: "      base_config.training.epoch", detail: `Did you mean "epochs"?`},
		{name: "not a whole number", src: prunerSearch(asha("    max_steps = base_config.training.frac\n")), summary: "Invalid max_steps", at: "max_steps", detail: "max_steps must be a whole number, got 2.5 (it reads base_config.training.frac)."},
		{name: "not a number", src: prunerSearch(asha("    max_steps = base_config.training.name\n")), summary: "Incorrect attribute value type", at: "max_steps", detail: "a whole number required, got string (it reads base_config.training.name)."},
		{name: "an object", src: prunerSearch(asha("    max_steps = base_config.training\n")), summary: "Incorrect attribute value type", at: "max_steps", detail: "a whole number required, got object (it reads base_config.training)."},
		{name: "below the minimum", src: prunerSearch(median("    warmup_steps = base_config.training.warmup - 5\n")), summary: "Invalid warmup_steps", at: "warmup_steps", detail: "got -3 (it reads base_config.training.warmup)."},
		{name: "base_config outside a pruner", src: strings.Replace(prunerSearch(""), "  trials      = 20\n", "  trials      = base_config.training.epochs\n", 1), summary: "Unknown variable", at: "  trials", detail: "base_config"},

		// Warnings.
		{name: "searched value", src: strings.Replace(prunerSearch(asha("    max_steps = base_config.training.epochs\n")), "  trial {", "  param \"training.epochs\" {\n    values = [9, 27]\n  }\n  trial {", 1), warning: true, summary: "Pruner reads a searched value", at: "max_steps",
			detail: `max_steps reads base_config.training.epochs, which the param "training.epochs" searches: the pruner uses its base value, 27, for every trial, not the trial's own.`},
		{name: "startup_trials at the budget", src: prunerSearch(median("    startup_trials = 20\n")), warning: true, summary: "Pruner that never prunes", at: "startup_trials", detail: "startup_trials (20) is not below the budget of 20 trials"},
		{name: "default startup_trials above the budget", src: strings.Replace(prunerSearch(median("")), "trials      = 20", "trials      = 4", 1), warning: true, summary: "Pruner that never prunes", at: `  pruner "median"`, detail: "startup_trials (5, the default) is not below the budget of 4 trials"},
		{name: "max_steps below a min_steps from base_config", src: prunerSearch(asha("    min_steps = base_config.training.epochs\n    max_steps = 9\n")), summary: "Invalid max_steps", at: "max_steps", detail: "max_steps (9) must be greater than min_steps (27)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadAt(t, sharedDir, tt.src, Options{})
			if !tt.warning && res.Definition != nil {
				t.Errorf("a definition was returned with errors")
			}
			if tt.warning && diags.HasErrors() {
				t.Errorf("errors besides the warning:\n%s", render(res.Files, diags))
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == tt.summary {
					found = d
					break
				}
			}
			if found == nil {
				t.Fatalf("no diagnostic %q; got:\n%s", tt.summary, render(res.Files, diags))
			}
			if want := map[bool]hcl.DiagnosticSeverity{false: hcl.DiagError, true: hcl.DiagWarning}[tt.warning]; found.Severity != want {
				t.Errorf("severity %v, want %v", found.Severity, want)
			}
			if !strings.Contains(found.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", found.Detail, tt.detail)
			}
			at := strings.Index(tt.src, tt.at)
			if at < 0 {
				t.Fatalf("%q is not in the source", tt.at)
			}
			wantLine := strings.Count(tt.src[:at+len(tt.at)-len(strings.TrimLeft(tt.at, "\n"))], "\n") + 1
			if found.Subject == nil || found.Subject.Start.Line != wantLine || found.Subject.Filename != "main.fw.hcl" {
				t.Errorf("diagnostic at %v; want line %d\n%s", found.Subject, wantLine, render(res.Files, diags))
			}
		})
	}
}

// TestPrunerNoWarning checks the cases that must not warn.
func TestPrunerNoWarning(t *testing.T) {
	tests := []struct{ name, src string }{
		{"startup_trials below the budget", prunerSearch(median("    startup_trials = 19\n"))},
		{"default startup_trials below the budget", strings.Replace(prunerSearch(median("")), "trials      = 20", "trials      = 6", 1)},
		{"asha on a small budget", strings.Replace(prunerSearch(asha("    max_steps = 9\n")), "trials      = 20", "trials      = 2", 1)},
		{"startup_trials of a grid", gridSearch(median("    startup_trials = 50\n"))},
		{"a base value beside a searched one", prunerSearch(asha("    max_steps = base_config.training.epochs\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadAt(t, sharedDir, tt.src, Options{})
			if len(diags) > 0 {
				t.Errorf("diagnostics:\n%s", render(res.Files, diags))
			}
		})
	}
}

// TestPrunerErrorsOnce checks that a pruner reading a base_config that has
// errors gets no error of its own, and that a search without a metric gets
// none about the pruner's: the search's errors are enough. Each source
// holds the pruner block last, which the test removes for comparison.
func TestPrunerErrorsOnce(t *testing.T) {
	const block = "  pruner \"asha\" {\n    max_steps = base_config.training.epochs\n    metric = \"val_acc\"\n  }\n"
	src := prunerSearch(block)
	tests := []struct {
		name     string
		old, new string // an edit of src
	}{
		{"base_config not an object", "{\n    training  = { lr = 0.001, epochs = 27, warmup = 2, name = \"run\", layers = [64, 32], opt = null, frac = 2.5 }\n    optimizer = \"adam\"\n  }", "[1, 2]"},
		{"base_config with an infinite number", "frac = 2.5", "frac = 1e400"},
		{"base_config reads an undeclared variable", "epochs = 27", "epochs = var.epochs"},
		{"base_config calls a function wrongly", "epochs = 27", "epochs = max()"},
		{"empty search metric", `metric      = "val_loss"`, `metric      = ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			with := strings.Replace(src, tt.old, tt.new, 1)
			without := strings.Replace(with, block, "", 1)
			resWith, diagsWith := loadAt(t, sharedDir, with, Options{})
			_, diagsWithout := loadAt(t, sharedDir, without, Options{})
			if !diagsWithout.HasErrors() {
				t.Fatal("the edit leaves no error")
			}
			summaries := func(diags hcl.Diagnostics) []string {
				var out []string
				for _, d := range diags {
					out = append(out, d.Summary+" at "+d.Subject.String())
				}
				return out
			}
			if d := cmp.Diff(summaries(diagsWithout), summaries(diagsWith)); d != "" {
				t.Errorf("the pruner adds diagnostics (-without +with):\n%s\n%s", d, render(resWith.Files, diagsWith))
			}
		})
	}
}

// TestPrunerOneErrorPerMistake checks that a bad attribute does not also
// fail the checks that read it: max_steps against a min_steps in error.
func TestPrunerOneErrorPerMistake(t *testing.T) {
	for _, minSteps := range []string{"0", "2.5", "base_config.training.epoch", "\"x\""} {
		res, diags := loadAt(t, sharedDir, prunerSearch(asha("    min_steps = "+minSteps+"\n    max_steps = 1\n")), Options{})
		if len(diags) != 1 {
			t.Errorf("min_steps = %s: want one error, got:\n%s", minSteps, render(res.Files, diags))
		}
	}
}

// TestPrunerNotInFingerprint checks, through the loader, that a pruner
// changes neither fingerprint (it decides which trials run to the end,
// not what one computes), and that Settings shows it: added, changed,
// another kind.
func TestPrunerNotInFingerprint(t *testing.T) {
	load := func(blocks string) *definition.Search {
		t.Helper()
		res, diags := loadAt(t, sharedDir, prunerSearch(blocks), Options{})
		if len(diags) > 0 {
			t.Fatalf("diagnostics:\n%s", render(res.Files, diags))
		}
		return res.Definition.Search("s")
	}
	none, med, med3, ash := load(""), load(median("")), load(median("    startup_trials = 3\n")), load(asha("    max_steps = base_config.training.epochs\n"))
	res, diags := loadAt(t, sharedDir, strings.Replace(prunerSearch(median("")), "trials      = 20", "trials      = 30", 1), Options{})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", render(res.Files, diags))
	}
	med30 := res.Definition.Search("s")
	for _, s := range []*definition.Search{med, med3, ash} {
		if s.Fingerprint() != none.Fingerprint() || s.SpaceFingerprint() != none.SpaceFingerprint() {
			t.Errorf("pruner %+v changed the search's fingerprints", s.Pruner)
		}
	}
	changes := func(a, b *definition.Search) []string {
		var out []string
		for _, c := range definition.SettingsChanges(a.Settings(), b.Settings()) {
			out = append(out, definition.FormatSettingsChange(c))
		}
		return out
	}
	tests := []struct {
		name string
		a, b *definition.Search
		want []string
	}{
		{"added", none, med, []string{`pruner "median" added`}},
		{"removed", med, none, []string{`pruner "median" removed`}},
		{"changed", med, med3, []string{`pruner "median".startup_trials 5 → 3`}},
		{"another kind", med, ash, []string{`pruner "asha" added`, `pruner "median" removed`}},
		{"after the search's attributes", none, med30, []string{"trials 20 → 30", `pruner "median" added`}},
		{"the same", med, load(median("    startup_trials = 5\n    metric = \"val_loss\"\n")), nil},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, changes(tt.a, tt.b)); d != "" {
			t.Errorf("%s: settings changes (-want +got):\n%s", tt.name, d)
		}
	}
}

// TestPrunerDocExamples checks that the pruner blocks of docs/language.md
// load with the values the docs give them.
func TestPrunerDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*definition.Pruner{
		"median": {Kind: "median", Metric: "val_loss", StartupTrials: 5, WarmupSteps: 3, Interval: 1},
		"asha":   {Kind: "asha", Metric: "val_loss", MinSteps: 1, MaxSteps: 27, ReductionFactor: 3},
	}
	found := map[string]bool{}
	for _, chunk := range strings.Split(string(doc), "```hcl\n")[1:] {
		block, _, _ := strings.Cut(chunk, "```")
		for _, kind := range definition.PrunerKinds {
			head := "  pruner \"" + kind + "\" {"
			_, after, ok := strings.Cut(block, head)
			if !ok {
				continue
			}
			body, _, ok := strings.Cut(after, "\n  }\n")
			if !ok {
				t.Fatalf("the %s example is not closed", kind)
			}
			found[kind] = true
			src := prunerSearch(head + body + "\n  }\n")
			res, diags := loadAt(t, sharedDir, src, Options{})
			if len(diags) > 0 {
				t.Fatalf("the %s example does not load:\n%s", kind, render(res.Files, diags))
			}
			if d := cmp.Diff(want[kind], res.Definition.Search("s").Pruner, cmpopts.IgnoreFields(definition.Pruner{}, "DeclRange")); d != "" {
				t.Errorf("%s example (-want +got):\n%s", kind, d)
			}
		}
	}
	for _, kind := range definition.PrunerKinds {
		if !found[kind] {
			t.Errorf("no %s example in docs/language.md", kind)
		}
	}
}

// TestNormalizeKind pins the names the unknown-kind messages recognize.
func TestNormalizeKind(t *testing.T) {
	for in, want := range map[string]string{
		"median": "median", "MedianPruner": "median", "ASHA": "asha", "successive_halving": "successivehalving",
		"Successive-Halving": "successivehalving", "HyperbandPruner": "hyperband", "pruner": "pruner", "": "", "nop": "nop",
	} {
		if got := normalizeKind(in); got != want {
			t.Errorf("normalizeKind(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkPruner checks what later stages rely on in a loaded search's
// pruner, for FuzzLoad: a known kind, a metric the trials report, and
// settings within their ranges.
func checkPruner(t *testing.T, s *definition.Search) {
	t.Helper()
	p := s.Pruner
	if p == nil {
		return
	}
	if !slices.Contains(s.Metrics, p.Metric) {
		t.Fatalf("search %q: pruner metric %q not in metrics %q", s.Name, p.Metric, s.Metrics)
	}
	switch p.Kind {
	case definition.PrunerMedian:
		if p.StartupTrials < 0 || p.WarmupSteps < 0 || p.Interval < 1 || p.MinSteps|p.MaxSteps|p.ReductionFactor != 0 {
			t.Fatalf("search %q: median pruner out of range: %+v", s.Name, p)
		}
	case definition.PrunerASHA:
		if p.MinSteps < 1 || p.MaxSteps <= p.MinSteps || p.ReductionFactor < 2 || p.StartupTrials|p.WarmupSteps|p.Interval != 0 {
			t.Fatalf("search %q: asha pruner out of range: %+v", s.Name, p)
		}
	default:
		t.Fatalf("search %q: pruner of kind %q", s.Name, p.Kind)
	}
	_ = s.Settings()
}

// BenchmarkLoadPruner measures what pruner blocks add to a load: 200
// searches with an asha pruner reading base_config, against the same
// searches without one.
func BenchmarkLoadPruner(b *testing.B) {
	build := func(blocks string) []byte {
		var src strings.Builder
		for i := range 200 {
			src.WriteString(strings.Replace(prunerSearch(blocks), `search "s"`, fmt.Sprintf(`search "s%d"`, i), 1))
		}
		return []byte(src.String())
	}
	for _, c := range []struct{ name, blocks string }{{"none", ""}, {"asha", asha("    max_steps = base_config.training.epochs\n")}} {
		src := build(c.blocks)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, diags := Load(sharedDir, []Source{{Name: "main.fw.hcl", Bytes: src}}, Options{}); len(diags) > 0 {
					b.Fatal(diags)
				}
			}
		})
	}
}
