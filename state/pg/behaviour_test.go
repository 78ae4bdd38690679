package pg_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/pg"
	"github.com/frameworm/frameworm/state/statetest"
)

var bg = context.Background()

// sql runs statements on a fresh connection.
func sql(t testing.TB, dsn string, stmt string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(bg, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(bg)
	if _, err := conn.Exec(bg, stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// queryInt runs a query returning one integer.
func queryInt(t testing.TB, dsn string, q string, args ...any) int64 {
	t.Helper()
	conn, err := pgx.Connect(bg, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(bg)
	var n int64
	if err := conn.QueryRow(bg, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func mustLoad(t testing.TB, b *pg.Backend) *state.State {
	t.Helper()
	s, warns, err := b.Load(bg)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(warns) > 0 {
		t.Fatalf("Load warnings: %v", warns)
	}
	return s
}

func put(n int) state.Change { return state.Change{Put: statetest.Trial("s", n)} }

// pair opens two backends on one new workspace, as two processes would.
func pair(t *testing.T) (dsn, schema string, a, b *pg.Backend) {
	dsn = pgtest.DSN(t)
	schema = pgtest.Schema(t, dsn)
	cfg := pg.Config{ConnStr: dsn, Schema: schema, Workspace: "w"}
	return dsn, schema, open(t, cfg), open(t, cfg)
}

func TestSerialConflict(t *testing.T) {
	_, _, a, b := pair(t)
	mustLoad(t, a)
	mustLoad(t, b)
	// Both loaded the missing workspace: the first write creates it, the
	// second finds it created by another.
	if err := a.Append(bg, put(0)); err != nil {
		t.Fatal(err)
	}
	err := b.Append(bg, put(100))
	if err == nil || !strings.Contains(err.Error(), "another process created the workspace") {
		t.Fatalf("Append over a workspace another process created: %v", err)
	}
	// Both loaded serial 1: the first append takes serial 2, the second
	// is refused, and keeps being refused (its view is stale).
	mustLoad(t, b)
	if err := a.Append(bg, put(1)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		err = b.Append(bg, put(101))
		if err == nil || !strings.Contains(err.Error(), "another process wrote serial 2") || !strings.Contains(err.Error(), "-lock=false") {
			t.Fatalf("conflicting Append: %v; want the serial conflict", err)
		}
	}
	if err := b.AppendBatch(bg, []state.Change{put(102), put(103)}); err == nil || !strings.Contains(err.Error(), "nothing was recorded") {
		t.Fatalf("conflicting AppendBatch: %v", err)
	}
	s := mustLoad(t, a)
	if s.Serial != 2 || s.Len() != 2 || s.Trial("s", 101) != nil {
		t.Fatalf("after the conflicts: serial %d, %d trials; want a's 2 changes only", s.Serial, s.Len())
	}
	// A replaced workspace (state push) is named as such.
	other := state.New()
	if err := b.Replace(bg, other); err != nil {
		t.Fatal(err)
	}
	if err := a.Append(bg, put(2)); err == nil || !strings.Contains(err.Error(), "was replaced") {
		t.Fatalf("Append after another process replaced the workspace: %v", err)
	}
	// Compact of a stale state is refused.
	if err := a.Compact(bg, s); err == nil {
		t.Fatal("Compact of a state another process replaced succeeded")
	}
}

func TestLockConflictsAcrossBackends(t *testing.T) {
	_, _, a, b := pair(t)
	unlock, err := a.Lock(bg, state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	_, err = b.Lock(ctx, state.LockInfo{Operation: "plan"})
	var le *state.LockError
	if !errors.As(err, &le) || le.Info == nil || le.Info.Operation != "apply" || le.Info.Path != a.Describe() {
		t.Fatalf("Lock while another backend holds it: %v; want a LockError naming the apply", err)
	}
	if err := a.CheckLock(bg); err != nil {
		t.Fatalf("CheckLock of the holder: %v", err)
	}
	if err := b.CheckLock(bg); err == nil {
		t.Fatal("CheckLock of a backend without the lock succeeded")
	}
	unlock()
	unlockB, err := b.Lock(bg, state.LockInfo{Operation: "plan"})
	if err != nil {
		t.Fatalf("Lock after the holder unlocked: %v", err)
	}
	unlockB()
}

// holderPID returns the backend pid the locks row names.
func holderPID(t *testing.T, dsn, schema string) int64 {
	return queryInt(t, dsn, `SELECT backend_pid::bigint FROM `+pgx.Identifier{schema, "locks"}.Sanitize()+` WHERE workspace = 'w'`)
}

func TestKilledHolderReleasesTheLock(t *testing.T) {
	dsn, schema, a, b := pair(t)
	mustLoad(t, a)
	if _, err := a.Lock(bg, state.LockInfo{Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	if info, live, err := b.LockHolder(bg); err != nil || info == nil || live != state.HolderAlive {
		t.Fatalf("LockHolder while a holds it: %+v, %v, %v; want a, alive", info, live, err)
	}
	// The holder's session dies (as when its process is killed).
	sql(t, dsn, `SELECT pg_terminate_backend($1::int, 5000)`, holderPID(t, dsn, schema))
	info, live, err := b.LockHolder(bg)
	if err != nil || info == nil || info.Operation != "apply" || live != state.HolderGone {
		t.Fatalf("LockHolder after the holder's session ended: %+v, %v, %v; want the stale row, gone", info, live, err)
	}
	ctx, cancel := context.WithTimeout(bg, 2*time.Second)
	defer cancel()
	unlock, err := b.Lock(ctx, state.LockInfo{Operation: "import"})
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	defer unlock()
	if info, _, _ := a.LockHolder(bg); info == nil || info.Operation != "import" {
		t.Fatalf("the stale row was not overwritten: %+v", info)
	}
	// The dead holder finds out at its next check, and writes nothing.
	var lost *state.LockLostError
	if err := a.CheckLock(bg); !errors.As(err, &lost) || !strings.Contains(lost.How, "taken by another process") || lost.Holder == nil || lost.Holder.Operation != "import" {
		t.Fatalf("CheckLock of the dead holder: %v; want a LockLostError naming the new holder", err)
	}
	if err := a.Append(bg, put(0)); !errors.As(err, &lost) {
		t.Fatalf("Append of the dead holder: %v; want a LockLostError", err)
	}
}

func TestForceUnlockLiveHolder(t *testing.T) {
	_, _, a, b := pair(t)
	mustLoad(t, a)
	if _, err := a.Lock(bg, state.LockInfo{Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Append(bg, put(0)); err != nil {
		t.Fatal(err)
	}
	info, _, err := b.LockHolder(bg)
	if err != nil || info == nil {
		t.Fatal(info, err)
	}
	if err := b.ForceUnlockHolder(bg, info.ID); err != nil {
		t.Fatalf("ForceUnlockHolder: %v", err)
	}
	var lost *state.LockLostError
	if err := a.CheckLock(bg); !errors.As(err, &lost) || !strings.Contains(err.Error(), "force-unlock") {
		t.Fatalf("CheckLock after a force-unlock: %v; want a LockLostError saying force-unlock", err)
	}
	if err := a.Append(bg, put(1)); !errors.As(err, &lost) {
		t.Fatalf("Append after a force-unlock: %v; want a LockLostError", err)
	}
	// The lock is free for others, and what a wrote before stays.
	unlock, err := b.Lock(bg, state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
	unlock()
	if s := mustLoad(t, b); s.Len() != 1 {
		t.Fatalf("%d trials after force-unlock, want 1", s.Len())
	}
}

func TestForceUnlockWithoutPrivilege(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	holder := open(t, pg.Config{ConnStr: dsn, Schema: schema, Workspace: "w"}) // a superuser
	unlock, err := holder.Lock(bg, state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	role := pgtest.Role(t, dsn, false)
	sql(t, dsn, `GRANT USAGE ON SCHEMA `+pgx.Identifier{schema}.Sanitize()+` TO `+pgx.Identifier{roleName(role)}.Sanitize())
	sql(t, dsn, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA `+pgx.Identifier{schema}.Sanitize()+` TO `+pgx.Identifier{roleName(role)}.Sanitize())
	weak := open(t, pg.Config{ConnStr: role, Schema: schema, Workspace: "w"})
	err = weak.ForceUnlock(bg)
	if err == nil || !strings.Contains(err.Error(), "pg_signal_backend") {
		t.Fatalf("ForceUnlock of a superuser's session by a plain role: %v; want an error naming the missing privilege", err)
	}
	if err := holder.CheckLock(bg); err != nil {
		t.Fatalf("the holder lost its lock to a refused force-unlock: %v", err)
	}
}

func roleName(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		panic(err)
	}
	return cfg.User
}

func TestWatch(t *testing.T) {
	dsn, schema, a, b := pair(t)
	other := open(t, pg.Config{ConnStr: dsn, Schema: schema, Workspace: "other"})
	ctx, cancel := context.WithCancel(bg)
	ch, err := a.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Append(bg, put(0)); err != nil { // another workspace: no news for a
		t.Fatal(err)
	}
	if err := b.Append(bg, put(0)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification within 10 s of an Append by another backend")
	}
	select {
	case <-ch:
		t.Fatal("a second notification for one change (the other workspace's?)")
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	for range ch { // closed when ctx is done
	}
}

func TestWatchClosesWhenTheConnectionBreaks(t *testing.T) {
	dsn := pgtest.DSN(t)
	app := "fwtest_" + strings.ReplaceAll(pgtest.Schema(t, dsn), "fwt_", "")
	a := open(t, pg.Config{ConnStr: withParam(dsn, "application_name", app), Schema: pgtest.Schema(t, dsn)})
	ch, err := a.Watch(bg)
	if err != nil {
		t.Fatal(err)
	}
	sql(t, dsn, `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, app)
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watch channel stayed open after its connection was terminated")
	}
}

func TestCompactionDue(t *testing.T) {
	dsn := pgtest.DSN(t)
	b := open(t, pg.Config{ConnStr: dsn, Schema: pgtest.Schema(t, dsn)})
	s := mustLoad(t, b)
	if b.CompactionDue() {
		t.Fatal("due for an empty workspace")
	}
	appendN := func(from, n int) {
		var cs []state.Change
		for i := range n {
			cs = append(cs, put(from+i))
		}
		if err := b.AppendBatch(bg, cs); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			s.Apply(c)
		}
	}
	appendN(0, 999)
	if b.CompactionDue() {
		t.Fatal("due after 999 changes")
	}
	appendN(999, 1)
	if !b.CompactionDue() {
		t.Fatal("not due after 1000 changes on an empty snapshot")
	}
	if err := b.Compact(bg, s); err != nil {
		t.Fatal(err)
	}
	if b.CompactionDue() {
		t.Fatal("due right after a compaction")
	}
	// With a large snapshot, a quarter of its records.
	big := state.New()
	for i := range 8000 {
		big.Apply(put(i))
	}
	if err := b.Replace(bg, big); err != nil {
		t.Fatal(err)
	}
	s = big
	appendN(8000, 1999)
	if b.CompactionDue() {
		t.Fatal("due after 1999 changes on a snapshot of 8000 records")
	}
	appendN(9999, 1)
	if !b.CompactionDue() {
		t.Fatal("not due after 2000 changes on a snapshot of 8000 records")
	}
	// Loading tells the same.
	b2 := open(t, pg.Config{ConnStr: dsn, Schema: pgtestSchemaOf(b)})
	mustLoad(t, b2)
	if !b2.CompactionDue() {
		t.Fatal("a fresh backend's load does not see the compaction is due")
	}
}

// pgtestSchemaOf reads the schema back from the description.
func pgtestSchemaOf(b *pg.Backend) string {
	d := b.Describe()
	i := strings.Index(d, `schema "`) + len(`schema "`)
	return d[i : i+strings.IndexByte(d[i:], '"')]
}

func TestLargeSnapshotInChunks(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	b := open(t, pg.Config{ConnStr: dsn, Schema: schema})
	s := state.New()
	for i := range 6000 { // about 6 MB of snapshot
		s.Apply(put(i))
	}
	if err := b.Replace(bg, s); err != nil {
		t.Fatal(err)
	}
	chunks := queryInt(t, dsn, `SELECT count(*) FROM `+pgx.Identifier{schema, "snapshot_chunks"}.Sanitize())
	maxLen := queryInt(t, dsn, `SELECT max(length(data)) FROM `+pgx.Identifier{schema, "snapshot_chunks"}.Sanitize())
	if chunks < 2 || maxLen > 4<<20 {
		t.Fatalf("a 6 MB snapshot is stored in %d chunks of up to %d bytes; want several of at most 4 MiB", chunks, maxLen)
	}
	b2 := open(t, pg.Config{ConnStr: dsn, Schema: schema})
	if d := statetest.Diff(s, mustLoad(t, b2)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestDamageIsDetected(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	b := open(t, pg.Config{ConnStr: dsn, Schema: schema})
	mustLoad(t, b)
	for i := range 3 {
		if err := b.Append(bg, put(i)); err != nil {
			t.Fatal(err)
		}
	}
	changes := pgx.Identifier{schema, "changes"}.Sanitize()
	// A changed byte fails the record's checksum.
	sql(t, dsn, `UPDATE `+changes+` SET record = overlay(record placing '9'::bytea from 60 for 1) WHERE serial = 2`)
	_, _, err := b.Load(bg)
	var ce *state.CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("Load of a damaged record: %v; want a CorruptError (checksum)", err)
	}
	// A missing record breaks the serials.
	sql(t, dsn, `DELETE FROM `+changes+` WHERE serial = 2`)
	if _, _, err := b.Load(bg); !errors.As(err, &ce) {
		t.Fatalf("Load with a record missing: %v; want a CorruptError", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	open(t, pg.Config{ConnStr: dsn, Schema: schema})
	sql(t, dsn, `INSERT INTO `+pgx.Identifier{schema, "migrations"}.Sanitize()+` (version, description) VALUES (99, 'from the future')`)
	_, err := pg.Open(bg, pg.Config{ConnStr: dsn, Schema: schema})
	if err == nil || !strings.Contains(err.Error(), "upgrade fwapply") || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("Open of a newer schema: %v; want an error saying to upgrade fwapply", err)
	}
}

func TestConcurrentFirstOpen(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			b, err := pg.Open(bg, pg.Config{ConnStr: dsn, Schema: schema})
			if err == nil {
				b.Close()
			}
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent first Open: %v", err)
		}
	}
	if v := queryInt(t, dsn, `SELECT count(*) FROM `+pgx.Identifier{schema, "migrations"}.Sanitize()); v != 1 {
		t.Errorf("%d migration rows after concurrent first opens, want 1", v)
	}
}

// withParam adds a parameter to a connection string, URL or key=value.
func withParam(dsn, key, value string) string {
	switch {
	case !strings.Contains(dsn, "://"):
		return dsn + " " + key + "=" + value
	case strings.Contains(dsn, "?"):
		return dsn + "&" + key + "=" + value
	}
	return dsn + "?" + key + "=" + value
}
