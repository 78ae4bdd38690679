package definition

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Executor is where a search's trials run, from an `executor "slurm" "NAME"`
// block; nil on a Search's Trial means the local process pool.
//
// The executor is where trials run, not what they compute: nothing that
// fingerprints a search, or matches its existing trials, reads it.
type Executor struct {
	Type string // "slurm"
	Name string

	// Scheduler options, "" when unset. Mem is as written ("16G"), checked
	// to be a Slurm size.
	Partition, Account, QoS, Constraint, Nodelist, Mem, Gres string

	Time        time.Duration // 0 when unset: then the trial's timeout rounded up to whole minutes, else none
	CPUsPerTask int           // 0 when unset
	GPUs        int           // 0 when unset
	ExtraArgs   []string      // more sbatch arguments, never ones fwapply sets itself
	Array       bool          // submit a plan's trials as job arrays
	Poll        time.Duration // 0: adaptive
	DeclRange   hcl.Range     // the executor block's header, for messages
}

// LocalOnly returns the definition with every search's trials in the local
// process pool, as `-executor=local` asks: a copy in which each search's
// Trial.Executor is nil. d itself is not changed (a Definition is
// immutable); the copy shares everything else with it. Since the executor
// is not part of a search's meaning, the copy's searches have the same
// fingerprints and match the same trials.
func (d *Definition) LocalOnly() *Definition {
	out := *d
	out.Searches = make([]*Search, len(d.Searches))
	for i, s := range d.Searches {
		c := *s
		c.Trial.Executor = nil
		out.Searches[i] = &c
	}
	return &out
}
