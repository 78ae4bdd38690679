package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// tamperState holds, for search s: trial 0 completed, trial 1 failed once
// (to retry), trial 2 excluded (x outside the space), trial 3 removed. The
// next number is 4; 2 trials match, so a budget of 6 plans trials 4 to 7.
func tamperState(t *testing.T, s *definition.Search) *state.State {
	t.Helper()
	st := state.New()
	record(t, st, s, 0, space.Point{0.25, "a"}, state.Completed, 1, 0.1)
	record(t, st, s, 1, space.Point{0.75, "b"}, state.Failed, 1, 0)
	record(t, st, testSearch(t, definition.Random, 6, 2), 2, space.Point{1.5, "b"}, state.Completed, 1, 0.2)
	record(t, st, s, 3, space.Point{0.5, "a"}, state.Completed, 1, 0.3)
	if err := st.Apply(state.Change{Remove: &state.TrialRef{Search: "s", Number: 3}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// payloadOf returns the plan of a plan file, decoded with numbers kept as
// written.
func payloadOf(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var env fileEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(env.Plan))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestPlanFileTampering(t *testing.T) {
	s := testSearch(t, definition.Random, 6, 1)
	st := tamperState(t, s)
	p, err := Make(def(s), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Searches[0]
	if len(ps.ToRetry) != 1 || ps.ToRetry[0].Number != 1 || len(ps.ToRun) != 4 || ps.ToRun[0].Number != 4 || ps.Excluded != 1 {
		t.Fatalf("plan: retry %+v, run %+v, excluded %d; want retry 1, run 4 to 7, 1 excluded", ps.ToRetry, ps.ToRun, ps.Excluded)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "p.plan")
	if err := WriteFile(path, p, def(s)); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Bind(def(s), st); err != nil {
		t.Fatalf("Bind of the plan as written: %v", err)
	}

	search := func(d map[string]any) map[string]any { return d["searches"].([]any)[0].(map[string]any) }
	toRun := func(d map[string]any, i int) map[string]any { return search(d)["to_run"].([]any)[i].(map[string]any) }
	toRetry := func(d map[string]any, i int) map[string]any { return search(d)["to_retry"].([]any)[i].(map[string]any) }
	for _, tc := range []struct {
		name   string
		edit   func(d map[string]any)
		stale  bool // ErrStale rather than ErrMismatch
		substr string
	}{
		{"a completed trial's number as new", func(d map[string]any) { toRun(d, 0)["number"] = 0 },
			false, `search "s": new trial 0 is already in the state`},
		{"a removed trial's number as new", func(d map[string]any) { toRun(d, 0)["number"] = 3 },
			false, "new trial 3 is below the search's next trial number, 4"},
		{"a new number twice", func(d map[string]any) { toRun(d, 1)["number"] = 4 },
			false, "trial 4 is planned twice"},
		{"a retried number as new too", func(d map[string]any) { toRun(d, 0)["number"] = 1 },
			false, "trial 1 is planned twice"},
		{"a retry twice", func(d map[string]any) {
			search(d)["to_retry"] = append(search(d)["to_retry"].([]any), toRetry(d, 0))
		}, false, "trial 1 is planned twice"},
		{"a number skipped", func(d map[string]any) { toRun(d, 3)["number"] = 10 },
			false, "new trial 10 should be trial 7"},
		{"over budget", func(d map[string]any) {
			extra := map[string]any{"number": 8, "params": map[string]any{"x": 0.125, "opt": "a"}, "attempt": 1}
			search(d)["to_run"] = append(search(d)["to_run"].([]any), extra)
			search(d)["budget"] = 7
		}, false, "5 new trials, but the budget of 6 leaves room for 4 beside the 2 matching trials"},
		{"a new trial's attempt", func(d map[string]any) { toRun(d, 0)["attempt"] = 3 },
			false, "new trial 4 has attempt 3, not 1"},
		{"a random trial's params left to apply", func(d map[string]any) { toRun(d, 0)["params"] = nil },
			false, "new trial 4 has no params, but a random search plans every trial's params"},
		{"a retry of a trial not in the state", func(d map[string]any) { toRetry(d, 0)["number"] = 9 },
			false, "trial 9 to retry is not in the state"},
		{"a retry of an excluded trial", func(d map[string]any) { toRetry(d, 0)["number"] = 2 },
			false, "trial 2 to retry no longer matches the definition"},
		{"a retry with other params", func(d map[string]any) { toRetry(d, 0)["params"].(map[string]any)["x"] = 0.5 },
			false, "trial 1 to retry has other params than the state's trial 1"},
		{"a retry's attempt", func(d map[string]any) { toRetry(d, 0)["attempt"] = 1 },
			false, "trial 1 to retry has attempt 1, but its next attempt is 2"},
		{"a search twice", func(d map[string]any) { d["searches"] = append(d["searches"].([]any), search(d)) },
			false, `search "s" appears twice`},
		{"params outside the space", func(d map[string]any) { toRun(d, 0)["params"].(map[string]any)["x"] = 5 },
			true, "outside the search space"},
		{"another serial", func(d map[string]any) { d["serial"] = 1 },
			true, "the state changed since the plan was made"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := payloadOf(t, orig)
			tc.edit(doc)
			payload, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			// Edited, checksum left as written: refused on read.
			var env fileEnvelope
			json.Unmarshal(orig, &env)
			env.Plan = payload
			edited, _ := json.MarshalIndent(env, "", "  ")
			p := filepath.Join(t.TempDir(), "edited.plan")
			os.WriteFile(p, edited, 0o644)
			if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "was modified after fwapply plan wrote it: its content does not match its checksum. Run fwapply plan -out again") {
				t.Errorf("ReadFile of an edited plan: %v, want the checksum error", err)
			}
			// Edited with the checksum recomputed: Bind refuses it.
			sealed, err := sealFile(payload)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(p, sealed, 0o644)
			sv, err := ReadFile(p)
			if err != nil {
				t.Fatalf("ReadFile with the checksum recomputed: %v", err)
			}
			_, err = sv.Bind(def(s), st)
			want := ErrMismatch
			if tc.stale {
				want = ErrStale
			}
			if !errors.Is(err, want) || !strings.Contains(err.Error(), tc.substr) || !strings.Contains(err.Error(), "run fwapply plan") {
				t.Errorf("Bind: %v\nwant %v, with %q", err, want, tc.substr)
			}
		})
	}
}

func TestPlanFileFormat(t *testing.T) {
	s := testSearch(t, definition.Random, 2, 1)
	p, err := Make(def(s), state.New(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "p.plan")
	if err := WriteFile(path, p, def(s)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var env map[string]any
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	if env["kind"] != "frameworm-plan" || env["version"] != float64(2) || !strings.HasPrefix(env["checksum"].(string), "sha256:") || len(env["checksum"].(string)) != len("sha256:")+64 {
		t.Errorf("envelope %v", env)
	}
	// Whitespace is not content: a plan reindented still reads.
	var compact bytes.Buffer
	json.Compact(&compact, b)
	os.WriteFile(path, compact.Bytes(), 0o644)
	if _, err := ReadFile(path); err != nil {
		t.Errorf("ReadFile of the plan without whitespace: %v", err)
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"version 1", `{"kind":"frameworm-plan","version":1,"lineage":"l","serial":0,"vars":{},"searches":[]}`,
			"is a version 1 plan file; this fwapply reads version 2. Run fwapply plan -out again"},
		{"no checksum", `{"kind":"frameworm-plan","version":2,"plan":{"lineage":"l","serial":0,"vars":{},"searches":[]}}`,
			"lacks its plan or its checksum"},
		{"no plan", `{"kind":"frameworm-plan","version":2,"checksum":"sha256:00"}`,
			"lacks its plan or its checksum"},
		{"other checksum", `{"kind":"frameworm-plan","version":2,"checksum":"sha256:00","plan":{"lineage":"l","serial":0,"vars":{},"searches":[]}}`,
			"does not match its checksum"},
		{"not a plan", `{"kind":"frameworm-export"}`, "is not a plan file written by fwapply plan -out"},
	} {
		os.WriteFile(path, []byte(tc.content), 0o644)
		if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), path+" ") {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestPlanFileRetries: a plan that retries and replaces trials binds as
// written (the checks against the state accept every plan Make writes).
func TestPlanFileRetries(t *testing.T) {
	s := testSearch(t, definition.Random, 6, 1)
	st := tamperState(t, s)
	for _, opts := range []Options{{}, {Replace: []state.TrialRef{{Search: "s", Number: 0}}}, {RetryFailed: true}} {
		p, err := Make(def(s), st, opts)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "p.plan")
		if err := WriteFile(path, p, def(s)); err != nil {
			t.Fatal(err)
		}
		sv, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sv.Bind(def(s), st); err != nil {
			t.Errorf("Bind of a plan with %+v: %v", opts, err)
		}
	}
	// Bayesian: new trials past the initial design have no params.
	b := testSearch(t, definition.Bayesian, 12, 1)
	p, err := Make(def(b), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Searches[0].ToRun[len(p.Searches[0].ToRun)-1].Point != nil {
		t.Fatal("want a trial known after apply")
	}
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := WriteFile(path, p, def(b)); err != nil {
		t.Fatal(err)
	}
	sv, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Bind(def(b), st); err != nil {
		t.Errorf("Bind of a bayesian plan: %v", err)
	}
}

// BenchmarkBind is what apply of a saved plan adds to loading the state:
// reading the plan file and checking it against n recorded trials.
func BenchmarkBind(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			t := &testing.T{}
			s := testSearch(t, definition.Random, n+100, 1)
			st := state.New()
			for i := range n {
				pt := space.Point{float64(i%1000) / 1000, []string{"a", "b"}[i%2]}
				cfg, _ := s.Resolve(pt)
				h, _ := definition.Hash(cfg)
				st.Apply(state.Change{Put: &state.Trial{Search: "s", Number: i, Params: s.ParamMap(pt), Config: cfg, ConfigHash: h,
					Status: state.Completed, Attempts: 1, Metrics: map[string]float64{"loss": float64(i)}}})
			}
			p, err := Make(def(s), st, Options{})
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(b.TempDir(), "p.plan")
			if err := WriteFile(path, p, def(s)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				sv, err := ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := sv.Bind(def(s), st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
