package command

import (
	"bytes"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// The password of a PostgreSQL connection string is never printed. The
// backend's messages never hold it (they name host, port, database and
// user), and nor do the commands'. As a last guard, a command whose
// backend block (or environment) gives a password writes its output
// through redactWriter, which replaces the password with "***": a
// diagnostic's source snippet of a conn_str line, say, or an error text
// that echoed the connection string. Passwords shorter than
// minRedacted are not replaced, since they would match ordinary words of
// the output.

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
	candidates := passwordsOf(conn)
	if cfg, err := pgconn.ParseConfig(conn); err == nil {
		candidates = append(candidates, cfg.Password) // with PGPASSWORD or ~/.pgpass
	}
	candidates = append(candidates, passwordsOf(m.getenv("FW_PG_CONN_STR"))...)
	candidates = append(candidates, m.getenv("PGPASSWORD"))
	for _, c := range candidates {
		if len(c) >= minRedacted && !slices.Contains(m.secrets, c) {
			m.secrets = append(m.secrets, c)
		}
	}
	if len(m.secrets) == 0 {
		return
	}
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

// passwordsOf returns the passwords a connection string spells out, in a
// URL's user info or as password=... in the key=value form, without
// reading the environment or any file. It is forgiving: it is used on
// strings pgx may refuse.
func passwordsOf(conn string) []string {
	var out []string
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		if u, err := url.Parse(conn); err == nil {
			if p, ok := u.User.Password(); ok {
				out = append(out, p)
			}
			out = append(out, u.Query()["password"]...)
		}
		// A URL that does not parse: take what lies between the
		// first ':' after the scheme and the last '@'.
		rest := conn[strings.Index(conn, "://")+3:]
		if at := strings.LastIndexByte(rest, '@'); at > 0 {
			if c := strings.IndexByte(rest[:at], ':'); c >= 0 {
				p := rest[c+1 : at]
				out = append(out, p)
				if q, err := url.PathUnescape(p); err == nil {
					out = append(out, q)
				}
			}
		}
		return out
	}
	// key = value, value possibly 'quoted' with \' and \\ escapes.
	s := conn
	for {
		i := strings.Index(s, "password")
		if i < 0 {
			return out
		}
		s = strings.TrimLeft(s[i+len("password"):], " \t\n\r")
		if !strings.HasPrefix(s, "=") {
			continue
		}
		s = strings.TrimLeft(s[1:], " \t\n\r")
		var v strings.Builder
		if strings.HasPrefix(s, "'") {
			j := 1
			for ; j < len(s) && s[j] != '\''; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				v.WriteByte(s[j])
			}
			out = append(out, v.String(), s[1:min(j, len(s))])
			s = s[min(j+1, len(s)):]
			continue
		}
		end := strings.IndexAny(s, " \t\n\r")
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
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
