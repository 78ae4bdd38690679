package pgtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func query1(t *testing.T, dsn, sql string, args ...any) (n int) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", pgtest.Redact(dsn), err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestSchemaIsDroppedAtCleanup(t *testing.T) {
	dsn := pgtest.DSN(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		name = pgtest.Schema(t, dsn)
		if len(name) > 63 || !strings.HasPrefix(name, "fwt_") {
			t.Fatalf("schema name %q", name)
		}
		if other := pgtest.Schema(t, dsn); other == name {
			t.Fatalf("two calls gave the same schema %q", name)
		}
		conn, _ := pgx.Connect(context.Background(), dsn)
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+name+"; CREATE TABLE "+name+".t (x int)"); err != nil {
			t.Fatal(err)
		}
	})
	if n := query1(t, dsn, "SELECT count(*)::int FROM pg_namespace WHERE nspname = $1", name); n != 0 {
		t.Fatalf("schema %s still exists after the test", name)
	}
}

func TestRole(t *testing.T) {
	dsn := pgtest.DSN(t)
	for _, canCreate := range []bool{false, true} {
		roleDSN := pgtest.Role(t, dsn, canCreate)
		pw := pgtest.Password(roleDSN)
		if !strings.HasPrefix(pw, "fwsecret") {
			t.Fatalf("password %q is not distinctive", pw)
		}
		if strings.Contains(pgtest.Redact(roleDSN), pw) {
			t.Fatalf("Redact kept the password")
		}
		got := query1(t, roleDSN, "SELECT has_database_privilege(current_database(), 'CREATE')::int")
		if (got == 1) != canCreate {
			t.Fatalf("canCreate=%v: has CREATE = %d", canCreate, got)
		}
	}
}

func TestPrivateServerRestart(t *testing.T) {
	s := pgtest.Start(t)
	query1(t, s.DSN, "SELECT 1")
	conn, err := pgx.Connect(context.Background(), s.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	s.Stop(t)
	if c, err := pgx.Connect(context.Background(), s.DSN); err == nil {
		c.Close(context.Background())
		t.Fatal("connected to a stopped server")
	}
	s.Start(t)
	if n := query1(t, s.DSN, "SELECT x FROM kept"); n != 7 {
		t.Fatalf("data not kept across a restart: %d", n)
	}
}
