package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// ProcessFile is the record, in a trial directory, of the trial process
// running in it: written right after the start, removed once Run has
// reaped the process and its group. When a trial directory about to be
// prepared still holds one, an earlier fwapply died without cleaning up,
// and the process it names may still be running (stopLeftover).
const ProcessFile = ".frameworm-process.json"

// processRecord is the content of ProcessFile.
type processRecord struct {
	// PID is the trial process, which leads a process group of the same
	// number.
	PID int `json:"pid"`
	// Start is its start time in clock ticks since boot (Linux: field 22
	// of /proc/PID/stat), which tells it from a later process that got
	// the same number; 0 when unknown.
	Start uint64 `json:"start_ticks"`
	// BootID identifies the boot (Linux: /proc/sys/kernel/random/boot_id);
	// "" when unknown.
	BootID string `json:"boot_id"`
	Host   string `json:"host"`
	// Parent and ParentStart are the fwapply process that started the
	// trial.
	Parent      int    `json:"parent_pid"`
	ParentStart uint64 `json:"parent_start_ticks"`

	Lineage string    `json:"lineage"`
	Search  string    `json:"search"`
	Number  int       `json:"number"`
	Attempt int       `json:"attempt"`
	Started time.Time `json:"started"`
}

// procState is what /proc says of a process.
type procState int

const (
	procUnknown procState = iota // this system cannot tell
	procGone
	procZombie
	procRunning
)

// selfStart is the start time of this process, for the records of its trials.
var selfStart = sync.OnceValue(func() uint64 {
	start, st := procStart(os.Getpid())
	if st != procRunning {
		return 0
	}
	return start
})

// writeProcessRecord records the trial process pid in dir.
func writeProcessRecord(dir string, spec Spec, pid int, started time.Time) error {
	rec := processRecord{
		PID: pid, BootID: bootID(), Host: hostname(),
		Parent: os.Getpid(), ParentStart: selfStart(),
		Lineage: spec.Lineage, Search: spec.Search, Number: spec.Number, Attempt: spec.Attempt,
		Started: started.UTC(),
	}
	if start, st := procStart(pid); st == procRunning || st == procZombie {
		rec.Start = start
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ProcessFile), append(b, '\n'))
}

// removeProcessRecord removes the record once the process is gone.
func removeProcessRecord(dir string) {
	_ = os.Remove(filepath.Join(dir, ProcessFile))
}

// leftover is what stopLeftover found.
type leftover struct {
	rec    processRecord
	leader bool // the trial process itself is alive; else only its group
}

// findLeftover reads the process record of the trial directory dir and
// reports the process it names when that process, or the rest of its
// group, is still alive on this host in this boot. A record that cannot
// be read, or names another host or boot, or a process that is gone (its
// number now used by another process), is ignored: its process cannot be
// running here.
func findLeftover(dir string) (*leftover, error) {
	b, err := readLimited(filepath.Join(dir, ProcessFile), maxMarkerSize)
	if err != nil {
		return nil, nil
	}
	var rec processRecord
	if json.Unmarshal(b, &rec) != nil || rec.PID <= 0 {
		return nil, nil
	}
	boot := bootID()
	if rec.Host != hostname() || boot == "" || rec.BootID != boot || rec.Start == 0 {
		return nil, nil
	}
	var lo *leftover
	start, st := procStart(rec.PID)
	switch {
	case st == procRunning && start == rec.Start:
		lo = &leftover{rec: rec, leader: true}
	case st == procRunning:
		// The number belongs to another process now, so no group of the
		// trial's is left: the kernel does not reuse the number of a
		// process group that still has members.
		return nil, nil
	case groupAlive(rec.PID):
		lo = &leftover{rec: rec}
	default:
		return nil, nil
	}
	if rec.Parent > 0 && rec.Parent != os.Getpid() && alive(rec.Parent, rec.ParentStart) {
		return nil, fmt.Errorf("process %d runs trial %d of search %q in it for fwapply pid %d, which is still running; let that apply finish, or stop it, before running the trial again",
			rec.PID, rec.Number, rec.Search, rec.Parent)
	}
	return lo, nil
}

// alive reports whether process pid runs and started at start.
func alive(pid int, start uint64) bool {
	got, st := procStart(pid)
	return st == procRunning && got == start
}

// stopLeftover stops the process that the process record of dir names
// when it is still running (findLeftover): SIGTERM to its group, SIGKILL
// after the grace period, then it waits until nothing of the group is
// left. It returns the pid it stopped, 0 when there was nothing to stop,
// and an error when the process cannot be stopped (the trial must not
// start beside it).
func (l *Local) stopLeftover(dir string) (int, error) {
	lo, err := findLeftover(dir)
	if err != nil || lo == nil {
		return 0, err
	}
	pid := lo.rec.PID
	running := func() bool {
		return lo.leader && alive(pid, lo.rec.Start) || groupAlive(pid)
	}
	signal := func(sig syscall.Signal) {
		signalGroup(pid, sig)
		if lo.leader && alive(pid, lo.rec.Start) {
			signalProcess(pid, sig) // should it have left its group
		}
	}
	signal(syscall.SIGTERM)
	if waitUntil(l.grace(), func() bool { return !running() }) {
		removeProcessRecord(dir)
		return pid, nil
	}
	signal(syscall.SIGKILL)
	if waitUntil(reapWait, func() bool { return !running() }) {
		removeProcessRecord(dir)
		return pid, nil
	}
	return 0, fmt.Errorf("process %d of an earlier apply still runs in it and did not exit after SIGKILL; stop it by hand, then apply again", pid)
}

// waitUntil polls done until it holds, for at most d.
func waitUntil(d time.Duration, done func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
}

// leftoverNote is what the OnLeftover hook is told.
func leftoverNote(spec Spec, pid int) string {
	return "Stopped a leftover process of trial " + strconv.Itoa(spec.Number) + " of search " + strconv.Quote(spec.Search) +
		" (pid " + strconv.Itoa(pid) + ") from an earlier apply, which was still running in its trial directory."
}
