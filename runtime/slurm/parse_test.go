package slurm

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Real outputs of the development cluster (Slurm 22.05), as the seed
// corpora under testdata/fuzz hold them too.
const (
	// A job whose script got the arguments "JobState=COMPLETED", "a b"
	// and "x=y z", with a comment holding spaces and a '|'.
	realFailedJob = "JobId=37 JobName=s3probe UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901729 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:01 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-11-29T12:16:26 EligibleTime=2026-11-29T12:16:26 AccrueTime=2026-11-29T12:16:26 StartTime=2026-11-29T12:16:27 EndTime=2026-11-29T12:16:28 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-29T12:16:27 Scheduler=Main Partition=debug AllocNode:Sid=localhost:5550 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=./job.sh JobState=COMPLETED a b x=y z WorkDir=/tmp/s3x/b Comment=fw-manifest=/a b/c|d  StdErr=/tmp/s3x/b/err.log StdIn=/dev/null StdOut=/tmp/s3x/b/out.log Power= \n"
	// An array task pending behind the array's throttle.
	realPendingTask = "JobId=90 ArrayJobId=90 ArrayTaskId=3 ArrayTaskThrottle=2 JobName=s3probe UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901682 Nice=0 Account=(null) QOS=(null) JobState=PENDING Reason=JobArrayTaskLimit Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-11-29T12:22:33 EligibleTime=Unknown AccrueTime=2026-11-29T12:22:33 StartTime=Unknown EndTime=Unknown Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-29T12:22:33 Scheduler=Main Partition=debug AllocNode:Sid=localhost:5550 ReqNodeList=(null) ExcNodeList=(null) NodeList= NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=24105M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/tmp/s3x/b StdErr=/tmp/s3x/b/slurm-90_3.out StdIn=/dev/null StdOut=/tmp/s3x/b/slurm-90_3.out Power= \n"
	// A job cancelled while it waited: StartTime is the cancellation,
	// NodeList empty.
	realCancelledPending = "JobId=2 JobName=s3probe UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901758 Nice=0 Account=(null) QOS=(null) JobState=CANCELLED Reason=PartitionNodeLimit Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-11-29T12:11:57 EligibleTime=2026-11-29T12:11:57 AccrueTime=2026-11-29T12:11:57 StartTime=2026-11-29T12:12:02 EndTime=2026-11-29T12:12:02 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-29T12:11:57 Scheduler=Main Partition=debug AllocNode:Sid=localhost:5550 ReqNodeList=(null) ExcNodeList=(null) NodeList= NumNodes=2 NumCPUs=2 NumTasks=N/A CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=2,mem=48210M,node=2,billing=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/tmp/s3x StdErr=/tmp/s3x/slurm-2.out StdIn=/dev/null StdOut=/tmp/s3x/slurm-2.out Power= \n"
	realQueue            = "50_1|COMPLETED|vm|None|vm\n1|FAILED||BadConstraints|(BadConstraints)\n90_2|PENDING||JobArrayTaskLimit|(JobArrayTaskLimit)\n91|PENDING||PartitionConfig|(PartitionConfig)\n90_0|RUNNING|vm|None|vm\n"
	realFind             = "37|37|FAILED|s3probe|fw-manifest=/a b/c|d\n90_[2-4%2]|90|PENDING|s3probe|(null)\n90_0|90|RUNNING|s3probe|(null)\n"
)

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.Local)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseJob(t *testing.T) {
	tests := []struct {
		name, id, out string
		want          jobInfo
		started       bool
	}{
		{"failed, arguments that look like keys", "37", realFailedJob, jobInfo{
			ID: "37", State: "FAILED", Reason: "NonZeroExitCode", ExitCode: 3, TimeLimit: "UNLIMITED",
			Submit: local("2026-11-29T12:16:26"), Start: local("2026-11-29T12:16:27"), End: local("2026-11-29T12:16:28"), Node: "vm",
		}, true},
		{"pending array task", "90_3", realPendingTask, jobInfo{
			ID: "90_3", State: "PENDING", Reason: "JobArrayTaskLimit", TimeLimit: "UNLIMITED", Submit: local("2026-11-29T12:22:33"),
		}, false},
		{"cancelled while pending", "2", realCancelledPending, jobInfo{
			ID: "2", State: "CANCELLED", Reason: "PartitionNodeLimit", TimeLimit: "UNLIMITED",
			Submit: local("2026-11-29T12:11:57"), Start: local("2026-11-29T12:12:02"), End: local("2026-11-29T12:12:02"),
		}, false},
		{"state with flags", "5", "JobId=5 JobState=CANCELLED+by ExitCode=0:15 NodeList=n1 StartTime=2026-01-01T00:00:00", jobInfo{
			ID: "5", State: "CANCELLED", Signal: 15, Node: "n1", Start: local("2026-01-01T00:00:00"),
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseJob(tt.id, tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("parseJob =\n%+v\nwant\n%+v", *got, tt.want)
			}
			if got.Started() != tt.started {
				t.Errorf("Started() = %v, want %v", got.Started(), tt.started)
			}
		})
	}
	for _, out := range []string{"Job 50_9 not found\n", "slurm_load_jobs error: Invalid job id specified\n"} {
		if _, err := parseJob("50_9", out); err != errUnknownJob {
			t.Errorf("parseJob(%q) error = %v, want errUnknownJob", out, err)
		}
	}
	if _, err := parseJob("1", "garbage"); err == nil || err == errUnknownJob {
		t.Errorf("parseJob(garbage) error = %v, want a parse error", err)
	}
}

func TestParseKeyValues(t *testing.T) {
	kv := parseKeyValues(realFailedJob)
	for k, want := range map[string]string{
		"JobState":      "FAILED", // not the argument in Command=
		"Command":       "./job.sh",
		"AllocNode:Sid": "localhost:5550",
		"CPUs/Task":     "1",
		"WorkDir":       "/tmp/s3x/b",
		"Power":         "",
	} {
		if kv[k] != want {
			t.Errorf("%s = %q, want %q", k, kv[k], want)
		}
	}
}

func TestParseQueue(t *testing.T) {
	got := parseQueue(realQueue + "garbage\n12|RUNNING|n1\nx_1|RUNNING|n1|None|n1\n")
	want := []queueRow{
		{"50_1", "COMPLETED", "vm", "None", "vm"},
		{"1", "FAILED", "", "BadConstraints", "(BadConstraints)"},
		{"90_2", "PENDING", "", "JobArrayTaskLimit", "(JobArrayTaskLimit)"},
		{"91", "PENDING", "", "PartitionConfig", "(PartitionConfig)"},
		{"90_0", "RUNNING", "vm", "None", "vm"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("parseQueue =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseFind(t *testing.T) {
	got := parseFind(realFind)
	want := []findRow{
		{"37", "37", "FAILED", "s3probe", "fw-manifest=/a b/c|d"},
		{"90_[2-4%2]", "90", "PENDING", "s3probe", "(null)"},
		{"90_0", "90", "RUNNING", "s3probe", "(null)"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("parseFind =\n%+v\nwant\n%+v", got, want)
	}
	for k, want := range map[int]string{0: "RUNNING", 1: "", 2: "PENDING", 4: "PENDING", 5: ""} {
		if got := taskState(parseFind(realFind), "90", k); got != want {
			t.Errorf("taskState(90_%d) = %q, want %q", k, got, want)
		}
	}
}

func TestInTaskRange(t *testing.T) {
	tests := []struct {
		list string
		in   []int
		out  []int
	}{
		{"2-4%2", []int{2, 3, 4}, []int{1, 5}},
		{"1,4,6-8", []int{1, 4, 6, 7, 8}, []int{0, 2, 5, 9}},
		{"7", []int{7}, []int{6, 8}},
		{"x-3,", nil, []int{0, 3}},
	}
	for _, tt := range tests {
		for _, k := range tt.in {
			if !inTaskRange(tt.list, k) {
				t.Errorf("inTaskRange(%q, %d) = false", tt.list, k)
			}
		}
		for _, k := range tt.out {
			if inTaskRange(tt.list, k) {
				t.Errorf("inTaskRange(%q, %d) = true", tt.list, k)
			}
		}
	}
}

func TestParseSbatch(t *testing.T) {
	for out, want := range map[string]string{"93\n": "93", "1234;cluster\n": "1234", "sbatch: warning: x\n77\n": "77"} {
		if got, err := parseSbatch(out); err != nil || got != want {
			t.Errorf("parseSbatch(%q) = %q, %v; want %q", out, got, err, want)
		}
	}
	for _, out := range []string{"", "Submitted batch job 12\n", "12_3\n", "-1\n"} {
		if got, err := parseSbatch(out); err == nil {
			t.Errorf("parseSbatch(%q) = %q, want an error", out, got)
		}
	}
}

func TestParseExitStatus(t *testing.T) {
	ex, err := parseExitStatus([]byte(`{"job": "90_3", "attempt": 2, "signal": 9, "timed_out": true, "time_limit": false}`))
	if err != nil || ex.Job != "90_3" || ex.Attempt != 2 || ex.Signal == nil || *ex.Signal != 9 || ex.Exit != nil || !ex.TimedOut {
		t.Errorf("parseExitStatus = %+v, %v", ex, err)
	}
	for _, bad := range []string{`{"job": "", "attempt": 1, "exit": 0}`, `{"job": "1; rm", "exit": 0}`, `{"job": "1", "attempt": 1}`, `{"job": "1", "exit": 0`} {
		if _, err := parseExitStatus([]byte(bad)); err == nil {
			t.Errorf("parseExitStatus(%s): no error", bad)
		}
	}
}

func TestManifestRoundTrip(t *testing.T) {
	entries := []manifestEntry{{"/shared/trials/s/0", 0, 1}, {"/shared/with space/\n", 17, 3}}
	got, err := parseManifest(encodeManifest(entries))
	if err != nil || !slices.Equal(got, entries) {
		t.Errorf("parseManifest(encodeManifest(%v)) = %v, %v", entries, got, err)
	}
	for _, bad := range []string{"/a\x001\x00", "/a\x001\x001", "\x001\x001\x00", "/a\x00x\x001\x00"} {
		if _, err := parseManifest([]byte(bad)); err == nil {
			t.Errorf("parseManifest(%q): no error", bad)
		}
	}
}

func TestParseConfigValue(t *testing.T) {
	out := "Configuration data as of 2026-11-29T12:22:29\nMaxArraySize            = 100001\nMaxJobCount             = 100000\n"
	if got := parseConfigValue(out, "MaxArraySize"); got != "100001" {
		t.Errorf("MaxArraySize = %q", got)
	}
	if got := parseConfigValue(out, "MinJobAge"); got != "" {
		t.Errorf("MinJobAge = %q, want none", got)
	}
}

func TestNodeStates(t *testing.T) {
	out := "NodeName=vm Arch=x86_64 CoresPerSocket=2  CPUAlloc=0 State=IDLE ThreadsPerCore=1\nNodeName=n2 State=DOWN+DRAIN+NOT_RESPONDING Reason=maintenance [root@2026]\n"
	got := nodeStates(out)
	if len(got) != 2 || got["vm"] != "IDLE" || got["n2"] != "DOWN+DRAIN+NOT_RESPONDING" {
		t.Errorf("nodeStates = %v", got)
	}
}

// The fuzz targets check that the parsers of scheduler output never
// panic and keep their promises on any input; their seed corpora under
// testdata/fuzz hold real outputs of the development cluster.

func FuzzParseQueue(f *testing.F) {
	f.Add(realQueue)
	f.Fuzz(func(t *testing.T, out string) {
		for _, r := range parseQueue(out) {
			if !jobIDPattern.MatchString(r.ID) || strings.ContainsAny(r.State, " +") {
				t.Errorf("row %+v", r)
			}
		}
	})
}

func FuzzParseFind(f *testing.F) {
	f.Add(realFind)
	f.Fuzz(func(t *testing.T, out string) {
		for _, r := range parseFind(out) {
			if r.ArrayID == "" || strings.Trim(r.ArrayID, "0123456789") != "" {
				t.Errorf("row %+v", r)
			}
			for k := range 3 {
				taskState([]findRow{r}, r.ArrayID, k)
			}
		}
	})
}

func FuzzParseJob(f *testing.F) {
	f.Add("37", realFailedJob)
	f.Add("90_3", realPendingTask)
	f.Fuzz(func(t *testing.T, id, out string) {
		j, err := parseJob(id, out)
		if err != nil {
			return
		}
		if j.State == "" || strings.ContainsAny(j.State, " +") {
			t.Errorf("State %q", j.State)
		}
		if j.Started() && j.Start.IsZero() {
			t.Errorf("started without a start time")
		}
		if !j.End.IsZero() && !j.Start.IsZero() && j.End.Before(j.Start) {
			t.Errorf("End %v before Start %v", j.End, j.Start)
		}
		nodeStates(out)
	})
}

func FuzzParseSbatch(f *testing.F) {
	f.Add("93\n")
	f.Fuzz(func(t *testing.T, out string) {
		if id, err := parseSbatch(out); err == nil && !jobIDPattern.MatchString(id) {
			t.Errorf("parseSbatch(%q) = %q", out, id)
		}
	})
}

func FuzzParseExitStatus(f *testing.F) {
	f.Add([]byte(`{"job": "73", "attempt": 1, "exit": 0, "timed_out": false, "time_limit": false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ex, err := parseExitStatus(b)
		if err != nil {
			return
		}
		if !jobIDPattern.MatchString(ex.Job) || ex.Exit == nil && ex.Signal == nil && ex.CannotStart == "" {
			t.Errorf("parseExitStatus(%q) = %+v", b, ex)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("/shared/trials/s/0\x000\x001\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseManifest(b)
		if err != nil {
			return
		}
		again, err := parseManifest(encodeManifest(entries))
		if err != nil || !slices.Equal(again, entries) {
			t.Errorf("round trip of %v: %v, %v", entries, again, err)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add("MaxArraySize            = 1001\n")
	f.Fuzz(func(t *testing.T, out string) {
		v := parseConfigValue(out, "MaxArraySize")
		if strings.Contains(v, "\n") {
			t.Errorf("value %q spans lines", v)
		}
		inTaskRange(v, 3)
	})
}
