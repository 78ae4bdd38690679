package runtime

import (
	"context"
	"time"
)

// Spec is everything needed to run one trial.
type Spec struct {
	Search  string
	Number  int
	Attempt int // 1 for the first run
	// Lineage is the lineage of the state the trial is recorded in. With
	// Search and Number it goes into the trial directory's marker
	// (MarkerFile), so that deleting the directory later can check that it
	// belongs to this very trial (RemoveTrialDir).
	Lineage string

	// Command is the argv of the trial; it is never run through a shell.
	Command []string
	// Env is extra environment (the search's trial.env). The FW_*
	// variables of the protocol override entries of the same name.
	Env map[string]string
	// Timeout bounds the run from the start of the process; 0 means none.
	Timeout time.Duration

	// WorkDir is the absolute directory the process runs in (the directory
	// of the HCL file).
	WorkDir string
	// TrialDir is this trial's absolute directory; it is created if missing.
	TrialDir string

	// Config is the resolved nested config, written to config.json.
	Config map[string]any
	// Params are the sampled params, flat dotted keys, written to params.json.
	Params map[string]any
	// Metric is the search's metric: success needs it in the metrics file
	// as a finite number.
	Metric string
}

// Outcome is how a trial ended.
type Outcome string

// The outcomes of a trial.
const (
	Completed   Outcome = "completed"
	Failed      Outcome = "failed"
	Interrupted Outcome = "interrupted"
)

// Result is what happened when a trial ran.
type Result struct {
	Outcome Outcome
	// Metrics holds every finite numeric entry of the metrics file. On
	// success it holds at least Spec.Metric; on failure it holds whatever
	// could be read, possibly nil. It never holds NaN or ±Inf, so it can
	// always be encoded as JSON.
	Metrics map[string]float64
	// Error is empty on success, otherwise one line saying why, such as
	// "exit status 3", "timed out after 30s" or "interrupted".
	Error string
	// Started and Ended are wall times. When the process never started
	// they are equal.
	Started, Ended time.Time
	// Host is where the trial ran: "local:<hostname> pid <pid>", or
	// "local:<hostname>" when no process was started.
	Host string
	// StdoutLog and StderrLog are the absolute paths of this attempt's
	// logs; both are empty when the trial directory could not be prepared.
	StdoutLog, StderrLog string
	// StderrTail holds the last lines of StderrLog, at most MaxTailLines,
	// when the trial failed (see Tail); nil otherwise. When the log could
	// not be read it is one line saying why.
	StderrTail []string
}

// Executor runs trials. Run blocks until the trial has ended and everything
// it started has been stopped; it reports every problem in the Result.
// Implementations must be safe for concurrent calls to Run.
type Executor interface {
	Run(ctx context.Context, spec Spec) Result
}
