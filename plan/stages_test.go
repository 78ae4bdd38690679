package plan

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// stagesDef returns a coarse random search and a fine search that reads
// it, deferred or built as the loader builds it once coarse is known.
func stagesDef(t *testing.T, coarseTrials int, fineDeferred bool) (*definition.Definition, *definition.Search, *definition.Search) {
	t.Helper()
	coarse := testSearch(t, definition.Random, coarseTrials, 1)
	coarse.Name = "coarse"
	fine := testSearch(t, definition.Random, 3, 0.5)
	fine.Name = "fine"
	fine.Upstreams = []string{"coarse"}
	if fineDeferred {
		fine = &definition.Search{Name: "fine", Strategy: definition.Random, Metric: "loss", Mode: definition.Min, Trials: 3,
			Upstreams: []string{"coarse"}, Deferred: &definition.Deferred{Upstream: "coarse", Reason: "depends on search.coarse"}}
	}
	return def(coarse, fine), coarse, fine
}

func TestOutcome(t *testing.T) {
	pt := func(x float64, opt string) space.Point { return space.Point{x, opt} }
	tests := map[string]struct {
		mode    definition.Mode
		trials  func(*testing.T, *state.State, *definition.Search)
		want    definition.Outcome
		wantTop []int
	}{
		"nothing run": {
			trials: func(*testing.T, *state.State, *definition.Search) {},
			want:   definition.Outcome{Pending: "4 of 4 trials to run"},
		},
		"some run, one to retry": {
			trials: func(t *testing.T, st *state.State, s *definition.Search) {
				record(t, st, s, 0, pt(0.1, "a"), state.Completed, 1, 3)
				record(t, st, s, 1, pt(0.2, "a"), state.Interrupted, 1, 0)
			},
			want: definition.Outcome{Pending: "3 of 4 trials to run"},
		},
		"complete: best first, equal scores by number": {
			trials: func(t *testing.T, st *state.State, s *definition.Search) {
				record(t, st, s, 0, pt(0.1, "a"), state.Completed, 1, 3)
				record(t, st, s, 1, pt(0.2, "a"), state.Completed, 1, 1)
				record(t, st, s, 2, pt(0.3, "b"), state.Completed, 1, 2)
				record(t, st, s, 3, pt(0.4, "b"), state.Completed, 1, 1)
			},
			want:    definition.Outcome{Known: true},
			wantTop: []int{1, 3, 2, 0},
		},
		"complete, maximized": {
			mode: definition.Max,
			trials: func(t *testing.T, st *state.State, s *definition.Search) {
				record(t, st, s, 0, pt(0.1, "a"), state.Completed, 1, 3)
				record(t, st, s, 1, pt(0.2, "a"), state.Completed, 1, 1)
				record(t, st, s, 2, pt(0.3, "b"), state.Completed, 1, 2)
				record(t, st, s, 3, pt(0.4, "b"), state.Completed, 1, 1)
			},
			want:    definition.Outcome{Known: true},
			wantTop: []int{0, 2, 1, 3},
		},
		"failed for good: known, not in top": {
			trials: func(t *testing.T, st *state.State, s *definition.Search) {
				record(t, st, s, 0, pt(0.1, "a"), state.Completed, 1, 3)
				record(t, st, s, 1, pt(0.2, "a"), state.Failed, MaxAttempts, 0)
				record(t, st, s, 2, pt(0.3, "b"), state.Completed, 1, 2)
				record(t, st, s, 3, pt(0.4, "b"), state.Completed, 1, 1)
			},
			want:    definition.Outcome{Known: true},
			wantTop: []int{3, 2, 0},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, coarse, _ := stagesDef(t, 4, true)
			if tt.mode != "" {
				coarse.Mode = tt.mode
			}
			st := state.New()
			tt.trials(t, st, coarse)
			got := Outcome(coarse, st)
			var numbers []int
			for _, tr := range got.Top {
				numbers = append(numbers, tr.Trial)
				if rec := st.Trial("coarse", tr.Trial); tr.Score != rec.Metrics["loss"] || !cmp.Equal(tr.Config, rec.Config) || !cmp.Equal(tr.Params, rec.Params) {
					t.Errorf("top trial %d = %+v, the state's is %+v", tr.Trial, tr, rec)
				}
			}
			if got.Known != tt.want.Known || got.Pending != tt.want.Pending || !slices.Equal(numbers, tt.wantTop) {
				t.Errorf("Outcome = known %v, pending %q, top %v; want %v, %q, %v", got.Known, got.Pending, numbers, tt.want.Known, tt.want.Pending, tt.wantTop)
			}
			if got.Known {
				if best := Best(coarse, st.Trials("coarse")); best.Number != got.Top[0].Trial {
					t.Errorf("Top[0] is trial %d, Best is trial %d", got.Top[0].Trial, best.Number)
				}
			}
		})
	}
}

func TestOutcomeOfDeferred(t *testing.T) {
	_, _, fine := stagesDef(t, 4, true)
	got := Outcome(fine, state.New())
	if got.Known || got.Pending != "itself depends on search.coarse" {
		t.Errorf("Outcome of a deferred search = %+v", got)
	}
}

func TestMakeDeferred(t *testing.T) {
	d, coarse, _ := stagesDef(t, 4, true)
	st := state.New()
	record(t, st, coarse, 0, space.Point{0.1, "a"}, state.Completed, 1, 3)
	if err := st.Apply(state.Change{Put: &state.Trial{Search: "fine", Number: 0, Status: state.Completed, Attempts: 1}}); err != nil {
		t.Fatal(err)
	}
	p, err := Make(d, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Deferred(); !slices.Equal(got, []string{"fine"}) {
		t.Fatalf("Deferred() = %v", got)
	}
	fine := p.Searches[1]
	if fine.Deferred == nil || fine.Deferred.Reason != "depends on search.coarse" || len(fine.ToRun)+len(fine.ToRetry) != 0 || fine.Recorded != 1 || fine.Budget != 3 {
		t.Errorf("deferred search planned as %+v", fine)
	}
	if len(p.Searches[0].ToRun) != 3 {
		t.Errorf("coarse plans %d trials, want 3", len(p.Searches[0].ToRun))
	}

	// Only a deferred search: still a change (its trials run after apply).
	p, err = Make(d, st, Options{Targets: []string{"fine"}})
	if err != nil {
		t.Fatal(err)
	}
	p.Searches = p.Searches[1:]
	if !p.Changes() {
		t.Error("a plan with a deferred search reports no changes")
	}

	if _, err := Make(d, st, Options{Replace: []state.TrialRef{{Search: "fine", Number: 0}}}); err == nil {
		t.Error("replacing a trial of a deferred search was accepted")
	}
}

func TestTargetsIncludeUpstreams(t *testing.T) {
	mk := func(name string, ups ...string) *definition.Search {
		return &definition.Search{Name: name, Upstreams: ups}
	}
	d := def(mk("a"), mk("b", "a"), mk("c", "b"), mk("d"), mk("e", "a", "d"))
	tests := []struct {
		targets, want []string
	}{
		{nil, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"c"}, []string{"a", "b", "c"}},
		{[]string{"e"}, []string{"a", "d", "e"}},
		{[]string{"d", "b"}, []string{"a", "b", "d"}},
	}
	for _, tt := range tests {
		if got := WithUpstreams(d, tt.targets); !slices.Equal(got, tt.want) {
			t.Errorf("WithUpstreams(%v) = %v, want %v", tt.targets, got, tt.want)
		}
	}

	// Make plans the upstreams of a target.
	sd, _, _ := stagesDef(t, 4, true)
	p, err := Make(sd, state.New(), Options{Targets: []string{"fine"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range p.Searches {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"coarse", "fine"}) {
		t.Errorf("-target=fine plans %v", names)
	}
}

func TestUpstreamChanges(t *testing.T) {
	d, coarse, fine := stagesDef(t, 2, false)
	st := state.New()
	record(t, st, coarse, 0, space.Point{0.1, "a"}, state.Completed, 1, 3)
	record(t, st, coarse, 1, space.Point{0.2, "a"}, state.Completed, 1, 2)
	settings := Settings(d, fine, st)
	if got := settings[UpstreamsKey]; !cmp.Equal(got, map[string]any{"coarse": int64(1)}) {
		t.Fatalf("settings record upstreams %v", got)
	}
	if err := st.Apply(state.Change{Settings: &state.SearchSettings{Search: "fine", Settings: settings}}); err != nil {
		t.Fatal(err)
	}
	p, err := Make(d, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps := p.Searches[1]; len(ps.UpstreamChanges)+len(ps.SettingsChanges) != 0 {
		t.Fatalf("unchanged: upstream changes %v, settings changes %v", ps.UpstreamChanges, ps.SettingsChanges)
	}

	// A third coarse trial beats trial 1.
	coarse.Trials = 3
	record(t, st, coarse, 2, space.Point{0.3, "b"}, state.Completed, 1, 1)
	p, err = Make(d, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []UpstreamChange{{Upstream: "coarse", From: 1, To: 2}}
	if got := p.Searches[1].UpstreamChanges; !cmp.Equal(got, want) {
		t.Errorf("upstream changes %v, want %v", got, want)
	}
	if got := p.Searches[1].SettingsChanges; len(got) != 0 {
		t.Errorf("settings changes %v, want none (the upstreams are not settings)", got)
	}

	// Saved and read back, the plan keeps them.
	path := filepath.Join(t.TempDir(), "plan")
	if err := WriteFile(path, p, d); err != nil {
		t.Fatal(err)
	}
	sv, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := sv.Bind(d, st)
	if err != nil {
		t.Fatal(err)
	}
	if got := bound.Searches[1].UpstreamChanges; !cmp.Equal(got, want) {
		t.Errorf("saved plan's upstream changes %v, want %v", got, want)
	}
}

func TestPlanFileDeferred(t *testing.T) {
	d, coarse, _ := stagesDef(t, 2, true)
	st := state.New()
	p, err := Make(d, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan")
	if err := WriteFile(path, p, d); err != nil {
		t.Fatal(err)
	}
	sv, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := sv.Bind(d, st)
	if err != nil {
		t.Fatal(err)
	}
	if got := bound.Deferred(); !slices.Equal(got, []string{"fine"}) || len(bound.Searches[0].ToRun) != 2 {
		t.Errorf("saved plan read back: deferred %v, coarse to run %d", got, len(bound.Searches[0].ToRun))
	}

	// Against a definition where fine is known, the plan is stale.
	known, _, _ := stagesDef(t, 2, false)
	known.Searches[0] = coarse
	if _, err := sv.Plan(known); !errors.Is(err, ErrStale) {
		t.Errorf("a deferred search now known: %v, want ErrStale", err)
	}
}
