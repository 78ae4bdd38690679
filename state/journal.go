package state

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The journal format, one JSON document per line:
//
//	{"format":"frameworm-state","version":1,"c":"<crc>","h":{"lineage":"…","serial":N,"next":{"search":K},"snapshot":M}}
//	{"c":"<crc>","r":{"serial":N,"put":{…trial…}}}
//	{"c":"<crc>","r":{"serial":N+1,"remove":{"search":"…","number":K}}}
//
// <crc> is the CRC-32C (Castagnoli) of the exact bytes of "h" or "r", as 8
// lowercase hex digits. The header's "next" holds the next trial numbers and
// "snapshot" the number of put records that follow it and form the snapshot
// written by Compact; those carry the header's serial. Every later record is
// one change and carries the serial after the previous one.
const (
	formatName    = "frameworm-state"
	formatVersion = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type header struct {
	Lineage  string         `json:"lineage"`
	Serial   uint64         `json:"serial"`
	Next     map[string]int `json:"next"`
	Snapshot int            `json:"snapshot"`
}

// record is one record's payload ("r").
type record struct {
	Serial uint64     `json:"serial"`
	Put    *wireTrial `json:"put,omitempty"`
	Remove *TrialRef  `json:"remove,omitempty"`
	// Settings records are written by this release and later; an older
	// fwapply refuses a state that holds one.
	Settings *SearchSettings `json:"settings,omitempty"`
}

// encodeHeader returns the header line of a state.
func encodeHeader(h header) ([]byte, error) {
	h.Next = maps.Clone(h.Next)
	if h.Next == nil {
		h.Next = map[string]int{}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encoding state header: %w", err)
	}
	line := fmt.Appendf(nil, `{"format":%q,"version":%d,"c":"%08x","h":`, formatName, formatVersion, checksum(b))
	return append(append(line, b...), "}\n"...), nil
}

// encodeRecord returns one record line.
func encodeRecord(serial uint64, c Change) ([]byte, error) {
	return appendRecordLine(make([]byte, 0, 1024), serial, c)
}

// appendRecordLine appends one record line to b. The payload is written
// by appendRecord, byte for byte what encoding/json wrote for the record
// struct, without reflection.
func appendRecordLine(b []byte, serial uint64, c Change) ([]byte, error) {
	const prefix = `{"c":"00000000","r":`
	start := len(b)
	b, err := appendRecord(append(b, prefix...), serial, c)
	if err != nil {
		return nil, fmt.Errorf("encoding state record: %w", err)
	}
	sum := checksum(b[start+len(prefix):])
	const hexDigit = "0123456789abcdef"
	for i := range 8 {
		b[start+len(`{"c":"`)+i] = hexDigit[sum>>(28-4*i)&0xf]
	}
	return append(b, "}\n"...), nil
}

// MarshalTrial returns the JSON object of a trial as the state file's
// records hold it: the fields of Trial, with every float64 of its params
// and config written with a '.' or an exponent, so that TrialDecoder reads
// int64 and float64 values back as they were (encoding/json writes a whole
// float64 like an integer).
func MarshalTrial(t *Trial) ([]byte, error) {
	b, err := appendTrial(nil, t) // what json.Marshal writes for a wireTrial
	if err != nil {
		return nil, fmt.Errorf("encoding trial %s: %w", t.Ref(), err)
	}
	return b, nil
}

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// verify checks a payload against the checksum text of its line.
func verify(sum string, payload []byte) error {
	want, err := strconv.ParseUint(sum, 16, 32)
	if len(sum) != 8 || err != nil {
		return fmt.Errorf("invalid checksum %q", sum)
	}
	if got := checksum(payload); got != uint32(want) {
		return fmt.Errorf("checksum mismatch: the line says %s, its record has %08x", sum, got)
	}
	return nil
}

// splitRecord returns the checksum text and the payload of a record line
// (without its newline). It parses the exact layout encodeRecord writes
// without a JSON decoder, and falls back to one for anything else.
func splitRecord(line []byte) (sum string, payload []byte, err error) {
	const prefix, mid = `{"c":"`, `","r":`
	if n := len(prefix) + 8 + len(mid); len(line) > n && bytes.HasPrefix(line, []byte(prefix)) &&
		string(line[len(prefix)+8:n]) == mid && line[len(line)-1] == '}' {
		if sum := line[len(prefix) : len(prefix)+8]; hexDigits(sum) {
			return string(sum), line[n : len(line)-1], nil
		}
	}
	var l struct {
		C string          `json:"c"`
		R json.RawMessage `json:"r"`
	}
	if err := json.Unmarshal(line, &l); err != nil {
		return "", nil, fmt.Errorf("not a valid record: %w", err)
	}
	if l.R == nil {
		return "", nil, errors.New(`not a valid record: no "r"`)
	}
	return l.C, l.R, nil
}

func hexDigits(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// wireTrial is a Trial as written: Queued as a number of seconds, Params
// and Config through jsonObject, which keeps int64 and float64 apart.
// Records are read by decodeRecord.
type wireTrial struct {
	plainTrial
	QueuedS float64    `json:"queued_s,omitempty"`
	Params  jsonObject `json:"params"`
	Config  jsonObject `json:"config"`
}

func decodeHeader(line []byte) (header, error) {
	var l struct {
		Format  string          `json:"format"`
		Version int             `json:"version"`
		C       string          `json:"c"`
		H       json.RawMessage `json:"h"`
	}
	var h header
	if err := json.Unmarshal(line, &l); err != nil {
		return h, fmt.Errorf("not a state file header: %w", err)
	}
	if l.Format != formatName {
		return h, fmt.Errorf("not a state file header: format is %q, want %q", l.Format, formatName)
	}
	if l.Version != formatVersion {
		return h, fmt.Errorf("state file format version %d is not supported (this fwapply reads version %d); use the fwapply that wrote it", l.Version, formatVersion)
	}
	if err := verify(l.C, l.H); err != nil {
		return h, fmt.Errorf("state file header: %w", err)
	}
	if err := json.Unmarshal(l.H, &h); err != nil {
		return h, fmt.Errorf("state file header: %w", err)
	}
	if h.Lineage == "" || h.Snapshot < 0 {
		return h, errors.New("state file header: no lineage or a negative snapshot size")
	}
	for search, n := range h.Next {
		if n < 0 {
			return h, fmt.Errorf("state file header: search %q has a negative next trial number", search)
		}
	}
	return h, nil
}

// CorruptError reports a damaged state file: a complete line (one that
// ends in a newline) that fails its checksum or does not decode, wherever
// it is, a bad header, a broken snapshot, or records that do not follow
// each other. Only a last line without its newline is a write cut short by
// a crash, which Load drops with a Warning instead.
type CorruptError struct {
	Path   string
	Line   int   // 1-based
	Offset int64 // byte offset of the start of the line
	Err    error
	// HasBackup reports that PATH.backup exists (File.Load sets it).
	HasBackup bool
}

func (e *CorruptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "state file %s is damaged at line %d (byte offset %d): %v. Nothing was dropped, and no command writes to a damaged state. ", e.Path, e.Line, e.Offset, e.Err)
	backup := fmt.Sprintf("restore %s.backup, which holds the state as of the last compaction (changes made since are lost)", e.Path)
	switch {
	case e.Line <= 1 && e.HasBackup:
		fmt.Fprintf(&b, "Without its header nothing in the file can be read: %s, or move the file away to start a new state", backup)
	case e.Line <= 1:
		fmt.Fprintf(&b, "Without its header nothing in the file can be read, and there is no %s.backup to restore: move the file away to start a new state", e.Path)
	default:
		fmt.Fprintf(&b, "To go on, run fwapply state repair (with the same -state flag, if any): it keeps the records before line %d "+
			"and saves the rest in a file next to the state, naming the trials it held so that you can run them again", e.Line)
		if e.HasBackup {
			fmt.Fprintf(&b, "; or %s", backup)
		} else {
			fmt.Fprintf(&b, " (there is no %s.backup to restore)", e.Path)
		}
	}
	return b.String()
}

func (e *CorruptError) Unwrap() error { return e.Err }

// replay is what reading a journal found.
type replay struct {
	state    *State
	header   header
	bodyAt   int64                 // end of the header line
	snapEnd  int64                 // end of the snapshot (of the header when it is empty)
	keys     map[TrialRef]struct{} // the trials of state
	records  int                   // good records read
	end      int64                 // end of the last good record
	size     int64                 // bytes read
	warnings []Warning
}

// readJournal reads a whole journal. A last line without its newline (a
// write cut short) after the snapshot is dropped with a warning; any other
// damage is a *CorruptError, returned with what was read before it (the
// replay is nil when the header is bad).
func readJournal(ctx context.Context, r io.Reader, path string) (*replay, error) {
	return readJournalWith(ctx, r, path, nil)
}

// readJournalWith is readJournal, storing keep(t) for each trial record t
// instead of t when keep is set (see LoadOptions.Trial).
func readJournalWith(ctx context.Context, r io.Reader, path string, keep func(*Trial) *Trial) (*replay, error) {
	bufSize := 1 << 20
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Size() < int64(bufSize) {
			bufSize = int(fi.Size()) + 1 // a small state needs no large buffer; longer lines still read
		}
	}
	lr := lineReader{r: bufio.NewReaderSize(r, bufSize)}
	line, err := lr.next()
	if err != nil {
		return nil, fmt.Errorf("reading state file %s: %w", path, err)
	}
	corrupt := func(err error) error {
		return &CorruptError{Path: path, Line: max(lr.lineNo, 1), Offset: lr.start, Err: err}
	}
	if line == nil {
		return nil, corrupt(errors.New("the file is empty (a state file starts with a header line)"))
	}
	if !complete(line) {
		return nil, corrupt(errors.New("the header line is incomplete"))
	}
	h, err := decodeHeader(line[:len(line)-1])
	if err != nil {
		return nil, corrupt(err)
	}
	s := &State{Lineage: h.Lineage, Serial: h.Serial, trials: map[string]map[int]*Trial{}, next: maps.Clone(h.Next)}
	if s.next == nil {
		s.next = map[string]int{}
	}
	rp := &replay{state: s, header: h, bodyAt: lr.offset, snapEnd: lr.offset, keys: map[TrialRef]struct{}{}, end: lr.offset}
	records := 0 // good records read
	err = decodeLines(ctx, &lr, func(d *decoded) error {
		corrupt := func(err error) error {
			return &CorruptError{Path: path, Line: d.line, Offset: d.start, Err: err}
		}
		if d.err != nil {
			// A crash can cut the last write short, leaving a last line
			// without its newline. A complete line that does not read is
			// damage, even the last one: dropping it would lose a change
			// that was confirmed.
			if !d.torn || records < h.Snapshot {
				return corrupt(d.err)
			}
			rp.warnings = append(rp.warnings, Warning{
				Summary: "Dropped a torn record at the end of the state file",
				Detail: fmt.Sprintf("%s line %d (bytes %d to %d) has no newline at its end: it is the last line, left half-written "+
					"by a crash, so the change it held was never confirmed and is dropped; the next write truncates "+
					"the file at byte offset %d.", path, d.line, d.start, d.end, d.start),
			})
			return errStop
		}
		c := d.change
		if c.Put != nil && keep != nil {
			c.Put = keep(c.Put)
		}
		if records < h.Snapshot {
			if d.serial != h.Serial || c.Remove != nil {
				return corrupt(fmt.Errorf("record %d of the snapshot is not a put with serial %d", records+1, h.Serial))
			}
			if c.Put != nil {
				s.put(c.Put)
			} else {
				s.putSettings(c.Settings)
			}
		} else {
			if d.serial != s.Serial+1 {
				return corrupt(fmt.Errorf("record has serial %d, want %d (was the file written by two processes at once?)", d.serial, s.Serial+1))
			}
			if err := s.apply(c); err != nil {
				return corrupt(err)
			}
		}
		switch {
		case c.Put != nil:
			rp.keys[c.Put.Ref()] = struct{}{}
		case c.Remove != nil:
			delete(rp.keys, *c.Remove)
		}
		rp.end = d.end
		records++
		rp.records = records
		if records == h.Snapshot {
			rp.snapEnd = d.end
		}
		return nil
	})
	var ce *CorruptError
	switch {
	case err == nil:
	case errors.As(err, &ce):
		return rp, err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, err
	default:
		return nil, fmt.Errorf("reading state file %s: %w", path, err)
	}
	rp.size = lr.offset
	if records < h.Snapshot {
		return rp, &CorruptError{Path: path, Line: lr.lineNo + 1, Offset: rp.end,
			Err: fmt.Errorf("the snapshot is incomplete: the header announces %d records, the file ends after %d", h.Snapshot, records)}
	}
	return rp, nil
}

// parseLine decodes one record line, newline included.
func parseLine(p *parser, line []byte) (uint64, Change, error) {
	if !complete(line) {
		return 0, Change{}, errors.New("the line is incomplete (no newline at its end)")
	}
	sum, payload, err := splitRecord(line[:len(line)-1])
	if err != nil {
		return 0, Change{}, err
	}
	if err := verify(sum, payload); err != nil {
		return 0, Change{}, err
	}
	return p.decodeRecord(payload)
}

func complete(line []byte) bool { return len(line) > 0 && line[len(line)-1] == '\n' }

// lineReader reads lines of any length, tracking line numbers and offsets.
type lineReader struct {
	r      *bufio.Reader
	buf    []byte // for lines longer than the reader's buffer
	lineNo int    // of the last line returned
	start  int64  // offset of the last line returned
	offset int64  // offset after it
}

// next returns the next line with its newline, if it has one, or nil at the
// end. The line is valid until the next call.
func (lr *lineReader) next() ([]byte, error) {
	line, err := lr.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		lr.buf = append(lr.buf[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = lr.r.ReadSlice('\n')
			lr.buf = append(lr.buf, line...)
		}
		line = lr.buf
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(line) == 0 {
		return nil, nil
	}
	lr.lineNo++
	lr.start = lr.offset
	lr.offset += int64(len(line))
	return line, nil
}

// writeSnapshot writes the whole state as a compacted journal.
func writeSnapshot(w io.Writer, s *State) error {
	hl, err := encodeHeader(header{Lineage: s.Lineage, Serial: s.Serial, Next: s.next, Snapshot: s.Len() + len(s.settings)})
	if err != nil {
		return err
	}
	if _, err := w.Write(hl); err != nil {
		return err
	}
	for _, search := range slices.Sorted(maps.Keys(s.trials)) {
		var line []byte
		for _, t := range s.Trials(search) {
			line, err = appendRecordLine(line[:0], s.Serial, Change{Put: t})
			if err != nil {
				return fmt.Errorf("trial %s: %w", t.Ref(), err)
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	for _, search := range slices.Sorted(maps.Keys(s.settings)) {
		line, err := encodeRecord(s.Serial, Change{Settings: &SearchSettings{Search: search, Settings: s.settings[search]}})
		if err != nil {
			return fmt.Errorf("settings of search %q: %w", search, err)
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}
