//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos)

package slurm

import (
	"os"
	"time"
)

const openNoFollow = 0

// lockFile does nothing where there is no flock (Slurm runs on none of
// these systems).
func lockFile(*os.File, bool, time.Duration) error { return nil }
