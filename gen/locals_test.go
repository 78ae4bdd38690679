package gen

import (
	"bytes"
	"testing"
)

// TestLocalsGenerateTheSame checks that a definition written with locals
// (issue 14) generates the same code as the same definition written out:
// fwgen sees resolved values only.
func TestLocalsGenerateTheSame(t *testing.T) {
	const writtenOut = `
  metrics     = ["val_loss", "val_acc"]
  go_types    = { "training.epochs" = "float64" }
  base_config = {
    training  = { lr = 0.001, batch_size = 64, epochs = 10, layers = [64, 32] }
    optimizer = "adam"
  }
  param "training.lr" {
    type = real
    low  = 0.00001
    high = 0.01
    log  = true
  }
  param "optimizer" {
    values = ["adam", "sgd"]
  }`
	const withLocals = `
  metrics     = local.metrics
  go_types    = { (local.epochs_path) = "float64" }
  base_config = local.base
  param "training.lr" {
    type = real
    low  = local.lr.low
    high = local.lr.high
    log  = true
  }
  param "optimizer" {
    values = local.optimizers
  }`
	const locals = `locals {
  epochs      = 10
  epochs_path = "training.epochs"
  base        = { training = { lr = 0.001, batch_size = 64, epochs = local.epochs, layers = [64, 32] }, optimizer = local.optimizers[0] }
  optimizers  = ["adam", "sgd"]
  lr          = { low = 0.00001, high = 0.01 }
  metrics     = ["val_loss", "val_acc"]
}
`
	want, _ := load(t, "main.fw.hcl", search("s", writtenOut))
	got, _ := load(t, "main.fw.hcl", search("s", withLocals), "locals.fw.hcl", locals)
	a := generate(t, want, Options{Sources: []string{"main.fw.hcl"}})
	b := generate(t, got, Options{Sources: []string{"main.fw.hcl"}})
	if !bytes.Equal(a, b) {
		t.Errorf("the code generated with locals differs:\n%s\nwritten out:\n%s", b, a)
	}
	typeCheck(t, b)
}
