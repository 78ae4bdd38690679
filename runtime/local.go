package runtime

import (
	"context"
	"errors"
	"os"
	"os/exec"
	goruntime "runtime"
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
	// OnLeftover, if set, is called when Run stopped a process of an
	// earlier fwapply that was still running in the trial directory, with
	// one line saying so (naming the trial and the pid), before the trial
	// starts. Calls are serialized.
	OnLeftover func(spec Spec, note string)

	mu     sync.Mutex
	busy   map[string]bool // trial directories a Run of this Local is using
	hookMu sync.Mutex      // serializes OnLeftover
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
	dir, err := trialDir(spec)
	if err != nil {
		return finish(Failed, "cannot prepare the trial directory: "+err.Error())
	}
	if !l.claim(dir) {
		return finish(Failed, "cannot prepare the trial directory: another trial of this apply is running in "+dir)
	}
	defer l.release(dir)
	if pid, err := l.stopLeftover(dir); err != nil {
		return finish(Failed, "cannot prepare the trial directory: "+err.Error())
	} else if pid != 0 && l.OnLeftover != nil {
		l.hookMu.Lock()
		l.OnLeftover(spec, leftoverNote(spec, pid))
		l.hookMu.Unlock()
	}
	paths, stdout, stderr, err := prepare(spec, dir)
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
	done := make(chan error, 1)
	err = start(cmd, done)
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
	if err := writeProcessRecord(dir, spec, pid, res.Started); err != nil {
		// Without the record a later apply could not find the process
		// should this one die: do not let it run unrecorded.
		l.stopGroup(pid, true, false, done, new(error))
		return finish(Failed, "cannot record the trial process in "+ProcessFile+": "+err.Error())
	}
	stopFollow := func() error { return nil }
	if spec.Progress != nil {
		stopFollow = FollowProgress(paths.progress, 0, spec.Progress)
	}
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
	if !stuck {
		removeProcessRecord(dir)
	}
	// The group is gone: what the trial wrote is all there is. A bad
	// progress line never decides the outcome (the protocol).
	_ = stopFollow()

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
	grace := l.grace()
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

func (l *Local) grace() time.Duration {
	if l.Grace <= 0 {
		return DefaultGrace
	}
	return l.Grace
}

// claim marks dir as used by a Run of l; it reports false when another
// Run is using it.
func (l *Local) claim(dir string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[dir] {
		return false
	}
	if l.busy == nil {
		l.busy = map[string]bool{}
	}
	l.busy[dir] = true
	return true
}

func (l *Local) release(dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.busy, dir)
}

// start starts cmd from a goroutine locked to its OS thread, which stays
// locked until the process has been reaped, and sends the result of
// cmd.Wait on done. The parent-death signal (setDeathSignal) fires when
// the thread that started the child exits, not the process, and Go may
// end a thread whose goroutine exits while locked: a thread of its own,
// kept until the child is reaped, makes the signal fire only when fwapply
// itself dies.
func start(cmd *exec.Cmd, done chan<- error) error {
	started := make(chan error, 1)
	go func() {
		goruntime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			done <- cmd.Wait()
		}
		goruntime.UnlockOSThread()
	}()
	return <-started
}
