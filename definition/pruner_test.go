package definition

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPrunerSettings checks the pruner's part of Settings: its block
// header as the key, the attributes of its kind only, and changes
// formatted in the language's terms.
func TestPrunerSettings(t *testing.T) {
	s := &Search{Name: "s", Strategy: Random, Metric: "loss", Mode: Min, Trials: 10}
	med := *s
	med.Pruner = &Pruner{Kind: PrunerMedian, Metric: "loss", StartupTrials: 5, WarmupSteps: 0, Interval: 1}
	asha := *s
	asha.Pruner = &Pruner{Kind: PrunerASHA, Metric: "acc", MinSteps: 1, MaxSteps: 27, ReductionFactor: 3}
	tests := []struct {
		name string
		s    *Search
		want map[string]any
	}{
		{"median", &med, map[string]any{"metric": "loss", "startup_trials": int64(5), "warmup_steps": int64(0), "interval": int64(1)}},
		{"asha", &asha, map[string]any{"metric": "acc", "min_steps": int64(1), "max_steps": int64(27), "reduction_factor": int64(3)}},
	}
	for _, tt := range tests {
		got := tt.s.Settings()[`pruner "`+tt.s.Pruner.Kind+`"`]
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s: settings (-want +got):\n%s", tt.name, d)
		}
	}
	if s.Fingerprint() != med.Fingerprint() || s.Fingerprint() != asha.Fingerprint() || s.SpaceFingerprint() != asha.SpaceFingerprint() {
		t.Error("a pruner changed the fingerprints")
	}
	var got []string
	for _, c := range SettingsChanges(med.Settings(), asha.Settings()) {
		got = append(got, FormatSettingsChange(c))
	}
	if d := cmp.Diff([]string{`pruner "asha" added`, `pruner "median" removed`}, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
}

func TestIsLabeledBlock(t *testing.T) {
	for path, want := range map[string]bool{
		`param "training.lr"`: true, `param "training.lr".low`: false, `pruner "asha"`: true,
		`pruner "asha".max_steps`: false, "parallelism": false, "trial.timeout": false, "pruner": false,
	} {
		if got := isLabeledBlock(path); got != want {
			t.Errorf("isLabeledBlock(%q) = %v, want %v", path, got, want)
		}
	}
}
