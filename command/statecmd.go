package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

const stateHelp = `
Usage: fwapply [-chdir=DIR] state SUBCOMMAND [flags] [ADDRESS...]

  Inspects and edits the trials in the state. An ADDRESS is search.NAME[N]
  for one trial or search.NAME for every trial of a search.

Subcommands:
  list      one line per trial: address, status and every metric
  show      every recorded field of the trials
  rm        remove trials from the state (their directories are kept)
  taint     mark trials to run again on the next apply
  untaint   undo taint
  repair    keep the good records of a damaged state file, save the rest
  pull      print the whole state in the state file format
  push      replace the state with a state file (lineage and serial checked)

  Run "fwapply state SUBCOMMAND -help" for the flags of a subcommand.
`

const stateListHelp = `
Usage: fwapply [-chdir=DIR] state list [flags] [ADDRESS...]

  Lists the trials of the state, or those the addresses name, one line per
  trial: its address, its status, and every metric it reported as
  NAME=VALUE. The search's metric comes first, then the metrics its
  metrics = [...] declares, then any others by name. Fields are separated
  by tabs, so the address is the first field for scripts.

  The search files, loaded with -var and -var-file, order the metrics;
  when they do not load, the list still works, with a warning.
`

const stateShowHelp = `
Usage: fwapply [-chdir=DIR] state show [flags] ADDRESS...

  Prints every recorded field of the trials the addresses name: params,
  config, status, every metric, attempts, times, host, error and
  directory. In text, each trial is a "# search.NAME[N]" line, a line with
  its metrics (the search's metric first), then the trial as JSON.
`

const stateRmHelp = `
Usage: fwapply [-chdir=DIR] state rm [flags] ADDRESS...

  Removes trials from the state. Their numbers are never reused, and
  their trial directories are kept unless -purge. -purge deletes a
  directory only when fwapply prepared it for that very trial (its
  .frameworm-trial.json names the state, the search and the number) and
  it is not a symbolic link; any other directory is kept, and the output
  says why.
`

const stateTaintHelp = `
Usage: fwapply [-chdir=DIR] state taint [flags] ADDRESS...

  Marks trials to run again: the next plan lists them to retry, whatever
  their status.
`

const stateUntaintHelp = `
Usage: fwapply [-chdir=DIR] state untaint [flags] ADDRESS...

  Undoes fwapply state taint.
`

func runState(m *Meta, args []string) int {
	a, diags := arguments.ParseState(args)
	if diags.HasErrors() {
		return m.parseFailed("state", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	switch a.Sub {
	case "repair":
		return m.stateRepair(a, view) // staterepair.go
	case "pull":
		return m.statePull(a, view) // statepush.go
	case "push":
		return m.statePush(a, view)
	}
	ctx := context.Background()
	edits := a.Sub == "rm" || a.Sub == "taint" || a.Sub == "untaint"
	loc, err := m.locate(a.State, view, false)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	if edits && loc.pg == nil && !m.stateExists(a.State) {
		return fail(view, "No state", fmt.Errorf("%s does not exist; there is nothing to %s", a.State.Path, a.Sub))
	}
	o, err := m.openAt(ctx, loc, a.State, "state "+a.Sub, edits, view, state.LoadOptions{})
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	defer o.Close()
	trials, err := selectTrials(o.st, a.Addresses)
	if err != nil {
		return fail(view, "Invalid address", err)
	}
	switch a.Sub {
	case "list":
		if a.JSON {
			return jsonLine(m, view, stateListJSON(trials))
		}
		view.StateList(trials, m.loadOptional(a.Vars, view, "metrics are listed by name"))
	case "show":
		if a.JSON {
			return jsonLine(m, view, trials)
		}
		m.stateShow(trials, m.loadOptional(a.Vars, view, "metrics are listed by name"))
	default:
		return m.editTrials(ctx, o, a, trials, view)
	}
	return 0
}

// stateShow prints each trial as a heading, its metrics in display order,
// and its record as JSON.
func (m *Meta) stateShow(trials []*state.Trial, def *definition.Definition) {
	for i, t := range trials {
		if i > 0 {
			fmt.Fprintln(m.Stdout)
		}
		fmt.Fprintf(m.Stdout, "# search.%s[%d]\n", t.Search, t.Number)
		var s *definition.Search
		if def != nil {
			s = def.Search(t.Search)
		}
		var metrics []string
		for _, name := range views.SearchMetricNames(s, t.Metrics) {
			if x, ok := t.Metrics[name]; ok {
				metrics = append(metrics, name+"="+views.FormatScore(x))
			}
		}
		if len(metrics) > 0 {
			fmt.Fprintf(m.Stdout, "# metrics: %s\n", strings.Join(metrics, ", "))
		}
		b, _ := json.MarshalIndent(t, "", "  ")
		fmt.Fprintf(m.Stdout, "%s\n", b)
	}
}

// editTrials runs state rm, taint and untaint on the selected trials.
func (m *Meta) editTrials(ctx context.Context, o *openedState, a *arguments.StateCmd, trials []*state.Trial, view *views.View) int {
	var purge purgeResult
	for _, t := range trials {
		var c state.Change
		switch a.Sub {
		case "rm":
			c.Remove = &state.TrialRef{Search: t.Search, Number: t.Number}
		default:
			u := t.Clone()
			u.Tainted = a.Sub == "taint"
			c.Put = u
		}
		if err := o.st.Apply(c); err != nil {
			return fail(view, "Cannot change the state", err)
		}
		if err := o.backend.Append(ctx, c); err != nil {
			return fail(view, "Cannot write the state", err)
		}
		if a.Sub == "rm" && a.Purge && t.Dir != "" {
			if err := purge.remove(t, o.st.Lineage); err != nil {
				return fail(view, "Cannot delete a trial directory", err)
			}
		}
	}
	if err := o.backend.Compact(ctx, o.st); err != nil {
		return fail(view, "Cannot compact the state", err)
	}
	verb := map[string]string{"rm": "Removed", "taint": "Tainted", "untaint": "Untainted"}[a.Sub]
	fmt.Fprintf(m.Stdout, "%s %d trial(s).\n", verb, len(trials))
	if a.Sub == "rm" && !a.Purge {
		m.printKeptDirs(trials)
	}
	if a.Sub == "rm" && a.Purge {
		purge.print(m)
	}
	return 0
}

// purgeResult is what state rm -purge did with the trial directories.
type purgeResult struct {
	deleted int
	kept    []string // why each kept directory was kept
}

// remove deletes the directory of t, a trial of the state of lineage,
// when its marker says it is that trial's (runtime.RemoveTrialDir); a
// directory that is not is kept, with the reason noted. It returns an
// error only when a directory of the trial could not be deleted.
func (p *purgeResult) remove(t *state.Trial, lineage string) error {
	err := runtime.RemoveTrialDir(t.Dir, runtime.Marker{Lineage: lineage, Search: t.Search, Number: t.Number})
	switch {
	case err == nil:
		p.deleted++
	case errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, runtime.ErrKept):
		p.kept = append(p.kept, fmt.Sprintf("search.%s[%d]: %v", t.Search, t.Number, err))
	default:
		return fmt.Errorf("search.%s[%d]: %w; the trial is removed from the state, delete its directory by hand", t.Search, t.Number, err)
	}
	return nil
}

// print says what state rm -purge deleted and what it kept.
func (p *purgeResult) print(m *Meta) {
	if p.deleted > 0 {
		fmt.Fprintf(m.Stdout, "Deleted the trial directories of %d trial(s).\n", p.deleted)
	}
	if len(p.kept) > 0 {
		fmt.Fprintf(m.Stdout, "Kept the directories of %d trial(s), which are not their own:\n", len(p.kept))
		for _, k := range p.kept {
			fmt.Fprintf(m.Stdout, "  %s\n", k)
		}
	}
}

// printKeptDirs names the trial directories state rm left in place.
func (m *Meta) printKeptDirs(trials []*state.Trial) {
	var kept []string
	for _, t := range trials {
		if t.Dir != "" {
			if _, err := os.Stat(t.Dir); err == nil {
				kept = append(kept, m.display(t.Dir))
			}
		}
	}
	if len(kept) > 0 {
		fmt.Fprintf(m.Stdout, "Their trial directories are kept (-purge deletes them): %s\n", strings.Join(kept, ", "))
	}
}

// selectTrials resolves addresses; no address means every trial.
func selectTrials(st *state.State, addrs []string) ([]*state.Trial, error) {
	if len(addrs) == 0 {
		var all []*state.Trial
		for _, s := range st.Searches() {
			all = append(all, st.Trials(s)...)
		}
		return all, nil
	}
	var out []*state.Trial
	seen := map[state.TrialRef]bool{}
	for _, addr := range addrs {
		search, number, err := parseAddress(addr)
		if err != nil {
			return nil, err
		}
		var ts []*state.Trial
		if number < 0 {
			ts = st.Trials(search)
		} else if t := st.Trial(search, number); t != nil {
			ts = []*state.Trial{t}
		}
		if len(ts) == 0 {
			return nil, fmt.Errorf("no trial in the state matches %s; fwapply state list shows the addresses", addr)
		}
		for _, t := range ts {
			if !seen[t.Ref()] {
				seen[t.Ref()] = true
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// stateListJSON is the document of state list -json: an array of
// {"address", "search", "number", "status", "tainted", "metrics"}.
func stateListJSON(trials []*state.Trial) []map[string]any {
	out := []map[string]any{}
	for _, t := range trials {
		metrics := t.Metrics
		if metrics == nil {
			metrics = map[string]float64{}
		}
		out = append(out, map[string]any{"address": fmt.Sprintf("search.%s[%d]", t.Search, t.Number), "search": t.Search, "number": t.Number,
			"status": t.Status, "tainted": t.Tainted, "metrics": metrics})
	}
	return out
}

// jsonLine prints v as compact JSON on one line.
func jsonLine(m *Meta, view *views.View, v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return fail(view, "Cannot encode output", err)
	}
	fmt.Fprintf(m.Stdout, "%s\n", b)
	return 0
}

const forceUnlockHelp = `
Usage: fwapply [-chdir=DIR] force-unlock [flags]

  Removes the state lock left by an apply that can no longer release it,
  after showing who holds it and asking for confirmation.

  It refuses, even with -force, while the holder still runs on this host:
  stop that process instead, and its lock goes with it. A holder on another
  host cannot be checked: remove its lock only when that process is gone,
  since two applies on one state can run trials twice. An apply whose lock
  is removed stops at its next check of the lock (within seconds), writing
  nothing more to the state.

  With the pg backend, a holder whose database session ended (its process
  died, or its machine) no longer holds the lock: the next apply takes it
  without force-unlock. Removing the lock of a holder whose session is
  still open ends that session.
`

func runForceUnlock(m *Meta, args []string) int {
	a, diags := arguments.ParseForceUnlock(args)
	if diags.HasErrors() {
		return m.parseFailed("force-unlock", diags, a.NoColor)
	}
	view := m.view(a.NoColor)
	ctx := context.Background()
	loc, err := m.locate(a.State, view, false)
	if err != nil {
		return fail(view, "Cannot read the lock", err)
	}
	name := filepath.Base(loc.path)
	if loc.pg == nil {
		if _, err := os.Lstat(loc.path + ".lock"); errors.Is(err, fs.ErrNotExist) {
			view.Printf("%s is not locked: there is no lock to remove.\n", name)
			return 0
		}
	}
	b, desc, err := m.openStore(ctx, loc)
	if err != nil {
		return fail(view, "Cannot read the lock", err)
	}
	defer b.Close()
	if loc.pg != nil {
		name = desc
	}
	info, live, err := b.LockHolder(ctx)
	if err != nil {
		return fail(view, "Cannot read the lock", err)
	}
	if loc.pg != nil && info == nil && live == state.HolderGone {
		view.Printf("%s is not locked: there is no lock to remove.\n", name)
		return 0
	}
	holder, id := "a holder whose lock file cannot be read", ""
	if loc.pg != nil {
		holder = "a holder whose lock row cannot be read"
	}
	if info != nil {
		holder, id = info.String(), info.ID
	}
	note := ""
	switch live {
	case state.HolderAlive:
		return fail(view, "The lock holder is still running", fmt.Errorf("%s is locked by %s, and that process still runs on this host. "+
			"Removing its lock would let another apply write the state beside it. Stop that process instead (Ctrl-C where it runs, or kill %d: "+
			"an apply records its running trials as interrupted), and its lock goes with it", name, holder, info.PID))
	case state.HolderUnknown:
		switch {
		case loc.pg != nil:
			where := "its lock names no host"
			if info != nil && info.Host() != "" {
				where = fmt.Sprintf("it runs on host %q, not on this one", info.Host())
			}
			note = fmt.Sprintf("The holder's database session is still open (%s), so it may still be running. Removing its lock ends that session: "+
				"the holder stops at its next check of the lock, but trials may run twice until then.", where)
		default:
			where := "its lock file names no process"
			if info != nil && info.PID > 0 {
				where = fmt.Sprintf("it runs on host %q, not on this one", info.Host())
			}
			note = fmt.Sprintf("Whether the holder still runs cannot be checked (%s). If it does, removing its lock lets two applies write the state at once; it stops at its next check of the lock, but trials may run twice until then.", where)
		}
	}
	if !a.Force {
		view.Printf("Lock of %s: %s\n", name, holder)
		if note != "" {
			view.Printf("\n%s\n", note)
		} else {
			view.Printf("The holder no longer runs.\n")
		}
		view.Printf("\nRemove it? Only 'yes' will be accepted.\n  Enter a value: ")
		if !m.readYes() {
			view.Printf("\nforce-unlock cancelled.\n")
			return 1
		}
	} else if note != "" {
		warn(view, "Lock holder not checked", "Removing the lock of "+holder+". "+note)
	}
	if err := b.ForceUnlockHolder(ctx, id); err != nil {
		return fail(view, "Cannot remove the lock", err)
	}
	view.Printf("The state lock was removed.\n")
	return 0
}
