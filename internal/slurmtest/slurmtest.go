// Package slurmtest gives tests a real Slurm cluster: never a mock.
//
// The contract:
//
//   - Require(t) is the cluster the tests run against, described by the
//     environment: $FW_TEST_SLURM_CONF (else $SLURM_CONF) is its
//     slurm.conf; $FW_TEST_SLURM_PARTITION, $FW_TEST_SLURM_NODE and
//     $FW_TEST_SLURM_CPUS name the partition to submit to, a node of it and
//     that node's CPUs (each asked from the cluster when unset).
//     scripts/slurm start prints these variables and scripts/test exports
//     them. When no cluster is configured the test is skipped with a
//     message saying so, unless FW_TEST_SLURM_REQUIRED=1, then it fails;
//     a cluster configured with $FW_TEST_SLURM_CONF that does not answer
//     always fails the test. Require puts SLURM_CONF into this process's
//     environment (once, for the whole test binary), so that sbatch,
//     squeue, scontrol and scancel run by the code under test reach the
//     same cluster.
//   - Other tests and other packages share the cluster, at the same time:
//     a test names its jobs with its own prefix (Prefix), counts and
//     cancels only jobs with that prefix (JobsNamed, CancelNamed), and
//     never stops or reconfigures the cluster. Prefix cancels the test's
//     jobs when the test ends.
//   - SharedDir(t) is a directory for trial directories and programs that
//     every node of the cluster can read and write: $FW_TEST_SLURM_SHARED
//     (a new subdirectory of it per call, removed when the test ends) when
//     set, else t.TempDir(), which is enough on the single-node cluster of
//     scripts/slurm and nowhere else.
//   - Counter(t, real) is a wrapper command that counts its calls, for
//     tests that measure how often the code under test asks the scheduler.
package slurmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables read by this package.
const (
	EnvConf      = "FW_TEST_SLURM_CONF"
	EnvPartition = "FW_TEST_SLURM_PARTITION"
	EnvNode      = "FW_TEST_SLURM_NODE"
	EnvCPUs      = "FW_TEST_SLURM_CPUS"
	EnvShared    = "FW_TEST_SLURM_SHARED"
	EnvRequired  = "FW_TEST_SLURM_REQUIRED"
)

// Cluster is the Slurm cluster the tests run against.
type Cluster struct {
	// Conf is the absolute path of its slurm.conf.
	Conf string
	// Partition is the partition to submit to; Node is a node of it with
	// CPUs CPUs.
	Partition, Node string
	CPUs            int
}

// skipOrFail skips the test, or fails it when FW_TEST_SLURM_REQUIRED=1.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(EnvRequired) == "1" {
		t.Fatalf("%s, and %s=1: the Slurm tests must run", msg, EnvRequired)
	}
	t.Skip(msg + ": Slurm tests skipped")
}

var (
	clusterOnce sync.Once
	cluster     Cluster
	clusterErr  error
	clusterSkip string
)

// Require returns the cluster of the environment, skipping or failing the
// test when there is none (see the package documentation).
func Require(t testing.TB) Cluster {
	t.Helper()
	clusterOnce.Do(func() { cluster, clusterSkip, clusterErr = discover() })
	if clusterSkip != "" {
		skipOrFail(t, "%s", clusterSkip)
	}
	if clusterErr != nil {
		if os.Getenv(EnvConf) != "" {
			t.Fatalf("slurmtest: %v", clusterErr)
		}
		skipOrFail(t, "%v", clusterErr)
	}
	return cluster
}

// discover reads the environment and asks the cluster what it leaves
// unset. skip is set when no cluster is configured at all.
func discover() (c Cluster, skip string, err error) {
	conf := os.Getenv(EnvConf)
	if conf == "" {
		conf = os.Getenv("SLURM_CONF")
	}
	if conf == "" {
		return c, fmt.Sprintf("neither %s nor SLURM_CONF is set (scripts/test starts a cluster with scripts/slurm and sets them when run as root; by hand: eval \"$(scripts/slurm start)\")", EnvConf), nil
	}
	if !filepath.IsAbs(conf) {
		if conf, err = filepath.Abs(conf); err != nil {
			return c, "", err
		}
	}
	if _, err := os.Stat(conf); err != nil {
		return c, "", fmt.Errorf("the Slurm configuration %s: %w (start the cluster with scripts/slurm start)", conf, err)
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return c, "", fmt.Errorf("the Slurm configuration %s is set but sbatch is not in PATH: %w (scripts/slurm start installs the Slurm packages)", conf, err)
	}
	if os.Getenv("SLURM_CONF") != conf {
		if err := os.Setenv("SLURM_CONF", conf); err != nil {
			return c, "", err
		}
	}
	c.Conf = conf
	// The controller must answer.
	if out, err := command("scontrol", "ping"); err != nil || !strings.Contains(out, "UP") {
		return c, "", fmt.Errorf("the Slurm controller of %s does not answer (scontrol ping: %s%v); start it with scripts/slurm start", conf, strings.TrimSpace(out), errSuffix(err))
	}
	c.Partition = os.Getenv(EnvPartition)
	if c.Partition == "" {
		c.Partition = os.Getenv("SLURM_CI_PARTITION")
	}
	if c.Partition == "" {
		// The default partition: sinfo marks it with a star.
		out, err := command("sinfo", "-h", "-o", "%P")
		if err != nil {
			return c, "", fmt.Errorf("listing the partitions of %s: %w", conf, err)
		}
		for _, p := range strings.Fields(out) {
			if strings.HasSuffix(p, "*") || c.Partition == "" {
				c.Partition = strings.TrimSuffix(p, "*")
			}
		}
		if c.Partition == "" {
			return c, "", fmt.Errorf("the Slurm cluster of %s has no partition (set %s)", conf, EnvPartition)
		}
	}
	c.Node = os.Getenv(EnvNode)
	if c.Node == "" {
		c.Node = os.Getenv("SLURM_CI_NODE")
	}
	if c.Node == "" {
		out, err := command("sinfo", "-h", "-N", "-p", c.Partition, "-o", "%N")
		if err != nil {
			return c, "", fmt.Errorf("listing the nodes of partition %s: %w", c.Partition, err)
		}
		if f := strings.Fields(out); len(f) > 0 {
			c.Node = f[0]
		} else {
			return c, "", fmt.Errorf("partition %s of %s has no node (set %s)", c.Partition, conf, EnvNode)
		}
	}
	if s := os.Getenv(EnvCPUs); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return c, "", fmt.Errorf("%s=%q is not a number of CPUs", EnvCPUs, s)
		}
		c.CPUs = n
	} else {
		out, err := command("scontrol", "-o", "show", "node", c.Node)
		if err != nil {
			return c, "", fmt.Errorf("asking for node %s: %w", c.Node, err)
		}
		n, err := strconv.Atoi(Field(out, "CPUTot"))
		if err != nil || n < 1 {
			return c, "", fmt.Errorf("scontrol show node %s gives no CPUTot (set %s)", c.Node, EnvCPUs)
		}
		c.CPUs = n
	}
	return c, "", nil
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}

// command runs a Slurm client with a deadline and returns its stdout; the
// error holds its stderr.
func command(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Command runs a Slurm client (scontrol, squeue, sinfo, ...) against the
// cluster and returns its stdout, failing the test when it fails.
func Command(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := command(name, args...)
	if err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	return out
}

// Field is the value of key in one line of `scontrol -o show ...` output
// (Key=Value pairs separated by spaces), "" when absent. Values that hold
// spaces (Command=, Reason=...) are cut at the first space: use it for
// simple fields.
func Field(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// Prefix returns a job name prefix unique to this test run ("fwt-<test>-<random>-"),
// and cancels every job whose name starts with it when the test ends.
func Prefix(t testing.TB) string {
	t.Helper()
	name := unsafeName.ReplaceAllString(t.Name(), "-")
	if len(name) > 24 {
		name = name[len(name)-24:]
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	prefix := "fwt-" + strings.Trim(name, "-") + "-" + hex.EncodeToString(b[:]) + "-"
	t.Cleanup(func() { CancelNamed(t, prefix) })
	return prefix
}

// Job is one line of squeue: a job, an array task, or an array's pending
// remainder (ArrayTaskID like "2-5%2").
type Job struct {
	// ID is squeue's %i: "12", "10_3", "10_[4-9%2]".
	ID string
	// JobID is the job's own id (%A), unique for each array task (the
	// last task of an array gets the array's id: never compute it).
	JobID string
	// ArrayJobID is the array's id (%F); for a plain job its own id.
	ArrayJobID string
	// ArrayTaskID is the task (%K): "3", or "2-5%2" for the pending
	// remainder; "" for a plain job.
	ArrayTaskID string
	// State is the long state name: PENDING, RUNNING, COMPLETED, ...
	State string
	Name  string
}

// Final reports whether the job has ended (it will not run again).
func (j Job) Final() bool {
	switch j.State {
	case "PENDING", "RUNNING", "SUSPENDED", "COMPLETING", "CONFIGURING", "REQUEUED",
		"REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD":
		return false
	}
	return true
}

// squeueFormat puts the name last: it is the only field that may hold the
// separator or spaces.
const squeueFormat = "%i|%A|%F|%K|%T|%j"

// ParseJobs reads the output of `squeue -h -o '%i|%A|%F|%K|%T|%j'`;
// lines that do not have these fields are skipped.
func ParseJobs(out string) []Job {
	var jobs []Job
	for _, line := range strings.Split(out, "\n") {
		f := strings.SplitN(strings.TrimRight(line, "\r"), "|", 6)
		if len(f) != 6 || f[0] == "" {
			continue
		}
		j := Job{ID: f[0], JobID: f[1], ArrayJobID: f[2], ArrayTaskID: f[3], State: f[4], Name: f[5]}
		if j.ArrayTaskID == "N/A" || j.ArrayTaskID == "(null)" {
			j.ArrayTaskID = ""
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// Jobs lists every job the cluster still knows, finished ones included.
func Jobs(t testing.TB) []Job {
	t.Helper()
	return ParseJobs(Command(t, "squeue", "-h", "-t", "all", "-o", squeueFormat))
}

// JobsNamed lists the jobs whose name starts with prefix, finished ones
// included (the cluster forgets them after its MinJobAge; scripts/slurm
// keeps them 7 days).
func JobsNamed(t testing.TB, prefix string) []Job {
	t.Helper()
	return JobsWhere(t, func(j Job) bool { return strings.HasPrefix(j.Name, prefix) })
}

// JobsWhere lists the jobs for which keep is true, finished ones
// included: for job names that hold a test's mark elsewhere than at the
// start (strings.Contains(j.Name, mark)).
func JobsWhere(t testing.TB, keep func(Job) bool) []Job {
	t.Helper()
	var jobs []Job
	for _, j := range Jobs(t) {
		if keep(j) {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// ActiveNamed lists the jobs whose name starts with prefix that have not
// ended (pending, running, completing...).
func ActiveNamed(t testing.TB, prefix string) []Job {
	t.Helper()
	var jobs []Job
	for _, j := range JobsNamed(t, prefix) {
		if !j.Final() {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// WaitGone polls until no job named with prefix is active, failing the
// test after timeout with the jobs still there.
func WaitGone(t testing.TB, prefix string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		active := ActiveNamed(t, prefix)
		if len(active) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("slurmtest: after %s these jobs named %s* are still in the queue: %+v", timeout, prefix, active)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// CancelNamed cancels every active job whose name starts with prefix (and
// nothing else); problems are logged, not fatal, so it fits t.Cleanup.
func CancelNamed(t testing.TB, prefix string) {
	t.Helper()
	if prefix == "" {
		t.Errorf("slurmtest: CancelNamed with an empty prefix would cancel other tests' jobs")
		return
	}
	CancelWhere(t, func(j Job) bool { return strings.HasPrefix(j.Name, prefix) })
}

// CancelWhere cancels every active job for which cancel is true (a whole
// array when one of its tasks is); problems are logged, not fatal.
func CancelWhere(t testing.TB, cancel func(Job) bool) {
	t.Helper()
	out, err := command("squeue", "-h", "-t", "all", "-o", squeueFormat)
	if err != nil {
		t.Logf("slurmtest: listing jobs to cancel: %v", err)
		return
	}
	seen := map[string]bool{}
	var ids []string
	for _, j := range ParseJobs(out) {
		if j.Final() || !cancel(j) {
			continue
		}
		id := j.ID
		if j.ArrayTaskID != "" {
			id = j.ArrayJobID // the whole array
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	if _, err := command("scancel", ids...); err != nil {
		t.Logf("slurmtest: cancelling jobs %s: %v", strings.Join(ids, " "), err)
	}
}

// SharedDir returns a new directory on storage every node of the cluster
// shares (see the package documentation).
func SharedDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv(EnvShared)
	if root == "" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp(root, "fwt-")
	if err != nil {
		t.Fatalf("slurmtest: making a directory under %s=%s: %v", EnvShared, root, err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Counter writes a wrapper script that records each call and then execs
// the real command (a name looked up in PATH, or a path). It returns the
// wrapper's path and a function that counts the calls so far. The
// wrapper lives in t.TempDir(), on the machine that runs the test, which
// is where the code under test calls the scheduler.
func Counter(t testing.TB, real string) (path string, calls func() int) {
	t.Helper()
	target, err := exec.LookPath(real)
	if err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	dir := t.TempDir()
	base := filepath.Base(real)
	log := filepath.Join(dir, base+".calls")
	path = filepath.Join(dir, base)
	script := fmt.Sprintf("#!/bin/sh\necho x >> %s\nexec %s \"$@\"\n", shellQuote(log), shellQuote(target))
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatalf("slurmtest: %v", err)
	}
	return path, func() int {
		b, err := os.ReadFile(log)
		if err != nil {
			return 0
		}
		return bytes.Count(b, []byte("\n"))
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
