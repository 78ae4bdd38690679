// Command fwapply plans and runs hyperparameter searches declared in
// *.fw.hcl files. See docs/commands.md and "fwapply help".
package main

import (
	"os"

	"github.com/frameworm/frameworm/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:], command.Meta{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Environ: os.Environ(),
	}))
}
