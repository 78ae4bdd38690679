package slurm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

// stopWait bounds the wait, after scancel, for the job to leave the queue
// (Slurm's KillWait between SIGTERM and SIGKILL is 30 s by default).
const stopWait = 2 * time.Minute

// preemptWait is how long a job may show PREEMPTED before it counts as
// ended: a job that Slurm requeues after preemption moves on at once. A
// variable for tests.
var preemptWait = time.Minute

// progressInterval is how often a running trial's progress file, on
// shared storage, is looked at (Spec.Progress).
const progressInterval = time.Second

// pendingProgressCheck is how often the progress file of a job not yet
// seen started is checked for lines (the poller backs off to 30 s).
const pendingProgressCheck = 10 * time.Second

// exitFileWait bounds the wait for the exit file of a job that ended by
// itself: on shared storage a file written on the node may show up here a
// moment later.
const exitFileWait = 3 * time.Second

// Run submits the trial as one job (or, when spec.Job is set, attaches to
// that job) and waits for it. See the package documentation.
func (e *Executor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	if spec.Job != "" {
		return e.attach(ctx, spec)
	}
	res := runtime.Result{Host: handlePrefix}
	finish := func(o runtime.Outcome, reason string) runtime.Result {
		res.Outcome, res.Error = o, runtime.OneLine(reason)
		res.Ended = time.Now()
		res.Started = res.Ended
		if o == runtime.Failed {
			res.StderrTail = runtime.StderrTail(res.StderrLog)
		}
		return res
	}
	if ctx.Err() != nil {
		return finish(runtime.Interrupted, "interrupted")
	}
	if e.isClosed() {
		return finish(runtime.Failed, "cannot submit the trial: the Slurm executor is closed")
	}
	if why := e.check(spec); why != "" {
		return finish(runtime.Failed, why)
	}
	// An apply that died between sbatch and recording the handle left a
	// job of this very attempt: attach to it, never submit twice.
	if job, err := e.earlierJob(ctx, spec); err != nil {
		return finish(runtime.Failed, "cannot submit the trial: "+err.Error()+"; run fwapply apply again once squeue answers")
	} else if job != "" {
		if spec.Submitted != nil {
			if err := spec.Submitted(job); err != nil {
				return finish(runtime.Failed, fmt.Sprintf("cannot record job %s, submitted by an earlier apply: %v", job, err))
			}
		}
		spec.Job = job
		return e.attach(ctx, spec)
	}
	if withdrawn(spec) {
		return finish(runtime.Interrupted, "withdrawn before it was submitted, as the search starts no more trials")
	}
	files, err := runtime.PrepareTrial(spec)
	if err != nil {
		return finish(runtime.Failed, "cannot prepare the trial directory: "+err.Error())
	}
	res.StdoutLog, res.StderrLog = files.Stdout, files.Stderr
	if err := removeExitFile(files.Dir); err != nil {
		return finish(runtime.Failed, "cannot prepare the trial directory: "+err.Error())
	}
	if ctx.Err() != nil {
		return finish(runtime.Interrupted, "interrupted")
	}
	id, err := e.submitOne(ctx, spec, files)
	if err != nil {
		return finish(runtime.Failed, "cannot submit the trial to Slurm: "+err.Error())
	}
	res.Job = handlePrefix + id
	if spec.Submitted != nil {
		if err := spec.Submitted(res.Job); err != nil {
			w := e.poll.watch(id)
			_, cerr := e.cancelAndWait(id, w)
			e.poll.unwatch(w)
			reason := fmt.Sprintf("cannot record job %s, so it was cancelled: %v", res.Job, err)
			if cerr != nil {
				reason = fmt.Sprintf("cannot record job %s, and cancelling it failed (%v): %v", res.Job, cerr, err)
			}
			return finish(runtime.Failed, reason)
		}
	}
	return e.wait(ctx, spec, id, files)
}

// withdrawn reports whether spec.Withdraw is closed.
func withdrawn(spec runtime.Spec) bool {
	select {
	case <-spec.Withdraw:
		return true
	default:
		return false
	}
}

// check says why spec cannot run, "" when it can.
func (e *Executor) check(spec runtime.Spec) string {
	switch {
	case len(spec.Command) == 0:
		return "cannot start: the trial command is empty; set trial.command"
	case !filepath.IsAbs(spec.WorkDir):
		return fmt.Sprintf("cannot start: the working directory %q is not an absolute path", spec.WorkDir)
	case spec.Attempt < 0 || spec.Number < 0:
		return fmt.Sprintf("cannot start: trial %d attempt %d", spec.Number, spec.Attempt)
	}
	return ""
}

// removeExitFile removes an earlier attempt's exit file from dir.
func removeExitFile(dir string) error {
	err := os.Remove(filepath.Join(dir, ExitFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the previous attempt's %s: %w", ExitFile, err)
	}
	return nil
}

// filesOf are the paths of the trial directory of spec, without preparing
// it (for a job submitted earlier).
func filesOf(spec runtime.Spec) (runtime.TrialFiles, error) {
	if spec.TrialDir == "" {
		return runtime.TrialFiles{}, errors.New("the trial directory is not set (Spec.TrialDir)")
	}
	dir, err := filepath.Abs(spec.TrialDir)
	if err != nil {
		return runtime.TrialFiles{}, err
	}
	return runtime.TrialFiles{
		Dir:      dir,
		Config:   filepath.Join(dir, runtime.ConfigFile),
		Params:   filepath.Join(dir, runtime.ParamsFile),
		Metrics:  filepath.Join(dir, runtime.MetricsFile),
		Progress: filepath.Join(dir, runtime.ProgressFile),
		Stdout:   filepath.Join(dir, runtime.StdoutFile),
		Stderr:   filepath.Join(dir, runtime.StderrFile),
	}, nil
}

// attach waits for the job spec.Job, submitted earlier for this attempt.
func (e *Executor) attach(ctx context.Context, spec runtime.Spec) runtime.Result {
	res := runtime.Result{Host: handlePrefix, Job: spec.Job}
	id, err := parseHandle(spec.Job)
	if err == nil {
		var files runtime.TrialFiles
		if files, err = filesOf(spec); err == nil {
			return e.wait(ctx, spec, id, files)
		}
	}
	res.Outcome, res.Error = runtime.Failed, runtime.OneLine("cannot attach to the trial's job: "+err.Error())
	res.Ended = time.Now()
	res.Started = res.Ended
	return res
}

// wait waits for job id, which runs spec, and makes its Result.
func (e *Executor) wait(ctx context.Context, spec runtime.Spec, id string, files runtime.TrialFiles) runtime.Result {
	w := e.poll.watch(id)
	defer e.poll.unwatch(w)
	// The progress file is followed once the job is seen started (or
	// its file has grown: the poller may look rarely), not while it is
	// pending: a thousand queued tasks would cost a thousand opens a
	// second on shared storage. The deferred stop reads it once more
	// after the job has ended and the Result is made, before Run returns.
	var stopFollow func() error
	follow := func() {
		if spec.Progress != nil && stopFollow == nil {
			stopFollow = runtime.FollowProgress(files.Progress, progressInterval, spec.Progress)
		}
	}
	defer func() {
		follow() // a job that ended before it was seen started: its lines still
		if stopFollow != nil {
			stopFollow()
		}
	}()
	var grown <-chan time.Time
	if spec.Progress != nil {
		t := time.NewTicker(pendingProgressCheck)
		defer t.Stop()
		grown = t.C
	}
	var preempted time.Time
	// Once withdraw is closed, the job is cancelled at the first look
	// (asked for at once) that finds it still pending; cancelled says it
	// was.
	withdraw, withdrawing, cancelled := spec.Withdraw, false, false
	lastState := "" // the job's state at the last look
	for {
		select {
		case <-grown:
			if fi, err := os.Lstat(files.Progress); err == nil && fi.Size() > 0 {
				follow()
				grown = nil
			}
		case <-withdraw:
			withdraw, withdrawing = nil, true
			e.poll.now()
		case <-ctx.Done():
			forgotten, err := e.cancelAndWait(id, w)
			reason := "interrupted"
			if err != nil {
				reason = fmt.Sprintf("interrupted; cancelling job %s failed, it may still run: %v", id, err)
			}
			var info *jobInfo
			if lastState != "PENDING" && !(forgotten && lastState == "") {
				// A job that never started has no node or times to learn:
				// no scontrol call for each of a thousand queued tasks.
				info = e.lastInfo(id)
			}
			return e.result(spec, id, files, info, nil, verdict{outcome: runtime.Interrupted, reason: reason})
		case <-e.closed:
			return e.result(spec, id, files, nil, nil, verdict{outcome: runtime.Interrupted, reason: "interrupted: the Slurm executor was closed while job " + id + " was still in the queue"})
		case u := <-w.ch:
			if u.err != nil {
				return e.result(spec, id, files, nil, nil, verdict{outcome: runtime.Failed, reason: fmt.Sprintf("cannot ask Slurm about job %s: %v", id, u.err)})
			}
			if u.present {
				lastState = u.row.State
				if lastState != "PENDING" {
					follow()
				}
			}
			if !u.present {
				return e.finish(spec, id, files, cancelled)
			}
			switch st := u.row.State; {
			case st == "PREEMPTED":
				if preempted.IsZero() {
					preempted = time.Now()
				} else if time.Since(preempted) > preemptWait {
					return e.finish(spec, id, files, cancelled)
				}
			case isFinal(st):
				return e.finish(spec, id, files, cancelled)
			case st == "PENDING" && withdrawing && !cancelled:
				// Not scancel --state=PENDING: Slurm 22.05 applies that to
				// every pending task of an array named by one task's id.
				// A job that starts in the moment between this look and
				// the cancel is stopped and recorded interrupted, to run
				// again.
				if err := e.scancel(id); err == nil {
					cancelled = true
				}
				e.poll.now()
			case st == "PENDING":
				preempted = time.Time{}
				if why := e.neverStarts(u.row); why != "" {
					_, err := e.cancelAndWait(id, w)
					reason := fmt.Sprintf("Slurm cannot start job %s: %s", id, why)
					if err != nil {
						reason += fmt.Sprintf("; cancelling it failed: %v", err)
					}
					return e.result(spec, id, files, e.lastInfo(id), nil, verdict{outcome: runtime.Failed, reason: reason})
				}
			default:
				preempted = time.Time{}
			}
		}
	}
}

// isFinal reports whether a job in state st has ended for good; a job
// that Slurm preempted or requeues has not (PREEMPTED is handled apart).
func isFinal(st string) bool {
	switch st {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "REVOKED":
		return true
	}
	return false
}

// cancelAndWait cancels job id and waits, bounded by stopWait, until it
// has left the queue (or shows a final state): nothing of it runs on.
// forgotten says that squeue no longer lists the job at all, as for an
// array task cancelled before Slurm split it off its array: one that
// never started.
func (e *Executor) cancelAndWait(id string, w *watch) (forgotten bool, err error) {
	if err := e.scancel(id); err != nil {
		return false, err
	}
	e.poll.now()
	deadline := time.NewTimer(stopWait)
	defer deadline.Stop()
	for {
		select {
		case u := <-w.ch:
			if u.err != nil {
				return false, u.err
			}
			if !u.present || isFinal(u.row.State) {
				return !u.present, nil
			}
		case <-deadline.C:
			return false, fmt.Errorf("job %s is still in the queue %v after scancel", id, stopWait)
		case <-e.closed:
			return false, nil
		}
	}
}

// lastInfo is scontrol's view of job id, nil when it cannot be had.
func (e *Executor) lastInfo(id string) *jobInfo {
	info, err := e.showJob(context.Background(), id)
	if err != nil {
		return nil
	}
	return info
}

// finish makes the Result of job id, which has ended (or which Slurm no
// longer knows); withdrawn says that the job was cancelled while it was
// pending because spec.Withdraw was closed.
func (e *Executor) finish(spec runtime.Spec, id string, files runtime.TrialFiles, withdrawn bool) runtime.Result {
	var info *jobInfo
	// A job withdrawn while it was pending has nothing to learn from
	// scontrol (no node, no times): no call for each of a thousand tasks.
	for try := 0; !withdrawn; try++ {
		var err error
		info, err = e.showJob(context.Background(), id)
		if err == nil || errors.Is(err, errUnknownJob) || try == 2 || notStartable(err) {
			break
		}
		time.Sleep(2 * time.Second) // the controller may be busy
	}
	ex := readExitFile(files.Dir, id)
	if ex == nil && info != nil && (info.State == "COMPLETED" || info.State == "FAILED") {
		for deadline := time.Now().Add(exitFileWait); ex == nil && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			ex = readExitFile(files.Dir, id)
		}
	}
	v := e.verdict(spec, id, info, ex)
	if withdrawn && (ex == nil || ex.Exit == nil) && (info == nil || info.State == "CANCELLED") {
		// Slurm forgets at once an array task cancelled before it was
		// split off its array (info nil).
		v = verdict{outcome: runtime.Interrupted, reason: fmt.Sprintf("withdrawn: job %s was cancelled before it started, as the search starts no more trials", id)}
		if ex != nil {
			v.reason = fmt.Sprintf("withdrawn: job %s was cancelled as it started, as the search starts no more trials", id)
		}
	}
	return e.result(spec, id, files, info, ex, v)
}

// readExitFile reads the exit file of dir when job id wrote it (any job
// when id is ""); nil when there is none, or it is another job's, or it
// cannot be read.
func readExitFile(dir, id string) *exitStatus {
	b, err := readLimitedFile(filepath.Join(dir, ExitFile), maxExitFile)
	if err != nil {
		return nil
	}
	ex, err := parseExitStatus(b)
	if err != nil || id != "" && ex.Job != id {
		return nil
	}
	return ex
}

// readLimitedFile reads the regular file at path, of at most limit bytes,
// not through a symbolic link.
func readLimitedFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, fmt.Errorf("%s is not a regular file of at most %d bytes", path, limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// verdict is how a trial ended: its outcome and reason, and whether its
// metrics are read (the trial ran and was not interrupted). hint is added
// to the reason of a failed trial.
type verdict struct {
	outcome runtime.Outcome
	reason  string
	metrics bool
	hint    string
}

// verdict decides how the trial of job id ended from what scontrol says
// (info, nil when Slurm no longer knows the job) and the exit file (ex,
// nil when there is none).
func (e *Executor) verdict(spec runtime.Spec, id string, info *jobInfo, ex *exitStatus) verdict {
	failed := func(format string, args ...any) verdict {
		return verdict{outcome: runtime.Failed, reason: fmt.Sprintf(format, args...), metrics: true}
	}
	state, node, started := "", "", ex != nil
	if info != nil {
		state, node = info.State, info.Node
		started = started || info.Started()
	}
	if ex != nil && ex.CannotStart != "" {
		return verdict{outcome: runtime.Failed, reason: cannotStart(spec, ex.CannotStart, node)}
	}
	switch state {
	case "OUT_OF_MEMORY":
		return failed("out of memory: Slurm stopped job %s (OUT_OF_MEMORY); ask for more memory (mem in the executor block)", id)
	case "NODE_FAIL":
		return failed("node failure: Slurm lost node %s while it ran job %s (NODE_FAIL)", orUnknown(node), id)
	case "BOOT_FAIL":
		return verdict{outcome: runtime.Failed, reason: fmt.Sprintf("node %s failed to boot for job %s (BOOT_FAIL)", orUnknown(node), id)}
	}
	if ex != nil && ex.Exit != nil && !ex.TimedOut && !ex.TimeLimit {
		if *ex.Exit != 0 {
			return failed("exit status %d", *ex.Exit)
		}
		return verdict{outcome: runtime.Completed, metrics: true}
	}
	switch state {
	case "CANCELLED":
		return verdict{outcome: runtime.Failed, reason: fmt.Sprintf("job %s was cancelled outside fwapply (scancel, or an administrator)", id), metrics: started}
	case "DEADLINE":
		return verdict{outcome: runtime.Failed, reason: fmt.Sprintf("job %s reached its deadline (DEADLINE)", id), metrics: started}
	case "PREEMPTED":
		return verdict{outcome: runtime.Interrupted, reason: fmt.Sprintf("job %s was preempted by Slurm and not requeued", id)}
	case "TIMEOUT":
		if ex == nil || !ex.TimedOut {
			return failed("%s", e.timeLimitReason(spec, info))
		}
	}
	if ex != nil {
		switch {
		case ex.TimedOut:
			return failed("timed out after %s", runtime.FormatDuration(spec.Timeout))
		case ex.TimeLimit:
			return failed("%s", e.timeLimitReason(spec, info))
		case ex.Signal != nil:
			return failed("killed by signal %s", signalName(*ex.Signal))
		}
	}
	// The batch script ran to its end without leaving an exit file that
	// this machine can read, or it could not run the trial at all.
	hint := fmt.Sprintf(" (job %s left no %s: is the trial directory on storage the nodes share?)", id, ExitFile)
	switch state {
	case "COMPLETED":
		return verdict{outcome: runtime.Completed, metrics: true, hint: hint}
	case "FAILED":
		v := failed("exit status %d", info.ExitCode)
		switch {
		case !info.Started():
			return verdict{outcome: runtime.Failed, reason: fmt.Sprintf("Slurm could not start job %s: %s", id, info.Reason)}
		case info.Signal != 0:
			v = failed("killed by signal %s", signalName(info.Signal))
		case info.ExitCode > 128 && info.ExitCode <= 192:
			v = failed("killed by signal %s", signalName(info.ExitCode-128))
		}
		v.hint = hint
		return v
	case "":
		return verdict{outcome: runtime.Failed, reason: fmt.Sprintf("Slurm no longer knows job %s (it forgets finished jobs after its MinJobAge), and the job left no %s in the trial directory", id, ExitFile)}
	}
	return verdict{outcome: runtime.Failed, reason: fmt.Sprintf("job %s ended in Slurm state %s", id, state), metrics: started}
}

func orUnknown(node string) string {
	if node == "" {
		return "(unknown)"
	}
	return node
}

// cannotStart is the reason of a trial whose program the batch script
// could not start.
func cannotStart(spec runtime.Spec, why, node string) string {
	prog := ""
	if len(spec.Command) > 0 {
		prog = spec.Command[0]
	}
	on := ""
	if node != "" {
		on = " on node " + node
	}
	switch why {
	case "not-found":
		return fmt.Sprintf("cannot start: %q: not found in the PATH of the job%s", prog, on)
	case "missing":
		return fmt.Sprintf("cannot start: %s: no such file%s (resolved against the search's directory %s)", prog, on, spec.WorkDir)
	case "directory":
		return fmt.Sprintf("cannot start: %s is a directory, not a program", prog)
	case "not-executable":
		return fmt.Sprintf("cannot start: %s is not executable%s; run chmod +x %s, or start it with its interpreter", prog, on, prog)
	}
	return fmt.Sprintf("cannot start: %s (%s)", prog, why)
}

// timeLimitReason is the reason of a job that Slurm stopped at its time
// limit.
func (e *Executor) timeLimitReason(spec runtime.Spec, info *jobInfo) string {
	switch {
	case e.cfg.Time > 0:
		return fmt.Sprintf("timed out after %s (the time of the executor block, Slurm's time limit)", runtime.FormatDuration(roundMinutes(e.cfg.Time)))
	case spec.Timeout > 0:
		return "timed out after " + runtime.FormatDuration(spec.Timeout)
	}
	limit := "its partition's"
	if info != nil && info.TimeLimit != "" {
		limit += " " + info.TimeLimit
	}
	return fmt.Sprintf("timed out: Slurm stopped the job at %s time limit; set time in the executor block, or trial.timeout", limit)
}

// result assembles the Result of job id.
func (e *Executor) result(spec runtime.Spec, id string, files runtime.TrialFiles, info *jobInfo, ex *exitStatus, v verdict) runtime.Result {
	res := runtime.Result{Outcome: v.outcome, Job: handlePrefix + id, StdoutLog: files.Stdout, StderrLog: files.Stderr}
	now := time.Now()
	res.Host = handlePrefix + " job " + id
	if info != nil {
		if info.Node != "" {
			res.Host = handlePrefix + info.Node + " job " + id
		}
		switch {
		case info.Started():
			res.Started, res.Ended = info.Start, info.End
			if res.Ended.IsZero() || res.Ended.After(now) {
				res.Ended = now
			}
			res.Queued = info.Start.Sub(info.Submit)
		default:
			res.Ended = info.End
			if res.Ended.IsZero() || res.Ended.After(now) {
				res.Ended = now
			}
			res.Started = res.Ended
			if !info.Submit.IsZero() {
				res.Queued = res.Ended.Sub(info.Submit)
			}
		}
		res.Queued = max(res.Queued, 0)
		res.Started = minTime(res.Started, res.Ended)
	} else {
		res.Started, res.Ended = now, now
	}
	reason := v.reason
	if v.metrics && v.outcome != runtime.Interrupted {
		metrics, why := runtime.ReadMetrics(files.Metrics, spec.Metric)
		res.Metrics = metrics
		if reason == "" && why != "" {
			res.Outcome, reason = runtime.Failed, why
		}
	}
	if res.Outcome == runtime.Failed {
		reason += v.hint
	}
	res.Error = runtime.OneLine(reason)
	if res.Outcome == runtime.Failed {
		res.StderrTail = runtime.StderrTail(files.Stderr)
	}
	return res
}

func minTime(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}

// signalName names a Linux signal number the way runtime.Local's reasons
// do ("SIGKILL"); the batch script runs on Linux nodes.
func signalName(n int) string {
	names := [...]string{1: "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
		"SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
		"SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"}
	if n > 0 && n < len(names) {
		return names[n]
	}
	return "signal " + strconv.Itoa(n)
}

// roundMinutes rounds d up to whole minutes, as Slurm's --time counts.
func roundMinutes(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(d.Minutes())) * time.Minute
}

// neverStarts says why a pending job can never start, from its reason; ""
// when it may yet start (it waits for resources, its priority, a limit
// that other jobs hold...).
func (e *Executor) neverStarts(row queueRow) string {
	reason := row.Reason
	if why, ok := hopeless[reason]; ok {
		return reason + " (" + why + ")"
	}
	if perJobLimit(reason) {
		return reason + " (the request exceeds a per-job limit of the account or QOS)"
	}
	if reason == "ReqNodeNotAvail" {
		return e.nodesUnavailable(row)
	}
	return ""
}

// hopeless are the reasons of a pending job that waiting does not cure,
// from Slurm's list of job reason codes: the request conflicts with how
// the cluster is configured, not with what other jobs use now.
// ReqNodeNotAvail and the per-job limits of accounts and QOS are decided
// apart (nodesUnavailable, perJobLimit).
var hopeless = map[string]string{
	"BadConstraints":           "the job's requirements can never be satisfied",
	"PartitionConfig":          "the request exceeds a limit of the partition, such as its CPUs, memory or GPUs per node",
	"PartitionNodeLimit":       "the number of nodes is outside the partition's limits, or its nodes are down or drained",
	"PartitionTimeLimit":       "the time limit exceeds the partition's",
	"InvalidAccount":           "the account is invalid",
	"InvalidQOS":               "the QOS is invalid",
	"AccountNotAllowed":        "the account may not use the partition",
	"QOSNotAllowed":            "the QOS is not allowed for the account or partition",
	"MaxMemPerLimit":           "the memory exceeds the limit per CPU or per node",
	"DependencyNeverSatisfied": "a dependency of the job can never be satisfied",
	"ReservationDeleted":       "the reservation the job asks for no longer exists",
	"JobLaunchFailure":         "the job could not be launched",
	"JobHoldMaxRequeue":        "the job was requeued too many times",
}

// perJobLimit reports the reasons of a request beyond a per-job (or per
// node) maximum, or below a minimum, of its association or QOS
// (AssocMaxCpuPerJobLimit, QOSMaxGRESPerNode, QOSMinCpuNotSatisfied...):
// unlike the limits per user or in aggregate (AssocMaxJobsLimit,
// QOSGrpCpuLimit...), which other jobs ending lift, these never change.
func perJobLimit(reason string) bool {
	if strings.HasPrefix(reason, "QOSMin") {
		return true
	}
	if !strings.HasPrefix(reason, "AssocMax") && !strings.HasPrefix(reason, "QOSMax") {
		return false
	}
	return strings.Contains(reason, "PerJob") || strings.HasSuffix(reason, "PerNode")
}

// unavailableStates are the node states (or flags) that need an
// administrator before a job can run on the node.
var unavailableStates = []string{"DOWN", "DRAIN", "FAIL", "NOT_RESPONDING", "INVAL", "FUTURE"}

// nodesUnavailable decides a job pending with ReqNodeNotAvail: it can
// never start when each node it needs that Slurm names unavailable
// ("ReqNodeNotAvail, UnavailableNodes:n[1-2]") is unknown, down, drained
// or failed; a node that is only busy or reserved may yet free up.
func (e *Executor) nodesUnavailable(row queueRow) string {
	_, list, ok := strings.Cut(row.Desc, "UnavailableNodes:")
	list = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(list), ")"))
	if !ok || list == "" {
		return ""
	}
	e.nodeMu.Lock()
	defer e.nodeMu.Unlock()
	if c, ok := e.nodeCache[list]; ok && time.Since(c.at) < nodeCacheTTL {
		return c.why
	}
	why := ""
	out, err := e.run(context.Background(), nil, e.cmds.Scontrol, "-o", "show", "node", list)
	states := nodeStates(out)
	if err == nil || len(states) > 0 || strings.Contains(err.Error(), "not found") {
		down := true
		for _, s := range states {
			if !containsAny(s, unavailableStates) {
				down = false
			}
		}
		if down {
			why = "ReqNodeNotAvail (the nodes it needs, " + list + ", are unknown, down or drained)"
		}
	}
	if e.nodeCache == nil {
		e.nodeCache = map[string]nodeVerdict{}
	}
	e.nodeCache[list] = nodeVerdict{time.Now(), why}
	return why
}

// nodeCacheTTL is how long a look at the nodes of ReqNodeNotAvail holds,
// so that many jobs waiting for them cost one scontrol call.
const nodeCacheTTL = 30 * time.Second

type nodeVerdict struct {
	at  time.Time
	why string
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
