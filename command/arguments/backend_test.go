package arguments

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestStatePathSet: PathSet tells an explicit -state, even one naming the
// default path, from the default.
func TestStatePathSet(t *testing.T) {
	for _, tc := range []struct {
		args []string
		path string
		set  bool
	}{
		{nil, DefaultStatePath, false},
		{[]string{"-state=x.fwstate"}, "x.fwstate", true},
		{[]string{"-state", DefaultStatePath}, DefaultStatePath, true},
	} {
		a, diags := ParsePlan(tc.args)
		if diags.HasErrors() || a.State.Path != tc.path || a.State.PathSet != tc.set {
			t.Errorf("plan %v: path %q set %v (%v), want %q %v", tc.args, a.State.Path, a.State.PathSet, diags, tc.path, tc.set)
		}
		s, diags := ParseState(append([]string{"list"}, tc.args...))
		if diags.HasErrors() || s.State.Path != tc.path || s.State.PathSet != tc.set {
			t.Errorf("state list %v: path %q set %v (%v)", tc.args, s.State.Path, s.State.PathSet, diags)
		}
	}
}

func TestParseInit(t *testing.T) {
	tests := []struct {
		args    []string
		want    *Init
		wantErr string
	}{
		{nil, &Init{State: State{Path: DefaultStatePath, Lock: true}}, ""},
		{[]string{"-migrate-state", "-force-copy", "-state=old.fwstate", "-lock-timeout=1m", "-no-color"},
			&Init{MigrateState: true, ForceCopy: true, View: View{NoColor: true},
				State: State{Path: "old.fwstate", PathSet: true, Lock: true, LockTimeout: time.Minute}}, ""},
		{[]string{"-force-copy"}, nil, "give both"},
		{[]string{"-lock=false"}, nil, "not defined: -lock"},
		{[]string{"-var", "a=1"}, nil, "not defined: -var"},
		{[]string{"extra"}, nil, "takes no positional arguments"},
		{[]string{"-lock-timeout=-1s"}, nil, "must be ≥ 0"},
	}
	for _, tt := range tests {
		got, diags := ParseInit(tt.args)
		if tt.wantErr != "" {
			if !diags.HasErrors() || !strings.Contains(diags[0].Detail, tt.wantErr) {
				t.Errorf("%v: diags %v, want %q", tt.args, diags, tt.wantErr)
			}
			continue
		}
		if diags.HasErrors() {
			t.Errorf("%v: %v", tt.args, diags)
			continue
		}
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, d)
		}
	}
}

func TestParseStatePullPush(t *testing.T) {
	tests := []struct {
		args    []string
		want    *StateCmd
		wantErr string
	}{
		// pull reads without the lock unless -lock.
		{[]string{"pull"}, &StateCmd{Sub: "pull", State: State{Path: DefaultStatePath}}, ""},
		{[]string{"pull", "-lock", "-lock-timeout=5s", "-state=a"},
			&StateCmd{Sub: "pull", State: State{Path: "a", PathSet: true, Lock: true, LockTimeout: 5 * time.Second}}, ""},
		{[]string{"pull", "x"}, nil, "takes no positional arguments"},
		{[]string{"pull", "-var", "a=1"}, nil, "not defined: -var"},
		// push always locks; FILE may be "-" and flags may follow it.
		{[]string{"push", "b.fwstate"}, &StateCmd{Sub: "push", File: "b.fwstate", State: State{Path: DefaultStatePath, Lock: true}}, ""},
		{[]string{"push", "-", "-force", "-lock-timeout=2s"},
			&StateCmd{Sub: "push", File: "-", Force: true, State: State{Path: DefaultStatePath, Lock: true, LockTimeout: 2 * time.Second}}, ""},
		{[]string{"push"}, nil, "takes one FILE argument"},
		{[]string{"push", "a", "b"}, nil, "takes one FILE argument"},
		{[]string{"push", "-lock=false", "a"}, nil, "not defined: -lock"},
	}
	for _, tt := range tests {
		got, diags := ParseState(tt.args)
		if tt.wantErr != "" {
			if !diags.HasErrors() || !strings.Contains(diags[0].Detail, tt.wantErr) {
				t.Errorf("%v: diags %v, want %q", tt.args, diags, tt.wantErr)
			}
			continue
		}
		if diags.HasErrors() {
			t.Errorf("%v: %v", tt.args, diags)
			continue
		}
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, d)
		}
	}
}
