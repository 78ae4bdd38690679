package pg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// connStrSecrets returns what could be the password in a connection string,
// parsed or not: the password of a URL's userinfo (also of a URL too broken
// to parse), and the values of password= and sslpassword= in key=value form
// or in a URL's query. Error texts are scrubbed of each.
func connStrSecrets(s string) []string {
	var out []string
	add := func(v string) {
		if v != "" {
			out = append(out, v)
			if dec, err := url.PathUnescape(v); err == nil && dec != v {
				out = append(out, dec)
			}
			if dec, err := url.QueryUnescape(v); err == nil && dec != v {
				out = append(out, dec)
			}
		}
	}
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		// userinfo ends at the last '@' before the path: a password may
		// hold '@' and '/' when the URL is malformed.
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			userinfo := rest[:at]
			if c := strings.IndexByte(userinfo, ':'); c >= 0 {
				add(userinfo[c+1:])
			}
			// a shorter reading: up to the first '@'
			if at1 := strings.IndexByte(rest, '@'); at1 >= 0 && at1 != at {
				if c := strings.IndexByte(rest[:at1], ':'); c >= 0 {
					add(rest[c+1 : at1])
				}
			}
		}
		if u, err := url.Parse(s); err == nil {
			if u.User != nil {
				if p, ok := u.User.Password(); ok {
					add(p)
				}
			}
			for k, vs := range u.Query() {
				if strings.Contains(strings.ToLower(k), "password") {
					for _, v := range vs {
						add(v)
					}
				}
			}
		}
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			for _, kv := range strings.Split(rest[q+1:], "&") {
				if k, v, ok := strings.Cut(kv, "="); ok && strings.Contains(strings.ToLower(k), "password") {
					add(v)
				}
			}
		}
		return out
	}
	// key=value: values may be single-quoted with backslash escapes.
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '=')
		if j < 0 {
			break
		}
		key := strings.TrimSpace(s[i : i+j])
		if sp := strings.LastIndexAny(key, " \t\n"); sp >= 0 {
			key = key[sp+1:]
		}
		i += j + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val strings.Builder
		raw := i
		if i < len(s) && s[i] == '\'' {
			i++
			for i < len(s) && s[i] != '\'' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
			if i < len(s) {
				i++
			}
		} else {
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
		}
		if strings.Contains(strings.ToLower(key), "password") {
			add(val.String())
			add(s[raw:i])
		}
	}
	return out
}

// scrubSecrets replaces every secret in s by "***", longest first. If a
// secret is still there after that (the replacements made one), it returns
// a placeholder instead of s.
func scrubSecrets(s string, secrets []string) string {
	sorted := slices.DeleteFunc(slices.Clone(secrets), func(sec string) bool { return sec == "" })
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range sorted {
		s = strings.ReplaceAll(s, sec, "***")
	}
	for _, sec := range sorted {
		if strings.Contains(s, sec) {
			return "(text withheld: it may hold the password)"
		}
	}
	return s
}

// parseError is the error of a connection string pgx cannot parse. pgx's
// own message quotes the string with the password masked as best it can;
// it is scrubbed again here, since a malformed string can defeat that.
func parseError(err error, secrets []string) error {
	return fmt.Errorf("the PostgreSQL connection string is not valid: %s; %s", parseReason(err, secrets), parseErrorAdvice)
}

const parseErrorAdvice = "write it as a URL (postgres://USER@HOST:PORT/DATABASE) or as key=value pairs (host=HOST port=PORT dbname=DATABASE user=USER), in conn_str or FW_PG_CONN_STR"

// parseReason is pgx's reason for refusing a connection string, without the
// string, scrubbed of the secrets.
func parseReason(err error, secrets []string) string {
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `CONNSTR`: REASON": keep the reason, not the string.
		if i := strings.Index(msg, "`: "); i >= 0 {
			msg = msg[i+3:]
		}
	}
	return scrubSecrets(msg, secrets)
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
