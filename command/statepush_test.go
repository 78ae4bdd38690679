package command

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/statetest"
)

// snapshot returns the state file bytes of the state at path.
func snapshot(t testing.TB, path string) []byte {
	t.Helper()
	b, err := state.SnapshotBytes(loadState(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStatePullPushFile: state pull prints the state as a state file, and
// state push stores one back, refusing a state of another lineage and one
// with changes the file lacks unless -force, which then bumps the serial.
// The file backend is the target here; pg_test.go runs the same on
// PostgreSQL.
func TestStatePullPushFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.fwstate")
	srcState := writeState(t, src, statetest.Trial("s", 0), statetest.Trial("s", 1), statetest.Trial("t", 0))

	r := run(t, dir, "", "state", "pull", "-state=a.fwstate")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("pull: %+v", r)
	}
	if want := snapshot(t, src); r.stdout != string(want) {
		t.Fatalf("pull printed\n%s\nwant\n%s", r.stdout, want)
	}
	pulled := write(t, dir, "pulled.fwstate", r.stdout)
	// What pull prints is a state file that -state reads.
	if r := run(t, dir, "", "state", "list", "-state=pulled.fwstate"); r.code != 0 || strings.Count(r.stdout, "search.") != 3 {
		t.Fatalf("list of the pulled file: %+v", r)
	}

	// Into a new state: pushed whole.
	r = run(t, dir, "", "state", "push", "-state=b.fwstate", "pulled.fwstate")
	if want := fmt.Sprintf("Pushed 3 trials (serial %d, lineage %s) to b.fwstate.", srcState.Serial, srcState.Lineage); r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("push: %+v", r)
	}
	dst := filepath.Join(dir, "b.fwstate")
	if !bytes.Equal(snapshot(t, dst), snapshot(t, pulled)) {
		t.Fatal("the pushed state differs from the file")
	}
	// Again: nothing to do.
	r = run(t, dir, "", "state", "push", "-state=b.fwstate", "pulled.fwstate")
	if r.code != 0 || !strings.Contains(r.stdout, "Nothing to push") {
		t.Fatalf("push again: %+v", r)
	}

	// The target moves on: the file lacks its change.
	if r := run(t, dir, "", "state", "taint", "-state=b.fwstate", "search.s[0]"); r.code != 0 {
		t.Fatalf("taint: %+v", r)
	}
	moved := loadState(t, dst)
	r = run(t, dir, "", "state", "push", "-state=b.fwstate", "pulled.fwstate")
	if msg := strings.Join(strings.Fields(r.stderr), " "); r.code != 1 || !strings.Contains(msg, "the target has changes the file lacks") ||
		!strings.Contains(msg, "-force") {
		t.Fatalf("push over a newer state: %+v", r)
	}
	if !bytes.Equal(snapshot(t, dst), mustSnapshot(t, moved)) {
		t.Fatal("a refused push changed the state")
	}
	r = run(t, dir, "", "state", "push", "-force", "-state=b.fwstate", "pulled.fwstate")
	if r.code != 0 {
		t.Fatalf("push -force: %+v", r)
	}
	got := loadState(t, dst)
	if got.Serial != moved.Serial+1 || got.Trial("s", 0).Tainted {
		t.Fatalf("push -force: serial %d (want %d), tainted %v", got.Serial, moved.Serial+1, got.Trial("s", 0).Tainted)
	}

	// A state of another lineage, from stdin.
	other := filepath.Join(dir, "other.fwstate")
	writeState(t, other, statetest.Trial("u", 0))
	otherBytes := string(snapshot(t, other))
	r = run(t, dir, otherBytes, "state", "push", "-state=b.fwstate", "-")
	if msg := strings.Join(strings.Fields(r.stderr), " "); r.code != 1 || !strings.Contains(msg, "Another state") || !strings.Contains(msg, "standard input is of lineage") {
		t.Fatalf("push of another lineage: %+v", r)
	}
	r = run(t, dir, otherBytes, "state", "push", "-state=b.fwstate", "-force", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Pushed 1 trial (serial ") {
		t.Fatalf("push -force of another lineage: %+v", r)
	}
	if got := loadState(t, dst); got.Lineage != loadState(t, other).Lineage || got.Len() != 1 || got.Serial != moved.Serial+2 {
		t.Fatalf("after push -force: lineage %s serial %d, %d trials", got.Lineage, got.Serial, got.Len())
	}

	// Not a state file.
	write(t, dir, "junk", "{\"not\": \"a state\"}\n")
	if r := run(t, dir, "", "state", "push", "-state=b.fwstate", "junk"); r.code != 1 || !strings.Contains(r.stderr, "Cannot read the state file") {
		t.Fatalf("push of junk: %+v", r)
	}
	if r := run(t, dir, "", "state", "push", "-state=b.fwstate", "missing"); r.code != 1 || !strings.Contains(r.stderr, "Cannot read the state file") {
		t.Fatalf("push of a missing file: %+v", r)
	}
}

func mustSnapshot(t testing.TB, s *state.State) []byte {
	t.Helper()
	b, err := state.SnapshotBytes(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStatePullLock: pull reads without the lock, so it works while an
// apply holds it; with -lock it waits for it like the other commands.
func TestStatePullLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "frameworm.fwstate")
	writeState(t, path, statetest.Trial("s", 0))
	f := state.NewFile(path)
	unlock, err := f.Lock(context.Background(), state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if r := run(t, dir, "", "state", "pull"); r.code != 0 || !strings.Contains(r.stdout, `"search":"s"`) {
		t.Fatalf("pull while locked: %+v", r)
	}
	if r := run(t, dir, "", "state", "pull", "-lock"); r.code != 1 || !strings.Contains(r.stderr, "for apply") {
		t.Fatalf("pull -lock while locked: %+v", r)
	}
}

// TestInitLocal: without a backend block, init reports on the local state
// file, and -migrate-state has nothing to copy into.
func TestInitLocal(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.fw.hcl", valid)
	r := run(t, dir, "", "init")
	if r.code != 0 || !strings.Contains(r.stdout, "The state is the local file frameworm.fwstate, which does not exist yet") {
		t.Fatalf("init without a state: %+v", r)
	}
	st := writeState(t, filepath.Join(dir, "frameworm.fwstate"), statetest.Trial("s", 0), statetest.Trial("s", 1))
	r = run(t, dir, "", "init")
	if want := fmt.Sprintf("The state is the local file frameworm.fwstate: 2 trials (serial %d, lineage %s).", st.Serial, st.Lineage); r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("init: %+v\nwant %q", r, want)
	}
	r = run(t, dir, "", "init", "-migrate-state")
	if r.code != 1 || !strings.Contains(r.stderr, "No backend block") {
		t.Fatalf("init -migrate-state without a block: %+v", r)
	}
}
