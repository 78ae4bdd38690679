package bigstate

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// TestWrite: the state written is what the package doc promises: every
// trial of the search, matching it, some failed for good, a snapshot and
// then appended records, and a plan that runs nothing.
func TestWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	o := Options{Trials: 60, Appended: 7, FailEvery: 10}
	path, err := Write(ctx, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	st, warnings, err := state.NewFile(path).Load(ctx)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("Load: %v %v", err, warnings)
	}
	s, err := Search(dir, o.Trials)
	if err != nil {
		t.Fatal(err)
	}
	trials := st.Trials(SearchName)
	if len(trials) != o.Trials || st.NextNumber(SearchName) != o.Trials {
		t.Fatalf("%d trials, next number %d; want %d", len(trials), st.NextNumber(SearchName), o.Trials)
	}
	// The settings and the snapshot's trials carry one serial, then two
	// records per appended trial.
	if want := uint64(1 + o.Trials - o.Appended + 2*o.Appended); st.Serial != want {
		t.Errorf("serial %d, want %d", st.Serial, want)
	}
	if st.Settings(SearchName) == nil {
		t.Error("no settings recorded")
	}
	h := plan.Classify(s, trials)
	if len(h.Excluded) > 0 || len(h.Retry) > 0 || len(h.Failed) != o.Trials/o.FailEvery {
		t.Errorf("classified %d kept, %d failed, %d to retry, %d excluded; want %d failed and none excluded or to retry",
			len(h.Kept), len(h.Failed), len(h.Retry), len(h.Excluded), o.Trials/o.FailEvery)
	}
	p, err := plan.Make(&definition.Definition{Searches: []*definition.Search{s}}, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes() {
		t.Error("a plan of the generated directory runs trials")
	}
	again, err := Trials(s, o)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(again, trials); d != "" {
		t.Errorf("the trials are not those Trials returns (-Trials +state):\n%s", d)
	}
	if _, err := Write(ctx, dir, o); err == nil {
		t.Error("Write over an existing state: no error")
	}
}
