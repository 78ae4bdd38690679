package slurm

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

// TestRunAttachesToEarlierJob: Run without a job first looks for a job an
// earlier apply submitted for this very attempt (it died before
// recording the handle): it attaches to it and records it through
// Submitted instead of submitting the trial again, and every Run of the
// executor is answered from one squeue call.
func TestRunAttachesToEarlierJob(t *testing.T) {
	dir := t.TempDir()
	squeueCalls := filepath.Join(dir, "squeue.calls")
	lineage := "0123456789abcdef"
	spec := func(n int) runtime.Spec {
		trial := filepath.Join(dir, "trial", strings.Repeat("x", n))
		os.MkdirAll(trial, 0o755)
		return runtime.Spec{Search: "s", Number: n, Attempt: 1, Lineage: lineage, TrialDir: trial, WorkDir: dir, Metric: "loss", Command: []string{"x"}}
	}
	a, b, fresh := spec(1), spec(2), spec(3)
	// The listing holds jobs of attempts 1 of trials 1 and 2, another
	// attempt of trial 3, and a job that is not frameworm's.
	find := "55|55|RUNNING|" + Identity(a) + "|(null)\n" +
		"56|56|COMPLETED|" + Identity(b) + "|(null)\n" +
		"57|57|FAILED|fw.01234567.s.3.2|(null)\n" +
		"58|58|RUNNING|other|(null)\n"
	squeue := filepath.Join(dir, "squeue")
	script := "#!/bin/sh\necho \"$*\" >> '" + squeueCalls + "'\ncase \"$*\" in *-u*) printf '%s' '" + find + "';; esac\n"
	if err := os.WriteFile(squeue, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sbatchOut := filepath.Join(dir, "sbatch")
	write(t, sbatchOut, "!sbatch: error: refused by the test\n")
	scontrolOut := filepath.Join(dir, "scontrol")
	write(t, scontrolOut, completedJob)
	e := New(Config{Poll: 20 * time.Millisecond, Commands: Commands{
		Squeue: squeue, Scontrol: fakeClient(t, "scontrol", scontrolOut), Sbatch: fakeClient(t, "sbatch", sbatchOut), Scancel: "true",
	}})
	defer e.Close()

	for _, tt := range []struct {
		spec runtime.Spec
		job  string
	}{{a, "slurm:55"}, {b, "slurm:56"}, {fresh, ""}} {
		var recorded []string
		tt.spec.Submitted = func(job string) error { recorded = append(recorded, job); return nil }
		res := e.Run(context.Background(), tt.spec)
		if tt.job == "" {
			// No earlier job: submitted (the fake sbatch refuses it).
			if !strings.Contains(res.Error, "refused by the test") || len(recorded) != 0 {
				t.Errorf("trial %d: %s %q, recorded %v; want a submission", tt.spec.Number, res.Outcome, res.Error, recorded)
			}
			continue
		}
		if res.Job != tt.job || len(recorded) != 1 || recorded[0] != tt.job {
			t.Errorf("trial %d: Result.Job %q, recorded %v; want %s", tt.spec.Number, res.Job, recorded, tt.job)
		}
	}
	if n := calls(t, sbatchOut); n != 1 {
		t.Errorf("%d sbatch calls, want 1 (the trial without a job)", n)
	}
	b2, _ := os.ReadFile(squeueCalls)
	// (sbatch's failure is followed by a lookup of that trial alone, -n.)
	if n := strings.Count(string(b2), "-u "+strconv.Itoa(os.Getuid())+" -o"); n != 1 {
		t.Errorf("%d squeue listings of the user's jobs, want 1:\n%s", n, b2)
	}
}

// TestRunLookupFails: when squeue cannot say whether the trial was
// submitted already, Run fails it rather than risk submitting it twice.
func TestRunLookupFails(t *testing.T) {
	dir := t.TempDir()
	sbatchOut := filepath.Join(dir, "sbatch")
	write(t, sbatchOut, "12\n")
	e := New(Config{Commands: Commands{Squeue: filepath.Join(dir, "no-squeue"), Sbatch: fakeClient(t, "sbatch", sbatchOut)}})
	defer e.Close()
	spec := runtime.Spec{Search: "s", Number: 1, Attempt: 1, Command: []string{"true"}, WorkDir: dir, TrialDir: filepath.Join(dir, "t"), Metric: "m"}
	res := e.Run(context.Background(), spec)
	if res.Outcome != runtime.Failed || !strings.Contains(res.Error, "looking for a job an earlier apply submitted") {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
	if n := calls(t, sbatchOut); n != 0 {
		t.Errorf("%d sbatch calls", n)
	}
}
