package arguments

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	fwhcl "github.com/frameworm/frameworm/hcl"
)

// This file parses the commands that read the state or edit trials in it:
// show, output, state, export, import, force-unlock, experiments and
// analyze. Those that load the search files take -var and -var-file like
// plan, so a search whose variables have no default can be read.

// Show is the arguments of `fwapply show`.
type Show struct {
	View
	Vars
	State
	JSON bool
	// Search is the search.NAME argument without "search."; "" for
	// every search.
	Search string
	// PlanFile is a plan file to show instead of the state.
	PlanFile string
	// Full lists every trial of a plan file.
	Full bool
	// Metrics are the metric columns of the text table, in order; empty
	// means every metric.
	Metrics  []string
	Watch    bool
	Interval time.Duration
	// WatchCount stops -watch after that many refreshes (0: until
	// interrupted); for tests and scripts.
	WatchCount int
	// Format is how the trials (or the plan) are written for people
	// (-format).
	Format Rendering
}

// ParseShow parses `fwapply show [flags] [search.NAME | PLANFILE]`.
func ParseShow(args []string) (*Show, hcl.Diagnostics) {
	a := &Show{}
	fs := newFlagSet("show", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "print the trials, or the plan of a PLANFILE, as JSON")
	fs.BoolVar(&a.Full, "full", false, "with a PLANFILE, list every planned trial")
	fs.Var(listValue{&a.Metrics}, "metrics", "show only these metric columns, in this order (comma-separated, repeatable)")
	fs.BoolVar(&a.Watch, "watch", false, "redraw a compact summary every -interval until interrupted, without the lock")
	fs.DurationVar(&a.Interval, "interval", 2*time.Second, "refresh -watch every `DUR`")
	fs.IntVar(&a.WatchCount, "watch-count", 0, "stop -watch after `N` refreshes (0: until interrupted)")
	registerFormat(fs, &a.Format, "the trials, or the plan of a PLANFILE,")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	if d := formatWithJSON(fs, a.JSON); d != nil {
		return a, hcl.Diagnostics{d}
	}
	if d := a.checkFlags(); d != nil {
		return a, hcl.Diagnostics{d}
	}
	rest := fs.Args()
	if len(rest) == 1 && !strings.HasPrefix(rest[0], "search.") {
		a.PlanFile = rest[0]
		return a, a.checkPlanFile()
	}
	a.Search, diags = optionalSearch("show", rest)
	if !diags.HasErrors() && a.Full {
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "-full without a plan file", Detail: "-full lists every trial of a plan file, like fwapply show -full PLANFILE; show lists every trial of the state already."}}
	}
	return a, diags
}

// checkFlags checks the flags of show that exclude each other.
func (a *Show) checkFlags() *hcl.Diagnostic {
	switch {
	case a.Watch && a.JSON:
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "-watch with -json", Detail: "-watch redraws a summary for people; poll show -json instead."}
	case a.Interval <= 0:
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -interval", Detail: "-interval must be positive, like -interval=2s."}
	case len(a.Metrics) > 0 && (a.JSON || a.Watch):
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "-metrics with -json or -watch", Detail: "-metrics picks the columns of the trial table; show -json prints every metric, and -watch only the best score."}
	case a.Format == RenderMarkdown && a.Watch:
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "-format=markdown with -watch", Detail: "-watch redraws a summary on a terminal; -format=markdown writes one summary for a pull-request comment: run show -format=markdown without -watch."}
	case a.Format == RenderMarkdown && len(a.Metrics) > 0:
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "-metrics with -format=markdown", Detail: "-metrics picks the columns of the text table; the markdown shows the search's metric only."}
	}
	return nil
}

// checkPlanFile checks the flags given with a plan file.
func (a *Show) checkPlanFile() hcl.Diagnostics {
	bad := func(flag, why string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Plan file with " + flag, Detail: why}}
	}
	switch {
	case len(a.Vars.Flags) > 0 || len(a.Vars.Files) > 0:
		return bad("-var", "A saved plan already holds its variables; run fwapply plan again to change them.")
	case a.Watch:
		return bad("-watch", "-watch follows the state while an apply runs; a plan file does not change.")
	case len(a.Metrics) > 0:
		return bad("-metrics", "-metrics picks the metric columns of the trial table; a plan has no metrics yet.")
	}
	return nil
}

// listValue collects a comma-separated, repeatable list without repeats.
type listValue struct{ list *[]string }

func (l listValue) String() string { return "" }

// Metavar names the value in help.
func (l listValue) Metavar() string { return "NAME,..." }
func (l listValue) Set(s string) error {
	n := 0
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		n++
		if !slices.Contains(*l.list, item) {
			*l.list = append(*l.list, item)
		}
	}
	if n == 0 {
		return fmt.Errorf("%q names no metric: write -metrics=NAME,NAME", s)
	}
	return nil
}

// Output is the arguments of `fwapply output`.
type Output struct {
	View
	Vars
	State
	JSON   bool
	Search string
	Name   string // best_config, best_params or best_score
}

// OutputNames are the outputs of a search.
var OutputNames = []string{"best_config", "best_params", "best_score"}

// ParseOutput parses `fwapply output [flags] search.NAME.OUTPUT`.
func ParseOutput(args []string) (*Output, hcl.Diagnostics) {
	a := &Output{}
	fs := newFlagSet("output", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "print the value as compact JSON")
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
	if !slices.Contains(OutputNames, a.Name) {
		return a, bad
	}
	return a, nil
}

// StateSubcommands are the subcommands of `fwapply state`.
var StateSubcommands = []string{"list", "show", "rm", "taint", "untaint", "repair", "pull", "push"}

// StateCmd is the arguments of `fwapply state SUBCOMMAND`.
type StateCmd struct {
	View
	Vars
	State
	Sub       string // list, show, rm, taint, untaint, repair, pull, push
	JSON      bool
	Purge     bool
	Addresses []string
	// File is the state file state push reads; "-" is stdin.
	File string
	// Force lets state push overwrite a state of another lineage or
	// with a higher serial.
	Force bool
}

// ParseState parses `fwapply state list|show|rm|taint|untaint [flags]
// [ADDRESS...]` and `fwapply state repair [flags]`.
func ParseState(args []string) (*StateCmd, hcl.Diagnostics) {
	a := &StateCmd{}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && isHelpFlag(args[0]) {
			return a, helpRequested()
		}
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing state subcommand", Detail: "Write fwapply state list, show, rm, taint, untaint, repair, pull or push."}}
	}
	a.Sub = args[0]
	if !slices.Contains(StateSubcommands, a.Sub) {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown state subcommand", Detail: fmt.Sprintf("%q is not a state subcommand; use list, show, rm, taint, untaint, repair, pull or push.", a.Sub)}}
	}
	switch a.Sub {
	case "repair":
		return parseStateRepair(a, args[1:])
	case "pull":
		return parseStatePull(a, args[1:])
	case "push":
		return parseStatePush(a, args[1:])
	}
	reads := a.Sub == "list" || a.Sub == "show"
	fs := newFlagSet("state "+a.Sub, &a.View)
	a.Vars.register(fs)
	a.State.register(fs, !reads)
	if reads {
		fs.BoolVar(&a.JSON, "json", false, "print the trials as JSON")
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

// parseStateRepair parses the flags of `fwapply state repair`: it reads no
// search files and takes no address.
func parseStateRepair(a *StateCmd, args []string) (*StateCmd, hcl.Diagnostics) {
	fs := newFlagSet("state repair", &a.View)
	a.State.register(fs, true)
	fs.BoolVar(&a.JSON, "json", false, "print what was found and done as JSON")
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("state repair", fs.Args())
	}
	return a, diags
}

// parseStatePull parses `fwapply state pull [-lock] [-lock-timeout=DUR]`:
// it reads no search files, and locks only when asked.
func parseStatePull(a *StateCmd, args []string) (*StateCmd, hcl.Diagnostics) {
	fs := newFlagSet("state pull", &a.View)
	a.State.register(fs, false)
	fs.BoolVar(&a.State.Lock, "lock", false, "hold the state lock while reading (the default reads without it)")
	a.State.registerLockTimeout(fs)
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("state pull", fs.Args())
	}
	return a, diags
}

// parseStatePush parses `fwapply state push [-force] [-lock-timeout=DUR]
// FILE`; FILE "-" is stdin. It always locks the state it writes.
func parseStatePush(a *StateCmd, args []string) (*StateCmd, hcl.Diagnostics) {
	fs := newFlagSet("state push", &a.View)
	a.State.register(fs, false)
	a.State.registerLockTimeout(fs)
	fs.BoolVar(&a.Force, "force", false, "overwrite a state of another lineage, or one with changes the file lacks")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	if fs.NArg() != 1 {
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing file",
			Detail: "fwapply state push takes one FILE argument: a state file, like one fwapply state pull wrote, or - for standard input."}}
	}
	a.File = fs.Arg(0)
	return a, nil
}

// Init is the arguments of `fwapply init`.
type Init struct {
	View
	State
	// MigrateState copies the local state file into the backend.
	MigrateState bool
	// ForceCopy lets -migrate-state overwrite a workspace that is not
	// empty.
	ForceCopy bool
}

// ParseInit parses `fwapply init [-migrate-state] [-force-copy]
// [-state=PATH] [-lock-timeout=DUR]`. -state names the local state file
// to migrate, so it does not conflict with a backend block here.
func ParseInit(args []string) (*Init, hcl.Diagnostics) {
	a := &Init{}
	fs := newFlagSet("init", &a.View)
	fs.BoolVar(&a.MigrateState, "migrate-state", false, "copy the local state file into the backend's workspace")
	fs.BoolVar(&a.ForceCopy, "force-copy", false, "with -migrate-state, overwrite a workspace that is not empty")
	a.State.register(fs, false)
	a.State.registerLockTimeout(fs)
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("init", fs.Args())
	}
	if !diags.HasErrors() && a.ForceCopy && !a.MigrateState {
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "-force-copy without -migrate-state",
			Detail: "-force-copy lets fwapply init -migrate-state overwrite a workspace that is not empty; give both."}}
	}
	return a, diags
}

// Transfer is the arguments of `fwapply export FILE` and `fwapply import FILE`.
type Transfer struct {
	View
	Vars
	State
	File    string
	Force   bool
	Targets []string
}

// ParseTransfer parses export and import.
func ParseTransfer(cmd string, args []string) (*Transfer, hcl.Diagnostics) {
	a := &Transfer{}
	fs := newFlagSet(cmd, &a.View)
	a.Vars.register(fs)
	a.State.register(fs, cmd == "import")
	if cmd == "import" {
		fs.BoolVar(&a.Force, "force", false, "import trials from a state of another lineage, with new numbers")
	} else {
		fs.Var(targetsValue{&a.Targets}, "target", "export only `search.NAME` (repeatable)")
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
	Vars
	State
	JSON   bool
	Tags   []string
	Status string
}

// ParseExperiments parses `fwapply experiments list [flags]`.
func ParseExperiments(args []string) (*Experiments, hcl.Diagnostics) {
	a := &Experiments{}
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && isHelpFlag(args[0]) {
			return a, helpRequested()
		}
		return a, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing experiments subcommand", Detail: "Write fwapply experiments list."}}
	}
	fs := newFlagSet("experiments list", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "print the experiments as a JSON array")
	fs.Var(appendValue{&a.Tags, "TAG"}, "tag", "only experiments with this tag (repeatable: all must match)")
	fs.StringVar(&a.Status, "status", "", "only experiments with `STATUS`: completed, pruned, failed, running or interrupted")
	diags := parse(fs, args[1:])
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("experiments list", fs.Args())
	}
	return a, diags
}

// Analyze is the arguments of `fwapply analyze`.
type Analyze struct {
	View
	Vars
	State
	JSON bool
	// Searches are the search.NAME arguments without "search.", in the
	// order given; none for every search. Two or more are also compared.
	Searches []string
	// Plots is the directory -plots writes every selected plot into.
	Plots string
	// Plot are the -plot kinds selected (PlotKinds), without repeats;
	// none selects every kind.
	Plot []string
	// Params are the -param paths: the params of the slice plots, and
	// the pair of the contour plot.
	Params []string
	// Output is -o: the file of the one plot selected.
	Output string
	// HTML is -html: the file of the HTML report.
	HTML string
	// Format is png or svg: -format, else the extension of -o, else png.
	Format string
	// YScale is auto, linear or log: the scale of every score axis.
	YScale string
	Top    int
}

// PlotKinds are the kinds of plot -plot selects.
var PlotKinds = []string{"convergence", "importance", "failure-importance", "slice", "progress", "parallel", "contour", "compare-trials", "compare-time"}

// YScales are the values of analyze -yscale.
var YScales = []string{"auto", "linear", "log"}

// ParseAnalyze parses `fwapply analyze [flags] [search.NAME...]`.
func ParseAnalyze(args []string) (*Analyze, hcl.Diagnostics) {
	a := &Analyze{}
	fs := newFlagSet("analyze", &a.View)
	a.Vars.register(fs)
	a.State.register(fs, false)
	fs.BoolVar(&a.JSON, "json", false, "print every number behind the text and the plots as JSON")
	fs.StringVar(&a.Plots, "plots", "", "write the plots into `DIR`")
	fs.Var(kindsValue{&a.Plot}, "plot", "draw only plots of this kind (repeatable, comma-separated; default every kind): "+strings.Join(PlotKinds, ", "))
	fs.Var(appendValue{&a.Params, "PATH"}, "param", "the params of slice plots and the pair of a contour plot (repeatable)")
	fs.StringVar(&a.Output, "o", "", "write the one plot selected to `FILE` (.png or .svg)")
	fs.StringVar(&a.HTML, "html", "", "write a self-contained HTML report to `FILE`")
	fs.StringVar(&a.Format, "format", "", "draw the plots as `png|svg` files (default: the extension of -o, else png)")
	fs.StringVar(&a.YScale, "yscale", "auto", "the scale of every score axis, `auto|linear|log` (auto: log when the scores call for it)")
	fs.IntVar(&a.Top, "top", 5, "list the `N` best trials")
	diags := parse(fs, interspersed(fs, args))
	if diags.HasErrors() {
		return a, diags
	}
	if d := a.check(); d != nil {
		return a, hcl.Diagnostics{d}
	}
	a.Searches, diags = searchList(fs.Args())
	if !diags.HasErrors() && len(a.Searches) < 2 && (slices.Contains(a.Plot, "compare-trials") || slices.Contains(a.Plot, "compare-time")) {
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Nothing to compare",
			Detail: "The compare-trials and compare-time plots compare two or more searches: name them, like fwapply analyze search.grid search.random."}}
	}
	return a, diags
}

// check checks analyze's flags and fills in the format.
func (a *Analyze) check() *hcl.Diagnostic {
	bad := func(summary, detail string, args ...any) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(detail, args...)}
	}
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(a.Output)), ".")
	switch {
	case a.Format != "" && a.Format != "png" && a.Format != "svg":
		return bad("Invalid -format", "-format is png or svg, got %q.", a.Format)
	case a.Top < 1:
		return bad("Invalid -top", "-top is a positive number of trials.")
	case !slices.Contains(YScales, a.YScale):
		return bad("Invalid -yscale", "-yscale is auto, linear or log, got %q.", a.YScale)
	case a.Output != "" && a.Plots != "":
		return bad("-o with -plots", "-o names the file of one plot and -plots a directory for every plot selected; give one of them.")
	case a.Output != "" && (ext == "png" || ext == "svg") && a.Format != "" && a.Format != ext:
		return bad("-format differs from -o", "-o %s names a %s file but -format is %s; drop -format, or name the file .%s.", a.Output, ext, a.Format, a.Format)
	case a.Output != "" && ext != "png" && ext != "svg" && a.Format == "":
		return bad("Unknown plot format", "-o %s does not end in .png or .svg: name the file so, or give -format=png or -format=svg.", a.Output)
	case (len(a.Plot) > 0 || len(a.Params) > 0) && a.Plots == "" && a.Output == "" && a.HTML == "":
		return bad("Nowhere to draw", "-plot and -param select plots; say where they go with -plots=DIR, -o=FILE or -html=FILE.")
	}
	if a.Format == "" {
		a.Format = "png"
		if ext == "png" || ext == "svg" {
			a.Format = ext
		}
	}
	kind := func(k string) bool { return len(a.Plot) == 0 || slices.Contains(a.Plot, k) }
	switch {
	case len(a.Params) > 0 && !kind("slice") && !kind("contour"):
		return bad("-param without slice or contour", "-param picks the params of slice plots and the pair of a contour plot, and -plot selects neither: add -plot=slice or -plot=contour.")
	case len(a.Params) > 2 && !kind("slice"):
		return bad("Too many -param for a contour", "A contour plot draws a pair of params, and -param names %d; give two (or add -plot=slice for the others).", len(a.Params))
	}
	for i, p := range a.Params {
		if strings.TrimSpace(p) == "" {
			return bad("Invalid -param", "-param names a param path, like -param=training.lr.")
		}
		if slices.Contains(a.Params[:i], p) {
			return bad("Repeated -param", "-param=%s is given twice.", p)
		}
	}
	return nil
}

// kindsValue collects -plot kinds: repeatable, comma-separated, known
// kinds only, without repeats.
type kindsValue struct{ list *[]string }

func (k kindsValue) String() string { return "" }

// Metavar names the value in help.
func (k kindsValue) Metavar() string { return "KIND" }
func (k kindsValue) Set(s string) error {
	for _, kind := range strings.Split(s, ",") {
		kind = strings.TrimSpace(kind)
		if !slices.Contains(PlotKinds, kind) {
			return fmt.Errorf("unknown plot kind %q.%s The kinds are %s", kind, fwhcl.Suggest(kind, slices.Clone(PlotKinds)), strings.Join(PlotKinds, ", "))
		}
		if !slices.Contains(*k.list, kind) {
			*k.list = append(*k.list, kind)
		}
	}
	return nil
}

// searchList parses analyze's search.NAME arguments.
func searchList(rest []string) ([]string, hcl.Diagnostics) {
	var names []string
	for _, r := range rest {
		name, ok := strings.CutPrefix(r, "search.")
		if !ok || name == "" || strings.ContainsAny(name, ".[]") {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address", Detail: fmt.Sprintf("%q is not a search address; write search.NAME.", r)}}
		}
		if slices.Contains(names, name) {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Repeated search", Detail: fmt.Sprintf("search.%s is given twice.", name)}}
		}
		names = append(names, name)
	}
	return names, nil
}

// optionalSearch parses the optional search.NAME argument of show and
// analyze; "" means every search.
func optionalSearch(cmd string, rest []string) (string, hcl.Diagnostics) {
	switch len(rest) {
	case 0:
		return "", nil
	case 1:
		name, ok := strings.CutPrefix(rest[0], "search.")
		if !ok || name == "" || strings.ContainsAny(name, ".[]") {
			return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address", Detail: fmt.Sprintf("%q is not a search address; write search.NAME.", rest[0])}}
		}
		return name, nil
	}
	what := "search.NAME"
	if cmd == "show" {
		what = "search.NAME or plan file"
	}
	return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unexpected argument",
		Detail: fmt.Sprintf("fwapply %s takes at most one %s, got %q.", cmd, what, strings.Join(rest, " "))}}
}
