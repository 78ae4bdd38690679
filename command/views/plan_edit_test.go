package views

import (
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// editedFixture returns the fixture's search edited the way users edit
// searches after a first apply: lr's range narrowed, epochs raised in the
// base config of a second search, and failed trials recorded.
func editedFixture(t *testing.T) (*definition.Definition, *state.State) {
	t.Helper()
	def, st := fixture(t)
	s := def.Searches[0]
	// Trials far below the new low, and two that failed every attempt.
	for i, lr := range []float64{0.00012, 0.00015, 0.0002, 0.05, 0.06} {
		pt := space.Point{lr, "sgd"}
		cfg, _ := s.Resolve(pt)
		rec := &state.Trial{Search: s.Name, Number: 4 + i, Params: s.ParamMap(pt), Config: cfg, Status: state.Completed, Attempts: 1,
			Metrics: map[string]float64{"val_loss": 0.3}}
		if i >= 3 {
			rec.Status, rec.Metrics, rec.Error, rec.Attempts = state.Failed, nil, "exit status 1", plan.MaxAttempts
		}
		if err := st.Apply(state.Change{Put: rec}); err != nil {
			t.Fatal(err)
		}
	}
	narrowed, _ := space.NewReal("training.lr", 5e-4, 1e-1, true, 0)
	edited := *s
	edited.Params = append([]definition.Param{}, s.Params...)
	edited.Params[0].Dim = narrowed
	edited.Space, _ = space.New(narrowed, s.Params[1].Dim)
	return &definition.Definition{Searches: []*definition.Search{&edited}}, st
}

func TestPlanEditedGolden(t *testing.T) {
	def, st := editedFixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan_edited", render(func(v *View) { v.Plan(p, def, false) }))
	golden(t, "plan_edited_json", render(func(v *View) { v.JSON(NewPlanJSON(p, def)) }))

	// Raise nothing and finish the retries: only the failed trials are
	// left, and the plan says how to run them again instead of "No
	// changes.".
	done := *p.Searches[0]
	done.ToRun, done.ToRetry = nil, nil
	golden(t, "plan_failed_only", render(func(v *View) { v.Plan(&plan.Plan{Searches: []*plan.Search{&done}}, def, false) }))
}

func TestExclusionGroups(t *testing.T) {
	got := ExclusionGroups([]plan.Exclusion{
		{Number: 1, Reason: "x = 1 is above high = 0.5", Groups: []string{"x is above high = 0.5"}},
		{Number: 2, Reason: "base_config.e changed 1 → 2", Groups: []string{"base_config.e changed 1 → 2"}},
		{Number: 3, Reason: "x = 2 is above high = 0.5; base_config.e changed 1 → 2", Groups: []string{"x is above high = 0.5", "base_config.e changed 1 → 2"}},
		{Number: 4, Reason: "old reason only"},
	})
	want := []ExclusionGroup{
		{Reason: "x is above high = 0.5", Numbers: []int{1, 3}},
		{Reason: "base_config.e changed 1 → 2", Numbers: []int{2, 3}},
		{Reason: "old reason only", Numbers: []int{4}},
	}
	if len(got) != len(want) {
		t.Fatalf("groups %+v", got)
	}
	for i := range want {
		if got[i].Reason != want[i].Reason || len(got[i].Numbers) != len(want[i].Numbers) {
			t.Errorf("group %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
