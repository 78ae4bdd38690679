package state_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/statetest"
)

func newFile(t *testing.T) *state.File {
	f := state.NewFile(filepath.Join(t.TempDir(), "fw.state"))
	t.Cleanup(func() { f.Close() })
	return f
}

func TestFileConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Backend { return newFile(t) })
}

// TestFileReopen checks that what one File wrote, another reads, and that
// a File that was never loaded appends after what is there.
func TestFileReopen(t *testing.T) {
	ctx := context.Background()
	a := newFile(t)
	s, _, err := a.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []state.Change{{Put: statetest.Trial("x", 0)}, {Put: statetest.Trial("x", 1)}} {
		if err := a.Append(ctx, c); err != nil {
			t.Fatal(err)
		}
		s.Apply(c)
	}
	b := state.NewFile(a.Path())
	defer b.Close()
	c := state.Change{Remove: &state.TrialRef{Search: "x", Number: 0}}
	if err := b.Append(ctx, c); err != nil {
		t.Fatalf("Append on a File that was not loaded: %v", err)
	}
	s.Apply(c)
	got, warns, err := state.NewFile(a.Path()).Load(ctx)
	if err != nil || len(warns) > 0 {
		t.Fatalf("Load: %v, warnings %v", err, warns)
	}
	if d := statetest.Diff(s, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
