package command

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/gen"
	"github.com/frameworm/frameworm/runtime"
)

// builtPrograms builds the trial programs of the searches with go_build,
// once per plan or apply, into .fw/bin/<search> beside the state file, and
// checks each against the definition: a program whose generated code was
// made from another schema is stale. It returns the programs by search
// name and the names of the stale ones; stale programs are reported as
// warnings on view.
func (m *Meta) builtPrograms(ctx context.Context, def *definition.Definition, names []string, statePath string, view *views.View) (map[string]string, []string, error) {
	programs := map[string]string{}
	var stale []string
	for _, name := range names {
		s := def.Search(name)
		if s == nil || s.Trial.GoBuild == "" {
			continue
		}
		// Absolute: go build runs in the search's directory, and -chdir
		// leaves statePath relative to where fwapply was started.
		bin, err := filepath.Abs(filepath.Join(filepath.Dir(statePath), ".fw", "bin", s.Name))
		if err != nil {
			return nil, nil, fmt.Errorf("search %q: locating its program: %w", s.Name, err)
		}
		if err := runtime.GoBuild(ctx, s.Dir, s.Trial.GoBuild, bin); err != nil {
			return nil, nil, fmt.Errorf("search %q: %w", s.Name, err)
		}
		programs[s.Name] = bin
		built, err := runtime.ProgramSchema(ctx, bin)
		if errors.Is(err, runtime.ErrNoSchema) {
			view.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Cannot check the trial program's generated code",
				Detail:   fmt.Sprintf("search.%s: %s, so fwapply cannot tell whether its config types match the search.", s.Name, err),
			}})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		// A package generated for this search alone, or for every search
		// of the directory, is current.
		want, diags := gen.SchemaFingerprints(def, s.Name)
		if diags.HasErrors() {
			view.Diagnostics(diags)
			return nil, nil, fmt.Errorf("search %q: cannot compute its config schema", s.Name)
		}
		if !slices.Contains(want, built) {
			stale = append(stale, s.Name)
			view.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Stale generated code",
				Detail: fmt.Sprintf("search.%s: the trial program built from %s was generated from another version of the search (schema %.12s, the search's is %.12s). Run go generate (fwgen) and try again; fwapply apply refuses to run it unless -allow-stale.",
					s.Name, s.Trial.GoBuild, built, want[0]),
				Subject: s.DeclRange.Ptr(),
			}})
		}
	}
	return programs, stale, nil
}
