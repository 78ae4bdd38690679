package definition

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestRedactConnStr(t *testing.T) {
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
		{"empty", "", ""},
		{"garbage", "hello", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactConnStr(tt.in); got != tt.want {
				t.Errorf("RedactConnStr(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckConnStr(t *testing.T) {
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
			got, err := CheckConnStr(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("CheckConnStr(%q): %v", tt.in, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("CheckConnStr(%q): no error, want %q", tt.in, tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("CheckConnStr(%q) = %q, want it to contain %q", tt.in, err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "s3"):
				t.Fatalf("the error quotes the password: %q", err)
			}
			if err == nil && got != tt.wantPassword {
				t.Errorf("hasPassword = %v, want %v", got, tt.wantPassword)
			}
		})
	}
}

// TestCheckConnStrAgreesWithDriver checks that the strings CheckConnStr
// accepts are those the driver parses, on the cases above and some more.
func TestCheckConnStrAgreesWithDriver(t *testing.T) {
	isolateDriver(t)
	for _, s := range []string{
		"postgres://fw@db/x", "postgres://fw:pw@db:5432/x?sslmode=disable", "host=db dbname=x",
		"postgres://[::1]:5432/x", "postgres://h1,h2:5433/x", "postgres://d b/x", "host='db",
		"postgres://db/x?sslmode", "hello", "postgres://db:99999/x", "host=db port=x",
	} {
		_, err := CheckConnStr(s)
		_, derr := pgconn.ParseConfig(s)
		if (err == nil) != (derr == nil) {
			t.Errorf("%q: CheckConnStr error %v, driver error %v", s, err, derr)
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

// FuzzRedactConnStr checks that no password survives RedactConnStr:
//   - for any string the driver parses, the driver finds no password in
//     the redacted string but "***" (nor any setting named like one);
//   - a password put in each place a connection string holds one, by the
//     syntax's own quoting, never appears in the redacted string unless it
//     also is a part of the rest.
//
// It also checks that redaction is idempotent and that ConnStrSecrets'
// ranges are sorted, disjoint and inside the string.
func FuzzRedactConnStr(f *testing.F) {
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
		out := RedactConnStr(s)
		if again := RedactConnStr(out); again != out && !strings.Contains(out, "***") {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		last := 0
		for _, sp := range ConnStrSecrets(s) {
			if sp[0] < last || sp[1] <= sp[0] || sp[1] > len(s) {
				t.Fatalf("bad secret ranges %v for %q", ConnStrSecrets(s), s)
			}
			last = sp[1]
		}
		if cfg, err := pgconn.ParseConfig(s); err == nil && cfg.Password != "" {
			rc, err := pgconn.ParseConfig(out)
			if err == nil {
				if rc.Password != "" && rc.Password != redactMask {
					t.Fatalf("redacted %q -> %q still has password %q", s, out, rc.Password)
				}
				for k, v := range rc.RuntimeParams {
					if isSecretKey(k) && v != redactMask && v != "" {
						t.Fatalf("redacted %q -> %q still has %s=%q", s, out, k, v)
					}
				}
			}
		}
		if password == "" || strings.Contains(redactMask, password) {
			return
		}
		for _, c := range constructed(user, password, host) {
			got := RedactConnStr(c.s)
			if strings.Contains(got, c.written) && !strings.Contains(c.rest, c.written) {
				t.Fatalf("password %q survives in %q (from %q)", c.written, got, c.s)
			}
		}
	})
}

type constructedConnStr struct {
	s       string // the connection string
	written string // the password as written in s
	rest    string // s without the password
}

// constructed puts password in each place of a connection string, written
// the way the syntax requires.
func constructed(user, password, host string) []constructedConnStr {
	var out []constructedConnStr
	add := func(prefix, written, suffix string) {
		out = append(out, constructedConnStr{s: prefix + written + suffix, written: written, rest: prefix + "\x00" + suffix})
	}
	u := url.UserPassword(user, password).String()
	encUser := url.User(user).String()
	encPass := strings.TrimPrefix(u, encUser+":")
	encHost := url.PathEscape(host)
	add("postgres://"+encUser+":", encPass, "@"+encHost+"/db?sslmode=disable")
	add("postgres://"+encHost+"/db?user="+url.QueryEscape(user)+"&password=", url.QueryEscape(password), "&sslmode=disable")
	// Written raw, as people do: the redaction must still hide it.
	add("postgres://"+user+":", password, "@"+host+"/db")
	quote := func(v string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	add("host="+quote(host)+" user="+quote(user)+" password=", quote(password), " dbname=db")
	add("password = ", quote(password), " host="+quote(host))
	return out
}
