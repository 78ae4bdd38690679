package command

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/internal/bigstate"
)

// writeLimit records what reaches stdout and fails on a write larger
// than max: a document built whole reaches it in one write.
type writeLimit struct {
	t   *testing.T
	max int
	out strings.Builder
}

func (w *writeLimit) Write(p []byte) (int, error) {
	if len(p) > w.max {
		w.t.Fatalf("one write of %d bytes after %d: show -json builds its document whole instead of streaming it", len(p), w.out.Len())
	}
	return w.out.Write(p)
}

// TestShowJSONStreams: show -json of a large state reaches stdout in
// small writes, and is the whole document.
func TestShowJSONStreams(t *testing.T) {
	dir := t.TempDir()
	const n = 3000
	if _, err := bigstate.Write(context.Background(), dir, bigstate.Options{Trials: n, Appended: 5, FailEvery: 50}); err != nil {
		t.Fatal(err)
	}
	out := &writeLimit{t: t, max: 256 << 10}
	var errb strings.Builder
	if code := Run([]string{"show", "-json"}, Meta{Stdout: out, Stderr: &errb, WorkDir: dir, Environ: []string{"NO_COLOR=1"}}); code != 0 {
		t.Fatalf("show -json: exit %d: %s", code, errb.String())
	}
	if out.out.Len() < 1<<20 {
		t.Fatalf("show -json printed %d bytes; want a document over 1 MB for the test to mean anything", out.out.Len())
	}
	var doc struct {
		Searches map[string]struct {
			Best *struct {
				Trial int `json:"trial"`
			} `json:"best"`
			Trials   []json.RawMessage `json:"trials"`
			Excluded int               `json:"excluded"`
		} `json:"searches"`
	}
	if err := json.Unmarshal([]byte(out.out.String()), &doc); err != nil {
		t.Fatalf("show -json printed invalid JSON: %v", err)
	}
	s := doc.Searches[bigstate.SearchName]
	if len(s.Trials) != n || s.Excluded != 0 || s.Best == nil {
		t.Errorf("show -json: %d trials, %d excluded, best %v; want %d, 0 and a best", len(s.Trials), s.Excluded, s.Best, n)
	}
}

// countWrites counts the writes that reach it.
type countWrites struct {
	n   int
	out strings.Builder
}

func (w *countWrites) Write(p []byte) (int, error) {
	w.n++
	return w.out.Write(p)
}

// TestShowTextWrites: the text table of a large state reaches stdout in
// few writes; unbuffered, its tabwriter wrote every cell and every run of
// padding on its own, millions of system calls at 100k trials.
func TestShowTextWrites(t *testing.T) {
	dir := t.TempDir()
	const n = 2000
	if _, err := bigstate.Write(context.Background(), dir, bigstate.Options{Trials: n, Appended: 5, FailEvery: 50}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"show"}, {"show", "-metrics", "val_loss"}} {
		out := &countWrites{}
		var errb strings.Builder
		if code := Run(args, Meta{Stdout: out, Stderr: &errb, WorkDir: dir, Environ: []string{"NO_COLOR=1"}}); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		if lines := strings.Count(out.out.String(), "\n"); lines < n {
			t.Fatalf("%v printed %d lines, want one per trial", args, lines)
		}
		if out.n > 100 {
			t.Errorf("%v: %d writes to stdout for %d trials, want at most 100", args, out.n, n)
		}
	}
}
