package pg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frameworm/frameworm/state"
)

// A lock is a session-level advisory lock on the workspace's key (see
// advisoryKey), held on a connection of its own for as long as the lock is
// held, plus the workspace's row in the locks table naming the holder (its
// LockInfo and the backend pid of its session). The advisory lock is what
// excludes; the row is what messages show and what force-unlock checks.
// When the holder's session ends (its process died, the server restarted),
// the advisory lock is released; its row stays until the next Lock
// overwrites it.

// lockHandle is one lock taken by Lock.
type lockHandle struct {
	info     state.LockInfo
	conn     *pgx.Conn // the session holding the advisory lock; reopened after a failure
	lost     *state.LockLostError
	released bool
}

// lockCheckTimeout bounds one lock check, so that a server that stopped
// answering cannot hang an apply's check.
const lockCheckTimeout = 30 * time.Second

// Lock takes the workspace's lock, polling every 100 ms, backing off to
// 1 s, until ctx is done; it tries at least once. On contention it returns
// a *state.LockError naming the holder from the locks row.
func (b *Backend) Lock(ctx context.Context, info state.LockInfo) (func() error, error) {
	info = state.FillLockInfo(info, b.desc)
	// Connect and try once even when ctx is already done ("do not wait").
	first, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.connCfg.ConnectTimeout+lockCheckTimeout)
	defer cancel()
	conn, err := b.connect(first)
	if err != nil {
		return nil, b.wrapf(b.openError(err), "locking %s", b.desc)
	}
	fail := func(err error) (func() error, error) {
		conn.Close(context.Background())
		return nil, b.wrapf(err, "locking %s", b.desc)
	}
	wait := 100 * time.Millisecond
	for try := 0; ; try++ {
		qctx := ctx
		if try == 0 {
			qctx = first
		}
		var got bool
		if err := conn.QueryRow(qctx, `SELECT pg_try_advisory_lock($1)`, b.lockKey).Scan(&got); err != nil {
			if try > 0 && ctx.Err() != nil {
				return nil, &state.LockError{Info: b.lockRow(context.Background()), Err: ctx.Err()}
			}
			return fail(err)
		}
		if got {
			if _, err := conn.Exec(first, b.sql.upsertLock, b.cfg.Workspace, info.ID, info.Who, int32(info.PID), info.Operation,
				info.Created, info.Path, info.ProcessStart); err != nil {
				return fail(err)
			}
			h := &lockHandle{info: info, conn: conn}
			b.lmu.Lock()
			b.held = h
			b.lmu.Unlock()
			return func() error { return b.unlock(h) }, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			holder := b.readLockRow(first, conn)
			conn.Close(context.Background())
			return nil, &state.LockError{Info: holder, Err: ctx.Err()}
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// unlock releases h: it deletes the locks row if it still names h, and
// releases the advisory lock. A lock whose session is gone (force-unlocked,
// or the server restarted) is released already: that is not an error.
func (b *Backend) unlock(h *lockHandle) error {
	b.lmu.Lock()
	defer b.lmu.Unlock()
	if h.released {
		return nil
	}
	h.released = true
	if b.held == h {
		b.held = nil
	}
	conn := h.conn
	h.conn = nil
	if conn == nil || conn.IsClosed() || h.lost != nil {
		if conn != nil {
			conn.Close(context.Background())
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), lockCheckTimeout)
	defer cancel()
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, b.sql.deleteLock, b.cfg.Workspace, h.info.ID); err != nil {
		if conn.IsClosed() || isConnErr(err) {
			return nil // the session is gone, and its advisory lock with it
		}
		return b.wrapf(err, "unlocking %s", b.desc)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.lockKey); err != nil && !conn.IsClosed() && !isConnErr(err) {
		return b.wrapf(err, "unlocking %s", b.desc)
	}
	return nil
}

// lockConn returns the held lock's connection, reopening it and taking the
// advisory lock again when the session was lost (a server restart, a
// network failure): that succeeds only when no one else took the lock
// meanwhile and the locks row still names this holder, and fails with the
// lock's *state.LockLostError otherwise. The caller holds b.lmu.
func (b *Backend) lockConn(ctx context.Context, h *lockHandle) (*pgx.Conn, error) {
	if h.lost != nil {
		return nil, h.lost
	}
	if h.conn != nil && !h.conn.IsClosed() {
		return h.conn, nil
	}
	if h.conn != nil {
		h.conn.Close(ctx)
		h.conn = nil
	}
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.lockKey).Scan(&got); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	if !got {
		holder := b.readLockRow(ctx, conn)
		conn.Close(ctx)
		return nil, b.lose(h, holder, "its database session ended and the lock was taken by another process")
	}
	holder := b.readLockRow(ctx, conn)
	if holder == nil || holder.ID != h.info.ID {
		conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.lockKey)
		conn.Close(ctx)
		how := "its database session ended and its lock row was removed, by fwapply force-unlock"
		if holder != nil {
			how = "its database session ended and its lock row names another holder"
			if holder.Operation == "" && holder.Who == "" {
				holder = nil
			}
		}
		return nil, b.lose(h, holder, how)
	}
	if _, err := conn.Exec(ctx, `UPDATE `+b.sql.locks+` SET backend_pid = pg_backend_pid() WHERE workspace = $1 AND lock_id = $2`,
		b.cfg.Workspace, h.info.ID); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	h.conn = conn
	return conn, nil
}

// lose marks h lost for good and returns its error.
func (b *Backend) lose(h *lockHandle, holder *state.LockInfo, how string) *state.LockLostError {
	h.lost = &state.LockLostError{Path: b.desc, Info: h.info, Holder: holder, How: how}
	return h.lost
}

// withWriteConn runs a write on the held lock's connection when this
// Backend holds a lock (so that nothing is written without it), else on a
// pooled connection.
func (b *Backend) withWriteConn(ctx context.Context, write func(conn *pgx.Conn) error) error {
	b.lmu.Lock()
	if h := b.held; h != nil {
		defer b.lmu.Unlock()
		conn, err := b.lockConn(ctx, h)
		if err != nil {
			var lost *state.LockLostError
			if errors.As(err, &lost) {
				return &fatalError{fmt.Errorf("%w; nothing more is written to the state by this process", err)}
			}
			return err
		}
		return write(conn)
	}
	b.lmu.Unlock()
	return b.withConn(ctx, write)
}

// CheckLock implements state.LockChecker with one round trip on the lock's
// connection: the locks row must still name this holder. A lost session is
// reopened and the lock taken again (see lockConn). While the server is
// unreachable, CheckLock returns nil until RetryTimeout has passed since
// the outage began (the writes wait meanwhile), then an error.
func (b *Backend) CheckLock(ctx context.Context) error {
	b.lmu.Lock()
	defer b.lmu.Unlock()
	h := b.held
	if h == nil {
		return fmt.Errorf("checking the lock on %s: this process does not hold it", b.desc)
	}
	ctx, cancel := context.WithTimeout(ctx, lockCheckTimeout)
	defer cancel()
	var err error
	for try := 0; try < 2; try++ { // a stale connection is found out by its first query: then reconnect once
		var conn *pgx.Conn
		conn, err = b.lockConn(ctx, h)
		if err != nil {
			break
		}
		var id *string
		err = conn.QueryRow(ctx, `SELECT (SELECT lock_id FROM `+b.sql.locks+` WHERE workspace = $1)`, b.cfg.Workspace).Scan(&id)
		if err != nil {
			if !isConnErr(err) && !conn.IsClosed() {
				break
			}
			continue
		}
		if id != nil && *id == h.info.ID {
			b.out.ended()
			return nil
		}
		// The row was removed or names another holder, although this
		// session holds the advisory lock: someone forced it. Give the
		// advisory lock up too, so the new holder is alone.
		holder := b.readLockRow(ctx, conn)
		conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.lockKey)
		conn.Close(ctx)
		h.conn = nil
		how := "its lock row was removed, by fwapply force-unlock"
		if holder != nil {
			how = "its lock row names another holder"
		}
		return b.lose(h, holder, how)
	}
	var lost *state.LockLostError
	if errors.As(err, &lost) {
		return lost
	}
	if isConnErr(err) {
		since := b.out.began()
		if b.withinBound(since) {
			return nil // the writes wait for the server meanwhile
		}
		return b.unreachable(err, "checking the lock", since)
	}
	return b.wrapf(err, "checking the lock on %s", b.desc)
}

// readLockRow reads the locks row, or nil when there is none or it cannot
// be read.
func (b *Backend) readLockRow(ctx context.Context, conn *pgx.Conn) *state.LockInfo {
	info, _, err := scanLockRow(conn.QueryRow(ctx, b.sql.lockRow, b.cfg.Workspace))
	if err != nil {
		return nil
	}
	return info
}

// lockRow reads the locks row on a pooled connection.
func (b *Backend) lockRow(ctx context.Context) *state.LockInfo {
	info, _, err := b.lockRowPID(ctx)
	if err != nil {
		return nil
	}
	return info
}

// lockRowPID reads the locks row and the backend pid it names; nil and no
// error when there is none.
func (b *Backend) lockRowPID(ctx context.Context) (*state.LockInfo, int32, error) {
	var info *state.LockInfo
	var pid int32
	err := b.withConn(ctx, func(conn *pgx.Conn) error {
		var err error
		info, pid, err = scanLockRow(conn.QueryRow(ctx, b.sql.lockRow, b.cfg.Workspace))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	return info, pid, err
}

func scanLockRow(row pgx.Row) (*state.LockInfo, int32, error) {
	var info state.LockInfo
	var pid, backendPID int32
	if err := row.Scan(&info.ID, &info.Who, &pid, &info.Operation, &info.Created, &info.Path, &info.ProcessStart, &backendPID); err != nil {
		return nil, 0, err
	}
	info.PID = int(pid)
	info.Created = info.Created.UTC()
	return &info, backendPID, nil
}

// advisoryHolder returns the backend pid of the session holding the
// workspace's advisory lock, or 0.
func (b *Backend) advisoryHolder(ctx context.Context) (int32, error) {
	var pid int32
	err := b.withConn(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, b.sql.lockHolderPID, b.lockKey).Scan(&pid)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return pid, err
}

// LockHolder implements state.LockInspector: the locks row, and whether
// its holder is gone. When the advisory lock is free (taking it on a fresh
// session succeeds; it is released at once), the holder is gone, whatever
// the row says; otherwise LockInfo.Liveness says (on another host:
// unknown, though its session is open).
func (b *Backend) LockHolder(ctx context.Context) (*state.LockInfo, state.Liveness, error) {
	info, _, err := b.lockRowPID(ctx)
	if err != nil {
		return nil, state.HolderUnknown, b.wrapf(err, "reading the lock of %s", b.desc)
	}
	free, err := b.advisoryFree(ctx)
	if err != nil {
		return nil, state.HolderUnknown, b.wrapf(err, "reading the lock of %s", b.desc)
	}
	if free {
		return info, state.HolderGone, nil
	}
	if info == nil {
		return nil, state.HolderUnknown, nil
	}
	return info, info.Liveness(), nil
}

// advisoryFree tries the advisory lock on a pooled session and releases it
// at once.
func (b *Backend) advisoryFree(ctx context.Context) (bool, error) {
	var got bool
	err := b.withConn(ctx, func(conn *pgx.Conn) error {
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.lockKey).Scan(&got); err != nil {
			return err
		}
		if got {
			var released bool
			if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, b.lockKey).Scan(&released); err != nil || !released {
				conn.Close(ctx) // ends the session, and the lock with it
			}
		}
		return nil
	})
	return got, err
}

// ForceUnlock ends the session holding the workspace's advisory lock, if
// any, and deletes the locks row, whoever it names.
func (b *Backend) ForceUnlock(ctx context.Context) error {
	return b.forceUnlock(ctx, nil)
}

// ForceUnlockHolder ends the lock holder's session if it is still open and
// deletes the locks row, if the row still names the holder whose lock ID is
// id ("" for a lock without a row): a lock that changed hands stays, and
// the error names its holder. No lock is not an error.
func (b *Backend) ForceUnlockHolder(ctx context.Context, id string) error {
	return b.forceUnlock(ctx, &id)
}

func (b *Backend) forceUnlock(ctx context.Context, id *string) error {
	info, rowPID, err := b.lockRowPID(ctx)
	if err != nil {
		return b.wrapf(err, "force-unlocking %s", b.desc)
	}
	holderPID, err := b.advisoryHolder(ctx)
	if err != nil {
		return b.wrapf(err, "force-unlocking %s", b.desc)
	}
	if info == nil && holderPID == 0 {
		return nil // no lock
	}
	if id != nil {
		nowID := ""
		if info != nil {
			nowID = info.ID
		}
		if nowID != *id {
			holder := "a holder that has not written its lock row yet"
			if info != nil {
				holder = info.String()
			}
			return fmt.Errorf("the lock on %s changed hands while force-unlock looked at it: %s holds it now; it was left in place, run fwapply force-unlock again if that holder is gone too", b.desc, holder)
		}
		// A session holding the advisory lock that is not the one the
		// row names is a new holder between taking the lock and writing
		// its row: it is not the holder the caller checked.
		if info != nil && holderPID != 0 && holderPID != rowPID {
			holderPID = 0
		}
	}
	if holderPID != 0 {
		if err := b.terminate(ctx, holderPID); err != nil {
			return err
		}
	}
	if info != nil {
		if err := b.withConn(ctx, func(conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, b.sql.deleteLock, b.cfg.Workspace, info.ID)
			return err
		}); err != nil {
			return b.wrapf(err, "force-unlocking %s: deleting the lock row", b.desc)
		}
	}
	return nil
}

// terminate ends the session of backend pid and waits (up to 5 s) for it
// to be gone, so that its advisory lock is released when this returns.
func (b *Backend) terminate(ctx context.Context, pid int32) error {
	var ok bool
	err := b.withConn(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid).Scan(&ok)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeNoPrivilege {
		return b.wrapf(err, "force-unlocking %s: cannot end the lock holder's database session (backend pid %d): user %q may not; "+
			"it must be a member of the holder's role or of pg_signal_backend (GRANT pg_signal_backend TO %s), or an administrator may run SELECT pg_terminate_backend(%d)",
			b.desc, pid, b.connCfg.User, pgx.Identifier{b.connCfg.User}.Sanitize(), pid)
	}
	if err != nil {
		return b.wrapf(err, "force-unlocking %s: ending the lock holder's database session (backend pid %d)", b.desc, pid)
	}
	if !ok {
		// Gone already, or it did not end within 5 s.
		if still, err := b.advisoryHolder(ctx); err == nil && still == pid {
			return fmt.Errorf("force-unlocking %s: the lock holder's database session (backend pid %d) did not end within 5 s; try again", b.desc, pid)
		}
	}
	return nil
}
