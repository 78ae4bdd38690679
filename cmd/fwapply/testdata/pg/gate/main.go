// Command gate is the trial program of the pg end-to-end tests: a trial
// that runs until the test lets it finish. Its config is {"x": number,
// "gate": directory}. It appends "start SEARCH N PID" to GATE/runs, waits
// until GATE/all or GATE/SEARCH-N exists, writes its metrics (score =
// (x-0.3)²), and appends "end SEARCH N PID" to GATE/runs. The runs file
// tells the tests which trials ran, how often, and when they ended,
// whatever the state says and wherever it is kept.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	b, err := os.ReadFile(os.Getenv("FW_CONFIG"))
	if err != nil {
		fail(err)
	}
	var cfg struct {
		X    float64 `json:"x"`
		Gate string  `json:"gate"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		fail(err)
	}
	if cfg.Gate == "" {
		fail(fmt.Errorf("no gate in the config"))
	}
	id := fmt.Sprintf("%s %s %d", os.Getenv("FW_SEARCH"), os.Getenv("FW_TRIAL"), os.Getpid())
	record("start "+id, cfg.Gate)
	mine := filepath.Join(cfg.Gate, os.Getenv("FW_SEARCH")+"-"+os.Getenv("FW_TRIAL"))
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if exists(filepath.Join(cfg.Gate, "all")) || exists(mine) {
			break
		}
		if time.Now().After(deadline) {
			fail(fmt.Errorf("the gate was never opened"))
		}
	}
	score := (cfg.X - 0.3) * (cfg.X - 0.3)
	if err := os.WriteFile(os.Getenv("FW_METRICS"), []byte(fmt.Sprintf(`{"score": %g}`, score)), 0o644); err != nil {
		fail(err)
	}
	record("end "+id, cfg.Gate)
}

// record appends one line to GATE/runs (one small O_APPEND write: lines
// of concurrent trials do not mix).
func record(line, gate string) {
	f, err := os.OpenFile(filepath.Join(gate, "runs"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fail(err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gate:", err)
	os.Exit(1)
}
