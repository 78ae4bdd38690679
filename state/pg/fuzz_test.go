package pg

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frameworm/frameworm/internal/connstr"
)

// FuzzParseError: the error of a connection string pgx refuses names it
// redacted (connstr.Redact), and shows none of its secrets elsewhere; a
// password written raw into a refused URL or key=value string (made
// distinctive, so that it cannot be a word of the message) never shows.
// Nothing may panic. The seeds are in testdata/fuzz/FuzzParseError.
func FuzzParseError(f *testing.F) {
	for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGSERVICE", "PGSSLPASSWORD", "PGOPTIONS", "PGTARGETSESSIONATTRS"} {
		f.Setenv(k, "")
	}
	f.Setenv("PGPASSFILE", "/nonexistent/pgpass")
	f.Setenv("PGSERVICEFILE", "/nonexistent/pg_service.conf")
	f.Fuzz(func(t *testing.T, s, user, password, host string) {
		checkParseError(t, s, "")
		if password == "" {
			return
		}
		pw := "Zq" + password + "Zq"
		for _, c := range [][2]string{
			{"postgres://" + user + ":", "@" + host + "/db?sslmode=bogus"},
			{"postgres://" + host + "/db?password=", "&sslmode=bogus"},
			{"host=" + host + " user=" + user + " password=", " sslmode=bogus dbname=db"},
			{"host=" + host + " password='", "' port=x"},
		} {
			checkParseError(t, c[0]+pw+c[1], pw)
		}
	})
}

// checkParseError checks the error of Open's parsing of s, if pgx refuses
// s: it names connstr.Redact(s), and shows no secret of s elsewhere, nor
// pw unless s has it outside the password.
func checkParseError(t *testing.T, s, pw string) {
	_, err := pgconn.ParseConfig(s)
	if err == nil {
		return
	}
	secrets := connstr.Secrets(s)
	msg := parseError(err, s, secrets).Error()
	named := strconv.Quote(connstr.Redact(s))
	if strings.TrimSpace(s) != "" && !strings.Contains(msg, named) {
		t.Fatalf("the error of %q does not name %s: %s", s, named, msg)
	}
	reason := parseReason(err, s, secrets)
	for _, sec := range secrets {
		if reason != withheld && strings.Contains(reason, sec) {
			t.Fatalf("the error of %q shows %q: %s", s, sec, reason)
		}
	}
	if pw != "" && strings.Contains(msg, pw) && strings.Count(s, pw) < 2 {
		t.Fatalf("the error of %q shows the password %q: %s", s, pw, msg)
	}
}

func TestParseError(t *testing.T) {
	for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGSERVICE"} {
		t.Setenv(k, "")
	}
	for _, tc := range []struct {
		name, in string
		want     string // the message up to "; write it as"
	}{
		{"url", "postgres://fw:s3cret@127.0.0.1:5432/ci?sslmode=bogus",
			`the PostgreSQL connection string "postgres://fw:***@127.0.0.1:5432/ci?sslmode=bogus" (host 127.0.0.1:5432, database "ci") is not valid: failed to configure TLS (sslmode is invalid)`},
		{"several hosts", "postgres://h1:5432,[::1]:6543/d%20b?password=s3cret&sslmode=bogus",
			`the PostgreSQL connection string "postgres://h1:5432,[::1]:6543/d%20b?password=***&sslmode=bogus" (host h1:5432,[::1]:6543, database "d b") is not valid: failed to configure TLS (sslmode is invalid)`},
		{"host with a space", "host='a b' password=s3cret sslmode=bogus",
			`the PostgreSQL connection string "host='a b' password=*** sslmode=bogus" (host "a b") is not valid: failed to configure TLS (sslmode is invalid)`},
		// pgx quotes the word after the host's quoted value: a piece of
		// the password, which Redact hides.
		{"quoted fragment", "host=' password='s3cret' port=x",
			`the PostgreSQL connection string "host=' password=***" is not valid: failed to parse as keyword/value (missing "=" after "***" in connection info string)`},
		{"environment", "",
			`the PostgreSQL connection settings of the PG* environment variables are not valid`},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			if tc.in == "" {
				t.Setenv("PGHOST", "127.0.0.1") // over TCP: with TLS settings
				t.Setenv("PGSSLMODE", "bogus")
			}
			_, err := pgconn.ParseConfig(tc.in)
			if err == nil {
				t.Fatalf("pgx parses %q", tc.in)
			}
			got := parseError(err, tc.in, connstr.Secrets(tc.in)).Error()
			if !strings.HasPrefix(got, tc.want) || strings.Contains(got, "s3cret") {
				t.Errorf("parseError(%q) =\n%s\nwant it to start with\n%s", tc.in, got, tc.want)
			}
		})
	}
}

func TestHideQuoted(t *testing.T) {
	for _, tc := range []struct{ msg, shown, want string }{
		{`missing "=" after "pw'" in x`, "host=' password=***", `missing "=" after "***" in x`},
		{`invalid port "5432x"`, "postgres://h:5432x/db", `invalid port "5432x"`},
		{`a "b\"c" d`, "b", `a "***" d`},
		{`unclosed "tail`, "x", `unclosed "***`},
		{`empty "" kept`, "", `empty "" kept`},
	} {
		if got := hideQuoted(tc.msg, tc.shown); got != tc.want {
			t.Errorf("hideQuoted(%q, %q) = %q, want %q", tc.msg, tc.shown, got, tc.want)
		}
	}
}

func TestScrubSecrets(t *testing.T) {
	for _, tc := range []struct {
		in      string
		secrets []string
		want    string
	}{
		{"user:pw@host", []string{"pw"}, "user:***@host"},
		{"abcabc", []string{"abc", "abcabc"}, "***"},
		{"a*b", []string{"*"}, "(text withheld: it may hold the password)"},
		{"nothing here", []string{"", "zz"}, "nothing here"},
	} {
		if got := scrubSecrets(tc.in, tc.secrets); got != tc.want {
			t.Errorf("scrubSecrets(%q, %q) = %q, want %q", tc.in, tc.secrets, got, tc.want)
		}
	}
}

func TestSettle(t *testing.T) {
	refused := &pgconn.ConnectError{Config: &pgconn.Config{}}
	for _, tc := range []struct {
		name   string
		unsure bool
		err    error
		want   bool
	}{
		{"success settles", true, nil, false},
		{"server refusal settles", true, &pgconn.PgError{Code: "23505"}, false},
		{"our own refusal settles", true, errors.New("another process wrote serial 3"), false},
		{"broken after sending: unknown", false, io.ErrUnexpectedEOF, true},
		{"cancelled while waiting: unknown", false, context.Canceled, true},
		{"could not connect: as before (unsure)", true, refused, true},
		{"could not connect: as before (sure)", false, refused, false},
	} {
		if got := settle(tc.unsure, tc.err); got != tc.want {
			t.Errorf("%s: settle(%v, %v) = %v, want %v", tc.name, tc.unsure, tc.err, got, tc.want)
		}
	}
}
