package pg_test

import (
	"context"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/pg"
	"github.com/frameworm/frameworm/state/statetest"
)

// Every backend implements the interfaces the commands use.
var (
	_ state.Backend       = (*pg.Backend)(nil)
	_ state.Batcher       = (*pg.Backend)(nil)
	_ state.Compacter     = (*pg.Backend)(nil)
	_ state.Replacer      = (*pg.Backend)(nil)
	_ state.Locker        = (*pg.Backend)(nil)
	_ state.LockChecker   = (*pg.Backend)(nil)
	_ state.LockInspector = (*pg.Backend)(nil)
	_ state.Watcher       = (*pg.Backend)(nil)
)

// open opens a backend and closes it when the test ends.
func open(t testing.TB, cfg pg.Config) *pg.Backend {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := pg.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestConformance(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	statetest.Run(t, func(t *testing.T) state.Backend {
		// A fresh workspace per subtest, in one schema.
		return open(t, pg.Config{ConnStr: dsn, Schema: schema, Workspace: t.Name()})
	})
}

func TestConformanceFreshSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	statetest.Run(t, func(t *testing.T) state.Backend {
		return open(t, pg.Config{ConnStr: dsn, Schema: pgtest.Schema(t, dsn)})
	})
}
