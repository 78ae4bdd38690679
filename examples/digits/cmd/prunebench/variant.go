package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// A variant is one way of running the digits search: a strategy, maybe
// a pruner with its attributes, and for a Bayesian search with a pruner
// what the model makes of pruned trials. Its spec, the name the table
// shows, is
//
//	STRATEGY[+PRUNER[/PRUNED_TRIALS]][:ATTR=N]...
//	random@SPEC
//
// with STRATEGY bayes or random, PRUNER median or asha, PRUNED_TRIALS a
// value of the bayesian block's pruned_trials (bayes only), and ATTR=N
// whole-number attributes of the pruner block (median: startup_trials,
// warmup_steps, interval; asha: min_steps, max_steps, reduction_factor).
// random@SPEC is random search without a pruner at the total epochs the
// variant SPEC trained with the same seed: its trials are that total over
// the epochs of one trial, rounded.
type variant struct {
	Spec         string
	Strategy     string // "bayesian" or "random"
	Pruner       string // "", "median" or "asha"
	PrunedTrials string // "" (the default) or a pruned_trials value
	Attrs        []attr // the pruner's attributes, in the spec's order
	MatchEpochs  string // random@SPEC: SPEC
}

type attr struct {
	Name  string
	Value int64
}

// defaultVariants are the variants a run compares when not told.
var defaultVariants = []string{
	"bayes",
	"bayes+median/worst", "bayes+median/value", "bayes+median/exclude",
	"bayes+asha/worst", "bayes+asha/value", "bayes+asha/exclude",
	"random", "random+asha", "random@random+asha",
}

var (
	prunerAttrs = map[string][]string{
		"median": {"startup_trials", "warmup_steps", "interval"},
		"asha":   {"min_steps", "max_steps", "reduction_factor"},
	}
	prunedTrialsValues = []string{"worst", "value", "exclude"}
	attrName           = regexp.MustCompile(`^[a-z_]+$`)
)

// parseVariant parses a variant's spec.
func parseVariant(spec string) (variant, error) {
	v := variant{Spec: spec}
	if rest, ok := strings.CutPrefix(spec, "random@"); ok {
		inner, err := parseVariant(rest)
		if err != nil {
			return v, fmt.Errorf("variant %q: %w", spec, err)
		}
		if inner.MatchEpochs != "" {
			return v, fmt.Errorf("variant %q: random@ takes a variant that is not random@ itself", spec)
		}
		v.Strategy, v.MatchEpochs = "random", inner.Spec
		return v, nil
	}
	head, attrs, hasAttrs := strings.Cut(spec, ":")
	strategy, prunerPart, hasPruner := strings.Cut(head, "+")
	switch strategy {
	case "bayes":
		v.Strategy = "bayesian"
	case "random":
		v.Strategy = "random"
	default:
		return v, fmt.Errorf("variant %q: unknown strategy %q: use bayes or random", spec, strategy)
	}
	if !hasPruner {
		if hasAttrs {
			return v, fmt.Errorf("variant %q: attributes without a pruner: write bayes+median:%s", spec, attrs)
		}
		return v, nil
	}
	pruner, pruned, hasPruned := strings.Cut(prunerPart, "/")
	if _, ok := prunerAttrs[pruner]; !ok {
		return v, fmt.Errorf("variant %q: unknown pruner %q: use median or asha", spec, pruner)
	}
	v.Pruner = pruner
	if hasPruned {
		if v.Strategy != "bayesian" {
			return v, fmt.Errorf("variant %q: pruned_trials /%s is an option of bayes only", spec, pruned)
		}
		if !slices.Contains(prunedTrialsValues, pruned) {
			return v, fmt.Errorf("variant %q: unknown pruned_trials %q: use %s", spec, pruned, strings.Join(prunedTrialsValues, ", "))
		}
		v.PrunedTrials = pruned
	}
	if !hasAttrs {
		return v, nil
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(attrs, ":") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !attrName.MatchString(name) {
			return v, fmt.Errorf("variant %q: %q is not ATTR=N", spec, kv)
		}
		if !slices.Contains(prunerAttrs[pruner], name) {
			return v, fmt.Errorf("variant %q: pruner %s has no attribute %q: use %s", spec, pruner, name, strings.Join(prunerAttrs[pruner], ", "))
		}
		if seen[name] {
			return v, fmt.Errorf("variant %q: %s set twice", spec, name)
		}
		seen[name] = true
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil || n < 0 {
			return v, fmt.Errorf("variant %q: %s = %q is not a whole number", spec, name, value)
		}
		v.Attrs = append(v.Attrs, attr{name, n})
	}
	return v, nil
}

// parseVariants parses a comma-separated list of specs: each random@SPEC
// must come after SPEC.
func parseVariants(list string) ([]variant, error) {
	var out []variant
	seen := map[string]bool{}
	for _, spec := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		v, err := parseVariant(spec)
		if err != nil {
			return nil, err
		}
		if seen[spec] {
			return nil, fmt.Errorf("variant %q listed twice", spec)
		}
		if v.MatchEpochs != "" && !seen[v.MatchEpochs] {
			return nil, fmt.Errorf("variant %q: list %s before it, to match its epochs", spec, v.MatchEpochs)
		}
		seen[spec] = true
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no variant")
	}
	return out, nil
}

// baseline is the spec of the variant a variant is compared to: the same
// strategy without a pruner.
func (v variant) baseline() string {
	if v.Strategy == "bayesian" {
		return "bayes"
	}
	return "random"
}

// searchParams is what a search file is written from.
type searchParams struct {
	Variant     variant
	Trials      int
	Epochs      int
	Seed        int64
	Parallelism int
	Trainer     string // absolute path of the digits trainer
	Data        string // absolute path of digits.csv.gz
	EpochDelay  string // DIGITS_EPOCH_DELAY, "" for none
}

// The digits search of examples/digits/search.fw.hcl (TestSearchMatchesExample
// keeps them the same), with the benchmark's budget, seed and epochs, the
// built trainer as the trial command, and the variant's blocks.
var searchTemplate = template.Must(template.New("search").Funcs(template.FuncMap{"hcl": hclString}).Parse(`# Written by examples/digits/cmd/prunebench: variant {{.Variant.Spec}}, seed {{.Seed}}.
search "digits" {
  strategy    = "{{.Variant.Strategy}}"
  metric      = "val_loss"
  mode        = "min"
  metrics     = ["val_acc", "train_loss"]
  trials      = {{.Trials}}
  seed        = {{.Seed}}
  parallelism = {{.Parallelism}}

  base_config = {
    training = { lr = 0.01, batch_size = 32, epochs = {{.Epochs}}, l2 = 0.0001, optimizer = "adam" }
    model    = { hidden = 64 }
    seed     = 1
  }

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }
  param "model.hidden" {
    type = integer
    low  = 8
    high = 256
    log  = true
  }
  param "training.batch_size" {
    type = integer
    low  = 8
    high = 256
    log  = true
  }
  param "training.l2" {
    type = real
    low  = 1e-6
    high = 1e-2
    log  = true
  }
  param "training.optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = [{{hcl .Trainer}}]
    env = {
      DIGITS_DATA = {{hcl .Data}}
{{- if .EpochDelay}}
      DIGITS_EPOCH_DELAY = {{hcl .EpochDelay}}
{{- end}}
    }
    timeout = "5m"
  }
{{- if eq .Variant.Strategy "bayesian"}}

  bayesian {
    initial_points = 6
{{- if .Variant.PrunedTrials}}
    pruned_trials  = "{{.Variant.PrunedTrials}}"
{{- end}}
  }
{{- end}}
{{- if .Variant.Pruner}}

  pruner "{{.Variant.Pruner}}" {
{{- range .PrunerAttrs}}
    {{.Name}} = {{.Value}}
{{- end}}
  }
{{- end}}
}
`))

// prunerLine is one attribute of the pruner block, its value as HCL.
type prunerLine struct{ Name, Value string }

// PrunerAttrs are the pruner block's attributes: asha's defaults of the
// benchmark (min_steps 1, max_steps the epochs, reduction_factor 3),
// then the spec's, which win.
func (p searchParams) PrunerAttrs() []prunerLine {
	var out []prunerLine
	set := func(name, value string) {
		for i := range out {
			if out[i].Name == name {
				out[i].Value = value
				return
			}
		}
		out = append(out, prunerLine{name, value})
	}
	if p.Variant.Pruner == "asha" {
		set("min_steps", "1")
		set("max_steps", "base_config.training.epochs")
		set("reduction_factor", "3")
	}
	for _, a := range p.Variant.Attrs {
		set(a.Name, strconv.FormatInt(a.Value, 10))
	}
	return out
}

// searchFile renders the search file of a run.
func searchFile(p searchParams) ([]byte, error) {
	var b bytes.Buffer
	if err := searchTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// hclString is s as an HCL string literal.
func hclString(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}
