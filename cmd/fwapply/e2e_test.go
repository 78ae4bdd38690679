package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// binary is the fwapply binary built once for the end-to-end tests, and
// trialBinary the trial program of testdata/trial.
var binary, trialBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fwapply-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "fwapply")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	trialBinary = filepath.Join(dir, "trial")
	for _, b := range [][2]string{{binary, "."}, {trialBinary, "./testdata/trial"}} {
		build := exec.Command("go", "build", "-o", b[0], b[1])
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			os.RemoveAll(dir)
			panic("building " + b[1] + ": " + err.Error())
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fwapply runs the built binary as a user would and returns its exit
// status and output.
func fwapply(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	case err != nil:
		t.Fatalf("running fwapply: %v", err)
	}
	return 0, out.String(), errb.String()
}

func TestE2EValidateQuickstart(t *testing.T) {
	code, out, errs := fwapply(t, "../..", "-chdir=examples/quickstart", "validate")
	if code != 0 || !strings.Contains(out, "Success!") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = fwapply(t, "../../examples/quickstart", "validate", "-json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || doc["valid"] != true {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
}

func TestE2EValidateErrors(t *testing.T) {
	dir := t.TempDir()
	src := "search \"a\" {\n  strategy = \"grid\"\n  metric   = \"m\"\n  mode     = \"min\"\n  trials   = 3\n  trial {\n    command = [\"true\"]\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "a.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := fwapply(t, dir, "validate")
	if code != 1 || !strings.Contains(errs, "Error: trials is not allowed for grid search") || !strings.Contains(errs, "on a.fw.hcl line 5") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
}

func TestE2EFmtCheckExamples(t *testing.T) {
	// The examples are kept in canonical form.
	code, out, errs := fwapply(t, "../..", "fmt", "-check", "-recursive", "examples")
	if code != 0 {
		t.Fatalf("examples are not formatted (exit %d): run fwapply fmt -recursive examples\n%s%s", code, out, errs)
	}
}

// TestE2EQuickstart runs the README's first command: the example search,
// end to end (with its state in a temp dir, so the example stays clean).
func TestE2EQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20 trials through go run")
	}
	statePath := filepath.Join(t.TempDir(), "quickstart.fwstate")
	fwDir := "../../examples/quickstart/.fw"
	if _, err := os.Stat(fwDir); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll(fwDir) })
	}
	code, out, errs := fwapply(t, "../..", "-chdir=examples/quickstart", "apply", "-auto-approve", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "Apply complete! 20 trials completed, 0 failed.") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = fwapply(t, "../..", "-chdir=examples/quickstart", "output", "-state="+statePath, "search.quickstart.best_config")
	var cfg map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &cfg) != nil || cfg["optimizer"] == nil {
		t.Fatalf("output best_config: exit %d\n%s", code, out)
	}
}
