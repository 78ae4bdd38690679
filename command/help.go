package command

import (
	"flag"
	"strings"

	"github.com/frameworm/frameworm/command/arguments"
)

// A command's help is its hand-written text (usage line, description, exit
// statuses) followed by a Flags section rendered from the flag set the
// command parses with, so the flags help lists are exactly the flags the
// command accepts. A "Flags:" section left in a help text is replaced.

// subcommandHelp holds the help text of each subcommand, by full name.
var subcommandHelp = map[string]string{
	"state list":       stateListHelp,
	"state show":       stateShowHelp,
	"state rm":         stateRmHelp,
	"state taint":      stateTaintHelp,
	"state untaint":    stateUntaintHelp,
	"experiments list": experimentsHelp,
}

// helpFlags names the flag set whose flags a help page lists when it is
// not the page's own: "state" lists its subcommands instead of flags, and
// "experiments" has only the list subcommand.
var helpFlags = map[string]string{
	"state":       "",
	"experiments": "experiments list",
}

// helpText returns the help of a command or subcommand, and false when
// there is no such command.
func helpText(name string) (string, bool) {
	text, ok := subcommandHelp[name]
	if !ok {
		c, found := commands[name]
		if !found {
			return "", false
		}
		text = c.help
	}
	text = strings.TrimLeft(text, "\n")
	if i := strings.Index(text, "\nFlags:\n"); i >= 0 {
		text = text[:i+1]
	}
	if fs := helpFlagSet(name); fs != nil {
		text = strings.TrimRight(text, "\n") + "\n\nFlags:\n" + arguments.FormatFlags(fs)
	}
	return text, true
}

// helpFlagSet returns the flag set the help page name lists, or nil.
func helpFlagSet(name string) *flag.FlagSet {
	flagsOf, ok := helpFlags[name]
	if !ok {
		flagsOf = name
	}
	if flagsOf == "" {
		return nil
	}
	fs, _ := arguments.FlagSet(flagsOf)
	return fs
}
