//go:build unix

package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
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
			if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "FW_") && !strings.HasPrefix(k, "FW_TEST_") || k == "EXTRA" {
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
	case "sleep-long": // a trial that outlives its killed parent unless stopped
		write(filepath.Join(dir, "ready"), "")
		time.Sleep(60 * time.Second)
	case "sleep-then-succeed":
		time.Sleep(1500 * time.Millisecond)
		write(metrics, helperMetrics)
	case "metrics-link": // metrics.json a link to a file with good metrics
		real := filepath.Join(dir, "real-metrics.json")
		write(real, helperMetrics)
		if err := os.Symlink(real, metrics); err != nil {
			return 99
		}
	case "metrics-fifo":
		if err := syscall.Mkfifo(metrics, 0o644); err != nil {
			return 99
		}
	case "metrics-huge": // 200 MB, sparse
		f, err := os.Create(metrics)
		if err != nil || f.Truncate(200<<20) != nil {
			return 99
		}
		f.Close()
	case "metrics-limit": // exactly MaxMetricsSize bytes: still read
		b := []byte(helperMetrics)
		b = append(b, bytes.Repeat([]byte(" "), MaxMetricsSize-len(b))...)
		write(metrics, string(b))
	case "stderr-fifo": // stderr.log replaced by a FIFO, then a failure
		os.Remove(filepath.Join(dir, StderrFile))
		if err := syscall.Mkfifo(filepath.Join(dir, StderrFile), 0o644); err != nil {
			return 99
		}
		return 1
	case "no-leftover": // fails when the grandchild of an earlier run lives
		if b, err := os.ReadFile(filepath.Join(dir, "grandchild.pid")); err == nil {
			pid, _ := strconv.Atoi(string(b))
			if pid > 0 && !gone(pid) {
				fmt.Fprintln(os.Stderr, "the earlier run's grandchild", pid, "is still running")
				return 5
			}
		}
		write(metrics, helperMetrics)
	case "parent", "churn-parent":
		return parent(mode == "churn-parent")
	default:
		fmt.Fprintln(os.Stderr, "helper: unknown mode", mode)
		return 97
	}
	return 0
}

// parent acts as fwapply: it runs one trial, of the helper mode
// FW_TEST_TRIAL_MODE in the directory FW_TEST_TRIAL_DIR, and prints the
// Result as JSON. With churn, goroutines meanwhile lock OS threads and
// exit locked, which makes Go end those threads: the trial must not take
// that for its parent's death.
func parent(churn bool) int {
	spec := Spec{
		Search: "coarse", Number: 7, Attempt: 1, Lineage: "L",
		Command:  []string{self},
		Env:      map[string]string{"FW_TEST_HELPER": os.Getenv("FW_TEST_TRIAL_MODE"), "GORACE": gorace},
		WorkDir:  os.TempDir(),
		TrialDir: os.Getenv("FW_TEST_TRIAL_DIR"),
		Metric:   "val_loss",
	}
	stop := make(chan struct{})
	if churn {
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var wg sync.WaitGroup
				for range 8 {
					wg.Go(func() {
						goruntime.LockOSThread()
						// Exiting locked ends the thread.
					})
				}
				wg.Wait()
			}
		}()
	}
	res := (&Local{Grace: 200 * time.Millisecond}).Run(context.Background(), spec)
	close(stop)
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}
