package command

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frameworm/frameworm/internal/connstr"
)

// The password of a PostgreSQL connection string is never printed. The
// backend's messages never hold it (they name host, port, database and
// user), and nor do the commands'. As a last guard, a command whose
// backend block (or environment) gives a password writes its output
// through redactWriter, which replaces the password with "***", in every
// form connstr.Secrets finds it in, longest first: a diagnostic's source
// snippet of a conn_str line, say, or an error text that echoed the
// connection string. Passwords shorter than minRedacted are not
// replaced, since they would match ordinary words of the output.

// minRedacted is the length from which a password is redacted from the
// output.
const minRedacted = 4

// learnSecrets collects the passwords the command's backend block may
// use, and routes its output through redactWriter when there are any.
func (m *Meta) learnSecrets() {
	b, _ := m.backendBlock()
	if b == nil {
		return // without a backend block, no command connects to a database
	}
	conn := m.connStr(b)
	candidates := connstr.Secrets(conn)
	if cfg, err := pgconn.ParseConfig(conn); err == nil {
		candidates = append(candidates, cfg.Password) // with PGPASSWORD or ~/.pgpass
	}
	candidates = append(candidates, connstr.Secrets(m.getenv("FW_PG_CONN_STR"))...)
	candidates = append(candidates, m.getenv("PGPASSWORD"))
	for _, c := range candidates {
		if len(c) >= minRedacted && !slices.Contains(m.secrets, c) {
			m.secrets = append(m.secrets, c)
		}
	}
	if len(m.secrets) == 0 {
		return
	}
	// Longest first: replacing "a" (pgx's reading of fw:a@b@c) before
	// "a@b@c" would leave "@b@c".
	slices.SortStableFunc(m.secrets, func(a, b string) int { return len(b) - len(a) })
	secrets := make([][]byte, len(m.secrets))
	for i, s := range m.secrets {
		secrets[i] = []byte(s)
	}
	if m.Stdout != nil {
		m.Stdout = &redactWriter{w: m.Stdout, secrets: secrets}
	}
	if m.Stderr != nil {
		m.Stderr = &redactWriter{w: m.Stderr, secrets: secrets}
	}
}

// redact replaces the known passwords in s.
func (m *Meta) redact(s string) string {
	for _, p := range m.secrets {
		s = strings.ReplaceAll(s, p, "***")
	}
	return s
}

// redactWriter replaces secrets in what is written through it. A secret
// split across two writes is not caught: the views write whole lines.
type redactWriter struct {
	w       io.Writer
	secrets [][]byte
}

func (r *redactWriter) Write(p []byte) (int, error) {
	q := p
	for _, s := range r.secrets {
		if bytes.Contains(q, s) {
			q = bytes.ReplaceAll(q, s, []byte("***"))
		}
	}
	if _, err := r.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

// unwrapWriter returns the writer under a redactWriter.
func unwrapWriter(w io.Writer) io.Writer {
	if r, ok := w.(*redactWriter); ok {
		return r.w
	}
	return w
}
