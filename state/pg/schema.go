package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The schema's versions. Each migration takes the schema from the version
// before it to its own; a release knows the migrations up to its
// schemaVersion and refuses a schema of a later version (written by a newer
// release), since it cannot tell what that version changed.
//
// Version 1 (all in the configured schema):
//
//	migrations       (version PRIMARY KEY, description, applied_at): one row per migration applied
//	workspaces       (name PRIMARY KEY, lineage, serial, snapshot_serial, snapshot_records, created_at, updated_at)
//	snapshot_chunks  (workspace, serial, seq, data): the snapshot of serial snapshot_serial, state.WriteSnapshot's bytes cut in chunks
//	changes          (workspace, serial, record): PRIMARY KEY (workspace, serial); each record a journal line
//	locks            (workspace PRIMARY KEY, lock_id, who, pid, operation, created, path, process_start, backend_pid, taken_at)
//	trigger notify_change on workspaces: pg_notify('frameworm', 'SCHEMA/WORKSPACE') on every write
var migrations = []struct {
	description string
	sql         func(q queries) string
}{
	{"the pg backend's tables", func(q queries) string {
		return `
CREATE TABLE ` + q.workspaces + ` (
	name text PRIMARY KEY,
	lineage text NOT NULL,
	serial bigint NOT NULL CHECK (serial >= 0),
	snapshot_serial bigint NOT NULL CHECK (snapshot_serial >= 0 AND snapshot_serial <= serial),
	snapshot_records bigint NOT NULL CHECK (snapshot_records >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ` + q.chunks + ` (
	workspace text NOT NULL,
	serial bigint NOT NULL,
	seq integer NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (workspace, serial, seq)
);
CREATE TABLE ` + q.changes + ` (
	workspace text NOT NULL,
	serial bigint NOT NULL,
	record bytea NOT NULL,
	PRIMARY KEY (workspace, serial)
);
CREATE TABLE ` + q.locks + ` (
	workspace text PRIMARY KEY,
	lock_id text NOT NULL,
	who text NOT NULL,
	pid integer NOT NULL,
	operation text NOT NULL,
	created timestamptz NOT NULL,
	path text NOT NULL,
	process_start text NOT NULL,
	backend_pid integer NOT NULL,
	taken_at timestamptz NOT NULL
);
CREATE FUNCTION ` + q.schema + `.notify_change() RETURNS trigger LANGUAGE plpgsql AS $fw$
BEGIN
	PERFORM pg_notify('frameworm', TG_TABLE_SCHEMA || '/' || NEW.name);
	RETURN NULL;
END
$fw$;
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE ON ` + q.workspaces + `
	FOR EACH ROW EXECUTE FUNCTION ` + q.schema + `.notify_change();
`
	}},
}

// schemaVersion is the version of the schema this release writes.
var schemaVersion = len(migrations)

// notifyChannel is the channel of the change notifications.
const notifyChannel = "frameworm"

// migrate creates the schema or brings it to schemaVersion. When it is
// current, it costs one round trip and needs no privilege but reading.
// Otherwise it works in one transaction holding a transaction-level
// advisory lock of the schema, so that two first uses at once do not race.
func (b *Backend) migrate(ctx context.Context) error {
	conn, err := b.pool.acquire(ctx)
	if err != nil {
		return b.openError(err)
	}
	defer b.pool.release(conn)
	var version *int32
	err = conn.QueryRow(ctx, `SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 0 END`, b.sql.regclass).Scan(&version)
	if err != nil {
		return b.openError(err)
	}
	if version != nil {
		v, err := b.storedVersion(ctx, conn)
		if err != nil {
			return b.openError(err)
		}
		if v == schemaVersion {
			return nil
		}
		if v > schemaVersion {
			return b.tooNew(v)
		}
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return b.openError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryKey("migrate", b.cfg.Schema)); err != nil {
		return b.openError(err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, b.cfg.Schema).Scan(&exists); err != nil {
		return b.openError(err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA `+b.sql.schema); err != nil {
			return b.schemaError(err, "create the schema")
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+b.sql.migrations+` (
	version integer PRIMARY KEY,
	description text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
		return b.schemaError(err, "create tables in the schema")
	}
	v, err := b.storedVersion(ctx, tx.Conn())
	if err != nil {
		return b.openError(err)
	}
	if v > schemaVersion {
		return b.tooNew(v)
	}
	for i := v; i < schemaVersion; i++ {
		m := migrations[i]
		if _, err := tx.Exec(ctx, m.sql(b.sql)); err != nil {
			return b.schemaError(err, fmt.Sprintf("migrate the schema to version %d (%s)", i+1, m.description))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+b.sql.migrations+` (version, description) VALUES ($1, $2)`, i+1, m.description); err != nil {
			return b.schemaError(err, "record the schema version")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return b.schemaError(err, "create the schema")
	}
	return nil
}

func (b *Backend) storedVersion(ctx context.Context, conn *pgx.Conn) (int, error) {
	var v int
	err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+b.sql.migrations).Scan(&v)
	return v, err
}

func (b *Backend) tooNew(v int) error {
	return fmt.Errorf("the schema %q on %s has version %d, written by a newer fwapply (this one knows versions up to %d): upgrade fwapply to use it",
		b.cfg.Schema, b.where, v, schemaVersion)
}

// schemaError explains a failure to create or migrate the schema.
func (b *Backend) schemaError(err error, what string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeNoPrivilege {
		return b.wrapf(err, "cannot %s %q on %s: the user may not. Ask an administrator to grant it (GRANT CREATE ON DATABASE %s TO %s), or to create the schema with this user as its owner (CREATE SCHEMA %s AUTHORIZATION %s), or use another schema_name",
			what, b.cfg.Schema, b.where,
			pgx.Identifier{b.connCfg.Database}.Sanitize(), pgx.Identifier{b.connCfg.User}.Sanitize(),
			b.sql.schema, pgx.Identifier{b.connCfg.User}.Sanitize())
	}
	if isConnErr(err) {
		return b.openError(err)
	}
	return b.wrapf(err, "cannot %s %q on %s", what, b.cfg.Schema, b.where)
}
