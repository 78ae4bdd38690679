package state

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"time"
)

// RepairResult is what File.Repair found and did.
type RepairResult struct {
	// Damage is the first damage in the file, nil when there is none (then
	// Repair changed nothing). Its Offset is where the dropped bytes begin.
	Damage *CorruptError
	// Torn reports that the damage is only a last line without its newline,
	// a write cut short by a crash, which Load drops by itself.
	Torn bool
	// KeptLines is the number of lines kept: the header and the records
	// before the damage.
	KeptLines int
	// DroppedPath is the file, next to the state, that holds the dropped
	// bytes, fsynced before the state file was replaced; "" when no byte
	// was dropped.
	DroppedPath string
	// DroppedBytes is the number of bytes dropped: from Damage.Offset to
	// the end of the file.
	DroppedBytes int64
	// Dropped describes every dropped line, in file order.
	Dropped []DroppedLine
	// SnapshotCut reports that the damage was inside the snapshot, whose
	// size the header now gives as the records kept.
	SnapshotCut bool
	// NextRaised names the searches whose next trial number the header now
	// gives past the trials the dropped lines name, so that those numbers
	// (and their trial directories) are not used again.
	NextRaised []string
}

// DroppedLine is one line Repair dropped.
type DroppedLine struct {
	Line   int   // 1-based
	Offset int64 // of its first byte
	Size   int64 // its length in bytes, newline included
	// Change is the change the line holds when it still decodes (a line
	// whose only fault is a serial out of sequence, or a good line after
	// the damage), else nil. A last line without its newline is decoded as
	// if it had one.
	Change *Change
	// Err is why the line does not decode; nil when Change is set.
	Err error
	// InState reports, for a put, that the repaired state holds this very
	// record (a repeated line), and for a remove, that the repaired state
	// holds the trial it removed (which is back).
	InState bool
}

// Repair keeps the longest good beginning of a damaged state file: the
// header and every record before the first damaged line (see
// CorruptError). It first writes everything from the damage to the end to
// a new file next to the state, PATH.dropped-<UTC time>, and fsyncs it;
// only then does it install the repaired file, written to a temp file,
// checked to load, fsynced and renamed over PATH (the directory is fsynced
// too). PATH.backup is left alone. The header is rewritten only when the
// damage is inside the snapshot (its size becomes the records kept) or
// when a dropped line names a trial number past the next one (the next
// number is raised, so numbers are never reused).
//
// A file without damage is left unchanged and gives a result whose Damage
// is nil. A damaged header cannot be repaired: nothing can be read without
// it, and the error says so. The caller holds the lock. now names the
// dropped file.
func (f *File) Repair(ctx context.Context, now time.Time) (*RepairResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closeFile()
	f.known = false // whatever happens, read the file again before writing
	r, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no state file %s; there is nothing to repair", f.path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading state: %w", err)
	}
	defer r.Close()
	fi, err := r.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading state: %w", err)
	}
	size := fi.Size()
	rp, err := readJournal(ctx, r, f.path)
	var ce *CorruptError
	switch {
	case err == nil && rp.end == size:
		return &RepairResult{}, nil
	case err == nil: // a torn last line
		ce = &CorruptError{Path: f.path, Line: rp.records + 2, Offset: rp.end,
			Err: errors.New("the last line has no newline at its end: a write cut short by a crash")}
	case !errors.As(err, &ce):
		return nil, err
	case rp == nil:
		_, serr := os.Stat(f.path + ".backup")
		ce.HasBackup = serr == nil
		return nil, fmt.Errorf("cannot repair it: %w", ce)
	}
	res := &RepairResult{Damage: ce, Torn: err == nil, KeptLines: 1 + rp.records, DroppedBytes: size - rp.end}
	if res.Dropped, err = droppedLines(io.NewSectionReader(r, rp.end, size-rp.end), ce.Line, rp.end); err != nil {
		return nil, fmt.Errorf("reading state file %s: %w", f.path, err)
	}

	for i, d := range res.Dropped {
		switch c := d.Change; {
		case c == nil:
		case c.Put != nil:
			if t := rp.state.Trial(c.Put.Search, c.Put.Number); t != nil {
				a, aerr := encodeRecord(0, Change{Put: t})
				b, berr := encodeRecord(0, *c)
				res.Dropped[i].InState = aerr == nil && berr == nil && bytes.Equal(a, b)
			}
		case c.Remove != nil:
			res.Dropped[i].InState = rp.state.Trial(c.Remove.Search, c.Remove.Number) != nil
		}
	}

	// The header, rewritten when the snapshot lost records or a dropped
	// trial's number must not be used again.
	h := rp.header
	h.Next = maps.Clone(h.Next)
	if h.Next == nil {
		h.Next = map[string]int{}
	}
	if rp.records < h.Snapshot {
		h.Snapshot, res.SnapshotCut = rp.records, true
	}
	want := map[string]int{}
	for _, d := range res.Dropped {
		if d.Change != nil && d.Change.Put != nil {
			t := d.Change.Put
			want[t.Search] = max(want[t.Search], t.Number+1)
		}
	}
	for _, search := range slices.Sorted(maps.Keys(want)) {
		if want[search] > max(h.Next[search], rp.state.NextNumber(search)) {
			h.Next[search] = want[search]
			res.NextRaised = append(res.NextRaised, search)
		}
	}
	var headerLine []byte
	if res.SnapshotCut || len(res.NextRaised) > 0 {
		if headerLine, err = encodeHeader(h); err != nil {
			return nil, err
		}
	} else {
		headerLine = make([]byte, rp.bodyAt)
		if _, err := r.ReadAt(headerLine, 0); err != nil {
			return nil, fmt.Errorf("reading state file %s: %w", f.path, err)
		}
	}

	// First the dropped bytes, durably: once the repaired file is in
	// place, they exist nowhere else.
	if res.DroppedBytes > 0 {
		if res.DroppedPath, err = f.writeDropped(now, io.NewSectionReader(r, rp.end, res.DroppedBytes)); err != nil {
			return nil, err
		}
	}
	if f.crashAfter == "dropped" {
		return nil, errCrash
	}
	installed, tmp := false, ""
	defer func() {
		if !installed { // the state file is unchanged: it still holds the dropped bytes
			if tmp != "" {
				os.Remove(tmp)
			}
			if res.DroppedPath != "" {
				os.Remove(res.DroppedPath)
			}
		}
	}()
	f.removeStaleTemps()
	tmp, err = f.writeTemp(func(w *bufio.Writer) error {
		if _, err := w.Write(headerLine); err != nil {
			return err
		}
		_, err := io.Copy(w, io.NewSectionReader(r, rp.bodyAt, rp.end-rp.bodyAt))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("repairing state: %w; the state file is unchanged", err)
	}
	if err := checkLoads(ctx, tmp, f.path); err != nil {
		return nil, fmt.Errorf("repairing state: the repaired file does not load (%w); the state file is unchanged", err)
	}
	if f.crashAfter == "temp" {
		installed = true
		return nil, errCrash
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return nil, fmt.Errorf("repairing state: %w; the state file is unchanged", err)
	}
	installed = true
	if f.crashAfter == "rename" {
		return nil, errCrash
	}
	if err := f.syncDir(); err != nil {
		return nil, fmt.Errorf("repairing state: %w", err)
	}
	return res, nil
}

// droppedLines decodes the lines of r, the dropped end of a state file
// whose first line is line number first at byte offset at.
func droppedLines(r *io.SectionReader, first int, at int64) ([]DroppedLine, error) {
	lr := lineReader{r: bufio.NewReaderSize(r, int(min(r.Size()+1, 1<<20))), lineNo: first - 1, offset: at}
	var p parser
	var out []DroppedLine
	for {
		line, err := lr.next()
		if err != nil {
			return nil, err
		}
		if line == nil {
			return out, nil
		}
		d := DroppedLine{Line: lr.lineNo, Offset: lr.start, Size: lr.offset - lr.start}
		if !complete(line) {
			line = append(line[:len(line):len(line)], '\n')
		}
		if _, c, err := parseLine(&p, line); err != nil {
			d.Err = err
		} else {
			d.Change = &c
		}
		out = append(out, d)
	}
}

// writeDropped writes the bytes of r to a new file PATH.dropped-<now>,
// fsyncs it and the directory, and returns its path.
func (f *File) writeDropped(now time.Time, r io.Reader) (string, error) {
	base := f.path + ".dropped-" + now.UTC().Format("20060102T150405Z")
	name := base
	var out *os.File
	for i := 2; ; i++ {
		var err error
		out, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i > 100 {
			return "", fmt.Errorf("saving the damaged lines: %w; the state file is unchanged", err)
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	_, err := io.Copy(out, r)
	if err == nil {
		err = f.sync(out)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = f.syncDir()
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("saving the damaged lines to %s: %w; the state file is unchanged", name, err)
	}
	return name, nil
}

// checkLoads reads the journal at path (named as the state file at name)
// and reports any damage or warning.
func checkLoads(ctx context.Context, path, name string) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	rp, err := readJournal(ctx, r, name)
	if err != nil {
		return err
	}
	if len(rp.warnings) > 0 {
		return errors.New(rp.warnings[0].String())
	}
	return nil
}
