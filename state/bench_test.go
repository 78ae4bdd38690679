package state_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/frameworm/frameworm/internal/bigstate"
	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/statetest"
)

var benchSizes = []int{1000, 10000, 100000}

// benchState returns a state of n realistic trials (statetest.Trial: 5
// params, a nested config of 10 leaves, 3 metrics).
func benchState(b *testing.B, n int) *state.State {
	s := state.New()
	for i := range n {
		if err := s.Apply(state.Change{Put: statetest.Trial("coarse", i)}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkAppend measures one more trial record on a state of n trials:
// it must not grow with n. "sync" includes the fsync, "nosync" shows the
// work apart from disk latency.
func BenchmarkAppend(b *testing.B) {
	for _, n := range benchSizes {
		for _, sync := range []bool{true, false} {
			name := fmt.Sprintf("trials=%d/sync=%v", n, sync)
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				path := filepath.Join(b.TempDir(), "fw.state")
				f := state.NewFile(path)
				defer f.Close()
				state.SetNoSync(f, true)
				if err := f.Compact(ctx, benchState(b, n)); err != nil { // a snapshot: quick to build
					b.Fatal(err)
				}
				if _, _, err := f.Load(ctx); err != nil {
					b.Fatal(err)
				}
				state.SetNoSync(f, !sync)
				i := n
				for b.Loop() {
					if err := f.Append(ctx, state.Change{Put: statetest.Trial("coarse", i)}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkLoad measures loading a journal of n trial records, written by
// n appends.
func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), "fw.state")
			f := state.NewFile(path)
			state.SetNoSync(f, true)
			if _, _, err := f.Load(ctx); err != nil {
				b.Fatal(err)
			}
			for i := range n {
				if err := f.Append(ctx, state.Change{Put: statetest.Trial("coarse", i)}); err != nil {
					b.Fatal(err)
				}
			}
			f.Close()
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(fi.Size())
			for b.Loop() {
				s, _, err := state.NewFile(path).Load(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if s.Len() != n {
					b.Fatalf("loaded %d trials, want %d", s.Len(), n)
				}
			}
			b.ReportMetric(float64(fi.Size())/1e6, "MB")
		})
	}
}

// bigStates caches the generated states of BenchmarkLoadBig by size.
var bigStates = map[int]string{}

// bigState writes a state of n realistic trials (package bigstate: a
// snapshot plus appended records, as apply leaves it) once per run.
func bigState(b *testing.B, n int) string {
	if path, ok := bigStates[n]; ok {
		return path
	}
	dir, err := os.MkdirTemp("", "bigstate")
	if err != nil {
		b.Fatal(err)
	}
	o := bigstate.DefaultOptions
	o.Trials, o.Appended = n, min(o.Appended, n/10)
	path, err := bigstate.Write(context.Background(), dir, o)
	if err != nil {
		b.Fatal(err)
	}
	bigStates[n] = path
	return path
}

// BenchmarkLoadBig measures loading a state as apply leaves it (the trials
// of a realistic search: a snapshot, then appended records), the first
// step of every command; at 100k trials it is most of plan and show.
func BenchmarkLoadBig(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			path := bigState(b, n)
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := state.NewFile(path).Load(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if s.Len() != n {
					b.Fatalf("loaded %d trials, want %d", s.Len(), n)
				}
			}
		})
	}
}

// BenchmarkCompactBig measures the compaction after an apply: the whole
// state written as a snapshot.
func BenchmarkCompactBig(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			ctx := context.Background()
			src := bigState(b, n)
			path := filepath.Join(b.TempDir(), "fw.state")
			data, err := os.ReadFile(src)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			f := state.NewFile(path)
			state.SetNoSync(f, true)
			s, _, err := f.Load(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := f.Compact(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
