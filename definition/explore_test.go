package definition

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSettingsExplore: explore_every, explore_kappa and stall_trials show
// in the settings, and so as changes in a plan and in the fingerprint,
// only when they are not the defaults: a state recorded before they
// existed shows no change.
func TestSettingsExplore(t *testing.T) {
	s := &Search{Name: "b", Strategy: Bayesian, Metric: "loss", Mode: Min, Trials: 20, Bayesian: DefaultBayesian(20)}
	old := s.Settings()
	for _, k := range []string{"explore_every", "explore_kappa", "stall_trials"} {
		if _, ok := old["bayesian"].(map[string]any)[k]; ok {
			t.Errorf("the default %s is in the settings", k)
		}
	}
	for _, tc := range []struct {
		edit func(*BayesianOptions)
		want string
	}{
		{func(o *BayesianOptions) { o.ExploreEvery = 0 }, "bayesian.explore_every = 0 added"},
		{func(o *BayesianOptions) { o.ExploreEvery = 5 }, "bayesian.explore_every = 5 added"},
		{func(o *BayesianOptions) { o.ExploreKappa = 1.5 }, "bayesian.explore_kappa = 1.5 added"},
		{func(o *BayesianOptions) { o.StallTrials = 20 }, "bayesian.stall_trials = 20 added"},
	} {
		edited := *s
		o := *s.Bayesian
		tc.edit(&o)
		edited.Bayesian = &o
		var got []string
		for _, c := range SettingsChanges(old, edited.Settings()) {
			got = append(got, FormatSettingsChange(c))
		}
		if d := cmp.Diff([]string{tc.want}, got); d != "" {
			t.Errorf("changes (-want +got):\n%s", d)
		}
		if edited.Fingerprint() == s.Fingerprint() {
			t.Errorf("%s keeps the fingerprint of the default", tc.want)
		}
	}
}
