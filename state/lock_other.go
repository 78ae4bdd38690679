//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos)

package state

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// openNoFollow: no O_NOFOLLOW here.
const openNoFollow = 0

func flock(fd *os.File) (bool, error) {
	return false, fmt.Errorf("file locking on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// processLiveness cannot check processes here.
func processLiveness(pid int, start string) Liveness { return HolderUnknown }

// processStart is not known here.
func processStart(pid int) string { return "" }
