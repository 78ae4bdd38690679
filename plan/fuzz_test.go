package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/frameworm/frameworm/definition"
)

// FuzzReadFile feeds arbitrary bytes to the plan file reader and binds what
// it accepts: neither may panic.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte(`{"kind":"frameworm-plan","version":1,"lineage":"l","serial":0,"vars":{},"searches":[{"name":"s","fingerprint":"@FP@","to_run":[{"number":0,"params":{"x":0.5,"opt":"a"},"attempt":1}],"to_retry":[]}]}`))
	f.Add([]byte(`{"kind":"frameworm-plan","version":1,"searches":[{"name":"s","fingerprint":"@FP@","to_run":[{"number":0,"params":null}],"to_retry":[{"number":1,"params":{"x":2,"opt":"c"}}]}]}`))
	f.Add([]byte(`not json`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		s := testSearch(t, definition.Random, 4, 1)
		// Seeds name the real fingerprint as @FP@, so the fuzzer reaches
		// the params decoding behind the fingerprint check.
		b = bytes.ReplaceAll(b, []byte("@FP@"), []byte(s.Fingerprint()))
		path := filepath.Join(dir, "p.plan")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		saved, err := ReadFile(path)
		if err != nil {
			return
		}
		p, err := saved.Bind(&definition.Definition{Searches: []*definition.Search{s}}, saved.doc.Lineage, saved.doc.Serial)
		if err != nil {
			return
		}
		for _, ps := range p.Searches {
			for _, tr := range append(ps.ToRun, ps.ToRetry...) {
				if tr.Point != nil && !s.Space.Contains(tr.Point) {
					t.Fatalf("bound a point outside the space: %v", tr.Point)
				}
			}
		}
	})
}
