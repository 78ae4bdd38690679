package state

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	a, b := New(), New()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !uuid.MatchString(a.Lineage) {
		t.Errorf("lineage %q is not a version 4 UUID", a.Lineage)
	}
	if a.Lineage == b.Lineage {
		t.Errorf("two states share lineage %s", a.Lineage)
	}
	if a.Serial != 0 || a.Len() != 0 || len(a.Searches()) != 0 || a.NextNumber("x") != 0 {
		t.Errorf("New is not empty")
	}
}

func TestApply(t *testing.T) {
	ref := func(search string, n int) *TrialRef { return &TrialRef{search, n} }
	for _, tc := range []struct {
		name     string
		changes  []Change
		wantErr  string // of the last change
		searches []string
		trials   map[string][]int
		next     map[string]int
	}{
		{
			name:     "puts",
			changes:  []Change{{Put: testTrial("b", 3)}, {Put: testTrial("a", 1)}, {Put: testTrial("b", 0)}},
			searches: []string{"a", "b"},
			trials:   map[string][]int{"a": {1}, "b": {0, 3}},
			next:     map[string]int{"a": 2, "b": 4},
		},
		{
			name:     "replace",
			changes:  []Change{{Put: testTrial("a", 0)}, {Put: testTrial("a", 0)}},
			searches: []string{"a"},
			trials:   map[string][]int{"a": {0}},
			next:     map[string]int{"a": 1},
		},
		{
			name:     "remove keeps next number",
			changes:  []Change{{Put: testTrial("a", 0)}, {Put: testTrial("a", 5)}, {Remove: ref("a", 5)}, {Remove: ref("a", 0)}},
			searches: []string{"a"},
			trials:   map[string][]int{"a": nil},
			next:     map[string]int{"a": 6},
		},
		{
			name:     "remove missing",
			changes:  []Change{{Put: testTrial("a", 0)}, {Remove: ref("a", 1)}},
			wantErr:  "no such trial",
			searches: []string{"a"},
			trials:   map[string][]int{"a": {0}},
			next:     map[string]int{"a": 1},
		},
		{
			name:    "remove from a missing search",
			changes: []Change{{Remove: ref("a", 0)}},
			wantErr: "no such trial",
		},
		{name: "empty change", changes: []Change{{}}, wantErr: "none of"},
		{name: "both set", changes: []Change{{Put: testTrial("a", 0), Remove: ref("a", 0)}}, wantErr: "more than one"},
		{name: "no search", changes: []Change{{Put: testTrial("", 0)}}, wantErr: "no search"},
		{name: "remove without search", changes: []Change{{Remove: ref("", 0)}}, wantErr: "no search"},
		{name: "bad status", changes: []Change{{Put: &Trial{Search: "a", Status: "ok"}}}, wantErr: "status"},
		{name: "bad param", changes: []Change{{Put: &Trial{Search: "a", Status: Running, Params: map[string]any{"x": struct{}{}}}}}, wantErr: "params: x"},
		{name: "bad config", changes: []Change{{Put: &Trial{Search: "a", Status: Running, Config: map[string]any{"x": []any{func() {}}}}}}, wantErr: "config: x[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			var err error
			for i, c := range tc.changes {
				before := s.Serial
				err = s.Apply(c)
				if i < len(tc.changes)-1 && err != nil {
					t.Fatalf("change %d: %v", i, err)
				}
				if bump := s.Serial - before; (err == nil) != (bump == 1) {
					t.Errorf("change %d: serial moved by %d with error %v", i, bump, err)
				}
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if got := s.Searches(); !slices.Equal(got, tc.searches) {
				t.Errorf("Searches() = %v, want %v", got, tc.searches)
			}
			n := 0
			for search, want := range tc.trials {
				var got []int
				for _, tr := range s.Trials(search) {
					got = append(got, tr.Number)
					if s.Trial(search, tr.Number) != tr {
						t.Errorf("Trial(%s, %d) is not the record Trials returns", search, tr.Number)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("Trials(%s) numbers = %v, want %v", search, got, want)
				}
				n += len(want)
			}
			if s.Len() != n {
				t.Errorf("Len() = %d, want %d", s.Len(), n)
			}
			for search, want := range tc.next {
				if got := s.NextNumber(search); got != want {
					t.Errorf("NextNumber(%s) = %d, want %d", search, got, want)
				}
			}
		})
	}
}

// TestApplyCopies checks that the state owns what it stores: changing the
// trial after Apply, or a DeepCopy, does not change the state.
func TestApplyCopies(t *testing.T) {
	s := New()
	tr := testTrial("a", 1)
	tr.Params["n"] = 3 // a Go int: stored as int64
	tr.Metrics = map[string]float64{}
	if err := s.Apply(Change{Put: tr}); err != nil {
		t.Fatal(err)
	}
	tr.Params["lr"] = 99.0
	tr.Config["model"].(map[string]any)["layers"] = int64(99)
	got := s.Trial("a", 1)
	if got.Params["lr"] != 0.5 || got.Config["model"].(map[string]any)["layers"] != int64(1) {
		t.Errorf("changing the applied trial changed the state: %v %v", got.Params, got.Config)
	}
	if got.Params["n"] != int64(3) {
		t.Errorf("params[n] = %#v, want int64(3)", got.Params["n"])
	}
	if got.Metrics != nil {
		t.Errorf("empty metrics stored as %#v, want nil (as they read back)", got.Metrics)
	}

	c := s.DeepCopy()
	c.Trial("a", 1).Config["model"].(map[string]any)["names"].([]any)[0] = "changed"
	if err := c.Apply(Change{Put: testTrial("b", 7)}); err != nil {
		t.Fatal(err)
	}
	if s.Trial("a", 1).Config["model"].(map[string]any)["names"].([]any)[0] != "a" {
		t.Errorf("changing a DeepCopy changed the original")
	}
	if s.NextNumber("b") != 0 || s.Serial != 1 || c.Serial != 2 || c.Lineage != s.Lineage {
		t.Errorf("DeepCopy is not independent: serials %d %d", s.Serial, c.Serial)
	}
}

func TestZeroState(t *testing.T) {
	var s State
	if err := s.Apply(Change{Put: testTrial("a", 0)}); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 || s.NextNumber("a") != 1 {
		t.Errorf("zero State did not take a put")
	}
	c := new(State).DeepCopy()
	if err := c.Apply(Change{Put: testTrial("a", 0)}); err != nil || c.Len() != 1 {
		t.Errorf("DeepCopy of a zero State did not take a put: %v", err)
	}
}
