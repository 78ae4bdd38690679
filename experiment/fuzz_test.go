package experiment

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzMetaRead feeds arbitrary bytes to Read as meta.json. It must not
// panic, and what it accepts must survive Write and Read unchanged.
func FuzzMetaRead(f *testing.F) {
	f.Add([]byte(`{"search": "s", "number": 3, "strategy": "random", "status": "completed", "attempts": 1, "started": "2026-11-26T12:00:00Z", "ended": "2026-11-26T12:01:30Z", "duration_seconds": 90, "host": "local:h pid 12", "tags": ["a", "s"], "params": {"lr": 0.1, "opt": "adam"}}`))
	f.Add([]byte(`{"search": "s", "number": 0, "started": null, "tags": null, "params": null, "error": "exit status 3"}`))
	f.Add([]byte(`{"started": "2026-11-26T12:00:00+02:00", "params": {"a.b": [1, {"c": null}], "n": 1e308}}`))
	f.Add([]byte(`{"number": 1.5}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, MetaFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Read(dir)
		if err != nil {
			return
		}
		again := filepath.Join(dir, "again")
		if err := Write(again, m); err != nil {
			t.Fatalf("Write of what Read accepted: %v", err)
		}
		m2, err := Read(again)
		if err != nil {
			t.Fatalf("Read of what Write wrote: %v", err)
		}
		if m.Tags == nil {
			m.Tags = []string{} // Write records no tags as []
		}
		j1, _ := json.Marshal(m)
		j2, _ := json.Marshal(m2)
		if string(j1) != string(j2) {
			t.Errorf("round trip changed meta.json:\n%s\n%s", j1, j2)
		}
	})
}
