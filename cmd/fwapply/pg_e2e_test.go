//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/statetest"
)

// The end-to-end tests of the pg backend (issue 12): fwapply run as a user
// runs it, against a real PostgreSQL on loopback (internal/pgtest: the
// shared server of $FW_TEST_PG_DSN, and a private one for the restart
// tests). Every command runs as a role of the test's own, with a password
// no output, file or table may contain; its trials are the gate program
// of testdata/pg/gate, which runs until the test opens its gate.

// pgUser is how the commands of a test reach PostgreSQL: the connection
// string they get in FW_PG_CONN_STR ("" for none: the backend block's
// conn_str, or nothing), and the secrets no output may show.
type pgUser struct {
	connStr string
	secrets []string
}

// pgRole is a role created for one test, with a password of its own.
type pgRole struct {
	pgUser
	admin                          string // the superuser's connection string
	user, password                 string
	host, port, database, hostPort string
}

// randHex returns n random bytes in hex.
func randHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newPGRole creates a login role with a distinctive password on the server
// of admin (pgtest.Role: dropped in Cleanup with what it owns). With
// canCreate it may create schemas in the database, as a user of the
// backend must the first time.
func newPGRole(t *testing.T, admin string, canCreate bool) *pgRole {
	t.Helper()
	dsn := pgtest.Role(t, admin, canCreate)
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		t.Fatalf("pgtest.Role gave %s", pgtest.Redact(dsn))
	}
	r := &pgRole{admin: admin, user: u.User.Username(), password: pgtest.Password(dsn),
		host: u.Hostname(), port: u.Port(), database: strings.TrimPrefix(u.Path, "/"), hostPort: u.Host}
	if r.port == "" {
		r.port = "5432"
		r.hostPort = net.JoinHostPort(r.host, r.port)
	}
	if len(r.password) < 12 {
		t.Fatalf("pgtest.Role made a password too short to look for: %q", r.password)
	}
	r.connStr = dsn
	r.secrets = []string{r.password}
	return r
}

// url is the role's connection string with the given password, database
// and host:port.
func (r *pgRole) url(password, database, hostPort string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(r.user, password), Host: hostPort, Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

// schema returns a fresh schema name for the test, which the commands
// create (dropped in Cleanup).
func (r *pgRole) schema(t *testing.T) string {
	t.Helper()
	return pgtest.Schema(t, r.admin)
}

// describe is the backend's description (pg.Backend.Describe) for a
// workspace of the role's database.
func (r *pgRole) describe(schema, workspace string) string {
	return fmt.Sprintf("PostgreSQL %s database %q, schema %q, workspace %q", r.hostPort, r.database, schema, workspace)
}

// writeBackend writes dir's backend block; extra is more attributes of it.
// Without conn_str in extra, the commands take it from FW_PG_CONN_STR.
func writeBackend(t *testing.T, dir, schema, workspace, extra string) {
	t.Helper()
	src := fmt.Sprintf("frameworm {\n  backend \"pg\" {\n    schema_name = %q\n    workspace   = %q\n%s  }\n}\n", schema, workspace, extra)
	mustWriteFile(t, filepath.Join(dir, "backend.fw.hcl"), src)
}

// gateOnce builds testdata/pg/gate beside the other test binaries.
var (
	gateOnce   sync.Once
	gateBinary string
	gateErr    error
)

func gateProgram(t *testing.T) string {
	t.Helper()
	gateOnce.Do(func() {
		gateBinary = filepath.Join(filepath.Dir(binary), "gate")
		out, err := exec.Command("go", "build", "-o", gateBinary, "./testdata/pg/gate").CombinedOutput()
		if err != nil {
			gateErr = fmt.Errorf("building testdata/pg/gate: %v\n%s", err, out)
		}
	})
	if gateErr != nil {
		t.Fatal(gateErr)
	}
	return gateBinary
}

// gateSearch writes search "s" of dir: trials random trials of the gate
// program, released by files in gate.
func gateSearch(t *testing.T, dir, gate string, trials, parallelism int) {
	t.Helper()
	src := fmt.Sprintf(`search "s" {
  metric      = "score"
  mode        = "min"
  strategy    = "random"
  trials      = %d
  seed        = 5
  parallelism = %d
  base_config = { x = 0.5, gate = %q }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command = [%q]
    timeout = "5m"
  }
}
`, trials, parallelism, gate, gateProgram(t))
	mustWriteFile(t, filepath.Join(dir, "main.fw.hcl"), src)
}

// openGate lets trial n of search s finish ("all": every trial).
func openGate(t *testing.T, gate, which string) {
	t.Helper()
	name := which
	if which != "all" {
		name = "s-" + which
	}
	mustWriteFile(t, filepath.Join(gate, name), "")
}

// gateRuns reads the runs file of gate: how many times each trial of
// search s started and ended.
func gateRuns(t *testing.T, gate string) (starts, ends map[int]int) {
	t.Helper()
	starts, ends = map[int]int{}, map[int]int{}
	b, err := os.ReadFile(filepath.Join(gate, "runs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || f[1] != "s" {
			continue
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("runs: %q", line)
		}
		switch f[0] {
		case "start":
			starts[n]++
		case "end":
			ends[n]++
		}
	}
	return starts, ends
}

// env is the environment of the commands: the test's, without PG* and
// FW_PG_CONN_STR, plus FW_PG_CONN_STR when u has one.
func (u pgUser) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "FW_PG_CONN_STR=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "NO_COLOR=1")
	if u.connStr != "" {
		env = append(env, "FW_PG_CONN_STR="+u.connStr)
	}
	return env
}

// clean reports what output must never hold: a secret, or a panic.
func (u pgUser) clean(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range u.secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s shows the password %q:\n%s", what, s, out)
		}
	}
	if strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") {
		t.Errorf("%s panicked:\n%s", what, out)
	}
}

// run runs fwapply in dir as u, and checks that its output is clean.
func (u pgUser) run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	return u.runIn(t, dir, nil, args...)
}

// runIn is run with stdin.
func (u pgUser) runIn(t *testing.T, dir string, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = u.env()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running fwapply: %v", err)
	}
	u.clean(t, fmt.Sprintf("fwapply %s: stdout", strings.Join(args, " ")), out.String())
	u.clean(t, fmt.Sprintf("fwapply %s: stderr", strings.Join(args, " ")), errb.String())
	return code, out.String(), errb.String()
}

// must runs fwapply and fails the test unless it exits 0; it returns the
// standard output.
func (u pgUser) must(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out, errs := u.run(t, dir, args...)
	if code != 0 {
		t.Fatalf("fwapply %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// wantIn fails the test, showing out once, unless out holds every one of
// wants.
func wantIn(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	var lacks []string
	for _, w := range wants {
		if !strings.Contains(out, w) {
			lacks = append(lacks, strconv.Quote(w))
		}
	}
	if len(lacks) > 0 {
		t.Errorf("%s lacks %s:\n%s", what, strings.Join(lacks, ", "), out)
	}
}

// flat is s with its runs of white space made one space, as diagnostics
// wrap their text.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// syncBuffer is an io.Writer read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// bgProc is a command running in the background.
type bgProc struct {
	u        pgUser
	args     []string
	cmd      *exec.Cmd
	out, err syncBuffer
	done     chan struct{}
	code     int
}

// start starts fwapply in dir as u in the background; Cleanup kills it.
func (u pgUser) start(t *testing.T, dir string, args ...string) *bgProc {
	t.Helper()
	p := &bgProc{u: u, args: args, done: make(chan struct{})}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Dir = dir
	p.cmd.Env = u.env()
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
			if ee.ExitCode() < 0 {
				p.code = -1 // killed
			}
		} else if err != nil {
			p.code = -2
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// exited reports whether the process has ended.
func (p *bgProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to within for the process to end and returns its exit
// status, standard output and standard error, checked clean.
func (p *bgProc) wait(t *testing.T, within time.Duration) (int, string, string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("fwapply %s still ran after %v:\n%s%s", strings.Join(p.args, " "), within, p.out.String(), p.err.String())
	}
	what := "fwapply " + strings.Join(p.args, " ")
	p.u.clean(t, what+": stdout", p.out.String())
	p.u.clean(t, what+": stderr", p.err.String())
	return p.code, p.out.String(), p.err.String()
}

// pgShow is the part of show -json the tests read.
type pgShow struct {
	Lineage  string `json:"lineage"`
	Serial   uint64 `json:"serial"`
	Searches map[string]struct {
		Trials []pgShowTrial `json:"trials"`
	} `json:"searches"`
}

type pgShowTrial struct {
	Number   int        `json:"number"`
	Status   string     `json:"status"`
	Attempts int        `json:"attempts"`
	Tainted  bool       `json:"tainted"`
	Started  *time.Time `json:"started"`
	Ended    *time.Time `json:"ended"`
	Dir      string     `json:"dir"`
}

func (tr pgShowTrial) String() string {
	return fmt.Sprintf("{trial %d %s, attempts %d, tainted %v, started %v, ended %v, dir %s}", tr.Number, tr.Status, tr.Attempts, tr.Tainted, tr.Started, tr.Ended, tr.Dir)
}

// show runs show -json in dir and returns it parsed, with its text.
func (u pgUser) show(t *testing.T, dir string, args ...string) (pgShow, string) {
	t.Helper()
	out := u.must(t, dir, append([]string{"show", "-json"}, args...)...)
	var doc pgShow
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("show -json: %v\n%s", err, out)
	}
	return doc, out
}

// statuses maps each trial of search s to its status.
func (d pgShow) statuses() map[int]string {
	m := map[int]string{}
	for _, tr := range d.Searches["s"].Trials {
		m[tr.Number] = tr.Status
	}
	return m
}

// pull runs state pull in dir and decodes what it printed with the state
// file's decoder.
func (u pgUser) pull(t *testing.T, dir string) (*state.State, string) {
	t.Helper()
	out := u.must(t, dir, "state", "pull")
	st, warns, err := state.ReadJournal(context.Background(), strings.NewReader(out), "state pull", state.LoadOptions{})
	if err != nil || len(warns) > 0 {
		t.Fatalf("state pull printed no state file: %v %v\n%s", err, warns, out)
	}
	return st, out
}

// checkConsistent checks that show -json and state pull of dir tell the
// same state: lineage, serial, and the trials of search s, each number
// once.
func (u pgUser) checkConsistent(t *testing.T, dir string) pgShow {
	t.Helper()
	doc, _ := u.show(t, dir)
	st, _ := u.pull(t, dir)
	if doc.Lineage != st.Lineage || doc.Serial != st.Serial {
		t.Errorf("show -json has lineage %s serial %d, state pull %s serial %d", doc.Lineage, doc.Serial, st.Lineage, st.Serial)
	}
	seen := map[int]bool{}
	for _, tr := range doc.Searches["s"].Trials {
		if seen[tr.Number] {
			t.Errorf("trial %d twice in show -json", tr.Number)
		}
		seen[tr.Number] = true
		if p := st.Trial("s", tr.Number); p == nil || string(p.Status) != tr.Status || p.Attempts != tr.Attempts {
			t.Errorf("trial %d: show -json %+v, state pull %+v", tr.Number, tr, p)
		}
	}
	if len(st.Trials("s")) != len(seen) {
		t.Errorf("state pull has %d trials, show -json %d", len(st.Trials("s")), len(seen))
	}
	return doc
}

// waitWithin polls cond until it holds, failing the test after d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPGE2ETwoApplies runs two applies in two working directories on
// one workspace: the second fails at once naming the first, or waits with
// -lock-timeout and runs after it; each trial runs once.
func TestPGE2ETwoApplies(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	schema := r.schema(t)
	gate := t.TempDir()
	a, b := t.TempDir(), t.TempDir()
	writeBackend(t, a, schema, "shared", "")
	writeBackend(t, b, schema, "shared", "")
	gateSearch(t, a, gate, 2, 2)
	gateSearch(t, b, gate, 4, 2) // the same search with a larger budget

	first := r.start(t, a, "apply", "-auto-approve")
	waitFor(t, "both trials of the first apply to start", func() bool {
		starts, _ := gateRuns(t, gate)
		return starts[0] == 1 && starts[1] == 1
	})
	u, err := userName()
	if err != nil {
		t.Fatal(err)
	}
	holder := fmt.Sprintf("%s (pid %d) for apply", u, first.cmd.Process.Pid)

	code, out, errs := r.run(t, b, "apply", "-auto-approve", "-lock-timeout=0s")
	wantIn(t, "second apply with -lock-timeout=0s", flat(errs), "state is locked by "+holder)
	if code != 1 || strings.Contains(out, "Apply complete") {
		t.Errorf("second apply with -lock-timeout=0s: exit %d\n%s%s", code, out, errs)
	}
	// The holder is alive on this host: force-unlock refuses, even with
	// -force, and the lock stays.
	for _, args := range [][]string{{"force-unlock", "-force"}, {"force-unlock"}} {
		code, out, errs := r.run(t, b, args...)
		wantIn(t, strings.Join(args, " "), flat(errs), "The lock holder is still running", fmt.Sprintf("(pid %d) for apply", first.cmd.Process.Pid))
		if code != 1 || strings.Contains(out, "removed") {
			t.Errorf("%v of a live holder: exit %d\n%s%s", args, code, out, errs)
		}
	}
	if first.exited() {
		t.Fatalf("the first apply ended while its trials waited:\n%s%s", first.out.String(), first.err.String())
	}

	second := r.start(t, b, "apply", "-auto-approve", "-lock-timeout=60s")
	// Give the second apply time to reach the lock, then check that it
	// waits there rather than running or failing.
	time.Sleep(1500 * time.Millisecond)
	if second.exited() {
		t.Fatalf("the second apply with -lock-timeout=60s did not wait: exit %d\n%s%s", second.code, second.out.String(), second.err.String())
	}
	if starts, _ := gateRuns(t, gate); len(starts) != 2 {
		t.Fatalf("trials started while the first apply held the lock: %v", starts)
	}
	openGate(t, gate, "all")

	code, out, errs = first.wait(t, 60*time.Second)
	if code != 0 || !strings.Contains(out, "Apply complete! 2 trials completed, 0 failed.") {
		t.Fatalf("first apply: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = second.wait(t, 60*time.Second)
	if code != 0 || !strings.Contains(out, "Apply complete! 2 trials completed, 0 failed.") {
		t.Fatalf("second apply: exit %d\n%s%s", code, out, errs)
	}

	doc := r.checkConsistent(t, a)
	docB, _ := r.show(t, b)
	if doc.Lineage != docB.Lineage || doc.Serial != docB.Serial {
		t.Errorf("the two directories see different states: %s/%d and %s/%d", doc.Lineage, doc.Serial, docB.Lineage, docB.Serial)
	}
	trials := doc.Searches["s"].Trials
	if len(trials) != 4 {
		t.Fatalf("%d trials in the state, want 4: %+v", len(trials), trials)
	}
	var firstEnded time.Time
	for _, tr := range trials {
		if tr.Number < 2 && tr.Ended != nil && tr.Ended.After(firstEnded) {
			firstEnded = *tr.Ended
		}
	}
	starts, ends := gateRuns(t, gate)
	for i, tr := range trials {
		if tr.Number != i || tr.Status != "completed" || tr.Attempts != 1 || starts[i] != 1 || ends[i] != 1 {
			t.Errorf("trial %+v: started %d times, ended %d times; want trials 0-3 completed, each run once", tr, starts[i], ends[i])
		}
		if tr.Number >= 2 && (tr.Started == nil || tr.Started.Before(firstEnded)) {
			t.Errorf("trial %d of the second apply started at %v, before the first apply's trials ended (%v)", tr.Number, tr.Started, firstEnded)
		}
		wantDir := a
		if tr.Number >= 2 {
			wantDir = b
		}
		if !strings.HasPrefix(tr.Dir, wantDir) {
			t.Errorf("trial %d ran in %s, want a directory of %s", tr.Number, tr.Dir, wantDir)
		}
	}
}

// userName is user@host as lock holders are named.
func userName() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	host, err := os.Hostname()
	if err != nil {
		return "", err
	}
	return u.Username + "@" + host, nil
}

// TestPGE2EKill9 kills the apply holding the lock with SIGKILL while two
// trials run: the next apply gets the lock without force-unlock (the
// session died with the process), keeps what completed, and runs again
// the trials that were running, under their numbers.
func TestPGE2EKill9(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	schema := r.schema(t)
	gate, dir := t.TempDir(), t.TempDir()
	writeBackend(t, dir, schema, "kill9", "")
	gateSearch(t, dir, gate, 4, 2)
	openGate(t, gate, "0")
	openGate(t, gate, "1")

	apply := r.start(t, dir, "apply", "-auto-approve")
	waitFor(t, "trials 0 and 1 to complete and 2 and 3 to run", func() bool {
		if starts, _ := gateRuns(t, gate); starts[2] != 1 || starts[3] != 1 {
			return false
		}
		doc, _ := r.show(t, dir)
		st := doc.statuses()
		return st[0] == "completed" && st[1] == "completed" && st[2] == "running" && st[3] == "running"
	})
	before, _ := r.show(t, dir)
	if err := apply.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	apply.wait(t, 30*time.Second)
	ended := map[int]time.Time{}
	for _, tr := range before.Searches["s"].Trials {
		if tr.Status == "completed" {
			ended[tr.Number] = *tr.Ended
		}
	}

	// No force-unlock: the lock died with the killed apply's session. The
	// lock timeout only covers the moment the server takes to see the
	// connection closed.
	p := jsonOfAs[planDoc](t, r.pgUser, dir, "plan", "-json", "-lock-timeout=10s")
	ps := p.Searches["s"]
	var retried []int
	for _, rt := range ps.ToRetry {
		retried = append(retried, rt.Number)
		if !strings.Contains(rt.Reason, "did not finish") {
			t.Errorf("trial %d: retry reason %q", rt.Number, rt.Reason)
		}
	}
	slices.Sort(retried)
	if fmt.Sprint(retried) != "[2 3]" || ps.Kept != 2 || len(ps.ToRun) != 0 {
		t.Errorf("plan after kill -9: retry %v, kept %d, run %d; want trials 2 and 3 retried and 0 and 1 kept", retried, ps.Kept, len(ps.ToRun))
	}
	openGate(t, gate, "all")
	out := r.must(t, dir, "apply", "-auto-approve", "-lock-timeout=10s")
	t.Logf("apply after kill -9:\n%s", out)
	if !strings.Contains(out, "Apply complete! 2 trials completed, 0 failed.") {
		t.Errorf("apply after kill -9:\n%s", out)
	}

	after := r.checkConsistent(t, dir)
	if after.Lineage != before.Lineage || after.Serial <= before.Serial {
		t.Errorf("state after the resume: lineage %s serial %d; before: %s serial %d", after.Lineage, after.Serial, before.Lineage, before.Serial)
	}
	starts, _ := gateRuns(t, gate)
	trials := after.Searches["s"].Trials
	if len(trials) != 4 {
		t.Fatalf("%d trials after the resume, want 4: %+v", len(trials), trials)
	}
	for i, tr := range trials {
		if tr.Number != i || tr.Status != "completed" {
			t.Errorf("trial %+v, want trial %d completed", tr, i)
			continue
		}
		if at, ok := ended[i]; ok {
			if !tr.Ended.Equal(at) || tr.Attempts != 1 || starts[i] != 1 {
				t.Errorf("completed trial %d ran again: attempts %d, started %d times, ended %v (was %v)", i, tr.Attempts, starts[i], tr.Ended, at)
			}
		} else if tr.Attempts != 2 || starts[i] != 2 {
			t.Errorf("running trial %d: attempts %d, started %d times; want it run again once", i, tr.Attempts, starts[i])
		}
	}
}

// jsonOfAs is jsonOf, run as u.
func jsonOfAs[T any](t *testing.T, u pgUser, dir string, args ...string) T {
	t.Helper()
	code, out, errs := u.run(t, dir, args...)
	var v T
	if code != 0 && code != 2 {
		t.Fatalf("fwapply %v: exit %d\n%s%s", args, code, out, errs)
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("fwapply %v: %v\n%s", args, err, out)
	}
	return v
}

// TestPGE2EDatabaseRestart stops the database while trials run. Back
// within the retry timeout, the apply records every result; down past
// it, the apply stops cleanly and the next one completes the budget.
func TestPGE2EDatabaseRestart(t *testing.T) {
	srv := pgtest.Start(t)
	r := newPGRole(t, srv.DSN, true)

	t.Run("back within the retry timeout", func(t *testing.T) {
		schema := r.schema(t)
		gate, dir := t.TempDir(), t.TempDir()
		writeBackend(t, dir, schema, "restart", "")
		gateSearch(t, dir, gate, 2, 2)
		apply := r.start(t, dir, "apply", "-auto-approve")
		waitFor(t, "both trials to start", func() bool {
			starts, _ := gateRuns(t, gate)
			return starts[0] == 1 && starts[1] == 1
		})
		srv.Stop(t)
		openGate(t, gate, "all")
		waitFor(t, "both trials to end while the database is down", func() bool {
			_, ends := gateRuns(t, gate)
			return ends[0] == 1 && ends[1] == 1
		})
		// The database stays down a few seconds: the apply waits for it.
		time.Sleep(3 * time.Second)
		if apply.exited() {
			t.Fatalf("the apply ended while the database was down: exit %d\n%s%s", apply.code, apply.out.String(), apply.err.String())
		}
		srv.Start(t)
		code, out, errs := apply.wait(t, 2*time.Minute)
		if code != 0 || !strings.Contains(out, "Apply complete! 2 trials completed, 0 failed.") {
			t.Fatalf("apply across the restart: exit %d\n%s%s", code, out, errs)
		}
		doc := r.checkConsistent(t, dir)
		starts, _ := gateRuns(t, gate)
		if st := doc.statuses(); len(st) != 2 || st[0] != "completed" || st[1] != "completed" {
			t.Errorf("trials after the restart: %v, want 0 and 1 completed", st)
		}
		if starts[0] != 1 || starts[1] != 1 {
			t.Errorf("trials started %v times, want once each", starts)
		}
	})

	t.Run("down past retry_timeout", func(t *testing.T) {
		schema := r.schema(t)
		gate, dir := t.TempDir(), t.TempDir()
		writeBackend(t, dir, schema, "outage", "    retry_timeout = \"3s\"\n")
		gateSearch(t, dir, gate, 2, 2)
		apply := r.start(t, dir, "apply", "-auto-approve")
		waitFor(t, "both trials to start", func() bool {
			starts, _ := gateRuns(t, gate)
			return starts[0] == 1 && starts[1] == 1
		})
		srv.Stop(t)
		openGate(t, gate, "all")
		code, out, errs := apply.wait(t, 90*time.Second)
		all := flat(out + errs)
		t.Logf("apply with the database down:\n%s%s", out, errs)
		wantIn(t, "apply with the database down", all, "Apply stopped", "PostgreSQL", r.hostPort)
		if code == 0 || strings.Contains(all, "Apply complete") {
			t.Errorf("apply with the database down: exit %d\n%s%s", code, out, errs)
		}
		srv.Start(t)
		out = r.must(t, dir, "apply", "-auto-approve", "-lock-timeout=10s")
		if !strings.Contains(out, "Apply complete!") {
			t.Errorf("apply after the database is back:\n%s", out)
		}
		doc := r.checkConsistent(t, dir)
		if st := doc.statuses(); len(st) != 2 || st[0] != "completed" || st[1] != "completed" {
			t.Errorf("trials after the resume: %v, want 0 and 1 completed", st)
		}
	})
}

// bigState adds n trials of search "big" to the local state file path
// with package state, then a remove and a taint: a journal of a snapshot
// and records, as fwapply writes it.
func bigState(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	f := state.NewFile(path)
	defer f.Close()
	changes := make([]state.Change, 0, n)
	for i := range n {
		changes = append(changes, state.Change{Put: statetest.Trial("big", i)})
	}
	if err := f.AppendBatch(ctx, changes); err != nil {
		t.Fatal(err)
	}
	tainted := statetest.Trial("big", 3)
	tainted.Tainted = true
	for _, c := range []state.Change{{Remove: &state.TrialRef{Search: "big", Number: 7}}, {Put: tainted}} {
		if err := f.Append(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPGE2EMigrateState: init -migrate-state copies a local journal of
// more than 1,000 trials into an empty workspace: show -json and state
// pull print the same bytes before (local) and after (pg); the local file
// is renamed; another copy into the workspace, now full, is refused
// unless -force-copy.
func TestPGE2EMigrateState(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	schema := r.schema(t)
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 3, 0, "0"))
	local := pgUser{secrets: r.secrets} // no FW_PG_CONN_STR: the local file
	local.must(t, dir, "apply", "-auto-approve")
	path := filepath.Join(dir, "frameworm.fwstate")
	bigState(t, path, 1000)
	const trials = 3 + 1000 - 1

	beforeDoc, before := local.show(t, dir)
	_, pullBefore := local.pull(t, dir)
	fileBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(beforeDoc.Searches["s"].Trials) + len(beforeDoc.Searches["big"].Trials); n != trials {
		t.Fatalf("the local state holds %d trials, want %d", n, trials)
	}

	writeBackend(t, dir, schema, "migrated", "")
	desc := r.describe(schema, "migrated")
	// The workspace is empty and the local file is not: writing commands
	// refuse, and init says what to do.
	code, out, errs := r.run(t, dir, "apply", "-auto-approve")
	wantIn(t, "apply before the migration", flat(errs), "Local state not migrated", fmt.Sprintf("holds %d trials", trials), "fwapply init -migrate-state")
	if code != 1 || strings.Contains(out, "Apply complete") {
		t.Errorf("apply before the migration: exit %d\n%s%s", code, out, errs)
	}
	// Reading commands warn and go on.
	code, out, errs = r.run(t, dir, "show")
	wantIn(t, "show before the migration", flat(errs), "Warning: Local state not migrated", fmt.Sprintf("holds %d trials", trials))
	if code != 0 {
		t.Errorf("show before the migration: exit %d\n%s%s", code, out, errs)
	}
	out = r.must(t, dir, "init")
	wantIn(t, "init", flat(out), `Backend "pg" initialized: `+desc, "fwapply init -migrate-state")

	out = r.must(t, dir, "init", "-migrate-state")
	t.Logf("init -migrate-state:\n%s", out)
	wantIn(t, "init -migrate-state", flat(out),
		fmt.Sprintf("Copied %d trials (serial %d, lineage %s) from", trials, beforeDoc.Serial, beforeDoc.Lineage), "to "+desc)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the local state file after the migration: %v, want it renamed", err)
	}
	renamed, _ := filepath.Glob(path + ".migrated-*")
	if len(renamed) != 1 {
		t.Fatalf("renamed local state files: %v, want one", renamed)
	}
	if b, err := os.ReadFile(renamed[0]); err != nil || !bytes.Equal(b, fileBytes) {
		t.Errorf("%s is not the local state file as it was: %v", renamed[0], err)
	}
	if !strings.Contains(out, filepath.Base(renamed[0])) {
		t.Errorf("init -migrate-state does not name %s:\n%s", filepath.Base(renamed[0]), out)
	}

	if _, after := r.show(t, dir); after != before {
		t.Errorf("show -json differs after the migration:\n--- local\n%s\n--- pg\n%s", head(before), head(after))
	}
	if _, pullAfter := r.pull(t, dir); pullAfter != pullBefore {
		t.Errorf("state pull differs after the migration:\n--- local\n%s\n--- pg\n%s", head(pullBefore), head(pullAfter))
	}

	// Nothing left to migrate.
	code, out, errs = r.run(t, dir, "init", "-migrate-state")
	if code != 1 || !strings.Contains(flat(errs), "nothing to migrate") {
		t.Errorf("init -migrate-state without a local file: exit %d\n%s%s", code, out, errs)
	}

	// A local state again (the old one, changed since): the workspace is
	// not empty.
	mustWriteFile(t, path, string(fileBytes))
	tainted := statetest.Trial("big", 0)
	tainted.Tainted = true
	f := state.NewFile(path)
	if err := f.Append(context.Background(), state.Change{Put: tainted}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ref := t.TempDir()
	mustWriteFile(t, filepath.Join(ref, "main.fw.hcl"), mustRead(t, filepath.Join(dir, "main.fw.hcl")))
	_, want := local.show(t, ref, "-state="+path)
	code, out, errs = r.run(t, dir, "init", "-migrate-state")
	wantIn(t, "init -migrate-state into a full workspace", flat(errs), fmt.Sprintf("%d trials", trials), beforeDoc.Lineage, "-force-copy")
	if code != 1 {
		t.Errorf("init -migrate-state into a full workspace: exit %d\n%s%s", code, out, errs)
	}
	if _, got := r.show(t, dir); got != before {
		t.Errorf("a refused init -migrate-state changed the workspace:\n%s", head(got))
	}
	out = r.must(t, dir, "init", "-migrate-state", "-force-copy")
	wantIn(t, "init -migrate-state -force-copy", flat(out), fmt.Sprintf("Copied %d trials (serial %d,", trials, beforeDoc.Serial+1))
	if _, got := r.show(t, dir); got != want {
		t.Errorf("show -json after -force-copy is not the local state's:\n--- local\n%s\n--- pg\n%s", head(want), head(got))
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the local state file after -force-copy: %v, want it renamed", err)
	}
}

// head is the start of a long output, for messages.
func head(s string) string {
	const max = 3000
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// TestPGE2EPullPush moves a state between two workspaces with state pull
// and state push: a round trip, then the refusals of push (another
// lineage, a target with changes the file lacks) and -force.
func TestPGE2EPullPush(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	schema := r.schema(t)
	a, b := t.TempDir(), t.TempDir()
	writeBackend(t, a, schema, "a", "")
	writeBackend(t, b, schema, "b", "")
	search(t, a, fmt.Sprintf(randomBody, 2, 0, "0"))
	search(t, b, fmt.Sprintf(randomBody, 3, 0, "0"))
	r.must(t, a, "apply", "-auto-approve")

	stA, pullA := r.pull(t, a)
	fileA := filepath.Join(t.TempDir(), "a.fwstate")
	mustWriteFile(t, fileA, pullA)
	out := r.must(t, b, "state", "push", fileA)
	wantIn(t, "state push into an empty workspace", flat(out),
		fmt.Sprintf("Pushed 2 trials (serial %d, lineage %s) to %s.", stA.Serial, stA.Lineage, r.describe(schema, "b")))
	if _, pullB := r.pull(t, b); pullB != pullA {
		t.Errorf("state pull of the target differs from the pushed file:\n--- pushed\n%s\n--- pulled\n%s", pullA, pullB)
	}
	docA, _ := r.show(t, a)
	docB := r.checkConsistent(t, b)
	ja, _ := json.Marshal(docA)
	jb, _ := json.Marshal(docB)
	if !bytes.Equal(ja, jb) {
		t.Errorf("show -json of the two workspaces differs:\n%s\n%s", ja, jb)
	}
	// The same state again, from stdin: nothing to push.
	code, out, errs := r.runIn(t, b, []byte(pullA), "state", "push", "-")
	if code != 0 || !strings.Contains(out, "Nothing to push") {
		t.Errorf("state push of the same state: exit %d\n%s%s", code, out, errs)
	}

	// The target moved on: the file is behind it.
	r.must(t, b, "state", "taint", "search.s[0]")
	code, out, errs = r.run(t, b, "state", "push", fileA)
	wantIn(t, "state push of an older serial", flat(errs), "the target has changes the file lacks", "-force")
	if code != 1 {
		t.Errorf("state push of an older serial: exit %d\n%s%s", code, out, errs)
	}
	// The source moved on too, to the same serial: they differ.
	r.must(t, a, "state", "taint", "search.s[1]")
	stA2, pullA2 := r.pull(t, a)
	fileA2 := filepath.Join(t.TempDir(), "a2.fwstate")
	mustWriteFile(t, fileA2, pullA2)
	code, out, errs = r.run(t, b, "state", "push", fileA2)
	if code != 1 || !strings.Contains(errs, "-force") {
		t.Errorf("state push over another change at the same serial: exit %d\n%s%s", code, out, errs)
	}
	docB, _ = r.show(t, b)
	if docB.Serial != stA.Serial+1 || !docB.Searches["s"].Trials[0].Tainted || docB.Searches["s"].Trials[1].Tainted {
		t.Errorf("refused pushes changed the target: %+v", docB)
	}
	// A plan saved against the target before the forced push no longer
	// binds afterwards: the stored serial is bumped past the target's.
	r.must(t, b, "plan", "-out=b.plan")
	out = r.must(t, b, "state", "push", "-force", fileA2)
	wantIn(t, "state push -force", flat(out), fmt.Sprintf("Pushed 2 trials (serial %d, lineage %s)", stA.Serial+2, stA2.Lineage))
	docB, _ = r.show(t, b)
	if docB.Serial != stA.Serial+2 || docB.Lineage != stA2.Lineage || docB.Searches["s"].Trials[0].Tainted || !docB.Searches["s"].Trials[1].Tainted {
		t.Errorf("the target after state push -force: %+v; want the file's trials at serial %d", docB, stA.Serial+2)
	}
	code, out, errs = r.run(t, b, "apply", "b.plan")
	if code != 1 || !strings.Contains(errs, "stale plan") {
		t.Errorf("apply of a plan saved before the forced push: exit %d\n%s%s", code, out, errs)
	}

	// Another lineage.
	other := state.New()
	if err := other.Apply(state.Change{Put: statetest.Trial("s", 0)}); err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(t.TempDir(), "other.fwstate")
	f, err := os.Create(otherFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := state.WriteSnapshot(f, other); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, out, errs = r.run(t, b, "state", "push", otherFile)
	wantIn(t, "state push of another lineage", flat(errs), "lineage", "-force")
	if code != 1 {
		t.Errorf("state push of another lineage: exit %d\n%s%s", code, out, errs)
	}
	out = r.must(t, b, "state", "push", "-force", otherFile)
	wantIn(t, "state push -force of another lineage", flat(out), "Pushed 1 trial", other.Lineage)
	docB, _ = r.show(t, b)
	if docB.Lineage != other.Lineage || docB.Serial != stA.Serial+3 || len(docB.Searches["s"].Trials) != 1 {
		t.Errorf("the target after state push -force of another lineage: lineage %s serial %d, %d trials; want %s, %d, 1", docB.Lineage, docB.Serial, len(docB.Searches["s"].Trials), other.Lineage, stA.Serial+3)
	}
	// The source workspace is untouched by all this.
	if got, _ := r.show(t, a); got.Serial != stA2.Serial || got.Lineage != stA2.Lineage {
		t.Errorf("the source workspace changed: %+v", got)
	}
}

// q quotes a name as messages do.
func q(s string) string { return strconv.Quote(s) }

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	return port
}

// TestPGE2EConnectionErrors: each way of not reaching the state is one
// clear error naming the host and the database, never the password; and
// -state beside a backend block is refused.
func TestPGE2EConnectionErrors(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	noCreate := newPGRole(t, admin, false)
	schema := r.schema(t)
	wrong := "Wrong" + randHex(t, 8) + "Pw"
	missing := "fw_missing_" + randHex(t, 4)
	refused := freePort(t)
	secrets := []string{r.password, noCreate.password, wrong}
	for _, tc := range []struct {
		name    string
		connStr string
		inBlock bool     // conn_str in the backend block rather than FW_PG_CONN_STR
		located bool     // a diagnostic of the block, shown with its source line
		want    []string // in stderr
	}{
		{"malformed conn_str", r.url(r.password, r.database, r.hostPort) + "&sslmode=bogus", false, false, []string{r.host, q(r.database)}},
		{"connection refused", r.url(r.password, r.database, net.JoinHostPort(r.host, refused)), false, false, []string{r.host, refused, q(r.database), r.user}},
		{"wrong password", r.url(wrong, r.database, r.hostPort), false, false, []string{r.host, r.port, q(r.database), r.user}},
		{"missing database", r.url(r.password, missing, r.hostPort), false, false, []string{r.host, r.port, q(missing), r.user}},
		{"no permission to create the schema", noCreate.connStr, false, false, []string{r.host, r.port, q(r.database), noCreate.user}},
		{"wrong password in the block", r.url(wrong, r.database, r.hostPort), true, false, []string{r.host, r.port, q(r.database), r.user}},
		{"malformed conn_str in the block", "postgres://" + r.user + ":" + r.password + "@" + r.host + ":notaport/" + r.database, true, true, []string{"conn_str"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			u := pgUser{connStr: tc.connStr, secrets: secrets}
			extra := ""
			if tc.inBlock {
				u.connStr = ""
				extra = fmt.Sprintf("    conn_str    = %q\n", tc.connStr)
			}
			writeBackend(t, dir, schema, "errors", extra)
			search(t, dir, fmt.Sprintf(randomBody, 1, 0, "0"))
			for _, args := range [][]string{{"init"}, {"plan"}, {"apply", "-auto-approve"}, {"show"}, {"state", "pull"}} {
				code, out, errs := u.run(t, dir, args...)
				wantIn(t, strings.Join(args, " "), flat(errs), tc.want...)
				if tc.located && !strings.Contains(errs, "on backend.fw.hcl line 5, in frameworm:") {
					t.Errorf("%v does not show the conn_str line of the backend block:\n%s", args, errs)
				}
				if code != 1 {
					t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
				}
			}
		})
	}

	t.Run("state repair", func(t *testing.T) {
		dir := t.TempDir()
		writeBackend(t, dir, schema, "repair", "")
		code, out, errs := r.run(t, dir, "state", "repair")
		wantIn(t, "state repair", flat(errs), "state repair works on a local state file")
		if code != 1 {
			t.Errorf("state repair with the pg backend: exit %d\n%s%s", code, out, errs)
		}
	})

	t.Run("-state beside a backend block", func(t *testing.T) {
		dir := t.TempDir()
		writeBackend(t, dir, schema, "conflict", "")
		search(t, dir, fmt.Sprintf(randomBody, 1, 0, "0"))
		for _, args := range [][]string{{"plan", "-state=x.fwstate"}, {"apply", "-auto-approve", "-state=x.fwstate"}, {"show", "-state=x.fwstate"}} {
			code, out, errs := r.run(t, dir, args...)
			wantIn(t, strings.Join(args, " "), flat(errs), "Conflicting state locations", "backend.fw.hcl:2", "conflict",
				"remove -state to use PostgreSQL", "fwapply state pull > FILE")
			if code != 1 {
				t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
			}
			if _, err := os.Stat(filepath.Join(dir, "x.fwstate")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%v wrote the local file: %v", args, err)
			}
		}
	})
}

// TestPGE2EShowWatch follows an apply running in another process with
// show -watch: it redraws when a trial ends, without waiting for the
// -interval, and not on a timer.
func TestPGE2EShowWatch(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	schema := r.schema(t)
	gate, dir, watchDir := t.TempDir(), t.TempDir(), t.TempDir()
	writeBackend(t, dir, schema, "watched", "")
	writeBackend(t, watchDir, schema, "watched", "")
	gateSearch(t, dir, gate, 2, 2)
	gateSearch(t, watchDir, gate, 2, 2)
	apply := r.start(t, dir, "apply", "-auto-approve")
	waitFor(t, "both trials to run", func() bool {
		doc, _ := r.show(t, dir)
		st := doc.statuses()
		return st[0] == "running" && st[1] == "running"
	})

	// From another directory (as from another machine).
	// -interval=1h: a redraw within the test comes from a change
	// notification, not from the timer.
	watch := r.start(t, watchDir, "show", "-watch", "-interval=1h", "-watch-count=3")
	redraws := func() int { return strings.Count(watch.out.String(), "(state serial ") }
	waitWithin(t, 20*time.Second, "the first redraw", func() bool { return redraws() >= 1 })
	if out := watch.out.String(); !strings.Contains(out, "search.s: 0/2 completed, 2 running") {
		t.Errorf("first redraw:\n%s", out)
	}
	// Nothing changes: no redraw (on any timer of its own).
	time.Sleep(1500 * time.Millisecond)
	if n := redraws(); n != 1 {
		t.Fatalf("show -watch redrew %d times while the state did not change (polling?):\n%s", n, watch.out.String())
	}
	openGate(t, gate, "0")
	waitWithin(t, 20*time.Second, "a redraw after trial 0 ended", func() bool {
		return strings.Contains(watch.out.String(), "search.s: 1/2 completed")
	})
	openGate(t, gate, "1")
	code, out, errs := watch.wait(t, 20*time.Second)
	t.Logf("show -watch:\n%s", out)
	if code != 0 || redraws() != 3 {
		t.Errorf("show -watch -watch-count=3: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = apply.wait(t, 60*time.Second)
	if code != 0 {
		t.Errorf("apply: exit %d\n%s%s", code, out, errs)
	}
}

// TestPGE2EPasswordNowhere puts the password in the backend block's
// conn_str, runs the commands, and looks for it in their output, in the
// plan file, the export, the trial directories, and every table of the
// schema, while an apply holds the lock and after.
func TestPGE2EPasswordNowhere(t *testing.T) {
	admin := pgtest.DSN(t)
	r := newPGRole(t, admin, true)
	schema := r.schema(t)
	gate, dir := t.TempDir(), t.TempDir()
	writeBackend(t, dir, schema, "secret", fmt.Sprintf("    conn_str    = %q\n", r.connStr))
	gateSearch(t, dir, gate, 2, 2)
	u := pgUser{secrets: r.secrets} // the block's conn_str, no FW_PG_CONN_STR

	code, out, errs := u.run(t, dir, "init")
	if code != 0 || !strings.Contains(out, `Backend "pg" initialized`) {
		t.Errorf("init: exit %d\n%s%s", code, out, errs)
	}
	u.must(t, dir, "validate")
	if code, out, errs := u.run(t, dir, "plan"); code != 0 || !strings.Contains(flat(errs), "Password in a search file") {
		t.Errorf("plan with the password in the search file: exit %d\n%s%s", code, out, errs)
	}
	u.must(t, dir, "plan", "-out=p.plan")
	u.must(t, dir, "show", "p.plan")
	apply := u.start(t, dir, "apply", "p.plan")
	waitFor(t, "both trials to run", func() bool {
		starts, _ := gateRuns(t, gate)
		return starts[0] == 1 && starts[1] == 1
	})
	tables := checkTables(t, admin, schema, r.secrets)
	t.Logf("%d tables checked while the apply ran", tables)
	u.must(t, dir, "show")
	u.run(t, dir, "force-unlock") // refused: the holder is alive
	openGate(t, gate, "all")
	if code, out, errs := apply.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"show"}, {"show", "-json"}, {"state", "list"}, {"state", "show", "-json", "search.s[0]"}, {"state", "pull"},
		{"output", "search.s.best_config"}, {"export", "out.json"}, {"experiments", "list"}, {"analyze", "search.s"},
		{"state", "taint", "search.s[0]"}, {"force-unlock"}, {"init"},
	} {
		u.run(t, dir, args...) // the runner checks the output
	}
	if n := checkTables(t, admin, schema, r.secrets); n < tables || n == 0 {
		t.Errorf("%d tables after the apply, %d while it ran", n, tables)
	}

	// The files the commands wrote: the plan, the export, the trial
	// directories (the search file holds the password: the user put it
	// there).
	files := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "backend.fw.hcl" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range r.secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the password", path)
			}
		}
		return nil
	})
	for _, name := range []string{"p.plan", "out.json", filepath.Join(".fw", "trials", "s", "0", "config.json")} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was not checked: %v", name, err)
		}
	}
	t.Logf("%d files checked", files)
}

// checkTables reads every row of every table of schema and fails the test
// if one holds a secret; it returns the number of tables. It checks that
// the rows read are not empty of trials, so the search is not vacuous.
func checkTables(t *testing.T, admin, schema string, secrets []string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, name := range names {
		rows, err := conn.Query(ctx, "SELECT * FROM "+pgx.Identifier{schema, name}.Sanitize())
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				var s string
				switch v := v.(type) {
				case []byte:
					s = string(v)
				case string:
					s = v
				default:
					b, _ := json.Marshal(v)
					s = string(b) + fmt.Sprint(v)
				}
				all.WriteString(s + "\n")
				for _, secret := range secrets {
					if strings.Contains(s, secret) {
						t.Errorf("table %s holds the password: %.500s", name, s)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(all.String(), `"running"`) && !strings.Contains(all.String(), `"completed"`) {
		t.Errorf("no trial found in the tables of schema %s %v: is the check looking at the right data?", schema, names)
	}
	return len(names)
}
