package state

import (
	"context"
	"fmt"
	"time"
)

// Backend stores a State. Implementations: File (the local journal) and,
// later, PostgreSQL. Package statetest checks the contract.
type Backend interface {
	// Load reads the whole state. A missing state is a new, empty State with
	// a fresh lineage, not an error. Warnings report what Load repaired (a
	// record torn by a crash) and must reach the user.
	Load(ctx context.Context) (*State, []Warning, error)
	// Append durably records one change: once it returns nil, a crash cannot
	// lose it. It is O(1) in the state size, assigns the change the serial
	// after the stored one, and is safe to call from several goroutines.
	// Keeping the in-memory State in step (State.Apply) is the caller's job.
	Append(ctx context.Context, c Change) error
}

// Compacter is implemented by backends whose storage grows with every
// change. Compact replaces the stored changes with one snapshot of s, which
// must be the stored state (same lineage and serial) with every appended
// change applied; loading afterwards gives a State equal to s.
type Compacter interface {
	Compact(ctx context.Context, s *State) error
}

// Batcher is implemented by backends that record many changes at once.
// AppendBatch records cs all or nothing: when it returns nil every change
// is durable, with consecutive serials after the stored one, in order; when
// it fails, or the process dies before it returns, the stored state is the
// old one, never a part of the batch. A remove may name a trial put earlier
// in the batch. Like Append, it leaves the in-memory State to the caller.
// An empty batch changes nothing.
type Batcher interface {
	AppendBatch(ctx context.Context, cs []Change) error
}

// Locker is the lock that stops two applies on one state. Two Lock calls
// conflict even within one process and on one Locker value.
type Locker interface {
	// Lock takes the lock, waiting until ctx is done (the -lock-timeout). It
	// tries at least once, so an already expired ctx means "do not wait". On
	// contention it returns a *LockError naming the holder. Unlock releases
	// the lock; calling it again does nothing.
	Lock(ctx context.Context, info LockInfo) (unlock func() error, err error)
	// ForceUnlock removes a lock whose holder is gone. Removing no lock is
	// not an error.
	ForceUnlock(ctx context.Context) error
}

// LockInfo describes a lock holder. Lock fills in the zero fields: a random
// ID, Who (user@host), PID, Created (now) and Path.
type LockInfo struct {
	ID        string    `json:"id"`
	Who       string    `json:"who"` // user@host
	PID       int       `json:"pid"`
	Operation string    `json:"operation"` // "apply", "plan", ...
	Created   time.Time `json:"created"`
	Path      string    `json:"path"` // what is locked
	// ProcessStart identifies the start of the holder's process (see
	// LockInfo.Liveness), so that a reused pid is not taken for the
	// holder. Empty where the OS does not tell, and in lock files of
	// older versions.
	ProcessStart string `json:"process_start,omitempty"`
}

// LockError is the error of a Lock that did not get the lock.
type LockError struct {
	Info *LockInfo // the holder's, when known
	Err  error     // why Lock gave up: usually the ctx error
}

func (e *LockError) Error() string {
	const advice = "wait for it to finish, retry with -lock-timeout=DURATION, or run fwapply force-unlock if that process is gone"
	i := e.Info
	if i == nil {
		return fmt.Sprintf("state is locked by another process (%v); %s", e.Err, advice)
	}
	return fmt.Sprintf("state is locked by %s; %s", i.describe(), advice)
}

func (e *LockError) Unwrap() error { return e.Err }

// Warning is something the user must hear about although the operation
// succeeded, such as a torn record dropped on Load.
type Warning struct {
	Summary string
	Detail  string
}

func (w Warning) String() string { return w.Summary + ": " + w.Detail }

// Replacer is implemented by backends whose whole stored state can be
// replaced at once: fwapply state push and init -migrate-state. Replace
// stores s as it is (lineage, serial, trials, next numbers and settings),
// all or nothing, whatever was stored before; checking that this is what
// the user wants (lineage, serial) is the caller's job. Loading afterwards
// gives a State equal to s.
type Replacer interface {
	Replace(ctx context.Context, s *State) error
}

// LockInspector is implemented by Lockers whose holder can be looked at
// before its lock is forced: fwapply force-unlock.
type LockInspector interface {
	// LockHolder returns the holder of the lock and what can be told of
	// its process. With no lock it returns nil and HolderGone. The info
	// is nil when the lock holds none that can be read; the holder is
	// then unknown.
	LockHolder(ctx context.Context) (*LockInfo, Liveness, error)
	// ForceUnlockHolder removes the lock if it is still the one whose
	// lock ID is id ("" for a lock without readable info): a lock that
	// changed hands since LockHolder stays, and the error names its
	// holder. No lock is not an error.
	ForceUnlockHolder(ctx context.Context, id string) error
}

// Watcher is implemented by backends that can tell when the stored state
// changes, so that a reader follows it without polling (show -watch).
type Watcher interface {
	// Watch returns a channel that receives a value soon after each
	// change to the stored state is durable (several changes may give
	// one value), until ctx is done; then the channel is closed. A
	// watch that breaks (a lost connection) closes the channel early:
	// the caller falls back to polling or watches again.
	Watch(ctx context.Context) (<-chan struct{}, error)
}
