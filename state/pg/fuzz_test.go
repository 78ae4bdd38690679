package pg

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// FuzzConnStrSecrets: for any connection string pgx accepts, the password
// it finds there is among what connStrSecrets finds, so that scrubbing an
// error text that quotes the string leaves no password; and the error of a
// string pgx refuses holds none of the candidates. Nothing may panic. The
// seeds are in testdata/fuzz/FuzzConnStrSecrets.
func FuzzConnStrSecrets(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		secrets := connStrSecrets(s)
		scrubbed := scrubSecrets(s, secrets)
		cfg, err := pgconn.ParseConfig(s)
		if err != nil {
			msg := parseReason(err, secrets)
			for _, sec := range secrets {
				if sec != "" && strings.Contains(msg, sec) {
					t.Fatalf("the parse error of %q shows %q: %s", s, sec, msg)
				}
			}
			return
		}
		// The "***" put in place of a secret do not count.
		if pw := cfg.Password; pw != "" && strings.Contains(s, pw) && strings.Contains(strings.ReplaceAll(scrubbed, "***", "\x00"), pw) {
			t.Fatalf("%q scrubs to %q, which still holds the password %q", s, scrubbed, pw)
		}
	})
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
