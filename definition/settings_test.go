package definition

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/space"
)

func TestSettingsChanges(t *testing.T) {
	lr, _ := space.NewReal("training.lr", 1e-4, 0.1, true, 0)
	opt, _ := space.NewCategorical("optimizer", []space.Value{"adam", "sgd"})
	s := &Search{Name: "s", Strategy: Random, Metric: "loss", Mode: Min, Trials: 20, Parallelism: 2,
		BaseConfig: map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5)}, "optimizer": "adam"},
		Params:     []Param{{Path: "training.lr", Dim: lr}, {Path: "optimizer", Dim: opt}},
		Trial:      Trial{Command: []string{"python3", "train.py"}, Timeout: time.Minute}}
	old := s.Settings()
	if c := SettingsChanges(old, s.Settings()); len(c) != 0 {
		t.Fatalf("changes without an edit: %v", c)
	}
	narrow, _ := space.NewReal("training.lr", 1e-3, 0.1, true, 0)
	hidden, _ := space.NewInteger("model.hidden", 16, 256, false, 0)
	edited := *s
	edited.Trials, edited.Parallelism = 30, 4
	edited.Params = []Param{{Path: "training.lr", Dim: narrow}, {Path: "model.hidden", Dim: hidden}}
	edited.Trial.Timeout = 2 * time.Minute
	var got []string
	for _, c := range SettingsChanges(old, edited.Settings()) {
		got = append(got, FormatSettingsChange(c))
	}
	want := []string{
		"parallelism 2 → 4",
		"trials 20 → 30",
		`param "model.hidden" added`,
		`param "optimizer" removed`,
		`param "training.lr".low 0.0001 → 0.001`,
		`trial.timeout "1m0s" → "2m0s"`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
}
