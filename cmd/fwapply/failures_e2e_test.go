package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crashingSearch is a random search of 12 trials, one at a time, of a
// Python program that prints its config and then crashes with a
// traceback while the file "broken" exists in its directory.
const crashingSearch = `search "s" {
  strategy    = "random"
  metric      = "score"
  mode        = "min"
  trials      = 12
  seed        = 1
  parallelism = 1
  base_config = { x = 0.5 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command = ["python3", "train.py"]
    timeout = "60s"
  }
}
`

const trainPy = `import json, os, sys

cfg = json.load(open(os.environ["FW_CONFIG"]))
print("training with", cfg)
print("loading data", file=sys.stderr)
if os.path.exists("broken"):
    raise RuntimeError("boom")
with open(os.environ["FW_METRICS"], "w") as f:
    json.dump({"score": (cfg["x"] - 0.3) ** 2}, f)
`

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func wantAll(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// TestE2ECrashingTrialStopsAndReruns: a crashing Python trial shows its
// traceback and log paths; the first 3 identical failures stop the apply;
// trials that failed for good say how to rerun them, and -replace and
// -retry-failed do once the script is fixed.
func TestE2ECrashingTrialStopsAndReruns(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("needs python3")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.fw.hcl": crashingSearch, "train.py": trainPy, "broken": ""})

	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 1 {
		t.Fatalf("apply of a crashing trial: exit %d, want 1\n%s%s", code, out, errs)
	}
	wantAll(t, "apply output", out,
		"search.s: trial 0 failed: exit status 1",
		" lines of stderr:\n    loading data\n    Traceback (most recent call last):\n",
		`    raise RuntimeError("boom")`+"\n    RuntimeError: boom\n",
		"  stderr: .fw/trials/s/0/stderr.log  stdout: .fw/trials/s/0/stdout.log\n",
		`search.s: stopped: the first 3 trials all failed the same way (exit status 1; stderr ends with "RuntimeError: boom"); see .fw/trials/s/2/stderr.log`,
		"9 not run",
	)
	if strings.Contains(out, "Failed for good") {
		t.Errorf("a first failure is retried by the next plan; no rerun hint expected:\n%s", out)
	}
	trials := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	if len(trials) != 3 {
		t.Fatalf("%d trials ran, want exactly 3 (parallelism 1, stop after 3 identical failures)", len(trials))
	}
	for _, tr := range trials {
		if tr.Status != "failed" || tr.Error != "exit status 1" {
			t.Errorf("trial %d: %s %q", tr.Number, tr.Status, tr.Error)
		}
	}

	// -stderr-lines=0 shows no stderr but still the log paths; the retried
	// trials fail their second attempt and stay failed.
	code, out, errs = fwapply(t, dir, "apply", "-auto-approve", "-stderr-lines=0")
	if code != 1 {
		t.Fatalf("second apply: exit %d, want 1\n%s%s", code, out, errs)
	}
	if strings.Contains(out, "lines of stderr:") || strings.Contains(out, "    RuntimeError: boom") {
		t.Errorf("-stderr-lines=0 printed stderr:\n%s", out)
	}
	wantAll(t, "second apply", out,
		"  stderr: .fw/trials/s/0/stderr.log  stdout: .fw/trials/s/0/stdout.log\n",
		"Failed for good: 3 trials failed 2 attempts",
		"search.s[0], search.s[1], search.s[2]",
		"fwapply apply -replace=search.s[0]",
		"fwapply apply -retry-failed",
	)
	if _, err := os.Stat(filepath.Join(dir, ".fw/trials/s/0/stderr.1.log")); err != nil {
		t.Errorf("the first attempt's log: %v", err)
	}

	// Fixed, the failed trials stay failed until replaced.
	if err := os.Remove(filepath.Join(dir, "broken")); err != nil {
		t.Fatal(err)
	}
	out = mustApply(t, dir, "-replace=search.s[0]")
	wantAll(t, "apply -replace", out, "search.s: trial 0 completed")
	if strings.Contains(out, "trial 1 completed") || strings.Contains(out, "trial 2 completed") {
		t.Errorf("apply -replace=search.s[0] ran other failed trials:\n%s", out)
	}
	out = mustApply(t, dir, "-retry-failed")
	wantAll(t, "apply -retry-failed", out, "search.s: trial 1 completed", "search.s: trial 2 completed")
	for _, tr := range jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials {
		if tr.Status != "completed" {
			t.Errorf("after the reruns trial %d is %s", tr.Number, tr.Status)
		}
	}
}

// TestE2EReplaceFlagErrors: a bad -replace shows the right form, and a
// plan file refuses -replace and -retry-failed.
func TestE2EReplaceFlagErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := fwapply(t, dir, "apply", "-replace=search.s", "-no-color")
	if code != 1 || !strings.Contains(errs, "write -replace=search.NAME[N]") {
		t.Errorf("bad -replace: exit %d\n%s", code, errs)
	}
	code, _, errs = fwapply(t, dir, "apply", "saved.plan", "-retry-failed", "-no-color")
	if code != 1 || !strings.Contains(errs, "Plan file with -var, -target, -replace or -retry-failed") {
		t.Errorf("plan file with -retry-failed: exit %d\n%s", code, errs)
	}
}
