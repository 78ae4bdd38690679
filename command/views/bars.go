package views

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// ApplyBars is the progress view for a terminal: a bar per search with
// done/total, failures, pruned trials, best so far and ETA; failed trials
// (with the end of their stderr and their log paths), pruned trials (with
// the pruner's reason) and stopped searches are printed above the bars.
//
// Once a search's trials report progress, a line per running trial
// follows its bar, with the last step and metric reported (see
// runningLine), at most maxTrialLines of them. Each progress line costs
// O(1) to take in: only the last one of each trial is kept, and the lines
// are drawn at the bars' refresh rate, however fast trials report.
type ApplyBars struct {
	def      *definition.Definition
	view     *View
	failures Failures
	progress *mpb.Progress
	mu       sync.Mutex
	bars     map[string]*mpb.Bar
	latest   map[string]apply.Progress
	running  map[string]*runningTrials // by search
}

// maxTrialLines is how many running trials a search's bar lists; the
// last line says how many more run.
const maxTrialLines = 8

// runningTrials are the running trials of one search, as the bars show
// them.
type runningTrials struct {
	trials   map[int]*runningTrial
	reported bool     // a trial of the search has reported progress
	lines    []string // rendered, nil when stale
}

// runningTrial is what the bars know of a running trial.
type runningTrial struct {
	line    *runtime.ProgressLine // the last progress line, nil for none
	pruning bool                  // the pruner stops it
}

// NewApplyBars starts the bars of a plan's searches on w, a terminal;
// f says how failed trials are shown.
func NewApplyBars(v *View, w io.Writer, def *definition.Definition, p *plan.Plan, f Failures) *ApplyBars {
	b := newApplyBars(v, w, def, p)
	b.failures = f
	return b
}

// newApplyBars takes extra mpb options: tests force rendering into a
// buffer with mpb.WithAutoRefresh.
func newApplyBars(v *View, w io.Writer, def *definition.Definition, p *plan.Plan, opts ...mpb.ContainerOption) *ApplyBars {
	opts = append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(150 * time.Millisecond)}, opts...)
	b := &ApplyBars{
		def: def, view: v,
		progress: mpb.New(opts...),
		bars:     map[string]*mpb.Bar{},
		latest:   map[string]apply.Progress{},
		running:  map[string]*runningTrials{},
	}
	width := 0
	for _, s := range p.Searches {
		width = max(width, len("search.")+len(s.Name))
	}
	for _, s := range p.Searches {
		name := s.Name
		total := int64(len(s.ToRun) + len(s.ToRetry))
		b.running[name] = &runningTrials{trials: map[int]*runningTrial{}}
		lines := make([]mpb.BarFiller, maxTrialLines)
		for i := range lines {
			lines[i] = mpb.BarFillerFunc(func(w io.Writer, _ decor.Statistics) error {
				// A filler that writes nothing takes no line.
				if l := b.trialLine(name, i); l != "" {
					_, err := io.WriteString(w, l+"\n")
					return err
				}
				return nil
			})
		}
		b.bars[name] = b.progress.AddBar(total, mpb.BarBtmExtender(lines...),
			mpb.PrependDecorators(
				decor.Name("search."+name, decor.WC{W: width + 1, C: decor.DindentRight}),
				decor.CountersNoUnit("%d/%d", decor.WCSyncWidth),
			),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return b.status(name) })),
		)
	}
	return b
}

func (b *ApplyBars) status(name string) string {
	b.mu.Lock()
	p := b.latest[name]
	b.mu.Unlock()
	s := b.def.Search(name)
	var parts []string
	if p.Running > 0 {
		parts = append(parts, fmt.Sprintf("%d running", p.Running))
	}
	if p.Failed > 0 {
		parts = append(parts, b.view.Colorize("red", fmt.Sprintf("%d failed", p.Failed)))
	}
	if p.Pruned > 0 {
		parts = append(parts, b.view.Colorize("cyan", fmt.Sprintf("%d pruned", p.Pruned)))
	}
	if p.Best != nil {
		parts = append(parts, fmt.Sprintf("best %s=%s", s.Metric, FormatScore(p.Best.Metrics[s.Metric])))
	}
	if eta := ETA(p); eta > 0 {
		parts = append(parts, "ETA "+eta.Round(time.Second).String())
	}
	if p.StoppedBy != "" {
		parts = append(parts, "stopped: "+p.StoppedBy)
	}
	return strings.Join(parts, ", ")
}

// trialLine is line i under the bar of search name: a running trial's,
// in trial-number order, the last of maxTrialLines saying how many more
// run; "" for none. There are none until a trial of the search reported
// progress: a search whose trials report none looks as it always did.
func (b *ApplyBars) trialLine(name string, i int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	rt := b.running[name]
	if rt == nil || !rt.reported {
		return ""
	}
	if rt.lines == nil {
		rt.lines = rt.render(b.def.Search(name))
	}
	if i >= len(rt.lines) {
		return ""
	}
	return rt.lines[i]
}

// render renders the lines of the running trials of search s.
func (rt *runningTrials) render(s *definition.Search) []string {
	numbers := slices.Sorted(maps.Keys(rt.trials))
	lines := make([]string, 0, min(len(numbers), maxTrialLines))
	for j, n := range numbers {
		if j == maxTrialLines-1 && len(numbers) > maxTrialLines {
			lines = append(lines, fmt.Sprintf("  … and %d more running", len(numbers)-j))
			break
		}
		lines = append(lines, "  "+runningLine(s, n, rt.trials[n]))
	}
	return lines
}

// runningLine is a running trial's line under its search's bar: its last
// reported step and one metric of that line, "#7 step 12 val_loss
// 0.231". The metric is the search's, else the one its pruner watches,
// else the first of the line by name.
func runningLine(s *definition.Search, number int, rt *runningTrial) string {
	line := fmt.Sprintf("#%d", number)
	if rt.line == nil {
		line += " no progress yet"
	} else {
		line += fmt.Sprintf(" step %d", rt.line.Step)
		if name, ok := shownMetric(s, rt.line.Metrics); ok {
			line += fmt.Sprintf(" %s %s", name, FormatScore(rt.line.Metrics[name]))
		}
	}
	if rt.pruning {
		line += ": pruned, stopping"
	}
	return line
}

// shownMetric picks the metric of a progress line to show: the search's
// metric, else its pruner's, else the first by name; false when the line
// has none.
func shownMetric(s *definition.Search, metrics map[string]float64) (string, bool) {
	if s != nil {
		for _, name := range []string{s.Metric, PrunerMetric(s)} {
			if _, ok := metrics[name]; ok {
				return name, true
			}
		}
	}
	first := ""
	for name := range metrics {
		if first == "" || name < first {
			first = name
		}
	}
	return first, first != ""
}

// track updates what the bars know of the running trials from ev; it
// must be called with b.mu held.
func (b *ApplyBars) track(ev apply.Event) {
	rt := b.running[ev.Search]
	if rt == nil || ev.Trial == nil {
		return
	}
	n := ev.Trial.Number
	switch ev.Kind {
	case apply.TrialStarted:
		rt.trials[n] = &runningTrial{}
	case apply.TrialProgress:
		if t := rt.trials[n]; t != nil && ev.Line != nil {
			t.line = ev.Line
			rt.reported = true
		}
	case apply.TrialPruned:
		if t := rt.trials[n]; t != nil {
			t.pruning = true
		}
	case apply.TrialEnded:
		delete(rt.trials, n)
	default:
		return
	}
	rt.lines = nil
}

// Observe implements apply.Observer.
func (b *ApplyBars) Observe(ev apply.Event) {
	b.mu.Lock()
	b.latest[ev.Search] = ev.Progress
	b.track(ev)
	bar := b.bars[ev.Search]
	b.mu.Unlock()
	if bar == nil {
		return
	}
	switch ev.Kind {
	case apply.TrialEnded:
		bar.Increment()
		switch t := ev.Trial; t.Status {
		case state.Failed:
			// One write, so the lines stay together above the bars.
			fmt.Fprint(b.progress, fmt.Sprintf("search.%s: trial %d %s: %s\n", ev.Search, t.Number, b.view.Colorize("red", "failed"), t.Error)+
				b.failures.details(b.view, ev.Result))
		case state.Pruned:
			fmt.Fprintf(b.progress, "search.%s: trial %d %s\n", ev.Search, t.Number, prunedReason(b.view, t.Error))
		}
	case apply.SearchStopped:
		fmt.Fprint(b.progress, b.failures.stopped(b.view, ev))
	case apply.SearchEnded:
		if !bar.Completed() {
			bar.Abort(false)
		}
	}
}

// Wait stops the bars after the last update has been drawn.
func (b *ApplyBars) Wait() {
	for _, bar := range b.bars {
		if !bar.AbortedOrCompleted() {
			bar.Abort(false)
		}
	}
	b.progress.Wait()
}
