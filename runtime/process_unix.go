//go:build unix

package runtime

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts the trial in a process group of its own, so that a
// signal to the group reaches everything the trial started, and where the
// system allows it makes the trial die with fwapply (setDeathSignal).
func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(attr)
	return attr
}

// signalGroup sends sig to every process of the group pgid.
func signalGroup(pgid int, sig syscall.Signal) {
	_ = unix.Kill(-pgid, sig)
}

// signalProcess sends sig to process pid alone.
func signalProcess(pid int, sig syscall.Signal) {
	_ = unix.Kill(pid, sig)
}

// groupAlive reports whether the group pgid still has a process that is
// not a zombie. Zombies are ignored because the trial's orphans are reaped
// by init, which in a container may never do it.
func groupAlive(pgid int) bool {
	if err := unix.Kill(-pgid, 0); err == unix.ESRCH {
		return false
	}
	return !onlyZombies(pgid)
}

// signaled reports the name of the signal that ended the process, if one
// did, and whether it dumped core.
func signaled(ps *os.ProcessState) (name string, core, ok bool) {
	ws, isWS := ps.Sys().(syscall.WaitStatus)
	if !isWS || !ws.Signaled() {
		return "", false, false
	}
	name = unix.SignalName(ws.Signal())
	if name == "" {
		name = ws.Signal().String()
	}
	return name, ws.CoreDump(), true
}
