package plan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/frameworm/frameworm/definition"
)

// FuzzReadFile feeds arbitrary bytes to the plan file reader and binds
// what it accepts against a state (tamperState): neither may panic, and a
// plan that binds must keep the promises Bind checks. With sealed set,
// the bytes are the plan inside the file, given its checksum here, so that
// the fuzzer gets past the checksum to the checks behind it. The seeds are
// in testdata/fuzz/FuzzReadFile; they name the search's real fingerprint
// as @FP@.
func FuzzReadFile(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, sealed bool) {
		s := testSearch(t, definition.Random, 6, 1)
		b = bytes.ReplaceAll(b, []byte("@FP@"), []byte(s.Fingerprint()))
		if sealed {
			var payload bytes.Buffer
			if json.Compact(&payload, b) != nil {
				return
			}
			var err error
			if b, err = sealFile(payload.Bytes()); err != nil {
				return
			}
		}
		path := filepath.Join(dir, "p.plan")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		saved, err := ReadFile(path)
		if err != nil {
			return
		}
		st := tamperState(t, s)
		// Past the lineage and serial checks, to the checks against the
		// state's trials.
		saved.doc.Lineage, saved.doc.Serial = st.Lineage, st.Serial
		p, err := saved.Bind(def(s), st)
		if err != nil {
			return
		}
		if len(p.Searches) > 1 {
			t.Fatalf("bound %d plans of one search", len(p.Searches))
		}
		h := Classify(s, st.Trials(s.Name))
		matching := len(h.Kept) + len(h.Failed) + len(h.Retry)
		for _, ps := range p.Searches {
			numbers := map[int]bool{}
			for _, tr := range ps.ToRetry {
				old := st.Trial(s.Name, tr.Number)
				if numbers[tr.Number] || old == nil || tr.Attempt != old.Attempts+1 || tr.Point == nil {
					t.Fatalf("bound retry %+v (state: %+v)", tr, old)
				}
				numbers[tr.Number] = true
			}
			next := st.NextNumber(s.Name)
			for i, tr := range ps.ToRun {
				if numbers[tr.Number] || st.Trial(s.Name, tr.Number) != nil || tr.Number != next+i || tr.Attempt != 1 || tr.Point == nil {
					t.Fatalf("bound new trial %+v (next number %d)", tr, next)
				}
				numbers[tr.Number] = true
			}
			if len(ps.ToRun) > 6-matching {
				t.Fatalf("bound %d new trials beside %d matching, budget 6", len(ps.ToRun), matching)
			}
			for _, tr := range append(ps.ToRun, ps.ToRetry...) {
				if tr.Point != nil && !s.Space.Contains(tr.Point) {
					t.Fatalf("bound a point outside the space: %v", tr.Point)
				}
			}
		}
	})
}
