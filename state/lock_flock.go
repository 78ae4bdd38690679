//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos

package state

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// flock takes an exclusive flock on fd without waiting. It reports false
// when another open file description holds it.
func flock(fd *os.File) (bool, error) {
	for {
		err := unix.Flock(int(fd.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case !errors.Is(err, unix.EINTR):
			return false, err
		}
	}
}
