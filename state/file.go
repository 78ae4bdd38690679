package state

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// File is the local state backend: a journal file (see journal.go for the
// format) with PATH.backup, the file as it was before the last compaction,
// and PATH.lock, the lock. It implements Backend, Batcher, Compacter and
// Locker, and LockChecker (lock.go).
//
// Crash safety: Append writes each record with one write and fsyncs it; a
// new file appears with its header complete (written to a temp file and
// linked into place); Compact installs its snapshot with an atomic rename,
// so PATH always holds a complete old or new file; AppendBatch writes the
// file and its new records to a temp file and renames it into place, so a
// batch is recorded whole or not at all. A record torn by a crash can only
// be the last line, and it lacks its newline: Load drops it with a
// Warning, and the next Append truncates it away before writing. Any other
// bad line, even a complete last one, is a *CorruptError: Load, Append,
// AppendBatch and Compact refuse the file, and Repair keeps the records
// before the damage and saves the rest next to the state.
//
// One process writes at a time (hold the Lock); within the process, the
// methods are safe for concurrent use. Load first: an Append or Compact on a
// File that has not been loaded reads the file once to learn its lineage
// and serial (and its warnings are then lost).
type File struct {
	path string

	noSync     bool   // tests and benchmarks: skip every fsync
	crashAfter string // tests: stop Compact, AppendBatch or Repair after this step as if the process died

	mu      sync.Mutex
	known   bool                  // the fields below describe the file
	exists  bool                  // the file exists
	lineage string                // of the stored state
	serial  uint64                // of the stored state
	keys    map[TrialRef]struct{} // the stored trials, to refuse bad removes
	end     int64                 // end of the last good record
	dirty   bool                  // bytes past end must go before the next append
	f       *os.File              // open for appending, or nil
	snapEnd int64                 // end of the last compaction's snapshot; what follows was appended since
	partial bool                  // loaded with LoadWith: Compact refuses

	held heldLock // the lock this File holds, for CheckLock (lock.go)
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
	return f.load(ctx, nil)
}

// LoadOptions change what Load keeps of a state.
type LoadOptions struct {
	// Trial, when set, is called with each trial record as it is read,
	// in file order (a trial recorded several times is seen each time),
	// and the state keeps what it returns instead: a reader that needs
	// only some fields of many trials returns the record without the
	// others, and a large state then takes that much less memory. It
	// may modify the record it is given, but must keep its Search and
	// Number.
	Trial func(*Trial) *Trial
}

// LoadWith is Load with options. With a Trial option the state returned
// may not be the stored one, so Compact refuses until the next Load.
func (f *File) LoadWith(ctx context.Context, o LoadOptions) (*State, []Warning, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load(ctx, o.Trial)
}

func (f *File) load(ctx context.Context, keep func(*Trial) *Trial) (*State, []Warning, error) {
	f.partial = keep != nil
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
	rp, err := readJournalWith(ctx, r, f.path, keep)
	if err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) {
			_, serr := os.Stat(f.path + ".backup")
			ce.HasBackup = serr == nil
		}
		return nil, nil, err
	}
	f.known, f.exists, f.lineage, f.serial, f.keys, f.end = true, true, rp.state.Lineage, rp.state.Serial, rp.keys, rp.end
	f.snapEnd = rp.snapEnd
	f.dirty = rp.size > rp.end
	return rp.state, rp.warnings, nil
}

// Append durably records one change.
func (f *File) Append(ctx context.Context, c Change) error {
	c, err := prepare(c)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known {
		if _, _, err := f.load(ctx, nil); err != nil {
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

// prepare validates a change and normalizes its trial or settings as
// State.Apply does, so that what is written reads back as applied.
func prepare(c Change) (Change, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	if c.Put != nil {
		t, err := normalizeTrial(c.Put)
		if err != nil {
			return c, err
		}
		c.Put = t
	}
	if c.Settings != nil {
		ss, err := normalizeSettings(c.Settings)
		if err != nil {
			return c, err
		}
		c.Settings = ss
	}
	return c, nil
}

// AppendBatch durably records cs all or nothing (see Batcher). It writes
// the file as it is (up to its last good record) and the new records to a
// temp file, fsyncs it and renames it over PATH (links it, for a new
// file), then fsyncs the directory: PATH is at every moment the old file
// or the new one. It costs one copy of the file, not one fsync per change.
func (f *File) AppendBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	cs = slices.Clone(cs)
	for i, c := range cs {
		var err error
		if cs[i], err = prepare(c); err != nil {
			return fmt.Errorf("change %d of the batch: %w; nothing was recorded", i+1, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known {
		if _, _, err := f.load(ctx, nil); err != nil {
			return err
		}
	}
	// The trials as the batch changes them, over f.keys: true when put,
	// false when removed.
	batch, bad := BatchTrials(cs, func(ref TrialRef) bool { _, ok := f.keys[ref]; return ok })
	if bad >= 0 {
		return fmt.Errorf("change %d of the batch: cannot remove trial %s: there is no such trial in %s; nothing was recorded", bad+1, *cs[bad].Remove, f.path)
	}
	var old *os.File
	if f.exists {
		var err error
		if old, err = os.Open(f.path); err != nil {
			return fmt.Errorf("reading state file: %w; nothing was recorded", err)
		}
		defer old.Close()
	}
	var size int64
	tmp, err := f.writeTemp(func(w *bufio.Writer) error {
		if old != nil {
			n, err := io.CopyN(w, old, f.end)
			if err != nil {
				return fmt.Errorf("copying the state file: %w", err)
			}
			size = n
		} else {
			hl, err := encodeHeader(header{Lineage: f.lineage, Serial: f.serial})
			if err != nil {
				return err
			}
			n, err := w.Write(hl)
			if err != nil {
				return err
			}
			size = int64(n)
		}
		for i, c := range cs {
			if f.crashAfter == "batch-write" && i == len(cs)/2 {
				return errCrash
			}
			line, err := encodeRecord(f.serial+uint64(i)+1, c)
			if err != nil {
				return fmt.Errorf("change %d of the batch: %w", i+1, err)
			}
			n, err := w.Write(line)
			if err != nil {
				return err
			}
			size += int64(n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w; nothing was recorded", err)
	}
	if f.crashAfter == "batch-temp" {
		return errCrash
	}
	defer os.Remove(tmp) // after a rename, nothing is there any more
	if f.exists {
		err = os.Rename(tmp, f.path)
	} else if err = os.Link(tmp, f.path); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating state file: %s appeared after the state was loaded (is another process using it without the lock?); nothing was recorded; run the command again", f.path)
	}
	if err != nil {
		return fmt.Errorf("writing state file: %w; nothing was recorded", err)
	}
	f.closeFile() // it is the old file now
	if f.crashAfter == "batch-rename" {
		f.known = false
		return errCrash
	}
	if err := f.syncDir(); err != nil {
		f.known = false // unsure which file a crash would leave: read it again before writing
		return fmt.Errorf("writing state file: %w; the batch may or may not be recorded, load the state to see", err)
	}
	for ref, there := range batch {
		if there {
			f.keys[ref] = struct{}{}
		} else {
			delete(f.keys, ref)
		}
	}
	f.exists, f.serial, f.end, f.dirty = true, f.serial+uint64(len(cs)), size, false
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

// CompactionDue reports whether an apply should compact the file: when
// the changes appended since the last compaction make up a quarter of it
// or more, or the file is smaller than 1 MiB. Compacting a large state
// rewrites all of it, so doing it only then costs O(1) per change,
// amortized, and keeps a load within 4/3 of the work of reading the
// snapshot alone.
func (f *File) CompactionDue() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known || !f.exists || f.end < 1<<20 {
		return true
	}
	return (f.end-f.snapEnd)*4 >= f.end
}

// Compact replaces the journal with a snapshot of s, keeping the previous
// file as PATH.backup. s must be the stored state: same lineage and serial.
func (f *File) Compact(ctx context.Context, s *State) error {
	return f.rewrite(ctx, s, true)
}

// Replace implements Replacer: it writes s as the state file, whatever the
// file held, atomically as Compact does (keeping the previous file as
// PATH.backup).
func (f *File) Replace(ctx context.Context, s *State) error {
	return f.rewrite(ctx, s, false)
}

// rewrite writes s as a snapshot over the state file; with check, s must be
// the stored state.
func (f *File) rewrite(ctx context.Context, s *State, check bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if check && f.partial {
		return fmt.Errorf("cannot compact %s: it was loaded with LoadWith, which may leave fields out of the state; load it with Load first", f.path)
	}
	if !f.known {
		if _, _, err := f.load(ctx, nil); err != nil {
			return err
		}
	}
	if check && f.exists && (s.Lineage != f.lineage || s.Serial != f.serial) {
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
	f.snapEnd = fi.Size()
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
	w := bufio.NewWriterSize(t, int(min(max(f.end, 64<<10), 1<<20))) // sized like the file: small states are common
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
