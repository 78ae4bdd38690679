// Package connstr reads PostgreSQL connection strings (a backend block's
// conn_str, FW_PG_CONN_STR) for what they must never show: their
// passwords. It is the one place that knows where a password sits in
// one; the language masks diagnostic snippets with it, the pg backend
// scrubs the driver's error texts and the commands guard their output.
//
// Connection strings are libpq's: a URL starting with postgres:// or
// postgresql://, or key=value settings separated by white space. The
// package reads them the way the PostgreSQL driver (pgx, which follows
// libpq) does, so that a string Check accepts is one the driver accepts,
// without the driver's side effects (it reads the PG* environment
// variables and the password file).
//
// The contract, for any string, parsed or not (none of the functions
// panics or fails on any input):
//
//   - Spans(s) are the byte ranges of s that hold a password: exactly the
//     passwords of a string the driver parses unambiguously, generously
//     more (up to the rest of the string) where a malformed string leaves
//     a password's extent unknown.
//   - Redact(s) is s with each span replaced by "***": it still names the
//     server, port, database and user, and the driver finds no password
//     in it but "***".
//   - Secrets(s) are the texts in which a password of s may show in a
//     message: each span as written and decoded, and every password the
//     driver reads from s. Replacing each of them in a text that quotes s
//     (or a part of it) leaves no password there.
//   - Names(s) are the server, port, database and user s names, read from
//     Redact(s): for messages that must say which database is meant.
//   - Check(s) says whether the driver accepts s and whether s sets a
//     password; its error says what is wrong and where, never quoting s.
//
// Nothing here ever puts a password into an error. FuzzRedact checks all
// of this against the driver's own parser.
package connstr

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Mask replaces every password in Redact's result.
const Mask = "***"

const (
	urlPrefix     = "postgres://"
	urlPrefixLong = "postgresql://"
	kvSpace       = " \t\n\r\v\f"
)

// Redact returns s with every password replaced by "***": the
// password of a URL's user information, and the value of every setting
// whose name contains "password" (password, sslpassword), in a URL's
// query or in key=value form. The rest is kept as written, so the result
// still says which server, database and user s names.
//
// It accepts any string. For one that is not a valid connection string,
// where a password's extent cannot be known, it masks generously: in a
// URL whose parts are ambiguous, everything before its last '@'; after a
// key=value syntax error, everything from the first password setting on.
func Redact(s string) string {
	spans := Spans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(Mask)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Spans returns the byte ranges [start, end) of s that
// Redact replaces, in order and disjoint; none is empty. They are
// ranges of s as written (a URL's password still percent-encoded, a quoted
// value inside its quotes, which stay), so a caller can mask them in the
// source s came from.
func Spans(s string) [][2]int {
	var spans [][2]int
	if isURL(s) {
		spans = urlSecrets(s)
	} else {
		spans = kvSecrets(s)
	}
	return normalizeSpans(append(spans, lookalikes(s)...))
}

// lookalikes returns the values of whatever reads "password=VALUE" (any
// case, spaces around '=') anywhere in s, though the driver reads no
// password setting there: in a key=value setting's value that swallowed
// it (host= password=x is the host "password=x"), in options, in a
// query. Inside a key=value setting's value, VALUE runs to the end of
// that value; in key=value settings with a syntax error, to the end of s;
// elsewhere to the next white space outside quotes (or '&', in a URL).
func lookalikes(s string) [][2]int {
	var spans [][2]int
	url := strings.Contains(s, "://")
	var pairs []kvPair
	var kvErr error
	if !url {
		pairs, _, kvErr = scanKV(s)
	}
	lower := asciiLower(s)
	for from := 0; ; {
		k := strings.Index(lower[from:], "password")
		if k < 0 {
			return spans
		}
		from += k + len("password")
		i := skipSpace(s, from)
		if i == len(s) || s[i] != '=' {
			continue
		}
		start := skipSpace(s, i+1)
		end := -1
		for _, p := range pairs {
			// Inside the value, or the value itself, quoted or not.
			if p.start <= start && start < p.end || p.start == start+1 {
				start, end = max(start, p.start), p.end
			}
		}
		switch {
		case kvErr != nil:
			end = len(s) // after a syntax error, where it ends is unknown
		case end < 0:
			end = wordEnd(s, start, url)
		}
		spans = append(spans, [2]int{start, end})
	}
}

// wordEnd is where a value starting at s[i] ends: at white space outside
// single quotes (a backslash escapes the byte after it), or at '&' in a
// URL.
func wordEnd(s string, i int, url bool) int {
	quoted := false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && !url:
			i++
		case c == '\'':
			quoted = !quoted
		case !quoted && (isSpace(c) || url && c == '&'):
			return i
		}
	}
	return len(s)
}

// Secrets returns the texts in which a password of s may show in a
// message, longest readings and shortest alike, without duplicates and
// none empty: each span of Spans as written, and each password as the
// driver reads it (a URL's user information up to its first '@' as well
// as its last; the first word of a key=value password that a syntax
// error follows), each also decoded (percent-decoded as libpq and as
// Go's url.QueryUnescape do, and key=value backslash-unescaped). Every
// password the driver finds in s is among them.
//
// A caller scrubbing a text of them replaces the longest first. Short
// ones (a password "a") match ordinary words: whether to replace them
// anyway is the caller's choice.
func Secrets(s string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	addForms := func(raw string) {
		add(raw)
		add(decodeLenient(raw))
		if v, err := url.QueryUnescape(raw); err == nil {
			add(v)
		}
		add(unescapeKV(raw))
	}
	for _, sp := range Spans(s) {
		addForms(s[sp[0]:sp[1]])
	}
	for _, sp := range readings(s) {
		if sp[0] < sp[1] {
			addForms(s[sp[0]:sp[1]])
		}
	}
	if isURL(s) {
		if settings, err := parseURL(s); err == nil {
			for _, v := range sortedSecretSettings(settings) {
				add(v)
			}
		}
	} else if pairs, _, _ := scanKV(s); len(pairs) > 0 {
		for _, p := range pairs {
			if isSecretKey(p.key) {
				add(p.value)
			}
		}
	}
	return out
}

// sortedSecretSettings returns the password settings of settings in the
// order of their names, so that Secrets' result does not depend on map
// order.
func sortedSecretSettings(settings map[string]string) []string {
	var keys []string
	for k, v := range settings {
		if v != "" && isSecretKey(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = settings[k]
	}
	return out
}

// readings returns the ranges of s that hold a password under each
// reading of a malformed string, unmerged and possibly overlapping: a
// URL's user information password ending at its first '@' and at its
// last, its query's password values from the first '?' after either, and
// the password values of key=value settings read up to a syntax error
// (and, after one, what looks like a URL's user information). On a
// string the driver parses, they are its passwords as written.
func readings(s string) [][2]int {
	var out [][2]int
	off := 0
	switch {
	case strings.HasPrefix(s, urlPrefixLong):
		off = len(urlPrefixLong)
	case strings.HasPrefix(s, urlPrefix):
		off = len(urlPrefix)
	case hasOtherScheme(s):
		off = strings.Index(s, "://") + 3
	default:
		pairs, _, err := scanKV(s)
		for _, p := range pairs {
			if isSecretKey(p.key) {
				out = append(out, [2]int{p.start, p.end})
			}
		}
		if err == nil {
			return out // the settings are certain: an '@' is no user information
		}
	}
	p := s[off:]
	// The driver's reading ends at the first '@' (when no '/' comes
	// before it); a password with an unencoded '@' ends at the last.
	for _, at := range []int{strings.IndexByte(p, '@'), strings.LastIndexByte(p, '@')} {
		if at < 0 {
			continue
		}
		if c := strings.IndexByte(p[:at], ':'); c >= 0 {
			out = append(out, [2]int{off + c + 1, off + at})
		}
		if q := strings.IndexByte(p[at+1:], '?'); q >= 0 {
			out = append(out, querySecrets(s, off+at+1+q+1, false)...)
		}
	}
	if q := strings.IndexByte(p, '?'); q >= 0 {
		out = append(out, querySecrets(s, off+q+1, false)...)
	}
	return out
}

// Names returns the server, port, database and user that s names, as the
// driver reads them (comma-separated lists for several hosts), for
// messages; each is empty where s does not say or cannot be read. They
// are read from Redact(s), so none holds a password: a part that holds
// the mask is left empty.
func Names(s string) (host, port, database, user string) {
	r := Redact(s)
	settings := map[string]string{}
	switch {
	case isURL(r):
		if parsed, err := parseURL(r); err == nil {
			settings = parsed
		}
	case hasOtherScheme(r):
	default:
		pairs, _, _ := scanKV(r) // the settings before a syntax error
		for _, p := range pairs {
			settings[p.key] = p.value
		}
	}
	get := func(key string) string {
		if v := settings[key]; !strings.Contains(v, Mask) {
			return v
		}
		return ""
	}
	return get("host"), get("port"), get("database"), get("user")
}

// Check checks that s is a connection string the PostgreSQL driver
// accepts: a postgres:// or postgresql:// URL, or libpq key=value
// settings, with numeric ports. It reports whether s sets a password. Its
// error says what is wrong and where, and never quotes s.
func Check(s string) (hasPassword bool, err error) {
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

// asciiLower lowers the ASCII letters of s and keeps every other byte, so
// that an index in the result is one in s (strings.ToLower and
// strings.Map replace invalid UTF-8, changing lengths).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
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
	// A NUL byte is an error of Check; scanning on finds the
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
	if k := strings.Index(asciiLower(s[errAt:]), "password"); k >= 0 {
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
