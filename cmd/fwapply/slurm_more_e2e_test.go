package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/internal/slurmtest"
)

// copyFile copies the repository's file src to dst, making dst's directory.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// lineageJobs keeps the jobs of search name in the state of dir: their
// names start with fw.<the state's lineage, 8 characters>.<name>. It keeps
// none while dir has no state yet.
func lineageJobs(t *testing.T, dir, name string) func(slurmtest.Job) bool {
	t.Helper()
	var doc struct {
		Lineage string `json:"lineage"`
	}
	code, out, _ := fwapply(t, dir, "show", "-json")
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Lineage) < 8 {
		return func(slurmtest.Job) bool { return false }
	}
	prefix := "fw." + doc.Lineage[:8] + "." + name + "."
	return func(j slurmtest.Job) bool { return strings.HasPrefix(j.Name, prefix) }
}

// TestSlurmE2EExample runs examples/slurm as its README says, on a copy:
// its Bayesian search of 20 trials completes, every trial as a job of its
// own, built once by go_build from the quickstart's program.
func TestSlurmE2EExample(t *testing.T) {
	c := slurmtest.Require(t)
	// The example and the program it builds (../quickstart/train, standard
	// library only), in a module of their own.
	root := slurmtest.SharedDir(t)
	repo := filepath.Join("..", "..")
	copyFile(t, filepath.Join(repo, "examples", "slurm", "search.fw.hcl"), filepath.Join(root, "slurm", "search.fw.hcl"))
	copyFile(t, filepath.Join(repo, "examples", "quickstart", "train", "main.go"), filepath.Join(root, "quickstart", "train", "main.go"))
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module fwexample\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "slurm")
	t.Cleanup(func() { slurmtest.CancelWhere(t, lineageJobs(t, dir, "slurm")) })

	code, out, errs := fwapply(t, dir, "apply", "-auto-approve", "-var", "partition="+c.Partition)
	if code != 0 {
		t.Fatalf("apply of the example: exit %d\n%s%s", code, out, errs)
	}
	wantAll(t, "apply output", out,
		"# search.slurm (bayesian, min val_loss) on executor.slurm.cluster",
		"Apply complete! 20 trials completed, 0 failed.",
	)
	trials := slurmTrials(t, dir, "slurm")
	if len(trials) != 20 {
		t.Fatalf("%d trials, want 20\n%s", len(trials), out)
	}
	jobs := map[string]bool{}
	for _, tr := range trials {
		if tr.Status != "completed" || !strings.HasPrefix(tr.Job, "slurm:") || jobs[tr.Job] {
			t.Errorf("trial %d: %s, job %q; want completed with a job of its own", tr.Number, tr.Status, tr.Job)
		}
		jobs[tr.Job] = true
	}
	// The cluster saw one job per trial, of its first attempt.
	seen := map[string]int{}
	for _, j := range slurmtest.JobsWhere(t, lineageJobs(t, dir, "slurm")) {
		seen[j.Name]++
	}
	for n := range 20 {
		if name := fmt.Sprintf(".slurm.%d.1", n); !hasSuffixCount(seen, name, 1) {
			t.Errorf("trial %d: the cluster's jobs of the example are %v; want one named *%s", n, seen, name)
		}
	}
	if len(seen) != 20 {
		t.Errorf("the cluster saw %d jobs of the example (%v), want 20", len(seen), seen)
	}
}

// hasSuffixCount reports whether exactly one name of seen ends in suffix,
// seen n times.
func hasSuffixCount(seen map[string]int, suffix string, n int) bool {
	found := 0
	for name, k := range seen {
		if strings.HasSuffix(name, suffix) {
			if k != n {
				return false
			}
			found++
		}
	}
	return found == 1
}

// TestSlurmE2ENeverStarts: a trial whose job Slurm can never start fails
// with Slurm's reason, in apply's output and show's, instead of waiting
// forever, and leaves nothing in the queue: a job that pends for good
// (more CPUs per task than any node has: PartitionConfig) and one that
// sbatch refuses (a partition that does not exist).
func TestSlurmE2ENeverStarts(t *testing.T) {
	c := slurmtest.Require(t)
	for _, tc := range []struct {
		name     string
		executor string // the executor block's attributes
		want     string // in the trial's error
	}{
		{
			name:     "pending for good",
			executor: fmt.Sprintf("partition = %q\n  cpus_per_task = %d", c.Partition, c.CPUs+1),
			want:     ": PartitionConfig (",
		},
		{
			name:     "no such partition",
			executor: `partition = "fw-no-such-partition"`,
			want:     "Invalid partition name specified",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := slurmtest.SharedDir(t)
			name := strings.ReplaceAll(tc.name, " ", "_")
			src := fmt.Sprintf(`executor "slurm" "never" {
  %s
  poll = "1s"
}

search %q {
  metric          = "score"
  mode            = "min"
  strategy        = "random"
  trials          = 2
  seed            = 5
  parallelism     = 2
  experiment_root = "runs"
  base_config     = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command  = [%q]
    timeout  = "60s"
    executor = executor.slurm.never
  }
}
`, tc.executor, name, trialBinary)
			if err := os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { slurmtest.CancelWhere(t, lineageJobs(t, dir, name)) })

			code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
			if code != 1 {
				t.Fatalf("apply of trials that can never start: exit %d, want 1\n%s%s", code, out, errs)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("apply output lacks Slurm's reason %q:\n%s%s", tc.want, out, errs)
			}
			var doc struct {
				Searches map[string]struct {
					Trials []struct {
						Number int
						Status string
						Error  string
					} `json:"trials"`
				} `json:"searches"`
			}
			_, show, _ := fwapply(t, dir, "show", "-json")
			if err := json.Unmarshal([]byte(show), &doc); err != nil {
				t.Fatalf("show -json: %v\n%s", err, show)
			}
			trials := doc.Searches[name].Trials
			if len(trials) != 2 {
				t.Fatalf("%d trials in show, want 2\n%s", len(trials), show)
			}
			for _, tr := range trials {
				if tr.Status != "failed" || !strings.Contains(tr.Error, tc.want) {
					t.Errorf("trial %d: %s %q; want failed with Slurm's reason %q", tr.Number, tr.Status, tr.Error, tc.want)
				}
			}
			// show's table cuts long errors; state show has the whole one.
			if _, text, _ := fwapply(t, dir, "state", "show", "search."+name+"[0]"); !strings.Contains(text, tc.want) {
				t.Errorf("state show lacks Slurm's reason %q:\n%s", tc.want, text)
			}
			ofTest := lineageJobs(t, dir, name)
			active := slurmtest.JobsWhere(t, func(j slurmtest.Job) bool { return ofTest(j) && !j.Final() })
			if len(active) != 0 {
				t.Errorf("jobs left in the queue: %+v", active)
			}
		})
	}
}
