package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// typoSearch is a search whose param path training.learning_rate is a
// typo of base_config's training.lr (line 7); newLine is put in the param
// block.
func typoSearch(t *testing.T, dir, newLine string) {
	t.Helper()
	src := fmt.Sprintf(`search "s" {
  strategy    = "random"
  metric      = "score"
  mode        = "min"
  trials      = 3
  base_config = { training = { lr = 0.001 } }
  param "training.learning_rate" {
    type = real
    low  = 1e-5
    high = 1e-2
%s  }
  trial {
    command = [%q]
  }
}
`, newLine, trialBinary)
	if err := os.WriteFile(filepath.Join(dir, "search.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestE2ETypo checks that validate and plan refuse a param path that is
// likely a typo, pointing at it, and that new = true lets it through.
func TestE2ETypo(t *testing.T) {
	dir := t.TempDir()
	typoSearch(t, dir, "")
	for _, cmd := range []string{"validate", "plan"} {
		code, out, errs := fwapply(t, dir, cmd)
		// The renderer wraps long details; compare with spaces collapsed.
		flat := strings.Join(strings.Fields(errs), " ")
		for _, want := range []string{
			"Error: Param path may be a typo",
			"on search.fw.hcl line 7",
			`did you mean "training.lr"?`,
			"add `new = true` to the param block",
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("fwapply %s: stderr lacks %q", cmd, want)
			}
		}
		if code != 1 || t.Failed() {
			t.Fatalf("fwapply %s: exit %d, want 1\n%s%s", cmd, code, out, errs)
		}
	}

	typoSearch(t, dir, "    new  = true\n")
	code, out, errs := fwapply(t, dir, "validate")
	if code != 0 || !strings.Contains(out, "Success!") || errs != "" {
		t.Fatalf("validate with new = true: exit %d\n%s%s", code, out, errs)
	}
}
