package command

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/internal/bigstate"
	"github.com/frameworm/frameworm/internal/pgtest"
)

var benchTrials = flag.Int("bench-trials", 100_000, "trials in the state of BenchmarkPlanBig")

// BenchmarkPlanBig measures fwapply plan on a state of -bench-trials
// trials (internal/bigstate), compacted, in the local file and in a pg
// workspace (migrated there with init -migrate-state): the whole command,
// from reading the search files to printing the plan.
//
//	go test ./command -run '^$' -bench PlanBig -benchtime 5x
func BenchmarkPlanBig(b *testing.B) {
	for _, backend := range []string{"file", "pg"} {
		b.Run(fmt.Sprintf("%s/trials=%d", backend, *benchTrials), func(b *testing.B) {
			dir := b.TempDir()
			if _, err := bigstate.Write(context.Background(), dir, bigstate.Options{Trials: *benchTrials, FailEvery: 50}); err != nil {
				b.Fatal(err)
			}
			env := []string{"NO_COLOR=1"}
			if backend == "pg" {
				dsn := pgtest.DSN(b)
				schema := pgtest.Schema(b, dsn)
				block := fmt.Sprintf("frameworm {\n  backend \"pg\" {\n    schema_name = %q\n    workspace   = \"big\"\n  }\n}\n", schema)
				if err := os.WriteFile(filepath.Join(dir, "backend.fw.hcl"), []byte(block), 0o644); err != nil {
					b.Fatal(err)
				}
				env = append(env, "FW_PG_CONN_STR="+dsn)
				var errb strings.Builder
				if code := Run([]string{"init", "-migrate-state"}, Meta{Stdout: io.Discard, Stderr: &errb, WorkDir: dir, Environ: env}); code != 0 {
					b.Fatalf("init -migrate-state: exit %d: %s", code, errb.String())
				}
			}
			b.ResetTimer()
			for b.Loop() {
				var errb strings.Builder
				if code := Run([]string{"plan"}, Meta{Stdout: io.Discard, Stderr: &errb, WorkDir: dir, Environ: env}); code != 0 || errb.Len() > 0 {
					b.Fatalf("plan: exit %d: %s", code, errb.String())
				}
			}
		})
	}
}
