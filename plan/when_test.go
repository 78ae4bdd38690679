package plan

import (
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// conditionalSearch searches optimizer, then momentum only for "sgd"
// (base 0) and nesterov, a new leaf, only for "sgd".
func conditionalSearch(t *testing.T) *definition.Search {
	t.Helper()
	opt := must(space.NewCategorical("optimizer", []space.Value{"adam", "sgd"}))
	mom := must(space.NewReal("momentum", 0.5, 0.99, false, 0))
	nest := must(space.NewCategorical("nesterov", []space.Value{true, false}))
	sgd := space.Func(func(p space.Point) bool { return p[0] == "sgd" }, "optimizer")
	sp := must(space.NewConditional([]space.Dimension{opt, mom, nest}, []space.Condition{nil, sgd, sgd}))
	s := &definition.Search{Name: "s", Strategy: definition.Random, Metric: "loss", Mode: definition.Min, Trials: 10,
		BaseConfig: map[string]any{"optimizer": "adam", "momentum": 0.0}, Space: sp, Trial: definition.Trial{Command: []string{"true"}}}
	when := &definition.Condition{Text: `config.optimizer == "sgd"`, Reads: []string{"optimizer"}, Space: sgd}
	s.Params = []definition.Param{
		{Path: "optimizer", Segments: []string{"optimizer"}, Dim: opt},
		{Path: "momentum", Segments: []string{"momentum"}, Dim: mom, When: when},
		{Path: "nesterov", Segments: []string{"nesterov"}, Dim: nest, When: when, New: true},
	}
	return s
}

func TestExplainConditional(t *testing.T) {
	s := conditionalSearch(t)
	adam := space.Point{"adam", space.Inactive, space.Inactive}
	sgd := space.Point{"sgd", 0.9, true}
	edit := func(p space.Point, f func(tr *state.Trial)) *state.Trial {
		tr := trialOf(t, s, p)
		f(tr)
		return tr
	}
	tests := []struct {
		name  string
		trial *state.Trial
		want  space.Point // nil: excluded
		why   string
	}{
		{"inactive params", trialOf(t, s, adam), adam, ""},
		{"active params", trialOf(t, s, sgd), sgd, ""},
		{"inactive, set away from the base", edit(adam, func(tr *state.Trial) { tr.Config["momentum"] = 0.7 }), nil,
			`momentum = 0.7, but the param is inactive here (when config.optimizer == "sgd" is false), where base_config keeps 0`},
		{"inactive new leaf set", edit(adam, func(tr *state.Trial) { tr.Config["nesterov"] = true }), nil,
			`nesterov = true, but the param is inactive here (when config.optimizer == "sgd" is false), where base_config leaves it out`},
		{"inactive, recorded as searched", edit(adam, func(tr *state.Trial) { tr.Params["momentum"] = 0.0 }), nil,
			`momentum = 0 was searched in this trial, but the param is inactive here`},
		{"active, missing", edit(sgd, func(tr *state.Trial) { delete(tr.Config, "nesterov") }), nil,
			"nesterov was not set in this trial's config"},
		{"no config, by params", edit(adam, func(tr *state.Trial) { tr.Config = nil }), adam, ""},
		{"no config, inactive param recorded", edit(adam, func(tr *state.Trial) { tr.Config = nil; tr.Params["nesterov"] = true }), nil,
			"nesterov = true is one of its params, but the param is inactive here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, explain := range []func(*state.Trial) (space.Point, []Mismatch){
				func(tr *state.Trial) (space.Point, []Mismatch) { return Explain(s, tr) },
				NewMatcher(s).Explain,
			} {
				pt, mm := explain(tt.trial)
				if tt.want != nil {
					if len(mm) > 0 || s.Space.Key(pt) != s.Space.Key(tt.want) {
						t.Fatalf("point %v, mismatches %v; want %v", pt, mm, tt.want)
					}
					continue
				}
				if len(mm) == 0 || !strings.Contains(Reason(mm), tt.why) {
					t.Fatalf("mismatches %q; want one saying %q", Reason(mm), tt.why)
				}
			}
		})
	}
}

// TestParamsOmitInactive: params.json and the state hold only the active
// params, and the config keeps the base value at an inactive path; a plan
// file reads them back to the same point.
func TestParamsOmitInactive(t *testing.T) {
	s := conditionalSearch(t)
	adam := space.Point{"adam", space.Inactive, space.Inactive}
	if got := s.ParamMap(adam); len(got) != 1 || got["optimizer"] != "adam" {
		t.Errorf("ParamMap = %v; want only optimizer", got)
	}
	cfg, err := s.Resolve(adam)
	if err != nil {
		t.Fatal(err)
	}
	if _, has := cfg["nesterov"]; has || cfg["momentum"] != 0.0 {
		t.Errorf("config %v: want the base momentum and no nesterov", cfg)
	}
	for _, p := range []space.Point{adam, {"sgd", 0.75, false}} {
		ts, err := fromFileTrials(s, []fileTrial{{Number: 1, Attempt: 1, Params: s.ParamMap(p)}})
		if err != nil {
			t.Fatal(err)
		}
		if s.Space.Key(ts[0].Point) != s.Space.Key(p) {
			t.Errorf("plan file point %v; want %v", ts[0].Point, p)
		}
	}
	if _, err := fromFileTrials(s, []fileTrial{{Number: 1, Attempt: 1, Params: map[string]any{"optimizer": "adam", "momentum": 0.6}}}); err == nil {
		t.Error("a plan file trial with an inactive param set was accepted")
	}
}
