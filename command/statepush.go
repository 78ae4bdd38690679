package command

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/state"
)

const statePullHelp = `
Usage: fwapply [-chdir=DIR] state pull [flags]

  Prints the whole state, from the local file or the backend the search
  files name, in the state file format: fwapply state pull > FILE writes
  a state file that -state=FILE reads, and that fwapply state push FILE
  stores back. It reads without the lock unless -lock.
`

const statePushHelp = `
Usage: fwapply [-chdir=DIR] state push [flags] FILE

  Replaces the state (the local file, or the backend the search files
  name) with the state file FILE, as fwapply state pull writes it; FILE -
  reads standard input. It holds the state lock while it checks and
  writes.

  It refuses, unless -force, a state that is not empty and is of another
  lineage (another state altogether), and one whose serial is not lower
  than the file's while its content differs (it has changes the file
  lacks). When the state already equals the file there is nothing to
  push. With -force over a state whose serial is not lower, the serial
  stored is the state's plus one, so that plan files saved against the
  old state no longer apply.
`

func init() {
	subcommandHelp["state pull"] = statePullHelp
	subcommandHelp["state push"] = statePushHelp
}

// statePull runs fwapply state pull.
func (m *Meta) statePull(a *arguments.StateCmd, view *views.View) int {
	ctx := context.Background()
	o, err := m.openState(ctx, a.State, "state pull", true, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	w := bufio.NewWriterSize(m.Stdout, 1<<16)
	if err := state.WriteSnapshot(w, o.st); err != nil {
		return fail(view, "Cannot write output", err)
	}
	if err := w.Flush(); err != nil {
		return fail(view, "Cannot write output", err)
	}
	return 0
}

// statePush runs fwapply state push.
func (m *Meta) statePush(a *arguments.StateCmd, view *views.View) int {
	ctx := context.Background()
	loc, err := m.locate(a.State, view, false)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	from, name, err := m.readStateFile(ctx, a.File, view)
	if err != nil {
		return fail(view, "Cannot read the state file", err)
	}
	o, err := m.openAt(ctx, loc, a.State, "state push", true, view, state.LoadOptions{})
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	to := o.st
	want, err := snapshotDigest(from)
	if err != nil {
		return fail(view, "Cannot read the state file", err)
	}
	have, err := snapshotDigest(to)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	if want == have {
		view.Printf("Nothing to push: %s already holds the state of %s (%s, serial %d, lineage %s).\n",
			o.desc, name, countOf(from.Len(), "trial", "trials"), from.Serial, from.Lineage)
		return 0
	}
	target := fmt.Sprintf("%s holds %s (serial %d, lineage %s)", o.desc, countOf(to.Len(), "trial", "trials"), to.Serial, to.Lineage)
	if to.Serial != 0 && !a.Force {
		if to.Lineage != from.Lineage {
			return fail(view, "Another state", fmt.Errorf("%s, and %s is of lineage %s: it is another state, not a copy of this one. "+
				"Give -force to overwrite the state with it", target, name, from.Lineage))
		}
		if to.Serial >= from.Serial {
			return fail(view, "The state has changes the file lacks", fmt.Errorf("%s, and %s has serial %d: the target has changes the file lacks. "+
				"Pull it first (fwapply state pull), or give -force to overwrite it", target, name, from.Serial))
		}
	}
	if to.Serial != 0 && to.Serial >= from.Serial {
		// Plan files saved against the old state bind to its serial:
		// make sure they no longer do.
		from.Serial = to.Serial + 1
	}
	if err := o.backend.Replace(ctx, from); err != nil {
		return fail(view, "Cannot write the state", fmt.Errorf("pushing %s to %s: %w; the state is as it was", name, o.desc, err))
	}
	view.Printf("Pushed %s (serial %d, lineage %s) to %s.\n", countOf(from.Len(), "trial", "trials"), from.Serial, from.Lineage, o.desc)
	return 0
}

// readStateFile reads a state file given to state push ("-" is stdin),
// rendering its load warnings, and returns it with its name for messages.
func (m *Meta) readStateFile(ctx context.Context, file string, view *views.View) (*state.State, string, error) {
	var r io.Reader
	name := file
	if file == "-" {
		if m.Stdin == nil {
			return nil, "", fmt.Errorf("no standard input to read the state from")
		}
		r, name = m.Stdin, "standard input"
	} else {
		f, err := os.Open(m.abs(file))
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		r = f
	}
	st, warnings, err := state.ReadJournal(ctx, bufio.NewReaderSize(r, 1<<16), name, state.LoadOptions{})
	if err != nil {
		return nil, "", err
	}
	renderWarnings(view, warnings)
	return st, name, nil
}
