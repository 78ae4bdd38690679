package views

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
	"github.com/hashicorp/hcl/v2"
)

// ApplyProgress prints one line per ended trial: the plain progress view
// for logs and pipes. A failed trial's line is followed by the end of its
// stderr and where its logs are. A trial the pruner stops gets one line
// more, when it is stopped, with the pruner's reason; its end is not a
// failure. Progress lines are not printed: logs would drown in them.
type ApplyProgress struct {
	View     *View
	Def      *definition.Definition
	Failures Failures
	mu       sync.Mutex
}

// Observe implements apply.Observer.
func (p *ApplyProgress) Observe(ev apply.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.View
	s := p.Def.Search(ev.Search)
	switch ev.Kind {
	case apply.TrialPruned:
		if ev.Trial != nil && ev.Prune != nil {
			v.Printf("search.%s[%d]: %s\n", ev.Search, ev.Trial.Number, prunedReason(v, ev.Prune.Reason))
		}
	case apply.TrialEnded:
		t := ev.Trial
		status := string(t.Status)
		switch t.Status {
		case state.Completed:
			status = v.Colorize("green", status) + fmt.Sprintf(" %s=%s", s.Metric, FormatScore(t.Metrics[s.Metric]))
		case state.Failed:
			status = v.Colorize("red", status) + ": " + t.Error
		case state.Interrupted:
			status = v.Colorize("yellow", status)
		case state.Pruned:
			status = v.Colorize("cyan", status)
			if t.Pruned != nil {
				status += fmt.Sprintf(" at step %d", t.Pruned.Step)
			}
		}
		v.Printf("search.%s: trial %d %s  [%s]\n", ev.Search, t.Number, status, progressText(s, ev.Progress))
		if t.Status == state.Failed {
			v.Printf("%s", p.Failures.details(v, ev.Result))
		}
	case apply.SearchStopped:
		v.Printf("%s", p.Failures.stopped(v, ev))
	}
}

// Failures says how the progress views show a failed trial.
type Failures struct {
	// StderrLines is how many of the last lines of its stderr to print;
	// 0 prints none.
	StderrLines int
	// BaseDir is the directory log paths are shown relative to, when
	// they are inside it; "" shows them as they are.
	BaseDir string
}

// details renders the lines under a failed trial's line: the end of its
// stderr and the paths of its logs. It is "" when res names no logs.
func (f Failures) details(v *View, res *runtime.Result) string {
	if res == nil || res.StderrLog == "" {
		return ""
	}
	var b strings.Builder
	if f.StderrLines > 0 {
		tail := res.StderrTail[max(0, len(res.StderrTail)-f.StderrLines):]
		switch len(tail) {
		case 0:
			fmt.Fprintf(&b, "  %s\n", v.Colorize("dim", "nothing on stderr"))
		case 1:
			fmt.Fprintf(&b, "  last line of stderr:\n")
		default:
			fmt.Fprintf(&b, "  last %d lines of stderr:\n", len(tail))
		}
		for _, line := range tail {
			fmt.Fprintf(&b, "    %s\n", v.Colorize("dim", line))
		}
	}
	fmt.Fprintf(&b, "  stderr: %s  stdout: %s\n", f.path(res.StderrLog), f.path(res.StdoutLog))
	return b.String()
}

// stopped renders the line saying a search stopped, pointing at the log
// of the trial that made it stop.
func (f Failures) stopped(v *View, ev apply.Event) string {
	line := fmt.Sprintf("search.%s: %s %s", ev.Search, v.Colorize("yellow", "stopped:"), ev.StoppedBy)
	if ev.Result != nil && ev.Result.StderrLog != "" && ev.Result.Outcome == runtime.Failed {
		line += "; see " + f.path(ev.Result.StderrLog)
	}
	if ev.Running > 0 {
		line += fmt.Sprintf(" (waiting for %s to finish)", plural(ev.Running, "running trial"))
	}
	return line + "\n"
}

// path shows p relative to BaseDir when it is inside it.
func (f Failures) path(p string) string {
	if f.BaseDir == "" || !filepath.IsAbs(p) {
		return p
	}
	rel, err := filepath.Rel(f.BaseDir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}

// prunedReason renders the reason the pruner stopped a trial ("pruned at
// step 4: val_loss 0.91 worse than median 0.42 of 6 trials") with
// "pruned" coloured.
func prunedReason(v *View, reason string) string {
	rest, ok := strings.CutPrefix(reason, "pruned")
	if !ok && reason != "" {
		rest = ": " + reason
	}
	return v.Colorize("cyan", "pruned") + rest
}

// PrunerWarnings warns about the searches whose pruner never saw its
// metric in the progress of any trial (apply.SearchResult.PrunerUnfed):
// it could prune nothing. The warning points at the pruner block.
func (v *View) PrunerWarnings(res *apply.Result, def *definition.Definition) {
	var diags hcl.Diagnostics
	for _, sr := range res.Searches {
		if !sr.PrunerUnfed {
			continue
		}
		s := def.Search(sr.Name)
		metric := PrunerMetric(s)
		d := &hcl.Diagnostic{Severity: hcl.DiagWarning,
			Summary: fmt.Sprintf("The pruner of search.%s never saw %s", sr.Name, metric),
			Detail: fmt.Sprintf("No trial reported it in its progress (FW_PROGRESS), so nothing was pruned. "+
				"Have the trials append lines like {\"step\": 3, \"metrics\": {\"%s\": 0.42}} to the file $FW_PROGRESS names "+
				"(frameworm.report in Python, Reporter.Report in the generated Go harness), or set the pruner's metric to one they report.",
				metric)}
		if s != nil && s.Pruner != nil && s.Pruner.DeclRange.Filename != "" {
			r := s.Pruner.DeclRange
			d.Subject = &r
		}
		diags = append(diags, d)
	}
	if len(diags) > 0 {
		v.Printf("\n")
		v.Diagnostics(diags)
	}
}

// PrunerMetric is the metric the pruner of search s watches: its metric
// attribute, else the search's metric; "" for a nil s.
func PrunerMetric(s *definition.Search) string {
	switch {
	case s == nil:
		return ""
	case s.Pruner != nil && s.Pruner.Metric != "":
		return s.Pruner.Metric
	}
	return s.Metric
}

// SubmitWarnings warns about the searches whose trials could not all be
// submitted as job arrays (apply.SearchResult.SubmitError).
func (v *View) SubmitWarnings(res *apply.Result) {
	var diags hcl.Diagnostics
	for _, sr := range res.Searches {
		if sr.SubmitError != "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Job arrays failed for search." + sr.Name,
				Detail: sr.SubmitError + ". Each trial ran all the same; check the cluster's limits (MaxArraySize, MaxSubmitJobs) or set array = false."})
		}
	}
	if len(diags) > 0 {
		v.Printf("\n")
		v.Diagnostics(diags)
	}
}

// RerunHint tells how to run again the trials that failed for good in an
// apply (their last automatic attempt failed, so the next plan leaves
// them failed); it prints nothing when there are none.
func (v *View) RerunHint(res *apply.Result) {
	var refs []string
	for _, sr := range res.Searches {
		for _, n := range sr.FailedForGood {
			refs = append(refs, fmt.Sprintf("search.%s[%d]", sr.Name, n))
		}
	}
	if len(refs) == 0 {
		return
	}
	list := strings.Join(refs[:min(len(refs), 5)], ", ")
	if len(refs) > 5 {
		list += fmt.Sprintf(" and %d more", len(refs)-5)
	}
	v.Printf("\n%s %s failed %d attempts and will not run again by themselves: %s.\n",
		v.Colorize("bold", "Failed for good:"), plural(len(refs), "trial"), plan.MaxAttempts, list)
	v.Printf("Fix the cause, then run one of them again with\n  fwapply apply -replace=%s\nor all of them with\n  fwapply apply -retry-failed\n", refs[0])
}

func progressText(s *definition.Search, p apply.Progress) string {
	parts := []string{fmt.Sprintf("%d/%d", p.Done, p.Total)}
	if p.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", p.Failed))
	}
	if p.Pruned > 0 {
		parts = append(parts, fmt.Sprintf("%d pruned", p.Pruned))
	}
	if p.Best != nil {
		parts = append(parts, fmt.Sprintf("best %s (trial %d)", FormatScore(p.Best.Metrics[s.Metric]), p.Best.Number))
	}
	if eta := ETA(p); eta > 0 {
		parts = append(parts, "ETA "+eta.Round(time.Second).String())
	}
	return strings.Join(parts, ", ")
}

// ETA estimates the time left from the pace of the later half of the
// trials ended so far (of all of them up to 3): a search whose trials
// take longer as it goes, as a Bayesian search's asks do next to short
// trials, is not measured by its early pace.
func ETA(p apply.Progress) time.Duration { return eta(p, time.Now()) }

func eta(p apply.Progress, now time.Time) time.Duration {
	if p.Done == 0 || p.Done >= p.Total || p.Started.IsZero() {
		return 0
	}
	from, n := p.Started, p.Done
	if p.Done >= 4 && len(p.Ended) == p.Done {
		half := p.Done / 2
		from, n = p.Ended[half-1], p.Done-half
	}
	per := now.Sub(from) / time.Duration(n)
	return per * time.Duration(p.Total-p.Done)
}

// FormatScore renders a metric value.
func FormatScore(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// BestJSON is a search's best trial in machine-readable output.
type BestJSON struct {
	Trial  int            `json:"trial"`
	Score  float64        `json:"score"`
	Params map[string]any `json:"params"`
	Config map[string]any `json:"config"`
}

// NewBestJSON returns the JSON form of a best trial, or nil.
func NewBestJSON(s *definition.Search, t *state.Trial) *BestJSON {
	if t == nil {
		return nil
	}
	return &BestJSON{Trial: t.Number, Score: t.Metrics[s.Metric], Params: t.Params, Config: t.Config}
}

// ApplyJSON is what `fwapply apply -json` reports at the end: the content
// of its summary event.
type ApplyJSON struct {
	FormatVersion string                      `json:"format_version"`
	Searches      map[string]*ApplySearchJSON `json:"searches"`
}

// ApplySearchJSON is what an apply did for one search.
type ApplySearchJSON struct {
	Completed   int       `json:"completed"`
	Failed      int       `json:"failed"`
	Interrupted int       `json:"interrupted"`
	Pruned      int       `json:"pruned"`
	NotRun      int       `json:"not_run"`
	Kept        int       `json:"kept"`
	StoppedBy   string    `json:"stopped_by,omitempty"`
	Best        *BestJSON `json:"best"`
	BestBefore  *BestJSON `json:"best_before"`
	// BestBeforeExcluded says why best_before no longer matches the
	// definition, when no earlier trial does.
	BestBeforeExcluded string `json:"best_before_excluded,omitempty"`
	// BestChanges lists the best config's changes one leaf path each, as
	// the text summary does.
	BestChanges []definition.ConfigChange `json:"best_changes"`
	// FailedForGood are the trials that failed their last automatic
	// attempt in this apply (apply.SearchResult.FailedForGood).
	FailedForGood []int `json:"failed_for_good,omitempty"`
	// SubmitError says why submitting job arrays failed
	// (apply.SearchResult.SubmitError).
	SubmitError string `json:"submit_error,omitempty"`
	// PrunerUnfed is set when the search's pruner never saw its metric
	// in any trial's progress (apply.SearchResult.PrunerUnfed).
	PrunerUnfed bool `json:"pruner_unfed,omitempty"`
}

// NewApplyJSON builds the JSON document of an apply.
func NewApplyJSON(res *apply.Result, def *definition.Definition) *ApplyJSON {
	doc := &ApplyJSON{FormatVersion: FormatVersion, Searches: map[string]*ApplySearchJSON{}}
	for _, sr := range res.Searches {
		s := def.Search(sr.Name)
		js := &ApplySearchJSON{Completed: sr.Completed, Failed: sr.Failed, Interrupted: sr.Interrupted, Pruned: sr.Pruned, NotRun: sr.NotRun, Kept: sr.Kept,
			StoppedBy: sr.StoppedBy, Best: NewBestJSON(s, sr.BestAfter), BestBefore: NewBestJSON(s, sr.BestBefore), BestChanges: []definition.ConfigChange{},
			FailedForGood: sr.FailedForGood, BestBeforeExcluded: sr.BestBeforeExcluded, SubmitError: sr.SubmitError, PrunerUnfed: sr.PrunerUnfed}
		var before, after map[string]any
		if sr.BestBefore != nil {
			before = sr.BestBefore.Config
		}
		if sr.BestAfter != nil {
			after = sr.BestAfter.Config
		}
		if c := LeafChanges(definition.DiffConfigs(before, after)); c != nil {
			js.BestChanges = c
		}
		doc.Searches[sr.Name] = js
	}
	return doc
}

// ApplyEvents streams `fwapply apply -json`: one JSON object per line,
// written as things happen (see docs/apply-events.md). Every object has
// "type" and "timestamp"; the first line and the summary also carry
// "format_version". It is an apply.Observer, and all its methods may be
// called from any goroutine: lines never interleave. The first write
// error stops the stream; Err reports it.
type ApplyEvents struct {
	def         *definition.Definition
	stderrLines int
	now         func() time.Time

	mu      sync.Mutex
	enc     *json.Encoder
	written bool  // a line has been written
	err     error // the first write error
}

// NewApplyEvents returns a stream writing to w; a failed trial's event
// carries the last stderrLines lines of its stderr.
func NewApplyEvents(w io.Writer, def *definition.Definition, stderrLines int) *ApplyEvents {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &ApplyEvents{def: def, stderrLines: stderrLines, now: time.Now, enc: enc}
}

// EventTimeLayout is the layout of every event's timestamp: RFC 3339 in
// UTC with microseconds.
const EventTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// EventHeader begins every event.
type EventHeader struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	// FormatVersion is set on the first line of a stream and on the
	// summary.
	FormatVersion string `json:"format_version,omitempty"`
}

// ApplyStartEvent says what the apply will run.
type ApplyStartEvent struct {
	EventHeader
	Total    int                         `json:"total"`
	Searches map[string]ApplyStartSearch `json:"searches"`
}

// ApplyStartSearch is what the apply will run of one search.
type ApplyStartSearch struct {
	ToRun   int `json:"to_run"`
	ToRetry int `json:"to_retry"`
	Kept    int `json:"kept"`
}

// TrialStartedEvent says a trial started.
type TrialStartedEvent struct {
	EventHeader
	Search  string         `json:"search"`
	Trial   int            `json:"trial"`
	Attempt int            `json:"attempt"`
	Params  map[string]any `json:"params"`
	Dir     string         `json:"dir,omitempty"`
}

// TrialFinishedEvent says a trial ended, however it ended.
type TrialFinishedEvent struct {
	EventHeader
	Search          string             `json:"search"`
	Trial           int                `json:"trial"`
	Attempt         int                `json:"attempt"`
	Status          string             `json:"status"`
	Score           *float64           `json:"score,omitempty"`
	Metrics         map[string]float64 `json:"metrics,omitempty"`
	Error           string             `json:"error,omitempty"`
	DurationSeconds float64            `json:"duration_seconds"`
	StdoutLog       string             `json:"stdout_log,omitempty"`
	StderrLog       string             `json:"stderr_log,omitempty"`
	StderrTail      []string           `json:"stderr_tail,omitempty"`
	// Pruned is where the pruner stopped a pruned trial.
	Pruned   *PrunedJSON   `json:"pruned,omitempty"`
	Progress EventProgress `json:"progress"`
}

// PrunedJSON is the step at which the pruner stopped a trial and the
// value that decided it (state.Trial.Pruned); the value is a number, or
// "NaN", "Infinity" or "-Infinity" (see JSONNumber).
type PrunedJSON struct {
	Step  int64 `json:"step"`
	Value any   `json:"value"`
}

// NewPrunedJSON returns the JSON form of a trial's pruned step, or nil.
func NewPrunedJSON(t *state.Trial) *PrunedJSON {
	if t == nil || t.Pruned == nil {
		return nil
	}
	return &PrunedJSON{Step: t.Pruned.Step, Value: JSONNumber(t.Pruned.Value)}
}

// JSONNumber returns x as JSON can hold it: x itself when finite, else
// the string "NaN", "Infinity" or "-Infinity" (as the state writes
// them, and as Python's json reads them with parse_constant). Progress
// values may be any of these: a diverging loss is worth showing.
func JSONNumber(x float64) any {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	return x
}

// JSONMetrics returns metrics with each value as JSONNumber returns it;
// an empty object for none.
func JSONMetrics(metrics map[string]float64) map[string]any {
	out := make(map[string]any, len(metrics))
	for k, x := range metrics {
		out[k] = JSONNumber(x)
	}
	return out
}

// TrialProgressEvent says a running trial appended a line to its
// progress file.
type TrialProgressEvent struct {
	EventHeader
	Search string `json:"search"`
	Trial  int    `json:"trial"`
	Step   int64  `json:"step"`
	// Metrics are the line's numeric metrics, NaN and ±Inf as the
	// strings "NaN", "Infinity" and "-Infinity" (JSONNumber).
	Metrics map[string]any `json:"metrics"`
}

// TrialPrunedEvent says the search's pruner stops a running trial; its
// trial_finished follows.
type TrialPrunedEvent struct {
	EventHeader
	Search string `json:"search"`
	Trial  int    `json:"trial"`
	Step   int64  `json:"step"`
	Metric string `json:"metric"`
	Value  any    `json:"value"` // JSONNumber
	Reason string `json:"reason"`
}

// EventProgress is a search's progress in this apply.
type EventProgress struct {
	Done    int `json:"done"`
	Total   int `json:"total"`
	Failed  int `json:"failed"`
	Pruned  int `json:"pruned"`
	Running int `json:"running"`
}

// BestChangedEvent says a trial became its search's best.
type BestChangedEvent struct {
	EventHeader
	Search        string         `json:"search"`
	Trial         int            `json:"trial"`
	Score         float64        `json:"score"`
	Params        map[string]any `json:"params"`
	PreviousTrial *int           `json:"previous_trial"`
	PreviousScore *float64       `json:"previous_score"`
}

// SearchStoppedEvent says a search starts no more trials.
type SearchStoppedEvent struct {
	EventHeader
	Search    string `json:"search"`
	Reason    string `json:"reason"`
	Trial     *int   `json:"trial,omitempty"`
	StderrLog string `json:"stderr_log,omitempty"`
	Running   int    `json:"running"`
}

// SummaryEvent ends the stream with what the apply did.
type SummaryEvent struct {
	EventHeader
	Searches map[string]*ApplySearchJSON `json:"searches"`
	// Deferred are the searches not run, by name, with why: a search
	// they read did not complete. Absent when none.
	Deferred map[string]string `json:"deferred,omitempty"`
}

// StageStartEvent says the apply starts a later stage: searches that read
// searches the apply completed, planned now that those are known.
type StageStartEvent struct {
	EventHeader
	Stage    int                         `json:"stage"`
	Total    int                         `json:"total"`
	Searches map[string]ApplyStartSearch `json:"searches"`
}

// StageStart writes the stage_start event of a later stage's plan p, and
// makes the stream read the definition def from now on (the stage's
// searches are known in it).
func (e *ApplyEvents) StageStart(stage int, p *plan.Plan, def *definition.Definition) {
	ev := &StageStartEvent{Stage: stage, Searches: map[string]ApplyStartSearch{}}
	for _, s := range p.Searches {
		if s.Deferred != nil {
			continue
		}
		ev.Searches[s.Name] = ApplyStartSearch{ToRun: len(s.ToRun), ToRetry: len(s.ToRetry), Kept: s.Kept}
		ev.Total += len(s.ToRun) + len(s.ToRetry)
	}
	e.mu.Lock()
	e.def = def
	e.mu.Unlock()
	e.write("stage_start", &ev.EventHeader, ev)
}

// Start writes the apply_start event of plan p.
func (e *ApplyEvents) Start(p *plan.Plan) {
	ev := &ApplyStartEvent{Searches: map[string]ApplyStartSearch{}}
	for _, s := range p.Searches {
		if s.Deferred != nil {
			continue // in a stage_start once known
		}
		ev.Searches[s.Name] = ApplyStartSearch{ToRun: len(s.ToRun), ToRetry: len(s.ToRetry), Kept: s.Kept}
		ev.Total += len(s.ToRun) + len(s.ToRetry)
	}
	e.write("apply_start", &ev.EventHeader, ev)
}

// Observe implements apply.Observer.
func (e *ApplyEvents) Observe(ev apply.Event) {
	switch ev.Kind {
	case apply.TrialStarted:
		t := ev.Trial
		out := &TrialStartedEvent{Search: ev.Search, Trial: t.Number, Attempt: t.Attempts, Params: t.Params, Dir: t.Dir}
		e.write("trial_started", &out.EventHeader, out)
	case apply.TrialProgress:
		if ev.Trial == nil || ev.Line == nil {
			return
		}
		out := &TrialProgressEvent{Search: ev.Search, Trial: ev.Trial.Number, Step: ev.Line.Step, Metrics: JSONMetrics(ev.Line.Metrics)}
		e.write("trial_progress", &out.EventHeader, out)
	case apply.TrialPruned:
		if ev.Trial == nil || ev.Prune == nil {
			return
		}
		d := ev.Prune
		out := &TrialPrunedEvent{Search: ev.Search, Trial: ev.Trial.Number, Step: d.Step, Metric: d.Metric, Value: JSONNumber(d.Value), Reason: d.Reason}
		e.write("trial_pruned", &out.EventHeader, out)
	case apply.TrialEnded:
		out := e.trialFinished(ev)
		e.write("trial_finished", &out.EventHeader, out)
	case apply.BestChanged:
		out := e.bestChanged(ev)
		e.write("best_changed", &out.EventHeader, out)
	case apply.SearchStopped:
		out := &SearchStoppedEvent{Search: ev.Search, Reason: ev.StoppedBy, Running: ev.Running}
		if ev.Trial != nil {
			out.Trial = &ev.Trial.Number
		}
		if ev.Result != nil {
			out.StderrLog = ev.Result.StderrLog
		}
		e.write("search_stopped", &out.EventHeader, out)
	}
}

func (e *ApplyEvents) trialFinished(ev apply.Event) *TrialFinishedEvent {
	t := ev.Trial
	out := &TrialFinishedEvent{
		Search: ev.Search, Trial: t.Number, Attempt: t.Attempts, Status: string(t.Status),
		Metrics: t.Metrics, Error: t.Error, Pruned: NewPrunedJSON(t),
		Progress: EventProgress{Done: ev.Done, Total: ev.Total, Failed: ev.Failed, Pruned: ev.Pruned, Running: ev.Running},
	}
	if !t.Ended.IsZero() && !t.Started.IsZero() {
		out.DurationSeconds = t.Ended.Sub(t.Started).Seconds()
	}
	if s := e.def.Search(ev.Search); s != nil && t.Status == state.Completed {
		if v, ok := t.Metrics[s.Metric]; ok {
			out.Score = &v
		}
	}
	if r := ev.Result; r != nil {
		out.StdoutLog, out.StderrLog = r.StdoutLog, r.StderrLog
		if t.Status == state.Failed && e.stderrLines > 0 {
			out.StderrTail = r.StderrTail[max(0, len(r.StderrTail)-e.stderrLines):]
		}
	}
	return out
}

func (e *ApplyEvents) bestChanged(ev apply.Event) *BestChangedEvent {
	metric := ""
	if s := e.def.Search(ev.Search); s != nil {
		metric = s.Metric
	}
	out := &BestChangedEvent{Search: ev.Search, Trial: ev.Trial.Number, Score: ev.Trial.Metrics[metric], Params: ev.Trial.Params}
	if p := ev.Previous; p != nil {
		score := p.Metrics[metric]
		out.PreviousTrial, out.PreviousScore = &p.Number, &score
	}
	return out
}

// Summary writes the summary event: the last line of the stream.
func (e *ApplyEvents) Summary(res *apply.Result) {
	doc := NewApplyJSON(res, e.def)
	out := &SummaryEvent{Searches: doc.Searches}
	for _, d := range res.Deferred {
		if out.Deferred == nil {
			out.Deferred = map[string]string{}
		}
		out.Deferred[d.Search] = d.Reason
	}
	out.FormatVersion = FormatVersion
	e.write("summary", &out.EventHeader, out)
}

// Err returns the first error writing the stream, if any.
func (e *ApplyEvents) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// write completes the header h of event v and writes v as one line.
func (e *ApplyEvents) write(typ string, h *EventHeader, v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return
	}
	h.Type = typ
	h.Timestamp = e.now().UTC().Format(EventTimeLayout)
	if !e.written {
		h.FormatVersion = FormatVersion
	}
	if err := e.enc.Encode(v); err != nil {
		e.err = fmt.Errorf("writing the JSON event stream: %w", err)
		return
	}
	e.written = true
}
