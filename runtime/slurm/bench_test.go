package slurm_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/slurm"
)

// The benchmarks measure the executor on the real cluster; run them with
// a fixed count, e.g.
//
//	go test -run '^$' -bench . -benchtime 12x ./runtime/slurm/   (latency)
//	go test -run '^$' -bench Polling -benchtime 1x ./runtime/slurm/

// quickTrial records when it started and ended, at once.
const quickTrial = `date +%s.%N > "$FW_TRIAL_DIR/start"; echo '{"val_loss": 0.5}' > "$FW_METRICS"; date +%s.%N > "$FW_TRIAL_DIR/end"`

// BenchmarkTrialLatency runs one trial after the other and reports the
// medians of submit-to-start (from the call of Run to the trial's first
// line) and end-to-record (from the trial's last line to Run's return),
// with adaptive polling.
func BenchmarkTrialLatency(b *testing.B) {
	c := slurmtest.Require(b)
	lineage := testLineage(b)
	root := slurmtest.SharedDir(b)
	e := slurm.New(slurm.Config{Partition: c.Partition})
	defer e.Close()
	var toStart, toRecord []time.Duration
	for i := 0; b.Loop(); i++ {
		spec := newSpec(b, root, lineage, i, quickTrial)
		called := time.Now()
		res := e.Run(context.Background(), spec)
		returned := time.Now()
		if res.Outcome != runtime.Completed {
			b.Fatalf("Run = %s %q", res.Outcome, res.Error)
		}
		toStart = append(toStart, stamp(b, filepath.Join(spec.TrialDir, "start")).Sub(called))
		toRecord = append(toRecord, returned.Sub(stamp(b, filepath.Join(spec.TrialDir, "end"))))
	}
	b.ReportMetric(float64(median(toStart).Milliseconds()), "submit-to-start-ms")
	b.ReportMetric(float64(median(toRecord).Milliseconds()), "end-to-record-ms")
	b.Logf("%d trials: submit-to-start median %v (%v..%v), end-to-record median %v (%v..%v)", len(toStart),
		median(toStart), minD(toStart), maxD(toStart), median(toRecord), minD(toRecord), maxD(toRecord))
}

// BenchmarkPolling waits for 100 queued jobs (held back, so that none
// runs) for a minute and reports the squeue calls per minute.
func BenchmarkPolling(b *testing.B) {
	for _, poll := range []time.Duration{0, 5 * time.Second} {
		name := "adaptive"
		if poll > 0 {
			name = "poll=" + poll.String()
		}
		b.Run(name, func(b *testing.B) {
			c := slurmtest.Require(b)
			lineage := testLineage(b)
			root := slurmtest.SharedDir(b)
			squeue, calls := slurmtest.Counter(b, "squeue")
			for b.Loop() {
				e := slurm.New(slurm.Config{Partition: c.Partition, Poll: poll, ExtraArgs: []string{"--begin=now+1hour"}, Commands: slurm.Commands{Squeue: squeue}})
				ctx, cancel := context.WithCancel(context.Background())
				var submitted, done sync.WaitGroup
				for i := range 100 {
					spec := newSpec(b, root, lineage, i, quickTrial)
					submitted.Add(1)
					spec.Submitted = func(string) error { submitted.Done(); return nil }
					done.Go(func() { e.Run(ctx, spec) })
				}
				submitted.Wait()
				before, start := calls(), time.Now()
				time.Sleep(time.Minute)
				n, elapsed := calls()-before, time.Since(start)
				cancel()
				done.Wait()
				e.Close()
				b.ReportMetric(float64(n)/elapsed.Minutes(), "squeue-calls/min")
				b.Logf("100 jobs queued, %s: %d squeue calls in %v", name, n, elapsed.Round(time.Millisecond))
			}
		})
	}
}

// BenchmarkSubmitArray submits 1,000 trials (held back) and reports the
// sbatch calls it took.
func BenchmarkSubmitArray(b *testing.B) {
	c := slurmtest.Require(b)
	lineage := testLineage(b)
	sbatch, calls := slurmtest.Counter(b, "sbatch")
	e := slurm.New(slurm.Config{Partition: c.Partition, Array: true, ExtraArgs: []string{"--begin=now+1hour"}, Commands: slurm.Commands{Sbatch: sbatch}})
	defer e.Close()
	for b.Loop() {
		root := slurmtest.SharedDir(b)
		var specs []runtime.Spec
		for i := range 1000 {
			specs = append(specs, newSpec(b, root, lineage, i, quickTrial))
		}
		before := calls()
		if _, err := e.Submit(context.Background(), specs, 8); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(calls()-before), "sbatch-calls/1000-trials")
		slurmtest.CancelWhere(b, ours(lineage))
	}
}

func minD(ds []time.Duration) time.Duration { return slices.Min(ds) }
func maxD(ds []time.Duration) time.Duration { return slices.Max(ds) }
