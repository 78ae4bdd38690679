package command

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

const showHelp = `
Usage: fwapply [-chdir=DIR] show [flags] [search.NAME]
       fwapply [-chdir=DIR] show [-json | -format=markdown] [-full] PLANFILE

  Shows the trials in the state: number, status, a column per metric the
  trials reported (the search's metric first, then its declared metrics,
  then any others by name), duration and params, and each search's best
  trial. Trials that no longer match the definition are marked excluded;
  they count neither for the best nor for the budget.

  Pruned trials show the step they were pruned at; running trials the
  last step and metrics they reported in their progress file.

  With -json it prints {"format_version", "lineage", "serial", "searches":
  {NAME: {"metric", "mode", "defined", "best", "trials", "excluded"}}},
  each trial with all its "metrics", a pruned one with "pruned": {"step",
  "value"}, a running one with "progress": {"step", "metrics"}.

  With a PLANFILE saved by fwapply plan -out, it shows that plan as
  fwapply plan does (with -json, the document of plan -json), loading the
  search files with the variables the plan was made with. When the state
  has changed since, it says that apply would refuse the plan ("stale":
  true in JSON).

  With -format=markdown it writes a compact summary for a pull-request
  comment (GitHub-flavoured markdown): per search the trials by status
  and the best trial with its config against the base config; for a
  PLANFILE, the plan as plan -format=markdown writes it.
`

func runShow(m *Meta, args []string) int {
	a, diags := arguments.ParseShow(args)
	if diags.HasErrors() {
		return m.parseFailed("show", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	if a.PlanFile != "" {
		return m.showPlan(a, view)
	}
	res := m.resolveStages(m.loadDefinition(a.Vars, view), a.Vars, a.State, "show", view)
	if res == nil {
		return 1
	}
	def := res.Definition
	if a.Watch {
		return m.watch(a, def, view)
	}
	if a.JSON {
		return m.showJSON(a, def, view)
	}
	o, err := m.openState(context.Background(), a.State, "show", false, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	names, err := shownSearches(def, o.st, a.Search)
	if err != nil {
		return fail(view, "No such search", err)
	}
	doc := views.NewShowJSON(def, o.st, names).AddProgress(lastProgress)
	if err := checkMetrics(doc, def, names, a.Metrics); err != nil {
		return fail(view, "Unknown metric", err)
	}
	if a.Format == arguments.RenderMarkdown {
		view.ShowMarkdown(doc, def)
		return 0
	}
	view.Show(doc, def, a.Metrics...)
	return 0
}

// shownSearches returns the searches show shows: the one named, or all.
func shownSearches(def *definition.Definition, st *state.State, search string) ([]string, error) {
	names := searchNames(def, st)
	if search == "" {
		return names, nil
	}
	if !contains(names, search) {
		return nil, fmt.Errorf("search.%s is neither defined nor in the state; the searches are %v", search, names)
	}
	return []string{search}, nil
}

// showJSON prints show -json, streamed: at 100k trials the document is
// tens of megabytes. The state is loaded without the configs it does not
// print (see showIndex), which are most of its memory.
func (m *Meta) showJSON(a *arguments.Show, def *definition.Definition, view *views.View) int {
	ctx := context.Background()
	idx := newShowIndex(def)
	o, err := m.openStateWith(ctx, a.State, "show", false, view, state.LoadOptions{Trial: idx.keep})
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	names, err := shownSearches(def, o.st, a.Search)
	if err != nil {
		return fail(view, "No such search", err)
	}
	match := views.ShowMatch(idx.match)
	st := o.st
	if !idx.complete(st, names) {
		// A best trial's config was dropped: read the state whole.
		o.st = nil
		if st, _, err = o.backend.Load(ctx); err != nil {
			return fail(view, "Cannot read the state", fmt.Errorf("loading the state %s: %w", o.desc, err))
		}
		match = nil
	}
	if err := view.WriteShowJSON(def, st, names, match, lastProgress); err != nil {
		return fail(view, "Cannot write output", err)
	}
	return 0
}

// lastProgress is the views.LastProgress of show: the last line of the
// progress file in a running trial's directory, nil when there is none or
// it cannot be read (show shows the trial without its progress; the
// apply running it reports a bad file). show reads the files of running
// trials only, each whole: about 3 ms per 1,000 lines (show -watch
// follows them instead: progressCache).
func lastProgress(dir string) *runtime.ProgressLine {
	lines, _ := runtime.ReadProgress(filepath.Join(dir, runtime.ProgressFile))
	if len(lines) == 0 {
		return nil
	}
	return &lines[len(lines)-1]
}

// progressCache is the views.LastProgress of show -watch: it follows the
// progress file of each running trial from one redraw to the next
// (runtime.ProgressFollower), so that a redraw reads only the lines
// appended since the one before, however long the files grow; reading a
// file whole (lastProgress) takes about 3 ms per 1,000 lines.
type progressCache struct {
	trials map[string]*followedProgress // by trial directory
}

// followedProgress is what show -watch knows of one trial's progress.
type followedProgress struct {
	follower *runtime.ProgressFollower
	last     *runtime.ProgressLine
	size     int64 // of the file when last read
	asked    bool  // asked for since the last sweep
}

func newProgressCache() *progressCache {
	return &progressCache{trials: map[string]*followedProgress{}}
}

// last returns the last line of the progress file in dir, nil for none.
func (c *progressCache) last(dir string) *runtime.ProgressLine {
	path := filepath.Join(dir, runtime.ProgressFile)
	f := c.trials[dir]
	if f == nil {
		f = &followedProgress{follower: runtime.NewProgressFollower(path)}
		c.trials[dir] = f
	}
	f.asked = true
	// A file that shrank was started anew (another attempt): its old
	// last line is no longer the trial's.
	size := int64(0)
	if st, err := os.Lstat(path); err == nil {
		size = st.Size()
	}
	if size < f.size {
		f.last = nil
	}
	f.size = size
	if lines, _ := f.follower.Next(); len(lines) > 0 {
		f.last = &lines[len(lines)-1]
	}
	return f.last
}

// sweep forgets the trials not asked for since the last sweep: they no
// longer run.
func (c *progressCache) sweep() {
	for dir, f := range c.trials {
		if !f.asked {
			delete(c.trials, dir)
		}
		f.asked = false
	}
}

// checkMetrics checks that every metric -metrics names is one a shown
// search declares or one of its trials reported.
func checkMetrics(doc *views.ShowJSON, def *definition.Definition, names, metrics []string) error {
	if len(metrics) == 0 {
		return nil
	}
	var known []string
	for _, name := range names {
		for _, n := range doc.Searches[name].MetricNames(def.Search(name)) {
			if !contains(known, n) {
				known = append(known, n)
			}
		}
	}
	for _, n := range metrics {
		if !contains(known, n) {
			if len(known) == 0 {
				return fmt.Errorf("-metrics names %q, but no search shown has metrics yet", n)
			}
			return fmt.Errorf("-metrics names %q, which no search shown declares or reports; the metrics are %s", n, strings.Join(known, ", "))
		}
	}
	return nil
}

// showPlan shows a saved plan, rendered as plan renders it, with a note
// when the state has moved on since the plan was made.
func (m *Meta) showPlan(a *arguments.Show, view *views.View) int {
	saved, err := plan.ReadFile(m.abs(a.PlanFile))
	if err != nil {
		return fail(view, "Cannot read the plan file", err)
	}
	vars := arguments.Vars{Flags: saved.Vars().Flags, Files: saved.Vars().Files}
	res, o := m.loadWithState(vars, a.State, "show", view)
	if res == nil {
		return 1
	}
	defer o.Close()
	def := res.Definition
	p, err := saved.Plan(def)
	if err != nil {
		return fail(view, "Cannot show the plan", err)
	}
	_, staleErr := saved.Bind(def, o.st)
	if a.Format == arguments.RenderMarkdown {
		stale := ""
		if staleErr != nil {
			stale = strings.TrimPrefix(staleErr.Error(), plan.ErrStale.Error()+": ")
		}
		view.PlanMarkdown(p, def, views.PlanMarkdown{State: o.st, Full: a.Full, Stale: stale, PlanFile: a.PlanFile})
		return 0
	}
	if a.JSON {
		if err := view.JSON(views.ShowPlanJSON{PlanJSON: views.NewPlanJSON(p, def), Stale: staleErr != nil}); err != nil {
			return fail(view, "Cannot write output", err)
		}
		return 0
	}
	view.Plan(p, def, a.Full)
	if staleErr != nil {
		why := strings.TrimPrefix(staleErr.Error(), plan.ErrStale.Error()+": ")
		view.Printf("\n%s this plan is stale, and fwapply apply %s would refuse it:\n%s.\n", view.Colorize("yellow", "Note:"), a.PlanFile, why)
	}
	return 0
}

// searchNames lists the defined searches in source order, then searches
// that only the state knows, sorted.
func searchNames(def *definition.Definition, st *state.State) []string {
	var names []string
	for _, s := range def.Searches {
		names = append(names, s.Name)
	}
	for _, n := range st.Searches() {
		if def.Search(n) == nil {
			names = append(names, n)
		}
	}
	return names
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

const outputHelp = `
Usage: fwapply [-chdir=DIR] output [flags] search.NAME.OUTPUT

  Prints one output of a search, for the full-length training run:
    best_config   the best trial's whole nested config (JSON)
    best_params   the best trial's params, flat dotted keys (JSON)
    best_score    the best trial's metric

  Exit status 1 when the search has no completed trial.
`

func runOutput(m *Meta, args []string) int {
	a, diags := arguments.ParseOutput(args)
	if diags.HasErrors() {
		return m.parseFailed("output", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	res, o := m.loadWithState(a.Vars, a.State, "output", view)
	if res == nil {
		return 1
	}
	defer o.Close()
	s := res.Definition.Search(a.Search)
	if s == nil {
		return fail(view, "No such search", fmt.Errorf("search.%s is not defined", a.Search))
	}
	if s.Deferred != nil {
		return fail(view, "No best trial", fmt.Errorf("search.%s's definition is known only after apply: it %s; run fwapply apply", s.Name, s.Deferred.Reason))
	}
	best := plan.Best(s, o.st.Trials(s.Name))
	if best == nil {
		return fail(view, "No best trial", fmt.Errorf("search.%s has no completed trial that matches its definition yet; run fwapply apply", s.Name))
	}
	var value any
	switch a.Name {
	case "best_config":
		value = best.Config
	case "best_params":
		value = best.Params
	case "best_score":
		value = best.Metrics[s.Metric]
	}
	if a.JSON {
		return jsonLine(m, view, value)
	}
	if a.Name == "best_score" {
		fmt.Fprintln(m.Stdout, strconv.FormatFloat(value.(float64), 'g', -1, 64))
		return 0
	}
	if err := view.JSON(value); err != nil {
		return fail(view, "Cannot write output", err)
	}
	return 0
}

// addressRE matches search.NAME and search.NAME[N].
var addressRE = regexp.MustCompile(`^search\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+)\])?$`)

// parseAddress splits a trial address; number is -1 for a whole search.
func parseAddress(addr string) (search string, number int, err error) {
	m := addressRE.FindStringSubmatch(addr)
	if m == nil {
		return "", 0, fmt.Errorf("%q is not a trial address; write search.NAME[N] for one trial or search.NAME for all of a search", addr)
	}
	if m[2] == "" {
		return m[1], -1, nil
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return "", 0, fmt.Errorf("%q: trial number out of range", addr)
	}
	return m[1], n, nil
}

// watch redraws a compact summary of the state until interrupted: every
// -interval from the state file; from a backend that tells of changes
// (state.Watcher: pg), on each change.
func (m *Meta) watch(a *arguments.Show, def *definition.Definition, view *views.View) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	loc, err := m.locate(a.State, view, false)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	if loc.pg != nil {
		return m.watchBackend(ctx, loc, a, def, view)
	}
	tty := isTerminal(m.Stdout)
	progress := newProgressCache()
	for n := 1; ; n++ {
		o, err := m.openState(ctx, a.State, "show", false, view)
		if err != nil {
			return fail(view, "Cannot read the state", err)
		}
		m.drawWatch(a, def, o.st, view, tty, progress)
		o.Close()
		if a.WatchCount > 0 && n >= a.WatchCount {
			return 0
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(a.Interval):
		}
	}
}

// drawWatch draws one summary of show -watch, the running trials'
// progress from progress.
func (m *Meta) drawWatch(a *arguments.Show, def *definition.Definition, st *state.State, view *views.View, tty bool, progress *progressCache) {
	names := searchNames(def, st)
	if a.Search != "" {
		names = []string{a.Search}
	}
	doc := views.NewShowJSON(def, st, names).AddProgress(progress.last)
	progress.sweep()
	if tty {
		fmt.Fprint(m.Stdout, "\x1b[H\x1b[2J")
	}
	view.Watch(doc, def, time.Now())
}

// How show -watch follows a backend that tells of changes: it redraws on
// each change, but no sooner than watchMinGap (or -interval, when
// shorter) after the last draw, so that the changes of a busy apply are
// drawn together; and at least every watchFallback, whatever it hears.
// When the watch breaks (a lost connection), it polls every -interval and
// watches again.
var (
	watchMinGap   = time.Second
	watchFallback = 30 * time.Second
)

// watchBackend is show -watch on a backend that may tell of changes. A
// failed load before the first draw is an error; later ones are warned of
// once and retried every -interval until the backend answers again.
func (m *Meta) watchBackend(ctx context.Context, loc *location, a *arguments.Show, def *definition.Definition, view *views.View) int {
	b, desc, err := m.openStore(ctx, loc)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer b.Close()
	tty := isTerminal(m.Stdout)
	progress := newProgressCache()
	return followState(ctx, b, desc, a, view, func(st *state.State) error {
		if st.Serial == 0 {
			return m.checkMigrated(ctx, loc, "show", view)
		}
		return nil
	}, func(st *state.State) {
		m.drawWatch(a, def, st, view, tty, progress)
	})
}

// stateLoader is what followState reads; a loader that is also a
// state.Watcher is followed by its changes.
type stateLoader interface {
	LoadWith(ctx context.Context, o state.LoadOptions) (*state.State, []state.Warning, error)
}

// followState is the loop of watchBackend: first checks the first state
// loaded, draw draws one. Once a watch is set up again (after an outage,
// or a watch that broke) the state is drawn only when it is not the one
// last drawn, or when a load failed since that draw: so a backend whose
// watch could not be set up at once (its listener refused while its load
// retried) is not drawn twice without a change.
func followState(ctx context.Context, b stateLoader, desc string, a *arguments.Show, view *views.View, first func(*state.State) error, draw func(*state.State)) int {
	watcher, _ := b.(state.Watcher)
	var notes <-chan struct{}
	gap := min(a.Interval, watchMinGap)
	sleep := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	failing := false // the last load failed
	missed := false  // a load failed since the last draw
	var drawnSerial uint64
	for n := 0; ; {
		rewatched := false
		if watcher != nil && notes == nil {
			// Watch before loading, so that no change between the load
			// and the watch goes unseen.
			if ch, err := watcher.Watch(ctx); err == nil {
				notes, rewatched = ch, n > 0
			}
		}
		drawn := time.Now()
		st, warnings, err := b.LoadWith(ctx, state.LoadOptions{})
		switch {
		case ctx.Err() != nil:
			return 0
		case err != nil && n == 0:
			return fail(view, "Cannot read the state", fmt.Errorf("loading the state %s: %w", desc, err))
		case err != nil:
			if !failing {
				warn(view, "Cannot read the state", fmt.Sprintf("loading the state %s: %s; trying again every %s.", desc, strings.TrimSuffix(err.Error(), "."), a.Interval))
			}
			failing, missed = true, true
			if !sleep(a.Interval) {
				return 0
			}
			continue
		}
		failing = false
		for _, w := range warnings {
			warn(view, w.Summary, w.Detail)
		}
		if n == 0 {
			if err := first(st); err != nil {
				return fail(view, "Cannot read the state", err)
			}
		}
		if !rewatched || missed || st.Serial != drawnSerial {
			draw(st)
			n++
			drawnSerial, missed = st.Serial, false
			if a.WatchCount > 0 && n >= a.WatchCount {
				return 0
			}
		}
		if notes == nil {
			// No watch: poll.
			if !sleep(a.Interval) {
				return 0
			}
			continue
		}
		fallback := time.NewTimer(watchFallback)
		select {
		case <-ctx.Done():
			fallback.Stop()
			return 0
		case <-fallback.C:
			continue
		case _, ok := <-notes:
			fallback.Stop()
			if !ok {
				notes = nil // broken: poll, and watch again
				if !sleep(a.Interval) {
					return 0
				}
				continue
			}
		}
		// Coalesce the changes that come until the gap has passed.
		if !sleep(time.Until(drawn.Add(gap))) {
			return 0
		}
		notes = drain(notes)
	}
}

// drain empties a notification channel without blocking; it returns nil
// when the channel was closed.
func drain(c <-chan struct{}) <-chan struct{} {
	for {
		select {
		case _, ok := <-c:
			if !ok {
				return nil
			}
		default:
			return c
		}
	}
}
