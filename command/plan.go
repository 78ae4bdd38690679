package command

import (
	"context"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/plan"
)

const planHelp = `
Usage: fwapply [-chdir=DIR] plan [flags]

  Shows which trials an apply would run: for each search the new trials with
  their exact params (grid, random, and a Bayesian search's initial design;
  the rest are "known after apply"), the trials to retry (interrupted, left
  running by a crash, tainted, or failed fewer than 2 times), the trials
  that failed every attempt (-retry-failed or -replace=search.NAME[N] plan
  them again), the trials excluded because their config is no longer one
  the definition can produce, with the reason for each, and what changed
  in the definition since the last apply.

  A search that reads another (search.NAME.best, .top, refine) whose trials
  have not all run is listed as "(known after apply)", with the reason;
  -target=search.NAME plans the searches it reads too.

  With -format=markdown it writes a compact summary for a pull-request
  comment (GitHub-flavoured markdown): per search changed, the trials to
  run (the first few, the rest folded), the trials excluded and why, what
  changed in the definition, and the best trial's config against the
  base config.

  Exit status: 0 on success (with -detailed-exitcode: 0 nothing to do,
  2 trials to run), 1 on error.
`

func runPlan(m *Meta, args []string) int {
	a, diags := arguments.ParsePlan(args)
	if diags.HasErrors() {
		return m.parseFailed("plan", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	res := m.loadDefinition(a.Vars, view)
	if res == nil {
		return 1
	}
	ctx := context.Background()
	o, err := m.openState(ctx, a.State, "plan", true, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	if res = m.loadStages(res, a.Vars, o.st, view); res == nil {
		return 1
	}
	def := executorsFor(res.Definition, a.Executor)
	p, err := plan.Make(def, o.st, plan.Options{Targets: a.Targets, Vars: plan.Vars{Flags: a.Vars.Flags, Files: m.absAll(a.Vars.Files)},
		Replace: a.Replace, RetryFailed: a.RetryFailed})
	if err != nil {
		return fail(view, "Cannot plan", err)
	}
	if _, _, err := m.builtPrograms(ctx, def, planned(p), o.path, view); err != nil {
		return fail(view, "Cannot build the trial program", err)
	}
	switch {
	case a.JSON:
		if err := view.JSON(views.NewPlanJSON(p, def)); err != nil {
			return fail(view, "Cannot write the plan", err)
		}
	case a.Format == arguments.RenderMarkdown:
		view.PlanMarkdown(p, def, views.PlanMarkdown{State: o.st, Full: a.Full})
	default:
		view.Plan(p, def, a.Full)
	}
	if a.Out != "" {
		if err := plan.WriteFile(m.abs(a.Out), p, def); err != nil {
			return fail(view, "Cannot save the plan", err)
		}
		switch {
		case a.JSON:
		case a.Format == arguments.RenderMarkdown:
			view.PlanSavedMarkdown(a.Out)
		default:
			view.Printf("\nSaved the plan to %s. Run it exactly with:\n    fwapply apply %s\n", a.Out, a.Out)
		}
	}
	if a.DetailedExitCode && p.Changes() {
		return 2
	}
	return 0
}

func (m *Meta) absAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = m.abs(p)
	}
	return out
}
