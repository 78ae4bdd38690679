// Package command runs the fwapply commands: it glues parsed arguments
// (package arguments), the loader, the engine and the views together, and
// picks exit statuses.
//
// Contract: Run never calls os.Exit and never changes the process's working
// directory; -chdir is applied by resolving paths against Meta.WorkDir.
// Errors go to Meta.Stderr with exit status 1 unless a command documents
// another status. The state is the local file, or the PostgreSQL workspace
// a backend block of the search files names (backend.go); every command
// closes its backend before it returns, and none prints the password of a
// connection string (redact.go).
package command

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/version"
)

// Meta is the environment a command runs in.
type Meta struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// WorkDir is the directory the command works in ("." by default).
	WorkDir string
	// Environ is the environment, as os.Environ gives it.
	Environ []string
	// Interrupts delivers interrupt signals to apply; nil means the
	// process's SIGINT and SIGTERM.
	Interrupts <-chan os.Signal

	backend backendCache // the backend block, read once (backend.go)
	secrets []string     // passwords never to print (redact.go)
}

type cmd struct {
	synopsis string
	help     string
	run      func(m *Meta, args []string) int
}

var commands map[string]cmd

func init() {
	commands = map[string]cmd{
		"validate":     {"Check that the search files are valid", validateHelp, runValidate},
		"fmt":          {"Rewrite search files in the canonical format", fmtHelp, runFmt},
		"version":      {"Print the fwapply version", versionHelp, runVersion},
		"plan":         {"Show which trials an apply would run", planHelp, runPlan},
		"apply":        {"Run the planned trials and record them in the state", applyHelp, runApply},
		"show":         {"Show the trials and the best of each search", showHelp, runShow},
		"output":       {"Print a search's best config, params or score", outputHelp, runOutput},
		"state":        {"Inspect and edit trials: list, show, rm, taint, untaint, pull, push", stateHelp, runState},
		"force-unlock": {"Remove a stale state lock", forceUnlockHelp, runForceUnlock},
		"init":         {"Set up the state backend; copy a local state into it", initHelp, runInit},
		"export":       {"Write the definition and trials to a JSON file", exportHelp, runExport},
		"import":       {"Add trials from an exported JSON file", importHelp, runImport},
		"experiments":  {"List trials as experiments, by tag and status", experimentsHelp, runExperiments},
		"analyze":      {"Summary, best trials, convergence, importance and plots", analyzeHelp, runAnalyze},
	}
}

// Run runs `fwapply ARGS` and returns the exit status.
func Run(args []string, m Meta) int {
	if m.WorkDir == "" {
		m.WorkDir = "."
	}
	g, diags := arguments.ParseGlobal(args)
	view := m.view(false)
	if diags.HasErrors() {
		view.Diagnostics(diags)
		return 1
	}
	if g.Chdir != "" {
		dir := m.abs(g.Chdir)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			view.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid -chdir",
				Detail:   fmt.Sprintf("-chdir=%s is not a directory.", g.Chdir),
			}})
			return 1
		}
		m.WorkDir = dir
	}
	switch {
	case g.Version:
		return runVersion(&m, nil)
	case g.Help || g.Command == "" || g.Command == "help" && len(g.Args) == 0:
		fmt.Fprint(m.Stdout, usage())
		if g.Command == "" && !g.Help {
			return 1
		}
		return 0
	case g.Command == "help":
		return m.help(strings.Join(g.Args, " "))
	}
	c, ok := commands[g.Command]
	if !ok {
		view.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown command",
			Detail:   fmt.Sprintf("fwapply has no command %q.%s Run \"fwapply help\" for the list.", g.Command, suggestCommand(g.Command)),
		}})
		return 1
	}
	if g.Command != "fmt" && g.Command != "version" {
		m.learnSecrets()
	}
	return c.run(&m, g.Args)
}

// help prints the help of a command or subcommand ("state list").
func (m *Meta) help(name string) int {
	text, ok := helpText(name)
	if !ok {
		first, sub, _ := strings.Cut(name, " ")
		if _, found := commands[first]; found && sub != "" {
			fmt.Fprintf(m.Stderr, "fwapply %s has no subcommand %q. Run \"fwapply help %s\" for its subcommands.\n", first, sub, first)
			return 1
		}
		fmt.Fprintf(m.Stderr, "fwapply has no command %q.%s Run \"fwapply help\" for the list.\n", name, suggestCommand(name))
		return 1
	}
	fmt.Fprint(m.Stdout, text)
	return 0
}

// parseFailed renders argument diagnostics, or the help of the command
// (or the subcommand) asked about, and returns the exit status.
func (m *Meta) parseFailed(name string, diags hcl.Diagnostics, noColor bool) int {
	if arguments.IsHelp(diags) {
		if sub := arguments.HelpFor(diags); sub != "" {
			name = sub
		}
		return m.help(name)
	}
	m.view(noColor).Diagnostics(diags)
	return 1
}

func usage() string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`Usage: fwapply [-chdir=DIR] COMMAND [flags]

Frameworm search: hyperparameter search as code. fwapply reads every *.fw.hcl
file of the working directory.

Commands:
`)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-13s %s\n", n, commands[n].synopsis)
	}
	global, _ := arguments.FlagSet("")
	b.WriteString("\nGlobal flags:\n")
	b.WriteString(arguments.FormatFlags(global))
	b.WriteString(`
Run "fwapply help COMMAND" or "fwapply COMMAND -help" for a command's flags.
`)
	return b.String()
}

func suggestCommand(name string) string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	return fwhcl.Suggest(name, names)
}

// abs resolves a user-given path against the working directory.
func (m *Meta) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(m.WorkDir, p)
}

// view returns a view on the command's streams. Colour is on unless
// -no-color is given or NO_COLOR is set in the environment.
func (m *Meta) view(noColor bool) *views.View {
	color := !noColor
	for _, kv := range m.Environ {
		if strings.HasPrefix(kv, "NO_COLOR=") && kv != "NO_COLOR=" {
			color = false
		}
	}
	width := 0
	if f, ok := unwrapWriter(m.Stderr).(*os.File); ok && isTerminal(f) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			width = min(w-1, 120)
		}
	}
	return &views.View{Stdout: m.Stdout, Stderr: m.Stderr, Color: color, Width: width}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := unwrapWriter(w).(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// load loads the search files of the working directory.
func (m *Meta) load(vars arguments.Vars) (*fwhcl.Result, hcl.Diagnostics) {
	return m.loadWith(vars, nil)
}

// loadWith loads the search files with the outcomes of the searches
// others read (nil: every one unknown, their readers deferred).
func (m *Meta) loadWith(vars arguments.Vars, outcomes fwhcl.Outcomes) (*fwhcl.Result, hcl.Diagnostics) {
	files := make([]string, len(vars.Files))
	for i, f := range vars.Files {
		files[i] = m.abs(f)
	}
	return fwhcl.LoadDir(m.WorkDir, fwhcl.Options{VarFlags: vars.Flags, VarFiles: files, Environ: m.Environ, Outcomes: outcomes})
}

const versionHelp = `
Usage: fwapply version [flags]

  Prints the version of fwapply.
`

func runVersion(m *Meta, args []string) int {
	a, diags := arguments.ParseVersion(args)
	if diags.HasErrors() {
		return m.parseFailed("version", diags, false)
	}
	if a.JSON {
		v := m.view(true)
		doc := map[string]string{"format_version": views.FormatVersion, "version": version.Version, "text": version.String("fwapply")}
		if err := v.JSON(doc); err != nil {
			fmt.Fprintln(m.Stderr, err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(m.Stdout, version.String("fwapply"))
	return 0
}
