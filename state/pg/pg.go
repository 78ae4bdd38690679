package pg

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frameworm/frameworm/internal/connstr"
	"github.com/frameworm/frameworm/state"
)

// Config says where the state is.
type Config struct {
	ConnStr      string        // libpq URL or key=value; "" means the PG* environment variables (pgx's rules)
	Schema       string        // default "frameworm"
	Workspace    string        // default "default"
	RetryTimeout time.Duration // how long writes and lock checks retry while the server is unreachable; 0: 2 minutes; <0: no retry
}

// Defaults of Config.
const (
	DefaultSchema       = "frameworm"
	DefaultWorkspace    = "default"
	DefaultRetryTimeout = 2 * time.Minute
	// defaultConnectTimeout bounds a connection attempt when the
	// connection string sets no connect_timeout.
	defaultConnectTimeout = 10 * time.Second
)

// Backend is the PostgreSQL state of one workspace. It implements
// state.Backend, state.Batcher, state.Compacter, state.Replacer,
// state.Locker, state.LockChecker, state.LockInspector and state.Watcher.
// Its methods are safe for concurrent use. Load first: a write on a Backend
// that has not loaded reads the workspace once to learn its lineage, serial
// and trials (and Load's warnings are then lost).
type Backend struct {
	cfg     Config
	pool    pool
	connCfg *pgx.ConnConfig // for the dedicated connections of locks and watches
	secrets []string        // what must never appear in an error: the password
	desc    string          // Describe()
	where   string          // host:port, database and user, for connection errors
	sql     queries
	lockKey int64 // the workspace's advisory lock
	payload string

	mu sync.Mutex // serializes the journal methods; guards the fields below
	workspaceState

	lmu  sync.Mutex  // guards the lock handles and their connections
	held *lockHandle // the lock this Backend holds, or nil

	out outage
}

// workspaceState is what the Backend knows of the stored workspace.
type workspaceState struct {
	known       bool   // the fields below describe the stored workspace
	exists      bool   // the workspace row exists
	lineage     string // of the stored state
	serial      uint64 // of the stored state
	snapSerial  uint64 // serial of the stored snapshot
	snapRecords int64  // records in the stored snapshot
	keys        map[state.TrialRef]struct{}
	partial     bool // loaded with a Trial option: Compact refuses
	emptySnap   []byte
}

// Open connects to the database and creates or migrates the schema.
func Open(ctx context.Context, cfg Config) (*Backend, error) {
	if cfg.Schema == "" {
		cfg.Schema = DefaultSchema
	}
	if cfg.Workspace == "" {
		cfg.Workspace = DefaultWorkspace
	}
	if cfg.RetryTimeout == 0 {
		cfg.RetryTimeout = DefaultRetryTimeout
	}
	if len(cfg.Schema) > 63 || strings.ContainsRune(cfg.Schema, 0) {
		return nil, fmt.Errorf("the schema name %q is not valid in PostgreSQL (at most 63 bytes, no NUL)", cfg.Schema)
	}
	if strings.ContainsRune(cfg.Workspace, 0) {
		return nil, fmt.Errorf("the workspace name %q holds a NUL character", cfg.Workspace)
	}
	secrets := connstr.Secrets(cfg.ConnStr)
	cc, err := pgx.ParseConfig(cfg.ConnStr)
	if err != nil {
		return nil, parseError(err, cfg.ConnStr, secrets)
	}
	if cc.Password != "" {
		secrets = append(secrets, cc.Password)
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = defaultConnectTimeout
	}
	b := &Backend{
		cfg:     cfg,
		connCfg: cc,
		secrets: secrets,
		sql:     newQueries(cfg.Schema),
		lockKey: advisoryKey("lock", cfg.Schema, cfg.Workspace),
		payload: cfg.Schema + "/" + cfg.Workspace,
	}
	hostPort := net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port)))
	if strings.HasPrefix(cc.Host, "/") {
		hostPort = cc.Host + ":" + strconv.Itoa(int(cc.Port)) // a unix socket directory
	}
	b.desc = fmt.Sprintf("PostgreSQL %s database %q, schema %q, workspace %q", hostPort, cc.Database, cfg.Schema, cfg.Workspace)
	b.where = fmt.Sprintf("PostgreSQL at %s (database %q, user %q)", hostPort, cc.Database, cc.User)
	b.pool.connect = b.connect
	if err := b.migrate(ctx); err != nil {
		b.pool.close()
		return nil, err
	}
	return b, nil
}

// Close releases the connections, and with them any lock still held.
func (b *Backend) Close() error {
	b.lmu.Lock()
	if h := b.held; h != nil {
		h.released = true
		b.held = nil
		if h.conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			h.conn.Close(ctx)
			cancel()
		}
	}
	b.lmu.Unlock()
	b.pool.close()
	return nil
}

// Describe names the state for messages: server, database, schema and
// workspace, never the password.
func (b *Backend) Describe() string { return b.desc }

// advisoryKey derives a 64-bit advisory lock key from the schema (and
// workspace). The derivation is part of the storage format: every release
// must compute the same key, or two releases would not exclude each other.
func advisoryKey(kind string, parts ...string) int64 {
	h := sha256.New()
	h.Write([]byte("frameworm-" + kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return int64(binary.BigEndian.Uint64(h.Sum(nil)[:8]))
}

// connect opens a dedicated connection (a lock's, a watch's).
func (b *Backend) connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, b.connCfg.Copy())
}

// queries are the SQL statements, with the schema's tables quoted.
type queries struct {
	schema, migrations, workspaces, chunks, changes, locks string
	// migrations' own identifiers
	regclass string

	append, workspace, record, createWorkspace, emptySnapshot, bumpSerial string
	lockRow, upsertLock, deleteLock, lockHolderPID                        string
}

func newQueries(schema string) queries {
	q := queries{schema: pgx.Identifier{schema}.Sanitize()}
	t := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	q.migrations, q.workspaces, q.chunks, q.changes, q.locks = t("migrations"), t("workspaces"), t("snapshot_chunks"), t("changes"), t("locks")
	q.regclass = q.migrations
	// $1 workspace, $2 lineage, $3 serial, $4 record
	q.append = `WITH w AS (UPDATE ` + q.workspaces + ` SET serial = $3, updated_at = now()
	WHERE name = $1 AND lineage = $2 AND serial = $3 - 1 RETURNING name)
INSERT INTO ` + q.changes + ` (workspace, serial, record) SELECT name, $3, $4 FROM w`
	q.workspace = `SELECT lineage, serial, snapshot_serial, snapshot_records FROM ` + q.workspaces + ` WHERE name = $1`
	q.record = `SELECT record FROM ` + q.changes + ` WHERE workspace = $1 AND serial = $2`
	q.createWorkspace = `INSERT INTO ` + q.workspaces + ` (name, lineage, serial, snapshot_serial, snapshot_records)
VALUES ($1, $2, 0, 0, 0) ON CONFLICT (name) DO NOTHING`
	q.emptySnapshot = `INSERT INTO ` + q.chunks + ` (workspace, serial, seq, data) VALUES ($1, 0, 0, $2)`
	// $1 workspace, $2 lineage, $3 old serial, $4 new serial
	q.bumpSerial = `UPDATE ` + q.workspaces + ` SET serial = $4, updated_at = now() WHERE name = $1 AND lineage = $2 AND serial = $3`
	q.lockRow = `SELECT lock_id, who, pid, operation, created, path, process_start, backend_pid FROM ` + q.locks + ` WHERE workspace = $1`
	q.upsertLock = `INSERT INTO ` + q.locks + ` (workspace, lock_id, who, pid, operation, created, path, process_start, backend_pid, taken_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, pg_backend_pid(), now())
ON CONFLICT (workspace) DO UPDATE SET lock_id = EXCLUDED.lock_id, who = EXCLUDED.who, pid = EXCLUDED.pid,
	operation = EXCLUDED.operation, created = EXCLUDED.created, path = EXCLUDED.path,
	process_start = EXCLUDED.process_start, backend_pid = EXCLUDED.backend_pid, taken_at = EXCLUDED.taken_at`
	q.deleteLock = `DELETE FROM ` + q.locks + ` WHERE workspace = $1 AND lock_id = $2`
	// The session holding an advisory lock on a bigint key: classid holds
	// its high 32 bits, objid its low 32 bits, objsubid 1.
	q.lockHolderPID = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND classid = (($1::bigint >> 32) & 4294967295)::oid AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1`
	return q
}

// wrapf wraps err with a message. The text of err is scrubbed of the
// secrets (pgx quotes connection strings in some errors); the message is
// made of what Describe shows (host, port, database, user, schema,
// workspace), never of the password, and is left as it is, so that a
// password that is also a common word (or the database's name) does not
// garble it.
func (b *Backend) wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &scrubbedError{msg: fmt.Sprintf(format, args...) + ": " + scrubSecrets(err.Error(), b.secrets), err: err}
}

// scrubbedError is an error whose message was cleaned of secrets; Unwrap
// keeps errors.Is and errors.As working on what it wraps.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
