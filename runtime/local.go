package runtime

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// DefaultGrace is the time between SIGTERM and SIGKILL when Local.Grace is 0.
const DefaultGrace = 10 * time.Second

// pollInterval is how often Run looks whether a signalled group is gone.
const pollInterval = 20 * time.Millisecond

// reapWait bounds the wait for the trial process after SIGKILL; a process
// stuck in the kernel (an uninterruptible sleep) may take longer, and Run
// does not hang on it.
const reapWait = 5 * time.Second

// Local runs each trial as a child process of this one. The zero value is
// ready to use; a Local is safe for concurrent calls to Run.
type Local struct {
	// Grace is the time between SIGTERM and SIGKILL; DefaultGrace if zero.
	Grace time.Duration
	// OnStart, if set, is called with the pid of each trial process right
	// after it started, from the goroutine that called Run.
	OnStart func(spec Spec, pid int)
}

var _ Executor = (*Local)(nil)

var hostname = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
})

// stopReason is why Run stopped a trial before it ended by itself.
type stopReason int

const (
	notStopped stopReason = iota
	timedOut
	interrupted
)

// Run runs the trial described by spec and blocks until it has ended and
// its whole process group is gone. See the package documentation for what
// it guarantees.
func (l *Local) Run(ctx context.Context, spec Spec) Result {
	res := Result{Host: "local:" + hostname()}
	started := false
	finish := func(o Outcome, reason string) Result {
		res.Outcome, res.Error, res.Ended = o, oneLine(reason), time.Now()
		if !started {
			res.Started = res.Ended
		}
		if o == Failed {
			res.StderrTail = stderrTail(res.StderrLog)
		}
		return res
	}
	if ctx.Err() != nil {
		return finish(Interrupted, "interrupted")
	}
	if len(spec.Command) == 0 {
		return finish(Failed, "cannot start: the trial command is empty; set trial.command")
	}
	prog, err := resolveProgram(spec.Command[0], spec.WorkDir, trialPATH(spec))
	if err != nil {
		return finish(Failed, "cannot start: "+err.Error())
	}
	paths, stdout, stderr, err := prepare(spec)
	if err != nil {
		return finish(Failed, "cannot prepare the trial directory: "+err.Error())
	}
	res.StdoutLog, res.StderrLog = paths.stdout, paths.stderr
	if ctx.Err() != nil {
		stdout.Close()
		stderr.Close()
		return finish(Interrupted, "interrupted")
	}
	cmd := &exec.Cmd{
		Path:        prog,
		Args:        spec.Command,
		Dir:         spec.WorkDir,
		Env:         environ(spec, paths),
		Stdout:      stdout,
		Stderr:      stderr,
		SysProcAttr: sysProcAttr(),
	}
	res.Started = time.Now()
	err = cmd.Start()
	// The child holds its own copies of the log files.
	stdout.Close()
	stderr.Close()
	if err != nil {
		reason := "cannot start: " + err.Error()
		if errors.Is(err, syscall.ENOEXEC) {
			reason += " (a script needs a #! line, or put its interpreter first in trial.command)"
		}
		return finish(Failed, reason)
	}
	started = true
	pid := cmd.Process.Pid
	res.Host += " pid " + strconv.Itoa(pid)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timeout <-chan time.Time
	if spec.Timeout > 0 {
		t := time.NewTimer(spec.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	if l.OnStart != nil {
		l.OnStart(spec, pid)
	}
	why, exited := notStopped, false
	var waitErr error
	select {
	case waitErr = <-done:
		exited = true
	case <-timeout:
		why = timedOut
	case <-ctx.Done():
		why = interrupted
	}
	stuck := l.stopGroup(pid, why != notStopped, exited, done, &waitErr)

	var reason string
	switch {
	case why == interrupted:
		reason = "interrupted"
	case why == timedOut:
		reason = "timed out after " + formatDuration(spec.Timeout)
	default:
		reason = exitReason(waitErr)
	}
	if stuck {
		reason += "; process " + strconv.Itoa(pid) + " did not exit after SIGKILL"
	}
	if why == interrupted {
		return finish(Interrupted, reason)
	}
	metrics, metricsReason := readMetrics(paths.metrics, spec.Metric)
	res.Metrics = metrics
	if reason == "" {
		reason = metricsReason
	}
	if reason != "" {
		return finish(Failed, reason)
	}
	return finish(Completed, "")
}

// stopGroup makes sure nothing of the process group pgid is left running.
// When force is set, or when the leader exited but left other processes
// in the group, the group gets SIGTERM and, if anything of it is still
// alive after the grace period, SIGKILL. It waits for the leader (the
// trial process) unless exited says it was already reaped, storing its
// Wait error in waitErr. It reports whether the leader failed to exit even
// after SIGKILL.
func (l *Local) stopGroup(pgid int, force, exited bool, done <-chan error, waitErr *error) (stuck bool) {
	if !force && !groupAlive(pgid) {
		return false
	}
	grace := l.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	signalGroup(pgid, syscall.SIGTERM)
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case *waitErr = <-done:
			exited = true
			if !groupAlive(pgid) {
				return false
			}
			continue
		case <-tick.C:
			if exited && !groupAlive(pgid) {
				return false
			}
			continue
		case <-deadline.C:
		}
		break
	}
	signalGroup(pgid, syscall.SIGKILL)
	if exited {
		return false
	}
	select {
	case *waitErr = <-done:
		return false
	case <-time.After(reapWait):
		return true
	}
}
