//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos

package slurm

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

const openNoFollow = unix.O_NOFOLLOW

// lockFile takes a flock on f, exclusive or shared, waiting at most wait;
// an exclusive lock is released again at once (waitInflight only waits
// for the holders to go).
func lockFile(f *os.File, exclusive bool, wait time.Duration) error {
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		switch {
		case err == nil:
			if exclusive {
				return unix.Flock(int(f.Fd()), unix.LOCK_UN)
			}
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case !errors.Is(err, unix.EWOULDBLOCK):
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still locked after %v", wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
