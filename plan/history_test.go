package plan

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// sameHistory compares histories by content: the lists, in order, and the
// policy; an empty list equals a nil one.
var sameHistory = []cmp.Option{cmp.AllowUnexported(History{}), cmpopts.EquateEmpty()}

// randomTrial records trial n of testSearch(…, high 1) with a random
// point (a tenth of them outside the space, so excluded), status and
// attempts.
func randomTrial(t *testing.T, s *definition.Search, r *rand.Rand, n int) *state.Trial {
	t.Helper()
	x := r.Float64()
	if r.IntN(10) == 0 {
		x += 1.5 // above high: excluded
	}
	tr := trialOf(t, s, space.Point{x, []string{"a", "b"}[r.IntN(2)]})
	tr.Number = n
	tr.Attempts = 1 + r.IntN(MaxAttempts+1)
	tr.Status = []state.Status{state.Completed, state.Completed, state.Failed, state.Running, state.Interrupted}[r.IntN(5)]
	tr.Tainted = r.IntN(8) == 0
	switch tr.Status {
	case state.Completed:
		if r.IntN(10) > 0 { // some completed trials lack the metric
			tr.Metrics = map[string]float64{"loss": float64(r.IntN(20))} // ties
		}
	case state.Failed:
		tr.Error = fmt.Sprintf("exit status %d", r.IntN(3))
	}
	return tr
}

// TestUpdateMatchesClassify: updating a history with the trials an apply
// put gives what classifying every trial again gives, whatever the
// policy, the statuses before and after, and whether the changed trials
// are new or existed (matching or excluded).
func TestUpdateMatchesClassify(t *testing.T) {
	s := testSearch(t, definition.Random, 10, 1)
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		n := r.IntN(30)
		trials := map[int]*state.Trial{}
		for i := range n {
			if r.IntN(6) > 0 { // gaps in the numbers, as after state rm
				trials[i] = randomTrial(t, s, r, i)
			}
		}
		pol := Policy{RetryFailed: r.IntN(3) == 0}
		if r.IntN(3) == 0 {
			pol.Replace = map[int]bool{r.IntN(n + 1): true, r.IntN(n + 1): true}
		}
		before := ClassifyWith(s, sorted(trials), pol)
		var changed []*state.Trial
		for range r.IntN(5) {
			num := r.IntN(n + 3) // existing or new
			tr := randomTrial(t, s, r, num)
			trials[num] = tr
			changed = append(changed, tr)
		}
		if r.IntN(4) == 0 && len(changed) > 0 { // a trial put twice: its last record counts
			again := randomTrial(t, s, r, changed[0].Number)
			trials[again.Number] = again
			changed = append(changed, again)
		}
		want := ClassifyWith(s, sorted(trials), pol)
		got := before.Update(s, changed)
		if d := cmp.Diff(want, got, sameHistory...); d != "" {
			t.Fatalf("round %d: Update differs from Classify (-want +got):\n%s", round, d)
		}
		if d := cmp.Diff(Classify(s, sorted(trials)), got.withPolicy(Policy{}), sameHistory...); d != "" {
			t.Fatalf("round %d: withPolicy differs from Classify (-want +got):\n%s", round, d)
		}
		if want.Best(s) != got.Best(s) {
			t.Fatalf("round %d: best %v, want %v", round, got.Best(s), want.Best(s))
		}
		if d := cmp.Diff(requestOf(s, want), got.Request(s), cmpopts.EquateEmpty(), cmpopts.IgnoreFields(search.Request{}, "Space")); d != "" {
			t.Fatalf("round %d: request (-want +got):\n%s", round, d)
		}
	}
}

// requestOf is what Request must give: the kept and failed trials as
// observations in number order, the retries as pending points.
func requestOf(s *definition.Search, h History) search.Request {
	req := search.Request{Space: s.Space, Seed: s.Seed}
	for _, m := range merge(h.Kept, h.Failed) {
		o := search.Observation{Point: m.Point, Failed: m.Trial.Status != state.Completed}
		if !o.Failed {
			o.Value = Objective(s, m.Trial.Metrics[s.Metric])
		}
		req.Observations = append(req.Observations, o)
	}
	for _, m := range h.Retry {
		req.Pending = append(req.Pending, m.Point)
	}
	return req
}

func sorted(trials map[int]*state.Trial) []*state.Trial {
	var out []*state.Trial
	for n := range 1000 {
		if tr := trials[n]; tr != nil {
			out = append(out, tr)
		}
	}
	return out
}

// TestSearchHistory: a plan gives the classification it was made from
// (under the default policy, whatever its own) for the state it was made
// from, unchanged, and nothing otherwise.
func TestSearchHistory(t *testing.T) {
	s := testSearch(t, definition.Random, 6, 1)
	st := state.New()
	record(t, st, s, 0, space.Point{0.1, "a"}, state.Completed, 1, 3)
	record(t, st, s, 1, space.Point{0.2, "b"}, state.Failed, MaxAttempts, 0)
	record(t, st, s, 2, space.Point{0.3, "a"}, state.Completed, 1, 1)
	record(t, st, s, 3, space.Point{0.4, "a"}, state.Interrupted, 1, 0)
	p, err := Make(def(s), st, Options{Replace: []state.TrialRef{{Search: "s", Number: 2}}, RetryFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Searches[0]
	h, ok := ps.History(st)
	if !ok {
		t.Fatal("no history for the state the plan was made from")
	}
	want := Classify(s, st.Trials("s"))
	if d := cmp.Diff(want, h, sameHistory...); d != "" {
		t.Errorf("history differs from Classify (-want +got):\n%s", d)
	}
	if h.Best(s) == nil || h.Best(s).Number != 2 {
		t.Errorf("best %v, want trial 2 (replaced, yet the best before the apply)", h.Best(s))
	}
	if _, ok := ps.History(st.DeepCopy()); ok {
		t.Error("history given for another state")
	}
	if _, ok := (&Search{}).History(st); ok {
		t.Error("history given for a plan that has none")
	}
	record(t, st, s, 4, space.Point{0.5, "a"}, state.Completed, 1, 0)
	if _, ok := ps.History(st); ok {
		t.Error("history given for a state changed since")
	}
}

// TestExplainFast: the fast path of explain gives what the general one
// gives, on matching trials and on each way a trial may not match.
func TestExplainFast(t *testing.T) {
	lr := must(space.NewReal("training.lr", 1e-5, 1e-1, true, 0))
	opt := must(space.NewCategorical("optimizer", []space.Value{"adam", "sgd"}))
	bs := must(space.NewInteger("training.bs", 16, 64, false, 16))
	base := map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5), "bs": int64(32)},
		"model": map[string]any{"hidden": int64(40), "layers": []any{int64(64), int64(32)}}, "optimizer": "adam"}
	s := searchOf(t, base, lr, opt, bs)
	edits := map[string]func(cfg map[string]any){
		"matches":             func(map[string]any) {},
		"param out of range":  func(c map[string]any) { c["training"].(map[string]any)["lr"] = 0.5 },
		"param off the grid":  func(c map[string]any) { c["training"].(map[string]any)["bs"] = int64(20) },
		"param of a type":     func(c map[string]any) { c["optimizer"] = true },
		"param missing":       func(c map[string]any) { delete(c["training"].(map[string]any), "lr") },
		"base value changed":  func(c map[string]any) { c["training"].(map[string]any)["epochs"] = int64(6) },
		"base key added":      func(c map[string]any) { c["seed"] = int64(1) },
		"base key removed":    func(c map[string]any) { delete(c, "model") },
		"object to scalar":    func(c map[string]any) { c["training"] = int64(3) },
		"int for a float":     func(c map[string]any) { c["training"].(map[string]any)["lr"] = int64(0) },
		"float for an int":    func(c map[string]any) { c["training"].(map[string]any)["bs"] = 48.0 },
		"list element":        func(c map[string]any) { c["model"].(map[string]any)["layers"] = []any{int64(64)} },
		"two things at once":  func(c map[string]any) { c["optimizer"] = "rmsprop"; c["model"] = "x" },
		"key replaced":        func(c map[string]any) { delete(c, "optimizer"); c["optimiser"] = "adam" },
		"nested key replaced": func(c map[string]any) { m := c["model"].(map[string]any); delete(m, "hidden"); m["width"] = int64(40) },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			tr := trialOf(t, s, space.Point{0.003, "sgd", int64(48)})
			edit(tr.Config)
			m := newMatcher(s)
			wantPt, wantMM := m.slow(tr, make(space.Point, len(s.Params)))
			pt, mm := m.explain(tr)
			if len(wantMM) > 0 {
				wantPt = nil
			}
			if d := cmp.Diff(wantPt, pt); d != "" {
				t.Errorf("point (-slow +explain):\n%s", d)
			}
			if d := cmp.Diff(wantMM, mm); d != "" {
				t.Errorf("mismatches (-slow +explain):\n%s", d)
			}
			if (name == "matches" || name == "float for an int") != (len(mm) == 0) {
				t.Errorf("mismatches %v", mm)
			}
		})
	}
}

// FuzzExplainFast checks explain, whose fast path handles the trials that
// match, against its general path, for any config, base config and
// param paths (params of the three kinds, by position).
func FuzzExplainFast(f *testing.F) {
	f.Add(`{"a":{"b":1,"c":[1,2]},"d":"x"}`, `{"a":{"b":2.0,"c":[1,2]},"d":"x"}`, "a.b")
	f.Add(`{"a":{"b":1},"d":"x"}`, `{"a":{"b":1,"e":null},"d":"x"}`, "a.e,d")
	f.Add(`{"a":{"b":1.5},"d":3}`, `{"a":{"b":0},"d":"y"}`, "d,a.b")
	f.Add(`{"a":{"b":1},"d":"a"}`, `{"a":{"b":1},"d":"x"}`, "a,x,d")
	f.Add(`{"a.b":1}`, `{"a.b":2}`, "a.b")
	f.Fuzz(func(t *testing.T, cfgText, baseText, paths string) {
		cfg, ok1 := decodeNormalized(cfgText)
		base, ok2 := decodeNormalized(baseText)
		if !ok1 || !ok2 || paths == "" {
			return
		}
		s := &definition.Search{BaseConfig: base}
		seen := map[string]bool{}
		for i, p := range strings.Split(paths, ",") {
			if p == "" || seen[p] {
				return
			}
			seen[p] = true
			var d space.Dimension
			switch i % 3 {
			case 0:
				d = must(space.NewReal(p, -10, 10, false, 0))
			case 1:
				d = must(space.NewInteger(p, -10, 10, false, 2))
			default:
				d = must(space.NewCategorical(p, []space.Value{"a", "x", 1.5, true}))
			}
			s.Params = append(s.Params, definition.Param{Path: p, Segments: strings.Split(p, "."), Dim: d})
		}
		tr := &state.Trial{Config: cfg, Params: map[string]any{}}
		m := newMatcher(s)
		wantPt, wantMM := m.slow(tr, make(space.Point, len(s.Params)))
		if len(wantMM) > 0 {
			wantPt = nil
		}
		pt, mm := m.explain(tr)
		if d := cmp.Diff(wantPt, pt); d != "" {
			t.Fatalf("point (-slow +explain):\n%s", d)
		}
		if d := cmp.Diff(wantMM, mm); d != "" {
			t.Fatalf("mismatches (-slow +explain):\n%s", d)
		}
	})
}
