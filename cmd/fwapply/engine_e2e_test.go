package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// search writes a search file using the test trial program.
func search(t *testing.T, dir, body string) {
	t.Helper()
	src := fmt.Sprintf(`search "s" {
  metric = "score"
  mode   = "min"
%s
  trial {
    command = [%q]
    timeout = "20s"
  }
}
`, body, trialBinary)
	if err := os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

const randomBody = `  strategy    = "random"
  trials      = %d
  seed        = 5
  parallelism = 2
  base_config = { x = 0.5, behavior = "ok", sleep_ms = %d }
  param "x" {
    type = real
    low  = %s
    high = 1
  }
`

type planDoc struct {
	Searches map[string]struct {
		ToRun []struct {
			Number int
			Params map[string]any
		} `json:"to_run"`
		ToRetry []struct {
			Number int
			Reason string
		} `json:"to_retry"`
		Kept     int `json:"kept"`
		Excluded []struct {
			Number int    `json:"number"`
			Reason string `json:"reason"`
		} `json:"excluded"`
		ExcludedCount int `json:"excluded_count"`
	} `json:"searches"`
	Summary struct {
		ToRun    int `json:"to_run"`
		ToRetry  int `json:"to_retry"`
		Excluded int `json:"excluded"`
	} `json:"summary"`
}

type showDoc struct {
	Searches map[string]struct {
		Best *struct {
			Trial  int
			Score  float64
			Params map[string]any
		} `json:"best"`
		Trials []struct {
			Number   int
			Status   string
			Params   map[string]any
			Metrics  map[string]float64
			Error    string
			Excluded bool
			Started  *time.Time
			Ended    *time.Time
		} `json:"trials"`
	} `json:"searches"`
}

func jsonOf[T any](t *testing.T, dir string, args ...string) T {
	t.Helper()
	code, out, errs := fwapply(t, dir, args...)
	var v T
	if code != 0 && code != 2 {
		t.Fatalf("fwapply %v: exit %d\n%s%s", args, code, out, errs)
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("fwapply %v: %v\n%s", args, err, out)
	}
	return v
}

func mustApply(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out, errs := fwapply(t, dir, append([]string{"apply", "-auto-approve"}, args...)...)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	return out
}

func TestE2EPlanApplyShow(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 6, 0, "0"))

	p := jsonOf[planDoc](t, dir, "plan", "-json")
	if len(p.Searches["s"].ToRun) != 6 || p.Summary.ToRun != 6 {
		t.Fatalf("plan: %+v", p)
	}
	code, _, _ := fwapply(t, dir, "plan", "-detailed-exitcode")
	if code != 2 {
		t.Errorf("plan -detailed-exitcode with work: %d, want 2", code)
	}
	out := mustApply(t, dir)
	if !strings.Contains(out, "Apply complete! 6 trials completed, 0 failed.") {
		t.Errorf("apply output:\n%s", out)
	}
	sh := jsonOf[showDoc](t, dir, "show", "-json")
	s := sh.Searches["s"]
	if len(s.Trials) != 6 || s.Best == nil {
		t.Fatalf("show: %+v", s)
	}
	// The plan listed exactly the params that ran.
	for i, tr := range s.Trials {
		if tr.Status != "completed" || tr.Params["x"] != p.Searches["s"].ToRun[i].Params["x"] {
			t.Errorf("trial %d: %+v, planned %v", i, tr, p.Searches["s"].ToRun[i].Params)
		}
	}
	// Trial directories follow the protocol.
	for _, f := range []string{"config.json", "params.json", "metrics.json", "progress.jsonl", "stdout.log", "stderr.log"} {
		if _, err := os.Stat(filepath.Join(dir, ".fw", "trials", "s", "0", f)); err != nil {
			t.Errorf("trial dir: %v", err)
		}
	}
	code, out, _ = fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Errorf("second apply: exit %d\n%s", code, out)
	}
	code, _, _ = fwapply(t, dir, "plan", "-detailed-exitcode")
	if code != 0 {
		t.Errorf("plan -detailed-exitcode without work: %d, want 0", code)
	}
	code, out, _ = fwapply(t, dir, "output", "search.s.best_score")
	if code != 0 || strings.TrimSpace(out) != fmt.Sprint(s.Best.Score) {
		t.Errorf("output best_score: %q, want %v", out, s.Best.Score)
	}
}

func TestE2ERaiseTrialsRunsTheDifference(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 4, 0, "0"))
	mustApply(t, dir)
	before := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials

	search(t, dir, fmt.Sprintf(randomBody, 7, 0, "0"))
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	if got := p.Searches["s"]; len(got.ToRun) != 3 || got.Kept != 4 {
		t.Fatalf("plan after raising trials: %+v", got)
	}
	mustApply(t, dir)
	after := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	if len(after) != 7 {
		t.Fatalf("%d trials, want 7", len(after))
	}
	for i, tr := range before {
		if !after[i].Ended.Equal(*tr.Ended) {
			t.Errorf("trial %d ran again", tr.Number)
		}
	}
	seen := map[int]bool{}
	for _, tr := range after {
		if seen[tr.Number] {
			t.Errorf("trial number %d twice", tr.Number)
		}
		seen[tr.Number] = true
	}
}

func TestE2EChangedRangeExcludes(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 8, 0, "0"))
	mustApply(t, dir)
	trials := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	excluded := 0
	for _, tr := range trials {
		if tr.Params["x"].(float64) < 0.5 {
			excluded++
		}
	}
	if excluded == 0 || excluded == 8 {
		t.Fatalf("test needs trials on both sides of 0.5; got %d below", excluded)
	}
	search(t, dir, fmt.Sprintf(randomBody, 8, 0, "0.5"))
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	got := p.Searches["s"]
	if got.ExcludedCount != excluded || len(got.Excluded) != excluded || got.Kept != 8-excluded || len(got.ToRun) != excluded || p.Summary.Excluded != excluded {
		t.Fatalf("plan: excluded %d kept %d to_run %d; want %d, %d, %d", got.ExcludedCount, got.Kept, len(got.ToRun), excluded, 8-excluded, excluded)
	}
	mustApply(t, dir)
	sh := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"]
	if sh.Best == nil || sh.Best.Params["x"].(float64) < 0.5 {
		t.Fatalf("best %+v uses an excluded trial", sh.Best)
	}
	for _, tr := range sh.Trials {
		if tr.Excluded != (tr.Params["x"].(float64) < 0.5) {
			t.Errorf("trial %d x=%v excluded=%v", tr.Number, tr.Params["x"], tr.Excluded)
		}
	}
}

func TestE2EFailuresAreRecorded(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, `  strategy    = "grid"
  parallelism = 3
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "behavior" {
    values = ["ok", "exit3", "nan", "badjson", "nometrics", "timeout"]
  }
`)
	src, _ := os.ReadFile(filepath.Join(dir, "main.fw.hcl"))
	os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(strings.Replace(string(src), `"20s"`, `"1s"`, 1)), 0o644)
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply with one completed trial: exit %d\n%s%s", code, out, errs)
	}
	want := map[string]string{
		"ok":        "",
		"exit3":     "exit status 3",
		"nan":       `metric "score" is NaN`,
		"badjson":   "invalid metrics JSON",
		"nometrics": "no metrics file",
		"timeout":   "timed out after 1s",
	}
	for _, tr := range jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials {
		b := tr.Params["behavior"].(string)
		if w := want[b]; (w == "") != (tr.Status == "completed") || !strings.Contains(tr.Error, w) {
			t.Errorf("%s: status %s error %q, want %q", b, tr.Status, tr.Error, w)
		}
	}
	// Failed trials are retried once by the next apply, then stay failed.
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	if len(p.Searches["s"].ToRetry) != 5 {
		t.Errorf("to retry: %+v", p.Searches["s"].ToRetry)
	}
	fwapply(t, dir, "apply", "-auto-approve")
	code, out, _ = fwapply(t, dir, "plan", "-no-color", "-detailed-exitcode")
	if code != 0 || !strings.Contains(out, "No trials to run. 1 kept, 5 trials failed every attempt") ||
		!strings.Contains(out, "failed (2 attempts): exit status 3") || !strings.Contains(out, "fwapply apply -retry-failed") {
		t.Errorf("after two attempts the plan runs nothing but names the failed trials and how to rerun them: exit %d\n%s", code, out)
	}
}

func TestE2EMaxFailuresAndNoSuccess(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, `  strategy    = "random"
  trials      = 6
  parallelism = 1
  base_config = { x = 0.5, behavior = "exit3", sleep_ms = 0 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
`)
	code, out, _ := fwapply(t, dir, "apply", "-auto-approve", "-max-failures=2", "-no-color")
	if code == 0 || !strings.Contains(out, "2 failed trials reached -max-failures=2") || !strings.Contains(out, "4 not run") {
		t.Fatalf("max failures: exit %d\n%s", code, out)
	}
}

func TestE2EStalePlanRefused(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 3, 0, "0"))
	if code, out, errs := fwapply(t, dir, "plan", "-out=first.plan"); code != 0 {
		t.Fatalf("plan: %d %s%s", code, out, errs)
	}
	if code, out, errs := fwapply(t, dir, "plan", "-out=second.plan"); code != 0 {
		t.Fatalf("plan: %d %s%s", code, out, errs)
	}
	if code, out, errs := fwapply(t, dir, "apply", "first.plan"); code != 0 {
		t.Fatalf("apply first.plan: %d %s%s", code, out, errs)
	}
	code, _, errs := fwapply(t, dir, "apply", "second.plan")
	if code != 1 || !strings.Contains(errs, "stale plan: the state changed since the plan was made") {
		t.Fatalf("stale plan: exit %d\n%s", code, errs)
	}
	// A changed definition makes a plan stale too.
	fwapply(t, dir, "plan", "-out=third.plan")
	search(t, dir, fmt.Sprintf(randomBody, 5, 0, "0"))
	code, _, errs = fwapply(t, dir, "apply", "third.plan")
	if code != 1 || !strings.Contains(errs, `search "s" changed since the plan was made`) {
		t.Fatalf("changed definition: exit %d\n%s", code, errs)
	}
}

// startApply starts a slow apply in the background.
func startApply(t *testing.T, dir string, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"apply", "-auto-approve", "-no-color"}, args...)...)
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &out
}

// waitFor polls cond until it holds or 60 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countStatus(t *testing.T, dir, status string) int {
	t.Helper()
	n := 0
	f, err := os.Open(filepath.Join(dir, "frameworm.fwstate"))
	if err != nil {
		return 0
	}
	defer f.Close()
	latest := map[float64]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			R struct {
				Put *struct {
					Number float64 `json:"number"`
					Status string  `json:"status"`
				} `json:"put"`
			} `json:"r"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.R.Put != nil {
			latest[rec.R.Put.Number] = rec.R.Put.Status
		}
	}
	for _, s := range latest {
		if s == status {
			n++
		}
	}
	return n
}

func TestE2EKill9Resume(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 6, 1500, "0"))
	cmd, _ := startApply(t, dir, "-parallelism=2")
	waitFor(t, "two completed trials", func() bool { return countStatus(t, dir, "completed") >= 2 })
	waitFor(t, "a running trial", func() bool { return countStatus(t, dir, "running") >= 1 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	before := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	completed := map[int]time.Time{}
	for _, tr := range before {
		if tr.Status == "completed" {
			completed[tr.Number] = *tr.Ended
		}
	}
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	ps := p.Searches["s"]
	if len(ps.ToRetry) == 0 || len(ps.ToRetry)+len(ps.ToRun)+ps.Kept != 6 || ps.Kept != len(completed) {
		t.Fatalf("plan after kill -9: %+v (completed %d)", ps, len(completed))
	}
	for _, r := range ps.ToRetry {
		if !strings.Contains(r.Reason, "did not finish") {
			t.Errorf("retry reason %q", r.Reason)
		}
	}
	mustApply(t, dir)
	after := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials
	if len(after) != 6 {
		t.Fatalf("%d trials after resume, want 6", len(after))
	}
	seen := map[int]bool{}
	for _, tr := range after {
		if seen[tr.Number] {
			t.Errorf("trial number %d twice", tr.Number)
		}
		seen[tr.Number] = true
		if tr.Status != "completed" {
			t.Errorf("trial %d is %s", tr.Number, tr.Status)
		}
		if at, ok := completed[tr.Number]; ok && !tr.Ended.Equal(at) {
			t.Errorf("completed trial %d ran again", tr.Number)
		}
	}
}

func TestE2EConcurrentApplies(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 2, 2000, "0"))
	first, _ := startApply(t, dir)
	waitFor(t, "the first apply to run a trial", func() bool { return countStatus(t, dir, "running") >= 1 })
	start := time.Now()
	code, _, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 1 || !strings.Contains(errs, "state is locked by") || !strings.Contains(errs, fmt.Sprintf("(pid %d) for apply", first.Process.Pid)) {
		t.Fatalf("second apply: exit %d\n%s", code, errs)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("the second apply waited %v without -lock-timeout", time.Since(start))
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve", "-lock-timeout=60s")
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("apply with -lock-timeout: exit %d\n%s%s", code, out, errs)
	}
	if err := first.Wait(); err != nil {
		t.Errorf("first apply: %v", err)
	}
}

func TestE2EJournalDamage(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 3, 0, "0"))
	mustApply(t, dir)
	path := filepath.Join(dir, "frameworm.fwstate")
	// Taint appends records after the snapshot.
	if code, out, errs := fwapply(t, dir, "state", "taint", "search.s[1]", "-lock=false"); code != 0 {
		t.Fatalf("taint: %d %s%s", code, out, errs)
	}
	good, _ := os.ReadFile(path)

	// A torn last line (a crash mid-write) is dropped with a warning.
	torn := append(append([]byte{}, good...), []byte(`{"c":"00000000","r":{"serial":99,"put":{"search":"s"`)...)
	os.WriteFile(path, torn, 0o600)
	code, out, errs := fwapply(t, dir, "show", "-json")
	if code != 0 || !strings.Contains(errs, "Warning") {
		t.Fatalf("torn last record: exit %d\n%s%s", code, out, errs)
	}

	// A corrupt line in the middle is refused with its offset.
	lines := strings.SplitAfter(string(good), "\n")
	if len(lines) < 4 {
		t.Fatalf("state too short: %q", good)
	}
	offset := len(lines[0]) + len(lines[1])
	lines[2] = strings.Replace(lines[2], `"completed"`, `"complated"`, 1)
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)
	code, _, errs = fwapply(t, dir, "show")
	if code != 1 || !strings.Contains(errs, fmt.Sprint(offset)) {
		t.Fatalf("corrupt middle record: exit %d\n%s (want offset %d)", code, errs, offset)
	}
}
