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

// ErrHelp is returned (as the Extra of a diagnostic) when -h or -help was given.
var ErrHelp = flag.ErrHelp

// View holds the flags every command takes for its output.
type View struct {
	NoColor bool
}

// Vars holds -var and -var-file, each in command-line order.
type Vars struct {
	Flags []string
	Files []string
}

type appendValue struct{ list *[]string }

func (a appendValue) String() string { return "" }
func (a appendValue) Set(s string) error {
	*a.list = append(*a.list, s)
	return nil
}

func (v *Vars) register(fs *flag.FlagSet) {
	fs.Var(appendValue{&v.Flags}, "var", "set a variable: -var 'name=value' (repeatable)")
	fs.Var(appendValue{&v.Files}, "var-file", "set variables from a file (repeatable)")
}

// newFlagSet returns a flag set that reports errors instead of printing.
func newFlagSet(name string, view *View) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if view != nil {
		fs.BoolVar(&view.NoColor, "no-color", false, "disable colour in output")
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
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "help requested", Extra: flag.ErrHelp}}
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
		if d.Extra == flag.ErrHelp {
			return true
		}
	}
	return false
}

func tooManyArgs(cmd string, args []string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unexpected argument",
		Detail:   fmt.Sprintf("fwapply %s takes no positional arguments, got %q. Use -chdir=DIR to run in another directory.", cmd, strings.Join(args, " ")),
	}}
}

// Validate is the arguments of `fwapply validate`.
type Validate struct {
	View
	Vars
	JSON bool
	// StatePath is accepted because every command takes -state
	// (DESIGN.md §3); validate does not read the state.
	StatePath string
}

// ParseValidate parses `fwapply validate [-json] [-var ...] [-var-file ...]`.
func ParseValidate(args []string) (*Validate, hcl.Diagnostics) {
	a := &Validate{}
	fs := newFlagSet("validate", &a.View)
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output")
	fs.StringVar(&a.StatePath, "state", DefaultStatePath, "accepted for uniformity; validate does not read the state")
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
	StatePath                     string // accepted, unused (DESIGN.md §3)
}

// ParseFmt parses `fwapply fmt [-check] [-diff] [-recursive] [-write=false] [PATH...]`.
func ParseFmt(args []string) (*Fmt, hcl.Diagnostics) {
	a := &Fmt{}
	fs := newFlagSet("fmt", &a.View)
	fs.BoolVar(&a.Check, "check", false, "exit 3 if a file is not formatted; change nothing")
	fs.BoolVar(&a.Diff, "diff", false, "print the changes as a unified diff")
	fs.BoolVar(&a.Recursive, "recursive", false, "also format files in subdirectories")
	fs.BoolVar(&a.Write, "write", true, "write the formatted files")
	fs.StringVar(&a.StatePath, "state", DefaultStatePath, "accepted for uniformity; fmt does not read the state")
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
	StatePath string // accepted, unused (DESIGN.md §3)
}

// ParseVersion parses `fwapply version [-json]`.
func ParseVersion(args []string) (*Version, hcl.Diagnostics) {
	a := &Version{}
	fs := newFlagSet("version", &a.View)
	fs.BoolVar(&a.JSON, "json", false, "machine-readable output")
	fs.StringVar(&a.StatePath, "state", DefaultStatePath, "accepted for uniformity; version does not read the state")
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
	fs := newFlagSet("fwapply", nil)
	fs.StringVar(&g.Chdir, "chdir", "", "switch to DIR before running the command")
	fs.BoolVar(&g.Version, "version", false, "print the version")
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
