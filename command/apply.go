package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
)

const applyHelp = `
Usage: fwapply [-chdir=DIR] apply [PLANFILE] [flags]

  Runs the trials a plan lists, in parallel, recording each one in the
  state as it starts and as it ends. Without PLANFILE it plans first and
  asks for confirmation; with a file saved by "fwapply plan -out" it runs
  exactly that plan, and refuses one the state or the definition has moved
  away from.

  Interrupt once (Ctrl-C) to stop starting trials and wait for the running
  ones; twice to stop them too (they are recorded as interrupted and run
  again by the next apply). After a crash, the next plan shows the trials
  that were running as interrupted.

  Exit status: 0 when every search has a completed trial; 1 on errors, on
  interrupt, when a search hit -max-failures, or when a search ends with no
  completed trial.

Flags:
  -auto-approve        do not ask for confirmation
  -parallelism=N       trials at once per search (-1: one per CPU);
                       overrides each search's parallelism
  -max-failures=N      stop a search after N failed trials in this apply
  -target=search.NAME  apply only that search (repeatable)
  -json                print the result as JSON (needs -auto-approve or a
                       plan file)
  -full                list every planned trial
  -allow-stale         run go_build programs whose generated code is stale
  -var 'NAME=VALUE'    set a variable (repeatable)
  -var-file=FILE       set variables from a file (repeatable)
  -state=PATH          state file (default frameworm.fwstate)
  -lock=false          do not lock the state
  -lock-timeout=DUR    wait this long for a locked state (default 0s)
  -no-color            no colour in the output
`

func runApply(m *Meta, args []string) int {
	a, diags := arguments.ParseApply(args)
	if diags.HasErrors() {
		return m.parseFailed("apply", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	if a.JSON && !a.AutoApprove && a.PlanFile == "" {
		return fail(view, "Cannot ask for confirmation with -json", errors.New("-json prints only the result, so give -auto-approve or a plan file"))
	}
	ctx := context.Background()

	var saved *plan.Saved
	vars := a.Vars
	if a.PlanFile != "" {
		var err error
		if saved, err = plan.ReadFile(m.abs(a.PlanFile)); err != nil {
			return fail(view, "Cannot read the plan file", err)
		}
		vars = arguments.Vars{Flags: saved.Vars().Flags, Files: saved.Vars().Files}
	}
	res := m.loadDefinition(vars, view)
	if res == nil {
		return 1
	}
	def := res.Definition
	o, err := m.openState(ctx, a.State, "apply", true, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()

	var p *plan.Plan
	if saved != nil {
		if p, err = saved.Bind(def, o.st.Lineage, o.st.Serial); err != nil {
			return fail(view, "Saved plan is stale", err)
		}
	} else {
		p, err = plan.Make(def, o.st, plan.Options{Targets: a.Targets, Vars: plan.Vars{Flags: a.Vars.Flags, Files: m.absAll(a.Vars.Files)}})
		if err != nil {
			return fail(view, "Cannot plan", err)
		}
		if !a.JSON {
			view.Plan(p, def, a.Full)
		}
		if !p.Changes() {
			if a.JSON {
				if err := view.JSON(views.NewApplyJSON(&apply.Result{}, def)); err != nil {
					return fail(view, "Cannot write output", err)
				}
			}
			return 0
		}
		if !a.AutoApprove && !m.confirm(view) {
			view.Printf("\nApply cancelled.\n")
			return 1
		}
	}

	programs, stale, err := m.builtPrograms(ctx, def, planned(p), o.path, view)
	if err != nil {
		return fail(view, "Cannot build the trial program", err)
	}
	if len(stale) > 0 && !a.AllowStale {
		return fail(view, "Stale generated code", fmt.Errorf("the trial programs of %v were generated from another version of their search; run go generate, or apply with -allow-stale", stale))
	}

	runCtx, kill := context.WithCancel(ctx)
	defer kill()
	drain := make(chan struct{})
	stopSignals := m.watchInterrupts(view, drain, kill)
	defer stopSignals()

	runner := &apply.Runner{
		Def: def, State: o.st, Journal: o.backend, Executor: &runtime.Local{},
		Options: apply.Options{Parallelism: a.Parallelism, MaxFailures: a.MaxFailures, Programs: programs},
	}
	var bars *views.ApplyBars
	switch {
	case a.JSON:
	case isTerminal(m.Stdout):
		view.Printf("\n")
		bars = views.NewApplyBars(view, m.Stdout, def, p)
		runner.Observer = bars
	default:
		view.Printf("\n")
		runner.Observer = &views.ApplyProgress{View: view, Def: def}
	}
	result, runErr := runner.Run(runCtx, drain, p)
	if bars != nil {
		bars.Wait()
	}
	if runErr == nil {
		if err := o.backend.Compact(ctx, o.st); err != nil {
			runErr = fmt.Errorf("compacting the state: %w; every trial is recorded in its journal, so nothing is lost", err)
		}
	}
	if result != nil {
		if a.JSON {
			view.JSON(views.NewApplyJSON(result, def))
		} else {
			view.ApplySummary(result, def)
		}
	}
	if runErr != nil {
		return fail(view, "Apply failed", runErr)
	}
	for _, err := range runner.MetaErrors() {
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Incomplete experiment record", Detail: err.Error() + "; the trial is recorded in the state."}})
	}
	interrupted := false
	select {
	case <-drain:
		interrupted = true
	default:
	}
	if interrupted || failedSearch(result) {
		return 1
	}
	return 0
}

// planned lists the searches a plan runs trials of.
func planned(p *plan.Plan) []string {
	var names []string
	for _, s := range p.Searches {
		if len(s.ToRun)+len(s.ToRetry) > 0 {
			names = append(names, s.Name)
		}
	}
	return names
}

func failedSearch(res *apply.Result) bool {
	for _, sr := range res.Searches {
		if sr.BestAfter == nil || sr.HitMaxFailures {
			return true
		}
	}
	return false
}

// confirm asks to go on; only "yes" approves.
func (m *Meta) confirm(view *views.View) bool {
	view.Printf("\nDo you want to run these trials?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	return m.readYes()
}

// readYes reads one line of standard input and reports whether it is "yes".
func (m *Meta) readYes() bool {
	if m.Stdin == nil {
		return false
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

// watchInterrupts turns the first SIGINT/SIGTERM into a drain and the
// second into a kill. The returned func stops watching.
func (m *Meta) watchInterrupts(view *views.View, drain chan struct{}, kill context.CancelFunc) func() {
	sigs := m.Interrupts
	var stop func()
	if sigs == nil {
		c := make(chan os.Signal, 2)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		sigs = c
		stop = func() { signal.Stop(c) }
	}
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case <-sigs:
				n++
				if n == 1 {
					fmt.Fprintf(m.Stderr, "\nInterrupt received: no new trials will start; waiting for the running ones to finish.\nInterrupt again to stop them now (they will be recorded as interrupted and run again by the next apply).\n")
					close(drain)
					continue
				}
				fmt.Fprintf(m.Stderr, "\nSecond interrupt: stopping the running trials.\n")
				kill()
				return
			}
		}
	}()
	return func() {
		close(done)
		if stop != nil {
			stop()
		}
	}
}
