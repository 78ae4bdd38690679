//go:build unix

package runtime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests below signal the test process itself. They are safe because
// the harness has the signal handled for as long as train runs, train
// waits until the context is cancelled, and no other test runs meanwhile
// (these tests are not parallel, and parallel tests start only after all
// sequential ones have finished).

// signalSelf sends sig to this process and waits for ctx to be cancelled.
func signalSelf(ctx context.Context, sig syscall.Signal) error {
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(10 * time.Second):
		return context.DeadlineExceeded
	}
}

func TestHarnessSignalCancelsContext(t *testing.T) {
	tests := []struct {
		name   string
		sig    syscall.Signal
		ignore bool // train returns metrics, ignoring the cancellation
		stderr string
	}{
		{"SIGTERM", syscall.SIGTERM, false, "interrupted (terminated signal received): context canceled\n"},
		{"SIGINT", syscall.SIGINT, false, "interrupted (interrupt signal received): context canceled\n"},
		{"SIGTERM, metrics returned anyway", syscall.SIGTERM, true, "interrupted (terminated signal received): train returned after the signal; the metrics of a cut-short run are not written\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			metrics := filepath.Join(dir, MetricsFile)
			var cause error
			got := runHarness(t, testHarness, nil, map[string]string{"FW_METRICS": metrics},
				func(ctx context.Context, _ hConfig, _ *Reporter) (hMetrics, error) {
					if ctx.Err() != nil {
						t.Error("the context was cancelled before any signal")
					}
					if err := signalSelf(ctx, tt.sig); err != nil {
						t.Errorf("the context was not cancelled: %v", err)
						return hMetrics{}, err
					}
					cause = context.Cause(ctx)
					if tt.ignore {
						return hMetrics{ValLoss: 0.5}, nil
					}
					return hMetrics{}, ctx.Err()
				})
			if cause == nil || !strings.Contains(cause.Error(), "signal") {
				t.Errorf("context.Cause = %v, want the signal", cause)
			}
			if got.code != 1 || got.stderr != tt.stderr {
				t.Errorf("exit %d, stderr %q; want 1, %q", got.code, got.stderr, tt.stderr)
			}
			if _, err := os.Stat(metrics); err == nil {
				t.Error("an interrupted trial wrote metrics")
			}
		})
	}
}
