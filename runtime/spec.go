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

	// Job is the handle of a job that an earlier apply submitted for this
	// very attempt and recorded (see Submitted): an executor that queues
	// trials on a scheduler attaches to that job instead of submitting the
	// trial again. Executors that run trials themselves (Local) never hand
	// out handles and ignore it.
	Job string
	// Submitted, when set, is called by executors that queue trials, once
	// the scheduler has accepted the trial and before waiting for it, with
	// the job's handle, so that the caller records it durably: after a
	// crash, the next apply attaches to the job (Job) instead of running
	// the trial twice. When it returns an error the handle could not be
	// recorded: the executor cancels the job and fails the trial with that
	// error.
	Submitted func(job string) error
	// Withdraw, when closed, withdraws the trial if it has not started
	// yet: an executor that queues trials cancels a job still waiting in
	// the scheduler's queue (never one that runs) and Run returns
	// Interrupted, the trial not having run ("withdrawn before it
	// started"). A trial already running goes on to its end as usual.
	// Callers close it when they stop starting trials (a failure stop, a
	// drain), so that queued trials do not start after that. Executors
	// that start trials at once (Local) ignore it. Nil never withdraws.
	Withdraw <-chan struct{}
	// Progress, when set, is called by the executor with each line the
	// trial appends to its progress file (FW_PROGRESS), parsed as
	// ReadProgress parses it (bad lines skipped, a torn last line left
	// out): in order, each line once, while the trial runs (within about
	// a second of the write) and, before Run returns, with the lines not
	// yet delivered; never concurrently for one trial. It should return
	// quickly. For a job that an executor attaches to (Job), the lines
	// are delivered from the start of the file.
	Progress func(ProgressLine)
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

	// Job is the scheduler's handle of the job that ran the trial, for
	// executors that queue trials ("slurm:1234" or "slurm:1234_7" for an
	// element of a job array); empty for Local.
	Job string
	// Queued is how long the trial waited in the scheduler's queue, from
	// its submission to its start; 0 for Local.
	Queued time.Duration
}

// Executor runs trials. Run blocks until the trial has ended and everything
// it started has been stopped; it reports every problem in the Result.
// Implementations must be safe for concurrent calls to Run.
type Executor interface {
	Run(ctx context.Context, spec Spec) Result
}

// Submitter is implemented by executors that queue trials on a scheduler
// and can submit many at once (Slurm job arrays), so that the trials a
// plan already knows cost a few submissions rather than one each.
type Submitter interface {
	// Submit prepares each trial directory as Run would and hands the
	// trials of specs to the scheduler, in as few submissions as it can,
	// with at most limit of them running at once (0: no limit). It
	// returns the job handles of the trials submitted, in the order of
	// specs: all of them, or on error a prefix (possibly empty) of them,
	// the rest not submitted. The caller records the handles, then waits
	// for each trial with Run, given its spec with Job set.
	Submit(ctx context.Context, specs []Spec, limit int) ([]string, error)
}
