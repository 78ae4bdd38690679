package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/vbauerster/mpb/v8"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// prunedReason4 is the reason the pruner stopped trial 4 of prunedFixture.
const prunedReason4 = "pruned at step 2: val_loss 0.8 worse than median 0.45 of 2 trials"

// prunedFixture is the fixture with a median pruner on val_loss, trial 4
// pruned at step 2 and trial 5 running; trial 3 runs too.
func prunedFixture(t testing.TB) (*definition.Definition, *state.State) {
	t.Helper()
	def, st := fixture(t)
	s := def.Searches[0]
	s.Pruner = &definition.Pruner{Kind: definition.PrunerMedian, StartupTrials: 2, Interval: 1,
		DeclRange: hcl.Range{Filename: "search.fw.hcl", Start: hcl.Pos{Line: 9, Column: 3, Byte: 120}, End: hcl.Pos{Line: 9, Column: 19, Byte: 136}}}
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	base := st.Trial("coarse", 0)
	pruned := base.Clone()
	pruned.Number, pruned.Status, pruned.Metrics, pruned.Error = 4, state.Pruned, nil, prunedReason4
	pruned.Started, pruned.Ended = t0, t0.Add(1500*time.Millisecond)
	pruned.Steps = []state.Step{{Step: 1, Value: 0.9}, {Step: 2, Value: 0.8}}
	pruned.Pruned = &state.Step{Step: 2, Value: 0.8}
	pruned.Dir = "/work/exp/.fw/trials/coarse/4"
	running := base.Clone()
	running.Number, running.Status, running.Metrics, running.Ended = 5, state.Running, nil, time.Time{}
	running.Dir = "/work/exp/.fw/trials/coarse/5"
	for _, tr := range []*state.Trial{pruned, running} {
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
	return def, st
}

// fakeProgress is the LastProgress of prunedFixture's trial directories:
// trial 5 is at step 12; the others have no progress. It counts the
// directories it was asked about.
type fakeProgress struct {
	mu   sync.Mutex
	read []string
}

func (f *fakeProgress) last(dir string) *runtime.ProgressLine {
	f.mu.Lock()
	f.read = append(f.read, dir)
	f.mu.Unlock()
	if dir == "/work/exp/.fw/trials/coarse/5" {
		return &runtime.ProgressLine{Step: 12, Metrics: map[string]float64{"val_loss": 0.231, "grad_norm": math.Inf(1), "lr": 0.001}}
	}
	return nil
}

// prunedSession is the events of an apply of prunedFixture in which
// trial 4 reports progress twice (a NaN and an infinity among it), is
// pruned and ends pruned, and trial 5 reports progress.
func prunedSession(t *testing.T) []apply.Event {
	t.Helper()
	_, st := prunedFixture(t)
	p4 := st.Trial("coarse", 4)
	r4 := p4.Clone()
	r4.Status, r4.Error, r4.Ended, r4.Steps, r4.Pruned = state.Running, "", time.Time{}, nil, nil
	r5 := st.Trial("coarse", 5)
	best := st.Trial("coarse", 1)
	p := func(done, pruned, running int) apply.Progress {
		return apply.Progress{Total: 10, Done: done, Pruned: pruned, Running: running, Best: best}
	}
	line := func(step int64, m map[string]float64) *runtime.ProgressLine {
		return &runtime.ProgressLine{Step: step, Metrics: m}
	}
	return []apply.Event{
		{Kind: apply.TrialStarted, Search: "coarse", Trial: r4, Progress: p(0, 0, 1)},
		{Kind: apply.TrialStarted, Search: "coarse", Trial: r5, Progress: p(0, 0, 2)},
		{Kind: apply.TrialProgress, Search: "coarse", Trial: r4, Line: line(1, map[string]float64{"val_loss": 0.9, "loss": math.NaN()}), Progress: p(0, 0, 2)},
		{Kind: apply.TrialProgress, Search: "coarse", Trial: r5, Line: line(1, map[string]float64{"val_loss": 0.5, "grad_norm": math.Inf(-1)}), Progress: p(0, 0, 2)},
		{Kind: apply.TrialProgress, Search: "coarse", Trial: r4, Line: line(2, map[string]float64{"val_loss": 0.8}), Progress: p(0, 0, 2)},
		{Kind: apply.TrialPruned, Search: "coarse", Trial: r4, Prune: &apply.PruneDecision{Metric: "val_loss", Step: 2, Value: 0.8, Reason: prunedReason4}, Progress: p(0, 0, 2)},
		{Kind: apply.TrialEnded, Search: "coarse", Trial: p4, Result: &runtime.Result{Outcome: runtime.Failed, Error: "signal: terminated",
			StdoutLog: "/work/exp/.fw/trials/coarse/4/stdout.log", StderrLog: "/work/exp/.fw/trials/coarse/4/stderr.log", StderrTail: []string{"Terminated"}}, Progress: p(1, 1, 1)},
	}
}

// TestApplyEventsPruned: apply -json writes trial_progress (non-finite
// values as strings) and trial_pruned events, a pruned trial_finished,
// and counts pruned trials in the progress and in the summary
// (apply_events_pruned.golden); every line is one JSON object.
func TestApplyEventsPruned(t *testing.T) {
	def, st := prunedFixture(t)
	var out bytes.Buffer
	e := NewApplyEvents(&out, def, 3)
	e.now = fixedClock()
	for _, ev := range prunedSession(t) {
		e.Observe(ev)
	}
	e.Summary(&apply.Result{Searches: []*apply.SearchResult{{Name: "coarse", Pruned: 1, NotRun: 8, Kept: 2,
		BestBefore: st.Trial("coarse", 1), BestAfter: st.Trial("coarse", 1), PrunerUnfed: true}}})
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	golden(t, "apply_events_pruned", out.String())

	var types []string
	for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d is not one JSON object: %v\n%s", i+1, err, line)
		}
		types = append(types, ev["type"].(string))
		switch ev["type"] {
		case "trial_progress":
			if _, ok := ev["metrics"].(map[string]any); !ok {
				t.Errorf("line %d: no metrics object: %s", i+1, line)
			}
		case "trial_pruned":
			if ev["step"] != 2.0 || ev["metric"] != "val_loss" || ev["value"] != 0.8 || ev["reason"] != prunedReason4 {
				t.Errorf("line %d: trial_pruned %v", i+1, ev)
			}
		case "trial_finished":
			if ev["status"] != "pruned" || ev["stderr_tail"] != nil || ev["score"] != nil {
				t.Errorf("line %d: a pruned trial_finished with status %v, stderr_tail %v, score %v", i+1, ev["status"], ev["stderr_tail"], ev["score"])
			}
			if p := ev["progress"].(map[string]any); p["pruned"] != 1.0 {
				t.Errorf("line %d: progress.pruned = %v", i+1, p["pruned"])
			}
		case "summary":
			s := ev["searches"].(map[string]any)["coarse"].(map[string]any)
			if s["pruned"] != 1.0 || s["pruner_unfed"] != true {
				t.Errorf("summary: pruned %v, pruner_unfed %v", s["pruned"], s["pruner_unfed"])
			}
		}
	}
	want := []string{"trial_started", "trial_started", "trial_progress", "trial_progress", "trial_progress", "trial_pruned", "trial_finished", "summary"}
	if d := cmp.Diff(want, types); d != "" {
		t.Errorf("event types (-want +got):\n%s", d)
	}
	for _, s := range []string{`"loss":"NaN"`, `"grad_norm":"-Infinity"`} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("no %s in the stream:\n%s", s, out.String())
		}
	}
}

func TestJSONNumber(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{{0.5, "0.5"}, {-3, "-3"}, {math.NaN(), `"NaN"`}, {math.Inf(1), `"Infinity"`}, {math.Inf(-1), `"-Infinity"`}, {1e-7, "1e-7"}} {
		b, err := json.Marshal(JSONNumber(tc.x))
		if err != nil || string(b) != tc.want {
			t.Errorf("JSONNumber(%v) encodes as %s (%v), want %s", tc.x, b, err, tc.want)
		}
	}
}

// TestApplyProgressPruned: the plain view prints the pruner's decision on
// one line, and the pruned trial's end as pruned, not as a failure (no
// stderr, though the process died of the SIGTERM), counting it apart;
// progress lines print nothing (apply_progress_pruned.golden).
func TestApplyProgressPruned(t *testing.T) {
	def, _ := prunedFixture(t)
	out := render(func(v *View) {
		p := &ApplyProgress{View: v, Def: def, Failures: Failures{StderrLines: 3, BaseDir: "/work/exp"}}
		for _, ev := range prunedSession(t) {
			p.Observe(ev)
		}
	})
	golden(t, "apply_progress_pruned", out)
	for _, want := range []string{
		"search.coarse[4]: " + prunedReason4 + "\n",
		"search.coarse: trial 4 pruned at step 2  [1/10, 1 pruned, best 0.333333 (trial 1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, not := range []string{"failed", "stderr", "Terminated", "step 1"} {
		if strings.Contains(out, not) {
			t.Errorf("%q in the plain progress of a pruned trial:\n%s", not, out)
		}
	}
}

// TestApplySummaryPruned: the summary counts pruned trials apart, per
// search and in all (summary_pruned.golden); without pruned trials it
// says nothing of them.
func TestApplySummaryPruned(t *testing.T) {
	def, st := prunedFixture(t)
	best := st.Trial("coarse", 1)
	res := &apply.Result{Searches: []*apply.SearchResult{{Name: "coarse", Completed: 12, Pruned: 5, Failed: 1, Kept: 2, BestBefore: best, BestAfter: best}}}
	out := render(func(v *View) { v.ApplySummary(res, def) })
	golden(t, "summary_pruned", out)
	for _, want := range []string{"search.coarse: 12 completed, 5 pruned, 1 failed", "Apply complete! 12 trials completed, 5 pruned, 1 failed."} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	res.Searches[0].Pruned = 0
	if out := render(func(v *View) { v.ApplySummary(res, def) }); strings.Contains(out, "pruned") {
		t.Errorf("a summary without pruned trials mentions them:\n%s", out)
	}
}

// TestPrunerWarnings: a search whose pruner never saw its metric gets a
// warning at its pruner block; the others none.
func TestPrunerWarnings(t *testing.T) {
	def, _ := prunedFixture(t)
	def.Searches[0].Pruner.Metric = "val_acc"
	res := &apply.Result{Searches: []*apply.SearchResult{{Name: "coarse", PrunerUnfed: true}}}
	out := render(func(v *View) { v.PrunerWarnings(res, def) })
	out = strings.Join(strings.Fields(out), " ") // the detail is wrapped
	for _, want := range []string{
		"Warning: The pruner of search.coarse never saw val_acc",
		"No trial reported it in its progress (FW_PROGRESS), so nothing was pruned.",
		`"val_acc": 0.42`,
		"search.fw.hcl line 9",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	res.Searches[0].PrunerUnfed = false
	if out := render(func(v *View) { v.PrunerWarnings(res, def) }); out != "" {
		t.Errorf("a warning for a fed pruner: %q", out)
	}
}

func TestPrunerMetric(t *testing.T) {
	def, _ := prunedFixture(t)
	s := def.Searches[0]
	if got := PrunerMetric(s); got != "val_loss" {
		t.Errorf("default pruner metric %q, want the search's val_loss", got)
	}
	s.Pruner.Metric = "val_acc"
	if got := PrunerMetric(s); got != "val_acc" {
		t.Errorf("pruner metric %q, want val_acc", got)
	}
	s.Pruner = nil
	if got := PrunerMetric(s); got != "val_loss" {
		t.Errorf("no pruner: %q, want the search's metric", got)
	}
	if got := PrunerMetric(nil); got != "" {
		t.Errorf("no search: %q", got)
	}
}

func TestRunningLine(t *testing.T) {
	def, _ := prunedFixture(t)
	s := def.Searches[0]
	line := func(m map[string]float64) *runtime.ProgressLine { return &runtime.ProgressLine{Step: 12, Metrics: m} }
	for _, tc := range []struct {
		name string
		s    *definition.Search
		rt   runningTrial
		want string
	}{
		{"search metric", s, runningTrial{line: line(map[string]float64{"a": 1, "val_loss": 0.231})}, "#7 step 12 val_loss 0.231"},
		{"first by name", s, runningTrial{line: line(map[string]float64{"zeta": 1, "acc": 0.5})}, "#7 step 12 acc 0.5"},
		{"no metric", s, runningTrial{line: line(nil)}, "#7 step 12"},
		{"NaN", s, runningTrial{line: line(map[string]float64{"val_loss": math.NaN()})}, "#7 step 12 val_loss NaN"},
		{"no progress", s, runningTrial{}, "#7 no progress yet"},
		{"pruning", s, runningTrial{line: line(map[string]float64{"val_loss": 0.9}), pruning: true}, "#7 step 12 val_loss 0.9: pruned, stopping"},
		{"no definition", nil, runningTrial{line: line(map[string]float64{"val_loss": 0.2, "b": 3})}, "#7 step 12 b 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runningLine(tc.s, 7, &tc.rt); got != tc.want {
				t.Errorf("runningLine = %q, want %q", got, tc.want)
			}
		})
	}
	// The pruner's metric comes before the first by name.
	s.Pruner.Metric = "val_acc"
	if got := runningLine(s, 7, &runningTrial{line: line(map[string]float64{"a": 1, "val_acc": 0.8})}); got != "#7 step 12 val_acc 0.8" {
		t.Errorf("runningLine = %q, want the pruner's metric", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the bars' goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestApplyBarsProgress: once trials report progress, the bars list each
// running trial with its last step and metric, and drop it when it ends;
// a pruned trial's end is printed above the bars as pruned, with the
// reason, and counted apart, not as failed.
func TestApplyBarsProgress(t *testing.T) {
	def, st := prunedFixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	v := &View{Stdout: &out, Stderr: &out}
	bars := newApplyBars(v, &out, def, p, mpb.WithAutoRefresh(), mpb.WithWidth(160), mpb.WithRefreshRate(5*time.Millisecond))
	session := prunedSession(t)
	for _, ev := range session[:5] { // trial 4 at step 2, trial 5 at step 1
		bars.Observe(ev)
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("the bars never drew %q:\n%s", want, out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("  #4 step 2 val_loss 0.8\n")
	waitFor("  #5 step 1 val_loss 0.5\n")
	for _, ev := range session[5:] {
		bars.Observe(ev)
	}
	waitFor("search.coarse: trial 4 " + prunedReason4 + "\n")
	waitFor("1 pruned")
	if got := bars.trialLine("coarse", 0); got != "  #5 step 1 val_loss 0.5" {
		t.Errorf("after trial 4 ended the first line is %q, want trial 5's", got)
	}
	if got := bars.trialLine("coarse", 1); got != "" {
		t.Errorf("an ended trial keeps its line: %q", got)
	}
	bars.Wait()
	if strings.Contains(out.String(), "failed") {
		t.Errorf("a pruned trial shown as failed:\n%s", out.String())
	}
}

// TestApplyBarsTrialLines: no line per trial until one reports progress;
// at most maxTrialLines, the last saying how many more run; each trial
// keeps only its last progress line, however many it reports.
func TestApplyBarsTrialLines(t *testing.T) {
	def, st := prunedFixture(t)
	p, _ := plan.Make(def, st, plan.Options{})
	var out syncBuffer
	bars := newApplyBars(&View{Stdout: &out, Stderr: &out}, &out, def, p, mpb.WithAutoRefresh(), mpb.WithWidth(160))
	defer bars.Wait()
	start := func(n int) *state.Trial {
		tr := st.Trial("coarse", 5).Clone()
		tr.Number = n
		bars.Observe(apply.Event{Kind: apply.TrialStarted, Search: "coarse", Trial: tr})
		return tr
	}
	var trials []*state.Trial
	for n := range maxTrialLines + 3 {
		trials = append(trials, start(100+n))
	}
	if got := bars.trialLine("coarse", 0); got != "" {
		t.Errorf("a line before any progress: %q", got)
	}
	for step := range 10000 {
		bars.Observe(apply.Event{Kind: apply.TrialProgress, Search: "coarse", Trial: trials[0],
			Line: &runtime.ProgressLine{Step: int64(step), Metrics: map[string]float64{"val_loss": float64(step)}}})
	}
	var lines []string
	for i := range maxTrialLines + 1 {
		lines = append(lines, bars.trialLine("coarse", i))
	}
	want := []string{"  #100 step 9999 val_loss 9999"}
	for n := 101; n < 100+maxTrialLines-1; n++ {
		want = append(want, fmt.Sprintf("  #%d no progress yet", n))
	}
	want = append(want, "  … and 4 more running", "")
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("trial lines (-want +got):\n%s", d)
	}
	if rt := bars.running["coarse"]; len(rt.trials) != maxTrialLines+3 || rt.trials[100].line.Step != 9999 {
		t.Errorf("kept %d trials, trial 100 at %+v", len(rt.trials), rt.trials[100].line)
	}
}

// BenchmarkApplyBarsProgress is the cost of taking in one progress line:
// it must not grow with the lines a trial reported before.
func BenchmarkApplyBarsProgress(b *testing.B) {
	def, st := prunedFixture(b)
	p, _ := plan.Make(def, st, plan.Options{})
	var out syncBuffer
	bars := newApplyBars(&View{Stdout: &out, Stderr: &out}, &out, def, p, mpb.WithAutoRefresh(), mpb.WithWidth(160))
	defer bars.Wait()
	tr := st.Trial("coarse", 5)
	bars.Observe(apply.Event{Kind: apply.TrialStarted, Search: "coarse", Trial: tr})
	line := &runtime.ProgressLine{Step: 1, Metrics: map[string]float64{"val_loss": 0.5}}
	b.ReportAllocs()
	for b.Loop() {
		bars.Observe(apply.Event{Kind: apply.TrialProgress, Search: "coarse", Trial: tr, Line: line})
	}
}

// TestShowPruned: show counts pruned trials apart, shows the step a
// pruned trial was stopped at (not its reason as an error) and a running
// trial's last progress (show_pruned.golden, show_pruned_json.golden);
// the streamed JSON is the same document, and both read the progress of
// running trials only.
func TestShowPruned(t *testing.T) {
	def, st := prunedFixture(t)
	var fp fakeProgress
	doc := NewShowJSON(def, st, []string{"coarse"}).AddProgress(fp.last)
	if want := []string{"/work/exp/.fw/trials/coarse/5"}; !cmp.Equal(fp.read, want) {
		t.Errorf("read the progress of %q, want the running trials' %q", fp.read, want)
	}
	text := render(func(v *View) { v.Show(doc, def) })
	golden(t, "show_pruned", text)
	for _, want := range []string{
		"6 trials, 2 completed, 1 pruned, 1 failed, 2 running",
		"4  pruned at step 2   -",
		"5  running (step 12)  0.231",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "error: pruned") {
		t.Errorf("a pruned trial's reason shown as an error:\n%s", text)
	}
	js := render(func(v *View) { v.JSON(doc) })
	golden(t, "show_pruned_json", js)
	var streamed bytes.Buffer
	fp.read = nil
	if err := (&View{Stdout: &streamed}).WriteShowJSON(def, st, []string{"coarse"}, nil, fp.last); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(js, streamed.String()); d != "" {
		t.Errorf("streamed show -json differs (-encoded +streamed):\n%s", d)
	}
	if want := []string{"/work/exp/.fw/trials/coarse/5"}; !cmp.Equal(fp.read, want) {
		t.Errorf("streaming read the progress of %q, want %q", fp.read, want)
	}
	for _, want := range []string{`"pruned": {
            "step": 2,
            "value": 0.8
          }`, `"grad_norm": "Infinity"`} {
		if !strings.Contains(js, want) {
			t.Errorf("no %s in:\n%s", want, js)
		}
	}
}

// TestWatchPruned: show -watch counts pruned trials against the budget
// and lists the running trials' progress (watch_pruned.golden); without
// progress it lists none.
func TestWatchPruned(t *testing.T) {
	def, st := prunedFixture(t)
	var fp fakeProgress
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	out := render(func(v *View) { v.Watch(NewShowJSON(def, st, []string{"coarse"}).AddProgress(fp.last), def, now) })
	golden(t, "watch_pruned", out)
	for _, want := range []string{"search.coarse: 3/14 ended (2 completed, 1 pruned), 2 running", "\n  #3 no progress yet\n", "\n  #5 step 12 val_loss 0.231\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if out := render(func(v *View) { v.Watch(NewShowJSON(def, st, []string{"coarse"}), def, now) }); strings.Contains(out, "#") {
		t.Errorf("trial lines without progress:\n%s", out)
	}
}

// TestAnalyzePruned: analyze counts pruned trials apart, lists them with
// their reasons, and says the importance left them out
// (analyze_pruned.golden); -json lists them.
func TestAnalyzePruned(t *testing.T) {
	def, st := prunedFixture(t)
	s := def.Searches[0]
	var trials []analysis.Trial
	for _, tr := range st.Trials("coarse") {
		pt, _ := plan.Match(s, tr)
		trials = append(trials, analysis.Trial{Number: tr.Number, Point: pt, Params: tr.Params, Status: string(tr.Status),
			Score: tr.Metrics["val_loss"], Metrics: tr.Metrics, Started: tr.Started, Ended: tr.Ended})
	}
	var pruned []PrunedTrial
	for n := range 12 {
		pruned = append(pruned, PrunedTrial{Trial: 4 + n, Step: 2, Value: 0.8, Reason: prunedReason4})
	}
	pruned[1].Value, pruned[1].Reason = math.NaN(), ""
	as := &AnalyzeSearchJSON{
		Summary:     analysis.Summarize("coarse", "val_loss", "min", trials),
		BestN:       analysis.BestN(trials, "min", 5),
		Convergence: analysis.Convergence(trials, "min"),
		Importance:  map[string]float64{"training.lr": 0.75, "optimizer": 0.25},
		BestConfig:  st.Trial("coarse", 1).Config,
		Pruned:      pruned,
		Plots:       []string{"plots/coarse-convergence.png", "plots/coarse-progress.png"},
	}
	as.Summary.ByStatus["pruned"] = len(pruned) // as many as listed
	doc := &AnalyzeJSON{FormatVersion: FormatVersion, Searches: map[string]*AnalyzeSearchJSON{"coarse": as}}
	text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) })
	golden(t, "analyze_pruned", text)
	for _, want := range []string{
		"Trials: 2 completed, 12 pruned, 1 failed, 2 running",
		"  Pruned 12 trials:\n    #4 " + prunedReason4 + "\n    #5 pruned at step 2\n",
		"    … and 2 more (analyze -json lists them all)\n",
		"(share of val_loss's variance; completed trials only, 12 pruned trials left out)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	as.Importance, as.ImportanceNote = nil, "needs at least 5 completed trials with a score, has 2"
	if text := render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) }); !strings.Contains(text, "has 2 (completed trials only: 12 pruned trials left out)") {
		t.Errorf("the importance note does not say the pruned trials were left out:\n%s", text)
	}
	var got struct {
		Searches map[string]struct {
			Pruned []map[string]any `json:"pruned"`
		}
	}
	js := render(func(v *View) { v.JSON(doc) })
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if p := got.Searches["coarse"].Pruned; len(p) != 12 || p[0]["trial"] != 4.0 || p[0]["step"] != 2.0 || p[0]["reason"] != prunedReason4 || p[1]["value"] != "NaN" {
		t.Errorf("analyze -json pruned: %v", p)
	}
}
