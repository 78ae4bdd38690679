package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frameworm/frameworm/internal/slurmtest"
)

// The benchmarks measure the Slurm executor as a user sees it: through the
// built fwapply binary, on the test cluster, with the scheduler's commands
// counted by wrappers first in apply's PATH. Each one runs for minutes;
// run them once:
//
//	go test -count=1 -run '^$' -bench 'BenchmarkSlurmApply' -benchtime 1x ./cmd/fwapply/ -v
//
// They report their figures as metrics (b.ReportMetric) and log the
// details. The figures of the executor alone are in runtime/slurm.

// slurmCommands are the scheduler's commands the wrappers count.
var slurmCommands = []string{"sbatch", "squeue", "scontrol", "scancel"}

// schedCall is one call of a wrapped command: when, and its arguments
// (joined by spaces).
type schedCall struct {
	at   time.Time
	args string
}

// schedLog is a directory of wrappers, one per Slurm command, each of
// which logs its call with a timestamp before it execs the real command.
// Put dir first in PATH.
type schedLog struct{ dir string }

// wrapSlurm writes the wrappers of slurmCommands into a new directory.
// It is slurmtest.Counter for several commands in one directory, with
// the time of each call.
func wrapSlurm(tb testing.TB) schedLog {
	tb.Helper()
	dir := tb.TempDir()
	for _, name := range slurmCommands {
		target, err := exec.LookPath(name)
		if err != nil {
			tb.Fatalf("wrapping %s: %v", name, err)
		}
		script := fmt.Sprintf("#!/bin/sh\nprintf '%%s %%s\\n' \"$(date +%%s.%%N)\" \"$*\" >> %s\nexec %s \"$@\"\n",
			benchQuote(filepath.Join(dir, name+".calls")), benchQuote(target))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	return schedLog{dir}
}

func benchQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// calls lists the calls of name so far.
func (l schedLog) calls(name string) []schedCall {
	b, _ := os.ReadFile(filepath.Join(l.dir, name+".calls"))
	var calls []schedCall
	for _, line := range strings.Split(string(b), "\n") {
		stamp, args, _ := strings.Cut(line, " ")
		if at, ok := parseDateStamp(stamp); ok {
			calls = append(calls, schedCall{at, args})
		}
	}
	return calls
}

func (l schedLog) count(name string) int { return len(l.calls(name)) }

// between counts the calls of name in [from, to).
func (l schedLog) between(name string, from, to time.Time) []schedCall {
	var in []schedCall
	for _, c := range l.calls(name) {
		if !c.at.Before(from) && c.at.Before(to) {
			in = append(in, c)
		}
	}
	return in
}

// parseDateStamp reads `date +%s.%N`.
func parseDateStamp(s string) (time.Time, bool) {
	sec, frac, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return time.Time{}, false
	}
	n, err1 := strconv.ParseInt(sec, 10, 64)
	ns, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, false
	}
	return time.Unix(n, ns), true
}

// readDateStamp reads a file written by `date +%s.%N`.
func readDateStamp(tb testing.TB, path string) time.Time {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	at, ok := parseDateStamp(string(b))
	if !ok {
		tb.Fatalf("%s: %q is not a time stamp", path, b)
	}
	return at
}

// benchTrials is the latest record of each trial of the state file of
// dir (one search), by number.
func benchTrials(t testing.TB, dir string) map[int]stateRecord {
	return latestByNumber(stateRecords(t, dir))
}

// countLatest counts the trials of dir for which keep is true.
func countLatest(t testing.TB, dir string, keep func(stateRecord) bool) int {
	n := 0
	for _, tr := range benchTrials(t, dir) {
		if keep(tr) {
			n++
		}
	}
	return n
}

// runningWithHandle is a trial recorded running with its job's handle.
func runningWithHandle(tr stateRecord) bool {
	return tr.Status == "running" && strings.HasPrefix(tr.Job, "slurm:")
}

// startSlurmApply starts apply in dir with the wrappers of log first in
// its PATH; it is killed when the benchmark ends if still running.
func startSlurmApply(tb testing.TB, dir string, log schedLog) *bgApply {
	tb.Helper()
	return startBgApply(tb, dir, "PATH="+log.dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// waitFor polls cond every interval until it holds, failing after
// timeout or when apply has exited first.
func (a *bgApply) waitFor(tb testing.TB, what string, timeout, interval time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if a.exited() {
			if cond() {
				return
			}
			tb.Fatalf("apply exited (%v) before %s\n%s", a.err, what, a.out.String())
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s\n%s", timeout, what, a.out.String())
		}
		time.Sleep(interval)
	}
}

// interruptTwice stops apply as a user does with two Ctrl-C, the second
// once apply has said it drains, and returns how long after the second
// the search's jobs had all left the queue and apply had exited. It
// fails unless apply exits non-zero with no job of the search left.
func (a *bgApply) interruptTwice(tb testing.TB, name string) (cleared, exited time.Duration) {
	tb.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGINT); err != nil {
		tb.Fatal(err)
	}
	a.waitFor(tb, "apply to take the first interrupt", 2*time.Minute, 50*time.Millisecond, func() bool {
		return strings.Contains(a.out.String(), "Interrupt received")
	})
	second := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGINT); err != nil {
		tb.Fatal(err)
	}
	active := func(j slurmtest.Job) bool { return ofSearch(name)(j) && !j.Final() }
	deadline := second.Add(5 * time.Minute)
	for cleared == 0 || exited == 0 {
		if exited == 0 && a.exited() {
			exited = a.ended.Sub(second)
		}
		if cleared == 0 && len(slurmtest.JobsWhere(tb, active)) == 0 {
			cleared = time.Since(second)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("5 minutes after the second interrupt: apply exited %v, jobs left %d\n%s", a.exited(), len(slurmtest.JobsWhere(tb, active)), a.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if a.err == nil {
		tb.Errorf("apply after two interrupts exited 0\n%s", a.out.String())
	}
	if left := slurmtest.JobsWhere(tb, active); len(left) != 0 {
		tb.Errorf("after apply exited, jobs of the search are still in the queue: %+v", left)
	}
	return cleared, exited
}

// benchSearchName is a search name unique to one run, so that the jobs
// named after it are this run's only.
func benchSearchName(kind string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "bench_" + kind + "_" + hex.EncodeToString(b[:])
}

// writeBenchSearch writes dir/main.fw.hcl: the executor block with attrs,
// then search name with its settings and trial command (HCL, indented),
// trial directories under dir/runs. The search's jobs still active when
// the benchmark ends are cancelled.
func writeBenchSearch(tb testing.TB, dir, name, attrs, settings, command string) {
	tb.Helper()
	c := slurmtest.Require(tb)
	src := fmt.Sprintf(`executor "slurm" "bench" {
  partition = %q
  %s
}

search %q {
  metric          = "score"
  mode            = "min"
  experiment_root = %q
  %s
  trial {
    command  = %s
    timeout  = "60s"
    executor = executor.slurm.bench
  }
}
`, c.Partition, attrs, name, filepath.Join(dir, "runs"), settings, command)
	if err := os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { slurmtest.CancelWhere(tb, ofSearch(name)) })
}

// BenchmarkSlurmApplyGrid1000: a grid of 1,000 points with array = true
// and parallelism 8, held back by --begin so that nothing runs. It
// reports the sbatch calls (one array: the cluster's MaxArraySize is
// above 1,000), the time from starting apply to all 1,000 handles in the
// state, and, after two interrupts, the time until the queue holds none
// of the search's tasks and apply has exited.
func BenchmarkSlurmApplyGrid1000(b *testing.B) {
	slurmtest.Require(b)
	var handles, afterSbatch, cleared, exited time.Duration
	var sbatches, squeues, scontrols, scancels, iters int
	for b.Loop() {
		dir := slurmtest.SharedDir(b)
		name := benchSearchName("grid")
		writeBenchSearch(b, dir, name,
			"array      = true\n  extra_args = [\"--begin=now+1hour\"]",
			`strategy    = "grid"
  parallelism = 8
  base_config = { x = 0, y = 0, behavior = "ok", sleep_ms = 0 }
  param "x" {
    type = integer
    low  = 0
    high = 39
  }
  param "y" {
    type = integer
    low  = 0
    high = 24
  }`, fmt.Sprintf("[%q]", trialBinary))
		log := wrapSlurm(b)
		a := startSlurmApply(b, dir, log)
		a.waitFor(b, "1,000 trials recorded with their jobs", 10*time.Minute, 200*time.Millisecond, func() bool {
			return countLatest(b, dir, runningWithHandle) == 1000
		})
		recorded := time.Now()
		tasks := map[string]bool{}
		for _, tr := range benchTrials(b, dir) {
			tasks[tr.Job] = true
		}
		if len(tasks) != 1000 {
			b.Errorf("%d distinct handles for 1,000 trials", len(tasks))
		}
		calls := log.calls("sbatch")
		if len(calls) == 0 {
			b.Fatalf("1,000 trials recorded with jobs, but sbatch was never called\n%s", a.out.String())
		}
		handles += recorded.Sub(a.start)
		afterSbatch += recorded.Sub(calls[0].at)
		sbatches += len(calls)
		if want := arraysFor(b, 1000); len(calls) > want {
			b.Errorf("%d sbatch calls for 1,000 trials; the cluster's MaxArraySize allows %d arrays: %s", len(calls), want, arrayArgs(calls))
		}
		for _, c := range calls {
			if !strings.Contains(c.args, "--array=") {
				b.Errorf("sbatch call without --array: %s", c.args)
			}
		}
		c, e := a.interruptTwice(b, name)
		cleared += c
		exited += e
		if n := countLatest(b, dir, func(tr stateRecord) bool { return tr.Status == "interrupted" }); n != 1000 {
			b.Errorf("%d trials recorded interrupted after the second interrupt, want 1,000\n%s", n, a.out.String())
		}
		squeues += log.count("squeue")
		scontrols += log.count("scontrol")
		scancels += log.count("scancel")
		iters++
		b.Logf("1,000-point grid: %d sbatch call(s) (%s), all handles recorded %v after apply started (%v after the first sbatch); second interrupt: queue clear after %v, apply exited after %v; in all %d squeue, %d scontrol, %d scancel calls",
			len(calls), arrayArgs(calls), recorded.Sub(a.start).Round(time.Millisecond), recorded.Sub(calls[0].at).Round(time.Millisecond),
			c.Round(time.Millisecond), e.Round(time.Millisecond), log.count("squeue"), log.count("scontrol"), log.count("scancel"))
		b.Logf("scancel calls: %s; scontrol calls: %s", callArgs(log.calls("scancel"), 5), callArgs(log.calls("scontrol"), 3))
		slurmtest.CancelWhere(b, ofSearch(name))
	}
	n := float64(iters)
	b.ReportMetric(float64(sbatches)/n, "sbatch-calls/1000-trials")
	b.ReportMetric(handles.Seconds()/n, "s-to-all-handles")
	b.ReportMetric(afterSbatch.Seconds()/n, "s-sbatch-to-all-handles")
	b.ReportMetric(cleared.Seconds()/n, "s-2nd-SIGINT-to-queue-clear")
	b.ReportMetric(exited.Seconds()/n, "s-2nd-SIGINT-to-exit")
	b.ReportMetric(float64(squeues)/n, "squeue-calls")
	b.ReportMetric(float64(scontrols)/n, "scontrol-calls")
	b.ReportMetric(float64(scancels)/n, "scancel-calls")
}

// arraysFor is the number of job arrays n tasks need on the cluster: one
// per MaxArraySize (array indices run from 0 to MaxArraySize-1).
func arraysFor(tb testing.TB, n int) int {
	tb.Helper()
	for _, line := range strings.Split(slurmtest.Command(tb, "scontrol", "show", "config"), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "MaxArraySize" {
			size, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || size < 1 {
				tb.Fatalf("scontrol show config: %q", line)
			}
			return (n + size - 1) / size
		}
	}
	tb.Fatal("scontrol show config gives no MaxArraySize")
	return 0
}

// arrayArgs are the --array options of the calls.
func arrayArgs(calls []schedCall) string {
	var arrays []string
	for _, c := range calls {
		for _, f := range strings.Fields(c.args) {
			if strings.HasPrefix(f, "--array=") {
				arrays = append(arrays, f)
			}
		}
	}
	return strings.Join(arrays, " ")
}

// callArgs writes the arguments of the first max calls, cut to 100
// characters each, and how many more there were.
func callArgs(calls []schedCall, max int) string {
	var s []string
	for i, c := range calls {
		if i == max {
			s = append(s, fmt.Sprintf("and %d more", len(calls)-max))
			break
		}
		args := c.args
		if len(args) > 100 {
			args = args[:100] + "..."
		}
		s = append(s, fmt.Sprintf("%q", args))
	}
	return strings.Join(s, ", ")
}

// BenchmarkSlurmApplyPolling: 100 trials, one job each, all queued at
// once (parallelism 100) and held back by --begin; once all of them have
// their handles in the state, it counts apply's squeue calls for two
// minutes, with adaptive polling and with poll = "5s", then stops apply
// with two interrupts. It reports squeue calls per minute while the 100
// jobs are queued, in the first minute (adaptive polling backs off from
// 1 s during it) and in the second, and the sbatch, squeue and scontrol
// calls of the whole apply.
func BenchmarkSlurmApplyPolling(b *testing.B) {
	for _, tc := range []struct{ name, poll string }{
		{"adaptive", ""},
		{"poll=5s", `poll       = "5s"`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			slurmtest.Require(b)
			const window = time.Minute
			var perMin, perMin2 float64
			var sbatches, squeues, scontrols, submitSqueues, iters int
			var cleared, exited time.Duration
			for b.Loop() {
				dir := slurmtest.SharedDir(b)
				name := benchSearchName("poll")
				writeBenchSearch(b, dir, name,
					"extra_args = [\"--begin=now+1hour\"]\n  "+tc.poll,
					`strategy    = "random"
  trials      = 100
  seed        = 5
  parallelism = 100
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }`, fmt.Sprintf("[%q]", trialBinary))
				log := wrapSlurm(b)
				a := startSlurmApply(b, dir, log)
				a.waitFor(b, "100 trials recorded with their jobs", 10*time.Minute, 100*time.Millisecond, func() bool {
					return countLatest(b, dir, runningWithHandle) == 100
				})
				from := time.Now()
				submitSqueues += log.count("squeue")
				time.Sleep(2 * window)
				to := time.Now()
				mid := from.Add(window)
				in := log.between("squeue", from, to)
				perMin += float64(len(log.between("squeue", from, mid))) / window.Minutes()
				perMin2 += float64(len(log.between("squeue", mid, to))) / to.Sub(mid).Minutes()
				if a.exited() {
					b.Fatalf("apply exited while its jobs were queued\n%s", a.out.String())
				}
				if n := countLatest(b, dir, runningWithHandle); n != 100 {
					b.Errorf("%d trials running with jobs at the end of the window, want 100", n)
				}
				c, e := a.interruptTwice(b, name)
				cleared += c
				exited += e
				if n := countLatest(b, dir, func(tr stateRecord) bool { return tr.Status == "interrupted" }); n != 100 {
					b.Errorf("%d trials recorded interrupted after the second interrupt, want 100\n%s", n, a.out.String())
				}
				sbatches += log.count("sbatch")
				squeues += log.count("squeue")
				scontrols += log.count("scontrol")
				iters++
				b.Logf("100 jobs queued, %s: %d squeue calls in %v (gaps %s), %d in the first minute; whole apply: %d sbatch, %d squeue (%d before all handles were recorded), %d scontrol, %d scancel calls; second interrupt: queue clear after %v, apply exited after %v",
					tc.name, len(in), to.Sub(from).Round(time.Millisecond), callGaps(from, in), len(log.between("squeue", from, mid)), log.count("sbatch"), log.count("squeue"),
					len(log.between("squeue", a.start, from)), log.count("scontrol"), log.count("scancel"), c.Round(time.Millisecond), e.Round(time.Millisecond))
				slurmtest.CancelWhere(b, ofSearch(name))
			}
			n := float64(iters)
			b.ReportMetric(perMin/n, "squeue-calls/min")
			b.ReportMetric(perMin2/n, "squeue-calls/min-2nd-minute")
			b.ReportMetric(float64(sbatches)/n, "sbatch-calls")
			b.ReportMetric(float64(squeues)/n, "squeue-calls")
			b.ReportMetric(float64(submitSqueues)/n, "squeue-calls-to-all-handles")
			b.ReportMetric(float64(scontrols)/n, "scontrol-calls")
			b.ReportMetric(cleared.Seconds()/n, "s-2nd-SIGINT-to-queue-clear")
			b.ReportMetric(exited.Seconds()/n, "s-2nd-SIGINT-to-exit")
		})
	}
}

// callGaps writes the intervals between from and the calls, and between
// calls, in seconds: "1.0 1.5 2.3 ...".
func callGaps(from time.Time, calls []schedCall) string {
	var s []string
	prev := from
	for _, c := range calls {
		s = append(s, strconv.FormatFloat(c.at.Sub(prev).Seconds(), 'f', 1, 64))
		prev = c.at
	}
	return strings.Join(s, " ")
}

// BenchmarkSlurmApplyLatency: a random search of 12 quick trials, one at
// a time, on the adaptive poller. Each trial writes the time when it
// starts and ends into its directory; the sbatch wrapper logs when apply
// submitted it, and a watcher of the state file when apply recorded its
// result. It reports the medians of submit-to-start (sbatch called to
// the trial's first line) and end-to-record (the trial's last line to
// its completed record in the state, to the watcher's 10 ms), the time
// per trial (between consecutive records, and apply's wall time over
// the trials), and, for comparison, the queue wait apply recorded
// (Slurm's times, whole seconds).
func BenchmarkSlurmApplyLatency(b *testing.B) {
	slurmtest.Require(b)
	const trials = 12
	const quick = `date +%s.%N > "$FW_TRIAL_DIR/start"; echo '{"score": 0.5}' > "$FW_METRICS"; date +%s.%N > "$FW_TRIAL_DIR/end"`
	var toStart, toRecord, cycle, recordedQueue, wall []time.Duration
	for b.Loop() {
		dir := slurmtest.SharedDir(b)
		name := benchSearchName("latency")
		writeBenchSearch(b, dir, name, "", fmt.Sprintf(`strategy    = "random"
  trials      = %d
  seed        = 5
  parallelism = 1
  base_config = { x = 0.5 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }`, trials), fmt.Sprintf("[\"sh\", \"-c\", %q]", quick))
		log := wrapSlurm(b)

		// The watcher: when each trial's completed record first appears.
		var mu sync.Mutex
		seen := map[int]time.Time{}
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				now := time.Now()
				for n, tr := range benchTrials(b, dir) {
					mu.Lock()
					if _, ok := seen[n]; !ok && tr.Status == "completed" {
						seen[n] = now
					}
					mu.Unlock()
				}
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		a := startSlurmApply(b, dir, log)
		a.waitFor(b, "apply to end", 10*time.Minute, 100*time.Millisecond, func() bool { return a.exited() })
		close(stop)
		<-stopped
		if a.err != nil {
			b.Fatalf("apply: %v\n%s", a.err, a.out.String())
		}
		wall = append(wall, a.ended.Sub(a.start)/trials)

		submitted := map[int]time.Time{}
		for _, c := range log.calls("sbatch") {
			for _, f := range strings.Fields(c.args) {
				if job, ok := strings.CutPrefix(f, "--job-name="); ok {
					// fw.<lineage>.<search>.<number>.<attempt>
					parts := strings.Split(job, ".")
					if n, err := strconv.Atoi(parts[len(parts)-2]); err == nil && strings.Contains(job, "."+name+".") {
						submitted[n] = c.at
					}
				}
			}
		}
		recs := benchTrials(b, dir)
		if len(recs) != trials || len(submitted) != trials {
			b.Fatalf("%d trials recorded, %d submitted; want %d\n%s", len(recs), len(submitted), trials, a.out.String())
		}
		var done []time.Time
		var rows []string
		for n := range trials {
			tr := recs[n]
			if tr.Status != "completed" {
				b.Fatalf("trial %d: %q", n, tr.Status)
			}
			start := readDateStamp(b, filepath.Join(tr.Dir, "start"))
			end := readDateStamp(b, filepath.Join(tr.Dir, "end"))
			rows = append(rows, fmt.Sprintf("trial %2d: submitted %s, started +%v, ended +%v, recorded +%v (queued %gs as recorded)", n,
				submitted[n].Format("15:04:05.000"), start.Sub(submitted[n]).Round(time.Millisecond),
				end.Sub(submitted[n]).Round(time.Millisecond), seen[n].Sub(submitted[n]).Round(time.Millisecond), tr.QueuedS))
			toStart = append(toStart, start.Sub(submitted[n]))
			toRecord = append(toRecord, seen[n].Sub(end))
			recordedQueue = append(recordedQueue, time.Duration(tr.QueuedS*float64(time.Second)))
			done = append(done, seen[n])
		}
		slices.SortFunc(done, func(x, y time.Time) int { return x.Compare(y) })
		for i := 1; i < len(done); i++ {
			cycle = append(cycle, done[i].Sub(done[i-1]))
		}
		b.Logf("per trial, from its sbatch call:\n%s", strings.Join(rows, "\n"))
		b.Logf("%d trials: apply took %v, %v per trial; squeue %d, scontrol %d, sbatch %d calls",
			trials, a.ended.Sub(a.start).Round(time.Millisecond), (a.ended.Sub(a.start) / trials).Round(time.Millisecond),
			log.count("squeue"), log.count("scontrol"), log.count("sbatch"))
		slurmtest.CancelWhere(b, ofSearch(name))
	}
	b.ReportMetric(float64(medianDuration(toStart).Milliseconds()), "submit-to-start-ms")
	b.ReportMetric(float64(medianDuration(toRecord).Milliseconds()), "end-to-record-ms")
	b.ReportMetric(float64(medianDuration(cycle).Milliseconds()), "record-to-record-ms")
	b.ReportMetric(float64(medianDuration(wall).Milliseconds()), "apply-wall-ms/trial")
	b.ReportMetric(float64(medianDuration(recordedQueue).Milliseconds()), "recorded-queued-ms")
	b.Logf("submit-to-start median %v (%v..%v); end-to-record median %v (%v..%v); record to record median %v; queue wait recorded by apply (Slurm's whole seconds) median %v (%v..%v)",
		medianDuration(toStart), slices.Min(toStart), slices.Max(toStart), medianDuration(toRecord), slices.Min(toRecord), slices.Max(toRecord),
		medianDuration(cycle), medianDuration(recordedQueue), slices.Min(recordedQueue), slices.Max(recordedQueue))
}

// medianDuration is the median of ds (the upper one of an even count).
func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}
