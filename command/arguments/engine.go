package arguments

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/state"
)

// DefaultStatePath is the state file of a working directory.
const DefaultStatePath = "frameworm.fwstate"

// State holds the flags of every command that reads or writes the state.
type State struct {
	Path string
	// PathSet is true when -state was given: together with a backend
	// block in the search files, that is a conflict the command reports.
	PathSet     bool
	Lock        bool
	LockTimeout time.Duration
}

func (s *State) register(fs *flag.FlagSet, locks bool) {
	s.Path = DefaultStatePath
	fs.Var(statePathValue{s}, "state", "use the state file at `PATH`")
	s.Lock = true
	if locks {
		fs.BoolVar(&s.Lock, "lock", true, "do not lock the state (only when no other command can change it)")
		s.registerLockTimeout(fs)
	}
}

func (s *State) registerLockTimeout(fs *flag.FlagSet) {
	fs.Var(lockTimeoutValue{&s.LockTimeout}, "lock-timeout", "wait up to `DUR` for a locked state")
}

// statePathValue parses -state and records that it was given.
type statePathValue struct{ s *State }

func (v statePathValue) String() string {
	if v.s == nil {
		return ""
	}
	return v.s.Path
}

func (v statePathValue) Set(p string) error {
	v.s.Path, v.s.PathSet = p, true
	return nil
}

// lockTimeoutValue parses -lock-timeout: a duration, at least 0.
type lockTimeoutValue struct{ d *time.Duration }

func (v lockTimeoutValue) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

func (v lockTimeoutValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write a number and a unit, like -lock-timeout=30s", s)
	}
	if d < 0 {
		return errors.New("must be ≥ 0, the time to wait for a locked state, like -lock-timeout=30s (0s tries once)")
	}
	*v.d = d
	return nil
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

// Rerun holds the flags that plan trials again which the retry policy
// would leave alone; plan and apply share them.
type Rerun struct {
	// Replace names trials to run again whatever their status.
	Replace []state.TrialRef
	// RetryFailed runs again every trial that failed its attempts.
	RetryFailed bool
}

func (r *Rerun) register(fs *flag.FlagSet) {
	fs.Var(replaceValue{&r.Replace}, "replace", "run trial `search.NAME[N]` again whatever its status (repeatable)")
	fs.BoolVar(&r.RetryFailed, "retry-failed", false, "run again every trial that failed all its attempts")
}

// set reports whether any of the flags was given.
func (r *Rerun) set() bool { return len(r.Replace) > 0 || r.RetryFailed }

// replaceValue parses -replace=search.NAME[N].
type replaceValue struct{ list *[]state.TrialRef }

func (r replaceValue) String() string { return "" }
func (r replaceValue) Set(s string) error {
	bad := fmt.Errorf("write -replace=search.NAME[N] to name one trial, like -replace=search.coarse[3]")
	rest, ok := strings.CutPrefix(s, "search.")
	open := strings.IndexByte(rest, '[')
	if !ok || open <= 0 || !strings.HasSuffix(rest, "]") || strings.ContainsAny(rest[:open], ".[]") {
		return bad
	}
	digits := rest[open+1 : len(rest)-1]
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || strings.TrimLeft(digits, "0123456789") != "" {
		return bad
	}
	*r.list = append(*r.list, state.TrialRef{Search: rest[:open], Number: n})
	return nil
}

// ExecutorLocal is the one value -executor takes: run every trial in the
// local process pool, whatever executor the searches name.
const ExecutorLocal = "local"

// executorValue parses -executor: "local" for now.
type executorValue struct{ s *string }

func (v executorValue) String() string {
	if v.s == nil {
		return ""
	}
	return *v.s
}

func (v executorValue) Set(s string) error {
	if s != ExecutorLocal {
		return fmt.Errorf("the only value is %q, which runs every trial in the local process pool instead of on the executor its search names; without the flag, trials run where their searches say", ExecutorLocal)
	}
	*v.s = s
	return nil
}

// Metavar names the value in help.
func (v executorValue) Metavar() string { return ExecutorLocal }

func registerExecutor(fs *flag.FlagSet, dst *string) {
	fs.Var(executorValue{dst}, "executor", "run every trial in the local process pool, overriding the searches' executor blocks (for a quick try)")
}

// Rendering is the -format of plan and show: how they write for people.
// Its zero value is RenderText.
type Rendering int

// The values of -format.
const (
	// RenderText is the text for a terminal (the default).
	RenderText Rendering = iota
	// RenderMarkdown is GitHub-flavoured markdown for a pull-request
	// comment: compact, without colour.
	RenderMarkdown
)

// renderings are the -format values, by Rendering.
var renderings = []string{"text", "markdown"}

// String returns the -format value of r.
func (r Rendering) String() string {
	if int(r) < len(renderings) && r >= 0 {
		return renderings[r]
	}
	return fmt.Sprintf("Rendering(%d)", int(r))
}

// renderingValue parses -format=text|markdown.
type renderingValue struct{ r *Rendering }

func (v renderingValue) String() string {
	if v.r == nil {
		return RenderText.String()
	}
	return v.r.String()
}

func (v renderingValue) Set(s string) error {
	i := slices.Index(renderings, s)
	if i < 0 {
		return fmt.Errorf("%q is not a format: write -format=text (the default) or -format=markdown (for a pull-request comment)", s)
	}
	*v.r = Rendering(i)
	return nil
}

// Metavar names the value in help.
func (v renderingValue) Metavar() string { return "text|markdown" }

// registerFormat registers -format on fs.
func registerFormat(fs *flag.FlagSet, r *Rendering, what string) {
	fs.Var(renderingValue{r}, "format", "write "+what+" as text, or as markdown for a pull-request comment")
}

// formatWithJSON is the error of -format together with -json, nil when
// not both were given.
func formatWithJSON(fs *flag.FlagSet, jsonSet bool) *hcl.Diagnostic {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "format" })
	if !given || !jsonSet {
		return nil
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "-format with -json",
		Detail: "-json prints the JSON document for programs; -format picks how the output for people is written. Give one of them."}
}

// Plan is the arguments of `fwapply plan`.
type Plan struct {
	View
	Vars
	State
	Rerun
	// Executor is "" (trials run where their searches say) or
	// ExecutorLocal.
	Executor         string
	Out              string
	JSON             bool
	DetailedExitCode bool
	Full             bool
	Targets          []string
	// Format is how the plan is written for people (-format).
	Format Rendering
}

// ParsePlan parses `fwapply plan [flags]`.
func ParsePlan(args []string) (*Plan, hcl.Diagnostics) {
	a := &Plan{}
	fs := newFlagSet("plan", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, true)
	fs.StringVar(&a.Out, "out", "", "save the plan to `FILE`; fwapply apply FILE runs exactly it")
	fs.BoolVar(&a.JSON, "json", false, "print the plan as JSON")
	registerFormat(fs, &a.Format, "the plan")
	fs.BoolVar(&a.DetailedExitCode, "detailed-exitcode", false, "exit 0 with nothing to do, 2 with trials to run, 1 on error")
	fs.BoolVar(&a.Full, "full", false, "list every planned trial (the default shows 10 per list)")
	fs.Var(targetsValue{&a.Targets}, "target", "plan only `search.NAME` (repeatable)")
	a.Rerun.register(fs)
	registerExecutor(fs, &a.Executor)
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("plan", fs.Args())
	}
	if d := formatWithJSON(fs, a.JSON); d != nil && !diags.HasErrors() {
		diags = hcl.Diagnostics{d}
	}
	return a, diags
}

// Apply is the arguments of `fwapply apply`.
type Apply struct {
	View
	Vars
	State
	Rerun
	PlanFile string
	// Executor is "" (trials run where their searches say) or
	// ExecutorLocal.
	Executor    string
	AutoApprove bool
	Parallelism int
	MaxFailures int
	// MaxIdenticalFailures stops a search whose first N trials in this
	// apply all fail the same way; 0 means never.
	MaxIdenticalFailures int
	// StderrLines is how many trailing lines of a failed trial's stderr
	// the progress output shows; 0 shows none.
	StderrLines int
	JSON        bool
	Full        bool
	AllowStale  bool
	Targets     []string
}

// The defaults of apply's failure flags.
const (
	DefaultMaxIdenticalFailures = 3
	DefaultStderrLines          = 10
)

// ParseApply parses `fwapply apply [PLANFILE] [flags]`.
func ParseApply(args []string) (*Apply, hcl.Diagnostics) {
	a := &Apply{}
	fs := newFlagSet("apply", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, true)
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "run without asking for confirmation")
	fs.IntVar(&a.Parallelism, "parallelism", 0, "trials run at once in each search (-1: one per CPU); overrides the search's parallelism")
	fs.IntVar(&a.MaxFailures, "max-failures", 0, "stop a search after `N` failed trials in this apply (0: no limit)")
	fs.IntVar(&a.MaxIdenticalFailures, "max-identical-failures", DefaultMaxIdenticalFailures,
		"stop a search when its first `N` trials in this apply all fail the same way (0: never)")
	fs.IntVar(&a.StderrLines, "stderr-lines", DefaultStderrLines, "show the last `N` lines (at most 100) of a failed trial's stderr (0: none)")
	a.Rerun.register(fs)
	fs.BoolVar(&a.JSON, "json", false, "stream events as JSON lines (needs -auto-approve or a plan file)")
	fs.BoolVar(&a.Full, "full", false, "list every planned trial")
	fs.BoolVar(&a.AllowStale, "allow-stale", false, "run go_build programs whose generated code is stale")
	fs.Var(targetsValue{&a.Targets}, "target", "apply only search.NAME (repeatable)")
	registerExecutor(fs, &a.Executor)
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
	if a.MaxIdenticalFailures < 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -max-identical-failures", Detail: "-max-identical-failures is a number of trials, or 0 to never stop for identical failures."})
	}
	if a.StderrLines < 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -stderr-lines", Detail: "-stderr-lines is a number of lines, or 0 to show none."})
	}
	if a.PlanFile != "" && (len(a.Vars.Flags) > 0 || len(a.Vars.Files) > 0 || len(a.Targets) > 0 || a.Rerun.set()) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan file with -var, -target, -replace or -retry-failed",
			Detail: "A saved plan already holds its variables, targets and the trials it runs again; run fwapply plan again with these flags (and -out) to change them."})
	}
	if a.PlanFile != "" && a.Executor != "" {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan file with -executor",
			Detail: "A saved plan already says where its trials run; run fwapply plan -executor=local -out=FILE to save a plan that runs them in the local process pool."})
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
