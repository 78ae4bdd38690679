// Package arguments parses the command-line arguments of each fwapply
// command into a typed struct, apart from running the command and from
// rendering its results.
//
// Contract: a Parse function never prints and never exits. It returns the
// parsed arguments and hcl.Diagnostics (without source ranges) for every
// problem; the caller renders them and picks the exit status.
package arguments

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ErrHelp is what a help request wraps: the Extra of the diagnostic a
// Parse function returns for -h or -help is a *HelpRequest, or ErrHelp
// itself for a command asked about without its subcommand.
var ErrHelp = flag.ErrHelp

// HelpRequest is the Extra of the diagnostic a Parse function returns for
// -h or -help. It carries the flags of the command asked about, so that
// help lists exactly the flags the command accepts.
type HelpRequest struct {
	Flags *flag.FlagSet
}

// Error says that help was requested.
func (h *HelpRequest) Error() string { return flag.ErrHelp.Error() }

// Unwrap returns ErrHelp.
func (h *HelpRequest) Unwrap() error { return flag.ErrHelp }

// View holds the flags every command takes for its output.
type View struct {
	NoColor bool
}

// Vars holds -var and -var-file, each in command-line order.
type Vars struct {
	Flags []string
	Files []string
}

// appendValue collects a repeatable flag; metavar names its value in help.
type appendValue struct {
	list    *[]string
	metavar string
}

func (a appendValue) String() string { return "" }

// Metavar names the value in help.
func (a appendValue) Metavar() string { return a.metavar }
func (a appendValue) Set(s string) error {
	*a.list = append(*a.list, s)
	return nil
}

func (v *Vars) register(fs *flag.FlagSet) {
	fs.Var(appendValue{&v.Flags, "NAME=VALUE"}, "var", "set a variable (repeatable; wins over -var-file)")
	fs.Var(appendValue{&v.Files, "FILE"}, "var-file", "set variables from an HCL file, or JSON when it ends in .json (repeatable)")
}

// newFlagSet returns a flag set that reports errors instead of printing.
func newFlagSet(name string, view *View) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if view != nil {
		fs.BoolVar(&view.NoColor, "no-color", false, "no colour in the output")
	}
	return fs
}

// parse runs fs and turns its error into a diagnostic. Help requests give
// a diagnostic whose Extra is ErrHelp, which IsHelp detects.
func parse(fs *flag.FlagSet, args []string) hcl.Diagnostics {
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "help requested", Extra: &HelpRequest{Flags: fs}}}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Failed to parse command-line flags",
		Detail:   fmt.Sprintf("%s. Run \"fwapply %s -help\" for the flags it takes.", strings.TrimSuffix(err.Error(), "."), fs.Name()),
	}}
}

// IsHelp reports whether diags is a help request.
func IsHelp(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if err, ok := d.Extra.(error); ok && errors.Is(err, flag.ErrHelp) {
			return true
		}
	}
	return false
}

// HelpFor returns the name of the command a help request is about, like
// "state list"; "" when diags is no help request or names no command (as
// for "fwapply state -help").
func HelpFor(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if h, ok := d.Extra.(*HelpRequest); ok {
			return h.Flags.Name()
		}
	}
	return ""
}

// helpRequested is the diagnostic of a help request for a command whose
// subcommand is missing.
func helpRequested() hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "help requested", Extra: flag.ErrHelp}}
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "--h"
}

func tooManyArgs(cmd string, args []string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unexpected argument",
		Detail:   fmt.Sprintf("fwapply %s takes no positional arguments, got %q. To run it in another directory, write fwapply -chdir=DIR %s.", cmd, strings.Join(args, " "), cmd),
	}}
}

// Validate is the arguments of `fwapply validate`.
type Validate struct {
	View
	Vars
	JSON bool
	// StatePath is accepted because every command takes -state;
	// validate does not read the state.
	StatePath string
}

// ParseValidate parses `fwapply validate [-json] [-var ...] [-var-file ...]`.
func ParseValidate(args []string) (*Validate, hcl.Diagnostics) {
	a := &Validate{}
	fs := newFlagSet("validate", &a.View)
	fs.BoolVar(&a.JSON, "json", false, "print the result as JSON")
	fs.StringVar(&a.StatePath, "state", DefaultStatePath, "the state file `PATH`; accepted for uniformity, validate does not read it")
	a.Vars.register(fs)
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("validate", fs.Args())
	}
	return a, diags
}

// Fmt is the arguments of `fwapply fmt`.
type Fmt struct {
	View
	Check, Diff, Recursive, Write bool
	Paths                         []string
	StatePath                     string // accepted like every command's; unused
}

// ParseFmt parses `fwapply fmt [-check] [-diff] [-recursive] [-write=false] [PATH...]`.
func ParseFmt(args []string) (*Fmt, hcl.Diagnostics) {
	a := &Fmt{}
	fs := newFlagSet("fmt", &a.View)
	fs.BoolVar(&a.Check, "check", false, "change nothing; exit 3 if a file is not formatted")
	fs.BoolVar(&a.Diff, "diff", false, "print the changes as a unified diff")
	fs.BoolVar(&a.Recursive, "recursive", false, "also process subdirectories (hidden ones are skipped)")
	fs.BoolVar(&a.Write, "write", true, "do not write files, only list them (implied by -check)")
	fs.StringVar(&a.StatePath, "state", DefaultStatePath, "the state file `PATH`; accepted for uniformity, fmt does not read it")
	diags := parse(fs, args)
	a.Paths = fs.Args()
	if a.Check {
		a.Write = false
	}
	return a, diags
}

// Version is the arguments of `fwapply version`.
type Version struct {
	View
	JSON      bool
	StatePath string // accepted like every command's; unused
}

// ParseVersion parses `fwapply version [-json]`.
func ParseVersion(args []string) (*Version, hcl.Diagnostics) {
	a := &Version{}
	fs := newFlagSet("version", &a.View)
	fs.BoolVar(&a.JSON, "json", false, `print {"format_version", "version", "text"}`)
	fs.StringVar(&a.StatePath, "state", DefaultStatePath, "the state file `PATH`; accepted for uniformity, version does not read it")
	diags := parse(fs, args)
	if !diags.HasErrors() && fs.NArg() > 0 {
		diags = tooManyArgs("version", fs.Args())
	}
	return a, diags
}

// Global is the arguments before the command name.
type Global struct {
	Chdir   string
	Version bool
	Help    bool
	Command string
	Args    []string
}

// ParseGlobal parses `fwapply [-chdir=DIR] [-version] [-help] COMMAND [ARGS]`.
func ParseGlobal(args []string) (*Global, hcl.Diagnostics) {
	g := &Global{}
	fs := globalFlags(g)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		g.Help = true
		return g, nil
	}
	if err != nil {
		return g, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to parse global flags",
			Detail:   fmt.Sprintf("%s. Global flags come before the command, like fwapply -chdir=DIR plan.", err),
		}}
	}
	rest := fs.Args()
	if len(rest) > 0 {
		g.Command, g.Args = rest[0], rest[1:]
	}
	return g, nil
}

// globalFlags returns the flag set of the flags before the command name.
func globalFlags(g *Global) *flag.FlagSet {
	fs := newFlagSet("fwapply", nil)
	fs.StringVar(&g.Chdir, "chdir", "", "switch to `DIR` before running the command")
	fs.BoolVar(&g.Version, "version", false, "print the version")
	fs.BoolVar(&g.Help, "help", false, "print this help")
	return fs
}
