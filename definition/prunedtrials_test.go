package definition

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSettingsPrunedTrials: pruned_trials shows in the settings, and so
// as a change in a plan, only when it is not the default, so that a
// state recorded before the attribute existed shows no change.
func TestSettingsPrunedTrials(t *testing.T) {
	s := &Search{Name: "b", Strategy: Bayesian, Metric: "loss", Mode: Min, Trials: 20, Bayesian: DefaultBayesian(20)}
	old := s.Settings()
	delete(old["bayesian"].(map[string]any), "pruned_trials") // as recorded before
	if c := SettingsChanges(old, s.Settings()); len(c) != 0 {
		t.Errorf("the default shows as a change: %v", c)
	}
	for _, v := range PrunedTrialsOptions {
		if v == DefaultPrunedTrials {
			continue
		}
		edited := *s
		o := *s.Bayesian
		o.PrunedTrials = v
		edited.Bayesian = &o
		var got []string
		for _, c := range SettingsChanges(old, edited.Settings()) {
			got = append(got, FormatSettingsChange(c))
		}
		if d := cmp.Diff([]string{`bayesian.pruned_trials = "` + v + `" added`}, got); d != "" {
			t.Errorf("changes (-want +got):\n%s", d)
		}
		if edited.Fingerprint() == s.Fingerprint() {
			t.Errorf("pruned_trials = %q keeps the fingerprint of the default", v)
		}
	}
}
