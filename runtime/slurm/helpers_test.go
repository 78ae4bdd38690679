package slurm_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
	"github.com/frameworm/frameworm/runtime"
)

// testLineage is a lineage of this test's own: the names of its jobs hold
// it ("fw.<lineage>...."), and the jobs are cancelled when the test ends.
func testLineage(t testing.TB) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	lineage := "t" + hex.EncodeToString(b[:])[:7]
	t.Cleanup(func() { slurmtest.CancelWhere(t, ours(lineage)) })
	return lineage
}

// ours selects the jobs of the lineage.
func ours(lineage string) func(slurmtest.Job) bool {
	mark := "fw." + lineage + "."
	return func(j slurmtest.Job) bool { return strings.HasPrefix(j.Name, mark) }
}

// active lists the jobs of the lineage that have not ended.
func active(t *testing.T, lineage string) []slurmtest.Job {
	t.Helper()
	var jobs []slurmtest.Job
	for _, j := range slurmtest.JobsWhere(t, ours(lineage)) {
		if !j.Final() {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// Trial programs, run by sh on the node (the trial's own business: the
// executor runs them without a shell).
const (
	// okTrial prints its number and reports a metric.
	okTrial = `echo "$FW_TRIAL"; echo '{"val_loss": 0.5}' > "$FW_METRICS"`
	// stampedTrial records when it started and ended, running a second.
	stampedTrial = `date +%s.%N > "$FW_TRIAL_DIR/start"; sleep 1; echo "$FW_TRIAL"; echo '{"val_loss": 0.5}' > "$FW_METRICS"; date +%s.%N > "$FW_TRIAL_DIR/end"`
	// sleepTrial says it runs, then sleeps.
	sleepTrial = `touch "$FW_TRIAL_DIR/ready"; exec sleep 300`
)

// newSpec is trial number of search "s" of lineage, running program with
// sh, in root (on storage the nodes share).
func newSpec(t testing.TB, root, lineage string, number int, program string) runtime.Spec {
	t.Helper()
	work := filepath.Join(root, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	return runtime.Spec{
		Search: "s", Number: number, Attempt: 1, Lineage: lineage,
		Command:  []string{"sh", "-c", program},
		WorkDir:  work,
		TrialDir: filepath.Join(root, "trials", "s", strconv.Itoa(number)),
		Config:   map[string]any{"x": number},
		Params:   map[string]any{"x": number},
		Metric:   "val_loss",
	}
}

// waitFile waits (generously) for path to exist.
func waitFile(t *testing.T, path string, within time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// stamp reads a time a stampedTrial wrote.
func stamp(t testing.TB, path string) time.Time {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return time.Unix(0, int64(f*1e9))
}

// maxOverlap is the largest number of the intervals [start, end) that
// overlap at one moment.
func maxOverlap(starts, ends []time.Time) int {
	type event struct {
		at    time.Time
		delta int
	}
	var events []event
	for i := range starts {
		events = append(events, event{starts[i], 1}, event{ends[i], -1})
	}
	sort.Slice(events, func(i, j int) bool {
		if events[i].at.Equal(events[j].at) {
			return events[i].delta < events[j].delta
		}
		return events[i].at.Before(events[j].at)
	})
	n, most := 0, 0
	for _, e := range events {
		n += e.delta
		most = max(most, n)
	}
	return most
}

// fakeCommand writes a script standing in for a Slurm client that Slurm
// no longer remembers anything: it prints out and exits with code.
func fakeCommand(t *testing.T, name, out string, code int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	script := "#!/bin/sh\nprintf '%s' '" + strings.ReplaceAll(out, "'", `'\''`) + "' >&2\nexit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
