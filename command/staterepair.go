package command

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/state"
)

const stateRepairHelp = `
Usage: fwapply [-chdir=DIR] state repair [flags]

  Repairs a damaged state file: one that fwapply refuses to load because a
  line fails its checksum, does not decode, or does not follow the line
  before it. It keeps the header and every record before the first
  damaged line, and drops the rest: first it saves the dropped bytes to a
  new file next to the state, PATH.dropped-<UTC time>, then it replaces the
  state file atomically. It prints where the damage was and what was
  dropped, with the trials the dropped lines still name, so that you can
  run them again. PATH.backup, the state as of the last compaction, is left
  alone: restoring it instead is the other way out.

  On a state without damage it says so and changes nothing. A damaged
  header cannot be repaired: restore PATH.backup. Exit status 0 when the
  state is sound afterwards, 1 on an error.
`

func init() {
	subcommandHelp["state repair"] = stateRepairHelp
}

// repairNow is the clock that names the file of dropped lines; tests set
// it.
var repairNow = time.Now

// stateRepairJSON is the document of state repair -json (one line).
type stateRepairJSON struct {
	FormatVersion string `json:"format_version"`
	State         string `json:"state"`
	// Repaired is false when there was nothing to repair.
	Repaired     bool              `json:"repaired"`
	Damage       *repairDamageJSON `json:"damage,omitempty"`
	KeptLines    int               `json:"kept_lines,omitempty"`
	KeptBytes    int64             `json:"kept_bytes,omitempty"`
	DroppedFile  string            `json:"dropped_file,omitempty"`
	DroppedBytes int64             `json:"dropped_bytes,omitempty"`
	DroppedLines []droppedLineJSON `json:"dropped_lines,omitempty"`
	Trials       []string          `json:"trials,omitempty"`
	SnapshotCut  bool              `json:"snapshot_cut,omitempty"`
	// Backup is PATH.backup when it exists.
	Backup     string         `json:"backup,omitempty"`
	NextRaised map[string]int `json:"next_raised,omitempty"`
}

type repairDamageJSON struct {
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Error  string `json:"error"`
	Torn   bool   `json:"torn"`
}

type droppedLineJSON struct {
	Line    int    `json:"line"`
	Offset  int64  `json:"offset"`
	Bytes   int64  `json:"bytes"`
	Change  string `json:"change,omitempty"` // put, remove or settings; absent when the line does not decode
	Search  string `json:"search,omitempty"`
	Number  *int   `json:"number,omitempty"`
	Address string `json:"address,omitempty"`
	Status  string `json:"status,omitempty"`
	// InState: for a put, the repaired state holds this very record; for
	// a remove, the repaired state holds the trial it removed.
	InState bool   `json:"in_state,omitempty"`
	Error   string `json:"error,omitempty"`
}

// stateRepair runs fwapply state repair.
func (m *Meta) stateRepair(a *arguments.StateCmd, view *views.View) int {
	loc, err := m.locate(a.State, view, false)
	if err != nil {
		return fail(view, "Cannot read the state", err)
	}
	if loc.pg != nil {
		return fail(view, "Not a local state file", fmt.Errorf("state repair works on a local state file; the pg backend checks every record on write, "+
			"and the backend block at %s names the PostgreSQL workspace %q", m.blockPos(loc.pg), loc.pg.Workspace))
	}
	path := m.abs(a.State.Path)
	if !m.stateExists(a.State) {
		return fail(view, "No state", fmt.Errorf("%s does not exist; there is nothing to repair", a.State.Path))
	}
	ctx := context.Background()
	f := state.NewFile(path)
	defer f.Close()
	if a.State.Lock {
		lctx, cancel := context.WithTimeout(ctx, a.State.LockTimeout)
		unlock, err := f.Lock(lctx, state.LockInfo{Operation: "state repair"})
		cancel()
		if err != nil {
			return fail(view, "Cannot lock the state", fmt.Errorf("acquiring the state lock: %w", err))
		}
		defer unlock()
	}
	res, err := f.Repair(ctx, repairNow())
	if err != nil {
		return fail(view, "Cannot repair the state", err)
	}
	doc := m.repairDoc(path, res)
	if a.JSON {
		return jsonLine(m, view, doc)
	}
	m.printRepair(view, doc)
	return 0
}

// repairDoc describes a repair for the JSON and the text output.
func (m *Meta) repairDoc(path string, res *state.RepairResult) *stateRepairJSON {
	doc := &stateRepairJSON{FormatVersion: views.FormatVersion, State: m.display(path)}
	if res.Damage == nil {
		return doc
	}
	if _, err := os.Stat(path + ".backup"); err == nil {
		doc.Backup = m.display(path + ".backup")
	}
	d := res.Damage
	doc.Repaired = true
	doc.Damage = &repairDamageJSON{Line: d.Line, Offset: d.Offset, Error: d.Err.Error(), Torn: res.Torn}
	doc.KeptLines, doc.KeptBytes, doc.DroppedBytes, doc.SnapshotCut = res.KeptLines, d.Offset, res.DroppedBytes, res.SnapshotCut
	if res.DroppedPath != "" {
		doc.DroppedFile = m.display(res.DroppedPath)
	}
	seen := map[state.TrialRef]bool{}
	var refs []state.TrialRef
	for _, l := range res.Dropped {
		j := droppedLineJSON{Line: l.Line, Offset: l.Offset, Bytes: l.Size, InState: l.InState}
		switch c := l.Change; {
		case c == nil:
			j.Error = l.Err.Error()
		case c.Put != nil:
			j.Change, j.Search, j.Number, j.Address, j.Status = "put", c.Put.Search, &c.Put.Number, trialAddress(c.Put.Ref()), string(c.Put.Status)
			if !l.InState && !seen[c.Put.Ref()] {
				seen[c.Put.Ref()] = true
				refs = append(refs, c.Put.Ref())
			}
		case c.Remove != nil:
			j.Change, j.Search, j.Number, j.Address = "remove", c.Remove.Search, &c.Remove.Number, trialAddress(*c.Remove)
		case c.Settings != nil:
			j.Change, j.Search = "settings", c.Settings.Search
		}
		doc.DroppedLines = append(doc.DroppedLines, j)
	}
	slices.SortFunc(refs, func(a, b state.TrialRef) int {
		return cmp.Or(strings.Compare(a.Search, b.Search), cmp.Compare(a.Number, b.Number))
	})
	for _, r := range refs {
		doc.Trials = append(doc.Trials, trialAddress(r))
	}
	for _, search := range res.NextRaised {
		if doc.NextRaised == nil {
			doc.NextRaised = map[string]int{}
		}
		next := 0
		for _, r := range refs {
			if r.Search == search {
				next = max(next, r.Number+1)
			}
		}
		doc.NextRaised[search] = next
	}
	return doc
}

func trialAddress(r state.TrialRef) string { return fmt.Sprintf("search.%s[%d]", r.Search, r.Number) }

// repairListed is how many dropped lines, and trials, the text names.
const repairListed = 20

// printRepair renders a repair as text.
func (m *Meta) printRepair(view *views.View, doc *stateRepairJSON) {
	if !doc.Repaired {
		view.Printf("%s has no damage: there is nothing to repair.\n", doc.State)
		return
	}
	d := doc.Damage
	view.Printf("Repaired %s.\n\n", doc.State)
	if d.Torn {
		view.Printf("Line %d (byte offset %d) was torn: %s.\n", d.Line, d.Offset, d.Error)
	} else {
		view.Printf("Line %d (byte offset %d) is damaged: %s.\n", d.Line, d.Offset, d.Error)
	}
	view.Printf("Kept the header and %s: lines 1 to %d, %d bytes.\n", countOf(doc.KeptLines-1, "record", "records"), doc.KeptLines, doc.KeptBytes)
	if doc.SnapshotCut {
		view.Printf("The damage is inside the snapshot written by the last compaction: the header now counts only the records kept in it.")
		if doc.Backup != "" {
			view.Printf(" %s, the file before that compaction, holds every trial of the snapshot.", doc.Backup)
		}
		view.Printf("\n")
	}
	if doc.DroppedFile != "" {
		view.Printf("Dropped %s (%d bytes from byte offset %d), saved in %s:\n",
			countOf(len(doc.DroppedLines), "line", "lines"), doc.DroppedBytes, d.Offset, doc.DroppedFile)
		for i, l := range doc.DroppedLines {
			if i == repairListed {
				view.Printf("  ... and %d more lines\n", len(doc.DroppedLines)-i)
				break
			}
			switch l.Change {
			case "":
				view.Printf("  line %d: does not decode: %s\n", l.Line, l.Error)
			case "put":
				note := ""
				if l.InState {
					note = " (the state holds this very record)"
				}
				view.Printf("  line %d: %s %s%s\n", l.Line, l.Address, l.Status, note)
			case "remove":
				note := ""
				if l.InState {
					note = " (the trial is in the state again: fwapply state rm removes it)"
				}
				view.Printf("  line %d: removal of %s%s\n", l.Line, l.Address, note)
			case "settings":
				view.Printf("  line %d: settings of search.%s\n", l.Line, l.Search)
			}
		}
	}
	for _, search := range slices.Sorted(maps.Keys(doc.NextRaised)) {
		view.Printf("Trial numbers of search.%s now start at %d, past the dropped trials, so that their numbers and directories are not used again.\n",
			search, doc.NextRaised[search])
	}
	if len(doc.Trials) == 0 {
		return
	}
	names := doc.Trials
	more := ""
	if len(names) > repairListed {
		names, more = names[:repairListed], fmt.Sprintf(" and %d more", len(doc.Trials)-repairListed)
	}
	view.Printf("\nThe dropped lines name %s: %s%s. The state no longer records what they said: run fwapply plan to see what the next apply runs in their place.\n",
		countOf(len(doc.Trials), "trial", "trials"), strings.Join(names, ", "), more)
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
