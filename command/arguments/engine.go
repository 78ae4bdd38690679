package arguments

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// DefaultStatePath is the state file of a working directory.
const DefaultStatePath = "frameworm.fwstate"

// State holds the flags of every command that reads or writes the state.
type State struct {
	Path        string
	Lock        bool
	LockTimeout time.Duration
}

func (s *State) register(fs *flag.FlagSet, locks bool) {
	fs.StringVar(&s.Path, "state", DefaultStatePath, "path of the state file")
	s.Lock = true
	if locks {
		fs.BoolVar(&s.Lock, "lock", true, "lock the state while the command runs")
		fs.DurationVar(&s.LockTimeout, "lock-timeout", 0, "how long to wait for a locked state")
	}
}

type targetsValue struct{ list *[]string }

func (t targetsValue) String() string { return "" }
func (t targetsValue) Set(s string) error {
	name, ok := strings.CutPrefix(s, "search.")
	if !ok || name == "" || strings.ContainsAny(name, ".[]") {
		return fmt.Errorf("invalid target %q: write -target=search.NAME", s)
	}
	*t.list = append(*t.list, name)
	return nil
}

// Plan is the arguments of `fwapply plan`.
type Plan struct {
	View
	Vars
	State
	Out              string
	JSON             bool
	DetailedExitCode bool
	Full             bool
	Targets          []string
}

// ParsePlan parses `fwapply plan [flags]`.
func ParsePlan(args []string) (*Plan, hcl.Diagnostics) {
	a := &Plan{}
	fs := newFlagSet("plan", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, true)
	fs.StringVar(&a.Out, "out", "", "save the plan to FILE for fwapply apply FILE")
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output")
	fs.BoolVar(&a.DetailedExitCode, "detailed-exitcode", false, "exit 0 with nothing to do, 2 with trials to run, 1 on error")
	fs.BoolVar(&a.Full, "full", false, "list every planned trial")
	fs.Var(targetsValue{&a.Targets}, "target", "plan only search.NAME (repeatable)")
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("plan", fs.Args())
	}
	return a, diags
}

// Apply is the arguments of `fwapply apply`.
type Apply struct {
	View
	Vars
	State
	PlanFile    string
	AutoApprove bool
	Parallelism int
	MaxFailures int
	JSON        bool
	Full        bool
	AllowStale  bool
	Targets     []string
}

// ParseApply parses `fwapply apply [PLANFILE] [flags]`.
func ParseApply(args []string) (*Apply, hcl.Diagnostics) {
	a := &Apply{}
	fs := newFlagSet("apply", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, true)
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "run without asking for confirmation")
	fs.IntVar(&a.Parallelism, "parallelism", 0, "trials run at once in each search (-1: one per CPU); overrides the search's parallelism")
	fs.IntVar(&a.MaxFailures, "max-failures", 0, "stop a search after N failed trials in this apply (0: no limit)")
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output at the end; implies -auto-approve is required")
	fs.BoolVar(&a.Full, "full", false, "list every planned trial")
	fs.BoolVar(&a.AllowStale, "allow-stale", false, "run go_build programs whose generated code is stale")
	fs.Var(targetsValue{&a.Targets}, "target", "apply only search.NAME (repeatable)")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	switch rest := fs.Args(); {
	case len(rest) == 1:
		a.PlanFile = rest[0]
	case len(rest) > 1:
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unexpected argument", Detail: fmt.Sprintf("fwapply apply takes at most one plan file, got %q.", strings.Join(rest, " "))}}
	}
	if a.Parallelism < -1 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -parallelism", Detail: "-parallelism is a positive number of trials, or -1 for one per CPU."})
	}
	if a.MaxFailures < 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -max-failures", Detail: "-max-failures is a number of failed trials, or 0 for no limit."})
	}
	if a.PlanFile != "" && (len(a.Vars.Flags) > 0 || len(a.Vars.Files) > 0 || len(a.Targets) > 0) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan file with -var or -target", Detail: "A saved plan already holds its variables and targets; run fwapply plan again to change them."})
	}
	return a, diags
}

// interspersed moves flags after a positional argument to the front, so
// `apply plan.out -auto-approve` works like `apply -auto-approve plan.out`.
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil {
				if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
					continue
				}
				if i+1 < len(args) {
					i++
					flags = append(flags, args[i])
				}
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(append(flags, "--"), pos...)
}

// Show is the arguments of `fwapply show`.
type Show struct {
	View
	State
	JSON     bool
	Search   string
	Watch    bool
	Interval time.Duration
	// WatchCount stops -watch after that many refreshes (0: until
	// interrupted); for tests and scripts.
	WatchCount int
}

// ParseShow parses `fwapply show [-json] [search.NAME]`.
func ParseShow(args []string) (*Show, hcl.Diagnostics) {
	a := &Show{}
	fs := newFlagSet("show", &a.View)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output")
	fs.BoolVar(&a.Watch, "watch", false, "refresh a compact summary until interrupted")
	fs.DurationVar(&a.Interval, "interval", 2*time.Second, "refresh interval of -watch")
	fs.IntVar(&a.WatchCount, "watch-count", 0, "stop -watch after N refreshes")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	if a.Watch && a.JSON {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "-watch with -json", Detail: "-watch redraws a summary for people; poll show -json instead."}}
	}
	if a.Interval <= 0 {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid -interval", Detail: "-interval must be positive, like -interval=2s."}}
	}
	a.Search, diags = optionalSearch("show", fs.Args())
	return a, diags
}

// Output is the arguments of `fwapply output`.
type Output struct {
	View
	State
	JSON   bool
	Search string
	Name   string // best_config, best_params or best_score
}

// OutputNames are the outputs of a search.
var OutputNames = []string{"best_config", "best_params", "best_score"}

// ParseOutput parses `fwapply output [-json] search.NAME.OUTPUT`.
func ParseOutput(args []string) (*Output, hcl.Diagnostics) {
	a := &Output{}
	fs := newFlagSet("output", &a.View)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "print the value as JSON")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	rest := fs.Args()
	bad := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid output address",
		Detail: fmt.Sprintf("fwapply output takes one address like search.NAME.best_config; the outputs are %s.", strings.Join(OutputNames, ", "))}}
	if len(rest) != 1 {
		return a, bad
	}
	addr, ok := strings.CutPrefix(rest[0], "search.")
	i := strings.LastIndex(addr, ".")
	if !ok || i <= 0 {
		return a, bad
	}
	a.Search, a.Name = addr[:i], addr[i+1:]
	for _, n := range OutputNames {
		if n == a.Name {
			return a, nil
		}
	}
	return a, bad
}

// StateCmd is the arguments of `fwapply state SUBCOMMAND`.
type StateCmd struct {
	View
	State
	Sub       string // list, show, rm, taint, untaint
	JSON      bool
	Purge     bool
	Addresses []string
}

// ParseState parses `fwapply state list|show|rm|taint|untaint [flags] [ADDRESS...]`.
func ParseState(args []string) (*StateCmd, hcl.Diagnostics) {
	a := &StateCmd{}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "help requested", Extra: flag.ErrHelp}}
		}
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing state subcommand", Detail: "Write fwapply state list, show, rm, taint or untaint."}}
	}
	a.Sub = args[0]
	switch a.Sub {
	case "list", "show", "rm", "taint", "untaint":
	default:
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown state subcommand", Detail: fmt.Sprintf("%q is not a state subcommand; use list, show, rm, taint or untaint.", a.Sub)}}
	}
	fs := newFlagSet("state "+a.Sub, &a.View)
	a.State.register(fs, a.Sub != "list" && a.Sub != "show")
	if a.Sub == "list" || a.Sub == "show" {
		fs.BoolVar(&a.JSON, "json", false, "machine-readable output")
	}
	if a.Sub == "rm" {
		fs.BoolVar(&a.Purge, "purge", false, "also delete the trial directories")
	}
	diags := parse(fs, interspersed(fs, args[1:]))
	a.Addresses = fs.Args()
	if !diags.HasErrors() && a.Sub != "list" && len(a.Addresses) == 0 {
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing address", Detail: fmt.Sprintf("fwapply state %s needs at least one address, like search.NAME[3] or search.NAME.", a.Sub)}}
	}
	return a, diags
}

// Transfer is the arguments of `fwapply export FILE` and `fwapply import FILE`.
type Transfer struct {
	View
	State
	File    string
	Force   bool
	Targets []string
}

// ParseTransfer parses export and import.
func ParseTransfer(cmd string, args []string) (*Transfer, hcl.Diagnostics) {
	a := &Transfer{}
	fs := newFlagSet(cmd, &a.View)
	a.State.register(fs, cmd == "import")
	if cmd == "import" {
		fs.BoolVar(&a.Force, "force", false, "import trials from a state of another lineage")
	} else {
		fs.Var(targetsValue{&a.Targets}, "target", "export only search.NAME (repeatable)")
	}
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	if fs.NArg() != 1 {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing file", Detail: fmt.Sprintf("fwapply %s takes one FILE argument.", cmd)}}
	}
	a.File = fs.Arg(0)
	return a, nil
}

// ForceUnlock is the arguments of `fwapply force-unlock`.
type ForceUnlock struct {
	View
	State
	Force bool
}

// ParseForceUnlock parses `fwapply force-unlock [-force]`.
func ParseForceUnlock(args []string) (*ForceUnlock, hcl.Diagnostics) {
	a := &ForceUnlock{}
	fs := newFlagSet("force-unlock", &a.View)
	a.State.register(fs, false)
	fs.BoolVar(&a.Force, "force", false, "do not ask for confirmation")
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("force-unlock", fs.Args())
	}
	return a, diags
}

// Experiments is the arguments of `fwapply experiments list`.
type Experiments struct {
	View
	State
	JSON   bool
	Tags   []string
	Status string
}

// ParseExperiments parses `fwapply experiments list [-tag=T ...] [-status=S] [-json]`.
func ParseExperiments(args []string) (*Experiments, hcl.Diagnostics) {
	a := &Experiments{}
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "help requested", Extra: flag.ErrHelp}}
		}
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing experiments subcommand", Detail: "Write fwapply experiments list."}}
	}
	fs := newFlagSet("experiments list", &a.View)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output")
	fs.Var(appendValue{&a.Tags}, "tag", "only experiments with this tag (repeatable: all must match)")
	fs.StringVar(&a.Status, "status", "", "only experiments with this status")
	diags := parse(fs, args[1:])
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("experiments list", fs.Args())
	}
	return a, diags
}

// Analyze is the arguments of `fwapply analyze`.
type Analyze struct {
	View
	State
	JSON   bool
	Search string
	Plots  string
	Format string
	Top    int
}

// ParseAnalyze parses `fwapply analyze [search.NAME] [-json] [-plots=DIR] [-format=png|svg] [-top=N]`.
func ParseAnalyze(args []string) (*Analyze, hcl.Diagnostics) {
	a := &Analyze{}
	fs := newFlagSet("analyze", &a.View)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output: every number behind the plots")
	fs.StringVar(&a.Plots, "plots", "", "write plots into DIR")
	fs.StringVar(&a.Format, "format", "png", "plot format: png or svg")
	fs.IntVar(&a.Top, "top", 5, "how many best trials to list")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	if a.Format != "png" && a.Format != "svg" {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid -format", Detail: fmt.Sprintf("-format is png or svg, got %q.", a.Format)}}
	}
	if a.Top < 1 {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid -top", Detail: "-top is a positive number of trials."}}
	}
	a.Search, diags = optionalSearch("analyze", fs.Args())
	return a, diags
}

// optionalSearch parses the optional search.NAME argument of show and
// analyze; "" means every search.
func optionalSearch(cmd string, rest []string) (string, hcl.Diagnostics) {
	switch len(rest) {
	case 0:
		return "", nil
	case 1:
		name, ok := strings.CutPrefix(rest[0], "search.")
		if !ok || name == "" {
			return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address", Detail: fmt.Sprintf("%q is not a search address; write search.NAME.", rest[0])}}
		}
		return name, nil
	}
	return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unexpected argument",
		Detail: fmt.Sprintf("fwapply %s takes at most one search.NAME, got %q.", cmd, strings.Join(rest, " "))}}
}
