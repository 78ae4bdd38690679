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
	"runtime"
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
		{&LockError{Info: &LockInfo{ID: "i\x1b[2J", Who: "eve\u202e@host\n", PID: 7, Operation: strings.Repeat("x", 300), Created: info.Created}, Err: context.DeadlineExceeded},
			"state is locked by eve?@host? (pid 7) for " + strings.Repeat("x", 200) + "… since 2026-11-26T21:00:00Z; lock ID i?[2J; wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"},
		{&LockError{Info: &LockInfo{Who: "ghost@host", PID: 1}, Err: context.DeadlineExceeded},
			"state is locked by ghost@host (pid 1); wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"},
		{&LockError{Info: &LockInfo{ID: "x"}, Err: context.DeadlineExceeded},
			"state is locked by an unnamed holder; lock ID x; wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"},
		{&LockError{Err: context.DeadlineExceeded},
			"state is locked by another process (context deadline exceeded); wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q\nwant %q", got, tc.want)
		}
	}
}

// TestCheckLock: a holder can tell when its lock was removed and taken by
// someone else, and never mistakes a lock it still holds for a lost one.
func TestCheckLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fw.state")
	a := NewFile(path)
	ctx := context.Background()
	if err := a.CheckLock(ctx); err == nil {
		t.Errorf("CheckLock without a lock: nil, want an error")
	}
	unlock, err := a.Lock(ctx, LockInfo{Operation: "apply", ID: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CheckLock(ctx); err != nil {
		t.Fatalf("CheckLock while holding the lock: %v", err)
	}

	// force-unlock: no holder yet.
	if err := a.ForceUnlock(ctx); err != nil {
		t.Fatal(err)
	}
	var lost *LockLostError
	err = a.CheckLock(ctx)
	if !errors.As(err, &lost) || lost.Holder != nil || lost.Info.ID != "first" {
		t.Fatalf("CheckLock after force-unlock: %v, want a *LockLostError without a holder", err)
	}
	if !strings.Contains(err.Error(), "no one holds it now") {
		t.Errorf("message %q", err)
	}

	// Another process takes the lock.
	b := NewFile(path)
	unlockB, err := b.Lock(ctx, LockInfo{Operation: "apply", ID: "second", Who: "mallory@elsewhere", PID: 4242})
	if err != nil {
		t.Fatal(err)
	}
	err = a.CheckLock(ctx)
	if !errors.As(err, &lost) || lost.Holder == nil || lost.Holder.ID != "second" {
		t.Fatalf("CheckLock after another took the lock: %v, want the new holder", err)
	}
	for _, want := range []string{"was taken from this process (lock ID first)", "mallory@elsewhere (pid 4242) for apply", "lock ID second", "force-unlock or by hand"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if err := b.CheckLock(ctx); err != nil {
		t.Errorf("the new holder's CheckLock: %v", err)
	}
	// The old holder's unlock leaves the new lock alone, and its File
	// holds no lock any more.
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckLock(ctx); err != nil {
		t.Errorf("the new holder's CheckLock after the old one unlocked: %v", err)
	}
	if err := a.CheckLock(ctx); err == nil || errors.As(err, &lost) {
		t.Errorf("CheckLock after unlock: %v, want 'does not hold it'", err)
	}

	// The lock file rewritten in place, by hand.
	if err := os.WriteFile(path+".lock", []byte(`{"id":"forged","who":"eve@host","pid":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckLock(ctx); !errors.As(err, &lost) || lost.Holder == nil || lost.Holder.ID != "forged" {
		t.Errorf("CheckLock after the lock file was rewritten: %v", err)
	}
	unlockB()
}

// TestLockRemovesStaleTemps: temp files a crash left beside the state are
// removed when the lock is taken; other files stay.
func TestLockRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fw.state")
	stale := []string{"fw.state.tmp-1234", "fw.state.backup.tmp-XYZ"}
	keep := []string{"fw.state", "fw.state.backup", "fw.state.tmpfile", "fw.statex.tmp-1", "other.tmp-1", "fw.state.tmp"}
	for _, n := range append(stale, keep...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unlock, err := NewFile(path).Lock(context.Background(), LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Lock: %v, want it removed", n, err)
		}
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s after Lock: %v, want it kept", n, err)
		}
	}
}

// TestLockSymlink: a symbolic link at PATH.lock is refused, and the file
// it points to is left untouched.
func TestLockSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fw.state")
	if err := os.Symlink(target, path+".lock"); err != nil {
		t.Fatal(err)
	}
	_, err := NewFile(path).Lock(context.Background(), LockInfo{Operation: "apply"})
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("Lock with a symlink at the lock path: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Errorf("the symlink's target holds %q", b)
	}
}

func TestLiveness(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	me := os.Getpid()
	// A process that has exited and been reaped.
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	// A process that has exited but is not reaped yet: a zombie, whose
	// flock is released.
	zombie := exec.Command(os.Args[0], "-test.run=^$")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	defer zombie.Wait()
	waitZombie(t, zombie.Process.Pid)

	myStart := processStart(me)
	for _, tc := range []struct {
		name string
		info *LockInfo
		want Liveness
	}{
		{"this process", &LockInfo{Who: "u@" + host, PID: me, ProcessStart: myStart}, HolderAlive},
		{"this process, old lock file without a start", &LockInfo{Who: "u@" + host, PID: me}, HolderAlive},
		{"a reaped process", &LockInfo{Who: "u@" + host, PID: dead.Process.Pid}, HolderGone},
		{"another host", &LockInfo{Who: "u@" + host + ".elsewhere", PID: me}, HolderUnknown},
		{"no host", &LockInfo{Who: "u", PID: me}, HolderUnknown},
		{"no pid", &LockInfo{Who: "u@" + host}, HolderUnknown},
		{"negative pid", &LockInfo{Who: "u@" + host, PID: -1}, HolderUnknown},
		{"pid beyond pid_t", &LockInfo{Who: "u@" + host, PID: 1<<32 + me}, HolderUnknown},
		{"nil", nil, HolderUnknown},
	} {
		if got := tc.info.Liveness(); got != tc.want {
			t.Errorf("%s: Liveness() = %v, want %v", tc.name, got, tc.want)
		}
	}
	if myStart != "" { // where the OS tells start times
		reused := &LockInfo{Who: "u@" + host, PID: me, ProcessStart: "linux:another-boot:1"}
		if got := reused.Liveness(); got != HolderGone {
			t.Errorf("a reused pid: Liveness() = %v, want gone", got)
		}
		if got := (&LockInfo{Who: "u@" + host, PID: zombie.Process.Pid}).Liveness(); got != HolderGone {
			t.Errorf("a zombie: Liveness() = %v, want gone", got)
		}
	}
}

// waitZombie waits until pid has exited (where /proc tells).
func waitZombie(t *testing.T, pid int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, z := procStat(pid); z {
			return
		}
		if _, err := os.Stat("/proc"); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d did not exit", pid)
}

// TestLockHolder: the holder of a lock file is alive while its process
// holds the flock, and gone once the kernel released it, whatever the pid
// in the file says; ForceUnlockHolder removes only the lock it was given.
func TestLockHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fw.state")
	f := NewFile(path)
	if info, l, err := f.LockHolder(context.Background()); info != nil || l != HolderGone || err != nil {
		t.Errorf("LockHolder without a lock file: %v, %v, %v", info, l, err)
	}
	cmd, pid := startHolder(t, path)
	info, l, err := f.LockHolder(context.Background())
	if err != nil || info == nil || info.PID != pid || l != HolderAlive {
		t.Fatalf("LockHolder of a live child: %+v, %v, %v; want pid %d, alive", info, l, err, pid)
	}
	if runtime.GOOS == "linux" && info.ProcessStart == "" {
		t.Errorf("the lock file records no process start: %+v", info)
	}
	if err := f.ForceUnlockHolder(context.Background(), "another-id"); err == nil || !strings.Contains(err.Error(), "changed hands") || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d)", pid)) {
		t.Errorf("ForceUnlockHolder with another ID: %v", err)
	}
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Errorf("lock file after a refused ForceUnlockHolder: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	info, l, err = f.LockHolder(context.Background())
	if err != nil || info == nil || info.PID != pid || l != HolderGone {
		t.Errorf("LockHolder after the holder was killed: %+v, %v, %v; want gone", info, l, err)
	}
	// An old lock file naming this live process, but no flock held: gone.
	old := fmt.Sprintf(`{"id":"old","who":%q,"pid":%d,"operation":"apply","created":"2026-01-02T03:04:05Z","path":%q}`, whoAmI(), os.Getpid(), path)
	if err := os.WriteFile(path+".lock", []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	info, l, err = f.LockHolder(context.Background())
	if err != nil || info == nil || info.ID != "old" || l != HolderGone {
		t.Errorf("LockHolder of an unflocked old lock file: %+v, %v, %v", info, l, err)
	}
	if err := f.ForceUnlockHolder(context.Background(), "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after ForceUnlockHolder: %v", err)
	}
	if err := f.ForceUnlockHolder(context.Background(), "old"); err != nil {
		t.Errorf("ForceUnlockHolder without a lock file: %v", err)
	}
	// A lock file without readable info.
	os.WriteFile(path+".lock", []byte("garbage"), 0o644)
	if info, l, err := f.LockHolder(context.Background()); info != nil || l != HolderGone || err != nil {
		t.Errorf("LockHolder of an unreadable, unflocked lock file: %v, %v, %v", info, l, err)
	}
	if err := f.ForceUnlockHolder(context.Background(), ""); err != nil {
		t.Errorf("ForceUnlockHolder of an unreadable lock file: %v", err)
	}
}

// startHolder starts a child that holds the lock on path until killed.
func startHolder(t *testing.T, path string) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	return cmd, cmd.Process.Pid
}

// BenchmarkCheckLock is the cost apply pays before every state write.
func BenchmarkCheckLock(b *testing.B) {
	f := NewFile(filepath.Join(b.TempDir(), "fw.state"))
	unlock, err := f.Lock(context.Background(), LockInfo{Operation: "apply"})
	if err != nil {
		b.Fatal(err)
	}
	defer unlock()
	b.ReportAllocs()
	for b.Loop() {
		if err := f.CheckLock(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
