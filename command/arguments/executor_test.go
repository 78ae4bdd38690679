package arguments

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestExecutorFlag(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string // a diagnostic's summary, then text its detail holds
	}{
		{name: "unset", want: ""},
		{name: "local", args: []string{"-executor=local"}, want: ExecutorLocal},
		{name: "local as two arguments", args: []string{"-executor", "local"}, want: ExecutorLocal},
		{name: "slurm", args: []string{"-executor=slurm"}, wantErr: "Failed to parse command-line flags: the only value is \"local\""},
		{name: "empty", args: []string{"-executor="}, wantErr: "Failed to parse command-line flags: the only value is \"local\""},
		{name: "case", args: []string{"-executor=Local"}, wantErr: "Failed to parse command-line flags: the only value is \"local\""},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"plan", "apply"} {
			t.Run(cmd+" "+tt.name, func(t *testing.T) {
				var got string
				diags := parseFor(cmd, tt.args, &got)
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
				if got != tt.want {
					t.Errorf("Executor = %q, want %q", got, tt.want)
				}
			})
		}
	}
}

// parseFor parses args as plan's or apply's and sets *executor.
func parseFor(cmd string, args []string, executor *string) hcl.Diagnostics {
	if cmd == "plan" {
		a, diags := ParsePlan(args)
		*executor = a.Executor
		return diags
	}
	a, diags := ParseApply(args)
	*executor = a.Executor
	return diags
}

func TestExecutorFlagWithPlanFile(t *testing.T) {
	for _, args := range [][]string{{"saved.plan", "-executor=local"}, {"-executor=local", "saved.plan"}} {
		_, diags := ParseApply(args)
		if !diags.HasErrors() || diags[0].Summary != "Plan file with -executor" || !strings.Contains(diags[0].Detail, "fwapply plan -executor=local -out=FILE") {
			t.Errorf("%q: diags %v, want Plan file with -executor", args, diags)
		}
	}
}

func TestExecutorFlagHelp(t *testing.T) {
	for _, cmd := range []string{"plan", "apply"} {
		fs, ok := FlagSet(cmd)
		if !ok {
			t.Fatalf("no flag set for %s", cmd)
		}
		if help := FormatFlags(fs); !strings.Contains(help, "-executor=local") || !strings.Contains(help, "local process pool") {
			t.Errorf("%s help lacks -executor=local:\n%s", cmd, help)
		}
	}
}
