package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"sync"
	"time"
)

// Lock takes the lock on the state file: an exclusive flock on PATH.lock,
// which then holds the holder's LockInfo as JSON. It polls every 100 ms,
// backing off to 1 s, until ctx is done. Locks conflict between processes
// and between Lock calls in one process. The kernel releases the flock when
// the holder dies, so a stale PATH.lock left by a killed process does not
// block anyone.
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
			return unlocker(fd, path), nil
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

// ForceUnlock removes PATH.lock. A process that still holds the old lock
// keeps its flock on the removed file, but new Lock calls create a new file
// and succeed.
func (f *File) ForceUnlock(ctx context.Context) error {
	if err := os.Remove(f.lockPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the state lock: %w", err)
	}
	return nil
}

func (f *File) lockPath() string { return f.path + ".lock" }

// tryLock tries once to lock the file at path. It returns nil and no error
// when another holder has it.
func tryLock(path string) (*os.File, error) {
	for {
		fd, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
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
	cur, err := os.Stat(path)
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

// readLockInfo returns the holder's info, or nil when the lock file is
// missing, empty (the holder has not written it yet) or unreadable.
func readLockInfo(path string) *LockInfo {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var info LockInfo
	if json.Unmarshal(b, &info) != nil {
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
