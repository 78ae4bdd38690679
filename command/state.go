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
	path    string
	backend *state.File
	st      *state.State
	unlock  func() error
}

// Close releases the lock.
func (o *openedState) Close() error {
	if o.unlock == nil {
		return nil
	}
	err := o.unlock()
	o.unlock = nil
	if err != nil {
		return fmt.Errorf("releasing the state lock: %w", err)
	}
	return nil
}

// openState opens, locks (when lock is set and a.Lock) and loads the state
// file. Load warnings are rendered on view.
func (m *Meta) openState(ctx context.Context, a arguments.State, op string, lock bool, view *views.View) (*openedState, error) {
	return m.openStateWith(ctx, a, op, lock, view, state.LoadOptions{})
}

// openStateWith is openState, loading with the given options.
func (m *Meta) openStateWith(ctx context.Context, a arguments.State, op string, lock bool, view *views.View, opts state.LoadOptions) (*openedState, error) {
	path := m.abs(a.Path)
	o := &openedState{path: path, backend: state.NewFile(path)}
	if lock && a.Lock {
		lctx, cancel := context.WithTimeout(ctx, a.LockTimeout)
		defer cancel()
		unlock, err := o.backend.Lock(lctx, state.LockInfo{Operation: op})
		if err != nil {
			return nil, fmt.Errorf("acquiring the state lock: %w", err)
		}
		o.unlock = unlock
	}
	st, warnings, err := o.backend.LoadWith(ctx, opts)
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("loading the state %s: %w", m.display(path), err)
	}
	for _, w := range warnings {
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: w.Summary, Detail: w.Detail}})
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

// fail renders an error and returns exit status 1.
func fail(view *views.View, summary string, err error) int {
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
