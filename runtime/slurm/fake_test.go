package slurm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

// Tests with stand-ins for Slurm's clients, for what the development
// cluster cannot do: preempt jobs, or take nodes down.

// fakeClient writes a client that prints the file out (reading it anew
// each call, so a test can change its answer) after appending its
// arguments to out+".calls"; it exits 1 when the file starts with "!".
func fakeClient(t *testing.T, name, out string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	script := "#!/bin/sh\necho \"$*\" >> '" + out + ".calls'\nif [ \"$(head -c1 '" + out + "')\" = '!' ]; then tail -c +2 '" + out + "' >&2; exit 1; fi\ncat '" + out + "'\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

func calls(t *testing.T, out string) int {
	b, _ := os.ReadFile(out + ".calls")
	return strings.Count(string(b), "\n")
}

func TestNodesUnavailable(t *testing.T) {
	dir := t.TempDir()
	nodes := filepath.Join(dir, "nodes")
	e := New(Config{Commands: Commands{Scontrol: fakeClient(t, "scontrol", nodes)}})
	defer e.Close()
	row := func(desc string) queueRow { return queueRow{State: "PENDING", Reason: "ReqNodeNotAvail", Desc: desc} }
	tests := []struct {
		name, desc, nodes string
		never             bool
	}{
		{"down and drained", "(ReqNodeNotAvail, UnavailableNodes:n[1-2])", "NodeName=n1 State=DOWN+NOT_RESPONDING\nNodeName=n2 State=IDLE+DRAIN\n", true},
		{"one only busy", "(ReqNodeNotAvail, UnavailableNodes:n[3-4])", "NodeName=n3 State=DOWN\nNodeName=n4 State=ALLOCATED\n", false},
		{"unknown node", "(ReqNodeNotAvail, UnavailableNodes:n9)", "!Node n9 not found\n", true},
		{"reserved", "(ReqNodeNotAvail, May be reserved for other job)", "", false},
		{"maintenance", "(ReqNodeNotAvail, Reserved for maintenance)", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, nodes, tt.nodes)
			got := e.neverStarts(row(tt.desc))
			if (got != "") != tt.never {
				t.Errorf("neverStarts = %q, want never %v", got, tt.never)
			}
			if tt.never && !strings.HasPrefix(got, "ReqNodeNotAvail (the nodes it needs, ") {
				t.Errorf("reason %q", got)
			}
		})
	}
	// Many jobs waiting for the same nodes cost one look.
	before := calls(t, nodes)
	e.neverStarts(row(tests[0].desc))
	if calls(t, nodes) != before {
		t.Errorf("the nodes were asked about again within %v", nodeCacheTTL)
	}
}

// fakeCluster is a job 7 whose squeue line and scontrol answer a test
// sets.
type fakeCluster struct {
	queue, job string
	e          *Executor
	spec       runtime.Spec
}

func newFakeCluster(t *testing.T) *fakeCluster {
	dir := t.TempDir()
	f := &fakeCluster{queue: filepath.Join(dir, "queue"), job: filepath.Join(dir, "job")}
	write(t, f.queue, "")
	write(t, f.job, "!slurm_load_jobs error: Invalid job id specified\n")
	f.e = New(Config{Poll: 20 * time.Millisecond, Commands: Commands{
		Squeue: fakeClient(t, "squeue", f.queue), Scontrol: fakeClient(t, "scontrol", f.job), Scancel: "true",
	}})
	t.Cleanup(func() { f.e.Close() })
	trial := filepath.Join(dir, "trial")
	os.MkdirAll(trial, 0o755)
	f.spec = runtime.Spec{Search: "s", Number: 7, Attempt: 1, Job: "slurm:7", TrialDir: trial, WorkDir: dir, Metric: "val_loss", Command: []string{"x"}}
	return f
}

func (f *fakeCluster) run() chan runtime.Result {
	done := make(chan runtime.Result, 1)
	go func() { done <- f.e.Run(context.Background(), f.spec) }()
	return done
}

const completedJob = "JobId=7 JobState=COMPLETED Reason=None ExitCode=0:0 SubmitTime=2026-01-01T00:00:00 StartTime=2026-01-01T00:00:05 EndTime=2026-01-01T00:00:09 NodeList=n1 BatchHost=n1\n"

// TestPreemptedRequeued: a job that Slurm preempts and requeues is waited
// for, not failed.
func TestPreemptedRequeued(t *testing.T) {
	f := newFakeCluster(t)
	write(t, f.queue, "7|PREEMPTED|n1|None|n1\n")
	done := f.run()
	for _, line := range []string{"7|PREEMPTED|n1|None|n1\n", "7|PENDING||BeginTime|(BeginTime)\n", "7|RUNNING|n1|None|n1\n"} {
		write(t, f.queue, line)
		time.Sleep(200 * time.Millisecond)
		select {
		case res := <-done:
			t.Fatalf("Run returned while the job was %s: %s %q", strings.Split(line, "|")[1], res.Outcome, res.Error)
		default:
		}
	}
	write(t, filepath.Join(f.spec.TrialDir, "metrics.json"), `{"val_loss": 1}`)
	write(t, filepath.Join(f.spec.TrialDir, ExitFile), `{"job": "7", "attempt": 1, "exit": 0, "timed_out": false, "time_limit": false}`)
	write(t, f.job, completedJob)
	write(t, f.queue, "7|COMPLETED|n1|None|n1\n")
	res := <-done
	if res.Outcome != runtime.Completed || res.Host != "slurm:n1 job 7" || res.Queued != 5*time.Second || res.Ended.Sub(res.Started) != 4*time.Second {
		t.Errorf("Run = %s %q, host %q, queued %v, ran %v", res.Outcome, res.Error, res.Host, res.Queued, res.Ended.Sub(res.Started))
	}
}

// TestPreemptedForGood: a job that stays preempted is interrupted, so
// that the trial runs again.
func TestPreemptedForGood(t *testing.T) {
	defer func(w time.Duration) { preemptWait = w }(preemptWait)
	preemptWait = 300 * time.Millisecond
	f := newFakeCluster(t)
	write(t, f.queue, "7|PREEMPTED|n1|None|n1\n")
	write(t, f.job, strings.Replace(completedJob, "COMPLETED", "PREEMPTED", 1))
	res := <-f.run()
	if res.Outcome != runtime.Interrupted || res.Error != "job 7 was preempted by Slurm and not requeued" {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
}

// TestSuspended: a suspended job is waited for; its end is read from
// scontrol when it left no exit file.
func TestSuspended(t *testing.T) {
	f := newFakeCluster(t)
	write(t, f.queue, "7|SUSPENDED|n1|None|n1\n")
	done := f.run()
	time.Sleep(200 * time.Millisecond)
	select {
	case res := <-done:
		t.Fatalf("Run returned while the job was suspended: %s %q", res.Outcome, res.Error)
	default:
	}
	write(t, f.job, strings.NewReplacer("COMPLETED", "FAILED", "ExitCode=0:0", "ExitCode=2:0").Replace(completedJob))
	write(t, f.queue, "7|FAILED|n1|NonZeroExitCode|(NonZeroExitCode)\n")
	if res := <-done; res.Outcome != runtime.Failed || res.Error != "exit status 2 (job 7 left no .frameworm-exit.json: is the trial directory on storage the nodes share?)" {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
}

// TestClosed: a closed executor submits nothing.
func TestClosed(t *testing.T) {
	dir := t.TempDir()
	sbatch := filepath.Join(dir, "sbatch-out")
	write(t, sbatch, "12\n")
	e := New(Config{Commands: Commands{Sbatch: fakeClient(t, "sbatch", sbatch)}})
	e.Close()
	spec := runtime.Spec{Search: "s", Command: []string{"true"}, WorkDir: dir, TrialDir: filepath.Join(dir, "t"), Metric: "m"}
	if res := e.Run(context.Background(), spec); res.Outcome != runtime.Failed || res.Error != "cannot submit the trial: the Slurm executor is closed" {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
	if _, err := e.Submit(context.Background(), []runtime.Spec{spec}, 0); err == nil {
		t.Errorf("Submit on a closed executor: no error")
	}
	if n := calls(t, sbatch); n != 0 {
		t.Errorf("%d sbatch calls", n)
	}
}

// TestNoSqueue: a squeue that cannot be run fails the trial at once
// instead of waiting forever.
func TestNoSqueue(t *testing.T) {
	dir := t.TempDir()
	e := New(Config{Commands: Commands{Squeue: filepath.Join(dir, "no-squeue")}})
	defer e.Close()
	spec := runtime.Spec{Search: "s", Job: "slurm:7", Command: []string{"true"}, WorkDir: dir, TrialDir: filepath.Join(dir, "t"), Metric: "m"}
	res := e.Run(context.Background(), spec)
	if res.Outcome != runtime.Failed || !strings.HasPrefix(res.Error, "cannot ask Slurm about job 7: no-squeue: ") {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
}
