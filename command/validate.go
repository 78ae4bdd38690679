package command

import (
	"fmt"

	"github.com/frameworm/frameworm/command/arguments"
)

const validateHelp = `
Usage: fwapply [-chdir=DIR] validate [-json] [-var 'NAME=VALUE'] [-var-file=FILE]

  Loads every *.fw.hcl file of the directory and checks it: syntax, the
  search schema, variables, params against base_config, strategies. Every
  problem is reported with its file, line and source snippet.

  Exit status: 0 when the files are valid, 1 otherwise.

Flags:
  -json             print the result as JSON (format_version, valid,
                    error_count, warning_count, diagnostics)
  -var 'NAME=VALUE' set a variable (repeatable; wins over -var-file)
  -var-file=FILE    set variables from an HCL or JSON file (repeatable)
  -no-color         no colour in the output
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
