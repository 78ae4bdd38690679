// Package experiment records each trial as a tracked experiment: the trial
// directory holds, beside the protocol's files (config.json, params.json,
// metrics.json, progress.jsonl, the logs), a meta.json that says what the
// experiment was: search, number, strategy, status, times, host (and, for
// a trial run by a scheduler, its job and queue wait) and tags.
//
// Contract: Write replaces meta.json atomically (readers never see a
// partial file) and never writes through a symbolic link (a trial
// directory that is a link is an error); Read returns what Write wrote,
// and reads at most MaxMetaSize bytes of a regular file, never through a
// link, so a meta.json made by hand or by a trial cannot make it hang or
// exhaust memory. The state file remains the
// record of outcomes; meta.json makes a trial directory self-describing
// for people and tools that browse the experiment root.
package experiment

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/frameworm/frameworm/atomicfile"
)

// MetaFile is the name of the experiment record in a trial directory.
const MetaFile = "meta.json"

// Meta is the content of meta.json.
type Meta struct {
	Search          string     `json:"search"`
	Number          int        `json:"number"`
	Strategy        string     `json:"strategy"`
	Status          string     `json:"status"`
	Attempts        int        `json:"attempts"`
	Started         *time.Time `json:"started"`
	Ended           *time.Time `json:"ended"`
	DurationSeconds float64    `json:"duration_seconds"`
	Host            string     `json:"host"`
	// Job and QueuedSeconds are, for a trial run by a scheduler, the
	// handle of its job ("slurm:1234_7") and how long it waited in the
	// queue before it started; absent otherwise.
	Job           string         `json:"job,omitempty"`
	QueuedSeconds float64        `json:"queued_seconds,omitempty"`
	Tags          []string       `json:"tags"`
	Error         string         `json:"error,omitempty"`
	Params        map[string]any `json:"params"`
}

// MaxMetaSize bounds what Read reads of a meta.json.
const MaxMetaSize = 4 << 20

// Write records m in dir/meta.json, creating dir if needed. It writes
// nothing through a symbolic link: dir must not be one, and meta.json is
// replaced by a rename.
func Write(dir string, m Meta) error {
	if err := atomicfile.CheckDir(dir); err != nil {
		return fmt.Errorf("recording experiment %s #%d: %w", m.Search, m.Number, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("recording experiment %s #%d: %w", m.Search, m.Number, err)
	}
	if err := atomicfile.CheckDir(dir); err != nil {
		return fmt.Errorf("recording experiment %s #%d: %w", m.Search, m.Number, err)
	}
	if m.Tags == nil {
		m.Tags = []string{}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("recording experiment %s #%d: %w", m.Search, m.Number, err)
	}
	return atomicfile.Replace(filepath.Join(dir, MetaFile), append(b, '\n'), 0o644)
}

// Read reads dir/meta.json: a regular file (not a symbolic link) of at
// most MaxMetaSize bytes holding a JSON object of Meta's fields. A
// missing file is an error satisfying errors.Is(err, fs.ErrNotExist).
func Read(dir string) (Meta, error) {
	var m Meta
	path := filepath.Join(dir, MetaFile)
	st, err := os.Lstat(path)
	if err != nil {
		return m, err
	}
	if !st.Mode().IsRegular() {
		return m, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxMetaSize+1))
	if err != nil {
		return m, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > MaxMetaSize {
		return m, fmt.Errorf("%s is larger than %d MiB", path, MaxMetaSize>>20)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// HasTags reports whether m carries every one of tags.
func (m Meta) HasTags(tags []string) bool {
	for _, t := range tags {
		if !slices.Contains(m.Tags, t) {
			return false
		}
	}
	return true
}
