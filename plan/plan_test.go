package plan

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

func testSearch(t *testing.T, strategy definition.Strategy, trials int, high float64) *definition.Search {
	t.Helper()
	x, err := space.NewReal("x", 0, high, false, 0)
	if strategy == definition.Grid {
		x, err = space.NewReal("x", 0, high, false, high/4)
	}
	if err != nil {
		t.Fatal(err)
	}
	opt, err := space.NewCategorical("opt", []space.Value{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &definition.Search{
		Name: "s", Strategy: strategy, Metric: "loss", Mode: definition.Min, Trials: trials, Seed: 1,
		BaseConfig: map[string]any{"x": 0.5, "opt": "a"},
		Params: []definition.Param{
			{Path: "x", Segments: []string{"x"}, Dim: x},
			{Path: "opt", Segments: []string{"opt"}, Dim: opt},
		},
		Space: sp, Trial: definition.Trial{Command: []string{"true"}},
	}
}

// record puts a trial for point p with the given outcome into st.
func record(t *testing.T, st *state.State, s *definition.Search, number int, p space.Point, status state.Status, attempts int, loss float64) {
	t.Helper()
	cfg, err := s.Resolve(p)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := definition.Hash(cfg)
	tr := &state.Trial{Search: s.Name, Number: number, Params: s.ParamMap(p), Config: cfg, ConfigHash: h, Status: status, Attempts: attempts}
	if status == state.Completed {
		tr.Metrics = map[string]float64{"loss": loss}
	} else if status == state.Failed {
		tr.Error = "exit status 3"
	}
	if err := st.Apply(state.Change{Put: tr}); err != nil {
		t.Fatal(err)
	}
}

func def(s ...*definition.Search) *definition.Definition {
	return &definition.Definition{Searches: s}
}

func TestMakeFresh(t *testing.T) {
	s := testSearch(t, definition.Random, 5, 1)
	p, err := Make(def(s), state.New(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Searches[0]
	if len(ps.ToRun) != 5 || len(ps.ToRetry) != 0 || ps.Kept != 0 || ps.Budget != 5 {
		t.Fatalf("plan: %+v", ps)
	}
	for i, tr := range ps.ToRun {
		if tr.Number != i || tr.Attempt != 1 || !s.Space.Contains(tr.Point) {
			t.Errorf("trial %d: %+v", i, tr)
		}
	}
	again, _ := Make(def(s), state.New(), Options{})
	if d := cmp.Diff(p.Searches[0].ToRun, again.Searches[0].ToRun); d != "" {
		t.Errorf("plans differ:\n%s", d)
	}
}

func TestMakeWithHistory(t *testing.T) {
	s := testSearch(t, definition.Random, 10, 1)
	st := state.New()
	first, _ := Make(def(s), st, Options{})
	pts := first.Searches[0].ToRun
	record(t, st, s, 0, pts[0].Point, state.Completed, 1, 0.5)
	record(t, st, s, 1, pts[1].Point, state.Failed, 1, 0)           // retried: 1 attempt of 2
	record(t, st, s, 2, pts[2].Point, state.Failed, MaxAttempts, 0) // failed for good
	record(t, st, s, 3, pts[3].Point, state.Running, 1, 0)          // crash
	record(t, st, s, 4, pts[4].Point, state.Interrupted, 1, 0)
	record(t, st, s, 5, pts[5].Point, state.Completed, 1, 0.1)
	tainted := st.Trial("s", 5).Clone()
	tainted.Tainted = true
	st.Apply(state.Change{Put: tainted})
	// A trial from an older space (x beyond the current range).
	old := testSearch(t, definition.Random, 10, 2)
	record(t, st, old, 6, space.Point{1.5, "a"}, state.Completed, 1, 0.01)

	p, err := Make(def(s), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Searches[0]
	if ps.Kept != 1 || ps.Failed != 1 || ps.Excluded != 1 {
		t.Errorf("kept %d failed %d excluded %d; want 1 1 1", ps.Kept, ps.Failed, ps.Excluded)
	}
	var retried []int
	for _, r := range ps.ToRetry {
		retried = append(retried, r.Number)
		if r.Point == nil || r.Reason == "" {
			t.Errorf("retry %+v", r)
		}
	}
	if d := cmp.Diff([]int{1, 3, 4, 5}, retried); d != "" {
		t.Errorf("retried (-want +got):\n%s", d)
	}
	// Budget 10 minus 6 matching trials: 4 new, numbered after the
	// largest number ever recorded.
	if len(ps.ToRun) != 4 || ps.ToRun[0].Number != 7 {
		t.Errorf("to run: %+v", ps.ToRun)
	}
	// The new points are the continuation of the first plan's stream.
	for i, tr := range ps.ToRun {
		if s.Space.Key(tr.Point) != s.Space.Key(pts[6+i].Point) {
			t.Errorf("new trial %d is %v, want %v", i, tr.Point, pts[6+i].Point)
		}
	}
	if best := Best(s, st.Trials("s")); best == nil || best.Number != 0 {
		t.Errorf("best %+v; want trial 0 (trial 5 is tainted, trial 6 excluded)", best)
	}
}

func TestMakeReplaceAndRetryFailed(t *testing.T) {
	s := testSearch(t, definition.Random, 4, 1)
	st := state.New()
	first, _ := Make(def(s), st, Options{})
	pts := first.Searches[0].ToRun
	record(t, st, s, 0, pts[0].Point, state.Completed, 1, 0.5)
	record(t, st, s, 1, pts[1].Point, state.Failed, MaxAttempts, 0)
	record(t, st, s, 2, pts[2].Point, state.Failed, MaxAttempts, 0)
	record(t, st, s, 3, pts[3].Point, state.Completed, 1, 0.4)
	old := testSearch(t, definition.Random, 10, 2)
	record(t, st, old, 4, space.Point{1.5, "a"}, state.Completed, 1, 0.01)

	retries := func(p *Plan) (out []string) {
		for _, r := range p.Searches[0].ToRetry {
			out = append(out, fmt.Sprintf("%d attempt %d: %s", r.Number, r.Attempt, r.Reason))
		}
		return out
	}
	p, err := Make(def(s), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes() {
		t.Fatalf("plan without -replace runs %v", retries(p))
	}
	wantFailed := []FailedTrial{{Number: 1, Attempts: 2, Error: "exit status 3"}, {Number: 2, Attempts: 2, Error: "exit status 3"}}
	if d := cmp.Diff(wantFailed, p.Searches[0].FailedTrials); d != "" {
		t.Errorf("failed trials (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]Exclusion{{Number: 4, Reason: "x = 1.5 is above high = 1", Groups: []string{"x is above high = 1"}}}, p.Searches[0].ExcludedTrials); d != "" {
		t.Errorf("excluded (-want +got):\n%s", d)
	}

	p, err = Make(def(s), st, Options{RetryFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1 attempt 3: failed 2 attempts, retried (-retry-failed): exit status 3", "2 attempt 3: failed 2 attempts, retried (-retry-failed): exit status 3"}
	if d := cmp.Diff(want, retries(p)); d != "" {
		t.Errorf("-retry-failed (-want +got):\n%s", d)
	}
	if len(p.Searches[0].ToRun) != 0 || p.Searches[0].Failed != 0 {
		t.Errorf("-retry-failed plans new trials or keeps failed ones: %+v", p.Searches[0])
	}

	p, err = Make(def(s), st, Options{Replace: []state.TrialRef{{Search: "s", Number: 3}, {Search: "s", Number: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"2 attempt 3: replaced (-replace), was failed: exit status 3", "3 attempt 2: replaced (-replace)"}
	if d := cmp.Diff(want, retries(p)); d != "" {
		t.Errorf("-replace (-want +got):\n%s", d)
	}

	for _, tt := range []struct {
		ref  state.TrialRef
		opts Options
		err  string
	}{
		{ref: state.TrialRef{Search: "nope", Number: 0}, err: `there is no search "nope"`},
		{ref: state.TrialRef{Search: "s", Number: 9}, err: "the state has no such trial"},
		{ref: state.TrialRef{Search: "s", Number: 4}, err: "it no longer matches the definition (x = 1.5 is above high = 1)"},
		{ref: state.TrialRef{Search: "s", Number: 0}, opts: Options{Targets: []string{"other"}}, err: "-target leaves search"},
	} {
		o := tt.opts
		o.Replace = []state.TrialRef{tt.ref}
		d := def(s, &definition.Search{Name: "other", Strategy: definition.Random, Trials: 1, Space: s.Space, Params: s.Params, BaseConfig: s.BaseConfig})
		if _, err := Make(d, st, o); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("replace %v: error %v, want %q", tt.ref, err, tt.err)
		}
	}
}

func TestMakeGridExhaustsAndTargets(t *testing.T) {
	g := testSearch(t, definition.Grid, 0, 1) // 5 x values x 2 opts
	r := testSearch(t, definition.Random, 3, 1)
	r.Name = "r"
	p, err := Make(def(g, r), state.New(), Options{Targets: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Searches) != 1 || p.Searches[0].Budget != 10 || len(p.Searches[0].ToRun) != 10 {
		t.Fatalf("grid plan: %+v", p.Searches)
	}
	if _, err := Make(def(g), state.New(), Options{Targets: []string{"nope"}}); err == nil {
		t.Error("unknown target accepted")
	}
	// A random search whose budget exceeds its finite space says so.
	small := testSearch(t, definition.Grid, 0, 1)
	small.Strategy, small.Trials = definition.Random, 50
	p, _ = Make(def(small), state.New(), Options{})
	if !p.Searches[0].Exhausted || len(p.Searches[0].ToRun) != 10 {
		t.Errorf("exhausted plan: %+v", p.Searches[0])
	}
}

func TestPlanFileRoundTrip(t *testing.T) {
	s := testSearch(t, definition.Random, 4, 1)
	st := state.New()
	record(t, st, s, 0, space.Point{0.5, "b"}, state.Failed, MaxAttempts, 0)
	record(t, st, testSearch(t, definition.Random, 4, 2), 1, space.Point{1.5, "b"}, state.Completed, 1, 0)
	p, _ := Make(def(s), st, Options{Vars: Vars{Flags: []string{"a=1"}}})
	if len(p.Searches[0].ExcludedTrials) != 1 || len(p.Searches[0].FailedTrials) != 1 {
		t.Fatalf("the plan should exclude one trial and list one failed: %+v", p.Searches[0])
	}
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := WriteFile(path, p, def(s)); err != nil {
		t.Fatal(err)
	}
	saved, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(p.Vars, saved.Vars()); d != "" {
		t.Errorf("vars: %s", d)
	}
	bound, err := saved.Bind(def(s), st)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(p, bound, cmpopts.IgnoreUnexported(Search{})); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	record(t, st, s, 0, p.Searches[0].ToRun[0].Point, state.Completed, 1, 1)
	if _, err := saved.Bind(def(s), st); !errors.Is(err, ErrStale) {
		t.Errorf("state changed: %v", err)
	}
	changed := testSearch(t, definition.Random, 5, 1)
	if _, err := saved.bindSerial(def(changed), st.Lineage, 0); !errors.Is(err, ErrStale) {
		t.Errorf("definition changed: %v", err)
	}
	other := state.New()
	other.Apply(state.Change{Put: st.Trial("s", 0)})
	if _, err := (&Saved{doc: fileDoc{Lineage: "x", Serial: 1}}).bindSerial(def(s), other.Lineage, 1); !errors.Is(err, ErrStale) {
		t.Errorf("other lineage: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing plan file read")
	}
}
