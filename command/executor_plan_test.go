package command

import (
	"strings"
	"testing"
)

// TestSlurmExecutorRefusedUntilWired: a search on a Slurm executor is not
// run locally behind the user's back: plan and apply refuse it, and
// -executor=local runs it in the local process pool.
func TestSlurmExecutorRefusedUntilWired(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "s.fw.hcl", `
executor "slurm" "gpu" {
  partition = "debug"
}
search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 1
  base_config = { x = 1.0 }
  experiment_root = "runs"
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command  = ["true"]
    executor = executor.slurm.gpu
  }
}
`)
	for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}} {
		r := run(t, dir, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "Executor not available") || !strings.Contains(r.stderr, "-executor=local") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a refusal naming -executor=local", args, r.code, r.stdout, r.stderr)
		}
	}
	r := run(t, dir, "", "plan", "-executor=local")
	if r.code != 0 || !strings.Contains(r.stdout, "trial 0") {
		t.Errorf("plan -executor=local: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
