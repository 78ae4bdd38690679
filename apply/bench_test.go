package apply

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// The engine's overhead per trial: BenchmarkEngine runs b.N trials of
// /bin/true through the whole apply path (plan, trial directory and
// protocol files, metrics check, two fsynced journal records per trial);
// BenchmarkPlainSpawn runs the same command b.N times in a plain loop. The
// ratio of their ns/op is the figure reported in the engine issue.

func BenchmarkEngine(b *testing.B) {
	for _, par := range []int{1, 2} {
		b.Run("parallelism="+strconv.Itoa(par), func(b *testing.B) {
			t := &testing.T{}
			def := testDef(t, b.N, par)
			s := def.Searches[0]
			s.Trial.Command = []string{"/bin/sh", "-c", `echo '{"loss": 1}' > "$FW_METRICS"`}
			backend := state.NewFile(filepath.Join(b.TempDir(), "bench.fwstate"))
			st := state.New()
			p, err := plan.Make(def, st, plan.Options{})
			if err != nil {
				b.Fatal(err)
			}
			r := &Runner{Def: def, State: st, Journal: backend, Executor: &runtime.Local{}}
			b.ResetTimer()
			res, err := r.Run(context.Background(), nil, p)
			if err != nil {
				b.Fatal(err)
			}
			if res.Searches[0].Completed != b.N {
				b.Fatalf("%d of %d trials completed", res.Searches[0].Completed, b.N)
			}
		})
	}
}

func BenchmarkPlainSpawn(b *testing.B) {
	for _, par := range []int{1, 2} {
		b.Run("parallelism="+strconv.Itoa(par), func(b *testing.B) {
			dir := b.TempDir()
			jobs := make(chan int)
			var wg sync.WaitGroup
			for range par {
				wg.Go(func() {
					for i := range jobs {
						cmd := exec.Command("/bin/sh", "-c", `echo '{"loss": 1}' > "$FW_METRICS"`)
						cmd.Env = []string{"FW_METRICS=" + filepath.Join(dir, strconv.Itoa(i))}
						if err := cmd.Run(); err != nil {
							b.Error(err)
						}
					}
				})
			}
			for i := 0; i < b.N; i++ {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
		})
	}
}
