//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests of issue 10's points on trial directories and
// trial processes: purge deletes only a trial's own directory, no trial
// outlives a killed apply or runs twice at once, and no file is written
// through a symbolic link.

// trialPids reads the pids a "spawn" trial recorded: its own and its
// child's, one run per line.
func trialPids(t *testing.T, dir string) [][2]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pids"))
	if err != nil {
		return nil
	}
	var runs [][2]int
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		leader, _ := strconv.Atoi(f[0])
		child, _ := strconv.Atoi(f[1])
		runs = append(runs, [2]int{leader, child})
	}
	return runs
}

// alive reports whether process pid runs (a zombie does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err)
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+1:])
	return len(f) == 0 || f[0] != "Z"
}

// waitGone waits up to 10 s for process pid to end.
func waitGone(t *testing.T, what string, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("%s (pid %d) is still running", what, pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestE2EKill9StopsTrials kills fwapply apply with SIGKILL while a trial
// that started a process of its own runs. The trial dies with apply (on
// Linux); its child, out of reach of the kernel's parent-death signal, is
// stopped by the next apply before the trial runs again, so that the
// trial never runs beside a process of its earlier run.
func TestE2EKill9StopsTrials(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, `  strategy    = "random"
  trials      = 1
  seed        = 5
  base_config = { x = 0.5, behavior = "spawn", sleep_ms = 1500 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
`)
	trialDir := filepath.Join(dir, ".fw", "trials", "s", "0")
	cmd, _ := startApply(t, dir)
	waitFor(t, "the trial to start its child", func() bool { return len(trialPids(t, trialDir)) == 1 })
	first := trialPids(t, trialDir)[0]
	t.Cleanup(func() {
		for _, run := range trialPids(t, trialDir) {
			syscall.Kill(run[0], syscall.SIGKILL)
			syscall.Kill(run[1], syscall.SIGKILL)
		}
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if goruntime.GOOS == "linux" {
		waitGone(t, "the trial of the killed apply", first[0])
		if !alive(first[1]) {
			t.Fatal("the trial's child died with apply; nothing is left for the next apply to stop")
		}
	}

	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("the next apply: exit %d\n%s%s", code, out, errs)
	}
	if goruntime.GOOS == "linux" {
		want := fmt.Sprintf("Stopped a leftover process of trial 0 of search \"s\" (pid %d) from an earlier apply", first[0])
		if flat := strings.Join(strings.Fields(errs), " "); !strings.Contains(flat, "Leftover trial process stopped") || !strings.Contains(flat, want) {
			t.Errorf("the next apply did not say it stopped the leftover (%s):\n%s", want, errs)
		}
	}
	if b, err := os.ReadFile(filepath.Join(trialDir, "overlap")); err == nil {
		t.Errorf("the trial ran while process %s of its earlier run was alive", b)
	}
	runs := trialPids(t, trialDir)
	if len(runs) != 2 {
		t.Fatalf("%d runs of the trial, want 2: %v", len(runs), runs)
	}
	for _, run := range runs {
		for _, pid := range run {
			waitGone(t, "a process of the trial", pid)
		}
	}
	if _, err := os.Stat(filepath.Join(trialDir, ".frameworm-process.json")); !os.IsNotExist(err) {
		t.Errorf("the process record is left after the trial ended: %v", err)
	}
	show := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	if len(show) != 1 || show[0].Status != "completed" {
		t.Errorf("trials after the second apply: %+v", show)
	}
}

// trialDirOf is the directory the state records for trial n.
func trialDirOf(t *testing.T, dir string, n int, args ...string) string {
	t.Helper()
	code, out, errs := fwapply(t, dir, append([]string{"state", "show", "-json"}, append(args, fmt.Sprintf("search.s[%d]", n))...)...)
	var trials []struct {
		Dir string `json:"dir"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &trials) != nil || len(trials) != 1 {
		t.Fatalf("state show: exit %d\n%s%s", code, out, errs)
	}
	return trials[0].Dir
}

func TestE2EPurgeOnlyOwnDirectories(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 2, 0, "0"))
	// An earlier state, exported: its trials 0 and 1 ran in .fw/trials/s/0
	// and 1, which the trials of the current state reuse.
	mustApply(t, dir, "-state=old.fwstate")
	export := filepath.Join(dir, "old.json")
	if code, out, errs := fwapply(t, dir, "export", "-state=old.fwstate", export); code != 0 {
		t.Fatalf("export: %d %s%s", code, out, errs)
	}
	os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(strings.Replace(mustRead(t, filepath.Join(dir, "main.fw.hcl")), "seed        = 5", "seed        = 9", 1)), 0o644)
	mustApply(t, dir)
	dir0 := filepath.Join(dir, ".fw", "trials", "s", "0")
	dir1 := filepath.Join(dir, ".fw", "trials", "s", "1")
	if code, out, errs := fwapply(t, dir, "import", "-force", export); code != 0 || !strings.Contains(out, "Imported 2 trials") {
		t.Fatalf("import -force: %d %s%s", code, out, errs)
	}

	t.Run("an imported trial whose directory is another trial's", func(t *testing.T) {
		imported := trialDirOf(t, dir, 2)
		code, out, errs := fwapply(t, dir, "state", "rm", "-purge", "search.s[2]")
		if code != 0 {
			t.Fatalf("rm -purge: %d %s%s", code, out, errs)
		}
		if imported == dir0 && !strings.Contains(out, "Kept the directories of 1 trial(s)") || strings.Contains(out, "Deleted") {
			t.Errorf("rm -purge of an imported trial:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(dir0, "metrics.json")); err != nil {
			t.Errorf("purging the imported trial deleted trial 0's files: %v", err)
		}
	})

	t.Run("a crafted state naming an unrelated directory", func(t *testing.T) {
		unrelated := t.TempDir()
		mustWriteFile(t, filepath.Join(unrelated, "precious.txt"), "precious")
		var doc map[string]any
		if err := json.Unmarshal([]byte(mustRead(t, export)), &doc); err != nil {
			t.Fatal(err)
		}
		var show struct {
			Lineage string `json:"lineage"`
		}
		_, out, _ := fwapply(t, dir, "show", "-json")
		if err := json.Unmarshal([]byte(out), &show); err != nil || show.Lineage == "" {
			t.Fatalf("show -json: %v\n%s", err, out)
		}
		doc["lineage"] = show.Lineage
		trials := doc["searches"].(map[string]any)["s"].(map[string]any)["trials"].([]any)
		crafted := trials[0].(map[string]any)
		crafted["number"], crafted["dir"] = 50, unrelated
		doc["searches"].(map[string]any)["s"].(map[string]any)["trials"] = []any{crafted}
		b, _ := json.Marshal(doc)
		mustWriteFile(t, filepath.Join(dir, "crafted.json"), string(b))
		if code, out, errs := fwapply(t, dir, "import", "crafted.json"); code != 0 {
			t.Fatalf("import: %d %s%s", code, out, errs)
		}
		code, out, errs := fwapply(t, dir, "state", "rm", "-purge", "search.s[50]")
		if code != 0 {
			t.Fatalf("rm -purge: %d %s%s", code, out, errs)
		}
		if _, err := os.Stat(filepath.Join(unrelated, "precious.txt")); err != nil {
			t.Errorf("rm -purge deleted an unrelated directory: %v", err)
		}
		if strings.Contains(out, "Deleted") {
			t.Errorf("rm -purge:\n%s", out)
		}
	})

	t.Run("a trial directory replaced by a link", func(t *testing.T) {
		// The link points at a copy with the trial's own marker: still
		// not deleted, nor what it points to.
		elsewhere := filepath.Join(t.TempDir(), "1")
		if err := os.Rename(dir1, elsewhere); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(elsewhere, dir1); err != nil {
			t.Fatal(err)
		}
		code, out, errs := fwapply(t, dir, "state", "rm", "-purge", "search.s[1]")
		if code != 0 || !strings.Contains(out, "is a symbolic link, not a trial directory fwapply made") {
			t.Fatalf("rm -purge: %d %s%s", code, out, errs)
		}
		if _, err := os.Stat(filepath.Join(elsewhere, "metrics.json")); err != nil {
			t.Errorf("rm -purge deleted through a link: %v", err)
		}
		if _, err := os.Lstat(dir1); err != nil {
			t.Errorf("rm -purge removed the link: %v", err)
		}
	})

	t.Run("its own directory, with a link inside", func(t *testing.T) {
		outside := t.TempDir()
		mustWriteFile(t, filepath.Join(outside, "precious.txt"), "precious")
		if err := os.Symlink(outside, filepath.Join(dir0, "data")); err != nil {
			t.Fatal(err)
		}
		code, out, errs := fwapply(t, dir, "state", "rm", "-purge", "search.s[0]")
		if code != 0 || !strings.Contains(out, "Deleted the trial directories of 1 trial(s).") || strings.Contains(out, "Kept") {
			t.Fatalf("rm -purge: %d %s%s", code, out, errs)
		}
		if _, err := os.Stat(dir0); !os.IsNotExist(err) {
			t.Errorf("rm -purge kept the trial's own directory: %v", err)
		}
		if _, err := os.Stat(filepath.Join(outside, "precious.txt")); err != nil {
			t.Errorf("rm -purge deleted through a link inside the trial directory: %v", err)
		}
	})
}

func mustWriteFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestE2ELinkedTrialDirRefused replaces a trial directory with a link to
// another directory and runs the trial again: nothing is written there.
func TestE2ELinkedTrialDirRefused(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 1, 0, "0"))
	mustApply(t, dir)
	trialDir := filepath.Join(dir, ".fw", "trials", "s", "0")
	if err := os.RemoveAll(trialDir); err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	if err := os.Symlink(target, trialDir); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := fwapply(t, dir, "state", "taint", "search.s[0]"); code != 0 {
		t.Fatalf("taint: %d %s%s", code, out, errs)
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code == 0 || !strings.Contains(out+errs, "is a symbolic link; remove it") {
		t.Errorf("apply into a linked trial directory: exit %d\n%s%s", code, out, errs)
	}
	if entries, _ := os.ReadDir(target); len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("apply wrote through the link: %v", names)
	}
}
