package hcl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// whenSearch is a search with a categorical optimizer, then momentum and
// a new leaf nesterov, the params of the conditions below. %s is the
// `when` of momentum, %s that of nesterov.
const whenSearch = `variable "opt" {
  default = "sgd"
}
locals {
  lo = 0.9
}
search "s" {
  strategy    = "grid"
  metric      = "loss"
  mode        = "min"
  base_config = { optimizer = "adam", training = { momentum = 0.0, lr = 0.1 }, layers = [1, 2] }
  param "optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }
  param "training.momentum" {
    values = [0.5, 0.9, 0.99]
    when   = %s
  }
  param "training.nesterov" {
    values = [true, false]
    new    = true
    when   = %s
  }
  trial {
    command = ["true"]
  }
}
`

func loadWhen(t *testing.T, momentum, nesterov string) (*definition.Search, string) {
	t.Helper()
	res, diags := loadString(t, fmt.Sprintf(whenSearch, momentum, nesterov), Options{})
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	return res.Definition.Search("s"), ""
}

func TestWhenValid(t *testing.T) {
	tests := []struct {
		name               string
		momentum, nesterov string
		text               []string // canonical texts of the two conditions
		reads              [][]string
		grid               uint64
	}{
		{"none", "null", "null", []string{"", ""}, [][]string{nil, nil}, 3 * 3 * 2},
		{"categorical", `config.optimizer == "sgd"`, `config.optimizer=="sgd"&&config.training.momentum>0.6`,
			[]string{`config.optimizer == "sgd"`, `config.optimizer == "sgd" && config.training.momentum > 0.6`},
			[][]string{{"optimizer"}, {"optimizer", "training.momentum"}},
			// adam, rmsprop: 1 each; sgd: momentum 0.5 (nesterov off) + 0.9, 0.99 (2 each)
			1 + 1 + 1 + 2 + 2},
		{"index syntax and var", `config["optimizer"] == var.opt`, `contains(["sgd"], config.optimizer)`,
			[]string{`config["optimizer"] == "sgd"`, `contains(["sgd"], config.optimizer)`},
			[][]string{{"optimizer"}, {"optimizer"}}, 1 + 1 + 3*2},
		{"local and base path", `config.training.lr > 0.05 && config.optimizer != "adam"`, `config.training.momentum >= local.lo`,
			[]string{`config.training.lr > 0.05 && config.optimizer != "adam"`, `config.training.momentum >= 0.9`},
			[][]string{{"optimizer"}, {"training.momentum"}},
			// adam: momentum inactive (base 0.0 < 0.9): 1; sgd, rmsprop: 0.5 → 1, 0.9 and 0.99 → 2 each
			1 + 2*(1+2+2)},
		{"whole list", `length(config.layers) == 2 && config.optimizer == "sgd"`, `config.training.momentum == 0.99`,
			[]string{`length(config.layers) == 2 && config.optimizer == "sgd"`, `config.training.momentum == 0.99`},
			[][]string{{"optimizer"}, {"training.momentum"}}, 1 + 1 + 1 + 1 + 2},
		{"constant", `var.opt == "sgd"`, `false`,
			[]string{`"sgd" == "sgd"`, `false`}, [][]string{nil, nil}, 3 * 3},
		{"comments and lines", "(config.optimizer # the optimizer\n == \"sgd\")", "null",
			[]string{`(config.optimizer == "sgd")`, ""}, [][]string{{"optimizer"}, nil}, (1 + 1 + 3) * 2},
		{"whole config", `lookup(config, "optimizer", "") == "sgd"`, "null",
			[]string{`lookup(config, "optimizer", "") == "sgd"`, ""}, [][]string{{"optimizer"}, nil}, (1 + 1 + 3) * 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, errs := loadWhen(t, tt.momentum, tt.nesterov)
			if s == nil {
				t.Fatal(errs)
			}
			for k, p := range s.Params[1:] {
				text := ""
				var reads []string
				if p.When != nil {
					text, reads = p.When.Text, p.When.Reads
				}
				if text != tt.text[k] {
					t.Errorf("%s: when text %q, want %q", p.Path, text, tt.text[k])
				}
				if fmt.Sprint(reads) != fmt.Sprint(tt.reads[k]) {
					t.Errorf("%s: reads %v, want %v", p.Path, reads, tt.reads[k])
				}
			}
			n, err := s.Space.GridSize()
			if err != nil || n != tt.grid {
				t.Fatalf("grid size %d, %v; want %d", n, err, tt.grid)
			}
			pts, err := s.Space.Grid(n)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, pt := range pts {
				cfg, err := s.Resolve(pt)
				if err != nil {
					t.Fatal(err)
				}
				h, _ := definition.Hash(cfg)
				if seen[h] {
					t.Fatalf("two grid points resolve to the config %v", cfg)
				}
				seen[h] = true
			}
		})
	}
}

// TestWhenSemantics checks the config a condition sees: earlier active
// params at their values, inactive ones at their base value, a new leaf
// absent while inactive.
func TestWhenSemantics(t *testing.T) {
	s, errs := loadWhen(t, `config.optimizer == "sgd"`, `config.training.momentum > 0.6`)
	if s == nil {
		t.Fatal(errs)
	}
	tests := []struct {
		prefix space.Point
		i      int
		want   bool
	}{
		{space.Point{"sgd"}, 1, true},
		{space.Point{"adam"}, 1, false},
		{space.Point{"rmsprop"}, 1, false},
		{space.Point{"sgd", 0.9}, 2, true},
		{space.Point{"sgd", 0.5}, 2, false},
		{space.Point{"adam", space.Inactive}, 2, false}, // base momentum 0.0
	}
	for _, tt := range tests {
		if got := s.Space.Active(tt.prefix, tt.i); got != tt.want {
			t.Errorf("Active(%v, %d) = %v, want %v", tt.prefix, tt.i, got, tt.want)
		}
	}
	// A failure at run time (a coordinate no probe met) is inactive.
	if s.Space.Active(space.Point{"sgd", "not a number"}, 2) {
		t.Error("a failing condition is active")
	}
}

func TestWhenErrors(t *testing.T) {
	tests := []struct {
		name               string
		momentum, nesterov string
		want               string // in the diagnostics
		line               int    // of the error
	}{
		{"unknown path", `config.optimiser == "sgd"`, "null", `config.optimiser, which is neither in base_config nor a param declared before it. Did you mean "optimizer"?`, 17},
		{"unknown nested path", `config.training.moment > 0`, "null", "config.training.moment, which is neither", 17},
		{"later param", `config.training.nesterov`, "null", `Declare "training.nesterov" before "training.momentum"`, 17},
		{"object holding itself", `length(config.training) > 2`, "null", `reads config.training.momentum, the param itself`, 17},
		{"itself", `config.training.momentum > 0.5`, "null", "reads its own param", 17},
		{"other root", `search.x.best.score > 0`, "null", `"search" is none of them`, 17},
		{"undeclared variable", `var.optimizer == "sgd"`, "null", "An input variable named \"optimizer\" is not declared", 17},
		{"not a bool", `config.optimizer`, "null", `for the config with optimizer = "adam" it gives a string, not true or false`, 17},
		{"fails on a value", `config.optimizer == "sgd"`, `config.layers[config.training.momentum > 0.6 ? 5 : 0] == 1`, `for the config with training.momentum = 0.9 it fails: Invalid index`, 22},
		{"type error", `config.training.lr > "x"`, "null", "Invalid when", 17},
		{"null result", `config.optimizer == "sgd" ? null : true`, "null", "gives null, not true or false", 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadString(t, fmt.Sprintf(whenSearch, tt.momentum, tt.nesterov), Options{})
			if !diags.HasErrors() {
				t.Fatalf("loaded without errors: %v", res.Definition.Search("s").Params)
			}
			var found bool
			for _, d := range diags.Errs() {
				if strings.Contains(d.Error(), tt.want) {
					found = true
					if !strings.Contains(d.Error(), fmt.Sprintf(":%d,", tt.line)) {
						t.Errorf("error not at line %d: %s", tt.line, d)
					}
				}
			}
			if !found {
				t.Errorf("no error containing %q in:\n%s", tt.want, diags)
			}
		})
	}
}

// TestWhenFingerprint: the condition is part of the meaning.
func TestWhenFingerprint(t *testing.T) {
	prints := map[string]string{}
	for _, w := range []string{`null`, `config.optimizer == "sgd"`, `config.optimizer == "rmsprop"`, `config.optimizer  ==  "sgd" # same`, `config.optimizer == var.opt`} {
		s, errs := loadWhen(t, w, "null")
		if s == nil {
			t.Fatal(errs)
		}
		prints[w] = s.Fingerprint() + " " + s.SpaceFingerprint()
	}
	if prints[`null`] == prints[`config.optimizer == "sgd"`] || prints[`config.optimizer == "sgd"`] == prints[`config.optimizer == "rmsprop"`] {
		t.Error("the fingerprints do not change with the condition")
	}
	if prints[`config.optimizer == "sgd"`] != prints[`config.optimizer  ==  "sgd" # same`] || prints[`config.optimizer == "sgd"`] != prints[`config.optimizer == var.opt`] {
		t.Error("the fingerprints change with the formatting of the condition, or with writing a value as a variable")
	}
	s1, _ := loadWhen(t, `config.optimizer == "sgd"`, "null")
	s2, _ := loadWhen(t, `config.optimizer == "rmsprop"`, "null")
	var got []string
	for _, c := range definition.SettingsChanges(s1.Settings(), s2.Settings()) {
		got = append(got, definition.FormatSettingsChange(c))
	}
	want := `param "training.momentum".when config.optimizer == "sgd" → config.optimizer == "rmsprop"`
	if len(got) != 1 || got[0] != want {
		t.Errorf("settings changes %q, want [%q]", got, want)
	}
}

// BenchmarkWhenActive measures one evaluation of a condition, which the
// Bayesian strategy makes on many candidates.
func BenchmarkWhenActive(b *testing.B) {
	for _, bc := range []struct{ name, when string }{
		{"equal", `config.optimizer == "sgd"`},
		{"two params", `config.optimizer == "sgd" && config.training.momentum > 0.6`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			res, diags := Load(b.TempDir(), []Source{{Name: "b.fw.hcl", Bytes: fmt.Appendf(nil, whenSearch, `config.optimizer == "sgd"`, bc.when)}}, Options{})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			s := res.Definition.Search("s")
			prefix := space.Point{"sgd", 0.9}
			b.Run("memo", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if !s.Space.Active(prefix, 2) {
						b.Fatal("inactive")
					}
				}
			})
			b.Run("evaluation", func(b *testing.B) {
				c := s.Params[2].When.Space.(*whenCondition)
				b.ReportAllocs()
				for b.Loop() {
					if v, diags := c.eval(prefix); diags.HasErrors() || !v.True() {
						b.Fatal("inactive")
					}
				}
			})
		})
	}
}

// TestWhenGuideExample: the grid of docs/guide.md's conditional example
// has the 24 points the guide says (60 without the conditions).
func TestWhenGuideExample(t *testing.T) {
	const src = `search "sgd_or_adam" {
  strategy    = "grid"
  metric      = "val_loss"
  mode        = "min"
  base_config = { optimizer = "adam", training = { lr = 0.001, momentum = 0.0 } }
  param "optimizer" {
    values = ["adam", "sgd"]
  }
  param "training.momentum" {
    values = [0.1, 0.3, 0.5, 0.7, 0.9]
    when   = config.optimizer == "sgd"
  }
  param "training.nesterov" {
    values = [true, false]
    new    = true
    when   = config.training.momentum > 0.5
  }
  param "training.lr" {
    values = [0.0001, 0.001, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
}
`
	for _, tt := range []struct {
		src  string
		want uint64
	}{{src, 24}, {strings.NewReplacer(`when   = config.optimizer == "sgd"`, "", `when   = config.training.momentum > 0.5`, "").Replace(src), 60}} {
		res, diags := loadString(t, tt.src, Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if n, err := res.Definition.Search("sgd_or_adam").Space.GridSize(); err != nil || n != tt.want {
			t.Errorf("grid size %d, %v; want %d", n, err, tt.want)
		}
	}
}
