package experiment

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s", "3")
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Second)
	m := Meta{Search: "s", Number: 3, Strategy: "random", Status: "completed", Attempts: 1, Started: &start, Ended: &end,
		DurationSeconds: 90, Host: "local:h", Tags: []string{"a", "random_search", "s"}, Params: map[string]any{"lr": 0.1}}
	if err := Write(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if !got.HasTags([]string{"a", "s"}) || got.HasTags([]string{"b"}) || !got.HasTags(nil) {
		t.Error("HasTags")
	}
	if _, err := Read(t.TempDir()); err == nil {
		t.Error("read of a missing meta.json succeeded")
	}
}
