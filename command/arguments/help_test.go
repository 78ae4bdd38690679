package arguments

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

func TestFormatFlags(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var v Vars
	var s State
	var targets []string
	var b bool
	var n int
	var d time.Duration
	var str string
	v.register(fs)
	s.register(fs, true)
	fs.BoolVar(&b, "json", false, "print JSON")
	fs.IntVar(&n, "top", 5, "list the `N` best")
	fs.IntVar(&n, "count", 0, "how many")
	fs.DurationVar(&d, "every", 0, "how often")
	fs.StringVar(&str, "name", "", "a name")
	fs.Var(targetsValue{&targets}, "target", "only this search")
	want := `  -count=N             how many
  -every=DUR           how often
  -json                print JSON
  -name=VALUE          a name
  -target=search.NAME  only this search
  -top=N               list the N best (default 5)
  -var 'NAME=VALUE'    set a variable (repeatable; wins over -var-file)
  -var-file=FILE       set variables from an HCL file, or JSON when it ends in .json (repeatable)
  -state=PATH          use the state file at PATH (default frameworm.fwstate)
  -lock=false          do not lock the state (only when no other command can change it)
  -lock-timeout=DUR    wait up to DUR for a locked state
`
	if d := cmp.Diff(want, FormatFlags(fs)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestFlagSets(t *testing.T) {
	for _, name := range append(Commands(), "") {
		fs, ok := FlagSet(name)
		switch {
		case !ok:
			t.Errorf("FlagSet(%q) has no flag set", name)
		case name == "":
			if fs.Lookup("chdir") == nil || fs.Lookup("help") == nil {
				t.Errorf("global flags lack -chdir or -help")
			}
		case fs.Name() != name:
			t.Errorf("FlagSet(%q) is named %q; help is looked up by that name", name, fs.Name())
		case fs.Lookup("no-color") == nil || fs.Lookup("state") == nil:
			t.Errorf("%s lacks -no-color or -state, which every command takes", name)
		}
	}
	if _, ok := FlagSet("nope"); ok {
		t.Error("FlagSet of an unknown command")
	}
	// Every command that loads the search files takes the variables.
	for _, name := range []string{"plan", "apply", "validate", "show", "output", "analyze", "experiments list", "export", "import",
		"state list", "state show", "state rm", "state taint", "state untaint"} {
		fs, _ := FlagSet(name)
		if fs.Lookup("var") == nil || fs.Lookup("var-file") == nil {
			t.Errorf("%s does not take -var and -var-file", name)
		}
	}
}

func TestHelpFor(t *testing.T) {
	tests := []struct {
		diags hcl.Diagnostics
		want  string
	}{
		{second(ParseState([]string{"list", "-h"})), "state list"},
		{second(ParseExperiments([]string{"list", "-help"})), "experiments list"},
		{second(ParseState([]string{"-h"})), ""},
		{second(ParseShow([]string{"-json"})), ""},
	}
	for _, tt := range tests {
		if got := HelpFor(tt.diags); got != tt.want {
			t.Errorf("HelpFor(%v) = %q, want %q", tt.diags, got, tt.want)
		}
	}
	if !IsHelp(second(ParseState([]string{"-h"}))) || !IsHelp(second(ParseShow([]string{"-help"}))) {
		t.Error("help not detected")
	}
}

func second[T any](_ T, d hcl.Diagnostics) hcl.Diagnostics { return d }

func TestParseShow(t *testing.T) {
	def := func(s Show) *Show {
		s.State.Path, s.State.Lock, s.Interval = DefaultStatePath, true, 2*time.Second
		return &s
	}
	tests := []struct {
		args    []string
		want    *Show
		wantErr string
	}{
		{nil, def(Show{}), ""},
		{[]string{"search.a", "-json"}, def(Show{Search: "a", JSON: true}), ""},
		{[]string{"-var", "epochs=3", "-var-file=v.hcl", "search.a"}, def(Show{Search: "a", Vars: Vars{Flags: []string{"epochs=3"}, Files: []string{"v.hcl"}}}), ""},
		{[]string{"p.fwplan", "-json"}, def(Show{PlanFile: "p.fwplan", JSON: true}), ""},
		{[]string{"-full", "plans/p"}, def(Show{PlanFile: "plans/p", Full: true}), ""},
		{[]string{"-metrics=val_acc, train_loss", "-metrics", "loss,val_acc"}, def(Show{Metrics: []string{"val_acc", "train_loss", "loss"}}), ""},
		{[]string{"-metrics=,"}, nil, "Failed to parse command-line flags"},
		{[]string{"-metrics=a", "-json"}, nil, "-metrics with -json or -watch"},
		{[]string{"-watch", "-json"}, nil, "-watch with -json"},
		{[]string{"-interval=0s"}, nil, "Invalid -interval"},
		{[]string{"p.fwplan", "-var", "a=1"}, nil, "Plan file with -var"},
		{[]string{"p.fwplan", "-watch"}, nil, "Plan file with -watch"},
		{[]string{"p.fwplan", "-metrics=a"}, nil, "Plan file with -metrics"},
		{[]string{"-full"}, nil, "-full without a plan file"},
		{[]string{"search."}, nil, "Invalid address"},
		{[]string{"search.a[1]"}, nil, "Invalid address"},
		{[]string{"search.a", "search.b"}, nil, "Unexpected argument"},
	}
	for _, tt := range tests {
		got, diags := ParseShow(tt.args)
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
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, d)
		}
	}
}

func TestReadCommandsTakeVars(t *testing.T) {
	vars := Vars{Flags: []string{"epochs=3"}, Files: []string{"v.json"}}
	args := []string{"-var", "epochs=3", "-var-file", "v.json"}
	check := func(name string, got Vars, diags hcl.Diagnostics) {
		t.Helper()
		if diags.HasErrors() {
			t.Errorf("%s: %v", name, diags)
		} else if !cmp.Equal(vars, got) {
			t.Errorf("%s: vars %+v, want %+v", name, got, vars)
		}
	}
	for _, sub := range StateSubcommands {
		if sub == "repair" || sub == "pull" || sub == "push" {
			continue // they read no search files: see TestParseStateRepair, TestParseStatePullPush
		}
		a, diags := ParseState(append(append([]string{sub}, args...), "search.s"))
		check("state "+sub, a.Vars, diags)
	}
	o, diags := ParseOutput(append(args, "search.s.best_config"))
	check("output", o.Vars, diags)
	an, diags := ParseAnalyze(append(args, "search.s"))
	check("analyze", an.Vars, diags)
	e, diags := ParseExperiments(append([]string{"list"}, args...))
	check("experiments list", e.Vars, diags)
	for _, cmd := range []string{"export", "import"} {
		tr, diags := ParseTransfer(cmd, append(args, "f.json"))
		check(cmd, tr.Vars, diags)
	}
}

func TestHelpFlagNames(t *testing.T) {
	// An unknown flag's error names the command to ask for help.
	_, diags := ParseState([]string{"show", "-bogus", "search.s"})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, `Run "fwapply state show -help"`) {
		t.Errorf("diags %v", diags)
	}
}
