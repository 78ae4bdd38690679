package slurmtest

import (
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseJobs(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Job
	}{
		{"empty", "", nil},
		// Captured from the cluster of scripts/slurm (Slurm 22.05).
		{"plain job", "41|41|41|N/A|FAILED|fwt-s1-capture-x\n", []Job{{ID: "41", JobID: "41", ArrayJobID: "41", State: "FAILED", Name: "fwt-s1-capture-x"}}},
		{"array", "42_[2-5%2]|42|42|2-5%2|PENDING|fwt-a b\n42_0|43|42|0|RUNNING|fwt-a b\n", []Job{
			{ID: "42_[2-5%2]", JobID: "42", ArrayJobID: "42", ArrayTaskID: "2-5%2", State: "PENDING", Name: "fwt-a b"},
			{ID: "42_0", JobID: "43", ArrayJobID: "42", ArrayTaskID: "0", State: "RUNNING", Name: "fwt-a b"},
		}},
		{"name with separator", "5|5|5|(null)|PENDING|a|b\r\n", []Job{{ID: "5", JobID: "5", ArrayJobID: "5", State: "PENDING", Name: "a|b"}}},
		{"junk skipped", "slurm_load_jobs error: x\n|||||\n8|8|N/A|COMPLETED|five fields\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseJobs(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseJobs(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseJobs(f *testing.F) {
	f.Add("41|41|41|N/A|FAILED|x\n42_[2-5%2]|42|42|2-5%2|PENDING|fwt-b\n")
	f.Fuzz(func(t *testing.T, in string) {
		for _, j := range ParseJobs(in) {
			if j.ID == "" || strings.Contains(j.ID, "|") || strings.Contains(j.Name, "\n") {
				t.Errorf("ParseJobs(%q) gave %+v", in, j)
			}
		}
	})
}

func TestField(t *testing.T) {
	line := "JobId=12 JobName=fwt-x JobState=COMPLETED Reason=None ExitCode=3:0 NodeList=vm"
	for key, want := range map[string]string{"JobId": "12", "JobState": "COMPLETED", "ExitCode": "3:0", "Job": "", "NodeList": "vm"} {
		if got := Field(line, key); got != want {
			t.Errorf("Field(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestFinal(t *testing.T) {
	for state, want := range map[string]bool{"PENDING": false, "RUNNING": false, "COMPLETING": false, "COMPLETED": true, "FAILED": true, "CANCELLED": true, "TIMEOUT": true, "OUT_OF_MEMORY": true} {
		if got := (Job{State: state}).Final(); got != want {
			t.Errorf("Final(%s) = %v, want %v", state, got, want)
		}
	}
}

func TestRequireSkipsWithoutCluster(t *testing.T) {
	if os.Getenv("SLURMTEST_CHILD") == "1" {
		Require(t)
		t.Fatal("Require returned without a cluster")
	}
	run := func(required string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequireSkipsWithoutCluster$", "-test.v")
		cmd.Env = append(os.Environ(), "SLURMTEST_CHILD=1", EnvConf+"=", "SLURM_CONF=", EnvRequired+"="+required)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("")
	if err != nil || !strings.Contains(out, "SKIP") || !strings.Contains(out, "Slurm tests skipped") {
		t.Errorf("without a cluster: %v\n%s", err, out)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "the Slurm tests must run") {
		t.Errorf("without a cluster and %s=1: %v\n%s", EnvRequired, err, out)
	}
}

// TestCluster submits a job named with the test's prefix, finds it, cancels
// it and sees it gone: what the executor tests rely on.
func TestCluster(t *testing.T) {
	c := Require(t)
	if c.Conf == "" || c.Partition == "" || c.Node == "" || c.CPUs < 1 {
		t.Fatalf("Require = %+v", c)
	}
	prefix := Prefix(t)
	other := Prefix(t)
	dir := SharedDir(t)
	sbatch, calls := Counter(t, "sbatch")
	for _, name := range []string{prefix + "1", other + "1"} {
		out := Command(t, sbatch, "--parsable", "-p", c.Partition, "-J", name, "-o", dir+"/out", "--wrap", "sleep 300")
		if strings.TrimSpace(out) == "" {
			t.Fatal("sbatch printed no job id")
		}
	}
	array := strings.TrimSpace(Command(t, sbatch, "--parsable", "-p", c.Partition, "-J", prefix+"array", "-o", dir+"/out", "--array=0-3%1", "--wrap", "sleep 300"))
	if n := calls(); n != 3 {
		t.Errorf("counted %d sbatch calls, want 3", n)
	}
	jobs := JobsNamed(t, prefix)
	var plain, tasks int
	for _, j := range jobs {
		switch {
		case j.Final():
			t.Errorf("job %+v has ended already", j)
		case j.Name == prefix+"1" && j.ArrayTaskID == "":
			plain++
		case j.Name == prefix+"array" && j.ArrayJobID == array && j.ArrayTaskID != "":
			tasks++
		default:
			t.Errorf("unexpected job %+v", j)
		}
	}
	if plain != 1 || tasks < 1 {
		t.Fatalf("JobsNamed(%s) = %+v, want the plain job and the array %s", prefix, jobs, array)
	}
	CancelNamed(t, prefix)
	WaitGone(t, prefix, 60*time.Second)
	if got := ActiveNamed(t, other); len(got) != 1 {
		t.Errorf("CancelNamed(%s) touched another prefix's job: %+v", prefix, got)
	}
	for _, j := range JobsNamed(t, prefix) {
		if j.State != "CANCELLED" {
			t.Errorf("after CancelNamed: %+v", j)
		}
	}
}
