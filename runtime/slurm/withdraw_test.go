package slurm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/slurm"
)

// TestWithdraw: closing Spec.Withdraw cancels a job still pending and
// interrupts its trial, submits nothing for a trial not yet submitted,
// and leaves a running job alone (the conformance suite's
// withdraw-running).
func TestWithdraw(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	for _, tt := range []struct {
		name   string
		before bool // withdrawn before Run
		reason string
	}{
		{"pending", false, "withdrawn: job "},
		{"before submission", true, "withdrawn before it was submitted, as the search starts no more trials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lineage, root := testLineage(t), slurmtest.SharedDir(t)
			e := newExecutor(t, slurm.Config{Partition: c.Partition, ExtraArgs: []string{"--begin=now+1hour"}})
			spec := newSpec(t, root, lineage, 0, okTrial)
			withdraw := make(chan struct{})
			spec.Withdraw = withdraw
			submitted := make(chan string, 1)
			spec.Submitted = func(job string) error { submitted <- job; return nil }
			if tt.before {
				close(withdraw)
			}
			done := make(chan runtime.Result, 1)
			// Bounded: without the withdrawal the job would wait an hour.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			go func() { done <- e.Run(ctx, spec) }()
			if !tt.before {
				<-submitted
				close(withdraw)
			}
			res := <-done
			if res.Outcome != runtime.Interrupted || !strings.HasPrefix(res.Error, tt.reason) || res.Metrics != nil {
				t.Errorf("Run = %s %q, metrics %v; want interrupted %q...", res.Outcome, res.Error, res.Metrics, tt.reason)
			}
			if jobs := active(t, lineage); len(jobs) != 0 {
				t.Errorf("still in the queue after Run returned: %+v", jobs)
			}
			if tt.before {
				if jobs := slurmtest.JobsWhere(t, ours(lineage)); len(jobs) != 0 {
					t.Errorf("jobs submitted for a trial withdrawn before Run: %+v", jobs)
				}
			}
		})
	}
}

// slowTrial records when it started, then runs 4 seconds.
const slowTrial = `date +%s.%N > "$FW_TRIAL_DIR/start"; sleep 4; echo '{"val_loss": 0.5}' > "$FW_METRICS"`

// TestWithdrawArray: an array of 6 trials run one at a time, withdrawn
// once its first task runs: the first completes, the 5 pending tasks are
// cancelled in one or two scancel calls and their trials interrupted,
// and nothing of the array is left in the queue.
func TestWithdrawArray(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	scancel, calls := slurmtest.Counter(t, "scancel")
	e := newExecutor(t, slurm.Config{Partition: c.Partition, Array: true, Commands: slurm.Commands{Scancel: scancel}})
	withdraw := make(chan struct{})
	var specs []runtime.Spec
	for i := range 6 {
		spec := newSpec(t, root, lineage, i, slowTrial)
		spec.Withdraw = withdraw
		specs = append(specs, spec)
	}
	handles, err := e.Submit(context.Background(), specs, 1)
	if err != nil || len(handles) != len(specs) {
		t.Fatalf("Submit = %q, %v", handles, err)
	}
	results := make(chan []runtime.Result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	go func() { results <- runAllCtx(ctx, e, specs, handles) }()
	// The task that runs first (Slurm picks it): withdraw while it runs.
	first := -1
	for deadline := time.Now().Add(2 * time.Minute); first < 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for i, spec := range specs {
			if _, err := os.Stat(filepath.Join(spec.TrialDir, "start")); err == nil {
				first = i
				break
			}
		}
	}
	if first < 0 {
		t.Fatal("no task started")
	}
	close(withdraw)
	for i, res := range <-results {
		switch {
		case i == first:
			if res.Outcome != runtime.Completed {
				t.Errorf("trial %d, running when withdrawn: %s %q, want completed", i, res.Outcome, res.Error)
			}
		case res.Outcome != runtime.Interrupted || !strings.HasPrefix(res.Error, "withdrawn: job "):
			t.Errorf("trial %d, pending when withdrawn: %s %q, want interrupted (withdrawn)", i, res.Outcome, res.Error)
		}
	}
	if n := calls(); n < 1 || n > 2 {
		t.Errorf("%d scancel calls for 5 pending tasks, want 1 or 2", n)
	}
	if jobs := active(t, lineage); len(jobs) != 0 {
		t.Errorf("still in the queue: %+v", jobs)
	}
}

// TestProgressOfPendingJob: the progress file of a job not seen started
// is not followed every second, but lines that appear in it anyway (the
// poller looks rarely) are delivered within the slow check, and before
// Run returns.
func TestProgressOfPendingJob(t *testing.T) {
	c := slurmtest.Require(t)
	t.Parallel()
	lineage, root := testLineage(t), slurmtest.SharedDir(t)
	e := newExecutor(t, slurm.Config{Partition: c.Partition, ExtraArgs: []string{"--begin=now+1hour"}})
	spec := newSpec(t, root, lineage, 0, okTrial)
	got := make(chan runtime.ProgressLine, 4)
	spec.Progress = func(l runtime.ProgressLine) { got <- l }
	submitted := make(chan string, 1)
	spec.Submitted = func(job string) error { submitted <- job; return nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan runtime.Result, 1)
	go func() { done <- e.Run(ctx, spec) }()
	<-submitted
	line := `{"step": 3, "metrics": {"loss": 0.5}}` + "\n"
	if err := os.WriteFile(filepath.Join(spec.TrialDir, runtime.ProgressFile), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-got:
		if l.Step != 3 || l.Metrics["loss"] != 0.5 {
			t.Errorf("line %+v", l)
		}
	case <-time.After(time.Minute):
		t.Fatal("the line of a pending job's progress file never came")
	}
	cancel()
	<-done
}
