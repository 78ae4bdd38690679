package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// digitsTrainer builds the digits example's trial program (the generated
// harness around package mlp) and returns its path.
func digitsTrainer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "train")
	build := exec.Command("go", "build", "-o", bin, "../../examples/digits/cmd/train")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the digits trainer: %v\n%s", err, out)
	}
	return bin
}

// TestE2EPruneGoHarness: a Go trial using the generated harness (the
// digits example's trainer, reporting val_loss every epoch) is stopped
// by the ASHA pruner, and recorded pruned with the step, the value and
// the reason; the others complete with their watched steps recorded.
func TestE2EPruneGoHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a few MLPs")
	}
	bin := digitsTrainer(t)
	data, err := filepath.Abs("../../examples/digits/data/digits.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := fmt.Sprintf(`search "digits" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  metrics     = ["val_acc", "train_loss"]
  trials      = 10
  seed        = 3
  parallelism = 2
  base_config = {
    training = { lr = 0.01, batch_size = 32, epochs = 9, l2 = 0.0001, optimizer = "adam" }
    model    = { hidden = 32 }
    seed     = 1
  }
  param "training.lr" {
    type = real
    low  = 1e-4
    high = 0.1
    log  = true
  }
  trial {
    command = [%q]
    env     = { DIGITS_DATA = %q }
    timeout = "2m"
  }
  pruner "asha" {
    min_steps        = 1
    max_steps        = base_config.training.epochs
    reduction_factor = 3
  }
}
`, bin, data)
	if err := os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	pruned, completed := 0, 0
	for _, r := range latestByNumber(stateRecords(t, dir)) {
		switch r.Status {
		case "pruned":
			pruned++
			if len(r.Pruned) != 2 || !strings.HasPrefix(r.Error, "pruned at step ") || !strings.Contains(r.Error, "val_loss") {
				t.Errorf("pruned trial %d: pruned %v, error %q", r.Number, r.Pruned, r.Error)
			}
		case "completed":
			completed++
			if len(r.Steps) != 9 {
				t.Errorf("completed trial %d: %d steps recorded, want the 9 epochs", r.Number, len(r.Steps))
			}
		default:
			t.Errorf("trial %d: %s (%s)", r.Number, r.Status, r.Error)
		}
	}
	if pruned == 0 || completed == 0 || pruned+completed != 10 {
		t.Errorf("%d pruned, %d completed of 10; want both\n%s", pruned, completed, out)
	}
}

// pythonSearch copies the Python example (train.py, which uses the
// frameworm helper and saves a checkpoint when pruned) into a new
// directory with a search of n trials, quick epochs and a median pruner,
// and returns the directory.
func pythonSearch(t *testing.T, n, parallelism int) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("FW_TEST_PYTHON_REQUIRED") == "1" {
			t.Fatal("FW_TEST_PYTHON_REQUIRED=1 but there is no python3 on PATH")
		}
		t.Skip("no python3 on PATH")
	}
	helper, err := filepath.Abs("../../python")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	train, err := os.ReadFile("../../examples/python/train.py")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`search "python" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = %d
  seed        = 1
  parallelism = %d
  base_config = {
    training = { lr = 0.001, momentum = 0.9, epochs = 8, epoch_seconds = 0.05 }
    model    = { width = 64 }
  }
  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }
  param "model.width" {
    type = integer
    low  = 16
    high = 256
    log  = true
  }
  pruner "median" {
    startup_trials = 3
    warmup_steps   = 2
  }
  trial {
    command = [%q, "train.py"]
    timeout = "1m"
    env     = { PYTHONPATH = %q }
  }
}
`, n, parallelism, py, helper)
	for name, b := range map[string][]byte{"main.fw.hcl": []byte(src), "train.py": train} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestE2EPrunePython: a Python trial using the helper is stopped by the
// median pruner: frameworm.Pruned is raised at its next report, so it
// saves its checkpoint, and it is recorded pruned with the reason.
func TestE2EPrunePython(t *testing.T) {
	dir := pythonSearch(t, 10, 2)
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	pruned := 0
	for _, r := range latestByNumber(stateRecords(t, dir)) {
		switch r.Status {
		case "pruned":
			pruned++
			if !strings.Contains(r.Error, "worse than median") {
				t.Errorf("pruned trial %d: reason %q", r.Number, r.Error)
			}
			trialDir := r.Dir
			if !filepath.IsAbs(trialDir) {
				trialDir = filepath.Join(dir, trialDir)
			}
			if _, err := os.Stat(filepath.Join(trialDir, "checkpoint.json")); err != nil {
				t.Errorf("pruned trial %d saved no checkpoint (frameworm.Pruned not raised?): %v", r.Number, err)
			}
		case "completed":
		default:
			t.Errorf("trial %d: %s (%s)", r.Number, r.Status, r.Error)
		}
	}
	if pruned == 0 {
		t.Errorf("nothing pruned\n%s", out)
	}
	if !strings.Contains(out, "pruned") {
		t.Errorf("the apply's output does not mention pruning:\n%s", out)
	}
}

// TestE2EPruneKill9Resume: an apply killed with kill -9 and applied again
// makes the pruning decisions of an apply that was never interrupted:
// the same trials pruned, at the same steps, for the same reasons.
func TestE2EPruneKill9Resume(t *testing.T) {
	ref := pythonSearch(t, 10, 2)
	if code, out, errs := fwapply(t, ref, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("reference apply: exit %d\n%s%s", code, out, errs)
	}
	want := latestByNumber(stateRecords(t, ref))
	dir := pythonSearch(t, 10, 2)
	a := startBgApply(t, dir)
	waitFor(t, "four trials ended", func() bool {
		ended := 0
		for _, r := range latestByNumber(stateRecords(t, dir)) {
			if r.Status != "running" {
				ended++
			}
		}
		return ended >= 4
	})
	if !a.kill(t) {
		t.Fatalf("the apply ended before it was killed\n%s", a.out.String())
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply after kill -9: exit %d\n%s%s", code, out, errs)
	}
	got := latestByNumber(stateRecords(t, dir))
	if len(got) != len(want) {
		t.Fatalf("%d trials, want %d", len(got), len(want))
	}
	pruned := 0
	for n, w := range want {
		g := got[n]
		if g.Status != w.Status || g.Error != w.Error || fmt.Sprint(g.Pruned) != fmt.Sprint(w.Pruned) {
			t.Errorf("trial %d: %s %v %q after kill -9; %s %v %q without", n, g.Status, g.Pruned, g.Error, w.Status, w.Pruned, w.Error)
		}
		if w.Status == "pruned" {
			pruned++
		}
	}
	if pruned == 0 {
		t.Error("the reference apply pruned nothing: the test shows nothing")
	}
}
