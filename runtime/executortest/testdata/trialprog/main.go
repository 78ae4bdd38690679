// Command trialprog is the trial program of the executor conformance
// suite (package executortest, which embeds this file and builds it with
// the standard library only). Its first argument chooses what it does;
// it follows the trial protocol (docs/protocol.md) or breaks it on
// purpose.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// goodMetrics is what a well-behaved trial reports: two numbers and
// entries that are not numbers (dropped).
const goodMetrics = `{"val_loss": 0.25, "acc": 0.9, "note": "text", "nested": {"x": 1}}`

func main() {
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	dir := os.Getenv("FW_TRIAL_DIR")
	metrics := os.Getenv("FW_METRICS")
	if dir == "" || metrics == "" {
		fmt.Fprintln(os.Stderr, "trialprog: FW_TRIAL_DIR or FW_METRICS is not set")
		os.Exit(90)
	}
	write(filepath.Join(dir, "started"), fmt.Sprint(os.Getpid()))
	os.Exit(run(mode, dir, metrics))
}

// write writes a file atomically (temp file, then rename).
func write(path, s string) {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "trialprog:", err)
		os.Exit(99)
	}
	if err := os.Rename(tmp, path); err != nil {
		fmt.Fprintln(os.Stderr, "trialprog:", err)
		os.Exit(99)
	}
}

func run(mode, dir, metrics string) int {
	switch mode {
	case "success": // records what it sees, logs, reports progress, runs ≥ 1 s
		cwd, _ := os.Getwd()
		seen := map[string]any{"cwd": cwd, "args": os.Args[1:]}
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			if strings.HasPrefix(k, "FW_") && !strings.HasPrefix(k, "FW_TEST_") || k == "EXTRA" {
				env[k] = v
			}
		}
		seen["env"] = env
		b, _ := json.Marshal(seen)
		write(filepath.Join(dir, "seen.json"), string(b))
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		f, err := os.OpenFile(os.Getenv("FW_PROGRESS"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "trialprog:", err)
			return 99
		}
		fmt.Fprintln(f, `{"step": 1, "metrics": {"loss": 0.5}}`)
		f.Close()
		// Schedulers that keep times in whole seconds still see it end
		// after it started.
		time.Sleep(1100 * time.Millisecond)
		write(metrics, goodMetrics)
	case "exit3": // metrics, a long stderr ending in a traceback, exit 3
		write(metrics, goodMetrics)
		for i := range 300 {
			fmt.Fprintf(os.Stderr, "step %d: loss went up\n", i)
		}
		fmt.Fprint(os.Stderr, Traceback)
		return 3
	case "nan": // Python's json.dump of float("nan") and float("-inf")
		write(metrics, `{"val_loss": NaN, "loss": -Infinity, "acc": 0.5}`)
	case "infinity": // the metric is fine, other entries are not finite
		write(metrics, `{"val_loss": 0.5, "loss": Infinity, "grad": -Infinity}`)
	case "none":
		fmt.Println("no metrics today")
	case "missing":
		write(metrics, `{"loss": 1, "acc": 2}`)
	case "sigkill":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
		return 95
	case "sigsegv":
		// The Go runtime ignores a SIGSEGV sent by kill, so the process
		// becomes a shell (same pid) that sends it to itself.
		err := syscall.Exec("/bin/sh", []string{"sh", "-c", "ulimit -c 0; kill -SEGV $$; sleep 60"}, os.Environ())
		fmt.Fprintln(os.Stderr, "trialprog: exec /bin/sh:", err)
		return 96
	case "sleep": // a heartbeat until it is stopped (15 min at most)
		beat := filepath.Join(dir, "heartbeat")
		f, err := os.OpenFile(beat, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "trialprog:", err)
			return 99
		}
		f.WriteString(".")
		write(filepath.Join(dir, "ready"), "")
		for range 15 * 60 * 10 {
			time.Sleep(100 * time.Millisecond)
			f.WriteString(".")
		}
		return 0
	case "progress": // progress over ~2 s; goes on once the suite has seen a line
		return progress(dir, metrics)
	case "check-stale": // a retry: nothing of the last attempt may show
		if _, err := os.Stat(metrics); err == nil {
			write(filepath.Join(dir, "stale"), "metrics")
		}
		if b, _ := os.ReadFile(os.Getenv("FW_PROGRESS")); len(b) > 0 {
			write(filepath.Join(dir, "stale"), "progress")
		}
		fmt.Println("attempt 2")
	default:
		fmt.Fprintf(os.Stderr, "trialprog: unknown mode %q\n", mode)
		return 97
	}
	return 0
}

// ProgressWait bounds how long mode progress waits for the suite to have
// received a progress line (the file progress-seen in the trial
// directory) before it gives up: it then writes progress-unseen and
// exits with status 4.
const ProgressWait = 30 * time.Second

// progress appends progress lines over about 2 s, as Python's json writes
// them (a bare NaN and Infinity), one of them torn: written in two parts
// 700 ms apart. Then it waits for the suite to have seen a line, appends
// a last complete line and a torn one never completed, and writes its
// metrics.
func progress(dir, metrics string) int {
	f, err := os.OpenFile(os.Getenv("FW_PROGRESS"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "trialprog:", err)
		return 99
	}
	defer f.Close()
	put := func(s string, pause time.Duration) {
		if _, err := f.WriteString(s); err != nil {
			fmt.Fprintln(os.Stderr, "trialprog:", err)
			os.Exit(99)
		}
		time.Sleep(pause)
	}
	put(`{"step": 1, "metrics": {"loss": 1.5}}`+"\n", 400*time.Millisecond)
	put(`{"step": 2, "metrics": {"loss": NaN, "acc": 0.5}}`+"\n", 400*time.Millisecond)
	put(`{"step": 3, "metrics": {"lo`, 700*time.Millisecond)
	put(`ss": 0.75}}`+"\n", 400*time.Millisecond)
	put(`{"step": 4, "metrics": {"loss": Infinity}}`+"\n", 0)
	seen := false
	for deadline := time.Now().Add(ProgressWait); !seen && time.Now().Before(deadline); {
		if _, err := os.Stat(filepath.Join(dir, "progress-seen")); err == nil {
			seen = true
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !seen {
		write(filepath.Join(dir, "progress-unseen"), "")
		fmt.Fprintf(os.Stderr, "trialprog: no progress line reached the suite within %v\n", ProgressWait)
		return 4
	}
	put(`{"step": 5, "metrics": {"loss": 0.5}}`+"\n", 0)
	put(`{"step": 6, "metrics": {"loss": 0.4`, 0)
	write(metrics, goodMetrics)
	return 0
}

// Traceback ends the stderr of mode exit3.
const Traceback = `Traceback (most recent call last):
  File "train.py", line 4, in <module>
    raise RuntimeError("boom")
RuntimeError: boom
`
