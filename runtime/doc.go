// Package runtime runs trials by the trial protocol (docs/protocol.md).
//
// An Executor runs one trial described by a Spec and reports a Result.
// Local, the embedded executor, runs the trial as a child process of this
// one. For every Spec, Local.Run guarantees:
//
//   - The trial directory exists, is not a symbolic link (one is refused),
//     and holds MarkerFile (the trial it was prepared for: Spec.Lineage,
//     Search, Number, Attempt), config.json (the whole nested config,
//     indented, keys sorted) and params.json (the sampled params, flat
//     dotted keys), all written atomically. A metrics.json left by an
//     earlier attempt is removed and progress.jsonl is truncated before the
//     process starts, so a retried trial never sees old metrics. For
//     attempt N > 1 the previous attempt's stdout.log and stderr.log are
//     kept as stdout.<N-1>.log and stderr.<N-1>.log; on attempt 1 any old
//     logs are truncated.
//   - Nothing is written through a link in the trial directory: files
//     are replaced by rename, or removed and created anew with O_EXCL and
//     O_NOFOLLOW (never truncated in place), so a symbolic or hard link in
//     place of one is replaced and what it points to is left alone. The
//     metrics file and stderr.log are read with O_NOFOLLOW and must be
//     regular files. RemoveTrialDir deletes a trial directory only when
//     its marker names the trial asked for.
//   - The process gets the parent's environment, then Spec.Env, then
//     FW_TRIAL_DIR, FW_CONFIG, FW_PARAMS, FW_METRICS, FW_PROGRESS,
//     FW_SEARCH and FW_TRIAL (later entries win; every path is absolute).
//   - Command is run directly, never through a shell, in WorkDir, with
//     stdin from /dev/null and stdout and stderr written to stdout.log and
//     stderr.log in the trial directory. A program path containing a slash
//     is resolved against WorkDir; a bare name is looked up in the PATH the
//     trial will see (Spec.Env's PATH when it sets one).
//   - The process leads a process group of its own. On timeout or when
//     the context is cancelled the whole group gets SIGTERM, then SIGKILL
//     after the grace period. Processes of the group that outlive the
//     leader (a background helper, a leaked data loader) get the same
//     treatment when the leader exits, so Run never hangs on them and
//     nothing of the group is left running when Run returns (SIGKILL, once
//     sent, is not waited for; a process that moved itself to another
//     group or session with setsid is out of reach). Should the trial
//     process itself not exit even after SIGKILL (stuck in the kernel),
//     Run gives up after a few seconds and says so in the reason.
//   - The trial dies with this process where the system allows it: on
//     Linux the process gets SIGKILL from the kernel when the thread that
//     started it exits, and Run starts it from a goroutine locked to its
//     thread until the process is reaped, so that happens only when this
//     process dies.
//   - Never two processes in one trial directory: right after the start
//     Run records the process (pid, start time, boot, host and the
//     starting process) in ProcessFile, and removes the record once the
//     group is gone. Before preparing a directory whose record names a
//     process, or a process group, still alive on this host in this boot
//     (Linux: checked against /proc, so a reused pid is never taken for
//     it), Run stops it as it stops a timed-out trial (SIGTERM to the
//     group, SIGKILL after the grace period, then waits until it is gone)
//     and tells OnLeftover; a leftover that survives SIGKILL, or whose
//     starting process is itself still alive (another fwapply), fails the
//     trial without starting it. Two concurrent Runs of one Local in the
//     same directory: the second fails.
//   - The Result is Completed only when the process exited with status 0
//     and the metrics file, a regular file of at most MaxMetricsSize bytes
//     (a larger one fails the trial without being read), holds a JSON
//     object in which Spec.Metric is a finite number. A context cancelled before the process exited by
//     itself gives Interrupted, whatever the exit status (a cancelled
//     context before the start gives Interrupted without running
//     anything); a timeout is Failed. Everything else is Failed with a one-line
//     reason (at most about 200 characters) fit for a state file and a
//     table.
//   - Once the trial directory is prepared, the Result names the
//     attempt's stdout.log and stderr.log, and a Failed Result carries the
//     last lines of stderr.log (at most MaxTailLines, read from the last
//     64 KiB of the file only), cleaned up for printing by Tail.
//   - With Spec.Progress set, the progress file is followed from the
//     start of the process (FollowProgress, every DefaultFollowInterval)
//     and every line is delivered, once and in order, before Run returns.
//
// Run never panics on bad input and never returns without a Result; a
// panic is a bug.
//
// Trials written in Go report through WriteMetrics; live views read
// progress with ReadProgress, which streams the file and skips lines
// longer than MaxProgressLine, so its memory does not grow with the file;
// executors follow it as it grows with ProgressFollower, which reads
// only what was appended since its last look.
package runtime
