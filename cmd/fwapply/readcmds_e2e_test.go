package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// varSearch writes a random search whose base_config uses a variable
// without a default, so every command that loads it needs -var.
func varSearch(t *testing.T, dir string, trials int) {
	t.Helper()
	search(t, dir, fmt.Sprintf(`  strategy    = "random"
  trials      = %d
  seed        = 5
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0, epochs = var.epochs }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
`, trials))
	if err := os.WriteFile(filepath.Join(dir, "vars.fw.hcl"), []byte("variable \"epochs\" {\n  type = number\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestE2EReadCommandsTakeVars runs every command that reads a search
// whose variable has no default: with -var they work, without it show
// says which variable to set and how.
func TestE2EReadCommandsTakeVars(t *testing.T) {
	dir := t.TempDir()
	varSearch(t, dir, 4)
	mustApply(t, dir, "-var", "epochs=3")
	for _, args := range [][]string{
		{"show", "-var", "epochs=3"},
		{"show", "-var=epochs=3", "search.s", "-json"},
		{"output", "-var", "epochs=3", "search.s.best_config"},
		{"analyze", "-var", "epochs=3"},
		{"experiments", "list", "-var", "epochs=3"},
		{"state", "list", "-var", "epochs=3"},
		{"state", "show", "-var", "epochs=3", "search.s[0]"},
		{"export", "-var", "epochs=3", filepath.Join(t.TempDir(), "export.json")},
	} {
		code, out, errs := fwapply(t, dir, args...)
		if code != 0 || strings.Contains(errs, "Warning") {
			t.Errorf("fwapply %v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	code, out, _ := fwapply(t, dir, "output", "-var", "epochs=3", "search.s.best_config")
	var cfg map[string]any
	if err := json.Unmarshal([]byte(out), &cfg); code != 0 || err != nil || cfg["epochs"] != 3.0 {
		t.Errorf("best_config: %v %s", err, out)
	}

	code, out, errs := fwapply(t, dir, "show")
	msg := strings.Join(strings.Fields(errs), " ")
	if code != 1 || !strings.Contains(msg, `No value for required variable`) ||
		!strings.Contains(msg, `The variable "epochs" has no default, so it must be set: -var 'epochs=...'`) {
		t.Errorf("show without -var: exit %d\n%s%s", code, out, errs)
	}
	// state list works without the variables, and says why the search
	// files did not load.
	code, out, errs = fwapply(t, dir, "state", "list")
	if code != 0 || strings.Count(out, "search.s[") != 4 || !strings.Contains(errs, "Search files not loaded") || !strings.Contains(errs, "epochs") {
		t.Errorf("state list without -var: exit %d\n%s%s", code, out, errs)
	}
}

// TestE2EEveryMetricShown checks that show, state list, state show and
// experiments list show every metric a trial reported: the test trial
// program reports its objective "score" and "x".
func TestE2EEveryMetricShown(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(randomBody, 3, 0, "0"))
	mustApply(t, dir)

	code, out, errs := fwapply(t, dir, "show")
	header := regexpLine(out, "#")
	if code != 0 || !strings.Contains(header, "score") || !strings.Contains(header, "x") || strings.Index(header, "score") > strings.Index(header, " x ") {
		t.Errorf("show: exit %d, header %q\n%s%s", code, header, out, errs)
	}
	code, out, _ = fwapply(t, dir, "show", "-metrics=x")
	if header := regexpLine(out, "#"); code != 0 || strings.Contains(header, "score") || !strings.Contains(header, " x ") {
		t.Errorf("show -metrics=x: exit %d\n%s", code, out)
	}
	code, _, errs = fwapply(t, dir, "show", "-metrics=val_acc")
	if msg := strings.Join(strings.Fields(errs), " "); code != 1 || !strings.Contains(msg, `"val_acc"`) || !strings.Contains(msg, "the metrics are score, x") {
		t.Errorf("show -metrics=val_acc: exit %d\n%s", code, errs)
	}

	code, out, _ = fwapply(t, dir, "state", "list")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		if code != 0 || len(fields) != 4 || !strings.HasPrefix(fields[2], "score=") || !strings.HasPrefix(fields[3], "x=") {
			t.Errorf("state list line %q: want address, status, score=..., x=...", line)
		}
	}
	type listed struct {
		Address string
		Metrics map[string]float64
	}
	for _, l := range jsonOf[[]listed](t, dir, "state", "list", "-json") {
		if _, ok := l.Metrics["x"]; !ok || len(l.Metrics) != 2 {
			t.Errorf("state list -json: %+v", l)
		}
	}
	code, out, _ = fwapply(t, dir, "state", "show", "search.s[0]")
	if code != 0 || !strings.Contains(out, "# metrics: score=") || !strings.Contains(out, ", x=") {
		t.Errorf("state show: exit %d\n%s", code, out)
	}

	type experiment struct {
		Number  int
		Metrics map[string]float64
	}
	for _, e := range jsonOf[[]experiment](t, dir, "experiments", "list", "-json") {
		if len(e.Metrics) != 2 {
			t.Errorf("experiments list -json: %+v", e)
		}
	}
	code, out, _ = fwapply(t, dir, "experiments", "list")
	if header := strings.Fields(regexpLine(out, "SEARCH")); code != 0 || len(header) < 5 || header[3] != "score" || header[4] != "x" {
		t.Errorf("experiments list: exit %d\n%s", code, out)
	}
}

// regexpLine returns the first line of out whose first field is first.
func regexpLine(out, first string) string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == first {
			return line + " "
		}
	}
	return ""
}

// TestE2EShowPlanFile shows a saved plan: the trials plan lists, the
// document plan -json prints, and a note once the state has moved on.
func TestE2EShowPlanFile(t *testing.T) {
	dir := t.TempDir()
	varSearch(t, dir, 3)
	code, planned, errs := fwapply(t, dir, "plan", "-var", "epochs=2", "-out=p.fwplan")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, planned, errs)
	}
	want := jsonOf[planDoc](t, dir, "plan", "-var", "epochs=2", "-json")

	// The plan file holds its variables: show needs no -var.
	code, out, errs := fwapply(t, dir, "show", "p.fwplan")
	head, _, _ := strings.Cut(planned, "\nSaved the plan")
	if code != 0 || out != head {
		t.Errorf("show p.fwplan: exit %d, want the plan's text\n%s\n%s%s", code, head, out, errs)
	}
	type shown struct {
		planDoc
		Stale *bool `json:"stale"`
	}
	got := jsonOf[shown](t, dir, "show", "-json", "p.fwplan")
	if got.Stale == nil || *got.Stale || len(got.Searches["s"].ToRun) != 3 || got.Summary != want.Summary {
		t.Fatalf("show -json p.fwplan: %+v, plan -json %+v", got, want)
	}
	for i, tr := range got.Searches["s"].ToRun {
		if w := want.Searches["s"].ToRun[i]; tr.Number != w.Number || tr.Params["x"] != w.Params["x"] {
			t.Errorf("to_run[%d] = %+v, plan -json has %+v", i, tr, w)
		}
	}

	// Once the state moves on, apply would refuse the plan; show says so.
	mustApply(t, dir, "-var", "epochs=2")
	code, out, _ = fwapply(t, dir, "show", "p.fwplan")
	if msg := strings.Join(strings.Fields(out), " "); code != 0 || !strings.Contains(msg, "Note: this plan is stale, and fwapply apply p.fwplan would refuse it: the state changed since the plan was made") {
		t.Errorf("show of a stale plan: exit %d\n%s", code, out)
	}
	if got := jsonOf[shown](t, dir, "show", "-json", "p.fwplan"); got.Stale == nil || !*got.Stale {
		t.Errorf("show -json of a stale plan: stale %v", got.Stale)
	}
	code, _, errs = fwapply(t, dir, "show", "-var", "epochs=2", "p.fwplan")
	if code != 1 || !strings.Contains(errs, "Plan file with -var") {
		t.Errorf("show -var PLANFILE: exit %d\n%s", code, errs)
	}
	code, _, errs = fwapply(t, dir, "show", "missing.fwplan")
	if code != 1 || !strings.Contains(errs, "Cannot read the plan file") {
		t.Errorf("show of a missing plan file: exit %d\n%s", code, errs)
	}
}
