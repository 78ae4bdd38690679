package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// searchOf builds a search from a base config and params.
func searchOf(t *testing.T, base map[string]any, dims ...space.Dimension) *definition.Search {
	t.Helper()
	sp, err := space.New(dims...)
	if err != nil {
		t.Fatal(err)
	}
	s := &definition.Search{Name: "s", Strategy: definition.Random, Metric: "loss", Mode: definition.Min, Trials: 10,
		BaseConfig: base, Space: sp, Trial: definition.Trial{Command: []string{"true"}}}
	for _, d := range dims {
		s.Params = append(s.Params, definition.Param{Path: d.Name(), Segments: splitPath(d.Name()), Dim: d})
	}
	return s
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := range len(p) {
		if p[i] == '.' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// trialOf records the trial a search runs at point p.
func trialOf(t *testing.T, s *definition.Search, p space.Point) *state.Trial {
	t.Helper()
	cfg, err := s.Resolve(p)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := definition.Hash(cfg)
	return &state.Trial{Search: "s", Number: 0, Params: s.ParamMap(p), Config: cfg, ConfigHash: h, Status: state.Completed}
}

func TestExplain(t *testing.T) {
	lr := func(low, high float64) space.Dimension { return must(space.NewReal("training.lr", low, high, true, 0)) }
	hidden := must(space.NewInteger("model.hidden", 16, 256, false, 0))
	hiddenStep := must(space.NewInteger("model.hidden", 16, 256, false, 16))
	opt := func(vals ...space.Value) space.Dimension { return must(space.NewCategorical("optimizer", vals)) }
	base := func() map[string]any {
		return map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5)}, "model": map[string]any{"hidden": int64(40)}, "optimizer": "adam"}
	}
	old := searchOf(t, base(), lr(1e-5, 1e-1), opt("adam", "sgd"))

	tests := []struct {
		name   string
		point  space.Point // of the old search
		now    *definition.Search
		want   space.Point // nil: excluded
		reason string
		group  string
	}{
		{name: "same definition", point: space.Point{0.003, "sgd"}, now: old, want: space.Point{0.003, "sgd"}},
		{name: "param added, base value in range", point: space.Point{0.003, "sgd"},
			now: searchOf(t, base(), lr(1e-5, 1e-1), opt("adam", "sgd"), hidden), want: space.Point{0.003, "sgd", int64(40)}},
		{name: "param added, base value off its step grid", point: space.Point{0.003, "sgd"},
			now:    searchOf(t, base(), lr(1e-5, 1e-1), opt("adam", "sgd"), hiddenStep),
			reason: "model.hidden = 40 is not on the grid of step = 16", group: "model.hidden is not on the grid of step = 16"},
		{name: "range narrowed, still inside", point: space.Point{0.003, "sgd"},
			now: searchOf(t, base(), lr(1e-4, 1e-2), opt("adam", "sgd")), want: space.Point{0.003, "sgd"}},
		{name: "range narrowed, below", point: space.Point{0.00005, "sgd"},
			now:    searchOf(t, base(), lr(1e-4, 1e-2), opt("adam", "sgd")),
			reason: "training.lr = 0.00005 is below low = 0.0001", group: "training.lr is below low = 0.0001"},
		{name: "range narrowed, above", point: space.Point{0.05, "sgd"},
			now:    searchOf(t, base(), lr(1e-4, 1e-2), opt("adam", "sgd")),
			reason: "training.lr = 0.05 is above high = 0.01", group: "training.lr is above high = 0.01"},
		{name: "category dropped", point: space.Point{0.003, "sgd"},
			now:    searchOf(t, base(), lr(1e-5, 1e-1), opt("adam", "rmsprop")),
			reason: `optimizer = "sgd" is not one of ["adam", "rmsprop"]`, group: `optimizer is not one of ["adam", "rmsprop"]`},
		{name: "param removed, value equals base", point: space.Point{0.003, "adam"},
			now: searchOf(t, base(), lr(1e-5, 1e-1)), want: space.Point{0.003}},
		{name: "param removed, value differs from base", point: space.Point{0.003, "sgd"},
			now:    searchOf(t, base(), lr(1e-5, 1e-1)),
			reason: `optimizer = "sgd" is no longer searched, and base_config has "adam"`, group: `optimizer is no longer searched, and base_config has optimizer = "adam"`},
		{name: "base changed", point: space.Point{0.003, "adam"},
			now: func() *definition.Search {
				b := base()
				b["training"].(map[string]any)["epochs"] = int64(10)
				return searchOf(t, b, lr(1e-5, 1e-1), opt("adam", "sgd"))
			}(),
			reason: "base_config.training.epochs changed 5 → 10", group: "base_config.training.epochs changed 5 → 10"},
		{name: "base key added", point: space.Point{0.003, "adam"},
			now: func() *definition.Search {
				b := base()
				b["seed"] = int64(1)
				return searchOf(t, b, lr(1e-5, 1e-1), opt("adam", "sgd"))
			}(),
			reason: "base_config.seed was added (= 1)", group: "base_config.seed was added (= 1)"},
		{name: "whole number stored as a float", point: space.Point{0.003, "adam"},
			now: func() *definition.Search {
				b := base()
				b["training"].(map[string]any)["epochs"] = 5.0
				return searchOf(t, b, lr(1e-5, 1e-1), opt("adam", "sgd"))
			}(),
			want: space.Point{0.003, "adam"}},
		{name: "new leaf the trial never had", point: space.Point{0.003, "adam"},
			now:    searchOf(t, base(), lr(1e-5, 1e-1), opt("adam", "sgd"), must(space.NewReal("model.dropout", 0, 0.5, false, 0))),
			reason: "model.dropout was not set in this trial's config", group: "model.dropout was not set in their configs"},
		{name: "two reasons", point: space.Point{0.05, "sgd"},
			now:    searchOf(t, base(), lr(1e-4, 1e-2), opt("adam", "rmsprop")),
			reason: `optimizer = "sgd" is not one of ["adam", "rmsprop"]; training.lr = 0.05 is above high = 0.01`,
			group:  `optimizer is not one of ["adam", "rmsprop"]; training.lr is above high = 0.01`},
		{name: "a param and the base", point: space.Point{0.05, "sgd"},
			now: func() *definition.Search {
				b := base()
				b["training"].(map[string]any)["epochs"] = int64(10)
				return searchOf(t, b, lr(1e-4, 1e-2), opt("adam", "sgd"))
			}(),
			reason: "base_config.training.epochs changed 5 → 10; training.lr = 0.05 is above high = 0.01",
			group:  "base_config.training.epochs changed 5 → 10; training.lr is above high = 0.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := trialOf(t, old, tt.point)
			got, mm := Explain(tt.now, tr)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("point (-want +got):\n%s", diff)
			}
			if r := Reason(mm); r != tt.reason {
				t.Errorf("reason:\n got %s\nwant %s", r, tt.reason)
			}
			if g := GroupReason(mm); g != tt.group {
				t.Errorf("group:\n got %s\nwant %s", g, tt.group)
			}
			if _, ok := Match(tt.now, tr); ok != (tt.want != nil) {
				t.Errorf("Match = %v", ok)
			}
		})
	}
}

func TestExplainWithoutConfig(t *testing.T) {
	s := testSearch(t, definition.Random, 5, 1)
	st := state.New()
	record(t, st, s, 0, space.Point{0.25, "b"}, state.Completed, 1, 1)
	tr := st.Trial("s", 0).Clone()
	tr.Config = nil
	if _, ok := Match(s, tr); !ok {
		t.Fatal("a trial without a config but with matching params and hash was rejected")
	}
	changed := testSearch(t, definition.Random, 5, 1)
	changed.BaseConfig = map[string]any{"x": 0.5, "opt": "a", "extra": true}
	if _, mm := Explain(changed, tr); len(mm) == 0 {
		t.Error("matched after base_config changed")
	}
	missing := tr.Clone()
	missing.Params = map[string]any{"x": 0.25}
	if _, mm := Explain(s, missing); Reason(mm) != "it has no recorded config, and opt was not one of its params" {
		t.Errorf("reason %q", Reason(mm))
	}
}
