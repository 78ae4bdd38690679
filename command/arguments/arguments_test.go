package arguments

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseValidate(t *testing.T) {
	tests := []struct {
		args    []string
		want    *Validate
		wantErr string
	}{
		{nil, &Validate{StatePath: DefaultStatePath}, ""},
		{[]string{"-json", "-no-color"}, &Validate{JSON: true, View: View{NoColor: true}, StatePath: DefaultStatePath}, ""},
		{[]string{"-var", "a=1", "-var-file=x", "-var=b=2", "-var-file", "y"}, &Validate{Vars: Vars{Flags: []string{"a=1", "b=2"}, Files: []string{"x", "y"}}, StatePath: DefaultStatePath}, ""},
		{[]string{"-nope"}, nil, "Failed to parse command-line flags"},
		{[]string{"dir"}, nil, "Unexpected argument"},
	}
	for _, tt := range tests {
		got, diags := ParseValidate(tt.args)
		if tt.wantErr != "" {
			if !diags.HasErrors() || diags[0].Summary != tt.wantErr {
				t.Errorf("%v: diags %v, want %q", tt.args, diags, tt.wantErr)
			}
			continue
		}
		if diags.HasErrors() {
			t.Errorf("%v: %v", tt.args, diags)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, d)
		}
	}
	if _, diags := ParseValidate([]string{"-help"}); !IsHelp(diags) {
		t.Error("-help is not a help request")
	}
}

func TestParseFmt(t *testing.T) {
	tests := []struct {
		args []string
		want *Fmt
	}{
		{nil, &Fmt{Write: true, StatePath: DefaultStatePath}},
		{[]string{"-check", "a", "b"}, &Fmt{Check: true, Paths: []string{"a", "b"}, StatePath: DefaultStatePath}},
		{[]string{"-diff", "-recursive", "-write=false"}, &Fmt{Diff: true, Recursive: true, StatePath: DefaultStatePath}},
	}
	for _, tt := range tests {
		got, diags := ParseFmt(tt.args)
		if diags.HasErrors() {
			t.Fatalf("%v: %v", tt.args, diags)
		}
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, d)
		}
	}
}

func TestParseGlobal(t *testing.T) {
	g, diags := ParseGlobal([]string{"-chdir=x", "validate", "-json"})
	if diags.HasErrors() || g.Chdir != "x" || g.Command != "validate" || !cmp.Equal(g.Args, []string{"-json"}) {
		t.Errorf("got %+v %v", g, diags)
	}
	if _, diags := ParseGlobal([]string{"-bogus"}); !diags.HasErrors() {
		t.Error("unknown global flag accepted")
	}
	if g, _ := ParseGlobal([]string{"-h"}); !g.Help {
		t.Error("-h is not help")
	}
}

func TestParseStateRepair(t *testing.T) {
	tests := []struct {
		args    []string
		want    *StateCmd
		wantErr string // in the diagnostics' detail
	}{
		{nil, &StateCmd{Sub: "repair", State: State{Path: DefaultStatePath, Lock: true}}, ""},
		{[]string{"-json", "-state=x.fwstate", "-lock-timeout=30s", "-no-color"},
			&StateCmd{Sub: "repair", JSON: true, View: View{NoColor: true}, State: State{Path: "x.fwstate", PathSet: true, Lock: true, LockTimeout: 30 * time.Second}}, ""},
		{[]string{"-lock=false"}, &StateCmd{Sub: "repair", State: State{Path: DefaultStatePath}}, ""},
		{[]string{"search.s[1]"}, nil, "takes no positional arguments"},
		{[]string{"-var", "a=1"}, nil, "not defined: -var"},
		{[]string{"-purge"}, nil, "not defined: -purge"},
	}
	for _, tt := range tests {
		got, diags := ParseState(append([]string{"repair"}, tt.args...))
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

// TestNegativeLockTimeout: every command that takes -lock-timeout refuses
// a negative one, saying it must be ≥ 0, and accepts 0 and positive ones.
func TestNegativeLockTimeout(t *testing.T) {
	n := 0
	for _, name := range Commands() {
		fs, _ := FlagSet(name)
		if fs.Lookup("lock-timeout") == nil {
			continue
		}
		n++
		parse := parsers[name]
		for _, bad := range [][]string{{"-lock-timeout=-5s"}, {"-lock-timeout", "-1ns"}, {"-lock-timeout=soon"}} {
			diags := parse(bad)
			if !diags.HasErrors() || IsHelp(diags) || !strings.Contains(diags[0].Detail, "-lock-timeout") {
				t.Errorf("%s %v: diags %v, want an error about -lock-timeout", name, bad, diags)
			}
			if bad[0] == "-lock-timeout=-5s" && !strings.Contains(diags[0].Detail, "must be ≥ 0") {
				t.Errorf("%s %v: %q does not say it must be ≥ 0", name, bad, diags[0].Detail)
			}
		}
		for _, good := range []string{"-lock-timeout=0s", "-lock-timeout=1m30s"} {
			for _, d := range parse([]string{good}) {
				if strings.Contains(d.Detail, "lock-timeout") {
					t.Errorf("%s %s: %v", name, good, d)
				}
			}
		}
	}
	// plan, apply, import, state rm, taint, untaint, repair, pull and
	// push, and init.
	if n != 10 {
		t.Errorf("%d commands take -lock-timeout, want 10", n)
	}
	a, diags := ParsePlan([]string{"-lock-timeout=90s"})
	if diags.HasErrors() || a.LockTimeout != 90*time.Second {
		t.Errorf("plan -lock-timeout=90s: %v, %v", a.LockTimeout, diags)
	}
}
