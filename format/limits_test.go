package format

import (
	"strings"
	"testing"
)

// TestSourceDeepNesting checks that a file nested beyond the loader's
// limit is refused with a diagnostic, not a crash of the parser (100,000
// nested parentheses overflow its stack).
func TestSourceDeepNesting(t *testing.T) {
	n := 100_000
	src := "a = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "\n"
	out, diags := Source("deep.fw.hcl", []byte(src))
	if out != nil || !diags.HasErrors() {
		t.Fatalf("accepted; diagnostics: %v", diags)
	}
	if d := diags[0]; d.Summary != "Nesting too deep" || d.Subject == nil || d.Subject.Start.Line != 1 {
		t.Errorf("got %q at %v", d.Summary, d.Subject)
	}
}
