package command

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
)

// stages runs an apply in dependency order. A stage is one apply.Runner
// run of the searches a plan knows (independent searches at the same
// time, as for any plan); the searches the plan defers (they read a
// search with trials to run) wait. After a stage, the definition is
// loaded again, with the outcomes of the state as it is now: the searches
// whose upstreams completed are known, and the next stage plans and runs
// them. It stops when no deferred search became known: every search ran,
// or the ones left read a search that did not complete (failures, an
// interrupt), and the result says so (apply.Result.Deferred). A saved
// plan runs only its known part: it is exactly what was planned.
type stages struct {
	m     *Meta
	a     *arguments.Apply
	vars  arguments.Vars
	o     *openedState
	view  *views.View
	saved bool
	drain <-chan struct{}

	// progress is the view of the current stage; the JSON event stream
	// is the same for every stage.
	progress   *applyProgress
	events     *views.ApplyEvents
	metaErrors []error
}

// run runs p, then every later stage. It returns what every stage did,
// the definition the last stage was planned from, and the error that
// stopped it (a *diagError for one found before a stage ran trials).
func (st *stages) run(ctx, runCtx context.Context, def *definition.Definition, p *plan.Plan) (*apply.Result, *definition.Definition, error) {
	total := &apply.Result{}
	for stage := 1; ; stage++ {
		res, err := st.runStage(ctx, runCtx, stage, def, p)
		if res != nil {
			total.Searches = append(total.Searches, res.Searches...)
			total.Stopped = res.Stopped
		}
		if err != nil || st.saved || st.drained() {
			total.Deferred = deferredOf(p)
			return total, def, err
		}
		nextDef, next, err := st.next(def, p)
		if err != nil {
			total.Deferred = deferredOf(p)
			return total, def, err
		}
		if next == nil {
			total.Deferred = deferredOf(p)
			return total, def, nil
		}
		if !st.a.JSON {
			st.view.Printf("\n%s %s, planned now that %s complete.\n\n",
				st.view.Colorize("bold", fmt.Sprintf("Stage %d:", stage+1)), knownNames(next), upstreamsOf(next, nextDef))
			st.view.Plan(next, nextDef, st.a.Full)
		}
		def, p = nextDef, next
	}
}

// drained reports whether the user interrupted the apply.
func (st *stages) drained() bool {
	select {
	case <-st.drain:
		return true
	default:
		return false
	}
}

// runStage runs the known searches of p.
func (st *stages) runStage(ctx, runCtx context.Context, stage int, def *definition.Definition, p *plan.Plan) (*apply.Result, error) {
	m, a, view, o := st.m, st.a, st.view, st.o
	programs, stale, err := m.builtPrograms(ctx, def, planned(p), o.path, view)
	if err != nil {
		return nil, &diagError{summary: "Cannot build the trial program", detail: errorDetail(err), err: err}
	}
	if len(stale) > 0 && !a.AllowStale {
		err := fmt.Errorf("the trial programs of %v were generated from another version of their search; run go generate, or apply with -allow-stale", stale)
		return nil, &diagError{summary: "Stale generated code", detail: errorDetail(err), err: err}
	}
	executor := newRouter(def, &runtime.Local{OnLeftover: func(_ runtime.Spec, note string) {
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Leftover trial process stopped", Detail: note}})
	}})
	defer executor.Close()
	runner := &apply.Runner{
		Def: def, State: o.st, Journal: o.backend, Executor: executor,
		Options: apply.Options{
			Parallelism: a.Parallelism, MaxFailures: a.MaxFailures, MaxIdenticalFailures: a.MaxIdenticalFailures,
			Programs: programs,
		},
	}
	if o.unlock != nil {
		runner.Lock = o.backend // stop cleanly if a force-unlock takes the lock away
	}
	progress := st.startProgress(stage, def, p)
	runner.Observer = progress.observer
	result, runErr := runner.Run(runCtx, st.drain, p)
	if progress.bars != nil {
		progress.bars.Wait()
	}
	st.metaErrors = append(st.metaErrors, runner.MetaErrors()...)
	if runErr == nil && o.unlock != nil {
		// Compaction replaces the state file: never over another holder's.
		if err := o.backend.CheckLock(ctx); err != nil {
			runErr = fmt.Errorf("%w; every trial of this apply is recorded in the state, which was left as it is (not compacted)", err)
		}
	}
	if runErr == nil && o.backend.CompactionDue() {
		if err := o.backend.Compact(ctx, o.st); err != nil {
			runErr = fmt.Errorf("compacting the state: %w; every trial is recorded in its journal, so nothing is lost", err)
		}
	}
	return result, runErr
}

// startProgress starts the progress view of a stage: the JSON stream
// (one for every stage: apply_start, then a stage_start per later
// stage), or bars or lines for this stage's searches.
func (st *stages) startProgress(stage int, def *definition.Definition, p *plan.Plan) applyProgress {
	if st.a.JSON && st.events != nil {
		st.events.StageStart(stage, p, def)
		ap := applyProgress{observer: st.events, events: st.events}
		st.progress = &ap
		return ap
	}
	ap := st.m.startProgress(st.a, st.view, def, p)
	st.events = ap.events
	st.progress = &ap
	return ap
}

// next loads the definition again with the outcomes of the state as the
// last stage left it, and plans the searches p deferred (those known now,
// and those still deferred, to say why). It returns a nil plan when none
// of them became known.
func (st *stages) next(def *definition.Definition, p *plan.Plan) (*definition.Definition, *plan.Plan, error) {
	waiting := p.Deferred()
	if len(waiting) == 0 {
		return def, nil, nil
	}
	res, diags := st.m.loadWith(st.vars, newStateOutcomes(st.o.st))
	st.view.Files = res.Files
	if diags.HasErrors() {
		var errs hcl.Diagnostics
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				errs = append(errs, d)
			}
		}
		st.view.Diagnostics(errs)
		return def, nil, fmt.Errorf("%w: the searches that read the searches this apply ran cannot be loaded (see above); fix them, then run fwapply apply again", errReported)
	}
	nextDef := executorsFor(res.Definition, st.a.Executor)
	known := false
	for _, name := range waiting {
		if s := nextDef.Search(name); s != nil && s.Deferred == nil {
			known = true
		}
	}
	if !known {
		return def, nil, nil
	}
	next, err := plan.Make(nextDef, st.o.st, plan.Options{
		Targets: waiting, Vars: plan.Vars{Flags: st.vars.Flags, Files: st.m.absAll(st.vars.Files)},
		RetryFailed: st.a.RetryFailed,
	})
	if err != nil {
		return def, nil, &diagError{summary: "Cannot plan", detail: errorDetail(err), err: err}
	}
	// Targets bring in the searches read, complete now: this stage runs
	// only the ones that waited.
	next.Searches = slices.DeleteFunc(next.Searches, func(s *plan.Search) bool { return !slices.Contains(waiting, s.Name) })
	return nextDef, next, nil
}

// deferredOf lists the searches p deferred, with why.
func deferredOf(p *plan.Plan) []apply.Deferred {
	var out []apply.Deferred
	for _, s := range p.Searches {
		if s.Deferred != nil {
			out = append(out, apply.Deferred{Search: s.Name, Reason: s.Deferred.Reason})
		}
	}
	return out
}

// knownNames names the searches of a stage's plan that it runs.
func knownNames(p *plan.Plan) string {
	var names []string
	for _, s := range p.Searches {
		if s.Deferred == nil {
			names = append(names, "search."+s.Name)
		}
	}
	return strings.Join(names, ", ")
}

// upstreamsOf names the searches that the known searches of p read, as
// in "search.coarse is" or "search.a and search.b are".
func upstreamsOf(p *plan.Plan, def *definition.Definition) string {
	var names []string
	for _, ps := range p.Searches {
		s := def.Search(ps.Name)
		if ps.Deferred != nil || s == nil {
			continue
		}
		for _, u := range s.Upstreams {
			if n := "search." + u; !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	switch len(names) {
	case 0:
		return "its upstreams are"
	case 1:
		return names[0] + " is"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are"
}
