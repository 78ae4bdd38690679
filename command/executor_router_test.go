package command

import (
	"context"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/slurm"
)

type recordingLocal struct{ searches []string }

func (r *recordingLocal) Run(_ context.Context, spec runtime.Spec) runtime.Result {
	r.searches = append(r.searches, spec.Search)
	return runtime.Result{Outcome: runtime.Completed}
}

// TestRouter: each search's trials go to its executor: searches naming
// the same executor block share one Slurm executor, the others run in
// the local pool.
func TestRouter(t *testing.T) {
	gpu := &definition.Executor{Type: "slurm", Name: "gpu", Partition: "p"}
	gpuAgain := &definition.Executor{Type: "slurm", Name: "gpu", Partition: "p"}
	cpu := &definition.Executor{Type: "slurm", Name: "cpu"}
	def := &definition.Definition{Searches: []*definition.Search{
		{Name: "l"}, {Name: "a", Trial: definition.Trial{Executor: gpu}},
		{Name: "b", Trial: definition.Trial{Executor: gpuAgain}}, {Name: "c", Trial: definition.Trial{Executor: cpu}},
	}}
	local := &recordingLocal{}
	r := newRouter(def, local)
	defer r.Close()
	if len(r.slurm) != 2 {
		t.Fatalf("%d Slurm executors, want 2 (gpu, cpu)", len(r.slurm))
	}
	if r.bySearch["a"] != r.bySearch["b"] || r.bySearch["a"] == r.bySearch["c"] {
		t.Errorf("executors by search: %v", r.bySearch)
	}
	if _, ok := r.bySearch["a"].(*slurm.Executor); !ok {
		t.Errorf("search a runs on %T", r.bySearch["a"])
	}
	if _, ok := r.bySearch["l"]; ok {
		t.Error("the local search has a Slurm executor")
	}
	r.Run(context.Background(), runtime.Spec{Search: "l"})
	if len(local.searches) != 1 || local.searches[0] != "l" {
		t.Errorf("local ran %v", local.searches)
	}
	// -executor=local: no Slurm executor at all.
	def = executorsFor(def, "local")
	if r := newRouter(def, local); len(r.slurm) != 0 || len(r.bySearch) != 0 {
		t.Errorf("-executor=local routes %v", r.bySearch)
	}
}
