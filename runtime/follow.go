package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// ProgressFollower reads a trial's progress file (FW_PROGRESS) while the
// trial appends to it: each call to Next returns the complete lines
// appended since the last call, parsed exactly as ReadProgress parses
// them. It reads only what is new: it keeps its offset in the file and
// the torn last line (a write in progress, without its newline) in
// memory, so following a file costs in all what reading it once does.
//
// The file is opened anew on each call, without following a symbolic
// link, and must be a regular file. Opening it anew makes a client of
// shared storage (NFS) look at the file's current size instead of cached
// attributes, so that lines a node wrote show up here.
//
// A file that does not exist (yet) has no lines. A file replaced by
// another (a new file under the path, as when a new attempt creates the
// progress file anew) or truncated below the offset is read again from
// its start: lines already returned stay returned, a torn line of the old
// file is dropped, and the lines of the new file are numbered from 1. A
// file truncated in place and grown back past the offset between two
// calls cannot be told from one that only grew.
//
// A ProgressFollower is not safe for concurrent use.
type ProgressFollower struct {
	path  string
	limit int // MaxProgressLine; smaller in tests

	file    os.FileInfo // the file last read, nil before the first
	offset  int64       // bytes of file consumed, the torn line included
	partial []byte      // the torn last line, at most limit bytes
	tooLong bool        // the torn line is over the limit: skip to its newline
	lineNo  int         // complete lines seen in file
	bad     bool        // a bad line was reported
	buf     []byte      // read buffer, allocated on the first read
}

// followChunk is how much a ProgressFollower reads at a time.
const followChunk = 16 << 10

// NewProgressFollower returns a follower of the progress file at path,
// starting at its beginning.
func NewProgressFollower(path string) *ProgressFollower {
	return &ProgressFollower{path: path, limit: MaxProgressLine}
}

// Next returns the complete lines appended to the file since the last
// call (all of its complete lines on the first call), in order. A line
// that is not a JSON object with an integer "step", or that is longer
// than MaxProgressLine, is skipped; the first such line of the follower
// is reported, once, by an error naming it, returned with the lines of
// the call that met it. A missing file gives no lines and no error; a
// symbolic link, a file that is not regular, or a failed read gives an
// error (with the lines read before it), on every call while it lasts.
func (f *ProgressFollower) Next() ([]ProgressLine, error) {
	file, err := openNoFollow(f.path, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("following %s: %w", f.path, err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("following %s: %w", f.path, err)
	}
	if f.file == nil || !os.SameFile(f.file, st) || st.Size() < f.offset {
		f.reset()
	}
	f.file = st
	if st.Size() == f.offset {
		return nil, nil
	}
	if _, err := file.Seek(f.offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("following %s: %w", f.path, err)
	}
	if f.buf == nil {
		f.buf = make([]byte, followChunk)
	}
	var lines []ProgressLine
	var badErr error
	for {
		n, err := file.Read(f.buf)
		f.offset += int64(n)
		f.consume(f.buf[:n], func(line ProgressLine, lerr error) {
			if lerr == nil {
				lines = append(lines, line)
			} else if !f.bad {
				f.bad, badErr = true, lerr
			}
		})
		if errors.Is(err, io.EOF) || err == nil && n == 0 {
			return lines, badErr
		}
		if err != nil {
			return lines, errors.Join(badErr, fmt.Errorf("following %s: %w", f.path, err))
		}
	}
}

// reset starts over at the beginning of a new file.
func (f *ProgressFollower) reset() {
	f.offset, f.partial, f.tooLong, f.lineNo = 0, nil, false, 0
}

// consume splits b, the next bytes of the file, into lines, and passes
// each complete line to out, parsed, or the error that skips it; the
// rest is kept as the torn line.
func (f *ProgressFollower) consume(b []byte, out func(ProgressLine, error)) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			switch {
			case f.tooLong:
			case len(f.partial)+len(b) > f.limit:
				f.partial, f.tooLong = nil, true
			default:
				f.partial = append(f.partial, b...)
			}
			return
		}
		seg := b[:i]
		b = b[i+1:]
		f.lineNo++
		var raw []byte
		switch {
		case f.tooLong || len(f.partial)+len(seg) > f.limit:
			out(ProgressLine{}, f.lineError(fmt.Errorf("longer than %s, skipped", formatBytes(int64(f.limit)))))
		case len(f.partial) > 0:
			raw = append(f.partial, seg...)
		default:
			raw = seg
		}
		f.tooLong = false
		if raw != nil {
			if raw = bytes.TrimSpace(raw); len(raw) > 0 {
				line, err := parseProgressLine(raw)
				if err != nil {
					err = f.lineError(err)
				}
				out(line, err)
			}
		}
		if cap(f.partial) > 4<<10 {
			f.partial = nil // do not keep a long line's buffer
		} else {
			f.partial = f.partial[:0]
		}
	}
}

// lineError is the error for the bad line f.lineNo, worded as
// ReadProgress words it.
func (f *ProgressFollower) lineError(err error) error {
	return fmt.Errorf("%s line %d: %v (each line must be {\"step\": N, \"metrics\": {...}})", f.path, f.lineNo, err)
}

// DefaultFollowInterval is how often FollowProgress looks at the file when
// not told.
const DefaultFollowInterval = 250 * time.Millisecond

// FollowProgress follows the progress file at path (see
// ProgressFollower) in a goroutine of its own, looking at it at once and
// then every interval (DefaultFollowInterval when interval ≤ 0), and calls
// fn with each new line, in order, each line once, never two calls at a
// time. stop stops following: it looks at the file once more, delivers
// the lines not yet delivered, and returns only when fn is done with them,
// so that no call of fn comes after it returns. It returns the first
// problem met (a bad line, a file that cannot be read), nil when none;
// the lines that could be read were delivered anyway. Calling stop again
// returns the same. fn should return quickly: a slow fn delays the next
// look and stop.
func FollowProgress(path string, interval time.Duration, fn func(ProgressLine)) (stop func() error) {
	if interval <= 0 {
		interval = DefaultFollowInterval
	}
	f := NewProgressFollower(path)
	quit, done := make(chan struct{}), make(chan struct{})
	var firstErr error // written by the goroutine, read after done
	look := func() {
		lines, err := f.Next()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		for _, l := range lines {
			fn(l)
		}
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			look()
			select {
			case <-quit:
				look()
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() error {
		once.Do(func() {
			close(quit)
			<-done
		})
		return firstErr
	}
}
