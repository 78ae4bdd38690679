package pg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frameworm/frameworm/internal/connstr"
)

// scrubSecrets replaces every secret in s by "***", longest first. If a
// secret is still there after that (the replacements made one), it returns
// a placeholder instead of s.
func scrubSecrets(s string, secrets []string) string {
	sorted := slices.DeleteFunc(slices.Clone(secrets), func(sec string) bool { return sec == "" })
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range sorted {
		s = strings.ReplaceAll(s, sec, "***")
	}
	if showsSecret(s, sorted) {
		return withheld
	}
	return s
}

// showsSecret reports whether s holds any non-empty secret.
func showsSecret(s string, secrets []string) bool {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// withheld is what scrubSecrets gives for a text it cannot clean.
const withheld = "(text withheld: it may hold the password)"

// parseError is the error of a connection string pgx cannot parse. It
// names the string with its passwords masked (connstr.Redact) and the
// host and database it names, and gives pgx's reason, scrubbed of the
// secrets: pgx quotes parts of the string, and a malformed one can defeat
// its own masking. It does not wrap err, whose ConnString is the string
// as written.
func parseError(err error, connStr string, secrets []string) error {
	reason := parseReason(err, connStr, secrets)
	if strings.TrimSpace(connStr) == "" {
		return fmt.Errorf("the PostgreSQL connection settings of the PG* environment variables are not valid: %s; correct them, or give a connection string in conn_str or FW_PG_CONN_STR", reason)
	}
	what := strconv.Quote(connstr.Redact(connStr))
	if named := namedIn(connStr); named != "" {
		what += " (" + named + ")"
	}
	return fmt.Errorf("the PostgreSQL connection string %s is not valid: %s; %s", what, reason, parseErrorAdvice)
}

// namedIn says which server and database a connection string names, as
// connstr.Names reads them (never a password): "host 127.0.0.1:5432,
// database "ci"", or "" when it names neither.
func namedIn(connStr string) string {
	host, port, database, _ := connstr.Names(connStr)
	var parts []string
	if host != "" {
		hosts := strings.Split(host, ",")
		ports := strings.Split(port, ",")
		for i, h := range hosts {
			if i < len(ports) && ports[i] != "" {
				hosts[i] = net.JoinHostPort(h, ports[i])
			}
		}
		shown := strings.Join(hosts, ",")
		if q := strconv.Quote(shown); q[1:len(q)-1] != shown || strings.Contains(shown, " ") {
			shown = q // with spaces, quotes or control characters
		}
		parts = append(parts, "host "+shown)
	}
	if database != "" {
		parts = append(parts, "database "+strconv.Quote(database))
	}
	return strings.Join(parts, ", ")
}

const parseErrorAdvice = "write it as a URL (postgres://USER@HOST:PORT/DATABASE) or as key=value pairs (host=HOST port=PORT dbname=DATABASE user=USER), in conn_str or FW_PG_CONN_STR"

// parseReason is pgx's reason for refusing a connection string, without the
// string, scrubbed of the secrets. A fragment of the string it quotes is
// kept only if connstr.Redact shows it too: pgx quotes a part of a
// malformed string (missing "=" after "WORD"), which may be a piece of a
// password that no secret matches whole. Its masks ("***") are checked
// too: a secret of asterisks would show in them, and the reason is then
// withheld whole.
func parseReason(err error, connStr string, secrets []string) string {
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `CONNSTR`: REASON": keep the reason, not the string.
		if i := strings.Index(msg, "`: "); i >= 0 {
			msg = msg[i+3:]
		}
	}
	reason := hideQuoted(scrubSecrets(msg, secrets), connstr.Redact(connStr))
	if showsSecret(reason, secrets) {
		return withheld
	}
	return reason
}

// hideQuoted replaces each "quoted" fragment of msg that shown does not
// hold by "***".
func hideQuoted(msg, shown string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		j := i + 1
		for j < len(msg) && msg[j] != '"' {
			if msg[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(msg) { // no closing quote: the rest is the fragment
			b.WriteString(msg[:i+1])
			if !strings.Contains(shown, msg[i+1:]) {
				msg = "***"
			} else {
				msg = msg[i+1:]
			}
			break
		}
		b.WriteString(msg[:i+1])
		if frag := msg[i+1 : j]; frag == "" || strings.Contains(shown, frag) {
			b.WriteString(frag)
		} else {
			b.WriteString("***")
		}
		b.WriteByte('"')
		msg = msg[j+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// Why a connection failed, from the server's error codes.
const (
	codeInvalidPassword  = "28P01"
	codeInvalidAuth      = "28000"
	codeNoDatabase       = "3D000"
	codeNoPrivilege      = "42501"
	codeTooManyConns     = "53300"
	codeAdminShutdown    = "57P01"
	codeCrashShutdown    = "57P02"
	codeCannotConnectNow = "57P03"
)

// openError explains why Open could not reach the database: host, port,
// database and user, and what to do. It never holds the password.
func (b *Backend) openError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeInvalidPassword:
			return b.wrapf(err, "cannot connect to %s: the server refused the password; check the user and password (set them in FW_PG_CONN_STR, PGPASSWORD or ~/.pgpass rather than in a search file)", b.where)
		case codeInvalidAuth:
			return b.wrapf(err, "cannot connect to %s: the server does not let this user in from here (pg_hba.conf); ask its administrator, or check the user, database and sslmode in the connection string", b.where)
		case codeNoDatabase:
			return b.wrapf(err, "cannot connect to %s: the database %q does not exist; create it (createdb %s) or fix the database in the connection string", b.where, b.connCfg.Database, b.connCfg.Database)
		case codeTooManyConns:
			return b.wrapf(err, "cannot connect to %s: the server has no free connection slot; retry later, or raise max_connections", b.where)
		}
	}
	if isConnErr(err) {
		return b.wrapf(err, "cannot connect to %s; is the server running and reachable there? Check the host and port of the connection string (conn_str, FW_PG_CONN_STR or PGHOST/PGPORT)", b.where)
	}
	return b.wrapf(err, "cannot use %s", b.where)
}

// isConnErr reports whether err says the connection to the server failed or
// broke (as opposed to the server refusing a statement): what writes retry.
func isConnErr(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection_exception
			pgErr.Code == codeAdminShutdown, pgErr.Code == codeCrashShutdown, pgErr.Code == codeCannotConnectNow:
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true
	}
	if pgconn.SafeToRetry(err) {
		return true
	}
	return strings.Contains(err.Error(), "conn closed")
}

// outcomeUnknown reports whether a failed write may have been committed
// all the same: the connection broke (or the wait was cancelled) after the
// statement was sent. A statement the server refused, or one never sent,
// changed nothing.
func outcomeUnknown(err error) bool {
	var pgErr *pgconn.PgError
	var ce *pgconn.ConnectError
	if err == nil || errors.As(err, &pgErr) || errors.As(err, &ce) || pgconn.SafeToRetry(err) {
		return false
	}
	return isConnErr(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// settle says whether a write is still of unknown outcome after one more
// attempt that ended with err: an attempt that reached the server settles
// it (a later attempt checks whether an earlier one was committed); one
// that broke after sending makes it unknown; one that could not connect
// leaves it as it was.
func settle(unsure bool, err error) bool {
	switch {
	case outcomeUnknown(err):
		return true
	case err == nil || !isConnErr(err):
		return false
	}
	return unsure
}
