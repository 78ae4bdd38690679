package gen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
)

const stagesSource = `
search "coarse" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 10
  base_config = { training = { lr = 0.001, batch_size = 64 }, optimizer = "adam" }
  param "training.lr" {
    type = real
    low  = 0.0001
    high = 0.1
    log  = true
  }
  param "optimizer" {
    values = ["adam", "sgd"]
  }
  trial {
    command = ["train"]
  }
}

search "fine" {
  strategy    = "bayesian"
  metric      = "val_loss"
  mode        = "min"
  trials      = 10
  base_config = search.coarse.best.config
  refine {
    from   = search.coarse
    factor = 0.5
    params = ["training.lr"]
  }
  trial {
    command = ["train"]
  }
}
`

// knownOutcomes says every search is complete with one best trial.
type knownOutcomes struct{}

func (knownOutcomes) Outcome(s *definition.Search) definition.Outcome {
	return definition.Outcome{Known: true, Top: []definition.OutcomeTrial{{
		Trial:  3,
		Config: map[string]any{"training": map[string]any{"lr": 0.003, "batch_size": int64(64)}, "optimizer": "sgd"},
		Params: map[string]any{"training.lr": 0.003, "optimizer": "sgd"},
		Score:  0.1, Metrics: map[string]float64{"val_loss": 0.1},
	}}}
}

// A search that builds on another generates the same code, and the same
// SchemaFingerprint, whether its upstream's outcome is known (fwapply
// checking a go_build program against the state) or not (fwgen, which
// reads no state): else every program of a two-stage definition would be
// stale once the first stage ran.
func TestStageSearchesGenerateTheSameWithAndWithoutOutcomes(t *testing.T) {
	srcs := []fwhcl.Source{{Name: "main.fw.hcl", Bytes: []byte(stagesSource)}}
	without, diags := fwhcl.Load(t.TempDir(), srcs, fwhcl.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	with, diags := fwhcl.Load(t.TempDir(), srcs, fwhcl.Options{Outcomes: knownOutcomes{}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if without.Definition.Search("fine").Deferred == nil || with.Definition.Search("fine").Deferred != nil {
		t.Fatal("the fine search should be deferred without outcomes only")
	}
	for _, search := range []string{"", "fine", "coarse"} {
		a, d1 := SchemaFingerprint(without.Definition, search)
		b, d2 := SchemaFingerprint(with.Definition, search)
		if d1.HasErrors() || d2.HasErrors() {
			t.Fatal(d1, d2)
		}
		if a != b {
			t.Errorf("search %q: fingerprint %s without outcomes, %s with", search, a, b)
		}
		ga := generate(t, without.Definition, Options{Search: search})
		gb := generate(t, with.Definition, Options{Search: search})
		if !bytes.Equal(ga, gb) {
			t.Errorf("search %q: the code differs with outcomes:\n%s\nwithout:\n%s", search, gb, ga)
		}
		typeCheck(t, ga)
	}
	// fwgen -search=fine takes the types of what fine builds on.
	code := string(generate(t, without.Definition, Options{Search: "fine"}))
	for _, want := range []string{`SearchCoarse = "coarse"`, `SearchFine = "fine"`, "LR float64", "DefaultsForFine returns the zero Config", "ValidateForFine accepts every c"} {
		if !strings.Contains(code, want) {
			t.Errorf("fwgen -search=fine: no %q in\n%s", want, code)
		}
	}
}
