package views

import (
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// deferredFixture is the fixture with a second search, fine, that reads
// coarse, which has trials to run: fine is deferred, as the loader
// leaves it, with the reason built from coarse's outcome.
func deferredFixture(t *testing.T) (*definition.Definition, *state.State) {
	t.Helper()
	def, st := fixture(t)
	o := plan.Outcome(def.Searches[0], st)
	if o.Known {
		t.Fatal("the fixture's coarse search is complete")
	}
	fine := &definition.Search{Name: "fine", Strategy: definition.Bayesian, Metric: "val_loss", Mode: definition.Min, Trials: 30,
		Upstreams: []string{"coarse"},
		Deferred:  &definition.Deferred{Upstream: "coarse", Reason: "depends on search.coarse (" + o.Pending + ")"}}
	def.Searches = append(def.Searches, fine)
	return def, st
}

// fineSearch is fine once coarse is complete: refined around coarse's
// best trial, lr narrowed around it.
func fineSearch(t *testing.T, around int, lr float64) *definition.Search {
	t.Helper()
	dim, err := space.NewReal("training.lr", lr/2, lr*2, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(dim)
	if err != nil {
		t.Fatal(err)
	}
	return &definition.Search{Name: "fine", Strategy: definition.Random, Metric: "val_loss", Mode: definition.Min, Trials: 3, Seed: 1,
		BaseConfig: map[string]any{"training": map[string]any{"lr": lr, "epochs": int64(5)}, "optimizer": "adam"},
		Params:     []definition.Param{{Path: "training.lr", Segments: []string{"training", "lr"}, Dim: dim}},
		Space:      sp, Trial: definition.Trial{Command: []string{"./train"}},
		Upstreams: []string{"coarse"},
		Refine:    &definition.Refinement{From: "coarse", Factor: 0.5, Around: around},
	}
}

// upstreamChangedFixture: coarse complete (2 trials), fine applied from
// its best, then coarse's budget raised to 3 and a better third trial
// run: fine's definition is refined around the new best.
func upstreamChangedFixture(t *testing.T) (*definition.Definition, *state.State) {
	t.Helper()
	def, st := fixture(t)
	coarse := def.Searches[0]
	coarse.Trials = 2
	for _, n := range []int{2, 3} {
		if err := st.Apply(state.Change{Remove: &state.TrialRef{Search: "coarse", Number: n}}); err != nil {
			t.Fatal(err)
		}
	}
	best := plan.Best(coarse, st.Trials("coarse"))
	lr := best.Params["training.lr"].(float64)
	fine := fineSearch(t, best.Number, lr)
	def.Searches = append(def.Searches, fine)
	if err := st.Apply(state.Change{Settings: &state.SearchSettings{Search: "fine", Settings: plan.Settings(def, fine, st)}}); err != nil {
		t.Fatal(err)
	}
	coarse.Trials = 3
	pt := space.Point{lr * 1.5, "sgd"}
	cfg, _ := coarse.Resolve(pt)
	h, _ := definition.Hash(cfg)
	if err := st.Apply(state.Change{Put: &state.Trial{Search: "coarse", Number: 4, Params: coarse.ParamMap(pt), Config: cfg, ConfigHash: h,
		Status: state.Completed, Attempts: 1, Metrics: map[string]float64{"val_loss": 0.01}}}); err != nil {
		t.Fatal(err)
	}
	newLR := pt[0].(float64)
	def.Searches[1] = fineSearch(t, 4, newLR)
	return def, st
}

func TestPlanDeferredGolden(t *testing.T) {
	def, st := deferredFixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan_deferred", render(func(v *View) { v.Plan(p, def, false) }))
	golden(t, "plan_deferred_json", render(func(v *View) { v.JSON(NewPlanJSON(p, def)) }))
	golden(t, "markdown_plan_deferred", render(func(v *View) { v.PlanMarkdown(p, def, PlanMarkdown{State: st}) }))
	for name, out := range map[string]string{
		"text":     render(func(v *View) { v.Plan(p, def, false) }),
		"markdown": render(func(v *View) { v.PlanMarkdown(p, def, PlanMarkdown{State: st}) }),
	} {
		if !strings.Contains(out, "depends on search.coarse (12 of 14 trials to run)") || !strings.Contains(out, "known after apply") {
			t.Errorf("%s plan lacks the reason:\n%s", name, out)
		}
	}
}

func TestPlanUpstreamChangedGolden(t *testing.T) {
	def, st := upstreamChangedFixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Deferred()) != 0 {
		t.Fatalf("deferred: %v", p.Deferred())
	}
	want := "search.fine reads search.coarse, whose best changed from trial 1 to trial 4"
	text := render(func(v *View) { v.Plan(p, def, false) })
	md := render(func(v *View) { v.PlanMarkdown(p, def, PlanMarkdown{State: st}) })
	for name, out := range map[string]string{"text": text, "markdown": md} {
		if !strings.Contains(out, want) {
			t.Errorf("%s plan lacks %q:\n%s", name, want, out)
		}
	}
	golden(t, "plan_upstream_changed", text)
	golden(t, "plan_upstream_changed_json", render(func(v *View) { v.JSON(NewPlanJSON(p, def)) }))
	golden(t, "markdown_plan_upstream_changed", md)
}

func TestProvenance(t *testing.T) {
	tests := []struct {
		s    *definition.Search
		want string
	}{
		{&definition.Search{}, ""},
		{&definition.Search{Upstreams: []string{"coarse"}}, "reads search.coarse"},
		{&definition.Search{Upstreams: []string{"a", "coarse"}, Refine: &definition.Refinement{From: "coarse", Factor: 0.5, Around: 12}},
			"refined around search.coarse's best (trial 12), factor 0.5; reads search.a"},
		{&definition.Search{Upstreams: []string{"coarse"}, Refine: &definition.Refinement{From: "coarse", Factor: 0.25, Params: []string{"lr", "bs"}, TopK: 3, Around: 2}},
			"refined around search.coarse's best (trial 2), factor 0.25, params lr, bs, categories of its top 3"},
	}
	for _, tt := range tests {
		if got := Provenance(tt.s); got != tt.want {
			t.Errorf("Provenance(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
	d := &definition.Search{Upstreams: []string{"coarse"}, Deferred: &definition.Deferred{Upstream: "coarse", Reason: "depends on search.coarse (1 of 2 trials to run)"}}
	if got := StageLine(d); got != "known after apply: depends on search.coarse (1 of 2 trials to run)" {
		t.Errorf("StageLine of a deferred search = %q", got)
	}
}
