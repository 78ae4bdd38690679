package slurm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The batch script is tested here without Slurm, run by bash as slurmd
// would run it (the Slurm variables it reads set by hand); the tests on
// the cluster run it for real.

// runScript runs job.sh with args and the extra environment env, and
// returns its exit status and stderr. start, when set, is called with the
// script's process once it runs.
func runScript(t *testing.T, env []string, start func(*os.Process), args ...string) (int, string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	path := filepath.Join(t.TempDir(), ScriptName)
	if err := os.WriteFile(path, script, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if start != nil {
		start(cmd.Process)
	}
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String()
}

func readExit(t *testing.T, dir string) *exitStatus {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ExitFile))
	if err != nil {
		t.Fatalf("no exit file: %v", err)
	}
	ex, err := parseExitStatus(b)
	if err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return ex
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func trialArgs(dir, timeout, grace string, argv ...string) []string {
	return append([]string{scriptVersion, timeout, grace, "trial", dir, "7", "2", "--"}, argv...)
}

func TestScriptExitAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	// A requeued job's earlier metrics and exit file are gone before the
	// trial starts.
	os.WriteFile(filepath.Join(dir, "metrics.json"), []byte(`{"val_loss": 1}`), 0o644)
	os.WriteFile(filepath.Join(dir, ExitFile), []byte(`{"job": "1", "exit": 0}`), 0o644)
	code, stderr := runScript(t, []string{"SLURM_JOB_ID=41", "FW_TRIAL=999"}, nil, trialArgs(dir, "0", "1",
		"sh", "-c", `test -e "$FW_METRICS" && echo stale; env | grep '^FW_' | grep -v '^FW_TEST_' | sort; echo "args:$#:$1"; echo oops >&2; exit 3`, "sh", "a b")...)
	if code != 3 || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 3 and nothing from the script", code, stderr)
	}
	ex := readExit(t, dir)
	if ex.Job != "41" || ex.Attempt != 2 || ex.Exit == nil || *ex.Exit != 3 || ex.Signal != nil || ex.TimedOut {
		t.Errorf("exit file %+v", ex)
	}
	want := strings.Join([]string{
		"FW_CONFIG=" + dir + "/config.json",
		"FW_METRICS=" + dir + "/metrics.json",
		"FW_PARAMS=" + dir + "/params.json",
		"FW_PROGRESS=" + dir + "/progress.jsonl",
		"FW_TRIAL=7",
		"FW_TRIAL_DIR=" + dir,
		"args:1:a b",
	}, "\n") + "\n"
	if got := readFile(t, filepath.Join(dir, "stdout.log")); got != want {
		t.Errorf("stdout.log =\n%s\nwant\n%s", got, want)
	}
	if got := readFile(t, filepath.Join(dir, "stderr.log")); got != "oops\n" {
		t.Errorf("stderr.log = %q", got)
	}
}

func TestScriptArray(t *testing.T) {
	root := t.TempDir()
	var entries []manifestEntry
	for i := range 3 {
		d := filepath.Join(root, "t"+string(rune('0'+i)))
		os.Mkdir(d, 0o755)
		entries = append(entries, manifestEntry{d, 10 + i, 1})
	}
	manifest := filepath.Join(root, "m.manifest")
	os.WriteFile(manifest, encodeManifest(entries), 0o644)
	code, stderr := runScript(t, []string{"SLURM_JOB_ID=99", "SLURM_ARRAY_JOB_ID=50", "SLURM_ARRAY_TASK_ID=1"}, nil,
		scriptVersion, "0", "1", "array", manifest, "--", "sh", "-c", `echo "$FW_TRIAL $FW_TRIAL_DIR"`)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if got := readFile(t, filepath.Join(entries[1].Dir, "stdout.log")); got != "11 "+entries[1].Dir+"\n" {
		t.Errorf("task 1 ran as %q", got)
	}
	if ex := readExit(t, entries[1].Dir); ex.Job != "50_1" || ex.Attempt != 1 {
		t.Errorf("exit file %+v", ex)
	}
	for _, i := range []int{0, 2} {
		if _, err := os.Stat(filepath.Join(entries[i].Dir, "stdout.log")); err == nil {
			t.Errorf("task 1 wrote into the directory of task %d", i)
		}
	}
	code, stderr = runScript(t, []string{"SLURM_ARRAY_JOB_ID=50", "SLURM_ARRAY_TASK_ID=3"}, nil,
		scriptVersion, "0", "1", "array", manifest, "--", "true")
	if code != 2 || !strings.Contains(stderr, "array task 3 is not in the manifest") {
		t.Errorf("a task beyond the manifest: exit %d, %q", code, stderr)
	}
}

func TestScriptBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"v0", "0", "1", "trial", "/d", "1", "1", "--", "true"},
		{scriptVersion, "0", "1", "other", "x", "--", "true"},
		{scriptVersion, "0", "1", "trial", t.TempDir(), "1", "1", "true"},
		{scriptVersion, "0", "1", "trial", t.TempDir(), "1", "1", "--"},
		{scriptVersion, "0", "1", "trial", filepath.Join(t.TempDir(), "not-shared"), "1", "1", "--", "true"},
	} {
		code, stderr := runScript(t, nil, nil, args...)
		if code != 2 || !strings.HasPrefix(stderr, "fwapply's Slurm batch script: ") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
}

func TestScriptCannotStart(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.py")
	os.WriteFile(plain, []byte("print(1)\n"), 0o644)
	for prog, want := range map[string]string{
		"no-such-program-fw": "not-found",
		"./missing":          "missing",
		dir:                  "directory",
		plain:                "not-executable",
	} {
		code, _ := runScript(t, []string{"SLURM_JOB_ID=5"}, nil, trialArgs(dir, "0", "1", prog)...)
		if ex := readExit(t, dir); code != 127 || ex.CannotStart != want {
			t.Errorf("%s: exit %d, exit file %+v; want 127 and %s", prog, code, ex, want)
		}
	}
}

func TestScriptSignal(t *testing.T) {
	dir := t.TempDir()
	code, _ := runScript(t, []string{"SLURM_JOB_ID=5"}, nil, trialArgs(dir, "0", "1", "sh", "-c", "kill -SEGV $$")...)
	if ex := readExit(t, dir); code != 139 || ex.Signal == nil || *ex.Signal != 11 {
		t.Errorf("exit %d, exit file %+v; want 139, signal 11", code, ex)
	}
}

// heartbeat is a trial that ignores SIGTERM and appends to a file ten
// times a second; leader, when set, makes it a background process of a
// leader that exits at once.
func heartbeat(dir string, leader bool) []string {
	beat := filepath.Join(dir, "beat")
	loop := `trap "" TERM; while :; do echo >> ` + beat + `; sleep 0.1; done`
	if leader {
		return []string{"sh", "-c", "sh -c '" + loop + "' & while [ ! -s " + beat + " ]; do sleep 0.05; done; echo started"}
	}
	return []string{"sh", "-c", loop}
}

// wantStill checks that the heartbeat file no longer grows.
func wantStill(t *testing.T, dir string) {
	t.Helper()
	size := func() int64 {
		fi, err := os.Stat(filepath.Join(dir, "beat"))
		if err != nil {
			return -1
		}
		return fi.Size()
	}
	first := size()
	time.Sleep(500 * time.Millisecond)
	if last := size(); last != first || first <= 0 {
		t.Errorf("heartbeat %d then %d bytes: the trial was not stopped", first, last)
	}
}

func TestScriptTimeout(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	code, _ := runScript(t, []string{"SLURM_JOB_ID=5"}, nil, trialArgs(dir, "0.3", "0.5", heartbeat(dir, false)...)...)
	took := time.Since(start)
	ex := readExit(t, dir)
	if code != 137 || ex.Signal == nil || *ex.Signal != 9 || !ex.TimedOut {
		t.Errorf("exit %d, exit file %+v; want 137, SIGKILL after the grace period, timed out", code, ex)
	}
	if took < 800*time.Millisecond {
		t.Errorf("the script returned after %v, before the timeout and the grace period", took)
	}
	wantStill(t, dir)
}

func TestScriptStopsLeftovers(t *testing.T) {
	dir := t.TempDir()
	code, _ := runScript(t, []string{"SLURM_JOB_ID=5"}, nil, trialArgs(dir, "0", "0.5", heartbeat(dir, true)...)...)
	if ex := readExit(t, dir); code != 0 || ex.Exit == nil || *ex.Exit != 0 {
		t.Errorf("exit %d, exit file %+v; want 0", code, ex)
	}
	wantStill(t, dir)
}

func TestScriptForwardsSignals(t *testing.T) {
	for _, tt := range []struct {
		sig       syscall.Signal
		timeLimit bool
	}{{syscall.SIGTERM, false}, {syscall.SIGUSR1, true}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			code, _ := runScript(t, []string{"SLURM_JOB_ID=5"}, func(p *os.Process) {
				for range 100 {
					if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				p.Signal(tt.sig)
			}, trialArgs(dir, "0", "1", "sh", "-c", `touch "$FW_TRIAL_DIR/ready"; exec sleep 30`)...)
			ex := readExit(t, dir)
			if code != 143 || ex.Signal == nil || *ex.Signal != 15 || ex.TimeLimit != tt.timeLimit || ex.TimedOut {
				t.Errorf("exit %d, exit file %+v; want the trial stopped by SIGTERM, time limit %v", code, ex, tt.timeLimit)
			}
		})
	}
}

// TestScriptCancelledWithTrial is scancel: SIGTERM reaches the script and
// the trial at once, in either order. The trial often ends while the
// script's trap runs, and bash 5.2 then loses its status now and then
// (wait returns -1): the script must still record the signal, never an
// exit status of -1. Repeated: before the script handled it, about one
// run in five lost the status here.
func TestScriptCancelledWithTrial(t *testing.T) {
	runs := 30
	if testing.Short() {
		runs = 10
	}
	for i := range runs {
		dir := t.TempDir()
		code, _ := runScript(t, []string{"SLURM_JOB_ID=5"}, func(p *os.Process) {
			var pid int
			for range 250 {
				if b, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil && strings.HasSuffix(string(b), "\n") {
					pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if pid <= 0 {
				t.Error("the trial did not start")
				p.Kill()
				return
			}
			if i%2 == 0 {
				p.Signal(syscall.SIGTERM)
				syscall.Kill(pid, syscall.SIGTERM)
			} else {
				syscall.Kill(pid, syscall.SIGTERM)
				p.Signal(syscall.SIGTERM)
			}
		}, trialArgs(dir, "0", "1", "sh", "-c", `echo $$ > "$FW_TRIAL_DIR/pid"; exec sleep 30`)...)
		ex := readExit(t, dir)
		if code != 143 || ex.Exit != nil || ex.Signal == nil || *ex.Signal != 15 {
			t.Fatalf("run %d: exit %d, exit file %s; want 143, signal 15", i, code, readFile(t, filepath.Join(dir, ExitFile)))
		}
	}
}
