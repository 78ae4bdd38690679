package arguments

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// parsers parses each command's arguments, by command name, for FlagSet:
// asked for help, a Parse function returns the flag set it parsed with,
// so the flags help lists are the flags the command accepts.
var parsers = map[string]func(args []string) hcl.Diagnostics{
	"validate":         diagsOf(ParseValidate),
	"fmt":              diagsOf(ParseFmt),
	"version":          diagsOf(ParseVersion),
	"plan":             diagsOf(ParsePlan),
	"apply":            diagsOf(ParseApply),
	"show":             diagsOf(ParseShow),
	"output":           diagsOf(ParseOutput),
	"force-unlock":     diagsOf(ParseForceUnlock),
	"init":             diagsOf(ParseInit),
	"analyze":          diagsOf(ParseAnalyze),
	"experiments list": subcommand(ParseExperiments, "list"),
	"export":           func(args []string) hcl.Diagnostics { _, d := ParseTransfer("export", args); return d },
	"import":           func(args []string) hcl.Diagnostics { _, d := ParseTransfer("import", args); return d },
}

func init() {
	for _, sub := range StateSubcommands {
		parsers["state "+sub] = subcommand(ParseState, sub)
	}
}

func diagsOf[T any](parse func([]string) (T, hcl.Diagnostics)) func([]string) hcl.Diagnostics {
	return func(args []string) hcl.Diagnostics {
		_, diags := parse(args)
		return diags
	}
}

func subcommand[T any](parse func([]string) (T, hcl.Diagnostics), sub string) func([]string) hcl.Diagnostics {
	return diagsOf(func(args []string) (T, hcl.Diagnostics) { return parse(append([]string{sub}, args...)) })
}

// Commands returns, sorted, the names FlagSet knows: every command, and
// each subcommand as "state list" or "experiments list".
func Commands() []string {
	names := make([]string, 0, len(parsers))
	for n := range parsers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// FlagSet returns the flags the command name accepts ("plan", "state
// list", ...; "" for the global flags before the command), and false for
// a name Commands does not list. The flag set is for reading only.
// TestFlagSets checks that every name Commands lists has one.
func FlagSet(name string) (*flag.FlagSet, bool) {
	if name == "" {
		return globalFlags(&Global{}), true
	}
	parse, ok := parsers[name]
	if !ok {
		return nil, false
	}
	for _, d := range parse([]string{"-help"}) {
		if h, ok := d.Extra.(*HelpRequest); ok {
			return h.Flags, true
		}
	}
	return nil, false // a parser that checks something before its flags
}

// commonFlags are the flags many commands share; FormatFlags lists them
// after a command's own flags, in this order.
var commonFlags = []string{"var", "var-file", "state", "lock", "lock-timeout", "no-color"}

// FormatFlags renders the flags of fs for help, one aligned line each:
//
//	-name=VALUE  description (default D)
//
// A command's own flags come first, by name, then the common ones (-var,
// -state, -no-color, ...). VALUE is the `quoted` word of the usage, like
// flag.PrintDefaults; a bool flag that defaults to true shows as
// -name=false, which is what its usage describes.
func FormatFlags(fs *flag.FlagSet) string {
	var own, common []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if slices.Contains(commonFlags, f.Name) {
			common = append(common, f)
		} else {
			own = append(own, f)
		}
	})
	slices.SortFunc(common, func(a, b *flag.Flag) int {
		return slices.Index(commonFlags, a.Name) - slices.Index(commonFlags, b.Name)
	})
	flags := append(own, common...)
	names := make([]string, len(flags))
	width := 0
	for i, f := range flags {
		names[i] = flagSynopsis(f)
		width = max(width, len(names[i]))
	}
	var b strings.Builder
	for i, f := range flags {
		_, usage := flag.UnquoteUsage(f)
		if d := defaultText(f); d != "" {
			usage += " (default " + d + ")"
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, names[i], usage)
	}
	return b.String()
}

// flagSynopsis renders how a flag is written: -name, -name=false,
// -name=VALUE, or -name 'NAME=VALUE' when VALUE holds an equals sign.
func flagSynopsis(f *flag.Flag) string {
	if isBool(f) {
		if f.DefValue == "true" {
			return "-" + f.Name + "=false"
		}
		return "-" + f.Name
	}
	v := metavar(f)
	if strings.Contains(v, "=") {
		return "-" + f.Name + " '" + v + "'"
	}
	return "-" + f.Name + "=" + v
}

// metavar names a flag's value: the `quoted` word of its usage, else what
// its Value says, else a name for its type.
func metavar(f *flag.Flag) string {
	if strings.Contains(f.Usage, "`") {
		name, _ := flag.UnquoteUsage(f)
		return name
	}
	if m, ok := f.Value.(interface{ Metavar() string }); ok {
		return m.Metavar()
	}
	name, _ := flag.UnquoteUsage(f)
	switch name {
	case "int", "uint":
		return "N"
	case "duration":
		return "DUR"
	case "float":
		return "X"
	}
	return "VALUE"
}

// Metavar names the value of -target.
func (t targetsValue) Metavar() string { return "search.NAME" }

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// defaultText returns a flag's default for help, or "" when it is the
// zero value or a bool (whose synopsis shows it).
func defaultText(f *flag.Flag) string {
	if isBool(f) {
		return ""
	}
	switch f.DefValue {
	case "", "0", "0s", "[]":
		return ""
	}
	return f.DefValue
}
