//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos

package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "FW_STATE_TEST_LOCK_HELPER"

// TestHelperProcess is not a test: TestLockAcrossProcesses runs the test
// binary as a child that takes the lock named by helperEnv, says "locked"
// and waits to be killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestLockAcrossProcesses")
	}
	if _, err := NewFile(path).Lock(context.Background(), LockInfo{Operation: "apply"}); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	select {}
}

func TestLockAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fw.state")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child: %q, %v", line, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	f := NewFile(path)
	_, err = f.Lock(ctx, LockInfo{Operation: "plan"})
	var le *LockError
	if !errors.As(err, &le) || le.Info == nil {
		t.Fatalf("Lock while a child holds it: %v, want a *LockError with the holder", err)
	}
	if le.Info.PID != cmd.Process.Pid || le.Info.Operation != "apply" || !strings.Contains(le.Info.Who, "@") || le.Info.Path != path {
		t.Errorf("holder %+v, want pid %d, operation apply, path %s", le.Info, cmd.Process.Pid, path)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d) for apply", cmd.Process.Pid)) {
		t.Errorf("error %q", err)
	}

	// SIGKILL: the kernel releases the flock; the stale lock file stays.
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Errorf("lock file after the holder was killed: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	unlock, err := f.Lock(ctx, LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	if info := readLockInfo(path + ".lock"); info == nil || info.PID != os.Getpid() {
		t.Errorf("lock file holds %+v, want our pid", info)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after unlock: %v, want it removed", err)
	}
}

// TestLockTwoFiles checks that two File values on one path exclude each
// other, like two processes.
func TestLockTwoFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fw.state")
	a, b := NewFile(path), NewFile(path)
	unlock, err := a.Lock(context.Background(), LockInfo{Operation: "apply", Who: "alice@host"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx, LockInfo{Operation: "plan"}); err == nil || !strings.Contains(err.Error(), "alice@host") {
		t.Errorf("second File's Lock: %v, want a LockError naming alice@host", err)
	}
	unlock()
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	unlock, err = b.Lock(ctx, LockInfo{Operation: "plan"})
	if err != nil {
		t.Fatalf("Lock after the other File unlocked: %v", err)
	}
	unlock()
}

// TestLockUnlinkedInode covers the race where a waiter opens the lock file,
// the holder unlocks (removes it), and the waiter then flocks the removed
// inode: stillAt must tell, so that tryLock retries with the file at the
// path, and a stale holder's unlock leaves a new holder's file alone.
func TestLockUnlinkedInode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fw.state.lock")
	old, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if at, err := stillAt(old, path); !at || err != nil {
		t.Fatalf("stillAt(file at path) = %v, %v", at, err)
	}
	os.Remove(path) // the holder's unlock, between the waiter's open and flock
	if ok, err := flock(old); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if at, err := stillAt(old, path); at || err != nil {
		t.Errorf("stillAt(removed file) = %v, %v; want false", at, err)
	}
	fd, err := tryLock(path)
	if err != nil || fd == nil {
		t.Fatalf("tryLock: %v, %v", fd, err)
	}
	defer fd.Close()
	if at, _ := stillAt(old, path); at {
		t.Errorf("stillAt(removed file) is true after a new file appeared at the path")
	}
	unlocker(old, path)() // the stale holder
	if at, _ := stillAt(fd, path); !at {
		t.Errorf("a stale holder's unlock removed the new holder's lock file")
	}
}

func TestLockErrorMessage(t *testing.T) {
	info := &LockInfo{ID: "abc", Who: "alice@host", PID: 1234, Operation: "apply", Created: time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		err  *LockError
		want string
	}{
		{&LockError{Info: info, Err: context.DeadlineExceeded},
			"state is locked by alice@host (pid 1234) for apply since 2026-11-26T21:00:00Z; lock ID abc; wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"},
		{&LockError{Err: context.DeadlineExceeded},
			"state is locked by another process (context deadline exceeded); wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q\nwant %q", got, tc.want)
		}
	}
}
