package definition

import (
	"encoding/json"
	"fmt"
)

// FormatValue writes a config value as JSON (and HCL) write it: strings
// quoted, numbers in JSON's shortest exact form (0.00005, 1e-7, 40),
// objects with sorted keys and lists compactly. It never shows Go types.
func FormatValue(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Config values are JSON values; anything else is shown as Go
		// prints it rather than lost.
		return fmt.Sprint(v)
	}
	return string(b)
}
