package gen

import (
	"bytes"
	"strings"
	"testing"
)

// TestExecutorIgnored checks that fwgen ignores executor blocks and the
// trial's executor: where trials run changes neither the generated code
// nor the schema fingerprints.
func TestExecutorIgnored(t *testing.T) {
	const block = `executor "slurm" "gpu" {
  partition  = "gpu"
  time       = "2h"
  gpus       = 1
  extra_args = ["--exclusive"]
  array      = true
}
`
	const body = `  base_config = { lr = 0.1, layers = 2 }
  experiment_root = "/shared/fw-trials"
  param "lr" {
    values = [0.1, 0.01]
  }`
	src := search("s", body)
	onSlurm := block + strings.Replace(src, `command = ["true"]`, "command  = [\"true\"]\n    executor = executor.slurm.gpu", 1)
	with, _ := load(t, "main.fw.hcl", onSlurm)
	without, _ := load(t, "main.fw.hcl", src)
	if with.Search("s").Trial.Executor == nil {
		t.Fatal("the executor was not loaded")
	}
	opts := Options{Package: "fwconfig", Sources: []string{"main.fw.hcl"}}
	a, diags := Generate(with, opts)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	b, diags := Generate(without, opts)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the executor changed the generated code")
	}
	fa, _ := SchemaFingerprint(with, "s")
	fb, _ := SchemaFingerprint(without, "s")
	if fa != fb {
		t.Errorf("the executor changed the schema fingerprint: %s != %s", fa, fb)
	}
}
