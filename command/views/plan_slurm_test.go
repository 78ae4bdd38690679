package views

import (
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// TestPlanSlurmGolden: a search on a Slurm executor says where its trials
// run, and a trial left running with its job is re-attached to, the same
// attempt (local searches render as plan.golden).
func TestPlanSlurmGolden(t *testing.T) {
	def, st := fixture(t)
	s := *def.Searches[0]
	s.Trial.Executor = &definition.Executor{Type: "slurm", Name: "gpu"}
	def = &definition.Definition{Searches: []*definition.Search{&s}}
	left := st.Trial("coarse", 3).Clone()
	left.Job = "slurm:123"
	if err := st.Apply(state.Change{Put: left}); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan_slurm", render(func(v *View) { v.Plan(p, def, false) }))
	golden(t, "plan_slurm_json", render(func(v *View) { v.JSON(NewPlanJSON(p, def)) }))
}
