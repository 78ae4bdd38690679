package arguments

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/state"
)

// defaultApply is what ParseApply gives without flags.
func defaultApply() *Apply {
	return &Apply{
		State:                State{Path: DefaultStatePath, Lock: true},
		MaxIdenticalFailures: DefaultMaxIdenticalFailures,
		StderrLines:          DefaultStderrLines,
	}
}

func TestParseApplyFailureFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		edit    func(a *Apply)
		wantErr string // a diagnostic's summary, then text its detail holds
	}{
		{name: "defaults", edit: func(*Apply) {}},
		{
			name: "replace and retry-failed",
			args: []string{"-replace=search.coarse[3]", "-replace", "search.fine-2[0]", "-retry-failed"},
			edit: func(a *Apply) {
				a.Replace = []state.TrialRef{{Search: "coarse", Number: 3}, {Search: "fine-2", Number: 0}}
				a.RetryFailed = true
			},
		},
		{
			name: "failure limits",
			args: []string{"-max-identical-failures=0", "-stderr-lines=25", "-max-failures=4"},
			edit: func(a *Apply) { a.MaxIdenticalFailures, a.StderrLines, a.MaxFailures = 0, 25, 4 },
		},
		{name: "replace without number", args: []string{"-replace=search.coarse"}, wantErr: "Failed to parse command-line flags: write -replace=search.NAME[N]"},
		{name: "replace without prefix", args: []string{"-replace=coarse[3]"}, wantErr: "Failed to parse command-line flags: like -replace=search.coarse[3]"},
		{name: "replace negative", args: []string{"-replace=search.coarse[-1]"}, wantErr: "Failed to parse command-line flags: write -replace=search.NAME[N]"},
		{name: "replace signed", args: []string{"-replace=search.coarse[+1]"}, wantErr: "Failed to parse command-line flags: write -replace=search.NAME[N]"},
		{name: "replace dotted name", args: []string{"-replace=search.a.b[1]"}, wantErr: "Failed to parse command-line flags: write -replace=search.NAME[N]"},
		{name: "replace empty index", args: []string{"-replace=search.a[]"}, wantErr: "Failed to parse command-line flags: write -replace=search.NAME[N]"},
		{name: "negative identical", args: []string{"-max-identical-failures=-1"}, wantErr: "Invalid -max-identical-failures: 0 to never stop"},
		{name: "negative stderr lines", args: []string{"-stderr-lines=-2"}, wantErr: "Invalid -stderr-lines: 0 to show none"},
		{name: "plan file and replace", args: []string{"saved.plan", "-replace=search.a[1]"}, wantErr: "Plan file with -var, -target, -replace or -retry-failed: run fwapply plan again"},
		{name: "plan file and retry-failed", args: []string{"-retry-failed", "saved.plan"}, wantErr: "Plan file with -var, -target, -replace or -retry-failed: run fwapply plan again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := ParseApply(tt.args)
			if tt.wantErr != "" {
				summary, detail, _ := strings.Cut(tt.wantErr, ": ")
				if !diags.HasErrors() || diags[0].Summary != summary || !strings.Contains(diags[0].Detail, detail) {
					t.Errorf("diags %v, want %q", diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			want := defaultApply()
			tt.edit(want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParsePlanRerunFlags(t *testing.T) {
	got, diags := ParsePlan([]string{"-replace=search.s[2]", "-retry-failed", "-out=p.plan"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := Rerun{Replace: []state.TrialRef{{Search: "s", Number: 2}}, RetryFailed: true}
	if d := cmp.Diff(want, got.Rerun); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
