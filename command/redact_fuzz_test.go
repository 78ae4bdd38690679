package command

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzPasswordsOf: passwordsOf takes any string, and finds the password
// of a URL and of a key=value connection string, however it is spelled.
func FuzzPasswordsOf(f *testing.F) {
	f.Add("postgres://u:pw@h/db", "s3cret")
	f.Add("host=h password='a b' dbname=d", "it's")
	f.Add("postgresql://u@h:5/db?password=x&sslmode=disable", `back\slash`)
	f.Add("password=", "@:/?#%")
	f.Add("postgres://:@", "pässwörd")
	f.Fuzz(func(t *testing.T, conn, pw string) {
		passwordsOf(conn) // any string: no panic
		if pw == "" {
			return
		}
		u := "postgres://user:" + url.PathEscape(pw) + "@host:5432/db?sslmode=disable"
		if got := passwordsOf(u); !slices.Contains(got, pw) {
			t.Errorf("passwordsOf(%q) = %q, want %q among them", u, got, pw)
		}
		quoted := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)
		kv := "host=h password='" + quoted + "' dbname=d"
		if got := passwordsOf(kv); !slices.Contains(got, pw) {
			t.Errorf("passwordsOf(%q) = %q, want %q among them", kv, got, pw)
		}
	})
}
