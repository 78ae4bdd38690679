package pg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/frameworm/frameworm/state"
)

// chunkSize bounds one stored piece of a snapshot, so that a state of any
// size never needs one huge value in memory or on the wire.
const chunkSize = 4 << 20

// Load reads the workspace's state.
func (b *Backend) Load(ctx context.Context) (*state.State, []state.Warning, error) {
	return b.LoadWith(ctx, state.LoadOptions{})
}

// LoadWith is Load with options. With a Trial option the state returned may
// not be the stored one, so Compact refuses until the next Load.
func (b *Backend) LoadWith(ctx context.Context, o state.LoadOptions) (*state.State, []state.Warning, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.load(ctx, o)
}

// load reads the workspace in one read-only repeatable-read transaction:
// its row, then its snapshot chunks and its changes, streamed through
// state.ReadJournal. The caller holds b.mu.
func (b *Backend) load(ctx context.Context, o state.LoadOptions) (*state.State, []state.Warning, error) {
	b.known = false
	conn, err := b.pool.acquire(ctx)
	if err != nil {
		return nil, nil, b.wrapf(b.openError(err), "reading the state from %s", b.desc)
	}
	defer b.pool.release(conn)
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, b.wrapf(err, "reading the state from %s", b.desc)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var ws workspaceRow
	err = tx.QueryRow(ctx, b.sql.workspace, b.cfg.Workspace).Scan(&ws.lineage, &ws.serial, &ws.snapSerial, &ws.snapRecords)
	if errors.Is(err, pgx.ErrNoRows) {
		s := state.New()
		b.workspaceState = workspaceState{known: true, lineage: s.Lineage, keys: map[state.TrialRef]struct{}{}}
		return s, nil, nil
	}
	if err != nil {
		return nil, nil, b.wrapf(err, "reading the state from %s", b.desc)
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(b.stream(ctx, tx, ws, pw))
	}()
	s, warns, err := state.ReadJournal(ctx, pr, b.desc, o)
	pr.CloseWithError(errors.New("reading stopped")) // ends the stream early after an error
	<-done
	if err != nil {
		return nil, nil, b.wrapf(err, "reading the state from %s", b.desc)
	}
	if s.Lineage != ws.lineage || s.Serial != uint64(ws.serial) {
		return nil, nil, &state.CorruptError{Path: b.desc, Err: fmt.Errorf(
			"the workspace row says lineage %s serial %d, its snapshot and changes give lineage %s serial %d", ws.lineage, ws.serial, s.Lineage, s.Serial)}
	}
	b.workspaceState = workspaceState{
		known: true, exists: true, lineage: s.Lineage, serial: s.Serial,
		snapSerial: uint64(ws.snapSerial), snapRecords: ws.snapRecords,
		keys: trialKeys(s), partial: o.Trial != nil,
	}
	return s, warns, nil
}

type workspaceRow struct {
	lineage                         string
	serial, snapSerial, snapRecords int64
}

// stream writes the workspace's snapshot chunks, then its changes after
// the snapshot, to w, buffered so that small records cross the pipe in
// large pieces.
func (b *Backend) stream(ctx context.Context, tx pgx.Tx, ws workspaceRow, w io.Writer) error {
	rows, err := tx.Query(ctx, `SELECT data FROM `+b.sql.chunks+` WHERE workspace = $1 AND serial = $2 ORDER BY seq`, b.cfg.Workspace, ws.snapSerial)
	if err != nil {
		return err
	}
	chunks := 0
	for rows.Next() {
		chunks++
		if _, err := w.Write(rows.RawValues()[0]); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if chunks == 0 {
		return fmt.Errorf("the snapshot of serial %d is missing", ws.snapSerial)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rows, err = tx.Query(ctx, `SELECT record FROM `+b.sql.changes+` WHERE workspace = $1 AND serial > $2 ORDER BY serial`, b.cfg.Workspace, ws.snapSerial)
	if err != nil {
		return err
	}
	for rows.Next() {
		if _, err := bw.Write(rows.RawValues()[0]); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

func trialKeys(s *state.State) map[state.TrialRef]struct{} {
	keys := make(map[state.TrialRef]struct{}, s.Len())
	for _, search := range s.Searches() {
		for _, t := range s.Trials(search) {
			keys[t.Ref()] = struct{}{}
		}
	}
	return keys
}

// ensureKnown loads the workspace when this Backend has not. The caller
// holds b.mu.
func (b *Backend) ensureKnown(ctx context.Context) error {
	if b.known {
		return nil
	}
	_, _, err := b.load(ctx, state.LoadOptions{})
	return err
}

// Append durably records one change: one statement, O(1).
func (b *Backend) Append(ctx context.Context, c state.Change) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return b.appendLines(ctx, []state.Change{c}, "recording a change")
}

// AppendBatch records cs all or nothing, in one transaction.
func (b *Backend) AppendBatch(ctx context.Context, cs []state.Change) error {
	if len(cs) == 0 {
		return nil
	}
	for i, c := range cs {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("change %d of the batch: %w; nothing was recorded", i+1, err)
		}
	}
	return b.appendLines(ctx, cs, "recording a batch of changes")
}

// appendLines records cs with the serials after the stored one.
func (b *Backend) appendLines(ctx context.Context, cs []state.Change, what string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var lines [][]byte
	batch := map[state.TrialRef]bool{} // the trials as cs change them: true put, false removed
	unsure := false                    // an attempt may have been committed, and no later one found out
	err := b.retry(ctx, what, func(attempt int) error {
		if err := b.ensureKnown(ctx); err != nil {
			return err
		}
		if lines == nil {
			var err error
			if lines, batch, err = b.encode(cs); err != nil {
				return &fatalError{err}
			}
		}
		err := b.withWriteConn(ctx, func(conn *pgx.Conn) error {
			return b.store(ctx, conn, lines, attempt > 0)
		})
		unsure = settle(unsure, err)
		return err
	})
	if err != nil {
		maybe, none := "the connection broke after the change was sent: it may or may not be recorded", ""
		if len(cs) > 1 {
			maybe, none = "the connection broke after the batch was sent: it may or may not be recorded, load the state to see", "nothing of the batch was recorded"
		}
		return b.writeError(err, unsure, maybe, none)
	}
	b.exists = true
	b.serial += uint64(len(lines))
	for ref, there := range batch {
		if there {
			b.keys[ref] = struct{}{}
		} else {
			delete(b.keys, ref)
		}
	}
	return nil
}

// fatalError ends a retry: the change itself is wrong.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

// writeError is the error of a write that retry gave up on with err: a
// fatalError's own error; else err followed by maybe when an attempt may
// have been committed (unsure), and then the workspace is read again
// before the next write; else err, followed by none unless it is "". The
// caller holds b.mu.
func (b *Backend) writeError(err error, unsure bool, maybe, none string) error {
	var fe *fatalError
	if errors.As(err, &fe) {
		return fe.err
	}
	if unsure {
		b.known = false
		return fmt.Errorf("%w; %s", err, maybe)
	}
	if none != "" {
		return fmt.Errorf("%w; %s", err, none)
	}
	return err
}

// encode checks cs against the stored trials (a remove must name one) and
// returns their journal lines with the serials after the stored one. The
// caller holds b.mu.
func (b *Backend) encode(cs []state.Change) ([][]byte, map[state.TrialRef]bool, error) {
	batch, bad := state.BatchTrials(cs, func(ref state.TrialRef) bool { _, ok := b.keys[ref]; return ok })
	lines := make([][]byte, len(cs))
	for i, c := range cs {
		prefix := ""
		if len(cs) > 1 {
			prefix = fmt.Sprintf("change %d of the batch: ", i+1)
		}
		if i == bad { // after the errors of the changes before it, as found in order
			return nil, nil, fmt.Errorf("%scannot remove trial %s: there is no such trial in %s", prefix, *c.Remove, b.desc)
		}
		line, err := state.EncodeRecord(b.serial+uint64(i)+1, c)
		if err != nil {
			return nil, nil, fmt.Errorf("%s%w", prefix, err)
		}
		lines[i] = line
	}
	return lines, batch, nil
}

// store writes lines as the changes after b.serial: one statement for one
// line into an existing workspace, else one transaction. again says an
// earlier attempt may have been committed: then finding exactly these
// lines stored is success. The caller holds b.mu.
func (b *Backend) store(ctx context.Context, conn *pgx.Conn, lines [][]byte, again bool) error {
	first, last := b.serial+1, b.serial+uint64(len(lines))
	if b.exists && len(lines) == 1 {
		tag, err := conn.Exec(ctx, b.sql.append, b.cfg.Workspace, b.lineage, int64(first), lines[0])
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		return b.notStored(ctx, conn, last, lines[len(lines)-1], again, len(lines))
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if !b.exists {
		if err := b.create(ctx, tx); err != nil {
			if errors.Is(err, errExists) {
				tx.Rollback(ctx)
				return b.notStored(ctx, conn, last, lines[len(lines)-1], again, len(lines))
			}
			return err
		}
	}
	tag, err := tx.Exec(ctx, b.sql.bumpSerial, b.cfg.Workspace, b.lineage, int64(b.serial), int64(last))
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		tx.Rollback(ctx)
		return b.notStored(ctx, conn, last, lines[len(lines)-1], again, len(lines))
	}
	if len(lines) < 64 {
		batch := &pgx.Batch{}
		for i, line := range lines {
			batch.Queue(`INSERT INTO `+b.sql.changes+` (workspace, serial, record) VALUES ($1, $2, $3)`, b.cfg.Workspace, int64(first)+int64(i), line)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
	} else {
		i := 0
		_, err := tx.CopyFrom(ctx, pgx.Identifier{b.cfg.Schema, "changes"}, []string{"workspace", "serial", "record"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(lines) {
					return nil, nil
				}
				i++
				return []any{b.cfg.Workspace, int64(first) + int64(i-1), lines[i-1]}, nil
			}))
		if err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

var errExists = errors.New("the workspace exists")

// create makes the workspace row with the loaded lineage, and its empty
// snapshot. It returns errExists when the row is there already.
func (b *Backend) create(ctx context.Context, tx pgx.Tx) error {
	tag, err := tx.Exec(ctx, b.sql.createWorkspace, b.cfg.Workspace, b.lineage)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return errExists
	}
	if b.emptySnap == nil {
		s := state.New()
		s.Lineage = b.lineage
		snap, err := state.SnapshotBytes(s)
		if err != nil {
			return err
		}
		b.emptySnap = snap
	}
	_, err = tx.Exec(ctx, b.sql.emptySnapshot, b.cfg.Workspace, b.emptySnap)
	return err
}

// notStored explains a write that found the workspace not as loaded: after
// a connection failure, it may be this Backend's own earlier attempt (the
// last line is stored, with the same lineage); otherwise another process
// wrote the workspace.
func (b *Backend) notStored(ctx context.Context, conn *pgx.Conn, last uint64, lastLine []byte, again bool, n int) error {
	notRecorded := "the change was not recorded"
	if n > 1 {
		notRecorded = "nothing was recorded"
	}
	var ws workspaceRow
	err := conn.QueryRow(ctx, b.sql.workspace, b.cfg.Workspace).Scan(&ws.lineage, &ws.serial, &ws.snapSerial, &ws.snapRecords)
	if errors.Is(err, pgx.ErrNoRows) {
		return &fatalError{fmt.Errorf("cannot write to %s: the workspace was deleted since this process loaded it; %s; run the command again", b.desc, notRecorded)}
	}
	if err != nil {
		return err
	}
	if again && ws.lineage == b.lineage && uint64(ws.serial) >= last {
		var rec []byte
		err := conn.QueryRow(ctx, b.sql.record, b.cfg.Workspace, int64(last)).Scan(&rec)
		if err == nil && bytes.Equal(rec, lastLine) {
			return nil // committed before the connection broke
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	if !b.exists || ws.lineage != b.lineage {
		if !b.exists {
			return &fatalError{fmt.Errorf("cannot write to %s: another process created the workspace (lineage %s) since this one loaded it; %s; run the command again", b.desc, ws.lineage, notRecorded)}
		}
		return &fatalError{fmt.Errorf("cannot write to %s: the workspace was replaced (by fwapply state push or init -migrate-state: its lineage is now %s, not %s) since this process loaded it; %s; run the command again",
			b.desc, ws.lineage, b.lineage, notRecorded)}
	}
	return &fatalError{fmt.Errorf("cannot write to %s: another process wrote serial %d since this one loaded serial %d (was another apply run with -lock=false?); %s; run the command again",
		b.desc, b.serial+1, b.serial, notRecorded)}
}

// CompactionDue reports whether an apply should compact the workspace:
// when the changes stored since the snapshot number at least 1000 and at
// least a quarter of the snapshot's records. A compaction rewrites the
// whole state, so doing it only then costs O(1) per change, amortized,
// and keeps a load within 5/4 of the work of reading the snapshot alone
// (beyond a fixed 1000 records).
func (b *Backend) CompactionDue() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.known || !b.exists {
		return false
	}
	changes := int64(b.serial - b.snapSerial)
	return changes >= max(1000, b.snapRecords/4)
}

// Compact replaces the stored snapshot and changes with one snapshot of s,
// in one transaction. s must be the stored state: same lineage and serial.
func (b *Backend) Compact(ctx context.Context, s *state.State) error {
	return b.rewrite(ctx, s, true)
}

// Replace stores s as the workspace's state, whatever it held, in one
// transaction.
func (b *Backend) Replace(ctx context.Context, s *state.State) error {
	return b.rewrite(ctx, s, false)
}

func (b *Backend) rewrite(ctx context.Context, s *state.State, check bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	what := "replacing the state"
	if check {
		what = "compacting the state"
		if b.partial {
			return fmt.Errorf("cannot compact %s: it was loaded with LoadWith, which may leave fields out of the state; load it with Load first", b.desc)
		}
	}
	unsure := false
	err := b.retry(ctx, what, func(attempt int) error {
		if check {
			if err := b.ensureKnown(ctx); err != nil {
				return err
			}
			if b.exists && (s.Lineage != b.lineage || s.Serial != b.serial) {
				return &fatalError{fmt.Errorf("cannot compact %s: the state to write (lineage %s, serial %d) is not the stored one (lineage %s, serial %d); load the state again",
					b.desc, s.Lineage, s.Serial, b.lineage, b.serial)}
			}
		}
		err := b.withWriteConn(ctx, func(conn *pgx.Conn) error {
			return b.writeSnapshot(ctx, conn, s, check)
		})
		unsure = settle(unsure, err)
		return err
	})
	if err != nil {
		return b.writeError(err, unsure, "the connection broke after the state was sent: it may or may not be stored, load the state to see", "")
	}
	b.workspaceState = workspaceState{
		known: true, exists: true, lineage: s.Lineage, serial: s.Serial,
		snapSerial: s.Serial, snapRecords: snapshotRecords(s), keys: trialKeys(s),
	}
	return nil
}

func snapshotRecords(s *state.State) int64 {
	return int64(s.Len() + len(s.SettingsSearches()))
}

// writeSnapshot stores s as the workspace's snapshot, in one transaction.
// With check (Compact), the stored row must still be the state loaded
// (after a failed attempt, it may already hold s's snapshot: writing it
// again is harmless); without, the workspace is replaced whatever it holds.
func (b *Backend) writeSnapshot(ctx context.Context, conn *pgx.Conn, s *state.State, check bool) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var ws workspaceRow
	err = tx.QueryRow(ctx, b.sql.workspace+` FOR UPDATE`, b.cfg.Workspace).Scan(&ws.lineage, &ws.serial, &ws.snapSerial, &ws.snapRecords)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if check && (exists != b.exists || exists && (ws.lineage != s.Lineage || uint64(ws.serial) != s.Serial)) {
		return &fatalError{fmt.Errorf("cannot compact %s: another process wrote the workspace since this one loaded it; load the state again", b.desc)}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+b.sql.chunks+` WHERE workspace = $1`, b.cfg.Workspace); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+b.sql.changes+` WHERE workspace = $1`, b.cfg.Workspace); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+b.sql.workspaces+` (name, lineage, serial, snapshot_serial, snapshot_records)
VALUES ($1, $2, $3, $3, $4)
ON CONFLICT (name) DO UPDATE SET lineage = EXCLUDED.lineage, serial = EXCLUDED.serial,
	snapshot_serial = EXCLUDED.snapshot_serial, snapshot_records = EXCLUDED.snapshot_records, updated_at = now()`,
		b.cfg.Workspace, s.Lineage, int64(s.Serial), snapshotRecords(s)); err != nil {
		return err
	}
	// The snapshot streams from a writer goroutine into COPY, chunk by
	// chunk, so that it is never whole in memory.
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		bw := bufio.NewWriterSize(pw, 256<<10)
		err := state.WriteSnapshot(bw, s)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	buf := make([]byte, chunkSize)
	seq := 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{b.cfg.Schema, "snapshot_chunks"}, []string{"workspace", "serial", "seq", "data"},
		pgx.CopyFromFunc(func() ([]any, error) {
			n, err := io.ReadFull(pr, buf)
			if n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
				return nil, nil
			}
			if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("encoding the snapshot: %w", err)
			}
			seq++
			return []any{b.cfg.Workspace, int64(s.Serial), int32(seq - 1), slices.Clone(buf[:n])}, nil
		}))
	pr.CloseWithError(errors.New("copy stopped"))
	<-done
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}
