package main

import (
	"strings"
	"testing"
)

// TestHelp checks that fwgen -help says what fwgen reads and writes and
// how to run it with go generate, then lists every flag it accepts.
func TestHelp(t *testing.T) {
	for _, h := range []string{"-h", "-help"} {
		code, out := fwgen(t, h)
		about, flags, ok := strings.Cut(out, "\nFlags:\n")
		if code != 0 || !ok {
			t.Fatalf("fwgen %s: exit %d\n%s", h, code, out)
		}
		for _, want := range []string{"Usage: fwgen", "*.fw.hcl", ".gen.go", "//go:generate go run github.com/frameworm/frameworm/cmd/fwgen", "-check"} {
			if !strings.Contains(about, want) {
				t.Errorf("fwgen %s: the description lacks %q:\n%s", h, want, about)
			}
		}
		for _, flag := range []string{"-check", "-out=DIR", "-package=NAME", "-search=NAME", "-var 'NAME=VALUE'", "-var-file=FILE"} {
			if !strings.Contains(flags, "\n  "+flag+" ") && !strings.HasPrefix(flags, "  "+flag+" ") {
				t.Errorf("fwgen %s: Flags lacks %s:\n%s", h, flag, flags)
			}
		}
		if n := strings.Count(flags, "\n  -"); n+1 != 6 {
			t.Errorf("fwgen %s lists %d flags, want 6:\n%s", h, n+1, flags)
		}
	}
	code, out := fwgen(t, "-bogus")
	if code != 1 || !strings.Contains(out, `flag provided but not defined: -bogus. Run "fwgen -help"`) {
		t.Errorf("unknown flag: exit %d\n%s", code, out)
	}
}
