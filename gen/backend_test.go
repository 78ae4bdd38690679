package gen

import (
	"bytes"
	"testing"
)

// TestBackendIgnored checks that fwgen ignores the frameworm block: the
// generated code and the schema fingerprints are those of the same
// searches without it, so conn_str's password is not in them.
func TestBackendIgnored(t *testing.T) {
	const password = "hunter2-S3CRET"
	const block = `frameworm {
  backend "pg" {
    conn_str  = "host=db password=` + password + `"
    workspace = "digits"
  }
}
`
	src := search("s", `  base_config = { lr = 0.1, layers = 2 }
  param "lr" {
    values = [0.1, 0.01]
  }`)
	with, _ := load(t, "main.fw.hcl", block+src)
	without, _ := load(t, "main.fw.hcl", src)
	if with.Backend == nil {
		t.Fatal("the backend block was not loaded")
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
	if bytes.Contains(a, []byte(password)) {
		t.Fatalf("the generated code holds the password:\n%s", a)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the backend block changed the generated code")
	}
	fa, _ := SchemaFingerprint(with, "s")
	fb, _ := SchemaFingerprint(without, "s")
	if fa != fb {
		t.Errorf("the backend block changed the schema fingerprint: %s != %s", fa, fb)
	}
}
