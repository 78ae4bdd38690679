// Package executortest is the conformance suite of runtime.Executor: every
// rule of the trial protocol (docs/protocol.md) that an executor must keep,
// whether it runs trials as child processes (runtime.Local) or queues them
// on a scheduler (Slurm), checked the same way against each.
//
// Run(t, newExecutor, opts) runs one subtest per case (Cases lists them).
// Each case runs a real trial: a small Go program (testdata/trialprog,
// embedded here and built once per Run with the go command of the PATH,
// standard library only, CGO off) whose first argument chooses what it
// does. The program, the trial directories and the working directories
// live in directories from Options.TempDir, which for a cluster executor
// must be on storage the nodes share.
//
// What a passing executor guarantees, for any Spec:
//
//   - every Result: an Outcome of the three, a reason exactly when it is
//     not Completed (one line), finite Metrics, Started and Ended set
//     (equal when nothing ran) and within the call to Run give or take
//     2 s (whole-second scheduler times, node clocks), a Host, Queued ≥ 0,
//     and StderrTail only for a Failed trial.
//   - success: Completed, every finite number of the metrics file and
//     nothing else in Metrics, no Error, no StderrTail; Started before
//     Ended (the trial runs over a second, so schedulers with whole-second
//     times qualify), a Host, StdoutLog and StderrLog naming stdout.log
//     and stderr.log of the trial directory.
//   - exit3: Failed "exit status 3", the metrics read anyway, StderrTail
//     the last lines of stderr.log (at most runtime.MaxTailLines) ending
//     with the trial's last line.
//   - nan / infinity: metrics as Python's json writes them (bare NaN,
//     Infinity, -Infinity): the metric NaN fails the trial with
//     `metric "val_loss" is NaN`; other non-finite entries are dropped.
//   - no-metrics: Failed "no metrics file (FW_METRICS)"; metric-missing:
//     Failed `metric "val_loss" missing from metrics (have: acc, loss)`.
//   - timeout: Spec.Timeout passes: Failed "timed out after <timeout>"
//     (the timeout written like "300ms", "1m", "1h30m") and the trial
//     process is gone when Run returns.
//   - sigkill / sigsegv: a trial killed by a signal fails with
//     "killed by signal SIGKILL" ("killed by signal SIGSEGV", possibly
//     followed by " (core dumped)").
//   - interrupt: the context cancelled while the trial runs: Interrupted,
//     "interrupted", the process gone when Run returns.
//     interrupt-before-start: a context cancelled before Run: Interrupted,
//     and the trial program never starts.
//   - env: the trial sees Spec.Env and the protocol's FW_* variables
//     (every path absolute; FW_* win over Spec.Env), and never the
//     FW_PG_CONN_STR of the environment it was started from.
//   - argv: the arguments reach the program verbatim, spaces, quotes,
//     shell syntax, an empty argument and a newline included (no shell
//     anywhere).
//   - workdir: the trial runs in Spec.WorkDir.
//   - files: config.json and params.json hold Config and Params (indented,
//     keys sorted, values verbatim, none of them ever executed), and the
//     marker names the trial (runtime.ReadMarker).
//   - logs: stdout.log and stderr.log hold what the trial printed.
//   - retry: attempt 2 of a trial never sees attempt 1's metrics or
//     progress, and attempt 1's logs are kept as stdout.1.log and
//     stderr.1.log.
//   - progress: Spec.Progress gets every complete line the trial appends
//     to its progress file, parsed as runtime.ReadProgress parses them
//     (bare NaN and Infinity read, a line written in two parts delivered
//     once whole, a torn last line never), in order, each once, never two
//     calls at a time, and all of them before Run returns, none after.
//     At least one comes while the trial runs: the trial waits (at most
//     30 s) before its last lines and its metrics until the suite has
//     received a line.
//
// "The process is gone" is checked without looking at process tables, so
// that it holds on any node: the sleeping trial appends to a heartbeat
// file ten times a second, and the file must not grow after Run returns.
package executortest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

//go:embed testdata/trialprog/main.go
var trialSource []byte

// Options adapt the suite to an executor. The zero value fits an executor
// that runs trials at once and on this machine, like runtime.Local.
type Options struct {
	// MinTimeout is the shortest Spec.Timeout the executor enforces as
	// asked (Slurm: 1 minute, its --time being whole minutes). The
	// timeout case uses max(MinTimeout, 300ms), so it takes about that
	// long plus the executor's delay in noticing.
	MinTimeout time.Duration
	// StartWithin bounds how long the suite waits for a trial to start
	// running (queueing included) before it fails a case that needs a
	// running trial; 0 means 5 minutes.
	StartWithin time.Duration
	// Skip names cases (see Cases) that the executor cannot pass, each
	// with the reason, which the skipped subtest reports. Every skip must
	// say why; an unknown case name fails the suite.
	Skip map[string]string
	// TempDir returns a new directory that lives until the test ends, for
	// the trial program, trial directories and working directories;
	// nil means t.TempDir. A cluster executor must give a directory its
	// nodes share.
	TempDir func(t testing.TB) string
	// Prepare, when set, adjusts each Spec before it runs, for example
	// to give the trials a Search or Lineage that tells a test's
	// scheduler jobs apart. It must keep Command, Env, Timeout, WorkDir,
	// TrialDir, Config, Params and Metric as they are.
	Prepare func(t *testing.T, spec *runtime.Spec)
}

// Traceback ends the stderr of the exit3 trial (testdata/trialprog).
const Traceback = `Traceback (most recent call last):
  File "train.py", line 4, in <module>
    raise RuntimeError("boom")
RuntimeError: boom
`

// goodMetrics is what the trial program's goodMetrics holds, numbers only.
var goodMetrics = map[string]float64{"val_loss": 0.25, "acc": 0.9}

// weirdArgs go through argv verbatim.
var weirdArgs = []string{"two words", `"double"`, "'single'", "$(touch pwned)", "`touch pwned`", "${HOME}", "*", "", "a\nb", `back\slash`, "--output=x"}

// suite is the state of one Run.
type suite struct {
	newExecutor func(t *testing.T) runtime.Executor
	opts        Options
	program     string
}

// testCase is one case of the suite.
type testCase struct {
	name string
	// serial cases run before the others, one at a time (env changes
	// this process's environment).
	serial bool
	run    func(s *suite, t *testing.T)
}

// cases is set in init: the cases refer to it (caseNumber).
var cases []testCase

func init() {
	cases = []testCase{
		{"env", true, (*suite).env},
		{"success", false, (*suite).success},
		{"exit3", false, (*suite).exit3},
		{"nan", false, (*suite).nan},
		{"infinity", false, (*suite).infinity},
		{"no-metrics", false, (*suite).noMetrics},
		{"metric-missing", false, (*suite).metricMissing},
		{"timeout", false, (*suite).timeout},
		{"sigkill", false, (*suite).sigkill},
		{"sigsegv", false, (*suite).sigsegv},
		{"interrupt", false, (*suite).interrupt},
		{"interrupt-before-start", false, (*suite).interruptBeforeStart},
		{"withdraw-running", false, (*suite).withdrawRunning},
		{"argv", false, (*suite).argv},
		{"workdir", false, (*suite).workdir},
		{"files", false, (*suite).files},
		{"logs", false, (*suite).logs},
		{"retry", false, (*suite).retry},
		{"progress", false, (*suite).progress},
	}
}

// Cases lists the names of the suite's cases, in the order they run.
func Cases() []string {
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.name
	}
	return names
}

// Run runs the conformance suite against the executors newExecutor
// returns (one per case; cases run in parallel, except env, so Run also
// checks that concurrent Runs work). It must be called from a test that
// is not parallel (the env case sets an environment variable of this
// process for its duration).
func Run(t *testing.T, newExecutor func(t *testing.T) runtime.Executor, opts Options) {
	t.Helper()
	for name, why := range opts.Skip {
		if !slices.Contains(Cases(), name) {
			t.Fatalf("executortest: Options.Skip names %q, which is not a case (cases: %s)", name, strings.Join(Cases(), ", "))
		}
		if strings.TrimSpace(why) == "" {
			t.Fatalf("executortest: Options.Skip[%q] gives no reason", name)
		}
	}
	s := &suite{newExecutor: newExecutor, opts: opts}
	s.program = filepath.Join(s.tempDir(t), "trialprog")
	if err := buildProgram(t, s.program); err != nil {
		t.Fatalf("executortest: building the trial program: %v", err)
	}
	run := func(t *testing.T, c testCase) {
		if why, ok := opts.Skip[c.name]; ok {
			t.Skipf("skipped by the executor's test: %s", why)
		}
		c.run(s, t)
	}
	for _, c := range cases {
		if c.serial {
			t.Run(c.name, func(t *testing.T) { run(t, c) })
		}
	}
	t.Run("parallel", func(t *testing.T) {
		for _, c := range cases {
			if !c.serial {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					run(t, c)
				})
			}
		}
	})
}

// buildProgram builds testdata/trialprog into out, as a module of its own
// (standard library only), so that it builds from any directory.
func buildProgram(t *testing.T, out string) error {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module trialprog\n\ngo 1.22\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), trialSource, 0o644); err != nil {
		return err
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goroot := os.Getenv("GOROOT")
		if goroot == "" {
			return fmt.Errorf("the go command is not in PATH and GOROOT is not set: %w", err)
		}
		goCmd = filepath.Join(goroot, "bin", "go")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s: %w\n%s", src, err, b)
	}
	return nil
}

func (s *suite) tempDir(t testing.TB) string {
	if s.opts.TempDir != nil {
		return s.opts.TempDir(t)
	}
	return t.TempDir()
}

// caseNumbers gives each case its own trial number, so that executors
// that name jobs after the trial see distinct trials.
func caseNumber(t *testing.T) int {
	name := t.Name()
	for i, c := range cases {
		if strings.HasSuffix(name, "/"+c.name) {
			return 100 + i
		}
	}
	return 99
}

// spec is the Spec of a trial of the program in mode, with args after the
// mode.
func (s *suite) spec(t *testing.T, mode string, args ...string) runtime.Spec {
	t.Helper()
	number := caseNumber(t)
	root := s.tempDir(t)
	spec := runtime.Spec{
		Search:   "conformance",
		Number:   number,
		Attempt:  1,
		Lineage:  "executortest",
		Command:  append([]string{s.program, mode}, args...),
		Env:      map[string]string{},
		WorkDir:  filepath.Join(root, "work"),
		TrialDir: filepath.Join(root, "trials", "conformance", strconv.Itoa(number)),
		Config: map[string]any{
			"training":  map[string]any{"lr": 0.001, "batch_size": 128},
			"optimizer": "adam",
		},
		Params: map[string]any{"training.lr": 0.001, "optimizer": "adam"},
		Metric: "val_loss",
	}
	if err := os.MkdirAll(spec.WorkDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if s.opts.Prepare != nil {
		s.opts.Prepare(t, &spec)
	}
	return spec
}

// run runs spec on a new executor and checks what every Result must hold.
func (s *suite) run(t *testing.T, ctx context.Context, spec runtime.Spec) runtime.Result {
	t.Helper()
	ex := s.newExecutor(t)
	before := time.Now()
	res := ex.Run(ctx, spec)
	after := time.Now()
	t.Logf("Run = %s %q, host %q, job %q, queued %v, ran %v", res.Outcome, res.Error, res.Host, res.Job, res.Queued, res.Ended.Sub(res.Started))
	switch res.Outcome {
	case runtime.Completed, runtime.Failed, runtime.Interrupted:
	default:
		t.Errorf("Outcome = %q, not one of completed, failed, interrupted", res.Outcome)
	}
	if (res.Outcome == runtime.Completed) != (res.Error == "") {
		t.Errorf("Outcome %s with Error %q: only a completed trial has no reason", res.Outcome, res.Error)
	}
	if strings.ContainsAny(res.Error, "\n\r") || len([]rune(res.Error)) > 250 {
		t.Errorf("Error %q is not one line of at most about 200 characters", res.Error)
	}
	for k, v := range res.Metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("Metrics[%q] = %v is not finite", k, v)
		}
	}
	// Scheduler times may be in whole seconds, and clocks of nodes differ
	// a little.
	const slack = 2 * time.Second
	if res.Started.IsZero() || res.Ended.IsZero() || res.Ended.Before(res.Started) {
		t.Errorf("Started %v, Ended %v: want both, Started not after Ended", res.Started, res.Ended)
	} else if res.Started.Before(before.Add(-slack)) || res.Ended.After(after.Add(slack)) {
		t.Errorf("Started %v, Ended %v: not within the call to Run (%v to %v)", res.Started, res.Ended, before, after)
	}
	if res.Host == "" {
		t.Errorf("Host is empty")
	}
	if res.Queued < 0 {
		t.Errorf("Queued = %v", res.Queued)
	}
	if res.Outcome != runtime.Failed && res.StderrTail != nil {
		t.Errorf("StderrTail = %q for a %s trial, want none", res.StderrTail, res.Outcome)
	}
	return res
}

// want checks outcome and reason.
func want(t *testing.T, res runtime.Result, outcome runtime.Outcome, reason string) {
	t.Helper()
	if res.Outcome != outcome || res.Error != reason {
		t.Fatalf("Run = %s %q, want %s %q", res.Outcome, res.Error, outcome, reason)
	}
}

func wantMetrics(t *testing.T, res runtime.Result, metrics map[string]float64) {
	t.Helper()
	if metrics == nil && res.Metrics != nil || !maps.Equal(res.Metrics, metrics) {
		t.Errorf("Metrics = %v, want %v", res.Metrics, metrics)
	}
}

func wantFile(t *testing.T, path, content string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if string(b) != content {
		t.Errorf("%s holds %q, want %q", filepath.Base(path), b, content)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// seen is what the success trial recorded about itself.
type seen struct {
	Cwd  string            `json:"cwd"`
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
}

// runSuccess runs the success trial with extra arguments.
func (s *suite) runSuccess(t *testing.T, prepare func(*runtime.Spec), args ...string) (runtime.Spec, runtime.Result, seen) {
	t.Helper()
	spec := s.spec(t, "success", args...)
	if prepare != nil {
		prepare(&spec)
	}
	res := s.run(t, context.Background(), spec)
	want(t, res, runtime.Completed, "")
	var sn seen
	readJSON(t, filepath.Join(spec.TrialDir, "seen.json"), &sn)
	return spec, res, sn
}

func (s *suite) success(t *testing.T) {
	spec, res, _ := s.runSuccess(t, nil)
	wantMetrics(t, res, goodMetrics)
	if !res.Started.Before(res.Ended) {
		t.Errorf("Started %v is not before Ended %v (the trial ran over a second)", res.Started, res.Ended)
	}
	if res.StdoutLog != filepath.Join(spec.TrialDir, runtime.StdoutFile) || res.StderrLog != filepath.Join(spec.TrialDir, runtime.StderrFile) {
		t.Errorf("StdoutLog %q, StderrLog %q, want the trial directory's %s and %s", res.StdoutLog, res.StderrLog, runtime.StdoutFile, runtime.StderrFile)
	}
	for _, p := range []string{res.StdoutLog, res.StderrLog} {
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("log %s: %v, want a regular file", p, err)
		}
	}
	lines, err := runtime.ReadProgress(filepath.Join(spec.TrialDir, runtime.ProgressFile))
	if err != nil || len(lines) != 1 || lines[0].Step != 1 || lines[0].Metrics["loss"] != 0.5 {
		t.Errorf("ReadProgress = %v, %v; want the trial's one line", lines, err)
	}
}

func (s *suite) exit3(t *testing.T) {
	spec := s.spec(t, "exit3")
	res := s.run(t, context.Background(), spec)
	want(t, res, runtime.Failed, "exit status 3")
	wantMetrics(t, res, goodMetrics)
	tb := strings.Split(strings.TrimSuffix(Traceback, "\n"), "\n")
	if n := len(res.StderrTail); n < len(tb) || n > runtime.MaxTailLines || !slices.Equal(res.StderrTail[n-len(tb):], tb) {
		t.Errorf("StderrTail = %q, want at most %d lines ending in the traceback %q", res.StderrTail, runtime.MaxTailLines, tb)
	}
	if res.StderrLog != filepath.Join(spec.TrialDir, runtime.StderrFile) {
		t.Errorf("StderrLog = %q", res.StderrLog)
	}
}

func (s *suite) nan(t *testing.T) {
	res := s.run(t, context.Background(), s.spec(t, "nan"))
	want(t, res, runtime.Failed, `metric "val_loss" is NaN`)
	wantMetrics(t, res, map[string]float64{"acc": 0.5})
}

func (s *suite) infinity(t *testing.T) {
	res := s.run(t, context.Background(), s.spec(t, "infinity"))
	want(t, res, runtime.Completed, "")
	wantMetrics(t, res, map[string]float64{"val_loss": 0.5})
}

func (s *suite) noMetrics(t *testing.T) {
	spec := s.spec(t, "none")
	res := s.run(t, context.Background(), spec)
	want(t, res, runtime.Failed, "no metrics file (FW_METRICS)")
	wantMetrics(t, res, nil)
	wantFile(t, filepath.Join(spec.TrialDir, runtime.StdoutFile), "no metrics today\n")
}

func (s *suite) metricMissing(t *testing.T) {
	res := s.run(t, context.Background(), s.spec(t, "missing"))
	want(t, res, runtime.Failed, `metric "val_loss" missing from metrics (have: acc, loss)`)
	wantMetrics(t, res, map[string]float64{"acc": 2, "loss": 1})
}

func (s *suite) timeout(t *testing.T) {
	spec := s.spec(t, "sleep")
	spec.Timeout = max(s.opts.MinTimeout, 300*time.Millisecond)
	res := s.run(t, context.Background(), spec)
	want(t, res, runtime.Failed, "timed out after "+runtime.FormatDuration(spec.Timeout))
	if _, err := os.Stat(filepath.Join(spec.TrialDir, "ready")); err != nil {
		t.Errorf("the trial never ran: %v", err)
	}
	wantGone(t, spec)
}

// wantGone checks that the sleeping trial of spec no longer runs: its
// heartbeat file stops growing.
func wantGone(t *testing.T, spec runtime.Spec) {
	t.Helper()
	beat := filepath.Join(spec.TrialDir, "heartbeat")
	size := func() int64 {
		fi, err := os.Stat(beat)
		if err != nil {
			return -1
		}
		return fi.Size()
	}
	first := size()
	time.Sleep(1500 * time.Millisecond) // 15 heartbeats
	if last := size(); last != first {
		t.Errorf("the trial process still runs after Run returned: its heartbeat grew from %d to %d bytes", first, last)
	}
}

func (s *suite) sigkill(t *testing.T) {
	res := s.run(t, context.Background(), s.spec(t, "sigkill"))
	want(t, res, runtime.Failed, "killed by signal SIGKILL")
	wantMetrics(t, res, nil)
}

func (s *suite) sigsegv(t *testing.T) {
	res := s.run(t, context.Background(), s.spec(t, "sigsegv"))
	if res.Outcome != runtime.Failed || res.Error != "killed by signal SIGSEGV" && res.Error != "killed by signal SIGSEGV (core dumped)" {
		t.Fatalf("Run = %s %q, want failed %q", res.Outcome, res.Error, "killed by signal SIGSEGV")
	}
}

func (s *suite) startWithin() time.Duration {
	if s.opts.StartWithin > 0 {
		return s.opts.StartWithin
	}
	return 5 * time.Minute
}

func (s *suite) interrupt(t *testing.T) {
	spec := s.spec(t, "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan bool, 1)
	go func() {
		// Cancel once the trial runs (or give up, cancelling anyway).
		deadline := time.Now().Add(s.startWithin())
		for time.Now().Before(deadline) && ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(spec.TrialDir, "ready")); err == nil {
				ready <- true
				cancel()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		ready <- false
		cancel()
	}()
	res := s.run(t, ctx, spec)
	if !<-ready {
		t.Fatalf("the trial did not start within %v (Run = %s %q)", s.startWithin(), res.Outcome, res.Error)
	}
	want(t, res, runtime.Interrupted, "interrupted")
	wantGone(t, spec)
}

func (s *suite) interruptBeforeStart(t *testing.T) {
	spec := s.spec(t, "success")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := s.run(t, ctx, spec)
	want(t, res, runtime.Interrupted, "interrupted")
	if _, err := os.Stat(filepath.Join(spec.TrialDir, "started")); err == nil {
		t.Errorf("the trial program started although the context was cancelled before Run")
	}
}

// withdrawRunning: closing Spec.Withdraw once the trial runs does not
// stop it (withdrawing concerns trials still waiting in a queue).
func (s *suite) withdrawRunning(t *testing.T) {
	spec := s.spec(t, "success")
	withdraw := make(chan struct{})
	spec.Withdraw = withdraw
	started := make(chan bool, 1)
	go func() {
		deadline := time.Now().Add(s.startWithin())
		for time.Now().Before(deadline) {
			if _, err := os.Stat(filepath.Join(spec.TrialDir, "started")); err == nil {
				close(withdraw)
				started <- true
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		started <- false
	}()
	res := s.run(t, context.Background(), spec)
	if !<-started {
		t.Fatalf("the trial did not start within %v (Run = %s %q)", s.startWithin(), res.Outcome, res.Error)
	}
	want(t, res, runtime.Completed, "")
	wantMetrics(t, res, goodMetrics)
}

func (s *suite) env(t *testing.T) {
	// fwapply's own connection string is kept from trials.
	t.Setenv("FW_PG_CONN_STR", "postgres://fw:secret@db/frameworm")
	spec, _, sn := s.runSuccess(t, func(spec *runtime.Spec) {
		spec.Env["EXTRA"] = "extra value"
		spec.Env["FW_TRIAL"] = "999" // the protocol's variables win
	})
	dir := spec.TrialDir
	want := map[string]string{
		"FW_TRIAL_DIR": dir,
		"FW_CONFIG":    filepath.Join(dir, runtime.ConfigFile),
		"FW_PARAMS":    filepath.Join(dir, runtime.ParamsFile),
		"FW_METRICS":   filepath.Join(dir, runtime.MetricsFile),
		"FW_PROGRESS":  filepath.Join(dir, runtime.ProgressFile),
		"FW_SEARCH":    spec.Search,
		"FW_TRIAL":     strconv.Itoa(spec.Number),
		"EXTRA":        "extra value",
	}
	for k, v := range want {
		if sn.Env[k] != v {
			t.Errorf("the trial saw %s=%q, want %q", k, sn.Env[k], v)
		}
	}
	if v, ok := sn.Env["FW_PG_CONN_STR"]; ok {
		t.Errorf("the trial saw FW_PG_CONN_STR=%q, which is fwapply's alone", v)
	}
	for _, k := range []string{"FW_TRIAL_DIR", "FW_CONFIG", "FW_PARAMS", "FW_METRICS", "FW_PROGRESS"} {
		if !filepath.IsAbs(sn.Env[k]) {
			t.Errorf("%s = %q is not absolute", k, sn.Env[k])
		}
	}
}

func (s *suite) argv(t *testing.T) {
	spec, _, sn := s.runSuccess(t, nil, weirdArgs...)
	if wantArgs := spec.Command[1:]; !slices.Equal(sn.Args, wantArgs) {
		t.Errorf("the trial got arguments %q, want %q verbatim", sn.Args, wantArgs)
	}
	for _, dir := range []string{spec.WorkDir, spec.TrialDir} {
		if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
			t.Errorf("an argument went through a shell: %s/pwned exists", dir)
		}
	}
}

func (s *suite) workdir(t *testing.T) {
	spec, _, sn := s.runSuccess(t, nil)
	got, err1 := filepath.EvalSymlinks(sn.Cwd)
	wantDir, err2 := filepath.EvalSymlinks(spec.WorkDir)
	if err1 != nil || err2 != nil || got != wantDir {
		t.Errorf("the trial ran in %q, want Spec.WorkDir %q", sn.Cwd, spec.WorkDir)
	}
}

func (s *suite) files(t *testing.T) {
	evil := []string{`"; rm -rf /"`, "$(touch pwned)", "`touch pwned`", "'; touch pwned; '", "a\nb", "${HOME}"}
	spec, _, _ := s.runSuccess(t, func(spec *runtime.Spec) {
		for i, v := range evil {
			spec.Params["p"+strconv.Itoa(i)] = v
			spec.Config["p"+strconv.Itoa(i)] = v
		}
	})
	dir := spec.TrialDir
	var config, params map[string]any
	readJSON(t, filepath.Join(dir, runtime.ConfigFile), &config)
	readJSON(t, filepath.Join(dir, runtime.ParamsFile), &params)
	if !reflect.DeepEqual(params, spec.Params) {
		t.Errorf("params.json = %v, want %v", params, spec.Params)
	}
	if !reflect.DeepEqual(normalize(t, spec.Config), config) {
		t.Errorf("config.json = %v, want %v", config, spec.Config)
	}
	// Indented, keys sorted, with a final newline: as json.MarshalIndent.
	for name, v := range map[string]any{runtime.ConfigFile: spec.Config, runtime.ParamsFile: spec.Params} {
		b, _ := json.MarshalIndent(v, "", "  ")
		wantFile(t, filepath.Join(dir, name), string(b)+"\n")
	}
	for _, d := range []string{spec.WorkDir, dir} {
		if _, err := os.Stat(filepath.Join(d, "pwned")); err == nil {
			t.Errorf("a parameter was executed: %s/pwned exists", d)
		}
	}
	m, err := runtime.ReadMarker(dir)
	if wantM := (runtime.Marker{Lineage: spec.Lineage, Search: spec.Search, Number: spec.Number, Attempt: spec.Attempt}); err != nil || m != wantM {
		t.Errorf("ReadMarker = %+v, %v; want %+v", m, err, wantM)
	}
}

// normalize round-trips v through JSON, as config.json holds it.
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *suite) logs(t *testing.T) {
	spec, res, _ := s.runSuccess(t, nil)
	wantFile(t, filepath.Join(spec.TrialDir, runtime.StdoutFile), "hello stdout\n")
	wantFile(t, filepath.Join(spec.TrialDir, runtime.StderrFile), "hello stderr\n")
	if res.StderrTail != nil {
		t.Errorf("a completed trial has StderrTail %q", res.StderrTail)
	}
}

func (s *suite) retry(t *testing.T) {
	spec, _, _ := s.runSuccess(t, nil)
	spec.Attempt = 2
	spec.Command = []string{s.program, "check-stale"}
	res := s.run(t, context.Background(), spec)
	want(t, res, runtime.Failed, "no metrics file (FW_METRICS)")
	wantMetrics(t, res, nil)
	if b, err := os.ReadFile(filepath.Join(spec.TrialDir, "stale")); err == nil {
		t.Errorf("attempt 2 saw attempt 1's %s", b)
	}
	dir := spec.TrialDir
	wantFile(t, filepath.Join(dir, runtime.StdoutFile), "attempt 2\n")
	wantFile(t, filepath.Join(dir, runtime.StderrFile), "")
	wantFile(t, filepath.Join(dir, "stdout.1.log"), "hello stdout\n")
	wantFile(t, filepath.Join(dir, "stderr.1.log"), "hello stderr\n")
	if m, err := runtime.ReadMarker(dir); err != nil || m.Attempt != 2 {
		t.Errorf("ReadMarker = %+v, %v; want attempt 2", m, err)
	}
}

// progressWant are the lines of the progress trial (testdata/trialprog),
// in order.
var progressWant = []runtime.ProgressLine{
	{Step: 1, Metrics: map[string]float64{"loss": 1.5}},
	{Step: 2, Metrics: map[string]float64{"loss": math.NaN(), "acc": 0.5}},
	{Step: 3, Metrics: map[string]float64{"loss": 0.75}},
	{Step: 4, Metrics: map[string]float64{"loss": math.Inf(1)}},
	{Step: 5, Metrics: map[string]float64{"loss": 0.5}},
}

// progress: Spec.Progress follows the progress file while the trial runs.
func (s *suite) progress(t *testing.T) {
	spec := s.spec(t, "progress")
	seenFile := filepath.Join(spec.TrialDir, "progress-seen")
	var (
		mu         sync.Mutex
		got        []runtime.ProgressLine
		inCall     atomic.Bool
		concurrent atomic.Int32
		returned   atomic.Bool
		late       atomic.Int32
		seenErr    error
	)
	spec.Progress = func(l runtime.ProgressLine) {
		// t is not used here: a broken executor may call after the test.
		if inCall.Swap(true) {
			concurrent.Add(1)
		}
		if returned.Load() {
			late.Add(1)
		}
		mu.Lock()
		got = append(got, l)
		if len(got) == 1 {
			seenErr = os.WriteFile(seenFile, nil, 0o644)
		}
		mu.Unlock()
		time.Sleep(5 * time.Millisecond) // a window for a concurrent call to show
		inCall.Store(false)
	}
	res := s.run(t, context.Background(), spec)
	returned.Store(true)
	mu.Lock()
	atReturn := slices.Clone(got)
	if seenErr != nil {
		t.Errorf("telling the trial that a line came: %v", seenErr)
	}
	mu.Unlock()
	if _, err := os.Stat(filepath.Join(spec.TrialDir, "progress-unseen")); err == nil {
		t.Errorf("Spec.Progress got no line while the trial ran (the trial waited 30s for one before its last lines and metrics)")
	}
	if !sameProgress(atReturn, progressWant) {
		t.Errorf("Spec.Progress got %s before Run returned, want %s: every complete line, in order, each once", describeProgress(atReturn), describeProgress(progressWant))
	}
	time.Sleep(1500 * time.Millisecond) // a late call shows up
	if n := late.Load(); n > 0 {
		t.Errorf("Spec.Progress was called %d times after Run returned", n)
	}
	if n := concurrent.Load(); n > 0 {
		t.Errorf("Spec.Progress was called concurrently %d times", n)
	}
	want(t, res, runtime.Completed, "")
	wantMetrics(t, res, goodMetrics)
}

func sameProgress(a, b []runtime.ProgressLine) bool {
	return slices.EqualFunc(a, b, func(x, y runtime.ProgressLine) bool {
		return x.Step == y.Step && maps.EqualFunc(x.Metrics, y.Metrics, func(v, w float64) bool {
			return v == w || math.IsNaN(v) && math.IsNaN(w)
		})
	})
}

// describeProgress writes lines as [1 {loss: 1.5} 2 {...}].
func describeProgress(lines []runtime.ProgressLine) string {
	var b strings.Builder
	b.WriteString("[")
	for i, l := range lines {
		if i > 0 {
			b.WriteString(" ")
		}
		keys := slices.Sorted(maps.Keys(l.Metrics))
		fmt.Fprintf(&b, "%d {", l.Step)
		for j, k := range keys {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %v", k, l.Metrics[k])
		}
		b.WriteString("}")
	}
	b.WriteString("]")
	return b.String()
}
