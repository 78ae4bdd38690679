package views

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// ApplyBars is the progress view for a terminal: a bar per search with
// done/total, failures, best so far and ETA; failed trials (with the end
// of their stderr and their log paths) and stopped searches are printed
// above the bars.
type ApplyBars struct {
	def      *definition.Definition
	view     *View
	failures Failures
	progress *mpb.Progress
	mu       sync.Mutex
	bars     map[string]*mpb.Bar
	latest   map[string]apply.Progress
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
	}
	width := 0
	for _, s := range p.Searches {
		width = max(width, len("search.")+len(s.Name))
	}
	for _, s := range p.Searches {
		name := s.Name
		total := int64(len(s.ToRun) + len(s.ToRetry))
		b.bars[name] = b.progress.AddBar(total,
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

// Observe implements apply.Observer.
func (b *ApplyBars) Observe(ev apply.Event) {
	b.mu.Lock()
	b.latest[ev.Search] = ev.Progress
	bar := b.bars[ev.Search]
	b.mu.Unlock()
	if bar == nil {
		return
	}
	switch ev.Kind {
	case apply.TrialEnded:
		bar.Increment()
		if ev.Trial.Status == state.Failed {
			// One write, so the lines stay together above the bars.
			fmt.Fprint(b.progress, fmt.Sprintf("search.%s: trial %d %s: %s\n", ev.Search, ev.Trial.Number, b.view.Colorize("red", "failed"), ev.Trial.Error)+
				b.failures.details(b.view, ev.Result))
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
