package command

import (
	"fmt"

	"github.com/frameworm/frameworm/command/arguments"
)

const validateHelp = `
Usage: fwapply [-chdir=DIR] validate [flags]

  Loads every *.fw.hcl file of the directory and checks it: syntax, the
  search schema, variables, params against base_config, strategies,
  executor blocks and the references to them. Every problem is reported
  with its file, line and source snippet. With -json it prints
  {"format_version", "valid", "error_count", "warning_count",
  "diagnostics"}.

  Exit status: 0 when the files are valid, 1 otherwise.
`

func runValidate(m *Meta, args []string) int {
	a, diags := arguments.ParseValidate(args)
	if diags.HasErrors() {
		return m.parseFailed("validate", diags, a.NoColor)
	}
	res, diags := m.load(a.Vars)
	view := m.view(a.NoColor)
	view.Files = res.Files
	if err := view.Validate(res.Definition, diags, a.JSON); err != nil {
		fmt.Fprintln(m.Stderr, err)
		return 1
	}
	if diags.HasErrors() {
		return 1
	}
	return 0
}
