package state

import (
	"bytes"
	"context"
	"io"
)

// The journal codec, for backends that store the journal format elsewhere
// than in a file (package state/pg keeps snapshots and records in
// PostgreSQL): what a backend stores is then read back by the same decoder,
// with the same checksums and checks, as a state file.

// WriteSnapshot writes s as a compacted journal: the header line, then one
// record line per trial and per search's settings, all with s's serial. It
// is the content of a state file just compacted, and what fwapply state
// pull prints.
func WriteSnapshot(w io.Writer, s *State) error { return writeSnapshot(w, s) }

// EncodeRecord validates c, normalizes it as State.Apply does, and returns
// its journal line (with its newline), recording it with the given serial.
func EncodeRecord(serial uint64, c Change) ([]byte, error) {
	c, err := prepare(c)
	if err != nil {
		return nil, err
	}
	return encodeRecord(serial, c)
}

// ReadJournal reads a journal (a snapshot followed by record lines, as
// WriteSnapshot and EncodeRecord write them) from r. name says where it
// comes from in errors (a path, or a backend's description). The rules are
// those of a state file: each record carries the serial after the previous
// one, every checksum must match, a last line without its newline is
// dropped with a Warning, and any other damage is a *CorruptError.
func ReadJournal(ctx context.Context, r io.Reader, name string, o LoadOptions) (*State, []Warning, error) {
	rp, err := readJournalWith(ctx, r, name, o.Trial)
	if err != nil {
		return nil, nil, err
	}
	return rp.state, rp.warnings, nil
}

// SnapshotBytes returns WriteSnapshot's output as one slice.
func SnapshotBytes(s *State) ([]byte, error) {
	var b bytes.Buffer
	if err := writeSnapshot(&b, s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
