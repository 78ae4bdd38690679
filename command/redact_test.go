package command

import (
	"fmt"
	"strings"
	"testing"
)

// TestBackendBlockSnippets: every command that reads the backend block
// shows its diagnostics with their source line, init and state pull (which
// read only that block) as well as plan and validate, and none shows the
// password written in the block. No database is needed: the block is
// refused before any connection, or names a port nothing listens on.
func TestBackendBlockSnippets(t *testing.T) {
	const password = "Hunter2Secret"
	block := func(conn, extra string) string {
		return fmt.Sprintf("frameworm {\n  backend \"pg\" {\n    conn_str    = %q\n    workspace   = \"w\"\n%s  }\n}\n\n%s", conn, extra, valid)
	}
	all := [][]string{{"init"}, {"state", "pull"}, {"state", "push", "x.fwstate"}, {"state", "list"}, {"force-unlock"}, {"plan"}, {"show"}, {"validate"}}
	for _, tc := range []struct {
		name string
		src  string
		want []string // in stderr: where, and the snippet line
		args [][]string
	}{
		{
			name: "unsupported argument",
			src:  block("postgres://fw:"+password+"@127.0.0.1:1/ci", "    bogus       = 1\n"),
			want: []string{"Error: Unsupported argument", "on main.fw.hcl line 5, in frameworm:", "5:     bogus       = 1"},
			args: all,
		},
		{
			name: "invalid conn_str",
			src:  block("postgres://fw:"+password+"@127.0.0.1:notaport/ci", ""),
			want: []string{"Error: Invalid conn_str", "on main.fw.hcl line 3, in frameworm:", `3:     conn_str    = "postgres://`, `@127.0.0.1:notaport/ci"`},
			args: all,
		},
		{
			// A valid block: init warns of the password with the line's
			// snippet, then cannot connect.
			name: "password warning",
			src:  block("postgres://fw:"+password+"@127.0.0.1:1/ci?connect_timeout=5", ""),
			want: []string{"Warning: Password in a search file", "on main.fw.hcl line 3, in frameworm:", `3:     conn_str    = "postgres://fw:`, "Error: Cannot open the state", "127.0.0.1:1"},
			args: [][]string{{"init"}, {"plan"}},
		},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "main.fw.hcl", tc.src)
			for _, args := range tc.args {
				r := run(t, dir, "", args...)
				if r.code != 1 {
					t.Errorf("%v: exit %d, want 1\n%s%s", args, r.code, r.stdout, r.stderr)
				}
				for _, w := range tc.want {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("%v: stderr lacks %q:\n%s", args, w, r.stderr)
					}
				}
				if strings.Contains(r.stderr, "source code not available") {
					t.Errorf("%v: a diagnostic without its source:\n%s", args, r.stderr)
				}
				if out := r.stdout + r.stderr; strings.Contains(out, "Hunter2") || strings.Contains(out, "Secret") {
					t.Errorf("%v printed the password:\n%s", args, out)
				}
			}
		})
	}
}
