package slurm

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/runtime"
)

// Config is how the executor submits trials: the options of an
// `executor "slurm"` block (definition.Executor) and what tests adjust.
type Config struct {
	// Partition, Account, QoS, Constraint, Nodelist, Mem and Gres are
	// passed to sbatch as --partition, --account, --qos, --constraint,
	// --nodelist, --mem and --gres when set.
	Partition, Account, QoS, Constraint, Nodelist, Mem, Gres string
	// Time is the job's time limit (--time, in whole minutes, rounded
	// up). 0: the trial's timeout plus the grace period, rounded up to
	// whole minutes, when the trial has one; else none (the partition's
	// default).
	Time time.Duration
	// CPUsPerTask and GPUs are passed as --cpus-per-task and --gpus when
	// not 0.
	CPUsPerTask, GPUs int
	// ExtraArgs are more sbatch arguments, given before the ones the
	// executor sets (which win).
	ExtraArgs []string
	// Array makes Submit hand each run of similar trials to Slurm as one
	// job array; without it Submit submits one job per trial.
	Array bool
	// Poll is the interval between two looks at the queue; 0 is adaptive:
	// 1 s, growing to 30 s while nothing changes, and 1 s again after a
	// change or a submission.
	Poll time.Duration
	// Commands are the Slurm clients to run; each empty one is looked up
	// in PATH by its name.
	Commands Commands
	// Dir is where the executor writes its batch script (read by sbatch on
	// this machine) and the manifests of job arrays (read by the jobs,
	// so on storage the nodes share); "" means the directory
	// .frameworm-slurm beside each trial directory (in the experiment
	// root's directory of the search).
	Dir string
	// Grace is the time between SIGTERM and SIGKILL for a trial that
	// timed out; runtime.DefaultGrace when 0.
	Grace time.Duration
}

// Commands are the paths of Slurm's client commands.
type Commands struct{ Sbatch, Squeue, Scontrol, Scancel string }

// ExitFile is the file the batch script writes in the trial directory when
// the trial has ended: which job ran it and how it ended, for an apply
// that asks after Slurm has forgotten the job.
const ExitFile = ".frameworm-exit.json"

// ScriptName is the batch script's file name in Config.Dir.
const ScriptName = "job.sh"

//go:embed job.sh
var script []byte

// Executor runs trials as Slurm jobs. It is safe for concurrent use; Close
// stops its poller.
type Executor struct {
	cfg   Config
	cmds  Commands
	grace time.Duration
	poll  *poller
	kill  canceller

	scriptMu sync.Mutex
	scripts  map[string]bool // directories the script was written to

	arrayMu  sync.Mutex
	maxArray int // 0 until read

	nodeMu    sync.Mutex
	nodeCache map[string]nodeVerdict // nodesUnavailable's recent answers

	knownMu   sync.Mutex
	knownRead bool            // known was read (earlierJob)
	known     []findRow       // this user's frameworm jobs, when first asked
	waited    map[string]bool // directories whose leftover sbatch calls were waited for

	closeOnce sync.Once
	closed    chan struct{}
}

var (
	_ runtime.Executor  = (*Executor)(nil)
	_ runtime.Submitter = (*Executor)(nil)
)

// New returns an executor submitting trials as cfg says.
func New(cfg Config) *Executor {
	e := &Executor{cfg: cfg, cmds: cfg.Commands, grace: cfg.Grace, scripts: map[string]bool{}, closed: make(chan struct{})}
	if e.cmds.Sbatch == "" {
		e.cmds.Sbatch = "sbatch"
	}
	if e.cmds.Squeue == "" {
		e.cmds.Squeue = "squeue"
	}
	if e.cmds.Scontrol == "" {
		e.cmds.Scontrol = "scontrol"
	}
	if e.cmds.Scancel == "" {
		e.cmds.Scancel = "scancel"
	}
	if e.grace <= 0 {
		e.grace = runtime.DefaultGrace
	}
	e.poll = newPoller(e.squeue, cfg.Poll, e.closed)
	e.kill.scancel = func(ids []string) error {
		_, err := e.run(context.Background(), nil, e.cmds.Scancel, ids...)
		return err
	}
	return e
}

// Close stops the executor's poller. Runs still waiting return
// Interrupted, leaving their jobs to Slurm (a later apply attaches to
// them).
func (e *Executor) Close() error {
	e.closeOnce.Do(func() { close(e.closed) })
	e.poll.wait()
	return nil
}

func (e *Executor) isClosed() bool {
	select {
	case <-e.closed:
		return true
	default:
		return false
	}
}

// Identity is the job name that identifies one attempt of a trial on the
// cluster: "fw.<lineage>.<search>.<number>.<attempt>", the lineage cut to
// its first 8 characters. Find looks jobs up by it.
func Identity(spec runtime.Spec) string {
	return fmt.Sprintf("%s.%d.%d", namePrefix(spec), spec.Number, spec.Attempt)
}

// arrayName is the job name of the job arrays of a search:
// "fw.<lineage>.<search>.array"; which trials an array runs is in its
// manifest.
func arrayName(spec runtime.Spec) string { return namePrefix(spec) + ".array" }

func namePrefix(spec runtime.Spec) string {
	lineage := spec.Lineage
	if len(lineage) > 8 {
		lineage = lineage[:8]
	}
	return "fw." + safeName(lineage) + "." + safeName(spec.Search)
}

// safeName keeps a name to letters, digits, '_' and '-', so that job
// names never hold the separators of squeue's output.
func safeName(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// handlePrefix starts the handles of Slurm jobs.
const handlePrefix = "slurm:"

// parseHandle reads a job handle ("slurm:123" or "slurm:123_4").
func parseHandle(h string) (string, error) {
	id, ok := strings.CutPrefix(h, handlePrefix)
	if !ok || !jobIDPattern.MatchString(id) {
		return "", fmt.Errorf("%q is not the handle of a Slurm job (slurm:ID or slurm:ID_TASK)", h)
	}
	return id, nil
}

// dirFor is the directory of the script and manifests for the trial
// directory dir.
func (e *Executor) dirFor(trialDir string) string {
	if e.cfg.Dir != "" {
		if dir, err := filepath.Abs(e.cfg.Dir); err == nil {
			return dir
		}
		return e.cfg.Dir
	}
	return filepath.Join(filepath.Dir(trialDir), ".frameworm-slurm")
}

// writeScript writes the batch script into dir (once per executor) and
// returns its path.
func (e *Executor) writeScript(dir string) (string, error) {
	path := filepath.Join(dir, ScriptName)
	e.scriptMu.Lock()
	defer e.scriptMu.Unlock()
	if e.scripts[dir] {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := atomicfile.Replace(path, script, 0o755); err != nil {
		return "", err
	}
	e.scripts[dir] = true
	return path, nil
}

// commandTimeout bounds one call of a Slurm client: a controller that does
// not answer must not hang the apply.
const commandTimeout = 2 * time.Minute

// run runs a Slurm client and returns its stdout. The error holds the
// command's stderr, cleaned up for a one-line reason. env, when not nil,
// is the command's environment.
func (e *Executor) run(ctx context.Context, env []string, name string, args ...string) (string, error) {
	return e.runFiles(ctx, env, nil, name, args...)
}

// sbatch runs sbatch with args, holding dir's InflightLock for as long
// as the sbatch process lives (it inherits the lock).
func (e *Executor) sbatch(dir string, env []string, args ...string) (string, error) {
	f, err := holdInflight(dir)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// Not a cancellable context: sbatch killed half way may have
	// submitted the job anyway.
	return e.runFiles(context.Background(), env, []*os.File{f}, e.cmds.Sbatch, args...)
}

// runFiles is run with files passed on to the process (cmd.ExtraFiles).
func (e *Executor) runFiles(ctx context.Context, env []string, files []*os.File, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.ExtraFiles = files
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		msg := cleanStderr(stderr.String())
		if msg == "" {
			msg = cleanStderr(stdout.String())
		}
		if msg != "" {
			err = &commandError{name: filepath.Base(name), msg: msg, err: err}
		} else {
			err = &commandError{name: filepath.Base(name), err: err}
		}
	}
	return stdout.String(), err
}

// commandError is the failure of a Slurm client.
type commandError struct {
	name, msg string
	err       error
}

func (c *commandError) Error() string {
	if c.msg == "" {
		return c.name + ": " + c.err.Error()
	}
	return c.name + ": " + c.msg
}

func (c *commandError) Unwrap() error { return c.err }

// cleanStderr makes a client's error output one line: "sbatch: error: "
// prefixes dropped, lines joined with "; ".
func cleanStderr(s string) string {
	var parts []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		for _, p := range []string{"sbatch: error: ", "squeue: error: ", "scontrol: error: ", "scancel: error: ", "error: "} {
			line = strings.TrimPrefix(line, p)
		}
		if line != "" && !strings.Contains(strings.Join(parts, "; "), line) {
			parts = append(parts, line)
		}
	}
	return clipOutput(strings.Join(parts, "; "))
}

// notStartable reports an error of exec itself (no such program, not
// executable): asking again will not help.
func notStartable(err error) bool {
	var ee *exec.Error
	var pe *os.PathError
	return errors.As(err, &ee) || errors.As(err, &pe)
}

// squeue asks for the jobs ids, in one call; a job Slurm does not know
// is absent from the result.
func (e *Executor) squeue(ctx context.Context, ids []string) (map[string]queueRow, error) {
	out, err := e.run(ctx, nil, e.cmds.Squeue, "-h", "-r", "-t", "all", "-j", strings.Join(ids, ","), "-o", queueFormat)
	if err != nil {
		// squeue fails when it knows none of the ids.
		if strings.Contains(err.Error(), "Invalid job id") {
			return map[string]queueRow{}, nil
		}
		return nil, err
	}
	rows := map[string]queueRow{}
	for _, r := range parseQueue(out) {
		rows[r.ID] = r
	}
	return rows, nil
}

// showJob asks scontrol about one job; errUnknownJob when Slurm does not
// know it.
func (e *Executor) showJob(ctx context.Context, id string) (*jobInfo, error) {
	out, err := e.run(ctx, nil, e.cmds.Scontrol, "-o", "show", "job", id)
	if err != nil {
		var ce *commandError
		if errors.As(err, &ce) && (strings.Contains(ce.msg, "Invalid job id") || strings.Contains(ce.msg, "not found")) ||
			strings.Contains(out, "not found") {
			return nil, errUnknownJob
		}
		return nil, err
	}
	return parseJob(id, out)
}

// scancel cancels a job, in one scancel call with the other jobs being
// cancelled at the same time; one Slurm no longer knows, or that already
// ended, is not an error.
func (e *Executor) scancel(id string) error { return e.kill.cancel(id) }

// maxArraySize is the cluster's MaxArraySize (the largest task index
// plus one), read from scontrol show config once it was read right.
func (e *Executor) maxArraySize(ctx context.Context) (int, error) {
	e.arrayMu.Lock()
	defer e.arrayMu.Unlock()
	if e.maxArray > 0 {
		return e.maxArray, nil
	}
	out, err := e.run(ctx, nil, e.cmds.Scontrol, "show", "config")
	if err != nil {
		return 0, fmt.Errorf("reading the cluster's MaxArraySize: %w", err)
	}
	v := parseConfigValue(out, "MaxArraySize")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("scontrol show config gives MaxArraySize %q, not a number", v)
	}
	e.maxArray = n
	return n, nil
}
