package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// slowSame is what sameBase must agree with: DiffConfigs has no change
// outside the param paths.
func slowSame(cfg, base map[string]any, params map[string]bool) bool {
	for _, c := range definition.DiffConfigs(cfg, base) {
		if !params[c.Path] {
			return false
		}
	}
	return true
}

func TestSameBase(t *testing.T) {
	base := `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{"hidden":40},"optimizer":"adam","tags":null}`
	tests := []struct {
		name   string
		cfg    string
		params []string
		want   bool
	}{
		{"equal", base, nil, true},
		{"param value differs", `{"training":{"lr":0.5,"epochs":5,"layers":[64,32]},"model":{"hidden":40},"optimizer":"adam","tags":null}`, []string{"training.lr"}, true},
		{"non-param value differs", `{"training":{"lr":0.001,"epochs":6,"layers":[64,32]},"model":{"hidden":40},"optimizer":"adam","tags":null}`, []string{"training.lr"}, false},
		{"int equals float", `{"training":{"lr":0.001,"epochs":5.0,"layers":[64,32]},"model":{"hidden":40},"optimizer":"adam","tags":null}`, nil, true},
		{"list elements compare by value", `{"training":{"lr":0.001,"epochs":5,"layers":[64.0,32]},"model":{"hidden":40},"optimizer":"adam","tags":null}`, nil, true},
		{"list elements differ", `{"training":{"lr":0.001,"epochs":5,"layers":[64.5,32]},"model":{"hidden":40},"optimizer":"adam","tags":null}`, nil, false},
		{"list differs", `{"training":{"lr":0.001,"epochs":5,"layers":[64]},"model":{"hidden":40},"optimizer":"adam","tags":null}`, nil, false},
		{"key missing", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{},"optimizer":"adam","tags":null}`, nil, false},
		{"missing key is a param", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{},"optimizer":"adam","tags":null}`, []string{"model.hidden"}, true},
		{"key added", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32],"warmup":1},"model":{"hidden":40},"optimizer":"adam","tags":null}`, nil, false},
		{"added key is a param", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32],"warmup":1},"model":{"hidden":40},"optimizer":"adam","tags":null}`, []string{"training.warmup"}, true},
		{"object replaced by a scalar", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":3,"optimizer":"adam","tags":null}`, []string{"model.hidden"}, false},
		{"object at a param path compares inside", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{"hidden":41},"optimizer":"adam","tags":null}`, []string{"model"}, false},
		{"null differs from a value", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{"hidden":40},"optimizer":"adam","tags":"x"}`, nil, false},
		{"string differs", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{"hidden":40},"optimizer":"sgd","tags":null}`, nil, false},
		{"string at a param path", `{"training":{"lr":0.001,"epochs":5,"layers":[64,32]},"model":{"hidden":40},"optimizer":"sgd","tags":null}`, []string{"optimizer"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, b := decodeObject(t, tt.cfg), decodeObject(t, base)
			m := newMatcherOf(tt.params)
			if got := sameBase(cfg, b, m.tree); got != tt.want {
				t.Errorf("sameBase = %v, want %v", got, tt.want)
			}
			if got := compileBase(b, m.tree).same(cfg, m.tree); got != tt.want {
				t.Errorf("compiled base: same = %v, want %v", got, tt.want)
			}
			if slow := slowSame(cfg, b, m.params); slow != tt.want {
				t.Errorf("DiffConfigs says %v, want %v: the table is wrong", slow, tt.want)
			}
		})
	}
}

// TestExplainMatchingAllocs: matching a trial that matches builds no
// config changes. Classify runs on every trial of a search at each plan,
// show and apply, and most trials match.
func TestExplainMatchingAllocs(t *testing.T) {
	lr := must(space.NewReal("training.lr", 1e-5, 1e-1, true, 0))
	opt := must(space.NewCategorical("optimizer", []space.Value{"adam", "sgd"}))
	base := map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5), "batch_size": int64(64)},
		"model": map[string]any{"hidden": int64(40), "dropout": 0.1, "layers": []any{int64(64), int64(32)}}, "optimizer": "adam", "seed": int64(1)}
	s := searchOf(t, base, lr, opt)
	tr := trialOf(t, s, space.Point{0.003, "sgd"})
	m := newMatcher(s)
	if _, mm := m.explain(tr); len(mm) > 0 {
		t.Fatalf("the trial does not match: %v", mm)
	}
	// The point returned, and a value per param that the dimension's
	// Normalize may box.
	want := float64(1 + len(s.Params))
	if n := testing.AllocsPerRun(100, func() { m.explain(tr) }); n > want {
		t.Errorf("explaining a matching trial allocates %v times, want at most %v", n, want)
	}
}

// newMatcherOf is a matcher of the given param paths only.
func newMatcherOf(paths []string) matcher {
	s := &definition.Search{}
	for _, p := range paths {
		s.Params = append(s.Params, definition.Param{Path: p, Segments: strings.Split(p, ".")})
	}
	return newMatcher(s)
}

func decodeObject(t testing.TB, text string) map[string]any {
	t.Helper()
	m, ok := decodeNormalized(text)
	if !ok {
		t.Fatalf("bad test JSON %s", text)
	}
	return m
}

// decodeNormalized decodes a JSON object into state's normalized values.
func decodeNormalized(text string) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader([]byte(text)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	n, err := state.NormalizeValue(v)
	if err != nil {
		return nil, false
	}
	m, ok := n.(map[string]any)
	return m, ok
}

// FuzzSameBase checks the fast equality of explain against DiffConfigs,
// which it stands in for on matching trials: for any two configs and
// param paths, sameBase (and the compiled base's same) may only say
// "same" when DiffConfigs finds no change outside the param paths, and
// must say so then unless a key holds a dot.
func FuzzSameBase(f *testing.F) {
	f.Add(`{"a":{"b":1,"c":[1,2]},"d":"x"}`, `{"a":{"b":2.0,"c":[1,2]},"d":"x"}`, "a.b")
	f.Add(`{"a":{"b":1},"d":"x"}`, `{"a":{"b":1,"e":null},"d":"x"}`, "a.e,d")
	f.Add(`{"a.b":1}`, `{"a.b":2}`, "a.b")
	f.Add(`{"a":[1,{"x":1}]}`, `{"a":[1,{"x":1.0}]}`, "")
	f.Fuzz(func(t *testing.T, cfgText, baseText, paths string) {
		cfg, ok1 := decodeNormalized(cfgText)
		base, ok2 := decodeNormalized(baseText)
		if !ok1 || !ok2 {
			return
		}
		var ps []string
		if paths != "" {
			ps = strings.Split(paths, ",")
		}
		for _, p := range ps {
			if p == "" {
				return
			}
		}
		m := newMatcherOf(ps)
		slow := slowSame(cfg, base, m.params)
		for name, fast := range map[string]bool{
			"sameBase":      sameBase(cfg, base, m.tree),
			"compiled base": compileBase(base, m.tree).same(cfg, m.tree),
		} {
			if fast && !slow {
				t.Fatalf("%s says same, DiffConfigs finds %v", name, definition.DiffConfigs(cfg, base))
			}
			if slow && !fast && !strings.Contains(cfgText+baseText, ".") {
				t.Fatalf("%s says different, DiffConfigs finds no change outside %v", name, ps)
			}
		}
	})
}

// TestMatcher: a Matcher built once explains trials as Explain does.
func TestMatcher(t *testing.T) {
	lr := must(space.NewReal("training.lr", 1e-5, 1e-1, true, 0))
	opt := must(space.NewCategorical("optimizer", []space.Value{"adam", "sgd"}))
	base := map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5)}, "optimizer": "adam"}
	s := searchOf(t, base, lr, opt)
	in := trialOf(t, s, space.Point{0.003, "sgd"})
	out := trialOf(t, s, space.Point{0.5, "sgd"}) // above high
	out.Config["training"].(map[string]any)["epochs"] = int64(6)
	m := NewMatcher(s)
	for _, tr := range []*state.Trial{in, out} {
		wantPt, wantMM := Explain(s, tr)
		pt, mm := m.Explain(tr)
		if d := cmp.Diff(wantPt, pt); d != "" {
			t.Errorf("point differs (-Explain +Matcher):\n%s", d)
		}
		if d := cmp.Diff(wantMM, mm); d != "" {
			t.Errorf("mismatches differ (-Explain +Matcher):\n%s", d)
		}
		if _, ok := m.Match(tr); ok != (len(wantMM) == 0) {
			t.Errorf("Match = %v, Explain found %v", ok, wantMM)
		}
	}
}
