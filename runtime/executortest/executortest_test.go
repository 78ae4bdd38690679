//go:build unix

package executortest_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/executortest"
)

// envBroken selects, in a child test process, an executor broken in one
// way, which the suite must catch.
const envBroken = "FW_EXECUTORTEST_BROKEN"

// broken wraps Local and breaks one rule of the protocol.
type broken struct {
	how   string
	local runtime.Local
}

func (b *broken) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	switch b.how {
	case "pg-leak": // passes fwapply's connection string to the trial
		spec.Env["FW_PG_CONN_STR"] = os.Getenv("FW_PG_CONN_STR")
	case "shell": // runs the command through a shell, quoting naively
		spec.Command = []string{"/bin/sh", "-c", "exec '" + strings.Join(spec.Command, "' '") + "'"}
	case "wrong-dir":
		spec.WorkDir = spec.TrialDir
	case "no-rotate": // every attempt is the first: old logs are lost
		spec.Attempt = 1
	case "run-anyway": // starts the trial although the context is done
		if ctx.Err() != nil {
			res := b.local.Run(context.Background(), spec)
			res.Outcome, res.Error = runtime.Interrupted, "interrupted"
			return res
		}
	case "withdraw-stops": // stops a running trial when it is withdrawn
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-spec.Withdraw:
				cancel()
			case <-wctx.Done():
			}
		}()
		ctx = wctx
	case "leave-running": // returns at once when interrupted, trial still running
		done := make(chan runtime.Result, 1)
		go func() { done <- b.local.Run(context.WithoutCancel(ctx), spec) }()
		select {
		case res := <-done:
			return res
		case <-ctx.Done():
			now := time.Now()
			return runtime.Result{Outcome: runtime.Interrupted, Error: "interrupted", Started: now, Ended: now, Host: "broken"}
		}
	}
	var deliver func()
	switch fn := spec.Progress; {
	case fn == nil:
	case b.how == "progress-at-end": // delivers the lines only once the trial ended
		var lines []runtime.ProgressLine
		spec.Progress = func(l runtime.ProgressLine) { lines = append(lines, l) }
		deliver = func() {
			for _, l := range lines {
				fn(l)
			}
		}
	case b.how == "progress-twice":
		spec.Progress = func(l runtime.ProgressLine) { fn(l); fn(l) }
	case b.how == "progress-late": // forwards lines with a delay, not waiting for the last
		ch := make(chan runtime.ProgressLine, 100)
		go func() {
			for l := range ch {
				time.Sleep(300 * time.Millisecond)
				fn(l)
			}
		}()
		spec.Progress = func(l runtime.ProgressLine) { ch <- l }
		deliver = func() { close(ch) }
	}
	res := b.local.Run(ctx, spec)
	if deliver != nil {
		deliver()
	}
	switch b.how {
	case "keep-nan":
		if res.Metrics == nil {
			res.Metrics = map[string]float64{}
		}
		res.Metrics["nan"] = math.NaN()
	case "no-tail":
		res.StderrTail = nil
	case "drop-metrics":
		res.Metrics = nil
	case "signal-as-exit": // reads a scheduler's raw wait status as an exit code
		if res.Error == "killed by signal SIGKILL" {
			res.Error = "exit status 137"
		}
	case "nan-passes":
		if strings.HasSuffix(res.Error, "is NaN") {
			res.Outcome, res.Error = runtime.Completed, ""
		}
	case "timeout-reason":
		if strings.HasPrefix(res.Error, "timed out") {
			res.Error = "timed out"
		}
	}
	return res
}

func TestBrokenChild(t *testing.T) {
	how := os.Getenv(envBroken)
	if how == "" {
		t.Skip("run by TestSuiteCatches")
	}
	executortest.Run(t, func(t *testing.T) runtime.Executor {
		return &broken{how: how, local: runtime.Local{Grace: time.Second}}
	}, executortest.Options{})
}

// TestSuiteCatches runs the suite against executors broken in one way
// each, and checks that the case about that rule fails.
func TestSuiteCatches(t *testing.T) {
	tests := []struct {
		how, caseName, message string
	}{
		{"pg-leak", "env", "FW_PG_CONN_STR"},
		{"shell", "argv", "verbatim"},
		{"wrong-dir", "workdir", "want Spec.WorkDir"},
		{"no-rotate", "retry", "stdout.1.log"},
		{"run-anyway", "interrupt-before-start", "started although"},
		{"leave-running", "interrupt", "still runs after Run returned"},
		{"keep-nan", "success", "is not finite"},
		{"no-tail", "exit3", "StderrTail"},
		{"timeout-reason", "timeout", "timed out after 300ms"},
		{"drop-metrics", "exit3", "Metrics = map[], want"},
		{"signal-as-exit", "sigkill", "killed by signal SIGKILL"},
		{"nan-passes", "nan", `metric \"val_loss\" is NaN`},
		{"withdraw-stops", "withdraw-running", "Run = interrupted"},
		{"progress-at-end", "progress", "got no line while the trial ran"},
		{"progress-twice", "progress", "each once"},
		{"progress-late", "progress", "times after Run returned"},
	}
	for _, tt := range tests {
		t.Run(tt.how, func(t *testing.T) {
			t.Parallel()
			path := "^TestBrokenChild$/^parallel$/^" + tt.caseName + "$"
			if tt.caseName == "env" {
				path = "^TestBrokenChild$/^env$"
			}
			cmd := exec.Command(os.Args[0], "-test.run="+path, "-test.v")
			cmd.Env = append(os.Environ(), envBroken+"="+tt.how)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed an executor broken by %s:\n%s", tt.how, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestBrokenChild/") || !strings.Contains(string(out), tt.caseName) || !strings.Contains(string(out), tt.message) {
				t.Errorf("the %s case did not fail with %q:\n%s", tt.caseName, tt.message, out)
			}
		})
	}
}

func TestOptionsSkipNeedsCaseAndReason(t *testing.T) {
	if os.Getenv(envBroken) == "skip-unknown" {
		executortest.Run(t, nil, executortest.Options{Skip: map[string]string{"nosuch": "why"}})
		return
	}
	if os.Getenv(envBroken) == "skip-no-reason" {
		executortest.Run(t, nil, executortest.Options{Skip: map[string]string{"timeout": " "}})
		return
	}
	if os.Getenv(envBroken) != "" {
		t.Skip()
	}
	for how, msg := range map[string]string{"skip-unknown": `names "nosuch", which is not a case`, "skip-no-reason": "gives no reason"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOptionsSkipNeedsCaseAndReason$", "-test.v")
		cmd.Env = append(os.Environ(), envBroken+"="+how)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), msg) {
			t.Errorf("%s: %v\n%s", how, err, out)
		}
	}
}

func TestSkip(t *testing.T) {
	if os.Getenv(envBroken) != "" {
		t.Skip()
	}
	skip := map[string]string{}
	for _, c := range executortest.Cases() {
		skip[c] = "testing Skip"
	}
	delete(skip, "nan")
	executortest.Run(t, func(t *testing.T) runtime.Executor { return &runtime.Local{} }, executortest.Options{Skip: skip})
}
