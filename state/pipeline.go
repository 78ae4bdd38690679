package state

import (
	"context"
	"errors"
	"runtime"
)

// decoded is one record line, decoded.
type decoded struct {
	line       int   // 1-based
	start, end int64 // byte offsets of the line
	last       bool  // nothing follows the line in the file
	torn       bool  // the line has no newline: a write cut short (only the last line can be)
	serial     uint64
	change     Change
	err        error // the line is not a valid record
}

// batch is a run of lines decoded by one worker.
type batch struct {
	buf  []byte // the lines, back to back
	ends []int  // end of each line in buf
	recs []decoded
	done chan struct{} // closed when recs are decoded
}

const (
	batchLines = 256
	batchBytes = 256 << 10
)

// errStop ends decodeLines early without an error.
var errStop = errors.New("stop")

// decodeLines reads the rest of lr and decodes its lines on every CPU,
// calling each for every line in file order, until the end of the file or
// until each returns an error (errStop: stop quietly). Decoding dominates
// the time of loading a large state, and records decode independently.
func decodeLines(ctx context.Context, lr *lineReader, each func(*decoded) error) error {
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers)
	free := make(chan *batch, 4*workers)
	stop := make(chan struct{})
	var readErr error // set by the reader before it closes ordered

	go func() { // the reader
		defer close(work)
		defer close(ordered)
		send := func(b *batch) bool {
			for _, ch := range []chan *batch{ordered, work} {
				select {
				case ch <- b:
				case <-stop:
					return false
				}
			}
			return true
		}
		var b *batch
		for {
			line, err := lr.next()
			if err != nil {
				readErr = err
				return
			}
			if line == nil {
				if b != nil {
					b.recs[len(b.recs)-1].last = true
					send(b)
				}
				return
			}
			// Send a full batch only once another line exists, so that the
			// file's last line is always known to be last.
			if b != nil && (len(b.ends) == batchLines || len(b.buf) >= batchBytes) {
				if !send(b) {
					return
				}
				b = nil
			}
			if b == nil {
				select {
				case b = <-free:
				default:
					b = &batch{}
				}
				b.done = make(chan struct{})
			}
			b.buf = append(b.buf, line...)
			b.ends = append(b.ends, len(b.buf))
			b.recs = append(b.recs, decoded{line: lr.lineNo, start: lr.start, end: lr.offset})
		}
	}()

	for range workers {
		go func() {
			var p parser // per worker: its intern table serves every batch
			for b := range work {
				start := 0
				for i, end := range b.ends {
					r := &b.recs[i]
					line := b.buf[start:end]
					r.torn = !complete(line)
					r.serial, r.change, r.err = parseLine(&p, line)
					start = end
				}
				close(b.done)
			}
		}()
	}

	var err error
	for b := range ordered {
		if err != nil {
			continue // drain until the reader has stopped
		}
		<-b.done
		err = ctx.Err()
		for i := 0; i < len(b.recs) && err == nil; i++ {
			err = each(&b.recs[i])
		}
		if err != nil {
			close(stop) // the reader stops and closes ordered
			continue
		}
		clear(b.recs) // drop the decoded trials; the state has them now
		b.buf, b.ends, b.recs = b.buf[:0], b.ends[:0], b.recs[:0]
		select {
		case free <- b:
		default:
		}
	}
	if err == errStop {
		return nil
	}
	if err == nil {
		err = readErr
	}
	return err
}
