package command

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/state"
)

const initHelp = `
Usage: fwapply [-chdir=DIR] init [flags]

  Sets up the state backend that the search files name, and says where the
  state is. Without a backend block the state is the local file (-state,
  default frameworm.fwstate), and init only reports on it.

  With a frameworm { backend "pg" { ... } } block, init connects to
  PostgreSQL, creates or upgrades its schema, and prints the workspace:
  its trials, serial and lineage, or that it is empty.

  With -migrate-state it copies the local state file (-state, default
  frameworm.fwstate) into the workspace whole (lineage, serial, every
  trial, the searches' settings), holding the locks of both. It refuses a
  workspace that is not empty unless -force-copy, and a file that is
  missing or holds no trial. After copying it reads the workspace back and
  checks that it equals the file, then renames the file to
  PATH.migrated-<UTC time>: the trial directories stay where they are.

  Exit status 0 on success, 1 on an error.
`

// migrateNow is the clock that names the migrated file; tests set it.
var migrateNow = time.Now

func runInit(m *Meta, args []string) int {
	a, diags := arguments.ParseInit(args)
	if diags.HasErrors() {
		return m.parseFailed("init", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	ctx := context.Background()
	loc, err := m.locate(a.State, view, true)
	if err != nil {
		return fail(view, "Cannot open the state", err)
	}
	// The block's warnings (a password in the file): the other commands
	// that show them load the search files; init reads only the block.
	_, bdiags := m.backendBlock()
	var blockWarnings hcl.Diagnostics
	for _, d := range bdiags {
		if d.Severity == hcl.DiagWarning {
			blockWarnings = append(blockWarnings, d)
		}
	}
	m.renderBlockDiags(view, blockWarnings)
	if loc.pg == nil {
		return m.initLocal(ctx, loc, a, view)
	}
	if a.MigrateState {
		return m.migrateState(ctx, loc, a, view)
	}
	b, desc, err := m.openStore(ctx, loc)
	if err != nil {
		return fail(view, "Cannot open the state", err)
	}
	defer b.Close()
	st, warnings, err := b.LoadWith(ctx, state.LoadOptions{})
	if err != nil {
		return fail(view, "Cannot read the state", fmt.Errorf("loading the state %s: %w", desc, err))
	}
	renderWarnings(view, warnings)
	view.Printf("Backend \"pg\" initialized: %s\n", desc)
	if st.Serial != 0 {
		view.Printf("The workspace holds %s (serial %d, lineage %s).\n", countOf(st.Len(), "trial", "trials"), st.Serial, st.Lineage)
		return 0
	}
	view.Printf("The workspace is empty.\n")
	if n, err := countTrials(ctx, loc.path); err == nil && n > 0 {
		view.Printf("The local state file %s holds %s: run fwapply init -migrate-state to copy them into the workspace.\n",
			m.display(loc.path), countOf(n, "trial", "trials"))
	}
	return 0
}

// initLocal is init without a backend block: it reports on the local
// state file.
func (m *Meta) initLocal(ctx context.Context, loc *location, a *arguments.Init, view *views.View) int {
	shown := m.display(loc.path)
	if a.MigrateState {
		return fail(view, "No backend block", fmt.Errorf("-migrate-state copies the local state file into the backend that a frameworm { backend \"pg\" { ... } } block of the search files names, and the search files of this directory have none; the state is the local file %s", shown))
	}
	if _, err := os.Stat(loc.path); errors.Is(err, fs.ErrNotExist) {
		view.Printf("The state is the local file %s, which does not exist yet: the first apply creates it.\n", shown)
		return 0
	}
	f := state.NewFile(loc.path)
	defer f.Close()
	st, warnings, err := f.Load(ctx)
	if err != nil {
		return fail(view, "Cannot read the state", fmt.Errorf("loading the state %s: %w", shown, err))
	}
	renderWarnings(view, warnings)
	view.Printf("The state is the local file %s: %s (serial %d, lineage %s).\n", shown, countOf(st.Len(), "trial", "trials"), st.Serial, st.Lineage)
	return 0
}

// migrateState is init -migrate-state: it copies the local state file
// into the pg workspace, checks the copy, and renames the file.
func (m *Meta) migrateState(ctx context.Context, loc *location, a *arguments.Init, view *views.View) int {
	shown := m.display(loc.path)
	if _, err := os.Stat(loc.path); errors.Is(err, fs.ErrNotExist) {
		return fail(view, "Nothing to migrate", fmt.Errorf("%s does not exist: there is nothing to migrate; give -state=PATH to migrate another state file", shown))
	}
	src := state.NewFile(loc.path)
	defer src.Close()
	unlockSrc, err := lockWithin(ctx, src, a.State, "init -migrate-state")
	if err != nil {
		return fail(view, "Cannot lock the state", fmt.Errorf("acquiring the lock of %s: %w", shown, err))
	}
	defer unlockSrc()
	from, warnings, err := src.Load(ctx)
	if err != nil {
		return fail(view, "Cannot read the state", fmt.Errorf("loading the state %s: %w", shown, err))
	}
	renderWarnings(view, warnings)
	if from.Len() == 0 {
		return fail(view, "Nothing to migrate", fmt.Errorf("%s holds no trial: there is nothing to migrate", shown))
	}
	dst, desc, err := m.openStore(ctx, loc)
	if err != nil {
		return fail(view, "Cannot open the state", err)
	}
	defer dst.Close()
	unlockDst, err := lockWithin(ctx, dst, a.State, "init -migrate-state")
	if err != nil {
		return fail(view, "Cannot lock the state", fmt.Errorf("acquiring the lock of %s: %w", desc, err))
	}
	defer unlockDst()
	to, warnings, err := dst.LoadWith(ctx, state.LoadOptions{})
	if err != nil {
		return fail(view, "Cannot read the state", fmt.Errorf("loading the state %s: %w", desc, err))
	}
	renderWarnings(view, warnings)
	want, err := snapshotDigest(from)
	if err != nil {
		return fail(view, "Cannot read the state", fmt.Errorf("encoding the state %s: %w", shown, err))
	}
	copied := false
	switch have, err := snapshotDigest(to); {
	case err != nil:
		return fail(view, "Cannot read the state", fmt.Errorf("encoding the state %s: %w", desc, err))
	case to.Serial != 0 && have == want:
		// A migration that stopped before renaming the file: the copy
		// is there already.
		view.Printf("%s already holds the state of %s (%s, serial %d, lineage %s).\n", desc, shown, countOf(from.Len(), "trial", "trials"), from.Serial, from.Lineage)
	case to.Serial != 0 && !a.ForceCopy:
		return fail(view, "Workspace not empty", fmt.Errorf("%s holds %s (serial %d, lineage %s), and -migrate-state does not overwrite a workspace that is not empty. "+
			"Give -force-copy to replace them with the %s of %s, or name another workspace in the backend block",
			desc, countOf(to.Len(), "trial", "trials"), to.Serial, to.Lineage, countOf(from.Len(), "trial", "trials"), shown))
	default:
		if err := dst.Replace(ctx, from); err != nil {
			return fail(view, "Cannot write the state", fmt.Errorf("copying %s to %s: %w; the local file is left as it is", shown, desc, err))
		}
		copied = true
	}
	if copied {
		back, _, err := dst.LoadWith(ctx, state.LoadOptions{})
		if err != nil {
			return fail(view, "Cannot check the copy", fmt.Errorf("reading back %s: %w; the local file %s is left as it is", desc, err, shown))
		}
		got, err := snapshotDigest(back)
		if err != nil || got != want {
			return fail(view, "Cannot check the copy", fmt.Errorf("%s does not read back equal to %s (lineage %s serial %d, want lineage %s serial %d, %d and %d trials); the local file is left as it is, run fwapply init -migrate-state -force-copy to copy it again",
				desc, shown, back.Lineage, back.Serial, from.Lineage, from.Serial, back.Len(), from.Len()))
		}
		view.Printf("Copied %s (serial %d, lineage %s) from %s to %s.\n", countOf(from.Len(), "trial", "trials"), from.Serial, from.Lineage, shown, desc)
	}
	moved := loc.path + ".migrated-" + migrateNow().UTC().Format("20060102T150405Z")
	if err := os.Rename(loc.path, moved); err != nil {
		return fail(view, "Cannot rename the local state", fmt.Errorf("%w; the workspace holds the copy: move %s away by hand, or the commands warn that it was not migrated", err, shown))
	}
	view.Printf("Renamed %s to %s, so that no command reads it by mistake; the trial directories stay where they are.\n", shown, m.display(moved))
	return 0
}

// lockWithin takes the lock of b, waiting up to -lock-timeout.
func lockWithin(ctx context.Context, b state.Locker, a arguments.State, op string) (func() error, error) {
	lctx, cancel := context.WithTimeout(ctx, a.LockTimeout)
	defer cancel()
	return b.Lock(lctx, state.LockInfo{Operation: op})
}

// renderWarnings renders a backend's load warnings.
func renderWarnings(view *views.View, warnings []state.Warning) {
	for _, w := range warnings {
		warn(view, w.Summary, w.Detail)
	}
}

// snapshotDigest is the SHA-256 of s written as a state file
// (state.WriteSnapshot): two states with equal digests have the same
// lineage, serial, trials, next numbers and settings.
func snapshotDigest(s *state.State) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	h := sha256.New()
	w := bufio.NewWriterSize(h, 1<<16)
	if err := state.WriteSnapshot(w, s); err != nil {
		return sum, err
	}
	if err := w.Flush(); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
