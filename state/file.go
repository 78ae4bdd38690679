package state

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// File is the local state backend: a journal file (see journal.go for the
// format) with PATH.backup, the file as it was before the last compaction,
// and PATH.lock, the lock. It implements Backend, Compacter and Locker.
//
// Crash safety: Append writes each record with one write and fsyncs it; a
// new file appears with its header complete (written to a temp file and
// linked into place); Compact installs its snapshot with an atomic rename,
// so PATH always holds a complete old or new file. A record torn by a crash
// can only be the last line: Load drops it with a Warning, and the next
// Append truncates it away before writing.
//
// One process writes at a time (hold the Lock); within the process, the
// methods are safe for concurrent use. Load first: an Append or Compact on a
// File that has not been loaded reads the file once to learn its lineage
// and serial (and its warnings are then lost).
type File struct {
	path string

	noSync     bool   // tests and benchmarks: skip every fsync
	crashAfter string // tests: stop Compact after this step as if the process died

	mu      sync.Mutex
	known   bool                  // the fields below describe the file
	exists  bool                  // the file exists
	lineage string                // of the stored state
	serial  uint64                // of the stored state
	keys    map[TrialRef]struct{} // the stored trials, to refuse bad removes
	end     int64                 // end of the last good record
	dirty   bool                  // bytes past end must go before the next append
	f       *os.File              // open for appending, or nil
}

// NewFile returns the backend for the state file at path. Nothing is read
// or created until it is used.
func NewFile(path string) *File { return &File{path: path} }

// Path returns the path of the state file.
func (f *File) Path() string { return f.path }

// Close closes the file kept open between appends. The File stays usable.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closeFile()
}

func (f *File) closeFile() error {
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}

// Load reads the state file.
func (f *File) Load(ctx context.Context) (*State, []Warning, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load(ctx)
}

func (f *File) load(ctx context.Context) (*State, []Warning, error) {
	f.closeFile() // the path may hold another file now; reopen on the next append
	f.known = false
	r, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		s := New()
		f.known, f.exists, f.lineage, f.serial, f.keys, f.end, f.dirty = true, false, s.Lineage, 0, map[TrialRef]struct{}{}, 0, false
		return s, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading state: %w", err)
	}
	defer r.Close()
	rp, err := readJournal(ctx, r, f.path)
	if err != nil {
		return nil, nil, err
	}
	f.known, f.exists, f.lineage, f.serial, f.keys, f.end = true, true, rp.state.Lineage, rp.state.Serial, rp.keys, rp.end
	f.dirty = rp.size > rp.end
	return rp.state, rp.warnings, nil
}

// Append durably records one change.
func (f *File) Append(ctx context.Context, c Change) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Put != nil {
		t, err := normalizeTrial(c.Put)
		if err != nil {
			return err
		}
		c.Put = t
	}
	if c.Settings != nil {
		ss, err := normalizeSettings(c.Settings)
		if err != nil {
			return err
		}
		c.Settings = ss
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known {
		if _, _, err := f.load(ctx); err != nil {
			return err
		}
	}
	if c.Remove != nil {
		if _, ok := f.keys[*c.Remove]; !ok {
			return fmt.Errorf("cannot remove trial %s: there is no such trial in %s", *c.Remove, f.path)
		}
	}
	line, err := encodeRecord(f.serial+1, c)
	if err != nil {
		return err
	}
	if err := f.openForAppend(); err != nil {
		return err
	}
	if _, err := f.f.Write(line); err != nil {
		f.failed()
		return fmt.Errorf("writing state file: %w; the change was not recorded", err)
	}
	if err := f.sync(f.f); err != nil {
		f.failed()
		return fmt.Errorf("writing state file: %w; the change was not recorded", err)
	}
	f.serial++
	f.end += int64(len(line))
	switch {
	case c.Put != nil:
		f.keys[c.Put.Ref()] = struct{}{}
	case c.Remove != nil:
		delete(f.keys, *c.Remove)
	}
	return nil
}

// failed forgets the open file after a failed write: whatever part of the
// record reached the file is cut off before the next append.
func (f *File) failed() {
	f.closeFile()
	f.dirty = true
}

// openForAppend makes f.f ready: the file exists with its header, and ends
// at the last good record.
func (f *File) openForAppend() error {
	if f.f != nil {
		return nil
	}
	if !f.exists {
		if err := f.create(); err != nil {
			return err
		}
	}
	fd, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("opening state file: %w", err)
	}
	if f.dirty {
		if err := fd.Truncate(f.end); err != nil {
			fd.Close()
			return fmt.Errorf("cutting the torn record off the state file: %w", err)
		}
		if err := f.sync(fd); err != nil {
			fd.Close()
			return fmt.Errorf("cutting the torn record off the state file: %w", err)
		}
		f.dirty = false
	}
	f.f = fd
	return nil
}

// create makes the state file, header only. It links a complete temp file
// into place, so the file never exists half-written and an existing file is
// never replaced.
func (f *File) create() error {
	hl, err := encodeHeader(header{Lineage: f.lineage, Serial: f.serial})
	if err != nil {
		return err
	}
	tmp, err := f.writeTemp(func(w *bufio.Writer) error {
		_, err := w.Write(hl)
		return err
	})
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, f.path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("creating state file: %s appeared after the state was loaded (is another process using it without the lock?); run the command again", f.path)
		}
		return fmt.Errorf("creating state file: %w", err)
	}
	if err := f.syncDir(); err != nil {
		return fmt.Errorf("creating state file: %w", err)
	}
	f.exists, f.end, f.dirty = true, int64(len(hl)), false
	return nil
}

// Compact replaces the journal with a snapshot of s, keeping the previous
// file as PATH.backup. s must be the stored state: same lineage and serial.
func (f *File) Compact(ctx context.Context, s *State) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known {
		if _, _, err := f.load(ctx); err != nil {
			return err
		}
	}
	if f.exists && (s.Lineage != f.lineage || s.Serial != f.serial) {
		return fmt.Errorf("cannot compact %s: the state to write (lineage %s, serial %d) is not the stored one (lineage %s, serial %d); load the state again",
			f.path, s.Lineage, s.Serial, f.lineage, f.serial)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.removeStaleTemps()
	tmp, err := f.writeTemp(func(w *bufio.Writer) error { return writeSnapshot(w, s) })
	if err != nil {
		return err
	}
	if f.crashAfter == "temp" {
		return errCrash
	}
	installed := false
	defer func() {
		if !installed {
			os.Remove(tmp)
		}
	}()
	if f.exists {
		// Link, then rename over the old backup: PATH.backup is always a
		// complete file too.
		bak := f.path + ".backup.tmp-" + rand.Text()
		if err := os.Link(f.path, bak); err != nil {
			return fmt.Errorf("compacting state: keeping a backup: %w", err)
		}
		err := os.Rename(bak, f.path+".backup")
		// After a crash PATH.backup may be a link to PATH already; then
		// the rename does nothing and leaves bak.
		os.Remove(bak)
		if err != nil {
			return fmt.Errorf("compacting state: keeping a backup: %w", err)
		}
	}
	if f.crashAfter == "backup" {
		installed = true
		return errCrash
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("compacting state: %w", err)
	}
	installed = true
	f.closeFile() // it is the old file now
	if f.crashAfter == "rename" {
		return errCrash
	}
	if err := f.syncDir(); err != nil {
		f.known = false // unsure which file a crash would leave: read it again before writing
		return fmt.Errorf("compacting state: %w", err)
	}
	fi, err := os.Stat(f.path)
	if err != nil {
		f.known = false
		return fmt.Errorf("compacting state: %w", err)
	}
	keys := make(map[TrialRef]struct{}, s.Len())
	for _, m := range s.trials {
		for _, t := range m {
			keys[t.Ref()] = struct{}{}
		}
	}
	f.known, f.exists, f.lineage, f.serial, f.keys, f.end, f.dirty = true, true, s.Lineage, s.Serial, keys, fi.Size(), false
	return nil
}

var errCrash = errors.New("simulated crash")

// writeTemp writes a new file next to the state file and fsyncs it. It
// returns its path.
func (f *File) writeTemp(write func(*bufio.Writer) error) (string, error) {
	t, err := os.CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing state: %w", err)
	}
	if fi, err := os.Stat(f.path); err == nil {
		t.Chmod(fi.Mode().Perm()) // keep the mode the user gave the state file
	}
	w := bufio.NewWriterSize(t, 1<<20)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.sync(t)
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(t.Name())
		return "", fmt.Errorf("writing state: %w", err)
	}
	return t.Name(), nil
}

// removeStaleTemps removes temp files a crash left behind. The caller holds
// the lock, so no other process is writing them.
func (f *File) removeStaleTemps() {
	dir, base := filepath.Dir(f.path), filepath.Base(f.path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, base+".tmp-") || strings.HasPrefix(n, base+".backup.tmp-") {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

func (f *File) sync(fd *os.File) error {
	if f.noSync {
		return nil
	}
	return fd.Sync()
}

// syncDir makes renames and new names in the state file's directory durable.
func (f *File) syncDir() error {
	if f.noSync || runtime.GOOS == "windows" { // Windows cannot sync a directory
		return nil
	}
	d, err := os.Open(filepath.Dir(f.path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
