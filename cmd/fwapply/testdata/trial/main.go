// Command trial is the end-to-end tests' trial program. Its config says
// how to behave: {"x": number, "behavior": "ok" | "exit3" | "nan" |
// "badjson" | "nometrics" | "timeout" | "spawn", "sleep_ms": number}.
// A "spawn" trial first checks that no process of an earlier run of it is
// alive (exit 7 if one is), then starts a child of its own ("trial
// child", which sleeps) and records its pid in child.pid, and appends its
// own pid to pids in the trial directory.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		// The process a "spawn" trial leaves running: it sleeps.
		time.Sleep(time.Hour)
		return
	}
	b, err := os.ReadFile(os.Getenv("FW_CONFIG"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cfg struct {
		X        float64 `json:"x"`
		Behavior string  `json:"behavior"`
		SleepMS  int     `json:"sleep_ms"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if cfg.Behavior == "spawn" {
		spawn()
	}
	time.Sleep(time.Duration(cfg.SleepMS) * time.Millisecond)
	out := os.Getenv("FW_METRICS")
	score := (cfg.X - 0.3) * (cfg.X - 0.3)
	switch cfg.Behavior {
	case "exit3":
		os.Exit(3)
	case "nan":
		os.WriteFile(out, []byte(`{"score": NaN}`), 0o644)
		return
	case "badjson":
		os.WriteFile(out, []byte(`{"score": 0.5`), 0o644)
		return
	case "nometrics":
		return
	case "timeout":
		time.Sleep(time.Hour)
	}
	fmt.Printf("x=%g score=%g\n", cfg.X, score)
	os.WriteFile(out, []byte(fmt.Sprintf(`{"score": %g, "x": %g}`, score, cfg.X)), 0o644)
}
