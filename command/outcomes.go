package command

import (
	"context"
	"io"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// stateOutcomes is the fwhcl.Outcomes of a state: what a search that
// reads another (search.NAME.best, .top, refine's from) sees of it, as
// plan.Outcome computes it. Each search is computed once.
type stateOutcomes struct {
	st    *state.State
	cache map[string]definition.Outcome
}

func newStateOutcomes(st *state.State) *stateOutcomes {
	return &stateOutcomes{st: st, cache: map[string]definition.Outcome{}}
}

// Outcome implements fwhcl.Outcomes.
func (o *stateOutcomes) Outcome(s *definition.Search) definition.Outcome {
	if s.Deferred == nil {
		if out, ok := o.cache[s.Name]; ok {
			return out
		}
	}
	out := plan.Outcome(s, o.st)
	if s.Deferred == nil {
		o.cache[s.Name] = out
	}
	return out
}

// hasStages reports whether a search of def reads another.
func hasStages(def *definition.Definition) bool {
	for _, s := range def.Searches {
		if len(s.Upstreams) > 0 {
			return true
		}
	}
	return false
}

// loadStages loads the search files again, with the outcomes of the
// searches that others read taken from st, when a search of res reads
// another (res was loaded without a state: every such search deferred);
// otherwise it returns res. The first load rendered the warnings: this
// one renders only its errors (a search read whose outcome the
// definition cannot use, like a .best of a search without a completed
// trial), and then returns nil.
func (m *Meta) loadStages(res *fwhcl.Result, vars arguments.Vars, st *state.State, view *views.View) *fwhcl.Result {
	if res == nil || !hasStages(res.Definition) {
		return res
	}
	again, diags := m.loadWith(vars, newStateOutcomes(st))
	view.Files = again.Files
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	view.Diagnostics(errs)
	if errs.HasErrors() {
		return nil
	}
	return again
}

// loadWithState is the start of a command that reads one state once
// (output, analyze, export, show of a plan file): it loads the search
// files, opens the state for op without a lock, and loads the search
// files again with its outcomes when a search reads another (see
// loadStages). It returns nil, nil after rendering an error; otherwise
// the caller closes the state.
func (m *Meta) loadWithState(vars arguments.Vars, sa arguments.State, op string, view *views.View) (*fwhcl.Result, *openedState) {
	res := m.loadDefinition(vars, view)
	if res == nil {
		return nil, nil
	}
	o, err := m.openState(context.Background(), sa, op, false, view)
	if err != nil {
		fail(view, "Cannot read the state", err)
		return nil, nil
	}
	if res = m.loadStages(res, vars, o.st, view); res == nil {
		o.Close()
		return nil, nil
	}
	return res, o
}

// resolveStages is loadStages for a command that opens the state more
// than once, or not at all on some paths (show: -watch, -json): when a search of
// res reads another, it reads the state, unlocked, to load the search
// files again with its outcomes. It returns nil after rendering an error.
func (m *Meta) resolveStages(res *fwhcl.Result, vars arguments.Vars, sa arguments.State, op string, view *views.View) *fwhcl.Result {
	if res == nil || !hasStages(res.Definition) {
		return res
	}
	// The command reads the state again: its warnings are rendered then.
	quiet := *view
	quiet.Stdout, quiet.Stderr = io.Discard, io.Discard
	o, err := m.openState(context.Background(), sa, op, false, &quiet)
	if err != nil {
		fail(view, "Cannot read the state", err)
		return nil
	}
	defer o.Close()
	return m.loadStages(res, vars, o.st, view)
}
