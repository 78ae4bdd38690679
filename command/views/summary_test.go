package views

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

func TestFormatConfigChanges(t *testing.T) {
	changes := definition.DiffConfigs(
		map[string]any{"training": map[string]any{"lr": 0.0104, "epochs": int64(5)}, "optimizer": "adam", "old": map[string]any{"a": int64(1), "b": true}},
		map[string]any{"training": map[string]any{"lr": 0.0031, "epochs": 5.0}, "optimizer": "sgd", "model": map[string]any{"hidden": int64(70), "act": []any{"relu", nil}}},
	)
	got := FormatConfigChanges(LeafChanges(changes))
	want := []string{
		`+ model.act = ["relu",null]`,
		`+ model.hidden = 70`,
		`- old.a = 1`,
		`- old.b = true`,
		`~ optimizer = "adam" → "sgd"`,
		`~ training.lr = 0.0104 → 0.0031`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
}

// summaryCase puts trials into the fixture's state and renders the summary
// of an apply that moved the best from trial before to trial after.
func TestApplySummaryCases(t *testing.T) {
	put := func(t *testing.T, st *state.State, s *definition.Search, n int, pt space.Point, metrics map[string]float64) *state.Trial {
		t.Helper()
		cfg, _ := s.Resolve(pt)
		h, _ := definition.Hash(cfg)
		tr := &state.Trial{Search: s.Name, Number: n, Params: s.ParamMap(pt), Config: cfg, ConfigHash: h, Status: state.Completed, Attempts: 1, Metrics: metrics}
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
		return st.Trial(s.Name, n)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, def *definition.Definition, st *state.State) *apply.Result
	}{
		{"summary_improved", func(t *testing.T, def *definition.Definition, st *state.State) *apply.Result {
			s := def.Searches[0]
			b := put(t, st, s, 20, space.Point{0.0104, "adam"}, map[string]float64{"val_loss": 0.2})
			a := put(t, st, s, 21, space.Point{0.0031, "sgd"}, map[string]float64{"val_loss": 0.1})
			return &apply.Result{Searches: []*apply.SearchResult{{Name: s.Name, Completed: 1, Kept: 1, BestBefore: b, BestAfter: a}}}
		}},
		{"summary_within_noise", func(t *testing.T, def *definition.Definition, st *state.State) *apply.Result {
			s := def.Searches[0]
			b := put(t, st, s, 20, space.Point{0.0104, "adam"}, map[string]float64{"val_loss": 0.2, "val_loss_std": 0.03})
			a := put(t, st, s, 21, space.Point{0.0031, "sgd"}, map[string]float64{"val_loss": 0.19, "val_loss_std": 0.02})
			return &apply.Result{Searches: []*apply.SearchResult{{Name: s.Name, Completed: 1, Kept: 1, BestBefore: b, BestAfter: a}}}
		}},
		{"summary_repeats_noise", func(t *testing.T, def *definition.Definition, st *state.State) *apply.Result {
			s := def.Searches[0]
			put(t, st, s, 20, space.Point{0.05, "adam"}, map[string]float64{"val_loss": 0.30})
			put(t, st, s, 21, space.Point{0.05, "adam"}, map[string]float64{"val_loss": 0.36})
			b := put(t, st, s, 22, space.Point{0.0104, "adam"}, map[string]float64{"val_loss": 0.2})
			a := put(t, st, s, 23, space.Point{0.0031, "sgd"}, map[string]float64{"val_loss": 0.18})
			return &apply.Result{Searches: []*apply.SearchResult{{Name: s.Name, Completed: 1, Kept: 3, BestBefore: b, BestAfter: a}}}
		}},
		{"summary_previous_excluded", func(t *testing.T, def *definition.Definition, st *state.State) *apply.Result {
			s := def.Searches[0]
			put(t, st, s, 20, space.Point{0.0104, "adam"}, map[string]float64{"val_loss": 0.05})
			edited := *s
			edited.BaseConfig = map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(10)}, "optimizer": "adam"}
			def.Searches[0] = &edited
			a := put(t, st, &edited, 21, space.Point{0.0031, "sgd"}, map[string]float64{"val_loss": 0.1})
			return &apply.Result{Searches: []*apply.SearchResult{{Name: s.Name, Completed: 1, BestAfter: a}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, _ := fixture(t)
			st := state.New()
			res := tt.setup(t, def, st)
			// What apply derives from the state (apply.TestBestBeforeAndNoise
			// checks that it does).
			for _, sr := range res.Searches {
				s := def.Search(sr.Name)
				h := plan.Classify(s, st.Trials(s.Name))
				sr.Noise = h.Noise(s)
				if sr.BestBefore == nil {
					sr.BestBefore, sr.BestBeforeExcluded = h.ExcludedBest(s)
				}
			}
			golden(t, tt.name, render(func(v *View) { v.ApplySummary(res, def) }))
		})
	}
}
