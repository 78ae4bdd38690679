package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// conditionalBody is a search over kind, x only when kind is "b", and z,
// a new leaf, only when kind is not "a". %s is the strategy's lines, %s
// the param x's range.
const conditionalBody = `%s
  base_config = { kind = "a", x = 0.5, behavior = "ok" }
  param "kind" {
    values = ["a", "b", "c"]
  }
  param "x" {
%s
    when = config.kind == "b"
  }
  param "z" {
    values = [1, 2]
    new    = true
    when   = config.kind != "a"
  }
`

// TestE2EConditionalGrid: the plan lists exactly the consistent
// combinations, apply runs them with only the active params, and a second
// plan keeps them all.
func TestE2EConditionalGrid(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(conditionalBody, `  strategy = "grid"`, `    values = [0.1, 0.2, 0.3, 0.4]`))
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	var got []string
	for _, tr := range p.Searches["s"].ToRun {
		got = append(got, paramsKey(t, tr.Params))
	}
	// a: 1; b: 4 values of x, 2 of z; c: 2 of z.
	want := []string{`{"kind":"a"}`}
	for _, x := range []string{"0.1", "0.2", "0.3", "0.4"} {
		for _, z := range []string{"1", "2"} {
			want = append(want, fmt.Sprintf(`{"kind":"b","x":%s,"z":%s}`, x, z))
		}
	}
	want = append(want, `{"kind":"c","z":1}`, `{"kind":"c","z":2}`)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan lists\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	code, out, _ := fwapply(t, dir, "plan", "-no-color")
	if code != 0 || !strings.Contains(out, `kind = "a"`+"\n") {
		t.Errorf("human plan: the trial of kind a lists only kind:\n%s", out)
	}

	mustApply(t, dir)
	sh := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"]
	if len(sh.Trials) != len(want) {
		t.Fatalf("%d trials; want %d", len(sh.Trials), len(want))
	}
	for _, tr := range sh.Trials {
		if tr.Status != "completed" {
			t.Errorf("trial %d %s: %s", tr.Number, tr.Status, tr.Error)
		}
	}
	// The trial of kind a: params.json without x and z, its config with
	// the base x and no z.
	first := -1
	for _, tr := range sh.Trials {
		if tr.Params["kind"] == "a" {
			first = tr.Number
		}
	}
	trialDir := filepath.Join(dir, ".fw", "trials", "s", fmt.Sprint(first))
	var params, cfg map[string]any
	readJSON(t, filepath.Join(trialDir, "params.json"), &params)
	readJSON(t, filepath.Join(trialDir, "config.json"), &cfg)
	if len(params) != 1 || params["kind"] != "a" {
		t.Errorf("params.json of trial %d = %v; want only kind", first, params)
	}
	if _, hasZ := cfg["z"]; cfg["x"] != 0.5 || hasZ {
		t.Errorf("config.json of trial %d = %v; want the base x and no z", first, cfg)
	}
	code, out, _ = fwapply(t, dir, "show", "-no-color")
	// The trial of kind a shows "-" for x and z, its inactive params.
	if code != 0 || !regexp.MustCompile(`(?m)"a"\s+-\s+-$`).MatchString(out) {
		t.Errorf("show: want - for the inactive params of kind a:\n%s", out)
	}

	again := jsonOf[planDoc](t, dir, "plan", "-json").Searches["s"]
	if len(again.ToRun) != 0 || again.Kept != len(want) || len(again.Excluded) != 0 {
		t.Errorf("second plan: %d to run, %d kept, excluded %v; want every trial kept", len(again.ToRun), again.Kept, again.Excluded)
	}
}

// TestE2EConditionalSampled: random and Bayesian searches over a
// conditional space run no config twice, and record only active params.
func TestE2EConditionalSampled(t *testing.T) {
	for _, strategy := range []string{
		`  strategy = "random"
  trials   = 14
  seed     = 5`,
		`  strategy = "bayesian"
  trials   = 12
  seed     = 5
  bayesian {
    initial_points = 4
  }`,
	} {
		name := strings.Trim(strings.Fields(strategy)[2], `"`)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			search(t, dir, fmt.Sprintf(conditionalBody, strategy, "    type = real\n    low  = 0\n    high = 1"))
			mustApply(t, dir)
			sh := jsonOf[showDoc](t, dir, "show", "-json").Searches["s"]
			if len(sh.Trials) < 12 {
				t.Fatalf("%d trials", len(sh.Trials))
			}
			seen := map[string]int{}
			for _, tr := range sh.Trials {
				if tr.Status != "completed" {
					t.Errorf("trial %d %s: %s", tr.Number, tr.Status, tr.Error)
				}
				kind := tr.Params["kind"]
				_, hasX := tr.Params["x"]
				_, hasZ := tr.Params["z"]
				if hasX != (kind == "b") || hasZ != (kind != "a") {
					t.Errorf("trial %d params %v: x must be searched exactly for kind b, z for kinds b and c", tr.Number, tr.Params)
				}
				// The config is the base config with these params: equal
				// params, equal configs.
				k := paramsKey(t, tr.Params)
				if prev, dup := seen[k]; dup {
					t.Errorf("trials %d and %d ran the same config %s", prev, tr.Number, k)
				}
				seen[k] = tr.Number
			}
			// Importance, slices and best configs over inactive
			// coordinates.
			if code, out, errs := fwapply(t, dir, "analyze", "-no-color"); code != 0 {
				t.Errorf("analyze: exit %d\n%s%s", code, out, errs)
			}
			again := jsonOf[planDoc](t, dir, "plan", "-json").Searches["s"]
			if again.Kept != len(sh.Trials) || len(again.Excluded) != 0 {
				t.Errorf("second plan: %d kept, excluded %v; want all %d kept", again.Kept, again.Excluded, len(sh.Trials))
			}
		})
	}
}

func paramsKey(t *testing.T, params map[string]any) string {
	t.Helper()
	b, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
