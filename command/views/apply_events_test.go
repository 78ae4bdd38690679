package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// failedRun is the executor's report of the fixture's failed trial 2.
func failedRun() *runtime.Result {
	return &runtime.Result{
		Outcome: runtime.Failed, Error: "exit status 3",
		StdoutLog: "/work/exp/.fw/trials/coarse/2/stdout.log", StderrLog: "/work/exp/.fw/trials/coarse/2/stderr.log",
		StderrTail: []string{"step 9", "Traceback (most recent call last):", `  File "train.py", line 4, in <module>`, "RuntimeError: boom"},
	}
}

// applySession is the events of a short apply of the fixture: trial 1
// becomes the best, trial 2 fails and stops the search.
func applySession(t *testing.T) []apply.Event {
	t.Helper()
	_, st := fixture(t)
	best, failed := st.Trial("coarse", 1), st.Trial("coarse", 2)
	first := st.Trial("coarse", 0)
	started := func(tr *state.Trial) *state.Trial {
		c := tr.Clone()
		c.Status, c.Metrics, c.Error, c.Ended = state.Running, nil, "", time.Time{}
		return c
	}
	p := func(done, failed, running int, b *state.Trial) apply.Progress {
		return apply.Progress{Total: 10, Done: done, Failed: failed, Running: running, Best: b}
	}
	stop := "the first 1 trials all failed the same way (exit status 3)"
	return []apply.Event{
		{Kind: apply.TrialStarted, Search: "coarse", Trial: started(best), Progress: p(0, 0, 1, first)},
		{Kind: apply.TrialStarted, Search: "coarse", Trial: started(failed), Progress: p(0, 0, 2, first)},
		{Kind: apply.TrialEnded, Search: "coarse", Trial: best, Result: &runtime.Result{Outcome: runtime.Completed, StdoutLog: "/work/exp/.fw/trials/coarse/1/stdout.log", StderrLog: "/work/exp/.fw/trials/coarse/1/stderr.log"}, Progress: p(1, 0, 1, best)},
		{Kind: apply.BestChanged, Search: "coarse", Trial: best, Previous: first, Progress: p(1, 0, 1, best)},
		{Kind: apply.TrialEnded, Search: "coarse", Trial: failed, Result: failedRun(), Progress: p(2, 1, 0, best)},
		{Kind: apply.SearchStopped, Search: "coarse", Trial: failed, Result: failedRun(), Progress: apply.Progress{Total: 10, Done: 2, Failed: 1, Best: best, StoppedBy: stop}},
		{Kind: apply.SearchEnded, Search: "coarse", Progress: apply.Progress{Total: 10, Done: 2, Failed: 1, Best: best, StoppedBy: stop}},
	}
}

// fixedClock returns a clock that ticks one second per call.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 26, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func TestApplyEventsGolden(t *testing.T) {
	def, st := fixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := NewApplyEvents(&out, def, 3)
	e.now = fixedClock()
	e.Start(p)
	for _, ev := range applySession(t) {
		e.Observe(ev)
	}
	trials := st.Trials("coarse")
	e.Summary(&apply.Result{Searches: []*apply.SearchResult{{
		Name: "coarse", Completed: 1, Failed: 1, NotRun: 8, Kept: 1, BestBefore: trials[0], BestAfter: trials[1],
		StoppedBy: "the first 1 trials all failed the same way (exit status 3)", HitIdenticalFailures: true, FailedForGood: []int{2},
	}}})
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	golden(t, "apply_events", out.String())

	// Every line is one JSON object with a type and a UTC timestamp;
	// format_version is on the first line and on the summary only.
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for i, line := range lines {
		var ev struct {
			Type          string `json:"type"`
			Timestamp     string `json:"timestamp"`
			FormatVersion string `json:"format_version"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		ts, err := time.Parse(time.RFC3339Nano, ev.Timestamp)
		if err != nil || ts.Location() != time.UTC || !strings.Contains(ev.Timestamp, ".") {
			t.Errorf("line %d: timestamp %q is not RFC 3339 UTC with fractional seconds", i+1, ev.Timestamp)
		}
		wantVersion := i == 0 || ev.Type == "summary"
		if (ev.FormatVersion != "") != wantVersion {
			t.Errorf("line %d (%s): format_version %q", i+1, ev.Type, ev.FormatVersion)
		}
	}
	if first, last := lines[0], lines[len(lines)-1]; !strings.Contains(first, `"type":"apply_start"`) || !strings.Contains(last, `"type":"summary"`) {
		t.Errorf("stream from %s to %s", first, last)
	}
}

func TestApplyEventsNoChanges(t *testing.T) {
	def, _ := fixture(t)
	var out bytes.Buffer
	e := NewApplyEvents(&out, def, 10)
	e.now = fixedClock()
	e.Summary(&apply.Result{})
	want := `{"type":"summary","timestamp":"2026-11-26T11:00:01.123456Z","format_version":"1.0","searches":{}}` + "\n"
	if out.String() != want {
		t.Errorf("no-changes stream:\n%s\nwant\n%s", out.String(), want)
	}
}

// failingWriter fails every write after the first n.
type failingWriter struct{ n int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("broken pipe")
	}
	w.n--
	return len(b), nil
}

func TestApplyEventsWriteError(t *testing.T) {
	def, st := fixture(t)
	p, _ := plan.Make(def, st, plan.Options{})
	w := &failingWriter{n: 1}
	e := NewApplyEvents(w, def, 10)
	e.Start(p)
	for _, ev := range applySession(t) {
		e.Observe(ev)
	}
	e.Summary(&apply.Result{})
	if err := e.Err(); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("Err() = %v, want the write error", err)
	}
}

// TestApplyEventsConcurrent: lines never interleave, whatever goroutines
// the events come from (go test -race checks the locking too).
func TestApplyEventsConcurrent(t *testing.T) {
	def, _ := fixture(t)
	var out bytes.Buffer
	e := NewApplyEvents(&out, def, 10)
	events := applySession(t)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				for _, ev := range events {
					e.Observe(ev)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("line %d is not one JSON object: %s", i+1, line)
		}
	}
}

func TestApplyProgressFailureGolden(t *testing.T) {
	def, _ := fixture(t)
	f := Failures{StderrLines: 3, BaseDir: "/work/exp"}
	golden(t, "apply_progress_failure", render(func(v *View) {
		p := &ApplyProgress{View: v, Def: def, Failures: f}
		for _, ev := range applySession(t) {
			p.Observe(ev)
		}
		v.RerunHint(&apply.Result{Searches: []*apply.SearchResult{{Name: "coarse", FailedForGood: []int{2, 5}}}})
	}))
}

func TestFailureDetails(t *testing.T) {
	res := failedRun()
	tests := []struct {
		name string
		f    Failures
		res  *runtime.Result
		want string
	}{
		{"tail and relative paths", Failures{StderrLines: 2, BaseDir: "/work/exp"}, res,
			"  last 2 lines of stderr:\n    " + `  File "train.py", line 4, in <module>` + "\n    RuntimeError: boom\n" +
				"  stderr: .fw/trials/coarse/2/stderr.log  stdout: .fw/trials/coarse/2/stdout.log\n"},
		{"more lines asked than kept", Failures{StderrLines: 50}, &runtime.Result{StderrLog: "/a/stderr.log", StdoutLog: "/a/stdout.log", StderrTail: []string{"only"}},
			"  last line of stderr:\n    only\n  stderr: /a/stderr.log  stdout: /a/stdout.log\n"},
		{"no tail asked", Failures{StderrLines: 0, BaseDir: "/elsewhere"}, res,
			"  stderr: /work/exp/.fw/trials/coarse/2/stderr.log  stdout: /work/exp/.fw/trials/coarse/2/stdout.log\n"},
		{"empty stderr", Failures{StderrLines: 10}, &runtime.Result{StderrLog: "/a/stderr.log", StdoutLog: "/a/stdout.log"},
			"  nothing on stderr\n  stderr: /a/stderr.log  stdout: /a/stdout.log\n"},
		{"no logs", Failures{StderrLines: 10}, &runtime.Result{Error: "cannot prepare the trial directory"}, ""},
		{"no result", Failures{StderrLines: 10}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.details(&View{}, tt.res); got != tt.want {
				t.Errorf("details:\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestApplyBarsFailure: the bars print a failed trial's stderr and logs,
// and a stopped search, above the bars.
func TestApplyBarsFailure(t *testing.T) {
	def, st := fixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	v := &View{Stdout: &out, Stderr: &out}
	bars := newApplyBars(v, &out, def, p, mpb.WithAutoRefresh(), mpb.WithWidth(160))
	bars.failures = Failures{StderrLines: 2, BaseDir: "/work/exp"}
	for _, ev := range applySession(t) {
		bars.Observe(ev)
	}
	bars.Wait()
	got := out.String()
	for _, want := range []string{
		"search.coarse: trial 2 failed: exit status 3\n  last 2 lines of stderr:\n",
		"    RuntimeError: boom\n  stderr: .fw/trials/coarse/2/stderr.log  stdout: .fw/trials/coarse/2/stdout.log\n",
		"search.coarse: stopped: the first 1 trials all failed the same way (exit status 3); see .fw/trials/coarse/2/stderr.log\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("bars output lacks %q:\n%s", want, got)
		}
	}
}

// TestSubmitWarnings: a search whose job arrays failed gets a warning
// with the reason; the others none.
func TestSubmitWarnings(t *testing.T) {
	out := render(func(v *View) {
		v.SubmitWarnings(&apply.Result{Searches: []*apply.SearchResult{
			{Name: "fine"},
			{Name: "coarse", SubmitError: "submitting 10 trials as job arrays failed after 4 of them, so the other 6 were submitted one job each: sbatch: too many jobs"},
		}})
	})
	for _, want := range []string{"Warning: Job arrays failed for search.coarse", "after 4 of them", "MaxArraySize"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "search.fine") {
		t.Errorf("a warning for a search whose arrays worked:\n%s", out)
	}
	if out := render(func(v *View) { v.SubmitWarnings(&apply.Result{Searches: []*apply.SearchResult{{Name: "fine"}}}) }); out != "" {
		t.Errorf("output without a failure: %q", out)
	}
}
