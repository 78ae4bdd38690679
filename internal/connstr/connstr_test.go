package connstr

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"url with password", "postgres://fw:s3cret@db.internal:5432/frameworm", "postgres://fw:***@db.internal:5432/frameworm"},
		{"postgresql scheme", "postgresql://fw:s3cret@db/x", "postgresql://fw:***@db/x"},
		{"url without password", "postgres://fw@db.internal/frameworm", "postgres://fw@db.internal/frameworm"},
		{"url empty password", "postgres://fw:@db/x", "postgres://fw:@db/x"},
		{"url encoded password", "postgres://fw:p%40ss%2Fw@db/x?sslmode=disable", "postgres://fw:***@db/x?sslmode=disable"},
		{"url query password", "postgres://db/x?user=fw&password=s3cret&sslmode=require", "postgres://db/x?user=fw&password=***&sslmode=require"},
		{"url query sslpassword", "postgres://db/x?sslpassword=k3y", "postgres://db/x?sslpassword=***"},
		{"url query encoded key", "postgres://db/x?pass%77ord=s3cret", "postgres://db/x?pass%77ord=***"},
		{"url query uppercase key", "postgres://db/x?PASSWORD=s3cret", "postgres://db/x?PASSWORD=***"},
		{"url multiple hosts", "postgres://fw:s3cret@h1:5432,h2:5433/x", "postgres://fw:***@h1:5432,h2:5433/x"},
		{"url ipv6", "postgres://fw:s3cret@[::1]:5432/x", "postgres://fw:***@[::1]:5432/x"},
		{"url unencoded at in password", "postgres://fw:p@ss@db/x", "postgres://***@db/x"},
		{"url unencoded slash in password", "postgres://fw:pa/ss@db/x", "postgres://***@db/x"},
		{"url space in password", "postgres://fw:pa ss@db/x", "postgres://***@db/x"},
		{"url bad query, password to the end", "postgres://db/x?password=se&cret", "postgres://db/x?password=***"},
		{"url password where the port is", "postgres://fw:s3cret/x", "postgres://fw:***/x"},
		{"url password in two places", "postgres://fw:a1@db/x?password=b2", "postgres://fw:***@db/x?password=***"},
		{"kv password", "host=db user=fw password=s3cret dbname=x", "host=db user=fw password=*** dbname=x"},
		{"kv quoted password", "host=db password='s3 cr\\'et' dbname=x", "host=db password='***' dbname=x"},
		{"kv spaces around equals", "host=db password = s3cret", "host=db password = ***"},
		{"kv empty password takes the next word", "password= host=db", "password= ***"},
		{"kv sslpassword", "sslpassword=k3y host=db", "sslpassword=*** host=db"},
		{"kv without password", "host=db user=fw dbname=x", "host=db user=fw dbname=x"},
		{"kv unterminated quote", "host=db password='s3cret dbname=x", "host=db password='***"},
		{"kv syntax error after password", "password=se cret host=db", "password=***"},
		{"kv password without equals", "host=db password s3cret", "host=db password***"},
		{"wrong scheme", "postgre://fw:s3cret@db/x", "postgre://***@db/x"},
		{"kv value swallowing the password", "host= password='s3cret' port=x", "host= password=*** port=x"},
		{"kv value swallowing the password, then a syntax error", "host= password='s3 cret' port=x", "host= password=***"},
		{"kv password in options", "host=db options='-c password=s3cret' dbname=x", "host=db options='-c password=***' dbname=x"},
		{"url password in options", "postgres://db/x?options=-c%20password=s3cret&sslmode=disable", "postgres://db/x?options=-c%20password=***&sslmode=disable"},
		{"empty", "", ""},
		{"garbage", "hello", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		wantPassword bool
		wantErr      string // substring; "" for none
	}{
		{"url", "postgres://fw@db.internal/frameworm", false, ""},
		{"url with password", "postgres://fw:s3cret@db/x", true, ""},
		{"url query password", "postgresql://db/x?password=s3cret", true, ""},
		{"url multi host", "postgres://h1:5432,h2/x?target_session_attrs=read-write", false, ""},
		{"url ipv6", "postgres://[::1]:5432/x", false, ""},
		{"url host only", "postgres://db", false, ""},
		{"url nothing", "postgres://", false, ""},
		{"kv", "host=db port=5432 dbname=x user=fw", false, ""},
		{"kv password", "host=db password='a b'", true, ""},
		{"kv empty password", "host=db password=''", false, ""},
		{"empty", "  ", false, "empty"},
		{"garbage", "hello world", false, "neither a postgres:// URL nor key=value"},
		{"other scheme", "mysql://fw:s3cret@db/x", false, "not a PostgreSQL one"},
		{"bad port url", "postgres://db:54x2/x", false, "port"},
		{"port out of range", "postgres://db:70000/x", false, "port"},
		{"bad port kv", "host=db port=abc", false, "port"},
		{"bad percent", "postgres://fw:s3%zzcret@db/x", false, "the password has a '%'"},
		{"space in host", "postgres://d b/x", false, "the host holds a space"},
		{"unterminated ipv6", "postgres://[::1/x", false, "closing ']'"},
		{"query without equals", "postgres://db/x?sslmode", false, "has no '='"},
		{"query extra equals", "postgres://db/x?options=a=b", false, "second '='"},
		{"kv unterminated quote", "host='db", false, "closing quote"},
		{"kv space in key", "host db=x", false, "followed by a space"},
		{"kv empty key", "=x", false, "no name"},
		{"nul", "host=db\x00", false, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Check(%q): %v", tt.in, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Check(%q): no error, want %q", tt.in, tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Check(%q) = %q, want it to contain %q", tt.in, err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "s3"):
				t.Fatalf("the error quotes the password: %q", err)
			}
			if err == nil && got != tt.wantPassword {
				t.Errorf("hasPassword = %v, want %v", got, tt.wantPassword)
			}
		})
	}
}

// TestCheckAgreesWithDriver checks that the strings Check
// accepts are those the driver parses, on the cases above and some more.
func TestCheckAgreesWithDriver(t *testing.T) {
	isolateDriver(t)
	for _, s := range []string{
		"postgres://fw@db/x", "postgres://fw:pw@db:5432/x?sslmode=disable", "host=db dbname=x",
		"postgres://[::1]:5432/x", "postgres://h1,h2:5433/x", "postgres://d b/x", "host='db",
		"postgres://db/x?sslmode", "hello", "postgres://db:99999/x", "host=db port=x",
	} {
		_, err := Check(s)
		_, derr := pgconn.ParseConfig(s)
		if (err == nil) != (derr == nil) {
			t.Errorf("%q: Check error %v, driver error %v", s, err, derr)
		}
	}
}

// isolateDriver keeps pgconn.ParseConfig from reading the environment's
// settings and password files.
func isolateDriver(t testing.TB) {
	for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGSERVICE", "PGSSLPASSWORD", "PGOPTIONS", "PGTARGETSESSIONATTRS"} {
		t.Setenv(k, "")
	}
	t.Setenv("PGPASSFILE", "/nonexistent/pgpass")
	t.Setenv("PGSERVICEFILE", "/nonexistent/pg_service.conf")
}

func TestSecrets(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		exact bool     // want is all of Secrets' result, in order
		want  []string // among Secrets' result
	}{
		{"url", "postgresql://u:secret@h:5/db?sslmode=disable", true, []string{"secret"}},
		{"url encoded", "postgres://u:p%40ss@h/db", true, []string{"p%40ss", "p@ss"}},
		{"url query", "postgres://u@h/db?password=qsecret", true, []string{"qsecret"}},
		{"url query plus", "postgres://h/db?password=a+b", true, []string{"a+b", "a b"}},
		{"url query encoded key", "postgres://h/db?pass%77ord=s3%20cret", true, []string{"s3%20cret", "s3 cret"}},
		{"url two passwords", "postgres://u:one1@h/db?sslpassword=two2", true, []string{"one1", "two2"}},
		{"url without password", "postgres://u@h:5432/db?options=a:b", true, nil},
		{"url unencoded at", "postgres://fw:a@b@c@host/db", false, []string{"fw:a@b@c", "a@b@c", "a"}},
		{"url unencoded at and colon", "postgres://u:p@ss:word@h/db", false, []string{"p@ss:word", "p"}},
		{"url unencoded slash", "postgres://fw:pa/ss@db/x", false, []string{"fw:pa/ss", "pa/ss"}},
		{"url bad query", "postgres://db/x?password=se&cret", false, []string{"se&cret", "se"}},
		{"kv", "host=h user=u password=kvsecret dbname=d", true, []string{"kvsecret"}},
		{"kv quoted", `host=h password = 'quoted \' secret' dbname=d`, true, []string{`quoted \' secret`, "quoted ' secret"}},
		{"kv sslpassword", "host=db sslpassword=keypw", true, []string{"keypw"}},
		{"kv at and colon in values", "host=db user=me@corp options=a:b password=pw", true, []string{"pw"}},
		{"kv syntax error after password", "password=se cret host=db", false, []string{"se cret host=db", "se"}},
		{"kv without password", "host=h dbname=d", true, nil},
		{"other scheme", "mysql://fw:s3cret@db/x", false, []string{"fw:s3cret", "s3cret"}},
		{"empty", "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Secrets(tt.in)
			if tt.exact && !slices.Equal(got, tt.want) {
				t.Fatalf("Secrets(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Secrets(%q) = %q, want %q among them", tt.in, got, w)
				}
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		in                   string
		host, port, db, user string
	}{
		{"postgres://fw:s3cret@127.0.0.1:5432/ci?sslmode=bogus", "127.0.0.1", "5432", "ci", "fw"},
		{"postgresql://h1:5432,h2:5433/x?user=u&password=pw", "h1,h2", "5432,5433", "x", "u"},
		{"postgres://[::1]/d%20b", "::1", "", "d b", ""},
		{"host=db port=5432 dbname='my db' user=fw password=s3cret sslmode=bogus", "db", "5432", "my db", "fw"},
		{"host=db dbname=x password=se cret user=fw", "db", "", "x", ""},
		// The password's extent is unknown: what may hold it is not a name.
		{"postgres://fw:a@b@c@host/db", "host", "", "db", ""},
		{"postgres://fw:s3cret@db:notaport/x", "db", "notaport", "x", ""},
		{"mysql://fw:s3cret@db/x", "", "", "", ""},
		{"host= password='s3cret' port=5432", "", "5432", "", ""},
		{"", "", "", "", ""},
	}
	for _, tt := range tests {
		host, port, db, user := Names(tt.in)
		if host != tt.host || port != tt.port || db != tt.db || user != tt.user {
			t.Errorf("Names(%q) = %q, %q, %q, %q; want %q, %q, %q, %q", tt.in, host, port, db, user, tt.host, tt.port, tt.db, tt.user)
		}
	}
}

// FuzzRedact checks that no password survives Redact, and that Secrets
// finds every password:
//   - for any string the driver parses, the driver finds no password in
//     the redacted string but "***" (nor any setting named like one), and
//     every password it finds in s (password, and any setting named like
//     one) is among Secrets(s);
//   - a password put in each place a connection string holds one, by the
//     syntax's own quoting or raw, never appears in the redacted string,
//     nor in the string with Secrets replaced, unless it also is a part of
//     the rest; and where the syntax spells it unambiguously, it is among
//     Secrets as the user wrote it before encoding.
//
// Names shows none of these passwords. It also checks that redaction is
// idempotent, that Spans' ranges are sorted, disjoint and inside the
// string, and that Secrets holds each span's text, once, and no empty
// string.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"postgres://fw:s3cret@db.internal:5432/frameworm",
		"postgres://db/x?user=fw&password=s3cret",
		"postgres://fw:p@ss@db/x",
		"host=db password='a b' dbname=x",
		"password= host=db",
		"postgres://[::1]:5432/x?sslpassword=z",
	} {
		f.Add(s, "fw", "s3cret", "db")
	}
	isolateDriver(f)
	f.Fuzz(func(t *testing.T, s, user, password, host string) {
		out := Redact(s)
		if again := Redact(out); again != out && !strings.Contains(out, Mask) {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		spans := Spans(s)
		last := 0
		for _, sp := range spans {
			if sp[0] < last || sp[1] <= sp[0] || sp[1] > len(s) {
				t.Fatalf("bad secret ranges %v for %q", spans, s)
			}
			last = sp[1]
		}
		secrets := Secrets(s)
		for i, sec := range secrets {
			if sec == "" || slices.Contains(secrets[:i], sec) {
				t.Fatalf("Secrets(%q) = %q: an empty or repeated one", s, secrets)
			}
		}
		for _, sp := range spans {
			if !slices.Contains(secrets, s[sp[0]:sp[1]]) {
				t.Fatalf("Secrets(%q) = %q, without the span %q", s, secrets, s[sp[0]:sp[1]])
			}
		}
		if cfg, err := pgconn.ParseConfig(s); err == nil {
			if cfg.Password != "" && !slices.Contains(secrets, cfg.Password) {
				t.Fatalf("the driver reads the password %q in %q; Secrets found %q", cfg.Password, s, secrets)
			}
			for k, v := range cfg.RuntimeParams {
				if isSecretKey(k) && v != "" && !slices.Contains(secrets, v) {
					t.Fatalf("the driver reads %s=%q in %q; Secrets found %q", k, v, s, secrets)
				}
			}
			if cfg.Password != "" {
				rc, err := pgconn.ParseConfig(out)
				if err == nil {
					if rc.Password != "" && rc.Password != Mask {
						t.Fatalf("redacted %q -> %q still has password %q", s, out, rc.Password)
					}
					for k, v := range rc.RuntimeParams {
						if isSecretKey(k) && v != Mask && v != "" {
							t.Fatalf("redacted %q -> %q still has %s=%q", s, out, k, v)
						}
					}
				}
			}
		}
		if password == "" || strings.Contains(Mask, password) {
			return
		}
		for _, c := range constructed(user, password, host) {
			// A mask may make the password anew ("* "): it survives when
			// it does with either of two masks.
			got := Redact(c.s)
			if strings.Contains(got, c.written) && strings.Contains(redactWith(c.s, "\x01\x02"), c.written) && !strings.Contains(c.rest, c.written) {
				t.Fatalf("password %q survives in %q (from %q)", c.written, got, c.s)
			}
			secrets := Secrets(c.s)
			if got := scrub(c.s, secrets, Mask); strings.Contains(got, c.written) && strings.Contains(scrub(c.s, secrets, "\x01\x02"), c.written) &&
				!strings.Contains(c.rest, c.written) {
				t.Fatalf("password %q survives in %q, %q with Secrets %q replaced", c.written, got, c.s, secrets)
			}
			// Names are decoded: the user and host given may spell the
			// password as well. A name shows it when the same name with
			// another password does not.
			h, p, db, u := Names(c.s)
			oh, op, odb, ou := Names(c.prefix + "x" + c.suffix)
			for i, name := range []string{h, p, db, u} {
				other := []string{oh, op, odb, ou}[i]
				for _, pw := range []string{c.written, password} {
					if strings.Contains(name, pw) && !strings.Contains(other, pw) && !strings.Contains(c.rest, pw) {
						t.Fatalf("Names(%q) gives %q, which shows the password %q", c.s, name, pw)
					}
				}
			}
			if c.exact && !slices.Contains(secrets, password) {
				t.Fatalf("Secrets(%q) = %q, without the password %q", c.s, secrets, password)
			}
		}
	})
}

// redactWith is Redact with another mask.
func redactWith(s, mask string) string {
	var b strings.Builder
	last := 0
	for _, sp := range Spans(s) {
		b.WriteString(s[last:sp[0]] + mask)
		last = sp[1]
	}
	return b.String() + s[last:]
}

// scrub replaces secrets in s by mask, longest first, as the callers of
// Secrets do.
func scrub(s string, secrets []string, mask string) string {
	sorted := slices.Clone(secrets)
	slices.SortStableFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range sorted {
		s = strings.ReplaceAll(s, sec, mask)
	}
	return s
}

type constructedConnStr struct {
	s              string // the connection string: prefix + written + suffix
	prefix, suffix string
	written        string // the password as written in s
	rest           string // s without the password
	exact          bool   // the syntax spells the password unambiguously: it is among Secrets
}

// constructed puts password in each place of a connection string, written
// the way the syntax requires, and raw as people do.
func constructed(user, password, host string) []constructedConnStr {
	var out []constructedConnStr
	add := func(prefix, written, suffix string, exact bool) {
		out = append(out, constructedConnStr{s: prefix + written + suffix, prefix: prefix, suffix: suffix, written: written, rest: prefix + "\x00" + suffix, exact: exact})
	}
	u := url.UserPassword(user, password).String()
	encUser := url.User(user).String()
	encPass := strings.TrimPrefix(u, encUser+":")
	encHost := url.PathEscape(host)
	add("postgres://"+encUser+":", encPass, "@"+encHost+"/db?sslmode=disable", true)
	add("postgres://"+encHost+"/db?user="+url.QueryEscape(user)+"&password=", url.QueryEscape(password), "&sslmode=disable", true)
	// url.PathEscape leaves '@' and ':': a password with them is read
	// up to the last '@' before the host.
	add("postgres://"+encUser+":", url.PathEscape(password), "@host:5432/db?sslmode=disable", true)
	// Written raw, as people do: the redaction must still hide it.
	add("postgres://"+user+":", password, "@"+host+"/db", false)
	quote := func(v string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	add("host="+quote(host)+" user="+quote(user)+" password=", quote(password), " dbname=db", true)
	add("password = ", quote(password), " host="+quote(host), true)
	// Raw in key=value form, after a host that may be empty (then the
	// host's value is "password=..."). A password starting with a quote
	// is written quoted (above), and white space alone is a separator.
	if p := strings.TrimLeft(password, kvSpace); p != "" && p[0] != '\'' {
		add("host="+host+" password=", password, " dbname=db", false)
	}
	return out
}
