package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	fwhcl "github.com/frameworm/frameworm/hcl"
)

// TestSourceKeepsBackend checks that formatting a file with a frameworm
// block (testdata/backend.in.fw.hcl) keeps the backend it declares.
func TestSourceKeepsBackend(t *testing.T) {
	src := readFile(t, "testdata/backend.in.fw.hcl")
	out, diags := Source("backend.in.fw.hcl", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	load := func(b []byte) any {
		res, diags := fwhcl.Load(t.TempDir(), []fwhcl.Source{{Name: "main.fw.hcl", Bytes: b}}, fwhcl.Options{})
		if diags.HasErrors() || res.Definition.Backend == nil {
			t.Fatalf("load: %v", diags)
		}
		be := res.Definition.Backend
		return []any{be.Type, be.ConnStr, be.Schema, be.Workspace, be.RetryTimeout, be.DeclRange.Start.Line}
	}
	if d := cmp.Diff(load(src), load(out)); d != "" {
		t.Errorf("formatting changed the backend (-before +after):\n%s", d)
	}
}
