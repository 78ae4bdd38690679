package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/pg"
)

// Where the state is. Every command that reads or writes the state finds
// it the same way (locate): the backend block of the working directory's
// search files (frameworm { backend "pg" { ... } }, read alone with
// fwhcl.LoadBackend, so that commands which work without valid search
// files still find it) names a PostgreSQL workspace; without one, the
// state is the local file, -state or frameworm.fwstate. -state together
// with a backend block is an error, so that no command writes one state
// while the user means the other.
//
// The commands then use the state through store, which both backends
// implement, and name it in messages by its description: the file's path,
// or the workspace's pg.Backend.Describe(), which never holds the
// password.

// store is a state backend as the commands use it: *state.File, or the
// PostgreSQL backend (*pg.Backend).
type store interface {
	state.Backend
	state.Batcher
	state.Compacter
	state.Replacer
	state.Locker
	state.LockChecker
	state.LockInspector
	LoadWith(ctx context.Context, o state.LoadOptions) (*state.State, []state.Warning, error)
	CompactionDue() bool
	// Close releases what the backend holds open (the file kept open for
	// appends, the connections to the database).
	Close() error
}

var (
	_ store = (*state.File)(nil)
	_ store = (*pg.Backend)(nil)
)

// location is where a command's state is.
type location struct {
	// path is the local state file: -state, or the default path in the
	// working directory. With a backend block it is the default path,
	// which fwapply init -migrate-state reads and the safety check looks
	// at; go_build programs are built beside it.
	path string
	// pg is the backend block; nil means the local file.
	pg *definition.Backend
}

// errReported is the error of a command whose diagnostics were already
// rendered: fail then only returns the exit status.
var errReported = errors.New("reported")

// diagError is an error with its own diagnostic summary, for fail: the
// conflicting -state, an unmigrated local state, a database that cannot
// be opened.
type diagError struct {
	summary string
	detail  string // rendered as is
	err     error  // for errors.Is/As; may be nil
}

func (e *diagError) Error() string { return e.detail }
func (e *diagError) Unwrap() error { return e.err }

// backendBlock returns the backend block of the working directory's
// search files, read once per command.
func (m *Meta) backendBlock() (*definition.Backend, hcl.Diagnostics) {
	if !m.backend.loaded {
		m.backend.loaded = true
		m.backend.block, m.backend.files, m.backend.diags = fwhcl.LoadBackendFiles(m.WorkDir)
	}
	return m.backend.block, m.backend.diags
}

// backendCache holds what backendBlock read.
type backendCache struct {
	loaded bool
	block  *definition.Backend
	files  map[string]*hcl.File // the sources of diags, passwords masked
	diags  hcl.Diagnostics
}

// renderBlockDiags renders diagnostics about the backend block, with
// snippets of its source (whose passwords fwhcl masked).
func (m *Meta) renderBlockDiags(view *views.View, diags hcl.Diagnostics) {
	if view.Files == nil {
		view.Files = map[string]*hcl.File{}
	}
	for name, f := range m.backend.files {
		if _, ok := view.Files[name]; !ok {
			view.Files[name] = f
		}
	}
	view.Diagnostics(diags)
}

// locate finds the state of a command. It renders the backend block's
// errors (then returns errReported). pathIsSource says -state names a
// file the command reads beside the backend (init -migrate-state), so it
// does not conflict with a backend block.
func (m *Meta) locate(a arguments.State, view *views.View, pathIsSource bool) (*location, error) {
	loc := &location{path: m.abs(a.Path)}
	b, diags := m.backendBlock()
	if diags.HasErrors() {
		m.renderBlockDiags(view, onlyErrors(diags))
		return nil, errReported
	}
	if b == nil {
		return loc, nil
	}
	if a.PathSet && !pathIsSource {
		return nil, &diagError{summary: "Conflicting state locations", detail: fmt.Sprintf(
			"The backend block at %s configures the PostgreSQL workspace %q, and -state names the local file %s. "+
				"The backend block wins when -state is not given: remove -state to use PostgreSQL, "+
				"or remove the backend block (after fwapply state pull > FILE) to use the file.",
			m.blockPos(b), b.Workspace, a.Path)}
	}
	loc.pg = b
	if !a.PathSet {
		loc.path = m.abs(arguments.DefaultStatePath)
	}
	return loc, nil
}

// blockPos names where a backend block is declared: FILE:LINE.
func (m *Meta) blockPos(b *definition.Backend) string {
	name := b.DeclRange.Filename
	if name == "" {
		return "in the search files"
	}
	if filepath.IsAbs(name) {
		name = m.display(name)
	}
	return fmt.Sprintf("%s:%d", name, b.DeclRange.Start.Line)
}

// connStr resolves the connection string of a backend block: the
// block's, else $FW_PG_CONN_STR, else "" (the PG* environment variables,
// by pgx's rules).
func (m *Meta) connStr(b *definition.Backend) string {
	if b.ConnStr != "" {
		return b.ConnStr
	}
	return m.getenv("FW_PG_CONN_STR")
}

// getenv looks a variable up in Meta.Environ.
func (m *Meta) getenv(name string) string {
	for _, kv := range m.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

// openStore opens the backend of loc, without loading or locking it, and
// returns its description for messages. The caller closes it.
func (m *Meta) openStore(ctx context.Context, loc *location) (store, string, error) {
	if loc.pg == nil {
		return state.NewFile(loc.path), m.display(loc.path), nil
	}
	if loc.pg.Type != "pg" {
		return nil, "", &diagError{summary: "Cannot open the state", detail: fmt.Sprintf("The backend block at %s has type %q, which this fwapply does not know.", m.blockPos(loc.pg), loc.pg.Type)}
	}
	b, err := pg.Open(ctx, pg.Config{ConnStr: m.connStr(loc.pg), Schema: loc.pg.Schema, Workspace: loc.pg.Workspace, RetryTimeout: loc.pg.RetryTimeout})
	if err != nil {
		return nil, "", &diagError{summary: "Cannot open the state", err: err, detail: fmt.Sprintf(
			"The backend block at %s: %s.", m.blockPos(loc.pg), strings.TrimSuffix(m.redact(err.Error()), "."))}
	}
	return b, b.Describe(), nil
}

// writingOps are the operations that write the state: the safety check
// refuses them on an empty workspace while the local file holds trials.
var writingOps = map[string]bool{"apply": true, "import": true, "state rm": true, "state taint": true, "state untaint": true}

// checkMigrated is the safety check of a command on an empty pg
// workspace: when the local state file at the default path holds trials,
// the user most likely forgot fwapply init -migrate-state. Writing
// commands refuse; reading ones warn.
func (m *Meta) checkMigrated(ctx context.Context, loc *location, op string, view *views.View) error {
	if _, err := os.Stat(loc.path); err != nil {
		return nil
	}
	n, err := countTrials(ctx, loc.path)
	shown := m.display(loc.path)
	if !filepath.IsAbs(shown) {
		shown = "." + string(filepath.Separator) + shown
	}
	holds := fmt.Sprintf("holds %s", countOf(n, "trial", "trials"))
	if err != nil {
		holds = fmt.Sprintf("holds a state that cannot be read (%s)", strings.TrimSuffix(err.Error(), "."))
	} else if n == 0 {
		return nil
	}
	detail := fmt.Sprintf("%s %s, but the backend pg workspace %q is empty. Run fwapply init -migrate-state to copy them, or move the file away to start afresh.",
		shown, holds, loc.pg.Workspace)
	if writingOps[op] {
		return &diagError{summary: "Local state not migrated", detail: detail}
	}
	warn(view, "Local state not migrated", detail)
	return nil
}

// countTrials counts the trials of a state file, keeping none of them.
func countTrials(ctx context.Context, path string) (int, error) {
	f := state.NewFile(path)
	defer f.Close()
	st, _, err := f.LoadWith(ctx, state.LoadOptions{Trial: func(t *state.Trial) *state.Trial {
		return &state.Trial{Search: t.Search, Number: t.Number}
	}})
	if err != nil {
		return 0, err
	}
	return st.Len(), nil
}

// onlyErrors returns the errors of diags: the backend block's warnings
// are rendered by the commands that load the search files, and by init.
func onlyErrors(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}
