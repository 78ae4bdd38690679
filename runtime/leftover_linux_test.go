package runtime

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startParent runs the test binary as a stand-in for fwapply that runs
// one trial of the helper mode trialMode in dir (see parent), and waits
// until the trial wrote the file ready.
func startParent(t *testing.T, mode, trialMode, dir, ready string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "FW_TEST_HELPER="+mode, "FW_TEST_TRIAL_MODE="+trialMode, "FW_TEST_TRIAL_DIR="+dir, "GORACE="+gorace)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if ready == "" {
		return cmd
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, ready)); err == nil {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trial did not write %s within 30s; parent output:\n%s", ready, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readRecord(t *testing.T, dir string) processRecord {
	t.Helper()
	var rec processRecord
	readJSON(t, filepath.Join(dir, ProcessFile), &rec)
	return rec
}

// TestTrialDiesWithParent kills the process that runs a trial with
// SIGKILL, as kill -9 of fwapply apply would: the trial must die too.
func TestTrialDiesWithParent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "7")
	parent := startParent(t, "parent", "sleep-long", dir, "ready")
	rec := readRecord(t, dir)
	if rec.PID <= 0 || rec.Parent != parent.Process.Pid || rec.Start == 0 || rec.BootID == "" || rec.Host != hostname() || rec.Lineage != "L" || rec.Number != 7 || rec.Attempt != 1 {
		t.Errorf("process record %+v", rec)
	}
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	parent.Wait()
	wantGone(t, rec.PID)
}

// TestTrialSurvivesThreadChurn runs a trial from a parent whose other
// goroutines end OS threads meanwhile: the parent-death signal must not
// fire while the parent lives.
func TestTrialSurvivesThreadChurn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "7")
	parent := startParent(t, "churn-parent", "sleep-then-succeed", dir, "")
	b, err := parentOutput(parent)
	if err != nil {
		t.Fatalf("parent: %v\n%s", err, b)
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("parent output %q: %v", b, err)
	}
	if res.Outcome != Completed {
		t.Errorf("Run = %s %q, want completed", res.Outcome, res.Error)
	}
}

// parentOutput waits for the parent and returns its last output line.
func parentOutput(cmd *exec.Cmd) ([]byte, error) {
	err := cmd.Wait()
	out := strings.TrimSpace(cmd.Stdout.(interface{ String() string }).String())
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	return []byte(out), err
}

// TestRunStopsLeftoverGroup kills the parent of a trial that started a
// process of its own: the trial dies with its parent, its child lives on
// in the trial's process group, and the next Run in the same directory
// stops it before starting the trial again.
func TestRunStopsLeftoverGroup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "7")
	parent := startParent(t, "parent", "grandchild", dir, "ready")
	rec := readRecord(t, dir)
	spec := newSpec(t, "no-leftover")
	spec.TrialDir = dir
	grandchild := readPID(t, spec)
	t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) })
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	parent.Wait()
	wantGone(t, rec.PID)
	if gone(grandchild) {
		t.Fatal("the grandchild died with the trial; nothing is left for the test")
	}
	var notes []string
	l := &Local{Grace: 200 * time.Millisecond, OnLeftover: func(s Spec, note string) { notes = append(notes, note) }}
	res := l.Run(context.Background(), spec)
	if res.Outcome != Completed {
		t.Errorf("Run = %s %q %q, want completed without the leftover", res.Outcome, res.Error, res.StderrTail)
	}
	want := "Stopped a leftover process of trial 7 of search \"coarse\" (pid " + itoa(rec.PID) + ") from an earlier apply, which was still running in its trial directory."
	if len(notes) != 1 || notes[0] != want {
		t.Errorf("notes %q, want %q", notes, want)
	}
	wantGone(t, grandchild)
}

func itoa(n int) string { return strconv.Itoa(n) }

// sleeper starts a process that sleeps in a process group of its own, as
// a trial of an earlier apply would, and returns it with its record.
func sleeper(t *testing.T) (*exec.Cmd, processRecord) {
	t.Helper()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "FW_TEST_HELPER=sleeper", "GORACE="+gorace)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	start, st := procStart(cmd.Process.Pid)
	if st != procRunning {
		t.Fatalf("procStart(%d) = %v", cmd.Process.Pid, st)
	}
	ppidStart, _ := procStart(os.Getppid())
	return cmd, processRecord{
		PID: cmd.Process.Pid, Start: start, BootID: bootID(), Host: hostname(),
		// An fwapply that is gone: the test's parent process as it was
		// before a (made-up) restart.
		Parent: os.Getppid(), ParentStart: ppidStart + 1,
		Search: "coarse", Number: 7, Attempt: 1,
	}
}

func writeRecord(t *testing.T, dir string, rec processRecord) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rec)
	mustWrite(t, filepath.Join(dir, ProcessFile), string(b), 0o644)
}

// running reports whether cmd, a child of the test, has not exited.
func running(cmd *exec.Cmd) bool {
	_, st := procStart(cmd.Process.Pid)
	return st == procRunning
}

func TestRunStopsLeftoverProcess(t *testing.T) {
	proc, rec := sleeper(t)
	spec := newSpec(t, "success")
	writeRecord(t, spec.TrialDir, rec)
	var notes []string
	l := &Local{Grace: 200 * time.Millisecond, OnLeftover: func(s Spec, note string) { notes = append(notes, note) }}
	res := l.Run(context.Background(), spec)
	if res.Outcome != Completed || len(notes) != 1 {
		t.Errorf("Run = %s %q, notes %q; want completed after stopping the leftover", res.Outcome, res.Error, notes)
	}
	if running(proc) {
		t.Error("the leftover process is still running")
	}
}

func TestRunIgnoresStaleRecords(t *testing.T) {
	tests := []struct {
		name string
		edit func(*processRecord)
	}{
		{"another host", func(r *processRecord) { r.Host = "elsewhere" }},
		{"another boot", func(r *processRecord) { r.BootID = "00000000-0000-0000-0000-000000000000" }},
		{"unknown boot", func(r *processRecord) { r.BootID = "" }},
		{"a reused pid", func(r *processRecord) { r.Start-- }},
		{"no start time", func(r *processRecord) { r.Start = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proc, rec := sleeper(t)
			tt.edit(&rec)
			spec := newSpec(t, "success")
			writeRecord(t, spec.TrialDir, rec)
			called := false
			res := (&Local{OnLeftover: func(Spec, string) { called = true }}).Run(context.Background(), spec)
			if res.Outcome != Completed || called {
				t.Errorf("Run = %s %q, OnLeftover called: %v", res.Outcome, res.Error, called)
			}
			if !running(proc) {
				t.Error("a process the record does not name was stopped")
			}
		})
	}
	t.Run("garbage", func(t *testing.T) {
		spec := newSpec(t, "success")
		if err := os.MkdirAll(spec.TrialDir, 0o755); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(spec.TrialDir, ProcessFile), `{"pid": "x"`, 0o644)
		if res := (&Local{}).Run(context.Background(), spec); res.Outcome != Completed {
			t.Errorf("Run = %s %q", res.Outcome, res.Error)
		}
	})
}

// TestRunRefusesDirOfLiveApply finds in the trial directory a running
// process whose fwapply is alive too (another apply, of another state
// sharing the directory): it must neither stop it nor run beside it.
func TestRunRefusesDirOfLiveApply(t *testing.T) {
	proc, rec := sleeper(t)
	rec.ParentStart, _ = procStart(os.Getppid())
	spec := newSpec(t, "success")
	writeRecord(t, spec.TrialDir, rec)
	res := (&Local{Grace: 200 * time.Millisecond}).Run(context.Background(), spec)
	if res.Outcome != Failed || !strings.Contains(res.Error, "which is still running; let that apply finish") {
		t.Errorf("Run = %s %q, want failed", res.Outcome, res.Error)
	}
	if !running(proc) {
		t.Error("the other apply's trial was stopped")
	}
}

func TestRunRefusesBusyDir(t *testing.T) {
	l := &Local{Grace: 200 * time.Millisecond}
	first := newSpec(t, "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { l.Run(ctx, first) })
	waitFile(t, filepath.Join(first.TrialDir, "ready"), nil)
	second := newSpec(t, "success")
	second.TrialDir = first.TrialDir
	res := l.Run(context.Background(), second)
	if res.Outcome != Failed || !strings.Contains(res.Error, "another trial of this apply is running in") {
		t.Errorf("Run = %s %q, want failed", res.Outcome, res.Error)
	}
	cancel()
	wg.Wait()
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		in    string
		start uint64
		st    procState
	}{
		{"1234 (sleep) S 1 1234 1234 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 200", 98765, procRunning},
		{"1234 (a b) c)) Z 1 1234 1234 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 42 0 0", 42, procZombie},
		{"1234 (x) S 1 2 3", 0, procUnknown},
		{"garbage", 0, procUnknown},
	}
	for _, tt := range tests {
		start, st := parseStat([]byte(tt.in))
		if start != tt.start || st != tt.st {
			t.Errorf("parseStat(%q) = %d %v, want %d %v", tt.in, start, st, tt.start, tt.st)
		}
	}
}
