package definition

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func slurmExecutor() *Executor {
	return &Executor{Type: "slurm", Name: "gpu", Partition: "gpu", Time: 2 * time.Hour, GPUs: 1, Array: true}
}

// TestExecutorNotInMeaning checks that where trials run changes neither a
// search's fingerprints, by which plans match existing trials, nor its
// settings, by which plans say what changed since the last apply.
func TestExecutorNotInMeaning(t *testing.T) {
	s := testSearch(t)
	s.Trial = Trial{Command: []string{"python3", "train.py"}, Timeout: time.Hour}
	fp, space, settings := s.Fingerprint(), s.SpaceFingerprint(), s.Settings()
	s.Trial.Executor = slurmExecutor()
	if got := s.Fingerprint(); got != fp {
		t.Errorf("the executor changed the fingerprint: %s → %s", fp, got)
	}
	if got := s.SpaceFingerprint(); got != space {
		t.Errorf("the executor changed the space fingerprint: %s → %s", space, got)
	}
	if c := SettingsChanges(settings, s.Settings()); len(c) != 0 {
		t.Errorf("the executor shows as settings changes: %v", c)
	}
}

func TestLocalOnly(t *testing.T) {
	slurm, local := testSearch(t), testSearch(t)
	slurm.Name, local.Name = "on-slurm", "local"
	slurm.Trial.Executor = slurmExecutor()
	d := &Definition{Dir: "/d", Searches: []*Search{slurm, local}, Backend: &Backend{Type: "pg"}}
	got := d.LocalOnly()
	for i, s := range got.Searches {
		if s.Trial.Executor != nil {
			t.Errorf("search %q still runs on %s", s.Name, s.Trial.Executor.Name)
		}
		if s.Name != d.Searches[i].Name || s.Fingerprint() != d.Searches[i].Fingerprint() {
			t.Errorf("search %d: %q changed", i, s.Name)
		}
	}
	if got.Dir != d.Dir || got.Backend != d.Backend {
		t.Errorf("LocalOnly changed the directory or backend: %+v", got)
	}
	// d is immutable: LocalOnly copies.
	if d.Searches[0].Trial.Executor == nil {
		t.Error("LocalOnly changed the definition it was called on")
	}
	if d := cmp.Diff([]string{"on-slurm", "local"}, []string{got.Search("on-slurm").Name, got.Search("local").Name}); d != "" {
		t.Error(d)
	}
}
