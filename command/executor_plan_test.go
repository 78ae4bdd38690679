package command

import (
	"strings"
	"testing"
)

// TestSlurmExecutorPlanned: a search on a Slurm executor is planned to
// run there, and the plan says so; -executor=local plans it in the local
// process pool.
func TestSlurmExecutorPlanned(t *testing.T) {
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
	r := run(t, dir, "", "plan", "-no-color")
	if r.code != 0 || !strings.Contains(r.stdout, "# search.s (random, min loss) on executor.slurm.gpu") || !strings.Contains(r.stdout, "trial 0") {
		t.Errorf("plan: exit %d, stdout %q, stderr %q; want the trial on executor.slurm.gpu", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, "", "plan", "-no-color", "-executor=local")
	if r.code != 0 || !strings.Contains(r.stdout, "trial 0") || strings.Contains(r.stdout, "executor.slurm") {
		t.Errorf("plan -executor=local: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
