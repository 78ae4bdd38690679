//go:build unix

package runtime

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// self is the test binary, which acts as the trial program.
var self = func() string {
	p, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return p
}()

// gorace stops the race detector (under go test -race) from sleeping for a
// second when a helper exits with status 0.
var gorace = strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")

// slow bounds how long a killed trial may take; the helpers that get
// killed would sleep for 10 s or more, so returning before this shows that
// Run did not wait for them. It is loose on purpose: machines are noisy.
const slow = 8 * time.Second

func newSpec(t *testing.T, mode string) Spec {
	t.Helper()
	return Spec{
		Search:   "coarse",
		Number:   7,
		Attempt:  1,
		Command:  []string{self},
		Env:      map[string]string{"FW_TEST_HELPER": mode, "GORACE": gorace},
		WorkDir:  t.TempDir(),
		TrialDir: filepath.Join(t.TempDir(), "trials", "coarse", "7"),
		Config: map[string]any{
			"training":  map[string]any{"lr": 0.001, "batch_size": 128},
			"optimizer": "adam",
		},
		Params: map[string]any{"training.lr": 0.001, "optimizer": "adam"},
		Metric: "val_loss",
	}
}

func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		mode    string
		timeout time.Duration
		outcome Outcome
		reason  string
		metrics map[string]float64
	}{
		{"success", 0, Completed, "", map[string]float64{"val_loss": 0.25, "acc": 0.9}},
		{"loud", 0, Completed, "", map[string]float64{"val_loss": 0.25, "acc": 0.9}},
		{"exit3", 0, Failed, "exit status 3", map[string]float64{"val_loss": 0.25, "acc": 0.9}},
		{"abort", 0, Failed, "killed by signal SIGKILL", nil},
		{"nan-bare", 0, Failed, `metric "val_loss" is NaN`, map[string]float64{"acc": 0.5}},
		{"inf-bare", 0, Failed, `metric "val_loss" is +Inf`, map[string]float64{}},
		{"nan-string", 0, Failed, `metric "val_loss" is not a finite number: "NaN"`, map[string]float64{"acc": 0.5}},
		{"inf-overflow", 0, Failed, `metric "val_loss" is not a finite number: 1e999`, map[string]float64{}},
		{"metric-string", 0, Failed, `metric "val_loss" is a string, not a number: "0.5"`, map[string]float64{}},
		{"invalid", 0, Failed, "invalid metrics JSON: unexpected end of JSON input at byte 16", nil},
		{"none", 0, Failed, "no metrics file (FW_METRICS)", nil},
		{"missing", 0, Failed, `metric "val_loss" missing from metrics (have: acc, loss)`, map[string]float64{"acc": 2, "loss": 1}},
		{"array", 0, Failed, "metrics file holds an array, not a JSON object of numbers", nil},
		{"sleep", 300 * time.Millisecond, Failed, "timed out after 300ms", nil},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			spec := newSpec(t, tt.mode)
			spec.Timeout = tt.timeout
			start := time.Now()
			res := (&Local{}).Run(context.Background(), spec)
			if elapsed := time.Since(start); elapsed > slow {
				t.Errorf("Run took %v", elapsed)
			}
			if res.Outcome != tt.outcome || res.Error != tt.reason {
				t.Fatalf("Run = %s %q, want %s %q", res.Outcome, res.Error, tt.outcome, tt.reason)
			}
			if tt.metrics == nil && res.Metrics != nil || !maps.Equal(res.Metrics, tt.metrics) {
				t.Errorf("Metrics = %v, want %v", res.Metrics, tt.metrics)
			}
			if !strings.HasPrefix(res.Host, "local:") || !strings.Contains(res.Host, " pid ") {
				t.Errorf("Host = %q, want local:<hostname> pid <pid>", res.Host)
			}
			if res.Started.IsZero() || res.Ended.Before(res.Started) {
				t.Errorf("Started %v, Ended %v", res.Started, res.Ended)
			}
		})
	}
}

func TestRunFollowsProtocol(t *testing.T) {
	spec := newSpec(t, "success")
	spec.Command = append(spec.Command, "--flag", "two words")
	spec.Env["EXTRA"] = "extra value"
	spec.Env["FW_TRIAL"] = "999" // the protocol's variables win
	// fwapply's own connection string is kept from trials (the helper
	// reports every FW_ variable it sees).
	t.Setenv("FW_PG_CONN_STR", "postgres://fw:secret@db/frameworm")
	res := (&Local{}).Run(context.Background(), spec)
	if res.Outcome != Completed {
		t.Fatalf("Run = %s %q, want completed", res.Outcome, res.Error)
	}

	dir := spec.TrialDir
	wantFile(t, filepath.Join(dir, "config.json"),
		"{\n  \"optimizer\": \"adam\",\n  \"training\": {\n    \"batch_size\": 128,\n    \"lr\": 0.001\n  }\n}\n")
	wantFile(t, filepath.Join(dir, "params.json"),
		"{\n  \"optimizer\": \"adam\",\n  \"training.lr\": 0.001\n}\n")
	wantFile(t, filepath.Join(dir, "stdout.log"), "hello stdout\n")
	wantFile(t, filepath.Join(dir, "stderr.log"), "hello stderr\n")

	var seen map[string]any
	readJSON(t, filepath.Join(dir, "seen.json"), &seen)
	want := map[string]any{
		"FW_TRIAL_DIR": dir,
		"FW_CONFIG":    filepath.Join(dir, "config.json"),
		"FW_PARAMS":    filepath.Join(dir, "params.json"),
		"FW_METRICS":   filepath.Join(dir, "metrics.json"),
		"FW_PROGRESS":  filepath.Join(dir, "progress.jsonl"),
		"FW_SEARCH":    "coarse",
		"FW_TRIAL":     "7",
		"EXTRA":        "extra value",
		"cwd":          spec.WorkDir,
		"args":         []any{"--flag", "two words"},
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("the trial saw\n%v\nwant\n%v", seen, want)
	}
	for _, k := range []string{"FW_TRIAL_DIR", "FW_CONFIG", "FW_PARAMS", "FW_METRICS", "FW_PROGRESS"} {
		if v, _ := seen[k].(string); !filepath.IsAbs(v) {
			t.Errorf("%s = %q, not absolute", k, v)
		}
	}
	lines, err := ReadProgress(filepath.Join(dir, "progress.jsonl"))
	if err != nil || len(lines) != 1 || lines[0].Step != 1 || lines[0].Metrics["loss"] != 0.5 {
		t.Errorf("ReadProgress = %v, %v", lines, err)
	}
}

func TestRunOnStart(t *testing.T) {
	var got int
	l := &Local{OnStart: func(s Spec, pid int) {
		if s.Number != 7 {
			t.Errorf("OnStart got spec %d", s.Number)
		}
		got = pid
	}}
	res := l.Run(context.Background(), newSpec(t, "success"))
	if got == 0 || !strings.HasSuffix(res.Host, fmt.Sprintf(" pid %d", got)) {
		t.Errorf("OnStart pid %d, Host %q", got, res.Host)
	}
}

func TestRunLoudOutputGoesToFile(t *testing.T) {
	spec := newSpec(t, "loud")
	res := (&Local{}).Run(context.Background(), spec)
	if res.Outcome != Completed {
		t.Fatalf("Run = %s %q", res.Outcome, res.Error)
	}
	fi, err := os.Stat(filepath.Join(spec.TrialDir, "stdout.log"))
	if err != nil || fi.Size() != 20<<20 {
		t.Errorf("stdout.log: %v, %v; want 20 MiB", fi, err)
	}
}

func TestRunRetryStartsClean(t *testing.T) {
	spec := newSpec(t, "success")
	if res := (&Local{}).Run(context.Background(), spec); res.Outcome != Completed {
		t.Fatalf("attempt 1: %s %q", res.Outcome, res.Error)
	}
	spec.Attempt = 2
	spec.Env["FW_TEST_HELPER"] = "check-stale"
	res := (&Local{}).Run(context.Background(), spec)
	if res.Outcome != Failed || res.Error != "no metrics file (FW_METRICS)" || res.Metrics != nil {
		t.Errorf("attempt 2: %s %q %v, want failed without metrics", res.Outcome, res.Error, res.Metrics)
	}
	if b, err := os.ReadFile(filepath.Join(spec.TrialDir, "stale")); err == nil {
		t.Errorf("attempt 2 saw the previous attempt's %s", b)
	}
	wantFile(t, filepath.Join(spec.TrialDir, "stdout.log"), "attempt 2\n")
	wantFile(t, filepath.Join(spec.TrialDir, "stdout.1.log"), "hello stdout\n")
	wantFile(t, filepath.Join(spec.TrialDir, "stderr.1.log"), "hello stderr\n")
	wantFile(t, filepath.Join(spec.TrialDir, "stderr.log"), "")
}

func TestRunParamsAreNeverExecuted(t *testing.T) {
	evil := []string{`"; rm -rf /"`, "$(touch pwned)", "`touch pwned`", "'; touch pwned; '", "a\nb", "${HOME}"}
	spec := newSpec(t, "success")
	spec.Params, spec.Config = map[string]any{}, map[string]any{}
	for i, v := range evil {
		spec.Params["p"+strconv.Itoa(i)] = v
		spec.Config["p"+strconv.Itoa(i)] = v
	}
	if res := (&Local{}).Run(context.Background(), spec); res.Outcome != Completed {
		t.Fatalf("Run = %s %q", res.Outcome, res.Error)
	}
	for _, name := range []string{"params.json", "config.json"} {
		var got map[string]any
		readJSON(t, filepath.Join(spec.TrialDir, name), &got)
		if !reflect.DeepEqual(got, spec.Params) {
			t.Errorf("%s = %v, want %v verbatim", name, got, spec.Params)
		}
	}
	for _, dir := range []string{spec.WorkDir, spec.TrialDir} {
		if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
			t.Errorf("a parameter was executed: %s/pwned exists", dir)
		}
	}
}

func TestRunUnwritableConfig(t *testing.T) {
	spec := newSpec(t, "success")
	spec.Config = map[string]any{"bad": func() {}}
	res := (&Local{}).Run(context.Background(), spec)
	if res.Outcome != Failed || !strings.HasPrefix(res.Error, "cannot prepare the trial directory: writing config.json: ") {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
}

func TestRunFailedCarriesStderrTail(t *testing.T) {
	spec := newSpec(t, "crash")
	res := (&Local{}).Run(context.Background(), spec)
	if res.Outcome != Failed || res.Error != "exit status 1" {
		t.Fatalf("Run = %s %q, want failed exit status 1", res.Outcome, res.Error)
	}
	if res.StderrLog != filepath.Join(spec.TrialDir, StderrFile) || res.StdoutLog != filepath.Join(spec.TrialDir, StdoutFile) {
		t.Errorf("logs %q %q, want the trial directory's", res.StderrLog, res.StdoutLog)
	}
	want := strings.Split(strings.TrimSuffix(crashTraceback, "\n"), "\n")
	if len(res.StderrTail) != MaxTailLines || !reflect.DeepEqual(res.StderrTail[MaxTailLines-len(want):], want) {
		t.Errorf("StderrTail ends %q, want %d lines ending in the traceback", res.StderrTail[max(0, len(res.StderrTail)-5):], MaxTailLines)
	}
	ok := (&Local{}).Run(context.Background(), newSpec(t, "success"))
	if ok.Outcome != Completed || ok.StderrTail != nil || ok.StderrLog == "" {
		t.Errorf("a completed trial: %s, tail %q, log %q; want no tail and the log path", ok.Outcome, ok.StderrTail, ok.StderrLog)
	}
}
