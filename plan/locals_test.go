package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/state"
)

// TestLocalsChangeNothing checks that rewriting literals into locals
// (issue 14) changes nothing in a plan: fingerprints are over resolved
// values. A fresh plan's file is byte for byte the same, and after an
// apply of the written-out definition, the plan of the one with locals
// has nothing to do, excludes nothing and lists no settings change.
func TestLocalsChangeNothing(t *testing.T) {
	const writtenOut = `search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 6
  seed        = 3
  base_config = { training = { lr = 0.01, epochs = 10 }, optimizer = "adam" }
  param "training.lr" {
    type = real
    low  = 0.001
    high = 0.1
    log  = true
  }
  param "optimizer" {
    values = ["adam", "sgd"]
  }
  trial {
    command = ["python3", "train.py", "--epochs", "10"]
    timeout = "5m"
  }
}
`
	const withLocals = `locals {
  epochs = 10
  base   = { training = { lr = 0.01, epochs = local.epochs }, optimizer = local.optimizers[0] }
  optimizers = ["adam", "sgd"]
}

search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = length(local.optimizers) * 3
  seed        = 3
  base_config = local.base
  param "training.lr" {
    type = real
    low  = local.base.training.lr / 10
    high = local.base.training.lr * 10
    log  = true
  }
  param "optimizer" {
    values = local.optimizers
  }
  trial {
    command = ["python3", "train.py", "--epochs", tostring(local.epochs)]
    timeout = "${local.epochs / 2}m"
  }
}
`
	dir := t.TempDir()
	load := func(src string) *definition.Definition {
		t.Helper()
		res, diags := fwhcl.Load(dir, []fwhcl.Source{{Name: "main.fw.hcl", Bytes: []byte(src)}}, fwhcl.Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return res.Definition
	}
	written, local := load(writtenOut), load(withLocals)
	planFile := func(d *definition.Definition, st *state.State, name string) []byte {
		t.Helper()
		p, err := Make(d, st, Options{})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := WriteFile(path, p, d); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	st := state.New()
	st.Lineage = "11111111-2222-3333-4444-555555555555"
	if a, b := planFile(written, st, "written.fwplan"), planFile(local, st, "locals.fwplan"); !bytes.Equal(a, b) {
		t.Errorf("the plan files differ:\n%s\nwritten out:\n%s", b, a)
	}

	// Apply the written-out definition: every planned trial completes
	// and its settings are recorded.
	s := written.Search("s")
	first, err := Make(written, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range first.Searches[0].ToRun {
		record(t, st, s, tr.Number, tr.Point, state.Completed, 1, float64(i))
	}
	if err := st.Apply(state.Change{Settings: &state.SearchSettings{Search: "s", Settings: s.Settings()}}); err != nil {
		t.Fatal(err)
	}
	p, err := Make(local, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Searches[0]
	if p.Changes() || ps.Kept != 6 || ps.Excluded != 0 || len(ps.SettingsChanges) != 0 {
		t.Errorf("plan with locals after the apply: changes %v, kept %d, excluded %d, settings changes %v; want none, 6, 0, none",
			p.Changes(), ps.Kept, ps.Excluded, ps.SettingsChanges)
	}
	if ps.Fingerprint != s.Fingerprint() {
		t.Errorf("fingerprint %s; want %s", ps.Fingerprint, s.Fingerprint())
	}
}
