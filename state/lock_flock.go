//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || solaris || illumos

package state

import (
	"bytes"
	"errors"
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openNoFollow makes opening the lock file fail on a symbolic link.
const openNoFollow = unix.O_NOFOLLOW

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

// processLiveness tells whether the process pid of this host runs and,
// when start is not empty, is the one that started then (processStart).
func processLiveness(pid int, start string) Liveness {
	if pid <= 0 || pid > math.MaxInt32 {
		return HolderUnknown // no process has such a pid; the lock file is damaged
	}
	switch err := unix.Kill(pid, 0); {
	case err == nil, errors.Is(err, unix.EPERM):
	case errors.Is(err, unix.ESRCH):
		return HolderGone
	default:
		return HolderUnknown
	}
	now, zombie := procStat(pid)
	if zombie {
		return HolderGone // exited, not yet reaped: its flock is released
	}
	if start != "" && now != "" && now != start {
		return HolderGone // the pid was reused
	}
	return HolderAlive
}

// processStart identifies the start of process pid: on Linux its boot ID
// and start time in clock ticks since boot, from /proc. It is "" where
// that cannot be read (other systems); the check then relies on the pid.
func processStart(pid int) string {
	start, _ := procStat(pid)
	return start
}

// procStat reads /proc/PID/stat: the process's start (as processStart
// returns it) and whether it is a zombie. Without /proc it returns "" and
// false.
func procStat(pid int) (start string, zombie bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	// pid (comm) state ppid ... : comm may hold spaces and parentheses,
	// so the fields are counted from the last ')'. starttime is field 22,
	// the 20th after comm.
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return "", false
	}
	fields := bytes.Fields(b[end+1:])
	if len(fields) < 20 {
		return "", false
	}
	zombie = string(fields[0]) == "Z" || string(fields[0]) == "X"
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", zombie
	}
	return "linux:" + string(bytes.TrimSpace(boot)) + ":" + string(fields[19]), zombie
}
