package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// GoBuild builds the Go main package pkg (a path like "./cmd/train",
// relative to dir) into the executable out, with the go command of the
// PATH. The go command's own cache makes a rebuild of unchanged code
// cheap. The error holds the compiler's output.
func GoBuild(ctx context.Context, dir, pkg, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("building %s: %w", pkg, err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(output.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("go build %s (in %s) failed:\n%s", pkg, dir, msg)
	}
	return nil
}

// ErrNoSchema is returned by ProgramSchema for a program that does not
// answer -fw-schema: one not built on the generated harness.
var ErrNoSchema = errors.New("the program does not report a schema fingerprint (it does not use fwgen's generated Main)")

// ProgramSchema asks a trial program built on the generated harness for
// the schema fingerprint it was generated with (its -fw-schema flag).
func ProgramSchema(ctx context.Context, bin string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-fw-schema")
	cmd.Env = withoutProtocolEnv(os.Environ())
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s -fw-schema: %w", bin, ErrNoSchema)
	}
	fp := strings.TrimSpace(string(out))
	if len(fp) != 64 || strings.ContainsAny(fp, " \n") {
		return "", fmt.Errorf("%s -fw-schema printed %q: %w", bin, fp, ErrNoSchema)
	}
	return fp, nil
}

// withoutProtocolEnv drops the FW_* trial variables, so a schema query
// never looks like a trial.
func withoutProtocolEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FW_") {
			out = append(out, kv)
		}
	}
	return out
}
