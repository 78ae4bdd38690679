package space

import "fmt"

// FieldError reports an invalid constructor argument. Field names the
// argument as the HCL loader spells it ("low", "high", "step", "log" or
// "values"), so the loader can point at the right line.
type FieldError struct {
	Field string // "low", "high", "step", "log" or "values"
	Index int    // for "values": index of the offending value; otherwise -1
	Msg   string // one or more full sentences saying what is wrong and how to fix it
}

// Error returns the message prefixed with the field, e.g.
// "low: low (5) must be less than high (3)." or "values[2]: ...".
func (e *FieldError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s[%d]: %s", e.Field, e.Index, e.Msg)
	}
	return e.Field + ": " + e.Msg
}

// fieldErr builds a *FieldError that is not about a single list element.
func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Index: -1, Msg: fmt.Sprintf(format, args...)}
}
