//go:build unix && !linux

package runtime

import "syscall"

// onlyZombies cannot look at the group's members without /proc; it
// reports false, so the caller treats a group with zombies as alive and
// falls back on SIGKILL after the grace period.
func onlyZombies(pgid int) bool { return false }

// procStart cannot tell a process's start time without /proc, so leftover
// trial processes of an earlier apply are not recognised on this system.
func procStart(int) (uint64, procState) { return 0, procUnknown }

// bootID is unknown without /proc.
func bootID() string { return "" }

// setDeathSignal does nothing: this system has no parent-death signal.
func setDeathSignal(*syscall.SysProcAttr) {}
