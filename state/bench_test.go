package state_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
