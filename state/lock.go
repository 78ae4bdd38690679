package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// LockChecker is implemented by Lockers that can tell whether the lock
// they took is still theirs: fwapply force-unlock, or a hand, may have
// removed it, and another process may hold it now. A writer that holds a
// lock checks before it writes and stops when the lock is lost.
type LockChecker interface {
	// CheckLock returns nil while the lock this value's last Lock took
	// is held, and a *LockLostError once it is not. It returns an error
	// too when this value holds no lock, or when it cannot tell.
	CheckLock(ctx context.Context) error
}

// LockLostError is the error of CheckLock once the lock was taken away.
type LockLostError struct {
	Path   string    // the state
	Info   LockInfo  // the lock this process took
	Holder *LockInfo // who holds the lock now, when known
	// How says how the lock was lost, for backends other than File
	// ("its database session ended and the lock row names another
	// holder"); empty for File, whose lock file was removed.
	How string
}

func (e *LockLostError) Error() string {
	now := "no one holds it now"
	if e.Holder != nil {
		now = "it is now held by " + e.Holder.describe()
	}
	how := "its lock file was removed, by fwapply force-unlock or by hand"
	if e.How != "" {
		how = e.How
	}
	return fmt.Sprintf("the lock on %s was taken from this process (lock ID %s): %s, and %s",
		clean(e.Path), clean(e.Info.ID), how, now)
}

// Liveness is what this process can tell about a lock holder's process.
type Liveness int

const (
	// HolderUnknown: the holder ran on another host, or its lock records
	// no process, so whether it still runs cannot be checked from here.
	HolderUnknown Liveness = iota
	// HolderAlive: the holder's process still runs on this host.
	HolderAlive
	// HolderGone: the holder's process no longer runs, or nothing holds
	// the lock.
	HolderGone
)

// Liveness checks the holder's process when it ran on this host (the host
// part of Who is this host's name): a process with its PID that exists,
// even one this user may not signal, is alive, unless it has exited but
// not been reaped, or the lock records a ProcessStart that differs from
// the process's (the pid was reused). Where the OS does not tell process
// start times, a live pid is enough.
func (i *LockInfo) Liveness() Liveness {
	if i == nil || i.PID <= 0 {
		return HolderUnknown
	}
	host, err := os.Hostname()
	if err != nil || i.Host() != host {
		return HolderUnknown
	}
	return processLiveness(i.PID, i.ProcessStart)
}

// Host returns the host part of Who, or "" when Who has none.
func (i *LockInfo) Host() string {
	at := strings.LastIndexByte(i.Who, '@')
	if at < 0 {
		return ""
	}
	return i.Who[at+1:]
}

// String describes the holder for people, as lock errors do: user@host
// (pid N) for OPERATION since TIME; lock ID ID.
func (i *LockInfo) String() string { return i.describe() }

// describe renders the holder for messages: user@host (pid N) for
// OPERATION since TIME; lock ID ID. A lock file is outside input: its
// fields are cleaned of control characters and cut to a sane length.
// Fields a hand-written lock file leaves out are left out.
func (i *LockInfo) describe() string {
	var b strings.Builder
	b.WriteString(clean(i.Who))
	if i.Who == "" {
		b.WriteString("an unnamed holder")
	}
	if i.PID != 0 {
		fmt.Fprintf(&b, " (pid %d)", i.PID)
	}
	if i.Operation != "" {
		fmt.Fprintf(&b, " for %s", clean(i.Operation))
	}
	if !i.Created.IsZero() {
		fmt.Fprintf(&b, " since %s", i.Created.UTC().Format(time.RFC3339))
	}
	if i.ID != "" {
		fmt.Fprintf(&b, "; lock ID %s", clean(i.ID))
	}
	return b.String()
}

// clean makes text from a lock file safe to print: control and format
// characters (terminal escapes, bidi overrides) become '?', and text past
// 200 characters is cut.
func clean(s string) string {
	const limit = 200
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == limit {
			b.WriteString("…")
			break
		}
		n++
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Lock takes the lock on the state file: an exclusive flock on PATH.lock,
// which then holds the holder's LockInfo as JSON. It polls every 100 ms,
// backing off to 1 s, until ctx is done. Locks conflict between processes
// and between Lock calls in one process. The kernel releases the flock when
// the holder dies, so a stale PATH.lock left by a killed process does not
// block anyone.
//
// Once it holds the lock, Lock removes the temp files a crash left beside
// the state (of a compaction, or of a state file being created): no one
// else can be writing them.
func (f *File) Lock(ctx context.Context, info LockInfo) (func() error, error) {
	info = f.fillLockInfo(info)
	path := f.lockPath()
	wait := 100 * time.Millisecond
	for {
		fd, err := tryLock(path)
		if err != nil {
			return nil, err
		}
		if fd != nil {
			if err := f.writeLockInfo(fd, info); err != nil {
				os.Remove(path)
				fd.Close()
				return nil, err
			}
			f.removeStaleTemps()
			f.held.set(fd, info)
			unlock := unlocker(fd, path)
			return func() error {
				f.held.clear(fd)
				return unlock()
			}, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &LockError{Info: readLockInfo(path), Err: ctx.Err()}
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// heldLock is the lock a File holds, if any.
type heldLock struct {
	mu   sync.Mutex // held while the lock's fd is in use, so unlock cannot close it under CheckLock
	fd   *os.File   // nil when the File holds no lock
	info LockInfo
}

func (h *heldLock) set(fd *os.File, info LockInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fd, h.info = fd, info
}

func (h *heldLock) clear(fd *os.File) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fd == fd {
		h.fd, h.info = nil, LockInfo{}
	}
}

// CheckLock implements LockChecker: the lock is still held when the file
// at PATH.lock is the one Lock flocked and still holds its lock ID. It
// costs two stats and a read of the small lock file.
func (f *File) CheckLock(ctx context.Context) error {
	h := &f.held
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fd == nil {
		return fmt.Errorf("checking the lock on %s: this process does not hold it", f.path)
	}
	path := f.lockPath()
	at, err := stillAt(h.fd, path)
	if err != nil {
		return fmt.Errorf("checking the lock on %s: %w; stopping, since another process may hold it", f.path, err)
	}
	var now *LockInfo
	if at {
		now = readLockInfoFrom(h.fd)
		if now != nil && now.ID == h.info.ID {
			return nil
		}
	} else {
		now = readLockInfo(path)
	}
	return &LockLostError{Path: f.path, Info: h.info, Holder: now}
}

// ForceUnlock removes PATH.lock, whoever holds it. A process that still
// holds the old lock keeps its flock on the removed file, but new Lock
// calls create a new file and succeed. fwapply force-unlock checks the
// holder first (LockHolder) and removes only the lock it checked
// (ForceUnlockHolder).
func (f *File) ForceUnlock(ctx context.Context) error {
	if err := os.Remove(f.lockPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the state lock: %w", err)
	}
	return nil
}

// LockHolder reads the holder of the lock and tells whether it still
// runs. With no lock file it returns nil and HolderGone. When no process
// holds the flock (its holder died, and the kernel released it), the
// holder is gone whatever its pid; otherwise LockInfo.Liveness says. The
// info is nil when the lock file holds none that can be read (its holder
// has not written it yet, or it is damaged); the holder is then unknown.
func (f *File) LockHolder(ctx context.Context) (*LockInfo, Liveness, error) {
	fd, err := os.Open(f.lockPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, HolderGone, nil
	}
	if err != nil {
		return nil, HolderUnknown, fmt.Errorf("reading the state lock: %w", err)
	}
	defer fd.Close() // releases the flock below, if taken
	info := readLockInfoFrom(fd)
	if ok, err := flock(fd); err == nil && ok {
		return info, HolderGone, nil
	}
	if info == nil {
		return nil, HolderUnknown, nil
	}
	return info, info.Liveness(), nil
}

// ForceUnlockHolder removes the lock file if it still names the holder
// whose lock ID is id ("" for a lock file without readable info): a lock
// that changed hands since the caller read it (LockHolder) stays, and the
// error names its holder. No lock file is not an error.
func (f *File) ForceUnlockHolder(ctx context.Context, id string) error {
	path := f.lockPath()
	fd, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("removing the state lock: %w", err)
	}
	defer fd.Close()
	// When no one holds the flock, hold it while removing, so that no one
	// takes the lock in between.
	if ok, err := flock(fd); err == nil && ok {
		if at, _ := stillAt(fd, path); !at {
			return nil // released meanwhile; a new file there is someone else's
		}
	}
	now := readLockInfoFrom(fd)
	nowID := ""
	if now != nil {
		nowID = now.ID
	}
	if nowID != id {
		holder := "a holder whose lock file cannot be read"
		if now != nil {
			holder = now.describe()
		}
		return fmt.Errorf("the lock changed hands while force-unlock looked at it: %s holds it now; it was left in place, run fwapply force-unlock again if that holder is gone too", holder)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the state lock: %w", err)
	}
	return nil
}

func (f *File) lockPath() string { return f.path + ".lock" }

// tryLock tries once to lock the file at path. It returns nil and no error
// when another holder has it. It does not follow a symbolic link at path,
// which would make it write the lock into another file.
func tryLock(path string) (*os.File, error) {
	for {
		fd, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|openNoFollow, 0o644)
		if err != nil {
			if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("locking state: %s is a symbolic link; remove it (fwapply creates the lock file itself)", path)
			}
			return nil, fmt.Errorf("locking state: %w", err)
		}
		ok, err := flock(fd)
		if err != nil || !ok {
			fd.Close()
			if err != nil {
				return nil, fmt.Errorf("locking state: %s: %w", path, err)
			}
			return nil, nil
		}
		// The holder may have removed the file between our open and flock
		// (its unlock or a force-unlock): then we hold a lock on a file no
		// one else will open. Try again with the file at path.
		at, err := stillAt(fd, path)
		if at {
			return fd, nil
		}
		fd.Close()
		if err != nil {
			return nil, fmt.Errorf("locking state: %w", err)
		}
	}
}

// stillAt reports whether fd is the file at path. A missing path is not an
// error.
func stillAt(fd *os.File, path string) (bool, error) {
	own, err := fd.Stat()
	if err != nil {
		return false, err
	}
	cur, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(own, cur), nil
}

func unlocker(fd *os.File, path string) func() error {
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			// Remove the file only if it is still ours: after a force-unlock
			// it may be someone else's. Then release the flock by closing.
			if at, _ := stillAt(fd, path); at {
				if rerr := os.Remove(path); rerr != nil {
					err = fmt.Errorf("unlocking state: %w", rerr)
				}
			}
			if cerr := fd.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("unlocking state: %w", cerr)
			}
		})
		return err
	}
}

func (f *File) fillLockInfo(info LockInfo) LockInfo {
	if info.ID == "" {
		info.ID = newUUID()
	}
	if info.Who == "" {
		info.Who = whoAmI()
	}
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.ProcessStart == "" && info.PID == os.Getpid() {
		info.ProcessStart = processStart(info.PID)
	}
	if info.Created.IsZero() {
		info.Created = time.Now().UTC()
	}
	if info.Path == "" {
		info.Path = f.path
	}
	return info
}

func (f *File) writeLockInfo(fd *os.File, info LockInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("locking state: %w", err)
	}
	if err := fd.Truncate(0); err != nil {
		return fmt.Errorf("locking state: %w", err)
	}
	if _, err := fd.WriteAt(append(b, '\n'), 0); err != nil {
		return fmt.Errorf("locking state: %w", err)
	}
	if err := f.sync(fd); err != nil {
		return fmt.Errorf("locking state: %w", err)
	}
	return nil
}

// maxLockFile bounds what is read of a lock file; a real one is a few
// hundred bytes.
const maxLockFile = 64 << 10

// readLockInfo returns the holder's info, or nil when the lock file is
// missing, empty (the holder has not written it yet) or unreadable.
func readLockInfo(path string) *LockInfo {
	fd, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fd.Close()
	return readLockInfoFrom(fd)
}

// readLockInfoFrom reads the lock info from the start of fd.
func readLockInfoFrom(fd *os.File) *LockInfo {
	b, err := io.ReadAll(io.NewSectionReader(fd, 0, maxLockFile+1))
	if err != nil || len(b) > maxLockFile {
		return nil
	}
	return parseLockInfo(b)
}

// parseLockInfo decodes the contents of a lock file, or returns nil when
// they are not a lock's info (not a JSON object, or one naming no holder).
func parseLockInfo(b []byte) *LockInfo {
	var info LockInfo
	if json.Unmarshal(b, &info) != nil || info.ID == "" && info.Who == "" && info.PID == 0 {
		return nil
	}
	return &info
}

// whoAmI returns user@host.
func whoAmI() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return name + "@" + host
}
