// Package pgtest gives tests a real PostgreSQL server on loopback: never a mock.
//
// The contract:
//
//   - DSN(t) is the shared test server's connection string, from $FW_TEST_PG_DSN. When the
//     variable is unset the test is skipped, unless FW_TEST_PG_REQUIRED=1 (CI sets it), then it
//     fails. scripts/test starts a server with scripts/postgres and sets the variable when it can.
//   - Schema(t, dsn) is a fresh schema name unique to this test (not created: the code under
//     test creates it), dropped with CASCADE when the test ends. Tests sharing the server stay
//     apart by using their own schema.
//   - Start(t) starts a private server of the test's own (scripts/postgres start DIR, on a free
//     port), for tests that stop and restart the database; it is stopped and removed when the
//     test ends. It skips or fails like DSN, and also when the test does not run as root
//     (the script runs the server as the OS user postgres). Never stop the shared server:
//     other packages' tests use it at the same time.
//   - Role(t, dsn, canCreate) makes a login role with a distinctive password, for tests that
//     check a password never appears in any output.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by this package.
const (
	EnvDSN      = "FW_TEST_PG_DSN"
	EnvRequired = "FW_TEST_PG_REQUIRED"
)

// skipOrFail skips the test, or fails it when FW_TEST_PG_REQUIRED=1.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(EnvRequired) == "1" {
		t.Fatalf("%s, and %s=1: the PostgreSQL tests must run", msg, EnvRequired)
	}
	t.Skip(msg + ": PostgreSQL tests skipped")
}

// DSN returns the shared test server's connection string ($FW_TEST_PG_DSN).
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		skipOrFail(t, "%s is not set (scripts/test starts a server and sets it when run as root)", EnvDSN)
	}
	return dsn
}

// connect opens one connection, failing the test with an error that does not show the password.
func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", Redact(dsn), scrub(err, dsn))
	}
	return conn
}

// exec runs SQL statements on a fresh connection.
func exec1(t testing.TB, dsn string, sqls ...string) {
	t.Helper()
	conn := connect(t, dsn)
	defer conn.Close(context.Background())
	for _, sql := range sqls {
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatalf("pgtest: %s: %v", sql, err)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// Schema returns a fresh schema name unique to this test: lower case, at most 63 bytes, starting
// with "fwt_" and the test's name. The schema is not created; it is dropped (CASCADE) when the
// test ends.
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	name := "fwt_" + b.String() + "_" + randomHex(6)
	t.Cleanup(func() {
		// Not fatal: a private server the test left stopped takes the
		// schema with it.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Logf("pgtest: schema %s not dropped: %s", name, scrub(err, dsn))
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", name, err)
		}
	})
	return name
}

// Role creates a login role with a distinctive random password ("fwsecret" and hex digits) on the
// server of dsn and returns a DSN that logs in as it to the same database. canCreate grants it
// CREATE on the database (so it may create schemas); without it the role cannot create one. The
// role and what it owns are dropped when the test ends.
func Role(t testing.TB, dsn string, canCreate bool) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("pgtest.Role: %s is not a postgres:// URL", Redact(dsn))
	}
	db := strings.TrimPrefix(u.Path, "/")
	role := "fwrole_" + randomHex(6)
	password := "fwsecret" + randomHex(8)
	ident := pgx.Identifier{role}.Sanitize()
	sqls := []string{"CREATE ROLE " + ident + " LOGIN PASSWORD '" + password + "'"}
	if canCreate {
		sqls = append(sqls, "GRANT CREATE ON DATABASE "+pgx.Identifier{db}.Sanitize()+" TO "+ident)
	}
	exec1(t, dsn, sqls...)
	t.Cleanup(func() {
		exec1(t, dsn,
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '"+role+"'",
			"DROP OWNED BY "+ident+" CASCADE",
			"DROP ROLE "+ident)
	})
	u.User = url.UserPassword(role, password)
	return u.String()
}

// Password returns the password of a postgres:// URL ("" if none).
func Password(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// Redact returns dsn with the password of a URL replaced by "***", for test messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a connection string)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
		}
	}
	return u.String()
}

func scrub(err error, dsn string) string {
	s := err.Error()
	if p := Password(dsn); p != "" {
		s = strings.ReplaceAll(s, p, "***")
	}
	return s
}

// Server is a private PostgreSQL server started by Start.
type Server struct {
	DSN  string // connection string (superuser, with password)
	Dir  string // the server's directory (data, socket, log)
	Port int

	mu      sync.Mutex
	running bool
	script  string
}

var rootOnce struct {
	sync.Once
	dir string
	err error
}

// repoRoot finds the module root from the working directory (a test runs in its package's
// directory) by walking up to go.mod.
func repoRoot() (string, error) {
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootOnce.err = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				rootOnce.dir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootOnce.err = errors.New("no go.mod above the working directory")
				return
			}
			dir = parent
		}
	})
	return rootOnce.dir, rootOnce.err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts a private server for this test (see the package comment). It is stopped and
// its directory removed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	if os.Getenv(EnvDSN) == "" && os.Getenv(EnvRequired) != "1" {
		t.Skipf("%s is not set: PostgreSQL tests skipped", EnvDSN)
	}
	if os.Geteuid() != 0 {
		skipOrFail(t, "pgtest.Start needs root (scripts/postgres runs the server as the OS user postgres)")
	}
	root, err := repoRoot()
	if err != nil {
		skipOrFail(t, "pgtest.Start: cannot find the repository root: %v", err)
	}
	script := filepath.Join(root, "scripts", "postgres")
	if _, err := os.Stat(script); err != nil {
		skipOrFail(t, "pgtest.Start: %v", err)
	}
	// Not t.TempDir(): the OS user postgres must reach the directory, and test temp
	// directories may live under /root.
	dir, err := os.MkdirTemp("/tmp", "fw-pgtest-")
	if err != nil {
		t.Fatalf("pgtest.Start: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("pgtest.Start: %v", err)
	}
	s := &Server{Dir: dir, script: script}
	t.Cleanup(func() {
		s.mu.Lock()
		running := s.running
		s.mu.Unlock()
		if running {
			if out, err := s.run("stop"); err != nil {
				t.Errorf("pgtest: stopping the private server in %s: %v\n%s", dir, err, out)
				return // leave the directory for a look
			}
		}
		os.RemoveAll(dir)
	})
	var lastErr error
	var lastOut string
	for try := 0; try < 3; try++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("pgtest.Start: finding a free port: %v", err)
		}
		s.Port = port
		out, err := s.run("start")
		if err == nil {
			s.DSN = strings.TrimSpace(lastLine(out))
			s.running = true
			return s
		}
		lastErr, lastOut = err, out
	}
	t.Fatalf("pgtest.Start: scripts/postgres start %s: %v\n%s", dir, lastErr, lastOut)
	return nil
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// run runs scripts/postgres CMD DIR and returns its stdout; on error the returned text holds
// stdout and stderr.
func (s *Server) run(cmd string) (string, error) {
	c := exec.Command("bash", s.script, cmd, s.Dir)
	c.Env = append(os.Environ(), "FW_POSTGRES_PORT="+strconv.Itoa(s.Port))
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// Stop stops the server (fast shutdown: open sessions are ended); its data are kept.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if out, err := s.run("stop"); err != nil {
		t.Fatalf("pgtest: stopping the private server: %v\n%s", err, out)
	}
	s.running = false
}

// Start starts the server again after Stop, on the same port, with its data.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.run("start")
	if err != nil {
		t.Fatalf("pgtest: restarting the private server on port %d: %v\n%s", s.Port, err, out)
	}
	s.running = true
}
