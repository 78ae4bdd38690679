// Package slurm runs trials as jobs of a Slurm cluster: a runtime.Executor
// and runtime.Submitter that keeps the trial protocol (docs/protocol.md)
// as runtime.Local does, with the differences a scheduler brings.
//
// For every Spec, Run guarantees what runtime.Local guarantees of the
// trial directory, the environment, the command and the Result (see
// package runtime), except where this list says otherwise:
//
//   - No shell parses anything of the search. The batch script is fixed
//     (job.sh, embedded, written once per executor into Config.Dir, by
//     default .frameworm-slurm beside the trial directories); the trial's
//     argv reaches it as arguments, and it runs them with exec. sbatch
//     gets the trial's environment (this process's without
//     FW_PG_CONN_STR, then Spec.Env, then the FW_* variables) and passes
//     it on with --export=ALL; the script sets the FW_* variables again
//     for the trial it runs, so they win. Program lookup happens on the
//     node, in the PATH the trial sees.
//   - The job runs in Spec.WorkDir (--chdir); the trial's stdout and
//     stderr are appended to stdout.log and stderr.log of the trial
//     directory, which PrepareTrial made empty (Slurm's own messages,
//     such as a cancellation, go to the same files for a single job).
//     The trial directory, the working directory and Config.Dir must be
//     on storage the nodes share.
//   - The trial runs in a process group of its own under the script. At
//     Spec.Timeout the script sends SIGTERM to the group, and SIGKILL
//     after Config.Grace; what the trial leaves running when it exits is
//     stopped the same way. The job's --time is Config.Time, else the
//     timeout plus the grace period rounded up to whole minutes, as a
//     backstop; with Config.Time of 5 minutes or more the script also
//     asks for a warning before it (--signal=B:USR1@) and passes it on to
//     the trial as SIGTERM. scancel (an interrupt) signals every process
//     of the job itself.
//   - When the trial has ended the script writes ExitFile into the trial
//     directory (the job, the attempt, the exit status or signal, and
//     whether the timeout or the time limit stopped it), so that an apply
//     that asks after Slurm has forgotten the job still learns the
//     outcome. An exit status from 129 to 192 reads as a signal (a shell
//     cannot tell them apart).
//   - Jobs are named Identity(spec) ("fw.<lineage>.<search>.<number>.
//     <attempt>"); the arrays of Submit "fw.<lineage>.<search>.array",
//     with the path of their manifest in --comment. Find looks a trial's
//     job up by them, so that a job whose handle was never recorded is
//     found again, not submitted twice.
//   - Run without Spec.Job submits one job, calls Spec.Submitted with its
//     handle ("slurm:ID"; on an error cancels the job and fails the
//     trial), then waits. With Spec.Job ("slurm:ID" or "slurm:ID_TASK")
//     it attaches to that job without touching the trial directory.
//   - Waiting is light on the scheduler: one poller per Executor asks
//     squeue about all the jobs it waits for in one call per interval
//     (Config.Poll, or adaptive from 1 s to 30 s), and scontrol once per
//     job when it has ended (or left the queue).
//   - Outcomes: Completed as with Local (exit status 0 and the metric a
//     finite number in the metrics file). Failed with one line: "exit
//     status N", "killed by signal SIGX", "timed out after ...", out of
//     memory (OUT_OF_MEMORY), node failure (NODE_FAIL), the job cancelled
//     outside fwapply, the program not found on the node ("cannot
//     start: ..."), or "Slurm cannot start job ID: REASON (...)" for a
//     job pending for a reason that waiting does not cure
//     (PartitionConfig, BadConstraints, InvalidAccount, a per-job limit
//     of the account or QOS, ReqNodeNotAvail when the nodes it needs are
//     down or drained...): that job is cancelled. A preempted or requeued
//     job is waited for; one that Slurm preempted for good is
//     Interrupted. A cancelled context cancels the job, waits (at most 2
//     minutes) until it has left the queue, and gives Interrupted. A
//     closed Spec.Withdraw cancels the job at the first look that finds
//     it still pending (a running one goes on) and gives Interrupted,
//     "withdrawn: ..."; closed before the submission, nothing is
//     submitted. The cancellations of all waiters go to scancel together,
//     a few calls for a thousand jobs.
//   - Result.Job is the handle; Host is "slurm:<node> job <id>";
//     Started, Ended and Queued (submission to start) are Slurm's times,
//     in whole seconds.
//
// Submit hands many trials to Slurm at once, as job arrays throttled to
// the limit (Config.Array), or one job each.
//
// Nothing here panics on what Slurm's commands print: their output is
// outside input, read by parsers that skip what they do not understand
// (FuzzParse* check it).
package slurm
