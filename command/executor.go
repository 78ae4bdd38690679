package command

import (
	"context"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/slurm"
)

// executorsFor returns the definition plan and apply run: with
// -executor=local every search's trials run in the local process pool;
// otherwise each search's trials run where its trial.executor says.
func executorsFor(def *definition.Definition, flag string) *definition.Definition {
	if flag == arguments.ExecutorLocal {
		return def.LocalOnly()
	}
	return def
}

// router is the executor of an apply: it sends each trial to its
// search's executor, the local process pool for searches without one.
// Close closes the Slurm executors it made.
type router struct {
	local    runtime.Executor
	bySearch map[string]runtime.Executor
	// arrays are the Submitters of the searches whose executor block has
	// array = true.
	arrays map[string]runtime.Submitter
	slurm  []*slurm.Executor
}

// newRouter makes one Slurm executor per executor block that a search of
// def uses (shared by its searches), and sends every other search's
// trials to local.
func newRouter(def *definition.Definition, local runtime.Executor) *router {
	r := &router{local: local, bySearch: map[string]runtime.Executor{}, arrays: map[string]runtime.Submitter{}}
	made := map[*definition.Executor]*slurm.Executor{}
	byName := map[string]*slurm.Executor{}
	for _, s := range def.Searches {
		x := s.Trial.Executor
		if x == nil {
			continue
		}
		e, ok := made[x]
		if !ok {
			// Blocks are identified by type and name: searches naming the
			// same block share its executor (and its poller).
			if e, ok = byName[x.Type+"."+x.Name]; !ok {
				e = slurm.New(slurmConfig(x))
				byName[x.Type+"."+x.Name] = e
				r.slurm = append(r.slurm, e)
			}
			made[x] = e
		}
		r.bySearch[s.Name] = e
		if x.Array {
			r.arrays[s.Name] = e
		}
	}
	return r
}

var _ apply.ArrayExecutor = (*router)(nil)

// ArraySubmitter is the Slurm executor of search when its executor block
// has array = true, nil otherwise (apply.ArrayExecutor): apply then
// submits the trials the plan knows as job arrays.
func (r *router) ArraySubmitter(search string) runtime.Submitter {
	if sub, ok := r.arrays[search]; ok {
		return sub
	}
	return nil
}

// slurmConfig is the Slurm executor's configuration of an executor block.
func slurmConfig(x *definition.Executor) slurm.Config {
	return slurm.Config{
		Partition: x.Partition, Account: x.Account, QoS: x.QoS, Constraint: x.Constraint,
		Nodelist: x.Nodelist, Mem: x.Mem, Gres: x.Gres,
		Time: x.Time, CPUsPerTask: x.CPUsPerTask, GPUs: x.GPUs,
		ExtraArgs: x.ExtraArgs, Array: x.Array, Poll: x.Poll,
	}
}

// Run runs spec on its search's executor.
func (r *router) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	if e, ok := r.bySearch[spec.Search]; ok {
		return e.Run(ctx, spec)
	}
	return r.local.Run(ctx, spec)
}

// Close stops the Slurm executors' pollers; jobs still running are left
// to Slurm (the next apply attaches to them).
func (r *router) Close() {
	for _, e := range r.slurm {
		e.Close()
	}
}
