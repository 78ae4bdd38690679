//go:build unix

package runtime_test

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

// The Python trial helper (python/frameworm) writes the files that
// fwapply reads. These tests run small Python trials using it through
// Local, and read what they wrote with fwapply's own readers.

// pythonForHelper returns a python3 to run the helper with (Debian's
// /usr/bin/python3 first, else the first on PATH) and the directory that
// holds the helper package, or skips the test.
func pythonForHelper(t *testing.T) (python, helperDir string) {
	t.Helper()
	python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		p, err := exec.LookPath("python3")
		if err != nil {
			t.Skip("no python3 (neither /usr/bin/python3 nor one on PATH): the Python trial helper is not checked against the Go readers")
		}
		python = p
	}
	dir, err := filepath.Abs(filepath.Join("..", "python"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "frameworm", "__init__.py")); err != nil {
		t.Fatalf("the Python trial helper is missing: %v", err)
	}
	return python, dir
}

// pythonSpec is the Spec of a trial running program with the helper
// importable.
func pythonSpec(t *testing.T, program string) runtime.Spec {
	t.Helper()
	python, helperDir := pythonForHelper(t)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "train.py"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	return runtime.Spec{
		Search:   "py",
		Number:   3,
		Attempt:  1,
		Command:  []string{python, "train.py"},
		Env:      map[string]string{"PYTHONPATH": helperDir, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"},
		WorkDir:  work,
		TrialDir: filepath.Join(t.TempDir(), "trials", "py", "3"),
		Config: map[string]any{
			"training": map[string]any{"lr": 0.01, "epochs": 4},
			"model":    "mlp",
		},
		Params: map[string]any{"training.lr": 0.01},
		Metric: "val_loss",
	}
}

const helperTrial = `
import frameworm

cfg = frameworm.config()
params = frameworm.params()
assert params == {"training.lr": 0.01}, params
assert frameworm.search_name() == "py" and frameworm.trial_number() == 3
epochs = int(cfg["training"]["epochs"])
loss = None
for epoch in range(1, epochs + 1):
    loss = float(cfg["training"]["lr"]) * 10 / epoch
    frameworm.report(epoch, {"val/loss": loss, "épsilon": 1e-300}, val_loss=loss, epoch=epoch, big=2**60)
frameworm.report(epochs + 1, val_loss=float("nan"), up=float("inf"), down=float("-inf"))
frameworm.finish(val_loss=loss, epochs=epochs, val_acc=0.875)
`

// TestPythonHelperFilesReadByGo runs a trial written with the Python
// helper and reads its progress with ReadProgress and its metrics with
// ReadMetrics: every line whole, NaN and ±Inf as Python writes them, and
// a completed trial.
func TestPythonHelperFilesReadByGo(t *testing.T) {
	spec := pythonSpec(t, helperTrial)
	res := (&runtime.Local{}).Run(context.Background(), spec)
	if res.Outcome != runtime.Completed {
		t.Fatalf("outcome %s (%s), want completed; stderr:\n%s", res.Outcome, res.Error, strings.Join(res.StderrTail, "\n"))
	}
	wantMetrics := map[string]float64{"val_loss": 0.025, "epochs": 4, "val_acc": 0.875}
	if !sameNumbers(res.Metrics, wantMetrics) {
		t.Errorf("Result.Metrics = %v, want %v", res.Metrics, wantMetrics)
	}
	metrics, reason := runtime.ReadMetrics(filepath.Join(spec.TrialDir, "metrics.json"), "val_loss")
	if reason != "" || !sameNumbers(metrics, wantMetrics) {
		t.Errorf("ReadMetrics = %v, %q; want %v", metrics, reason, wantMetrics)
	}

	lines, err := runtime.ReadProgress(filepath.Join(spec.TrialDir, "progress.jsonl"))
	if err != nil {
		t.Fatalf("ReadProgress: %v", err)
	}
	var want []runtime.ProgressLine
	for epoch := 1; epoch <= 4; epoch++ {
		loss := 0.01 * 10 / float64(epoch)
		want = append(want, runtime.ProgressLine{Step: int64(epoch), Metrics: map[string]float64{
			"val/loss": loss, "épsilon": 1e-300, "val_loss": loss, "epoch": float64(epoch), "big": 1 << 60,
		}})
	}
	want = append(want, runtime.ProgressLine{Step: 5, Metrics: map[string]float64{
		"val_loss": math.NaN(), "up": math.Inf(1), "down": math.Inf(-1),
	}})
	if len(lines) != len(want) {
		t.Fatalf("ReadProgress read %d lines, want %d: %v", len(lines), len(want), lines)
	}
	for i := range want {
		if lines[i].Step != want[i].Step || !sameNumbers(lines[i].Metrics, want[i].Metrics) {
			t.Errorf("line %d = %+v, want %+v", i+1, lines[i], want[i])
		}
	}
}

const prunedTrial = `
import os, sys, time, frameworm

step = 0
try:
    while True:
        step += 1
        frameworm.report(step, val_loss=1.0 / step)
        time.sleep(0.02)
except frameworm.Pruned as e:
    with open(os.path.join(frameworm.trial_dir(), "checkpoint"), "w") as f:
        f.write(str(e.step))
    sys.exit(0)
`

// TestPythonHelperStoppedBySIGTERM stops a Python trial the way fwapply
// prunes one (SIGTERM to its group): the helper raises Pruned at the next
// report, which writes no line, and the trial saves its checkpoint and
// exits by itself within the grace period.
func TestPythonHelperStoppedBySIGTERM(t *testing.T) {
	spec := pythonSpec(t, prunedTrial)
	progress := filepath.Join(spec.TrialDir, "progress.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Stop the trial once it has reported twice: the handler is in
		// place after its first report.
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if lines, _ := runtime.ReadProgress(progress); len(lines) >= 2 {
				break
			}
		}
		cancel()
	}()
	// A generous grace period (the machine may be busy): a trial that
	// does not exit by itself is killed after it and saves no checkpoint.
	res := (&runtime.Local{Grace: 30 * time.Second}).Run(ctx, spec)
	if res.Outcome != runtime.Interrupted {
		t.Fatalf("outcome %s (%s), want interrupted; stderr:\n%s", res.Outcome, res.Error, strings.Join(res.StderrTail, "\n"))
	}
	b, err := os.ReadFile(filepath.Join(spec.TrialDir, "checkpoint"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatal("the trial saved no checkpoint: frameworm.Pruned was not raised")
	} else if err != nil {
		t.Fatal(err)
	}
	lines, err := runtime.ReadProgress(progress)
	if err != nil {
		t.Fatalf("ReadProgress: %v", err)
	}
	if len(lines) < 2 {
		t.Fatalf("%d progress lines, want at least 2", len(lines))
	}
	for i, l := range lines {
		if l.Step != int64(i+1) {
			t.Fatalf("progress steps %v, want 1, 2, 3, ...", lines)
		}
	}
	// The step that raised Pruned was not written: it follows the last line.
	if got, want := string(b), strconv.Itoa(len(lines)+1); got != want {
		t.Errorf("Pruned at step %s, want %s (right after the last progress line)", got, want)
	}
	stderr, err := os.ReadFile(filepath.Join(spec.TrialDir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(stderr), "frameworm: got SIGTERM") {
		t.Errorf("stderr.log does not note the SIGTERM:\n%s", stderr)
	}
}

// sameNumbers compares metrics, NaN equal to NaN.
func sameNumbers(got, want map[string]float64) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
			return false
		}
	}
	return true
}
