package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/connstr"
	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/pg"
	"github.com/frameworm/frameworm/state/statetest"
)

// The commands on the pg backend, in process, against a real PostgreSQL
// server (internal/pgtest): each test gets its own schema, and logs in as
// a role of its own whose password is distinctive, so that the tests can
// check that it never appears in any output.

// pgEnv is a working directory whose search files keep the state in a pg
// workspace, with the environment its commands run with.
type pgEnv struct {
	t         *testing.T
	dir       string
	dsn       string // the role's, with its password
	password  string
	schema    string
	workspace string
	environ   []string
}

// pgSearch is the search of the pg tests: its trials succeed at once.
const pgSearch = `search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 3
  base_config = { lr = 0.1 }
  param "lr" {
    type = real
    low  = 0.001
    high = 1
    log  = true
  }
  trial {
    command = ["sh", "-c", "printf '{\"loss\": 0.5}' > \"$FW_METRICS\""]
  }
}
`

// newPGEnv makes a pgEnv for workspace, in a fresh schema; the
// connection string comes from FW_PG_CONN_STR, as it should for a
// password.
func newPGEnv(t *testing.T, workspace string) *pgEnv {
	t.Helper()
	super := pgtest.DSN(t)
	dsn := pgtest.Role(t, super, true)
	e := &pgEnv{t: t, dir: t.TempDir(), dsn: dsn, password: pgtest.Password(dsn), schema: pgtest.Schema(t, super), workspace: workspace}
	e.environ = []string{"NO_COLOR=1", "FW_PG_CONN_STR=" + dsn}
	e.writeBlock(e.dir, workspace)
	return e
}

// writeBlock writes the search file with the backend block into dir.
func (e *pgEnv) writeBlock(dir, workspace string) {
	write(e.t, dir, "main.fw.hcl", fmt.Sprintf("frameworm {\n  backend \"pg\" {\n    schema_name = %q\n    workspace   = %q\n  }\n}\n\n%s", e.schema, workspace, pgSearch))
}

// sibling returns another directory on the same schema, for workspace.
func (e *pgEnv) sibling(workspace string) string {
	dir := e.t.TempDir()
	e.writeBlock(dir, workspace)
	return dir
}

// run runs fwapply in dir and checks that the password appears nowhere.
func (e *pgEnv) run(dir, stdin string, args ...string) result {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, Meta{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, WorkDir: dir, Environ: e.environ})
	r := result{code, out.String(), errb.String()}
	if e.password != "" && strings.Contains(r.stdout+r.stderr, e.password) {
		e.t.Fatalf("fwapply %v printed the password:\n%s%s", args, r.stdout, r.stderr)
	}
	return r
}

// backend opens the workspace directly.
func (e *pgEnv) backend(workspace string) *pg.Backend {
	e.t.Helper()
	b, err := pg.Open(context.Background(), pg.Config{ConnStr: e.dsn, Schema: e.schema, Workspace: workspace})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { b.Close() })
	return b
}

// load loads a workspace.
func (e *pgEnv) load(workspace string) *state.State {
	e.t.Helper()
	st, _, err := e.backend(workspace).Load(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// flat joins the words of a message, which diagnostics wrap.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestPGInitMigrate: init creates the schema and tells of the workspace;
// while the workspace is empty and the local file holds trials, writing
// commands refuse and reading ones warn; init -migrate-state copies the
// file whole, checks it, renames the file, and refuses a workspace that is
// not empty unless -force-copy.
func TestPGInitMigrate(t *testing.T) {
	e := newPGEnv(t, "digits")
	local := filepath.Join(e.dir, "frameworm.fwstate")
	// Nothing to migrate yet.
	r := e.run(e.dir, "", "init", "-migrate-state")
	if r.code != 1 || !strings.Contains(flat(r.stderr), "Nothing to migrate") {
		t.Fatalf("init -migrate-state without a file: %+v", r)
	}
	r = e.run(e.dir, "", "init")
	if r.code != 0 || !strings.Contains(r.stdout, `Backend "pg" initialized: PostgreSQL 127.0.0.1:`) ||
		!strings.Contains(r.stdout, fmt.Sprintf(`schema %q, workspace "digits"`, e.schema)) || !strings.Contains(r.stdout, "The workspace is empty.") {
		t.Fatalf("init: %+v", r)
	}
	// A state whose only trial was removed holds none.
	writeState(t, local, statetest.Trial("s", 0))
	if r := run(t, e.dir, "", "state", "rm", "-state="+local, "search.s[0]"); r.code != 1 || !strings.Contains(r.stderr, "Conflicting") {
		t.Fatalf("state rm -state with a block: %+v", r)
	}
	rmAll(t, local)
	if r := e.run(e.dir, "", "init", "-migrate-state"); r.code != 1 || !strings.Contains(flat(r.stderr), "holds no trial: there is nothing to migrate") {
		t.Fatalf("init -migrate-state of an empty file: %+v", r)
	}
	os.Remove(local)

	trials := []*state.Trial{statetest.Trial("s", 0), statetest.Trial("s", 1), statetest.Trial("t", 0)}
	st := writeState(t, local, trials...)
	want := mustSnapshot(t, st)

	// The safety check.
	notMigrated := "./frameworm.fwstate holds 3 trials, but the backend pg workspace \"digits\" is empty. Run fwapply init -migrate-state to copy them, or move the file away to start afresh."
	for _, args := range [][]string{{"apply", "-auto-approve"}, {"state", "taint", "search.s"}, {"import", "x.json"}} {
		if args[0] == "import" {
			write(t, e.dir, "x.json", string(exportOf(t, st.Lineage, map[string][]*state.Trial{"s": {statetest.Trial("s", 5)}})))
		}
		r := e.run(e.dir, "", args...)
		if r.code != 1 || !strings.Contains(flat(r.stderr), "Error: Local state not migrated "+notMigrated) {
			t.Errorf("%v on an empty workspace: %+v", args, r)
		}
	}
	for _, args := range [][]string{{"plan"}, {"show"}, {"state", "list"}} {
		r := e.run(e.dir, "", args...)
		if r.code != 0 || !strings.Contains(flat(r.stderr), "Warning: Local state not migrated "+notMigrated) {
			t.Errorf("%v on an empty workspace: %+v", args, r)
		}
	}
	if got := e.load("digits"); got.Serial != 0 {
		t.Fatalf("the refused commands wrote serial %d", got.Serial)
	}
	r = e.run(e.dir, "", "init")
	if r.code != 0 || !strings.Contains(r.stdout, "The local state file frameworm.fwstate holds 3 trials: run fwapply init -migrate-state") {
		t.Fatalf("init with a local state: %+v", r)
	}

	migrateNow = func() time.Time { return time.Date(2026, 11, 29, 8, 22, 21, 0, time.UTC) }
	defer func() { migrateNow = time.Now }()
	r = e.run(e.dir, "", "init", "-migrate-state")
	desc := e.backend("digits").Describe()
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("Copied 3 trials (serial %d, lineage %s) from frameworm.fwstate to %s.", st.Serial, st.Lineage, desc)) ||
		!strings.Contains(r.stdout, "Renamed frameworm.fwstate to frameworm.fwstate.migrated-20261129T082221Z") {
		t.Fatalf("init -migrate-state: %+v", r)
	}
	if _, err := os.Stat(local); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the local file is still there: %v", err)
	}
	if _, err := os.Stat(local + ".migrated-20261129T082221Z"); err != nil {
		t.Fatal(err)
	}
	if got := mustSnapshot(t, e.load("digits")); !bytes.Equal(got, want) {
		t.Fatalf("the workspace holds\n%s\nwant\n%s", got, want)
	}
	// The commands now read the workspace, without warnings.
	r = e.run(e.dir, "", "state", "list")
	if r.code != 0 || strings.Count(r.stdout, "search.") != 3 || r.stderr != "" {
		t.Fatalf("state list after the migration: %+v", r)
	}
	r = e.run(e.dir, "", "init")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("The workspace holds 3 trials (serial %d, lineage %s).", st.Serial, st.Lineage)) {
		t.Fatalf("init after the migration: %+v", r)
	}

	// Another local state: the workspace is not empty.
	other := writeState(t, filepath.Join(e.dir, "other.fwstate"), statetest.Trial("u", 0))
	r = e.run(e.dir, "", "init", "-migrate-state", "-state=other.fwstate")
	if msg := flat(r.stderr); r.code != 1 || !strings.Contains(msg, "Workspace not empty") || !strings.Contains(msg, "holds 3 trials") ||
		!strings.Contains(msg, "lineage "+st.Lineage) || !strings.Contains(msg, "-force-copy") {
		t.Fatalf("init -migrate-state into a workspace that is not empty: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "other.fwstate")); err != nil {
		t.Fatalf("a refused migration moved the file: %v", err)
	}
	r = e.run(e.dir, "", "init", "-migrate-state", "-force-copy", "-state=other.fwstate")
	if r.code != 0 || !strings.Contains(r.stdout, "Copied 1 trial (serial ") {
		t.Fatalf("init -migrate-state -force-copy: %+v", r)
	}
	if got := e.load("digits"); got.Lineage != other.Lineage || got.Len() != 1 || !bytes.Equal(mustSnapshot(t, got), mustSnapshot(t, other)) {
		t.Fatalf("after -force-copy: lineage %s, %d trials", got.Lineage, got.Len())
	}
}

// TestPGApplyShowWatch: apply, show and show -watch work on the
// workspace, and the state is there for another directory on the same
// workspace.
func TestPGApplyShowWatch(t *testing.T) {
	e := newPGEnv(t, "runs")
	r := e.run(e.dir, "", "apply", "-auto-approve")
	if r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	other := e.sibling("runs")
	r = e.run(other, "", "show")
	if r.code != 0 || !strings.Contains(r.stdout, "3 trials, 3 completed") {
		t.Fatalf("show in another directory: %+v", r)
	}
	r = e.run(other, "", "show", "-watch", "-watch-count=1")
	if r.code != 0 || !strings.Contains(r.stdout, "3/3") {
		t.Fatalf("show -watch: %+v", r)
	}
	r = e.run(other, "", "plan")
	if r.code != 0 || !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("plan: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "frameworm.fwstate")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("apply on pg wrote a local state file: %v", err)
	}
}

// TestPGWatchFollows: show -watch redraws on each change notification,
// long before -interval.
func TestPGWatchFollows(t *testing.T) {
	e := newPGEnv(t, "watched")
	b := e.backend("watched")
	st, _, err := b.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	var out syncBuffer
	go func() {
		var errb bytes.Buffer
		code := Run([]string{"show", "-watch", "-watch-count=3", "-interval=1h"}, Meta{Stdout: &out, Stderr: &errb, WorkDir: e.dir, Environ: e.environ})
		done <- result{code, out.String(), errb.String()}
	}()
	// Each change waits for the redraw before it: three draws, two
	// changes.
	for i := range 2 {
		waitFor(t, func() bool { return strings.Count(out.String(), "search.s") >= i+1 }, fmt.Sprintf("draw %d", i+1))
		c := state.Change{Put: statetest.Trial("s", i)}
		st.Apply(c)
		if err := b.Append(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case r := <-done:
		if r.code != 0 || strings.Count(r.stdout, "search.s") != 3 {
			t.Fatalf("show -watch: %+v", r)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("show -watch -interval=1h did not redraw on changes:\n%s", out.String())
	}
}

// TestPGPullPush: state pull of a workspace is its state file; push
// stores it into another workspace, with the lineage and serial checks.
func TestPGPullPush(t *testing.T) {
	e := newPGEnv(t, "a")
	st := writeState(t, filepath.Join(e.dir, "seed.fwstate"), statetest.Trial("s", 0), statetest.Trial("s", 1))
	if r := e.run(e.dir, "", "init", "-migrate-state", "-state=seed.fwstate"); r.code != 0 {
		t.Fatalf("seed: %+v", r)
	}
	r := e.run(e.dir, "", "state", "pull")
	if r.code != 0 || r.stdout != string(mustSnapshot(t, st)) {
		t.Fatalf("pull: %+v", r)
	}
	pulled := write(t, t.TempDir(), "a.fwstate", r.stdout)

	b := e.sibling("b")
	r = e.run(b, "", "state", "push", pulled)
	descB := e.backend("b").Describe()
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("Pushed 2 trials (serial %d, lineage %s) to %s.", st.Serial, st.Lineage, descB)) {
		t.Fatalf("push: %+v", r)
	}
	if r := e.run(b, "", "state", "push", pulled); r.code != 0 || !strings.Contains(r.stdout, "Nothing to push") {
		t.Fatalf("push again: %+v", r)
	}
	// b moves on: the file lacks its change.
	if r := e.run(b, "", "state", "taint", "search.s[1]"); r.code != 0 {
		t.Fatalf("taint: %+v", r)
	}
	moved := e.load("b")
	r = e.run(b, "", "state", "push", pulled)
	if r.code != 1 || !strings.Contains(flat(r.stderr), "the target has changes the file lacks") {
		t.Fatalf("push over changes: %+v", r)
	}
	r = e.run(b, "", "state", "push", "-force", pulled)
	if got := e.load("b"); r.code != 0 || got.Serial != moved.Serial+1 || got.Trial("s", 1).Tainted {
		t.Fatalf("push -force: %+v, serial %d (want %d)", r, got.Serial, moved.Serial+1)
	}
	// Another lineage, through stdin.
	foreign := string(mustSnapshot(t, writeState(t, filepath.Join(t.TempDir(), "f.fwstate"), statetest.Trial("u", 0))))
	r = e.run(b, foreign, "state", "push", "-")
	if r.code != 1 || !strings.Contains(flat(r.stderr), "Another state") {
		t.Fatalf("push of another lineage: %+v", r)
	}
	// Pull into a file that -state reads: a local copy.
	r = e.run(b, "", "state", "pull")
	plain := t.TempDir()
	write(t, plain, "copy.fwstate", r.stdout)
	if r := run(t, plain, "", "state", "list", "-state=copy.fwstate"); r.code != 0 || strings.Count(r.stdout, "search.") != 2 {
		t.Fatalf("list of the pulled copy: %+v", r)
	}
}

// TestPGForceUnlock: force-unlock looks at the workspace's lock: none, a
// holder on this host (refused), one on another host whose session is
// open (ended, with a note), one whose session is gone.
func TestPGForceUnlock(t *testing.T) {
	e := newPGEnv(t, "locked")
	ctx := context.Background()
	if r := e.run(e.dir, "", "force-unlock"); r.code != 0 || !strings.Contains(r.stdout, `workspace "locked" is not locked: there is no lock to remove.`) {
		t.Fatalf("no lock: %+v", r)
	}

	// A holder in this process: it runs on this host.
	here := e.backend("locked")
	unlock, err := here.Lock(ctx, state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	r := e.run(e.dir, "yes\n", "force-unlock", "-force")
	if r.code != 1 || !strings.Contains(flat(r.stderr), "The lock holder is still running") || !strings.Contains(flat(r.stderr), fmt.Sprintf("(pid %d) for apply", os.Getpid())) {
		t.Fatalf("holder on this host: %+v", r)
	}
	// Another command waits for it, then gives up naming it.
	r = e.run(e.dir, "", "apply", "-auto-approve", "-lock-timeout=300ms")
	if r.code != 1 || !strings.Contains(flat(r.stderr), fmt.Sprintf("(pid %d) for apply", os.Getpid())) {
		t.Fatalf("apply while locked: %+v", r)
	}
	unlock()

	// A holder on another host, its session open.
	far := e.backend("locked")
	if _, err := far.Lock(ctx, state.LockInfo{Who: "bob@far-away-host", PID: 777, Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	r = e.run(e.dir, "no\n", "force-unlock")
	if msg := flat(r.stdout); r.code != 1 || !strings.Contains(msg, "bob@far-away-host (pid 777) for apply") ||
		!strings.Contains(msg, "database session is still open") || !strings.Contains(msg, "ends that session") || !strings.Contains(msg, "force-unlock cancelled") {
		t.Fatalf("holder on another host, not confirmed: %+v", r)
	}
	r = e.run(e.dir, "yes\n", "force-unlock")
	if r.code != 0 || !strings.Contains(r.stdout, "The state lock was removed.") {
		t.Fatalf("holder on another host, confirmed: %+v", r)
	}
	var lost *state.LockLostError
	if err := far.CheckLock(ctx); !errors.As(err, &lost) {
		t.Fatalf("the holder's CheckLock after force-unlock: %v", err)
	}

	// A holder whose session ended: its row is left, its lock is not.
	gone := e.backend("locked")
	if _, err := gone.Lock(ctx, state.LockInfo{Who: "carol@elsewhere", PID: 4242, Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	gone.Close()
	if r := e.run(e.dir, "", "state", "list"); r.code != 0 {
		t.Fatalf("state list: %+v", r)
	}
	r = e.run(e.dir, "yes\n", "force-unlock")
	if r.code != 0 || !strings.Contains(r.stdout, "The holder no longer runs.") || !strings.Contains(r.stdout, "The state lock was removed.") {
		t.Fatalf("holder gone: %+v", r)
	}
}

// TestPGStateConflict: -state with a backend block is an error naming
// both, for every command that reads the state; init's -state names the
// file to migrate instead.
func TestPGStateConflict(t *testing.T) {
	e := newPGEnv(t, "w")
	for _, args := range [][]string{
		{"plan", "-state=x.fwstate"}, {"apply", "-auto-approve", "-state=x.fwstate"}, {"show", "-state=x.fwstate"},
		{"show", "-json", "-state=x.fwstate"}, {"show", "-watch", "-state=x.fwstate"},
		{"output", "-state=x.fwstate", "search.s.best_score"}, {"state", "list", "-state=x.fwstate"},
		{"state", "rm", "-state=x.fwstate", "search.s"}, {"state", "pull", "-state=x.fwstate"}, {"state", "push", "-state=x.fwstate", "f"},
		{"state", "repair", "-state=x.fwstate"}, {"force-unlock", "-state=x.fwstate"}, {"export", "-state=x.fwstate", "e.json"},
		{"import", "-state=x.fwstate", "e.json"}, {"experiments", "list", "-state=x.fwstate"}, {"analyze", "-state=x.fwstate"},
		{"state", "list", "-state=frameworm.fwstate"},
	} {
		r := e.run(e.dir, "", args...)
		want := `Error: Conflicting state locations The backend block at main.fw.hcl:2 configures the PostgreSQL workspace "w", and -state names the local file ` +
			strings.TrimPrefix(args[len(args)-1], "-state=")
		if args[0] == "state" && (args[1] == "rm" || args[1] == "push") || args[0] == "output" || args[0] == "export" || args[0] == "import" {
			want = `Error: Conflicting state locations The backend block at main.fw.hcl:2 configures the PostgreSQL workspace "w", and -state names the local file x.fwstate`
		}
		if msg := flat(r.stderr); r.code != 1 || !strings.Contains(msg, want) ||
			!strings.Contains(msg, "remove -state to use PostgreSQL, or remove the backend block (after fwapply state pull > FILE) to use the file.") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	if r := e.run(e.dir, "", "init", "-state=x.fwstate"); r.code != 0 {
		t.Errorf("init -state: %+v", r)
	}
}

// TestPGStateRepair: state repair is for local files.
func TestPGStateRepair(t *testing.T) {
	e := newPGEnv(t, "w")
	r := e.run(e.dir, "", "state", "repair")
	if r.code != 1 || !strings.Contains(flat(r.stderr), "state repair works on a local state file; the pg backend checks every record on write") {
		t.Fatalf("state repair: %+v", r)
	}
}

// TestPGOpenErrors: a server that cannot be reached, a wrong password, a
// missing database and a role without CREATE: one "Cannot open the state"
// error naming the host and database, never the password.
func TestPGOpenErrors(t *testing.T) {
	e := newPGEnv(t, "w")
	super := pgtest.DSN(t)
	noCreate := pgtest.Role(t, super, false)
	wrong := strings.Replace(e.dsn, e.password, e.password+"x", 1)
	missing := strings.Replace(e.dsn, "/"+dbName(t, e.dsn)+"?", "/fw_no_such_db?", 1)
	if !strings.Contains(e.dsn, "?") {
		missing = strings.TrimSuffix(e.dsn, "/"+dbName(t, e.dsn)) + "/fw_no_such_db"
	}
	refused := strings.Replace(e.dsn, hostPort(t, e.dsn), "127.0.0.1:1", 1)
	for _, tc := range []struct {
		name, dsn, password, want string
	}{
		{"wrong password", wrong, e.password + "x", "password"},
		{"missing database", missing, e.password, "fw_no_such_db"},
		{"refused", refused, e.password, "127.0.0.1:1"},
		{"no CREATE", noCreate, pgtest.Password(noCreate), "CREATE"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			env := []string{"NO_COLOR=1", "FW_PG_CONN_STR=" + tc.dsn}
			for _, args := range [][]string{{"init"}, {"state", "list"}, {"show"}, {"apply", "-auto-approve"}} {
				var out, errb bytes.Buffer
				code := Run(args, Meta{Stdout: &out, Stderr: &errb, WorkDir: e.dir, Environ: env})
				all := out.String() + errb.String()
				if code != 1 || !strings.Contains(flat(errb.String()), "Error: Cannot open the state") || !strings.Contains(all, tc.want) ||
					!strings.Contains(all, "127.0.0.1") {
					t.Errorf("%v: exit %d\n%s", args, code, all)
				}
				if strings.Contains(all, tc.password) {
					t.Errorf("%v printed the password:\n%s", args, all)
				}
			}
		})
	}
}

func dbName(t *testing.T, dsn string) string {
	t.Helper()
	rest := dsn[strings.LastIndexByte(dsn, '/')+1:]
	name, _, _ := strings.Cut(rest, "?")
	return name
}

func hostPort(t *testing.T, dsn string) string {
	t.Helper()
	rest := dsn[strings.LastIndexByte(dsn, '@')+1:]
	hp, _, _ := strings.Cut(rest, "/")
	return hp
}

// TestPGPasswordInBlock: a password written in the backend block never
// shows, not even in the snippets of diagnostics about the block.
func TestPGPasswordInBlock(t *testing.T) {
	e := newPGEnv(t, "w")
	src := fmt.Sprintf("frameworm {\n  backend \"pg\" {\n    conn_str    = %q\n    schema_name = %q\n    workspace   = \"w\"\n  }\n}\n\n%s", e.dsn, e.schema, pgSearch)
	write(t, e.dir, "main.fw.hcl", src)
	e.environ = []string{"NO_COLOR=1"}
	for _, args := range [][]string{{"validate"}, {"init"}, {"plan"}, {"apply", "-auto-approve"}, {"show"}, {"state", "list"}, {"state", "pull"}, {"plan", "-state=x"}} {
		r := e.run(e.dir, "", args...) // fails on the password
		if args[len(args)-1] != "-state=x" && r.code != 0 {
			t.Errorf("%v: %+v", args, r)
		}
	}
	// A broken block: its diagnostics show the source around conn_str.
	write(t, e.dir, "main.fw.hcl", strings.Replace(src, `workspace   = "w"`, `workspace   = "w"
    bogus       = 1`, 1))
	for _, args := range [][]string{{"validate"}, {"init"}, {"state", "list"}, {"force-unlock"}} {
		r := e.run(e.dir, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "bogus       = 1") || strings.Contains(r.stderr, "source code not available") {
			t.Errorf("%v with a broken block: want its snippet: %+v", args, r)
		}
	}
}

// TestRedactWriter: the last guard replaces a password split nowhere.
func TestRedactWriter(t *testing.T) {
	var b bytes.Buffer
	w := &redactWriter{w: &b, secrets: [][]byte{[]byte("hunter22")}}
	n, err := w.Write([]byte("conn postgres://u:hunter22@h/db and hunter22 again\n"))
	if err != nil || n != len("conn postgres://u:hunter22@h/db and hunter22 again\n") || b.String() != "conn postgres://u:***@h/db and *** again\n" {
		t.Fatalf("wrote %q (%d, %v)", b.String(), n, err)
	}
	for _, tc := range []struct {
		conn string
		want []string
	}{
		{"postgres://u:p%40ss@h/db", []string{"p@ss"}},
		{"postgresql://u:secret@h:5/db?sslmode=disable", []string{"secret"}},
		{"postgres://u@h/db?password=qsecret", []string{"qsecret"}},
		{"host=h user=u password=kvsecret dbname=d", []string{"kvsecret"}},
		{"host=h password = 'quoted \\' secret' dbname=d", []string{"quoted ' secret"}},
		{"host=h dbname=d", nil},
	} {
		got := connstr.Secrets(tc.conn)
		for _, w := range tc.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("connstr.Secrets(%q) = %q, want %q among them", tc.conn, got, w)
			}
		}
		if tc.want == nil && len(got) > 0 {
			t.Errorf("connstr.Secrets(%q) = %q, want none", tc.conn, got)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rmAll removes every trial of the state file at path.
func rmAll(t *testing.T, path string) {
	t.Helper()
	f := state.NewFile(path)
	defer f.Close()
	st, _, err := f.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, search := range st.Searches() {
		for _, tr := range st.Trials(search) {
			if err := f.Append(context.Background(), state.Change{Remove: &state.TrialRef{Search: tr.Search, Number: tr.Number}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestPGWatchOutage: when the database goes away, show -watch warns and
// polls; when it is back, it watches again and redraws on changes.
func TestPGWatchOutage(t *testing.T) {
	srv := pgtest.Start(t)
	watchFallback = time.Hour // draws come from changes only
	defer func() { watchFallback = 30 * time.Second }()
	dir := t.TempDir()
	write(t, dir, "main.fw.hcl", "frameworm {\n  backend \"pg\" {\n    schema_name   = \"c1_watch\"\n    workspace     = \"w\"\n    retry_timeout = \"1s\"\n  }\n}\n\n"+pgSearch)
	environ := []string{"NO_COLOR=1", "FW_PG_CONN_STR=" + srv.DSN}
	appendTrial := func(n int) {
		t.Helper()
		b, err := pg.Open(context.Background(), pg.Config{ConnStr: srv.DSN, Schema: "c1_watch", Workspace: "w"})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if _, _, err := b.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := b.Append(context.Background(), state.Change{Put: statetest.Trial("s", n)}); err != nil {
			t.Fatal(err)
		}
	}
	appendTrial(0)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run([]string{"show", "-watch", "-watch-count=3", "-interval=200ms"}, Meta{Stdout: &out, Stderr: &errb, WorkDir: dir, Environ: environ})
	}()
	draws := func() int { return strings.Count(out.String(), "search.s") }
	waitFor(t, func() bool { return draws() == 1 }, "the first draw")
	srv.Stop(t)
	waitFor(t, func() bool { return strings.Contains(errb.String(), "Cannot read the state") }, "the warning of the outage")
	if draws() != 1 {
		t.Fatalf("show -watch drew while the database was down:\n%s", out.String())
	}
	srv.Start(t)
	waitFor(t, func() bool { return draws() == 2 }, "the draw once the database is back")
	// It watches again, rather than polling on: nothing is drawn until a
	// change, which is.
	time.Sleep(time.Second)
	if draws() != 2 {
		t.Fatalf("show -watch drew without a change once the database was back (polling?):\n%s", out.String())
	}
	appendTrial(1)
	select {
	case code := <-done:
		if code != 0 || draws() != 3 || !strings.Contains(out.String(), "(state serial 2)") {
			t.Fatalf("show -watch: exit %d\n%s%s", code, out.String(), errb.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("show -watch did not draw the change after the outage:\n%s%s", out.String(), errb.String())
	}
}

// TestPGWatchCoalesces: the changes that come within the gap after a
// redraw are drawn together.
func TestPGWatchCoalesces(t *testing.T) {
	e := newPGEnv(t, "busy")
	watchMinGap = 3 * time.Second
	defer func() { watchMinGap = time.Second }()
	b := e.backend("busy")
	if _, _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		var errb bytes.Buffer
		done <- Run([]string{"show", "-watch", "-watch-count=2", "-interval=1h"}, Meta{Stdout: &out, Stderr: &errb, WorkDir: e.dir, Environ: e.environ})
	}()
	waitFor(t, func() bool { return strings.Contains(out.String(), "search.s") }, "the first draw")
	for i := range 5 {
		if err := b.Append(context.Background(), state.Change{Put: statetest.Trial("s", i)}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(out.String(), "(state serial 5)") {
			t.Fatalf("show -watch drew the changes apart: exit %d\n%s", code, out.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("show -watch did not redraw:\n%s", out.String())
	}
}
