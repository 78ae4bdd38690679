package plan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// TestPlanFileWithoutBackend checks that the frameworm block, whose
// conn_str may hold a password, leaves a saved plan unchanged: the file's
// bytes are those of the same searches without the block, so the password
// is not in them.
func TestPlanFileWithoutBackend(t *testing.T) {
	const password = "hunter2-S3CRET"
	const search = `search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 4
  seed     = 7
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
	const block = `frameworm {
  backend "pg" {
    conn_str  = "postgres://fw:` + password + `@db.internal/frameworm"
    workspace = "digits"
  }
}
`
	dir := t.TempDir()
	write := func(src, name string) []byte {
		res, diags := fwhcl.Load(dir, []fwhcl.Source{{Name: "main.fw.hcl", Bytes: []byte(src)}}, fwhcl.Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		st := state.New()
		st.Lineage = "11111111-2222-3333-4444-555555555555"
		p, err := plan.Make(res.Definition, st, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := plan.WriteFile(path, p, res.Definition); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	with := write(block+search, "with.fwplan")
	without := write(search, "without.fwplan")
	if bytes.Contains(with, []byte(password)) {
		t.Fatalf("the plan file holds the password:\n%s", with)
	}
	if !bytes.Equal(with, without) {
		t.Errorf("the backend block changed the plan file:\n%s\nwithout it:\n%s", with, without)
	}
}
