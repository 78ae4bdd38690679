//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos

package slurm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestInflightOutlivesItsHolder: the shared lock an sbatch call inherits
// stays held after the process that took it let go (an apply killed
// while sbatch runs), and waitInflight waits until the inheriting
// process has ended.
func TestInflightOutlivesItsHolder(t *testing.T) {
	dir := t.TempDir()
	done := filepath.Join(dir, "done")
	f, err := holdInflight(dir)
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sh", "-c", `sleep 1; : > "$1"`, "sh", done)
	child.ExtraFiles = []*os.File{f}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	f.Close() // the apply is gone; its sbatch goes on
	if err := waitInflight(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(done); err != nil {
		t.Errorf("waitInflight returned before the process holding the lock ended: %v", err)
	}
	// Shared holders do not wait for each other.
	a, err := holdInflight(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := holdInflight(dir)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}
