package slurm

import (
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
)

func intp(n int) *int { return &n }

func TestVerdict(t *testing.T) {
	ran := func(state string) *jobInfo {
		return &jobInfo{ID: "7", State: state, Node: "n1", Start: local("2026-01-01T00:00:00"), End: local("2026-01-01T00:01:00")}
	}
	exited := func(code int) *exitStatus { return &exitStatus{Job: "7", Attempt: 1, Exit: intp(code)} }
	signalled := func(sig int) *exitStatus { return &exitStatus{Job: "7", Attempt: 1, Signal: intp(sig)} }
	spec := runtime.Spec{Command: []string{"train.py"}, WorkDir: "/w", Timeout: 90 * time.Second}
	tests := []struct {
		name    string
		cfg     Config
		info    *jobInfo
		ex      *exitStatus
		outcome runtime.Outcome
		reason  string
		metrics bool
	}{
		{"exit 0", Config{}, ran("COMPLETED"), exited(0), runtime.Completed, "", true},
		{"exit 0, Slurm forgot the job", Config{}, nil, exited(0), runtime.Completed, "", true},
		{"no exit file, completed", Config{}, ran("COMPLETED"), nil, runtime.Completed, "", true},
		{"exit 3", Config{}, ran("FAILED"), exited(3), runtime.Failed, "exit status 3", true},
		{"exit 3 from scontrol", Config{}, &jobInfo{State: "FAILED", ExitCode: 3, Node: "n1", Start: local("2026-01-01T00:00:00")}, nil, runtime.Failed, "exit status 3", true},
		{"signal", Config{}, ran("FAILED"), signalled(9), runtime.Failed, "killed by signal SIGKILL", true},
		{"signal from scontrol", Config{}, &jobInfo{State: "FAILED", Signal: 11, Node: "n1", Start: local("2026-01-01T00:00:00")}, nil, runtime.Failed, "killed by signal SIGSEGV", true},
		{"shell status of a signal from scontrol", Config{}, &jobInfo{State: "FAILED", ExitCode: 143, Node: "n1", Start: local("2026-01-01T00:00:00")}, nil, runtime.Failed, "killed by signal SIGTERM", true},
		{"unknown signal", Config{}, ran("FAILED"), signalled(50), runtime.Failed, "killed by signal signal 50", true},
		{"failed before it started", Config{}, &jobInfo{State: "FAILED", Reason: "BadConstraints", Signal: 1}, nil, runtime.Failed, "Slurm could not start job 7: BadConstraints", false},
		{"timeout by the script", Config{}, ran("FAILED"), &exitStatus{Job: "7", Signal: intp(15), TimedOut: true}, runtime.Failed, "timed out after 1m30s", true},
		{"timeout, the trial exited 0 on SIGTERM", Config{}, ran("COMPLETED"), &exitStatus{Job: "7", Exit: intp(0), TimedOut: true}, runtime.Failed, "timed out after 1m30s", true},
		{"Slurm's limit from the timeout", Config{}, ran("TIMEOUT"), nil, runtime.Failed, "timed out after 1m30s", true},
		{"Slurm's limit from the executor", Config{Time: 90 * time.Second}, ran("TIMEOUT"), nil, runtime.Failed, "timed out after 2m (the time of the executor block, Slurm's time limit)", true},
		{"the time limit's warning", Config{Time: time.Hour}, ran("FAILED"), &exitStatus{Job: "7", Signal: intp(15), TimeLimit: true}, runtime.Failed, "timed out after 1h (the time of the executor block, Slurm's time limit)", true},
		{"out of memory", Config{}, ran("OUT_OF_MEMORY"), signalled(9), runtime.Failed, "out of memory: Slurm stopped job 7 (OUT_OF_MEMORY); ask for more memory (mem in the executor block)", true},
		{"node failure", Config{}, ran("NODE_FAIL"), nil, runtime.Failed, "node failure: Slurm lost node n1 while it ran job 7 (NODE_FAIL)", true},
		{"cancelled by someone else", Config{}, ran("CANCELLED"), signalled(15), runtime.Failed, "job 7 was cancelled outside fwapply (scancel, or an administrator)", true},
		{"cancelled after the trial ended", Config{}, ran("CANCELLED"), exited(0), runtime.Completed, "", true},
		{"cancelled while pending", Config{}, &jobInfo{State: "CANCELLED"}, nil, runtime.Failed, "job 7 was cancelled outside fwapply (scancel, or an administrator)", false},
		{"preempted for good", Config{}, ran("PREEMPTED"), nil, runtime.Interrupted, "job 7 was preempted by Slurm and not requeued", false},
		{"deadline", Config{}, &jobInfo{State: "DEADLINE"}, nil, runtime.Failed, "job 7 reached its deadline (DEADLINE)", false},
		{"boot failure", Config{}, &jobInfo{State: "BOOT_FAIL", Node: "n3"}, nil, runtime.Failed, "node n3 failed to boot for job 7 (BOOT_FAIL)", false},
		{"program not found", Config{}, ran("FAILED"), &exitStatus{Job: "7", CannotStart: "not-found"}, runtime.Failed, `cannot start: "train.py": not found in the PATH of the job on node n1`, false},
		{"program not executable", Config{}, ran("FAILED"), &exitStatus{Job: "7", CannotStart: "not-executable"}, runtime.Failed, "cannot start: train.py is not executable on node n1; run chmod +x train.py, or start it with its interpreter", false},
		{"forgotten, no exit file", Config{}, nil, nil, runtime.Failed, "Slurm no longer knows job 7 (it forgets finished jobs after its MinJobAge), and the job left no .frameworm-exit.json in the trial directory", false},
		{"another final state", Config{}, ran("REVOKED"), nil, runtime.Failed, "job 7 ended in Slurm state REVOKED", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Executor{cfg: tt.cfg, grace: runtime.DefaultGrace}
			got := e.verdict(spec, "7", tt.info, tt.ex)
			noExit := tt.ex == nil && tt.info != nil && (tt.info.State == "COMPLETED" || tt.info.State == "FAILED") && tt.info.Started()
			hint := got.hint
			got.hint = ""
			if got != (verdict{outcome: tt.outcome, reason: tt.reason, metrics: tt.metrics}) {
				t.Errorf("verdict = %+v\nwant      {%s %s %v}", got, tt.outcome, tt.reason, tt.metrics)
			}
			// A job that ran and left no exit file gets a hint at shared
			// storage.
			if want := " (job 7 left no .frameworm-exit.json: is the trial directory on storage the nodes share?)"; noExit && hint != want || !noExit && hint != "" {
				t.Errorf("hint %q", hint)
			}
		})
	}
}

func TestNeverStarts(t *testing.T) {
	e := &Executor{}
	for reason, never := range map[string]bool{
		"PartitionConfig": true, "BadConstraints": true, "PartitionNodeLimit": true, "PartitionTimeLimit": true,
		"InvalidAccount": true, "InvalidQOS": true, "DependencyNeverSatisfied": true,
		"AssocMaxCpuPerJobLimit": true, "AssocMaxWallDurationPerJobLimit": true, "QOSMaxGRESPerNode": true, "QOSMinCpuNotSatisfied": true,
		// Limits that other jobs hold, or waiting that ends.
		"Resources": false, "Priority": false, "BeginTime": false, "Dependency": false, "JobArrayTaskLimit": false,
		"AssocMaxJobsLimit": false, "AssocMaxSubmitJobLimit": false, "AssocGrpCpuLimit": false, "QOSMaxJobsPerUserLimit": false,
		"QOSMaxCpuPerUserLimit": false, "QOSGrpNodeLimit": false, "PartitionDown": false, "NodeDown": false, "JobHeldUser": false,
		"None": false, "": false,
		// Without the nodes' names, ReqNodeNotAvail is a node in use or reserved.
		"ReqNodeNotAvail": false,
	} {
		got := e.neverStarts(queueRow{State: "PENDING", Reason: reason, Desc: "(" + reason + ")"})
		if (got != "") != never {
			t.Errorf("neverStarts(%s) = %q, want never %v", reason, got, never)
		}
	}
}

func TestSbatchArgs(t *testing.T) {
	spec := runtime.Spec{Search: "s", Number: 3, Attempt: 2, Lineage: "0123456789ab", WorkDir: "/w", Timeout: 90 * time.Second}
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"timeout rounded up with the grace period", Config{}, []string{"--parsable", "--job-name=fw.01234567.s.3.2", "--export=ALL", "--chdir=/w", "--open-mode=append", "--time=2"}},
		{"everything", Config{Partition: "gpu", Account: "ml", QoS: "high", Constraint: "a100", Nodelist: "n[1-2]", Mem: "16G", Gres: "gpu:a100:1",
			CPUsPerTask: 4, GPUs: 1, Time: 2 * time.Hour, ExtraArgs: []string{"--exclusive"}},
			[]string{"--exclusive", "--parsable", "--job-name=fw.01234567.s.3.2", "--export=ALL", "--chdir=/w", "--open-mode=append",
				"--partition=gpu", "--account=ml", "--qos=high", "--constraint=a100", "--nodelist=n[1-2]", "--mem=16G", "--gres=gpu:a100:1",
				"--cpus-per-task=4", "--gpus=1", "--time=120", "--signal=B:USR1@70"}},
		{"short time: no warning", Config{Time: 61 * time.Second}, []string{"--parsable", "--job-name=fw.01234567.s.3.2", "--export=ALL", "--chdir=/w", "--open-mode=append", "--time=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(tt.cfg)
			defer e.Close()
			got := e.sbatchArgs(spec, Identity(spec))
			if len(got) != len(tt.want) {
				t.Fatalf("sbatchArgs =\n%q\nwant\n%q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("sbatchArgs =\n%q\nwant\n%q", got, tt.want)
				}
			}
		})
	}
	noTimeout := spec
	noTimeout.Timeout = 0
	e := New(Config{})
	defer e.Close()
	for _, a := range e.sbatchArgs(noTimeout, "x") {
		if len(a) > 6 && a[:6] == "--time" {
			t.Errorf("a trial without timeout got %s", a)
		}
	}
}

func TestIdentity(t *testing.T) {
	tests := []struct {
		spec runtime.Spec
		want string
	}{
		{runtime.Spec{Lineage: "4f9c2a1e-5b7d-4c3a-9e8f-0a1b2c3d4e5f", Search: "big-lr_2", Number: 17, Attempt: 3}, "fw.4f9c2a1e.big-lr_2.17.3"},
		{runtime.Spec{Search: "a|b c", Number: 0, Attempt: 1}, "fw.-.a_b_c.0.1"},
	}
	for _, tt := range tests {
		if got := Identity(tt.spec); got != tt.want {
			t.Errorf("Identity = %q, want %q", got, tt.want)
		}
	}
	if got := arrayName(tests[0].spec); got != "fw.4f9c2a1e.big-lr_2.array" {
		t.Errorf("arrayName = %q", got)
	}
}

func TestParseHandle(t *testing.T) {
	for h, want := range map[string]string{"slurm:12": "12", "slurm:12_3": "12_3"} {
		if got, err := parseHandle(h); err != nil || got != want {
			t.Errorf("parseHandle(%q) = %q, %v", h, got, err)
		}
	}
	for _, h := range []string{"", "12", "slurm:", "slurm:12_", "slurm:12;rm", "local:12"} {
		if _, err := parseHandle(h); err == nil {
			t.Errorf("parseHandle(%q): no error", h)
		}
	}
}

func TestCandidate(t *testing.T) {
	done := candidate{"slurm:20", "20", 0, "COMPLETED"}
	running := candidate{"slurm:10", "10", 0, "RUNNING"}
	cancelled := candidate{"slurm:30", "30", 0, "CANCELLED"}
	later := candidate{"slurm:25", "25", 0, "FAILED"}
	if got := done.or(running); got != running {
		t.Errorf("an active job must win: %v", got)
	}
	if got := cancelled.or(done); got != done {
		t.Errorf("a job not cancelled must win: %v", got)
	}
	if got := done.or(later); got != later {
		t.Errorf("the most recent must win: %v", got)
	}
	if got := (candidate{}).or(cancelled); got != cancelled {
		t.Errorf("any job beats none: %v", got)
	}
}
