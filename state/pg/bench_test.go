package pg_test

import (
	"fmt"
	"testing"

	"github.com/frameworm/frameworm/internal/pgtest"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/pg"
	"github.com/frameworm/frameworm/state/statetest"
)

// benchBackend returns a backend over a workspace holding n realistic
// trials (statetest.Trial), stored with Replace: a snapshot.
func benchBackend(b *testing.B, n int) (*pg.Backend, *state.State) {
	dsn := pgtest.DSN(b)
	be := open(b, pg.Config{ConnStr: dsn, Schema: pgtest.Schema(b, dsn)})
	s := state.New()
	for i := range n {
		if err := s.Apply(state.Change{Put: statetest.Trial("coarse", i)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := be.Replace(bg, s); err != nil {
		b.Fatal(err)
	}
	return be, s
}

// BenchmarkAppend measures one more trial record, unlocked (a pooled
// connection) and locked (the lock's connection, with the CheckLock an
// apply makes before each record): it must not grow with the state.
func BenchmarkAppend(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		for _, locked := range []bool{false, true} {
			b.Run(fmt.Sprintf("trials=%d/locked=%v", n, locked), func(b *testing.B) {
				be, _ := benchBackend(b, n)
				if _, _, err := be.Load(bg); err != nil {
					b.Fatal(err)
				}
				if locked {
					unlock, err := be.Lock(bg, state.LockInfo{Operation: "apply"})
					if err != nil {
						b.Fatal(err)
					}
					defer unlock()
				}
				i := n
				for b.Loop() {
					if locked {
						if err := be.CheckLock(bg); err != nil {
							b.Fatal(err)
						}
					}
					if err := be.Append(bg, state.Change{Put: statetest.Trial("coarse", i)}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkLoad measures loading a workspace of n trials: a snapshot, and
// a snapshot followed by n/4 change records (the most before a compaction
// is due).
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		for _, tail := range []bool{false, true} {
			b.Run(fmt.Sprintf("trials=%d/changes=%v", n, tail), func(b *testing.B) {
				be, _ := benchBackend(b, n)
				if tail {
					var cs []state.Change
					for i := range n / 4 {
						cs = append(cs, state.Change{Put: statetest.Trial("coarse", i)}) // replaces
					}
					if _, _, err := be.Load(bg); err != nil {
						b.Fatal(err)
					}
					if err := be.AppendBatch(bg, cs); err != nil {
						b.Fatal(err)
					}
				}
				for b.Loop() {
					s, _, err := be.Load(bg)
					if err != nil {
						b.Fatal(err)
					}
					if s.Len() != n {
						b.Fatalf("%d trials, want %d", s.Len(), n)
					}
				}
			})
		}
	}
}

// BenchmarkCompact measures compacting a workspace of n trials.
func BenchmarkCompact(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			be, s := benchBackend(b, n)
			if _, _, err := be.Load(bg); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := be.Compact(bg, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
