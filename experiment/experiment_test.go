package experiment

import (
	"os"
	"path/filepath"
	"strings"
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

// TestWriteQueued: meta.json holds the job and queue wait of a trial run
// by a scheduler, and neither key for a trial that did not queue.
func TestWriteQueued(t *testing.T) {
	for _, tc := range []struct {
		name, job string
		queued    float64
		want      []string // substrings of meta.json
		absent    []string
	}{
		{"local", "", 0, []string{`"host": "local:h pid 7"`}, []string{`"job"`, `"queued_seconds"`}},
		{"slurm", "slurm:1234_7", 12.5, []string{`"job": "slurm:1234_7"`, `"queued_seconds": 12.5`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			m := Meta{Search: "s", Number: 7, Status: "completed", Host: "local:h pid 7", Job: tc.job, QueuedSeconds: tc.queued}
			if err := Write(dir, m); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, MetaFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("meta.json lacks %s:\n%s", w, b)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(string(b), a) {
					t.Errorf("meta.json has %s:\n%s", a, b)
				}
			}
			got, err := Read(dir)
			if err != nil || got.Job != tc.job || got.QueuedSeconds != tc.queued {
				t.Errorf("Read: job %q, queued %v, %v", got.Job, got.QueuedSeconds, err)
			}
		})
	}
}
