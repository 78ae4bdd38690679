package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// editBody is a random search over x, with y in the base config; extra
// adds params.
const editBody = `  strategy    = "random"
  trials      = %d
  seed        = 5
  parallelism = 2
  base_config = { x = 0.5, y = %s, behavior = "ok", sleep_ms = 0 }
  param "x" {
    type = real
    low  = %s
    high = 1
  }
%s`

// TestE2EAddParamKeepsTrials: adding a param whose base value lies in its
// range keeps every earlier trial, and the next apply runs only the new
// budget and diffs the best in the user's terms.
func TestE2EAddParamKeepsTrials(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(editBody, 6, "40", "0", ""))
	mustApply(t, dir)

	search(t, dir, fmt.Sprintf(editBody, 10, "40", "0", `  param "y" {
    type = integer
    low  = 16
    high = 256
  }
`))
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	got := p.Searches["s"]
	if got.Kept != 6 || got.ExcludedCount != 0 || len(got.Excluded) != 0 || len(got.ToRun) != 4 {
		t.Fatalf("plan after adding a param: kept %d, excluded %d, to run %d; want 6, 0, 4", got.Kept, got.ExcludedCount, len(got.ToRun))
	}
	code, out, errs := fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 || !strings.Contains(out, "6 kept from earlier applies") || strings.Contains(out, "the first best") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	// Any change of the best is written as path = value lines, never Go.
	if strings.Contains(out, "map[string]any") || strings.Contains(out, "float64(") {
		t.Errorf("the best-config diff shows Go syntax:\n%s", out)
	}
	if strings.Contains(out, "Best config changes:") && !regexp.MustCompile(`(?m)^    [~+-] [a-z_.]+ = `).MatchString(out) {
		t.Errorf("best-config changes are not one path per line:\n%s", out)
	}

	// Removing the param again keeps the trials whose y equals the base.
	search(t, dir, fmt.Sprintf(editBody, 10, "40", "0", ""))
	p = jsonOf[planDoc](t, dir, "plan", "-json")
	got = p.Searches["s"]
	if got.Kept != 6 || got.ExcludedCount != 4 {
		t.Fatalf("plan after removing the param: kept %d, excluded %d; want 6 and the 4 trials with another y", got.Kept, got.ExcludedCount)
	}
	for _, x := range got.Excluded {
		if !strings.HasPrefix(x.Reason, "y = ") || !strings.Contains(x.Reason, "is no longer searched, and base_config has 40") {
			t.Errorf("trial %d excluded for %q", x.Number, x.Reason)
		}
	}
}

// TestE2ENarrowedRangeNamesExcluded: narrowing a range names the excluded
// trials with their reason, in text and JSON; changing the base config
// excludes every trial and says which path changed.
func TestE2ENarrowedRangeNamesExcluded(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(editBody, 8, "40", "0", ""))
	mustApply(t, dir)
	below := map[int]bool{}
	for _, tr := range jsonOf[showDoc](t, dir, "show", "-json").Searches["s"].Trials {
		if tr.Params["x"].(float64) < 0.5 {
			below[tr.Number] = true
		}
	}
	if len(below) == 0 || len(below) == 8 {
		t.Fatalf("test needs trials on both sides of 0.5; got %d below", len(below))
	}

	search(t, dir, fmt.Sprintf(editBody, 8, "40", "0.5", ""))
	p := jsonOf[planDoc](t, dir, "plan", "-json")
	got := p.Searches["s"]
	if got.ExcludedCount != len(below) || len(got.Excluded) != len(below) {
		t.Fatalf("excluded %d (%d listed), want %d", got.ExcludedCount, len(got.Excluded), len(below))
	}
	reason := regexp.MustCompile(`^x = 0\.[0-9]+ is below low = 0\.5$`)
	for _, x := range got.Excluded {
		if !below[x.Number] || !reason.MatchString(x.Reason) {
			t.Errorf("excluded trial %d: %q", x.Number, x.Reason)
		}
	}
	code, out, errs := fwapply(t, dir, "plan")
	want := fmt.Sprintf("- x is below low = 0.5 (%d trials: ", len(below))
	if len(below) == 1 {
		want = "- x is below low = 0.5 (1 trial: "
	}
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("plan text lacks %q: exit %d\n%s%s", want, code, out, errs)
	}

	// A base-config change excludes every trial, with the path.
	search(t, dir, fmt.Sprintf(editBody, 8, "41", "0", ""))
	code, out, errs = fwapply(t, dir, "plan")
	if code != 0 || !strings.Contains(out, "- base_config.y changed 40 → 41 (all 8 trials)") {
		t.Fatalf("plan after a base change: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = fwapply(t, dir, "apply", "-auto-approve")
	if code != 0 || !strings.Contains(out, "previous best, trial") || !strings.Contains(out, "no longer matches the definition: base_config.y changed 40 → 41") ||
		!strings.Contains(out, "~ y = 40 → 41") {
		t.Fatalf("apply after a base change: exit %d\n%s%s", code, out, errs)
	}
}

// TestE2EHarmlessChangeIsNamed: a change that excludes nothing (more
// parallelism, a wider range) is named by the plan, in text and JSON.
func TestE2EHarmlessChangeIsNamed(t *testing.T) {
	dir := t.TempDir()
	search(t, dir, fmt.Sprintf(editBody, 4, "40", "0.1", ""))
	mustApply(t, dir)
	body := strings.Replace(fmt.Sprintf(editBody, 4, "40", "0", ""), "parallelism = 2", "parallelism = 4", 1)
	search(t, dir, body)
	code, out, errs := fwapply(t, dir, "plan")
	for _, want := range []string{"No changes.", "Changed since the last apply, excluding no trial:", "- parallelism 2 → 4", `- param "x".low 0.1 → 0`} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q: exit %d\n%s%s", want, code, out, errs)
		}
	}
	type settingsDoc struct {
		Searches map[string]struct {
			SettingsChanges []struct {
				Path     string
				Old, New any
			} `json:"settings_changes"`
		}
	}
	doc := jsonOf[settingsDoc](t, dir, "plan", "-json")
	got := doc.Searches["s"].SettingsChanges
	if len(got) != 2 || got[0].Path != "parallelism" || got[0].Old != 2.0 || got[0].New != 4.0 || got[1].Path != `param "x".low` {
		t.Errorf("settings_changes %+v", got)
	}
}
