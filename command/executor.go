package command

import (
	"fmt"
	"strings"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/definition"
)

// executorsFor returns the definition plan and apply run: with
// -executor=local every search's trials run in the local process pool.
// Trials on a Slurm executor are refused until apply can drive one; the
// error says how to run them locally meanwhile.
func executorsFor(def *definition.Definition, flag string) (*definition.Definition, error) {
	if flag == arguments.ExecutorLocal {
		return def.LocalOnly(), nil
	}
	var on []string
	for _, s := range def.Searches {
		if e := s.Trial.Executor; e != nil {
			on = append(on, fmt.Sprintf("search.%s (executor.%s.%s)", s.Name, e.Type, e.Name))
		}
	}
	if len(on) == 0 {
		return def, nil
	}
	return nil, fmt.Errorf("%s: this release checks executor blocks but cannot yet submit trials to Slurm; run with -executor=local to run them in the local process pool", strings.Join(on, ", "))
}
