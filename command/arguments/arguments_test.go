package arguments

import (
	"testing"

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
