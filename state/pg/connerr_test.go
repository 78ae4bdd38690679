package pg_test

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state/pg"
)

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// withURL returns the URL dsn changed by f.
func withURL(t *testing.T, dsn string, f func(u *url.URL)) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	f(u)
	return u.String()
}

func TestConnectionErrors(t *testing.T) {
	dsn := pgtest.DSN(t)
	role := pgtest.Role(t, dsn, false) // a distinctive password, and no CREATE on the database
	password := pgtest.Password(role)
	u, _ := url.Parse(role)
	db := strings.TrimPrefix(u.Path, "/")
	port := freePort(t)
	for _, tc := range []struct {
		name    string
		connStr string
		env     map[string]string
		want    []string // in the error
	}{
		{name: "wrong password",
			connStr: withURL(t, role, func(u *url.URL) { u.User = url.UserPassword(u.User.Username(), password+"x") }),
			want:    []string{"127.0.0.1", `database "` + db + `"`, `user "` + u.User.Username() + `"`, "refused the password", "PGPASSWORD"}},
		{name: "missing database",
			connStr: withURL(t, role, func(u *url.URL) { u.Path = "/fw_no_such_db" }),
			want:    []string{"127.0.0.1", `"fw_no_such_db" does not exist`, "createdb"}},
		{name: "refused port",
			connStr: withURL(t, role, func(u *url.URL) { u.Host = "127.0.0.1:" + strconv.Itoa(port) }),
			want:    []string{"127.0.0.1:" + strconv.Itoa(port), `database "` + db + `"`, "is the server running"}},
		{name: "malformed URL",
			connStr: "postgres://fw:" + password + "@127.0.0.1:notaport/" + db,
			want:    []string{`connection string "postgres://***@127.0.0.1:notaport/` + db + `" (host 127.0.0.1:notaport, database "` + db + `") is not valid: invalid port`}},
		{name: "malformed URL with an @ in the password",
			connStr: "postgres://fw:" + password + "@x@127.0.0.1:5432/" + db + "?sslmode=nonsense",
			want:    []string{`connection string "postgres://***@127.0.0.1:5432/` + db + `?sslmode=nonsense" (host 127.0.0.1:5432, database "` + db + `") is not valid`, "sslmode is invalid"}},
		{name: "malformed key=value",
			connStr: "host=127.0.0.1 password=" + password + " port=notaport dbname=" + db,
			want:    []string{`connection string "host=127.0.0.1 password=*** port=notaport dbname=` + db + `" (host 127.0.0.1:notaport, database "` + db + `") is not valid: invalid port`}},
		{name: "quoted key=value",
			connStr: "host=127.0.0.1 password='" + password + " x' sslmode=nonsense dbname=" + db,
			want:    []string{`connection string "host=127.0.0.1 password='***' sslmode=nonsense dbname=` + db + `" (host 127.0.0.1, database "` + db + `") is not valid`, "sslmode is invalid"}},
		{name: "malformed key=value, then a syntax error",
			connStr: "host=127.0.0.1 dbname=" + db + " password=" + password + " x",
			want:    []string{`connection string "host=127.0.0.1 dbname=` + db + ` password=***" (host 127.0.0.1, database "` + db + `") is not valid`}},
		{name: "PG variables, malformed",
			connStr: "",
			env:     map[string]string{"PGHOST": "127.0.0.1", "PGSSLMODE": "nonsense", "PGPASSWORD": password},
			want:    []string{"the PostgreSQL connection settings of the PG* environment variables are not valid", "sslmode is invalid"}},
		{name: "no CREATE on the database",
			connStr: role,
			want:    []string{"127.0.0.1", `database "` + db + `"`, "GRANT CREATE ON DATABASE"}},
		{name: "PG variables, wrong password",
			connStr: "",
			env:     map[string]string{"PGHOST": "127.0.0.1", "PGPORT": u.Port(), "PGUSER": u.User.Username(), "PGPASSWORD": password + "y", "PGDATABASE": db, "PGSSLMODE": "disable"},
			want:    []string{"127.0.0.1", `database "` + db + `"`, "refused the password"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b, err := pg.Open(ctx, pg.Config{ConnStr: tc.connStr, Schema: pgtest.Schema(t, dsn)})
			if err == nil {
				b.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, password) {
				t.Fatalf("the error shows the password: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the error does not say %q: %s", w, msg)
				}
			}
		})
	}
}

func TestDescribeHasNoPassword(t *testing.T) {
	dsn := pgtest.DSN(t)
	role := pgtest.Role(t, dsn, true)
	b := open(t, pg.Config{ConnStr: role, Schema: pgtest.Schema(t, dsn), Workspace: "digits"})
	d := b.Describe()
	u, _ := url.Parse(role)
	want := `PostgreSQL 127.0.0.1:` + u.Port() + ` database "` + strings.TrimPrefix(u.Path, "/") + `", schema "`
	if !strings.HasPrefix(d, want) || !strings.HasSuffix(d, `", workspace "digits"`) {
		t.Errorf("Describe() = %s; want %s...", d, want)
	}
	if strings.Contains(d, pgtest.Password(role)) {
		t.Errorf("Describe() shows the password: %s", d)
	}
}
