package definition

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Connection strings of the pg backend (conn_str, FW_PG_CONN_STR) are
// libpq's: a URL starting with postgres:// or postgresql://, or key=value
// settings separated by white space. The functions here read them the way
// the PostgreSQL driver (pgx, which follows libpq) does, so that a string
// they accept is one the driver accepts, without the driver's side
// effects (it reads the PG* environment variables and the password file).
//
// Nothing here ever puts a password into an error: errors name the part
// of the string that is wrong, never its text.

// redactMask replaces every password in RedactConnStr's result.
const redactMask = "***"

const (
	urlPrefix     = "postgres://"
	urlPrefixLong = "postgresql://"
	kvSpace       = " \t\n\r\v\f"
)

// RedactConnStr returns s with every password replaced by "***": the
// password of a URL's user information, and the value of every setting
// whose name contains "password" (password, sslpassword), in a URL's
// query or in key=value form. The rest is kept as written, so the result
// still says which server, database and user s names.
//
// It accepts any string. For one that is not a valid connection string,
// where a password's extent cannot be known, it masks generously: in a
// URL whose parts are ambiguous, everything before its last '@'; after a
// key=value syntax error, everything from the first password setting on.
func RedactConnStr(s string) string {
	spans := ConnStrSecrets(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(redactMask)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// ConnStrSecrets returns the byte ranges [start, end) of s that
// RedactConnStr replaces, in order and disjoint; none is empty. They are
// ranges of s as written (a URL's password still percent-encoded, a quoted
// value inside its quotes, which stay), so a caller can mask them in the
// source s came from.
func ConnStrSecrets(s string) [][2]int {
	var spans [][2]int
	if isURL(s) {
		spans = urlSecrets(s)
	} else {
		spans = kvSecrets(s)
	}
	return normalizeSpans(spans)
}

// CheckConnStr checks that s is a connection string the PostgreSQL driver
// accepts: a postgres:// or postgresql:// URL, or libpq key=value
// settings, with numeric ports. It reports whether s sets a password. Its
// error says what is wrong and where, and never quotes s.
func CheckConnStr(s string) (hasPassword bool, err error) {
	if strings.TrimLeft(s, kvSpace) == "" {
		return false, errors.New("the connection string is empty")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return false, errors.New("the connection string holds a NUL byte")
	}
	var settings map[string]string
	switch {
	case isURL(s):
		settings, err = parseURL(s)
	case hasOtherScheme(s):
		return false, errors.New("it is a URL, but not a PostgreSQL one: a connection URL starts with postgres:// or postgresql://")
	default:
		var pairs []kvPair
		pairs, _, err = scanKV(s)
		if err == nil {
			settings = map[string]string{}
			for _, p := range pairs {
				settings[p.key] = p.value
			}
		}
	}
	if err != nil {
		return false, err
	}
	if port, ok := settings["port"]; ok {
		for part := range strings.SplitSeq(port, ",") {
			if part == "" {
				continue
			}
			n, perr := strconv.Atoi(part)
			if perr != nil || n < 1 || n > 65535 {
				return false, errors.New("a port is not a number from 1 to 65535")
			}
		}
	}
	for k, v := range settings {
		if v != "" && isSecretKey(k) {
			hasPassword = true
		}
	}
	return hasPassword, nil
}

// isURL reports whether the driver reads s as a URL.
func isURL(s string) bool {
	return strings.HasPrefix(s, urlPrefix) || strings.HasPrefix(s, urlPrefixLong)
}

// hasOtherScheme reports whether s starts like a URL of another scheme
// (mysql://, postgre://, http://).
func hasOtherScheme(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for j, r := range s[:i] {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case j > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// isSecretKey reports whether a setting's value is to be redacted: any
// name holding "password", in any case (the driver knows password and
// sslpassword; other spellings reach the server as run-time parameters,
// and are masked all the same).
func isSecretKey(key string) bool {
	return strings.Contains(strings.ToLower(key), "password")
}

// normalizeSpans drops empty spans, sorts and merges overlapping ones.
func normalizeSpans(spans [][2]int) [][2]int {
	var out [][2]int
	for _, sp := range spans {
		if sp[0] >= sp[1] {
			continue
		}
		out = append(out, sp)
	}
	// Spans come nearly sorted; insertion sort keeps this dependency-free
	// and fast for the handful there are.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j][0] < out[j-1][0]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], sp[1])
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// ---- key=value form ----

// kvPair is one key=value setting; [start, end) is its value as written
// in the string, inside its quotes if it is quoted.
type kvPair struct {
	key        string // canonical: dbname is database
	value      string // unescaped
	start, end int
}

// scanKV reads libpq key=value settings exactly as the driver does. On a
// syntax error it returns the pairs read so far (and, for a quoted value
// without its closing quote, that value up to the end of s) and the
// offset where the error is.
func scanKV(s string) (pairs []kvPair, errAt int, err error) {
	// A NUL byte is an error of CheckConnStr; scanning on finds the
	// password settings around it for the redaction.
	i := skipSpace(s, 0)
	for i < len(s) {
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return pairs, i, errors.New("it is neither a postgres:// URL nor key=value settings: text after the last setting has no '=' (write settings as host=db.example.com dbname=fw, or a URL)")
		}
		key := strings.Trim(s[i:i+eq], kvSpace)
		if key == "" {
			return pairs, i, errors.New("a setting has no name before its '='")
		}
		if strings.ContainsAny(key, kvSpace) {
			return pairs, i, errors.New("a setting's name is followed by a space instead of '=': settings are key=value separated by spaces, and a value with spaces is quoted, key='a b'")
		}
		j := skipSpace(s, i+eq+1)
		start, end := j, j
		var raw string
		switch {
		case j == len(s):
		case s[j] != '\'':
			for end < len(s) && !isSpace(s[end]) {
				if s[end] == '\\' {
					end++
					if end == len(s) {
						break
					}
				}
				end++
			}
			end = min(end, len(s))
			raw = s[start:end]
		default:
			k := j + 1
			for ; k < len(s) && s[k] != '\''; k++ {
				if s[k] == '\\' {
					k++
					if k == len(s) {
						break
					}
				}
			}
			if k >= len(s) {
				// The value runs to the end, for kvSecrets.
				pairs = append(pairs, kvPair{key: key, start: start + 1, end: len(s)})
				return pairs, start, errors.New("a quoted value has no closing quote")
			}
			raw = s[j+1 : k]
			start, end = j+1, k
		}
		if key == "dbname" {
			key = "database"
		}
		pairs = append(pairs, kvPair{key: key, value: unescapeKV(raw), start: start, end: end})
		i = skipSpace(s, end)
		if end < len(s) && s[end] == '\'' {
			i = skipSpace(s, end+1)
		}
	}
	return pairs, len(s), nil
}

func isSpace(c byte) bool { return strings.IndexByte(kvSpace, c) >= 0 }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// unescapeKV applies libpq's backslash rule: a backslash is dropped and
// the byte after it is taken literally.
func unescapeKV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i == len(s) {
				break
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// kvSecrets returns the password values of key=value settings. After a
// syntax error, a password's extent is unknown: everything from the first
// password value (or the first word "password") on is masked, and so is
// a URL-like user information (user:pass@) the driver would not read as
// a URL.
func kvSecrets(s string) [][2]int {
	pairs, errAt, err := scanKV(s)
	var spans [][2]int
	from := -1
	for _, p := range pairs {
		if isSecretKey(p.key) {
			spans = append(spans, [2]int{p.start, p.end})
			if from < 0 {
				from = p.start
			}
		}
	}
	if err == nil {
		return spans
	}
	if k := strings.Index(strings.ToLower(s[errAt:]), "password"); k >= 0 {
		at := errAt + k + len("password")
		if from < 0 || at < from {
			from = at
		}
	}
	if from >= 0 {
		spans = append(spans, [2]int{from, len(s)})
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		start := 0
		if i := strings.Index(s, "://"); i >= 0 && i < at {
			start = i + 3
		}
		spans = append(spans, [2]int{start, at})
	}
	return spans
}

// ---- URL form ----

// urlSecrets returns the password ranges of a URL. When the URL parses
// and nothing but the user information can hold an '@' and every port is
// a number, the parts are certain: the user information's password and
// the password settings of the query. Otherwise (a password holding an
// unencoded '/', '@' or space, say) everything before the last '@' is
// masked, or, without an '@', a non-numeric port; and a password setting
// of the query runs to the end of the string.
func urlSecrets(s string) [][2]int {
	off := len(urlPrefix)
	if strings.HasPrefix(s, urlPrefixLong) {
		off = len(urlPrefixLong)
	}
	p := s[off:]
	var spans [][2]int
	restOff := off
	if i := strings.IndexAny(p, "@/"); i >= 0 && p[i] == '@' {
		if c := strings.IndexByte(p[:i], ':'); c >= 0 {
			spans = append(spans, [2]int{off + c + 1, off + i})
		}
		restOff = off + i + 1
	}
	rest := s[restOff:]
	settings, err := parseURL(s)
	clean := err == nil && !strings.Contains(rest, "@") && numericPorts(settings["port"])
	if clean {
		if q := queryStart(rest); q >= 0 {
			spans = append(spans, querySecrets(s, restOff+q+1, false)...)
		}
		return spans
	}
	// Ambiguous.
	queryFrom := restOff
	if at := strings.LastIndexByte(s, '@'); at >= off {
		spans = append(spans, [2]int{off, at})
		queryFrom = at + 1
	} else {
		netloc := rest
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			netloc = rest[:i]
		}
		if c := strings.IndexByte(netloc, ':'); c >= 0 && !numericPorts(netloc[c+1:]) {
			spans = append(spans, [2]int{restOff + c + 1, restOff + len(netloc)})
		}
	}
	if q := strings.IndexByte(s[queryFrom:], '?'); q >= 0 {
		spans = append(spans, querySecrets(s, queryFrom+q+1, true)...)
	}
	return spans
}

// numericPorts reports whether a comma-separated port list holds only
// digits (or empty elements).
func numericPorts(ports string) bool {
	for i := 0; i < len(ports); i++ {
		if c := ports[i]; c != ',' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// queryStart is the index of the '?' starting the query of rest (the URL
// after its user information), or -1: '?' inside an IPv6 bracket at the
// start of a host is host data.
func queryStart(rest string) int {
	i := 0
	for {
		if i < len(rest) && rest[i] == '[' {
			end := strings.IndexByte(rest[i:], ']')
			if end < 0 {
				return strings.IndexByte(rest, '?')
			}
			i += end + 1
		}
		for i < len(rest) && rest[i] != '/' && rest[i] != '?' && rest[i] != ',' {
			i++
		}
		if i < len(rest) && rest[i] == ',' {
			i++
			continue
		}
		break
	}
	if i == len(rest) {
		return -1
	}
	if rest[i] == '?' {
		return i
	}
	if j := strings.IndexByte(rest[i:], '?'); j >= 0 {
		return i + j
	}
	return -1
}

// querySecrets returns the ranges of the password values of the query
// s[from:]. toEnd: a password value runs to the end of s (the query is
// malformed, so where it ends is unknown).
func querySecrets(s string, from int, toEnd bool) [][2]int {
	var spans [][2]int
	i := from
	for i <= len(s) {
		end := strings.IndexByte(s[i:], '&')
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		pair := s[i:end]
		if eq := strings.IndexByte(pair, '='); eq >= 0 && isSecretKey(decodeLenient(pair[:eq])) {
			if toEnd {
				return append(spans, [2]int{i + eq + 1, len(s)})
			}
			spans = append(spans, [2]int{i + eq + 1, end})
		}
		i = end + 1
	}
	return spans
}

// parseURL reads a connection URL as the driver does (libpq's rules,
// multiple hosts included) and returns its settings.
func parseURL(s string) (map[string]string, error) {
	settings := map[string]string{}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, errors.New("the connection string holds a NUL byte")
	}
	p, ok := strings.CutPrefix(s, urlPrefixLong)
	if !ok {
		p, _ = strings.CutPrefix(s, urlPrefix)
	}
	if i := strings.IndexAny(p, "@/"); i >= 0 && p[i] == '@' {
		user, password, hasPassword := strings.Cut(p[:i], ":")
		p = p[i+1:]
		if user != "" {
			v, err := uriDecode(user, "the user name")
			if err != nil {
				return nil, err
			}
			settings["user"] = v
		}
		if hasPassword && password != "" {
			v, err := uriDecode(password, "the password")
			if err != nil {
				return nil, err
			}
			settings["password"] = v
		}
	}
	var hosts, ports strings.Builder
	for {
		if strings.HasPrefix(p, "[") {
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, errors.New("an IPv6 host address has no closing ']'")
			}
			if end == 1 {
				return nil, errors.New("an IPv6 host address is empty")
			}
			hosts.WriteString(p[1:end])
			p = p[end+1:]
			if p != "" && !strings.ContainsRune(":/?,", rune(p[0])) {
				return nil, errors.New("an IPv6 host address is followed by something other than ':', '/' or '?'")
			}
		} else {
			i := strings.IndexAny(p, ":/?,")
			if i < 0 {
				i = len(p)
			}
			hosts.WriteString(p[:i])
			p = p[i:]
		}
		if strings.HasPrefix(p, ":") {
			p = p[1:]
			i := strings.IndexAny(p, "/?,")
			if i < 0 {
				i = len(p)
			}
			ports.WriteString(p[:i])
			p = p[i:]
		}
		if !strings.HasPrefix(p, ",") {
			break
		}
		p = p[1:]
		hosts.WriteByte(',')
		ports.WriteByte(',')
	}
	if hosts.Len() > 0 {
		v, err := uriDecode(hosts.String(), "the host")
		if err != nil {
			return nil, err
		}
		settings["host"] = v
	}
	if ports.Len() > 0 {
		v, err := uriDecode(ports.String(), "the port")
		if err != nil {
			return nil, err
		}
		settings["port"] = v
	}
	if strings.HasPrefix(p, "/") {
		db := p[1:]
		p = ""
		if i := strings.IndexByte(db, '?'); i >= 0 {
			db, p = db[:i], db[i:]
		}
		if db != "" {
			v, err := uriDecode(db, "the database name")
			if err != nil {
				return nil, err
			}
			settings["database"] = v
		}
	}
	if strings.HasPrefix(p, "?") {
		for pair := range strings.SplitSeq(p[1:], "&") {
			rawKey, rawValue, found := strings.Cut(pair, "=")
			if !found {
				return nil, errors.New("a query parameter of the URL has no '=': write ?key=value&key=value")
			}
			if strings.IndexByte(rawValue, '=') >= 0 {
				return nil, errors.New("a query parameter of the URL has a second '=' in its value: percent-encode it as %3D")
			}
			key, err := uriDecode(rawKey, "a query parameter's name")
			if err != nil {
				return nil, err
			}
			if key == "dbname" {
				key = "database"
			}
			what := "the value of a query parameter"
			if isSecretKey(key) {
				what = "a password in the query"
			}
			v, err := uriDecode(rawValue, what)
			if err != nil {
				return nil, err
			}
			settings[key] = v
		}
	}
	return settings, nil
}

// uriDecode percent-decodes one part of a URL with libpq's rules: '%'
// and two hex digits, no %00, spaces only at either end. what names the
// part for the error, which never quotes it.
func uriDecode(raw, what string) (string, error) {
	var b strings.Builder
	i := 0
	for i < len(raw) && raw[i] == ' ' {
		i++
	}
	for i < len(raw) && raw[i] != ' ' {
		if raw[i] != '%' {
			b.WriteByte(raw[i])
			i++
			continue
		}
		var hi, lo byte
		var ok1, ok2 bool
		if i+1 < len(raw) {
			hi, ok1 = hexDigit(raw[i+1])
		}
		if i+2 < len(raw) {
			lo, ok2 = hexDigit(raw[i+2])
		}
		if !ok1 || !ok2 {
			return "", fmt.Errorf("%s has a '%%' that is not followed by two hex digits: write %%25 for a literal '%%'", what)
		}
		c := hi<<4 | lo
		if c == 0 {
			return "", fmt.Errorf("%s holds %%00, which a connection string cannot carry", what)
		}
		b.WriteByte(c)
		i += 3
	}
	for i < len(raw) && raw[i] == ' ' {
		i++
	}
	if i < len(raw) {
		return "", fmt.Errorf("%s holds a space: write it %%20", what)
	}
	return b.String(), nil
}

// decodeLenient percent-decodes what it can and never fails: for
// recognizing a setting's name in a string that may not parse.
func decodeLenient(raw string) string {
	raw = strings.Trim(raw, " ")
	var b strings.Builder
	for i := 0; i < len(raw); {
		if raw[i] == '%' && i+2 < len(raw) {
			hi, ok1 := hexDigit(raw[i+1])
			lo, ok2 := hexDigit(raw[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 3
				continue
			}
		}
		b.WriteByte(raw[i])
		i++
	}
	return b.String()
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
