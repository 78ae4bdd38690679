//go:build unix

package runtime_test

import (
	"testing"
	"time"

	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/runtime/executortest"
)

// TestLocalConformance runs the executor conformance suite on Local, with
// a short grace period so that stopping a trial is quick.
func TestLocalConformance(t *testing.T) {
	executortest.Run(t, func(t *testing.T) runtime.Executor {
		return &runtime.Local{Grace: 2 * time.Second}
	}, executortest.Options{})
}
