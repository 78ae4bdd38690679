//go:build !unix

package runtime

import (
	"os"
	"syscall"
)

// On systems without process groups only the trial process itself is
// stopped, at once.

func sysProcAttr() *syscall.SysProcAttr { return nil }

func signalGroup(pid int, _ syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

func groupAlive(int) bool { return false }

func signaled(*os.ProcessState) (string, bool, bool) { return "", false, false }

func signalProcess(pid int, _ syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

func procStart(int) (uint64, procState) { return 0, procUnknown }

func bootID() string { return "" }
