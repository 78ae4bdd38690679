package command

import (
	"flag"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/command/arguments"
)

// helpPages returns every help page: each command, and each subcommand
// ("state list", "experiments list").
func helpPages() []string {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	for n := range subcommandHelp {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// flagNames returns the names of the flags of fs, sorted.
func flagNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

var flagLineRE = regexp.MustCompile(`^  -([a-z][a-z0-9-]*)[= ]`)

// listedFlags splits a help page into the text before its Flags section
// and the names of the flags that section lists, sorted.
func listedFlags(t *testing.T, page string) (prose string, flags []string) {
	t.Helper()
	prose, section, ok := strings.Cut(page, "\nFlags:\n")
	if !ok {
		return page, nil
	}
	section, _, _ = strings.Cut(section, "\n\n")
	for _, line := range strings.Split(strings.TrimRight(section, "\n"), "\n") {
		m := flagLineRE.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("Flags line %q is not \"  -name...  description\"", line)
			continue
		}
		flags = append(flags, m[1])
	}
	slices.Sort(flags)
	return prose, flags
}

// TestHelpListsExactlyTheFlags checks, for every command and subcommand,
// that -h, -help and "fwapply help" print the same page, whose Flags
// section lists each flag the command accepts and no other.
func TestHelpListsExactlyTheFlags(t *testing.T) {
	for _, name := range helpPages() {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			words := strings.Fields(name)
			page := run(t, ".", "", append([]string{"help"}, words...)...)
			if page.code != 0 || !strings.HasPrefix(page.stdout, "Usage: fwapply") {
				t.Fatalf("fwapply help %s: %+v", name, page)
			}
			for _, h := range []string{"-h", "-help"} {
				r := run(t, ".", "", append(words, h)...)
				if r.code != 0 || r.stdout != page.stdout {
					t.Errorf("fwapply %s %s (exit %d) differs from fwapply help %s:\n%s%s", name, h, r.code, name, r.stdout, r.stderr)
				}
			}
			_, listed := listedFlags(t, page.stdout)
			var want []string
			if fs := helpFlagSet(name); fs != nil {
				want = flagNames(fs)
			}
			if d := diffNames(want, listed); d != "" {
				t.Errorf("help of %s: %s\n%s", name, d, page.stdout)
			}
		})
	}
}

// TestHelpProseNamesOnlyRealFlags checks that the text of each help page
// names only flags the command accepts, global flags, or flags of another
// command it names ("fwapply plan -out").
func TestHelpProseNamesOnlyRealFlags(t *testing.T) {
	global, _ := arguments.FlagSet("")
	flagRE := regexp.MustCompile(`(?:^|[\s\[("'])-([a-z][a-z0-9-]*)`)
	otherRE := regexp.MustCompile(`fwapply (?:\[-chdir=DIR\] )?((?:state |experiments )?[a-z-]+)`)
	for _, name := range helpPages() {
		text, _ := helpText(name)
		prose, _ := listedFlags(t, text)
		own := flagNames(global)
		if fs := helpFlagSet(name); fs != nil {
			own = append(own, flagNames(fs)...)
		}
		for _, line := range strings.Split(prose, "\n") {
			var others []string
			for _, m := range otherRE.FindAllStringSubmatch(line, -1) {
				if fs, ok := arguments.FlagSet(m[1]); ok {
					others = append(others, flagNames(fs)...)
				}
			}
			for _, m := range flagRE.FindAllStringSubmatch(line, -1) {
				if !slices.Contains(own, m[1]) && !slices.Contains(others, m[1]) && m[1] != "h" {
					t.Errorf("help of %s names -%s, which it does not take: %q", name, m[1], line)
				}
			}
		}
	}
}

// diffNames describes how got differs from want, or returns "".
func diffNames(want, got []string) string {
	var missing, extra []string
	for _, n := range want {
		if !slices.Contains(got, n) {
			missing = append(missing, "-"+n)
		}
	}
	for _, n := range got {
		if !slices.Contains(want, n) {
			extra = append(extra, "-"+n)
		}
	}
	if len(missing)+len(extra) == 0 {
		return ""
	}
	return "missing " + strings.Join(missing, " ") + "; not accepted " + strings.Join(extra, " ")
}

// TestFlagSetsCoverTheCommands checks that every command and subcommand
// has the flag set its help is generated from.
func TestFlagSetsCoverTheCommands(t *testing.T) {
	for _, name := range helpPages() {
		flagsOf, ok := helpFlags[name]
		if !ok {
			flagsOf = name
		}
		if _, ok := arguments.FlagSet(flagsOf); flagsOf != "" && !ok {
			t.Errorf("arguments.FlagSet(%q) has no flag set", flagsOf)
		}
	}
	for _, name := range arguments.Commands() {
		if _, ok := helpText(name); !ok {
			t.Errorf("%s has flags but no help page", name)
		}
	}
	for _, sub := range arguments.StateSubcommands {
		if _, ok := subcommandHelp["state "+sub]; !ok {
			t.Errorf("state %s has no help", sub)
		}
	}
}

func TestHelpListing(t *testing.T) {
	r := run(t, ".", "", "help")
	if r.code != 0 {
		t.Fatalf("fwapply help: %+v", r)
	}
	for name, c := range commands {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + ` +` + regexp.QuoteMeta(c.synopsis) + `$`).MatchString(r.stdout) {
			t.Errorf("fwapply help does not list %s with its synopsis:\n%s", name, r.stdout)
		}
	}
	_, globals := listedFlags(t, strings.Replace(r.stdout, "\nGlobal flags:\n", "\nFlags:\n", 1))
	if d := diffNames([]string{"chdir", "help", "version"}, globals); d != "" {
		t.Errorf("global flags: %s\n%s", d, r.stdout)
	}
}

func TestHelpErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"show", "-bogus"}, `flag provided but not defined: -bogus. Run "fwapply show -help"`},
		{[]string{"state", "list", "-purge"}, `Run "fwapply state list -help"`},
		{[]string{"experiments", "list", "-bogus"}, `Run "fwapply experiments list -help"`},
		{[]string{"help", "shwo"}, `fwapply has no command "shwo". Did you mean "show"?`},
		{[]string{"help", "state", "bogus"}, `fwapply state has no subcommand "bogus". Run "fwapply help state"`},
	}
	for _, tt := range tests {
		r := run(t, t.TempDir(), "", tt.args...)
		if got := strings.Join(strings.Fields(r.stderr), " "); r.code != 1 || !strings.Contains(got, tt.want) {
			t.Errorf("fwapply %v: exit %d, want 1 and %q in:\n%s", tt.args, r.code, tt.want, r.stderr)
		}
	}
}
