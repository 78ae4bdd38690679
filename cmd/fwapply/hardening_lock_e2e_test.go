package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// startedTrials counts the "running" records of each trial number in the
// state file: how many times each trial was started.
func startedTrials(t *testing.T, dir string) map[int]int {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "frameworm.fwstate"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	started := map[int]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			R struct {
				Put *struct {
					Number int    `json:"number"`
					Status string `json:"status"`
				} `json:"put"`
			} `json:"r"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.R.Put != nil && rec.R.Put.Status == "running" {
			started[rec.R.Put.Number]++
		}
	}
	return started
}

// TestE2ELockTakenFromApply: force-unlock refuses to remove the lock of a
// live apply, with or without -force; an apply whose lock is taken from
// under it anyway (removed by hand, another holder in its place) stops
// cleanly: it starts nothing more, writes nothing more, exits 1 naming the
// new holder, and leaves a state the next apply completes.
func TestE2ELockTakenFromApply(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 6, 1500, "0"))
	first, out := startApply(t, dir)
	pid := first.Process.Pid
	waitFor(t, "a running trial", func() bool { return countStatus(t, dir, "running") >= 1 })

	lock := filepath.Join(dir, "frameworm.fwstate.lock")
	for _, args := range [][]string{{"force-unlock", "-force"}, {"force-unlock"}} {
		code, stdout, errs := fwapply(t, dir, args...)
		wantAll(t, fmt.Sprint(args), strings.Join(strings.Fields(errs), " "), "Error: The lock holder is still running", fmt.Sprintf("(pid %d) for apply", pid),
			"still runs on this host", fmt.Sprintf("kill %d", pid))
		if code != 1 || strings.Contains(stdout, "removed") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, errs)
		}
		if _, err := os.Stat(lock); err != nil {
			t.Fatalf("%v removed the lock of a live apply: %v", args, err)
		}
	}
	if code, _, errs := fwapply(t, dir, "apply", "-auto-approve"); code != 1 || !strings.Contains(errs, "state is locked by") {
		t.Fatalf("second apply beside the first: exit %d\n%s", code, errs)
	}

	// The lock taken from under the first apply.
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	thief := `{"id":"thief","who":"mallory@elsewhere","pid":4242,"operation":"apply","created":"2026-01-01T00:00:00Z"}`
	if err := os.WriteFile(lock, []byte(thief), 0o644); err != nil {
		t.Fatal(err)
	}
	atTheft := startedTrials(t, dir)
	err := first.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("first apply after its lock was taken: %v, want exit 1\n%s", err, out)
	}
	wantAll(t, "first apply", strings.Join(strings.Fields(out.String()), " "), "Stopped: the state lock was taken from this apply.",
		"Error: Lost the state lock", "taken from this process", "mallory@elsewhere (pid 4242) for apply", "lock ID thief",
		"wrote nothing more to the state", "Apply stopped (the state lock was taken from this apply):")
	if strings.Contains(out.String(), "Apply complete!") {
		t.Errorf("first apply after its lock was taken says it is complete:\n%s", out)
	}
	after := startedTrials(t, dir)
	if fmt.Sprint(after) != fmt.Sprint(atTheft) {
		t.Errorf("trials started: %v when the lock was taken, %v after; want no trial started after", atTheft, after)
	}
	for n, c := range after {
		if c != 1 {
			t.Errorf("trial %d started %d times", n, c)
		}
	}
	if b, _ := os.ReadFile(lock); string(b) != thief {
		t.Errorf("the new holder's lock file holds %q", b)
	}

	// The state loads, and the next apply (once the lock is free) runs
	// the rest, each trial once.
	os.Remove(lock)
	completed := map[int]string{}
	for _, tr := range jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials {
		if tr.Status == "completed" {
			completed[tr.Number] = tr.Ended.String()
		}
	}
	mustApply(t, dir)
	trials := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	if len(trials) != 6 {
		t.Fatalf("%d trials, want 6", len(trials))
	}
	for _, tr := range trials {
		if tr.Status != "completed" {
			t.Errorf("trial %d is %s", tr.Number, tr.Status)
		}
		if at, ok := completed[tr.Number]; ok && tr.Ended.String() != at {
			t.Errorf("completed trial %d ran again", tr.Number)
		}
	}
}

// TestE2EForceUnlockOtherHost: a holder on another host cannot be
// checked: force-unlock says so, asks, and with -force removes the lock
// with a warning.
func TestE2EForceUnlockOtherHost(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 1, 0, "0"))
	if code, out, _ := fwapply(t, dir, "force-unlock"); code != 0 || !strings.Contains(out, "frameworm.fwstate is not locked") {
		t.Errorf("force-unlock without a lock: exit %d\n%s", code, out)
	}
	lock := filepath.Join(dir, "frameworm.fwstate.lock")
	// A holder on another host holds the flock (as on a shared file
	// system): here, this test process does.
	fd, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if err := unix.Flock(int(fd.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(fd, `{"id":"far","who":"bob@far-away-host","pid":777,"operation":"apply","created":"2026-01-01T00:00:00Z"}`)

	code, out, _ := fwapply(t, dir, "force-unlock")
	wantAll(t, "force-unlock", strings.Join(strings.Fields(out), " "), "Lock of frameworm.fwstate: bob@far-away-host (pid 777) for apply since 2026-01-01T00:00:00Z; lock ID far",
		`cannot be checked (it runs on host "far-away-host", not on this one)`, "force-unlock cancelled")
	if code != 1 {
		t.Errorf("force-unlock not confirmed: exit %d", code)
	}
	code, out, errs := fwapply(t, dir, "force-unlock", "-force")
	wantAll(t, "force-unlock -force", strings.Join(strings.Fields(errs), " "), "Warning: Lock holder not checked", "bob@far-away-host (pid 777)", "not on this one")
	if code != 0 || !strings.Contains(out, "The state lock was removed.") {
		t.Errorf("force-unlock -force: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("lock file after force-unlock -force: %v", err)
	}
}

// TestE2ELockRemovesStaleTemps: temp files left by a crash during
// compaction are removed by the next command that takes the lock.
func TestE2ELockRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 1, 0, "0"))
	mustApply(t, dir)
	stale := []string{"frameworm.fwstate.tmp-123", "frameworm.fwstate.backup.tmp-456"}
	for _, n := range append(stale, "notes.tmp-1") {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644)
	}
	if code, out, errs := fwapply(t, dir, "plan"); code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s after plan: %v, want it removed", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.tmp-1")); err != nil {
		t.Errorf("an unrelated file: %v", err)
	}
}

// TestE2ETamperedPlan: a saved plan edited after it was written is
// refused, and nothing runs.
func TestE2ETamperedPlan(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 2, 0, "0"))
	mustApply(t, dir)
	search(t, dir, fmt.Sprintf(randomBody, 4, 0, "0"))
	if code, out, errs := fwapply(t, dir, "plan", "-out=p.plan"); code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	path := filepath.Join(dir, "p.plan")
	b := mustRead(t, path)
	edited := strings.Replace(b, `"number": 2,`, `"number": 0,`, 1)
	if edited == b {
		t.Fatalf("no trial 2 in the plan file:\n%s", b)
	}
	os.WriteFile(path, []byte(edited), 0o644)
	code, _, errs := fwapply(t, dir, "apply", "p.plan")
	wantAll(t, "apply of an edited plan", strings.Join(strings.Fields(errs), " "), "Error: Cannot read the plan file", "was modified after fwapply plan wrote it", "Run fwapply plan -out again")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	if n := len(jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials); n != 2 {
		t.Errorf("%d trials in the state, want the 2 of the first apply", n)
	}
}
