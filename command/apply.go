package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
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

  An apply holds the state lock while it runs and checks it before every
  write to the state. If the lock is taken away (a force-unlock of a
  holder on another host), the apply stops its trials, writes nothing more
  and exits with status 1, naming the new holder.

  A failed trial's line shows its reason, the last lines of its stderr
  (-stderr-lines) and the paths of its stderr.log and stdout.log. A search
  starts no more trials (the running ones finish) after -max-failures
  failed trials, or when its first -max-identical-failures trials of this
  apply all fail the same way: the same reason (like "exit status 1") and
  the same last line of stderr, runs of digits counting as equal. A trial
  that fails its last automatic attempt stays failed; the end of the apply
  says how to run it again with -replace=search.NAME[N] or -retry-failed.

  Searches that read other searches run in dependency order: once the
  searches they read are complete, apply plans and runs them as a next
  stage. One that reads a search that did not complete is not run (exit
  status 1). With PLANFILE, only the known part of the plan runs.

  With -json, apply prints one JSON object per line as trials start and
  end, and a summary last; docs/apply-events.md describes every event.

  Exit status: 0 when every search has a completed trial; 1 on errors, on
  interrupt, when a search stopped for -max-failures or
  -max-identical-failures, or when a search ends with no completed trial.
`

func runApply(m *Meta, args []string) int {
	a, diags := arguments.ParseApply(args)
	if diags.HasErrors() {
		return m.parseFailed("apply", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	if a.JSON && !a.AutoApprove && a.PlanFile == "" {
		return fail(view, "Cannot ask for confirmation with -json", errors.New("-json streams events as JSON lines and cannot ask questions, so give -auto-approve or a plan file"))
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
	o, err := m.openState(ctx, a.State, "apply", true, view)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	if res = m.loadStages(res, vars, o.st, view); res == nil {
		return 1
	}
	def := executorsFor(res.Definition, a.Executor)

	var p *plan.Plan
	if saved != nil {
		if p, err = saved.Bind(def, o.st); err != nil {
			if errors.Is(err, plan.ErrStale) {
				return fail(view, "Saved plan is stale", err)
			}
			return fail(view, "Saved plan does not fit the state", err)
		}
	} else {
		p, err = plan.Make(def, o.st, plan.Options{
			Targets: a.Targets, Vars: plan.Vars{Flags: a.Vars.Flags, Files: m.absAll(a.Vars.Files)},
			Replace: a.Replace, RetryFailed: a.RetryFailed,
		})
		if err != nil {
			return fail(view, "Cannot plan", err)
		}
		if !a.JSON {
			view.Plan(p, def, a.Full)
		}
		if !p.Changes() {
			if a.JSON {
				events := views.NewApplyEvents(m.Stdout, def, a.StderrLines)
				events.Summary(&apply.Result{})
				if err := events.Err(); err != nil {
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

	runCtx, kill := context.WithCancel(ctx)
	defer kill()
	drain := make(chan struct{})
	stopSignals := m.watchInterrupts(view, drain, kill)
	defer stopSignals()

	// One stage per round: the searches the plan knows, then, once they
	// are complete, the searches that read them (see stages.go).
	st := &stages{m: m, a: a, vars: vars, o: o, view: view, saved: saved != nil, drain: drain}
	result, def, runErr := st.run(ctx, runCtx, def, p)
	if result != nil && st.progress != nil {
		st.progress.summary(view, result, def)
	}
	var lost *state.LockLostError
	if errors.As(runErr, &lost) {
		return fail(view, "Lost the state lock", runErr)
	}
	if runErr != nil {
		return fail(view, "Apply failed", runErr)
	}
	if st.progress != nil {
		if err := st.progress.err(); err != nil {
			return fail(view, "Cannot write output", fmt.Errorf("%w; the trials ran and are recorded in the state: see fwapply show -json", err))
		}
	}
	for _, err := range st.metaErrors {
		view.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Incomplete experiment record", Detail: err.Error() + "; the trial is recorded in the state."}})
	}
	interrupted := false
	select {
	case <-drain:
		interrupted = true
	default:
	}
	if interrupted || failedSearch(result) || (saved == nil && len(result.Deferred) > 0) {
		return 1
	}
	return 0
}

// applyProgress is the view an apply reports to as it runs: the JSON
// event stream, bars on a terminal, or one line per trial.
type applyProgress struct {
	observer apply.Observer
	bars     *views.ApplyBars   // on a terminal
	events   *views.ApplyEvents // with -json
}

// startProgress picks and starts the progress view of an apply.
func (m *Meta) startProgress(a *arguments.Apply, view *views.View, def *definition.Definition, p *plan.Plan) applyProgress {
	failures := views.Failures{StderrLines: a.StderrLines, BaseDir: workingDir()}
	switch {
	case a.JSON:
		events := views.NewApplyEvents(m.Stdout, def, a.StderrLines)
		events.Start(p)
		return applyProgress{observer: events, events: events}
	case isTerminal(m.Stdout):
		view.Printf("\n")
		bars := views.NewApplyBars(view, m.Stdout, def, p, failures)
		return applyProgress{observer: bars, bars: bars}
	}
	view.Printf("\n")
	return applyProgress{observer: &views.ApplyProgress{View: view, Def: def, Failures: failures}}
}

// summary renders the end of the apply: the summary event, or the
// summary for people and how to rerun the trials that failed for good.
func (ap applyProgress) summary(view *views.View, res *apply.Result, def *definition.Definition) {
	if ap.events != nil {
		ap.events.Summary(res)
		return
	}
	view.ApplySummary(res, def)
	view.SubmitWarnings(res)
	view.PrunerWarnings(res, def)
	view.RerunHint(res)
}

// err is the error writing the JSON event stream, if any.
func (ap applyProgress) err() error {
	if ap.events == nil {
		return nil
	}
	return ap.events.Err()
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

// failedSearch reports whether a search of the apply ended without a
// completed trial or was stopped for its failures.
func failedSearch(res *apply.Result) bool {
	for _, sr := range res.Searches {
		if sr.BestAfter == nil || sr.HitMaxFailures || sr.HitIdenticalFailures {
			return true
		}
	}
	return false
}

// workingDir is the absolute directory fwapply runs in (where the user
// is, whatever -chdir says), for showing paths relative to it; "" if
// unknown.
func workingDir() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	return dir
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
