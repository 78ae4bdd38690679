package slurm_test

import (
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/executortest"
	"github.com/frameworm/frameworm/runtime/slurm"
)

// TestConformance runs the executor conformance suite on the Slurm
// executor, against the real cluster. The batch script enforces
// Spec.Timeout itself, so the timeout case runs with the suite's shortest
// timeout; TestTimeLimit covers Slurm's own limit.
func TestConformance(t *testing.T) {
	c := slurmtest.Require(t)
	lineage := testLineage(t)
	executortest.Run(t, func(t *testing.T) runtime.Executor {
		e := slurm.New(slurm.Config{Partition: c.Partition})
		t.Cleanup(func() { e.Close() })
		return e
	}, executortest.Options{
		TempDir:     slurmtest.SharedDir,
		StartWithin: 2 * time.Minute,
		Prepare:     func(t *testing.T, spec *runtime.Spec) { spec.Lineage = lineage },
	})
}
