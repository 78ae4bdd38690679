package views

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
)

// ValidateJSON is the document `fwapply validate -json` prints.
type ValidateJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []JSONDiagnostic `json:"diagnostics"`
	Searches      []string         `json:"searches"`
}

// Validate renders the result of `fwapply validate`.
func (v *View) Validate(def *definition.Definition, diags hcl.Diagnostics, asJSON bool) error {
	errs, warns := Count(diags)
	if asJSON {
		doc := ValidateJSON{
			FormatVersion: FormatVersion,
			Valid:         errs == 0,
			ErrorCount:    errs,
			WarningCount:  warns,
			Diagnostics:   NewJSONDiagnostics(diags, v.Files),
			Searches:      []string{},
		}
		if def != nil {
			for _, s := range def.Searches {
				doc.Searches = append(doc.Searches, s.Name)
			}
		}
		return v.JSON(doc)
	}
	v.Diagnostics(diags)
	if errs == 0 {
		n := 0
		if def != nil {
			n = len(def.Searches)
		}
		noun := "searches are"
		if n == 1 {
			noun = "search is"
		}
		v.Printf("%s %d %s valid.\n", v.Colorize("green", v.Colorize("bold", "Success!")), n, noun)
	}
	return nil
}
