//go:build unix

package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the trial program: with FW_TEST_HELPER=<mode>
// in its environment it acts as a trial and exits.
func TestMain(m *testing.M) {
	if mode := os.Getenv("FW_TEST_HELPER"); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// helperMetrics is what a well-behaved helper reports.
const helperMetrics = `{"val_loss": 0.25, "acc": 0.9, "note": "text", "nested": {"x": 1}}`

// crashTraceback ends the stderr of the "crash" helper.
const crashTraceback = `Traceback (most recent call last):
  File "train.py", line 4, in <module>
    raise RuntimeError("boom")
RuntimeError: boom
`

func helper(mode string) int {
	dir := os.Getenv("FW_TRIAL_DIR")
	metrics := os.Getenv("FW_METRICS")
	write := func(path, s string) {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(99)
		}
		if err := os.Rename(tmp, path); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(99)
		}
	}
	spawn := func(mode string) *exec.Cmd {
		self, _ := os.Executable()
		c := exec.Command(self)
		c.Env = append(os.Environ(), "FW_TEST_HELPER="+mode)
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(99)
		}
		return c
	}
	waitFor := func(path string) {
		for range 1000 {
			if _, err := os.Stat(path); err == nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		os.Exit(98)
	}
	switch mode {
	case "success":
		cwd, _ := os.Getwd()
		seen := map[string]any{"cwd": cwd, "args": os.Args[1:]}
		for _, kv := range os.Environ() {
			if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "FW_") && k != "FW_TEST_HELPER" || k == "EXTRA" {
				seen[k] = v
			}
		}
		b, _ := json.Marshal(seen)
		write(filepath.Join(dir, "seen.json"), string(b))
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		f, _ := os.OpenFile(os.Getenv("FW_PROGRESS"), os.O_APPEND|os.O_WRONLY, 0)
		fmt.Fprintln(f, `{"step": 1, "metrics": {"loss": 0.5}}`)
		f.Close()
		write(metrics, helperMetrics)
	case "exit3":
		write(metrics, helperMetrics)
		return 3
	case "abort":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(10 * time.Second)
	case "nan-bare":
		write(metrics, `{"val_loss": NaN, "loss": -Infinity, "acc": 0.5}`)
	case "inf-bare":
		write(metrics, `{"val_loss": Infinity}`)
	case "nan-string":
		write(metrics, `{"val_loss": "NaN", "acc": 0.5}`)
	case "inf-overflow":
		write(metrics, `{"val_loss": 1e999}`)
	case "metric-string":
		write(metrics, `{"val_loss": "0.5"}`)
	case "invalid":
		write(metrics, `{"val_loss": 0.5`)
	case "none":
	case "missing":
		write(metrics, `{"loss": 1, "acc": 2}`)
	case "array":
		write(metrics, `[1, 2]`)
	case "loud":
		line := strings.Repeat("x", 1023) + "\n"
		for range 20 * 1024 { // 20 MiB
			os.Stdout.WriteString(line)
		}
		write(metrics, helperMetrics)
	case "crash": // a long log, then a traceback, then a failure
		for i := range 50000 {
			fmt.Fprintf(os.Stderr, "step %d: loss went up\n", i)
		}
		fmt.Fprint(os.Stderr, crashTraceback)
		fmt.Println("on stdout")
		return 1
	case "sleep":
		write(filepath.Join(dir, "ready"), "")
		time.Sleep(10 * time.Second)
	case "sleeper": // a grandchild: sleep for long
		time.Sleep(1000 * time.Second)
	case "stubborn-sleeper": // a grandchild that ignores SIGTERM
		signal.Ignore(syscall.SIGTERM)
		write(filepath.Join(dir, "grandchild.pid"), fmt.Sprint(os.Getpid()))
		time.Sleep(1000 * time.Second)
	case "grandchild":
		c := spawn("sleeper")
		write(filepath.Join(dir, "grandchild.pid"), fmt.Sprint(c.Process.Pid))
		write(filepath.Join(dir, "ready"), "")
		time.Sleep(10 * time.Second)
	case "orphan": // leaves a grandchild behind and succeeds
		c := spawn("sleeper")
		write(filepath.Join(dir, "grandchild.pid"), fmt.Sprint(c.Process.Pid))
		write(metrics, helperMetrics)
	case "orphan-stubborn":
		spawn("stubborn-sleeper")
		waitFor(filepath.Join(dir, "grandchild.pid"))
		write(metrics, helperMetrics)
	case "ignore-term":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		write(filepath.Join(dir, "ready"), "")
		<-ch
		write(filepath.Join(dir, "got-term"), "")
		time.Sleep(30 * time.Second)
	case "check-stale": // a retry: nothing of the last attempt may show
		if _, err := os.Stat(metrics); err == nil {
			write(filepath.Join(dir, "stale"), "metrics")
		}
		if b, _ := os.ReadFile(os.Getenv("FW_PROGRESS")); len(b) > 0 {
			write(filepath.Join(dir, "stale"), "progress")
		}
		fmt.Println("attempt 2")
	default:
		fmt.Fprintln(os.Stderr, "helper: unknown mode", mode)
		return 97
	}
	return 0
}
