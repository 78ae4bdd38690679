package plan

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// onSlurm returns s with its trials on a Slurm executor.
func onSlurm(s *definition.Search) *definition.Search {
	c := *s
	c.Trial.Executor = &definition.Executor{Type: "slurm", Name: "gpu"}
	return &c
}

// leftRunning records trial n of s as running, attempt 1, with job.
func leftRunning(t *testing.T, st *state.State, s *definition.Search, n int, p space.Point, job string) {
	t.Helper()
	record(t, st, s, n, p, state.Running, 1, 0)
	tr := st.Trial(s.Name, n).Clone()
	tr.Job = job
	if err := st.Apply(state.Change{Put: tr}); err != nil {
		t.Fatal(err)
	}
}

// TestMakeAttach: a trial left running on a Slurm executor is planned as
// an attach to its job, the same attempt; on the local pool (or with
// -executor=local, or tainted, or replaced) it runs again as a new
// attempt, as before.
func TestMakeAttach(t *testing.T) {
	local := testSearch(t, definition.Random, 3, 1)
	slurm := onSlurm(local)
	st := state.New()
	leftRunning(t, st, local, 0, space.Point{0.25, "a"}, "slurm:41")
	leftRunning(t, st, local, 1, space.Point{0.5, "b"}, "")
	record(t, st, local, 2, space.Point{0.75, "a"}, state.Running, 1, 0)
	tr := st.Trial("s", 2).Clone()
	tr.Tainted = true
	if err := st.Apply(state.Change{Put: tr}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		s    *definition.Search
		opts Options
		want []Trial
	}{
		{"slurm", slurm, Options{}, []Trial{
			{Number: 0, Attempt: 1, Attach: true, Job: "slurm:41", Reason: "re-attach to slurm job 41 (left running by an apply that did not finish)"},
			{Number: 1, Attempt: 1, Attach: true, Reason: AttachReason("")},
			{Number: 2, Attempt: 2, Reason: "tainted"},
		}},
		{"local", local, Options{}, []Trial{
			{Number: 0, Attempt: 2, Reason: "left running by an apply that did not finish"},
			{Number: 1, Attempt: 2, Reason: "left running by an apply that did not finish"},
			{Number: 2, Attempt: 2, Reason: "tainted"},
		}},
		{"replaced", slurm, Options{Replace: []state.TrialRef{{Search: "s", Number: 0}}}, []Trial{
			{Number: 0, Attempt: 2, Reason: "replaced (-replace)"},
			{Number: 1, Attempt: 1, Attach: true, Reason: AttachReason("")},
			{Number: 2, Attempt: 2, Reason: "tainted"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Make(def(tt.s), st, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, p.Searches[0].ToRetry, cmpopts.IgnoreFields(Trial{}, "Point")); d != "" {
				t.Errorf("retries (-want +got):\n%s", d)
			}
			// A saved plan binds, and keeps the attaches.
			path := filepath.Join(t.TempDir(), "p.plan")
			if err := WriteFile(path, p, def(tt.s)); err != nil {
				t.Fatal(err)
			}
			sv, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			bound, err := sv.Bind(def(tt.s), st)
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			if d := cmp.Diff(p, bound, cmpopts.IgnoreUnexported(Search{})); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}

	// A plan file that attaches where Make would not is refused.
	p, err := Make(def(slurm), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := WriteFile(path, p, def(slurm)); err != nil {
		t.Fatal(err)
	}
	sv, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Bind(def(local), st); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "attach") {
		t.Errorf("Bind of an attach with -executor=local: %v", err)
	}
	other := p.Searches[0].ToRetry
	other[0].Job = "slurm:42"
	if err := checkSearch(slurm, p.Searches[0], st); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "slurm:42") {
		t.Errorf("attach to another job: %v", err)
	}
	other[0].Job, other[0].Attach = "slurm:41", false
	if err := checkSearch(slurm, p.Searches[0], st); !errors.Is(err, ErrMismatch) {
		t.Errorf("a job without attach: %v", err)
	}
}
