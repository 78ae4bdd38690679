package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestE2EGoBuildWithChdir: with -chdir and the default state path, the
// program go_build makes lands in the search directory's .fw/bin (where
// fwapply then runs it and checks its schema), not in a path doubled by
// resolving the relative directory twice.
func TestE2EGoBuildWithChdir(t *testing.T) {
	root := t.TempDir()
	copyFile(t, filepath.Join("..", "..", "examples", "quickstart", "train", "main.go"), filepath.Join(root, "proj", "train", "main.go"))
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module fwchdir\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `search "s" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 1
  base_config = { training = { lr = 0.01, batch_size = 32, epochs = 2 } }
  param "training.lr" {
    type = real
    low  = 0.001
    high = 0.1
    log  = true
  }
  trial {
    go_build = "./train"
  }
}
`
	if err := os.WriteFile(filepath.Join(root, "proj", "search.fw.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := fwapply(t, root, "-chdir=proj", "apply", "-auto-approve")
	if code != 0 {
		t.Fatalf("apply -chdir=proj: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(root, "proj", ".fw", "bin", "s")); err != nil {
		t.Errorf("the built program is not in proj/.fw/bin: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "proj", "proj")); err == nil {
		t.Errorf("go_build wrote under proj/proj: the -chdir path was resolved twice")
	}
}
