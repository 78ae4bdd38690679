package state_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/statetest"
)

// TestCompactionDue: a large state is compacted again only once a quarter
// of its file was appended since the last compaction; a small one always.
func TestCompactionDue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fw.state")
	f := state.NewFile(path)
	defer f.Close()
	state.SetNoSync(f, true)
	if !f.CompactionDue() {
		t.Fatal("a state not loaded: not due, want due")
	}
	s, _, err := f.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put := func(i int) {
		t.Helper()
		c := state.Change{Put: statetest.Trial("s", i)}
		if err := f.Append(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	put(0)
	if !f.CompactionDue() {
		t.Fatal("a small journal: not due, want due")
	}
	for i := 1; i < 3000; i++ {
		put(i)
	}
	if err := f.Compact(ctx, s); err != nil {
		t.Fatal(err)
	}
	if f.CompactionDue() {
		t.Fatal("just compacted: due, want not due")
	}
	for i := 3000; i < 3010; i++ {
		put(i)
	}
	reloaded := state.NewFile(path)
	if _, _, err := reloaded.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*state.File{"appended": f, "reloaded": reloaded} {
		if f.CompactionDue() {
			t.Errorf("%s: 10 records after a snapshot of 3000: due, want not due", name)
		}
	}
	for i := 3010; i < 4000; i++ {
		put(i)
	}
	reloaded = state.NewFile(path)
	if _, _, err := reloaded.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*state.File{"appended": f, "reloaded": reloaded} {
		if !f.CompactionDue() {
			t.Errorf("%s: 1000 records after a snapshot of 3000: not due, want due", name)
		}
	}
}
