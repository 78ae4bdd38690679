package command

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/state"
)

// openedState is a loaded state, locked unless the command asked not to.
type openedState struct {
	// path is the local state file (see location.path); go_build
	// programs are built beside it.
	path string
	// desc names the state in messages: the file's path relative to the
	// working directory, or the pg workspace's description.
	desc    string
	pg      *definition.Backend // nil for the local file
	backend store
	st      *state.State
	unlock  func() error
}

// Close releases the lock and closes the backend.
func (o *openedState) Close() error {
	var err error
	if o.unlock != nil {
		err = o.unlock()
		o.unlock = nil
		if err != nil {
			err = fmt.Errorf("releasing the state lock: %w", err)
		}
	}
	if o.backend != nil {
		o.backend.Close()
	}
	return err
}

// openState opens, locks (when lock is set and a.Lock) and loads the state
// file. Load warnings are rendered on view.
func (m *Meta) openState(ctx context.Context, a arguments.State, op string, lock bool, view *views.View) (*openedState, error) {
	return m.openStateWith(ctx, a, op, lock, view, state.LoadOptions{})
}

// openStateWith is openState, loading with the given options.
func (m *Meta) openStateWith(ctx context.Context, a arguments.State, op string, lock bool, view *views.View, opts state.LoadOptions) (*openedState, error) {
	loc, err := m.locate(a, view, false)
	if err != nil {
		return nil, err
	}
	return m.openAt(ctx, loc, a, op, lock, view, opts)
}

// openAt opens, locks (when lock is set and a.Lock) and loads the state at
// loc. On an empty pg workspace it runs the safety check (checkMigrated).
func (m *Meta) openAt(ctx context.Context, loc *location, a arguments.State, op string, lock bool, view *views.View, opts state.LoadOptions) (*openedState, error) {
	b, desc, err := m.openStore(ctx, loc)
	if err != nil {
		return nil, err
	}
	o := &openedState{path: loc.path, desc: desc, pg: loc.pg, backend: b}
	if lock && a.Lock {
		lctx, cancel := context.WithTimeout(ctx, a.LockTimeout)
		defer cancel()
		unlock, err := o.backend.Lock(lctx, state.LockInfo{Operation: op})
		if err != nil {
			o.Close()
			return nil, fmt.Errorf("acquiring the state lock: %w", err)
		}
		o.unlock = unlock
	}
	st, warnings, err := o.backend.LoadWith(ctx, opts)
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("loading the state %s: %w", desc, err)
	}
	for _, w := range warnings {
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: w.Summary, Detail: w.Detail}})
	}
	if loc.pg != nil && st.Serial == 0 && op != "state push" {
		if err := m.checkMigrated(ctx, loc, op, view); err != nil {
			o.Close()
			return nil, err
		}
	}
	o.st = st
	return o, nil
}

// stateExists reports whether there is a state file to read.
func (m *Meta) stateExists(a arguments.State) bool {
	_, err := os.Stat(m.abs(a.Path))
	return err == nil
}

// loadDefinition loads the search files and renders the diagnostics; it
// returns nil when there were errors.
func (m *Meta) loadDefinition(vars arguments.Vars, view *views.View) *fwhcl.Result {
	res, diags := m.load(vars)
	view.Files = res.Files
	view.Diagnostics(diags)
	if diags.HasErrors() {
		return nil
	}
	return res
}

// warn renders a warning.
func warn(view *views.View, summary, detail string) {
	view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: summary, Detail: detail}})
}

// fail renders an error and returns exit status 1. An error that carries
// its own summary (a *diagError) is rendered with it; one already
// reported (errReported) is not rendered again.
func fail(view *views.View, summary string, err error) int {
	if errors.Is(err, errReported) {
		return 1
	}
	var de *diagError
	if errors.As(err, &de) {
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: de.summary, Detail: de.detail}})
		return 1
	}
	view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: errorDetail(err)}})
	return 1
}

func errorDetail(err error) string {
	var le *state.LockError
	if errors.As(err, &le) {
		return le.Error() + "."
	}
	return err.Error() + "."
}

// loadOptional loads the search files for a command that works without
// them (state list and show, experiments list, import), where the
// definition only orders metrics or supplies tags. When the files do not
// load, it warns with the first error and what the command does without
// them (lost, like "metrics are listed by name"), and returns nil; without
// search files it returns nil quietly.
func (m *Meta) loadOptional(vars arguments.Vars, view *views.View, lost string) *definition.Definition {
	if names, err := fwhcl.ListDir(m.WorkDir); err != nil || len(names) == 0 {
		return nil
	}
	res, diags := m.load(vars)
	if !diags.HasErrors() {
		return res.Definition
	}
	first := diags.Errs()[0]
	detail := first.Error()
	if d, ok := first.(*hcl.Diagnostic); ok {
		detail = d.Summary + ": " + d.Detail
	}
	view.Diagnostics(hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Search files not loaded",
		Detail:   fmt.Sprintf("%s Without them, %s; fwapply validate shows every problem.", detail, lost),
	}})
	return nil
}
