package runtime

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// onlyZombies reports whether every process of the group pgid is a
// zombie, by reading /proc. When /proc cannot be read it reports false, so
// the caller treats the group as alive.
func onlyZombies(pgid int) bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range entries {
		name := e.Name()
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// The fields after the command (which may hold spaces and
		// parentheses): state ppid pgrp ...
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			return false
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 3 {
			return false
		}
		if pg, err := strconv.Atoi(string(f[2])); err == nil && pg == pgid && string(f[0]) != "Z" {
			return false
		}
	}
	return true
}

// procStart returns the start time of process pid, in clock ticks since
// boot (field 22 of /proc/PID/stat), and whether it runs, is a zombie or
// is gone.
func procStart(pid int) (uint64, procState) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			return 0, procGone
		}
		return 0, procUnknown
	}
	return parseStat(b)
}

// parseStat reads the state and the start time from the contents of
// /proc/PID/stat.
func parseStat(b []byte) (uint64, procState) {
	// The command, field 2, may hold spaces and parentheses; the fields
	// after it start at field 3, the state.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, procUnknown
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 20 {
		return 0, procUnknown
	}
	start, err := strconv.ParseUint(string(f[22-3]), 10, 64)
	if err != nil {
		return 0, procUnknown
	}
	switch string(f[0]) {
	case "Z", "X", "x":
		return start, procZombie
	}
	return start, procRunning
}

// bootID identifies this boot of the machine; "" if unknown.
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(b))
})

// setDeathSignal makes the kernel send SIGKILL to the trial process when
// the thread that started it exits, which is when fwapply dies (Run starts
// trials from a goroutine locked to its thread until the trial is reaped).
//
// SIGKILL rather than SIGTERM: with fwapply gone nobody would follow a
// SIGTERM with SIGKILL after the grace period, so a trial that handles or
// ignores SIGTERM would keep running; and nothing is lost by not letting it
// save, as the state records it as running and the next apply runs it
// again from the start. Processes the trial started are not reached by
// the signal; the next apply finds them through the process record
// (ProcessFile) and stops them before the trial runs again.
func setDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
