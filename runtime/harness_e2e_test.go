//go:build unix

package runtime

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildHarnessProg builds testdata/harnessprog, a trial program on
// Harness, into dir.
func buildHarnessProg(t *testing.T, dir string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the trial program")
	}
	bin := filepath.Join(dir, "harnessprog")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/harnessprog").CombinedOutput()
	if err != nil {
		t.Fatalf("building testdata/harnessprog: %v\n%s", err, out)
	}
	return bin
}

func harnessSpec(t *testing.T, bin, mode string) Spec {
	t.Helper()
	spec := newSpec(t, "")
	spec.Command = []string{bin}
	spec.Env = map[string]string{"HARNESSPROG_MODE": mode}
	spec.Config = map[string]any{"training": map[string]any{"lr": 0.01, "batch_size": 128}, "optimizer": "sgd"}
	return spec
}

func TestHarnessEndToEnd(t *testing.T) {
	bin := buildHarnessProg(t, t.TempDir())
	t.Run("completed", func(t *testing.T) {
		t.Parallel()
		spec := harnessSpec(t, bin, "ok")
		res := (&Local{}).Run(context.Background(), spec)
		want := map[string]float64{"val_loss": 0.125, "lr": 0.01, "batch": 128}
		if res.Outcome != Completed || !maps.Equal(res.Metrics, want) {
			t.Fatalf("Run = %s %q %v; want completed with %v", res.Outcome, res.Error, res.Metrics, want)
		}
		lines, err := ReadProgress(filepath.Join(spec.TrialDir, ProgressFile))
		if err != nil || len(lines) != 3 || lines[2].Step != 3 {
			t.Errorf("ReadProgress = %v, %v", lines, err)
		}
		wantFile(t, filepath.Join(spec.TrialDir, StdoutFile), "")
		wantFile(t, filepath.Join(spec.TrialDir, StderrFile), "")
	})
	t.Run("panic", func(t *testing.T) {
		t.Parallel()
		spec := harnessSpec(t, bin, "panic")
		res := (&Local{}).Run(context.Background(), spec)
		if res.Outcome != Failed || res.Error != "exit status 1" {
			t.Fatalf("Run = %s %q; want failed, exit status 1", res.Outcome, res.Error)
		}
		b, _ := os.ReadFile(filepath.Join(spec.TrialDir, StderrFile))
		if !strings.HasPrefix(string(b), "panic: harnessprog: deliberate panic\n") || !strings.Contains(string(b), "harnessprog/main.go:") {
			t.Errorf("stderr.log lacks the panic and its stack:\n%s", b)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		t.Parallel()
		spec := harnessSpec(t, bin, "ok")
		spec.Config = map[string]any{"training": map[string]any{"lr": "fast", "batch_sise": 1}}
		res := (&Local{}).Run(context.Background(), spec)
		if res.Outcome != Failed || res.Error != "exit status 1" {
			t.Fatalf("Run = %s %q; want failed, exit status 1", res.Outcome, res.Error)
		}
		cfg := filepath.Join(spec.TrialDir, ConfigFile)
		wantFile(t, filepath.Join(spec.TrialDir, StderrFile),
			cfg+": training.batch_sise: unknown field; did you mean \"batch_size\"?\n"+
				cfg+": training.lr: want float64, got string\n")
	})
	t.Run("interrupted", func(t *testing.T) {
		t.Parallel()
		spec := harnessSpec(t, bin, "wait")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		run := make(chan Result, 1)
		go func() { run <- (&Local{}).Run(ctx, spec) }()
		waitFile(t, filepath.Join(spec.TrialDir, "ready"), run)
		start := time.Now()
		cancel() // Local sends SIGTERM to the group
		res := <-run
		if res.Outcome != Interrupted {
			t.Errorf("Run = %s %q; want interrupted", res.Outcome, res.Error)
		}
		if d := time.Since(start); d > DefaultGrace/2 {
			t.Errorf("the trial took %v to stop; SIGTERM did not cancel its context", d)
		}
		wantFile(t, filepath.Join(spec.TrialDir, "cancelled"), "terminated signal received")
		b, _ := os.ReadFile(filepath.Join(spec.TrialDir, StderrFile))
		if !strings.Contains(string(b), "interrupted (terminated signal received)") {
			t.Errorf("stderr.log: %s", b)
		}
	})
	t.Run("-fw-schema", func(t *testing.T) {
		t.Parallel()
		spec := harnessSpec(t, bin, "ok")
		out, err := exec.Command(spec.Command[0], "-fw-schema").Output()
		if err != nil || string(out) != "harnessprog-fp-1\n" {
			t.Errorf("-fw-schema: %q, %v", out, err)
		}
	})
	t.Run("alone", func(t *testing.T) {
		t.Parallel()
		spec := harnessSpec(t, bin, "ok")
		cmd := exec.Command(spec.Command[0])
		cmd.Env = withoutFW(os.Environ())
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || string(out) != "{\"batch\":32,\"lr\":0.001,\"val_loss\":0.125}\n" {
			t.Errorf("alone: stdout %q, %v", out, err)
		}
		if !strings.HasPrefix(stderr.String(), `{"step": 1, "metrics": {"loss": 1}}`) {
			t.Errorf("alone: stderr %q, want the progress lines", stderr.String())
		}
	})
}

func withoutFW(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FW_") {
			out = append(out, kv)
		}
	}
	return out
}
