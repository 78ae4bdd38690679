//go:build unix

package runtime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunCannotStart(t *testing.T) {
	work := t.TempDir()
	mustWrite(t, filepath.Join(work, "data.txt"), "not a program", 0o644)
	mustWrite(t, filepath.Join(work, "noshebang"), "echo hi\n", 0o755)
	if err := os.Mkdir(filepath.Join(work, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		command []string
		reason  string // a prefix of the reason
	}{
		{"not in PATH", []string{"fw-no-such-program"}, `cannot start: exec: "fw-no-such-program": executable file not found in $PATH`},
		{"no such file", []string{"./missing.py"}, "cannot start: ./missing.py: no such file (resolved against the search's directory to " + filepath.Join(work, "missing.py")},
		{"not executable", []string{"./data.txt"}, "cannot start: ./data.txt is not executable; run chmod +x"},
		{"directory", []string{"./dir"}, "cannot start: ./dir is a directory"},
		{"no shebang", []string{"./noshebang"}, "cannot start: fork/exec " + filepath.Join(work, "noshebang") + ": exec format error (a script needs a #! line"},
		{"empty command", nil, "cannot start: the trial command is empty"},
		{"empty program", []string{""}, "cannot start: the program name (trial.command[0]) is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := newSpec(t, "success")
			spec.Command, spec.WorkDir = tt.command, work
			start := time.Now()
			res := (&Local{}).Run(context.Background(), spec)
			if res.Outcome != Failed || !strings.HasPrefix(res.Error, tt.reason) {
				t.Errorf("Run = %s %q, want failed %q...", res.Outcome, res.Error, tt.reason)
			}
			if strings.ContainsAny(res.Error, "\n\r") {
				t.Errorf("reason %q is not one line", res.Error)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("Run took %v", took)
			}
			if !res.Started.Equal(res.Ended) || res.Host != "local:"+hostname() {
				t.Errorf("Started %v, Ended %v, Host %q; want equal times and no pid", res.Started, res.Ended, res.Host)
			}
		})
	}
}

func TestRunResolvesProgram(t *testing.T) {
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "fw-test-trial")); err != nil {
		t.Fatal(err)
	}
	t.Run("relative to WorkDir", func(t *testing.T) {
		spec := newSpec(t, "success")
		if err := os.Mkdir(filepath.Join(spec.WorkDir, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(self, filepath.Join(spec.WorkDir, "bin", "prog")); err != nil {
			t.Fatal(err)
		}
		spec.Command = []string{"./bin/prog"}
		if res := (&Local{}).Run(context.Background(), spec); res.Outcome != Completed {
			t.Errorf("Run = %s %q, want completed", res.Outcome, res.Error)
		}
	})
	t.Run("in the trial's PATH", func(t *testing.T) {
		spec := newSpec(t, "success")
		spec.Command = []string{"fw-test-trial"}
		spec.Env["PATH"] = "relative/dir:" + bin
		if res := (&Local{}).Run(context.Background(), spec); res.Outcome != Completed {
			t.Errorf("Run = %s %q, want completed", res.Outcome, res.Error)
		}
	})
}
