package command

import (
	"strings"
	"testing"
)

// onSlurm is valid with its trials on a Slurm executor, their directories
// under root.
func onSlurm(root string) string {
	return `executor "slurm" "gpu" {
  partition = "debug"
}
` + strings.Replace(strings.Replace(valid, `command = ["true"]`, "command  = [\"true\"]\n    executor = executor.slurm.gpu", 1),
		"trials   = 5", "trials   = 5\n  experiment_root = \""+root+"\"", 1)
}

// TestValidateSharedStorageWarning checks that validate and plan, which
// load the same way, warn when a search on Slurm keeps its trial
// directories under /tmp, and stay quiet on shared storage.
func TestValidateSharedStorageWarning(t *testing.T) {
	const warning = "trial directories must be on storage the cluster's nodes share"
	dir := t.TempDir()
	write(t, dir, "a.fw.hcl", onSlurm("/tmp/fw-trials"))
	r := run(t, dir, "", "validate", "-no-color")
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "Warning: Trial directories on node-local storage") || !strings.Contains(strings.Join(strings.Fields(r.stdout+r.stderr), " "), warning) {
		t.Errorf("validate: %+v", r)
	}
	r = run(t, dir, "", "plan", "-no-color", "-executor=local")
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "Warning: Trial directories on node-local storage") {
		t.Errorf("plan: %+v", r)
	}
	r = run(t, dir, "", "validate", "-json")
	if r.code != 0 || !strings.Contains(r.stdout, `"warning_count": 1`) || !strings.Contains(r.stdout, `"severity": "warning"`) {
		t.Errorf("validate -json: %+v", r)
	}

	write(t, dir, "a.fw.hcl", onSlurm("/shared/fw-trials"))
	r = run(t, dir, "", "validate", "-no-color")
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, "Warning") {
		t.Errorf("validate on shared storage: %+v", r)
	}
}
