//go:build unix

package runtime

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// runUntilReady runs spec, waits until the trial has written the file
// ready in its directory, cancels ctx and returns the result and how long
// Run took after the cancel.
func runUntilReady(t *testing.T, l *Local, spec Spec, ready string) (Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan Result, 1)
	go func() { ch <- l.Run(ctx, spec) }()
	waitFile(t, filepath.Join(spec.TrialDir, ready), ch)
	cancelled := time.Now()
	cancel()
	res := <-ch
	return res, time.Since(cancelled)
}

func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	res, took := runUntilReady(t, &Local{}, newSpec(t, "sleep"), "ready")
	if res.Outcome != Interrupted || res.Error != "interrupted" {
		t.Errorf("Run = %s %q, want interrupted", res.Outcome, res.Error)
	}
	if took > slow {
		t.Errorf("Run returned %v after the cancel", took)
	}
}

func TestRunCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	spec := newSpec(t, "success")
	res := (&Local{}).Run(ctx, spec)
	if res.Outcome != Interrupted || res.Error != "interrupted" || res.Host != "local:"+hostname() {
		t.Errorf("Run = %+v, want interrupted without a process", res)
	}
	if _, err := os.Stat(spec.TrialDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the trial directory was prepared: %v", err)
	}
}

func TestRunKillsAfterGrace(t *testing.T) {
	t.Parallel()
	spec := newSpec(t, "ignore-term")
	res, took := runUntilReady(t, &Local{Grace: 200 * time.Millisecond}, spec, "ready")
	if res.Outcome != Interrupted {
		t.Errorf("Run = %s %q, want interrupted", res.Outcome, res.Error)
	}
	if took > slow {
		t.Errorf("Run returned %v after the cancel; SIGKILL did not follow the grace period", took)
	}
	if _, err := os.Stat(filepath.Join(spec.TrialDir, "got-term")); err != nil {
		t.Errorf("the trial did not get SIGTERM first: %v", err)
	}
}

func TestRunTimeoutKillsAfterGrace(t *testing.T) {
	t.Parallel()
	spec := newSpec(t, "ignore-term")
	spec.Timeout = 300 * time.Millisecond
	start := time.Now()
	res := (&Local{Grace: 200 * time.Millisecond}).Run(context.Background(), spec)
	if res.Outcome != Failed || res.Error != "timed out after 300ms" {
		t.Errorf("Run = %s %q, want failed, timed out", res.Outcome, res.Error)
	}
	if took := time.Since(start); took > slow {
		t.Errorf("Run took %v", took)
	}
}

func TestRunKillsGrandchildren(t *testing.T) {
	t.Run("on cancel", func(t *testing.T) {
		t.Parallel()
		spec := newSpec(t, "grandchild")
		res, took := runUntilReady(t, &Local{}, spec, "ready")
		if res.Outcome != Interrupted || took > slow {
			t.Errorf("Run = %s %q after %v, want interrupted", res.Outcome, res.Error, took)
		}
		wantGone(t, readPID(t, spec))
	})
	t.Run("on timeout", func(t *testing.T) {
		t.Parallel()
		spec := newSpec(t, "grandchild")
		spec.Timeout = 2 * time.Second
		start := time.Now()
		res := (&Local{}).Run(context.Background(), spec)
		if res.Outcome != Failed || res.Error != "timed out after 2s" || time.Since(start) > slow {
			t.Errorf("Run = %s %q after %v, want failed, timed out", res.Outcome, res.Error, time.Since(start))
		}
		if _, err := os.Stat(filepath.Join(spec.TrialDir, "grandchild.pid")); err == nil {
			wantGone(t, readPID(t, spec))
		} else {
			t.Logf("the machine is slow: the trial did not start its grandchild within 2s")
		}
	})
	t.Run("left behind by a finished trial", func(t *testing.T) {
		t.Parallel()
		spec := newSpec(t, "orphan")
		start := time.Now()
		res := (&Local{}).Run(context.Background(), spec)
		if res.Outcome != Completed || time.Since(start) > slow {
			t.Errorf("Run = %s %q after %v, want completed", res.Outcome, res.Error, time.Since(start))
		}
		wantGone(t, readPID(t, spec))
	})
	t.Run("ignoring SIGTERM, left behind", func(t *testing.T) {
		t.Parallel()
		spec := newSpec(t, "orphan-stubborn")
		start := time.Now()
		res := (&Local{Grace: 200 * time.Millisecond}).Run(context.Background(), spec)
		if res.Outcome != Completed || time.Since(start) > slow {
			t.Errorf("Run = %s %q after %v, want completed", res.Outcome, res.Error, time.Since(start))
		}
		wantGone(t, readPID(t, spec))
	})
}

func readPID(t *testing.T, spec Spec) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(spec.TrialDir, "grandchild.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// wantGone checks that process pid ends soon: a SIGKILL is delivered
// asynchronously, so it may take a moment. A zombie counts as gone: the
// orphan's new parent may not reap it.
func wantGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func gone(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	i := bytes.LastIndexByte(b, ')')
	f := bytes.Fields(b[i+1:])
	return len(f) > 0 && string(f[0]) == "Z"
}
