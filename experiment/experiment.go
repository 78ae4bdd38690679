// Package experiment records each trial as a tracked experiment: the trial
// directory holds, beside the protocol's files (config.json, params.json,
// metrics.json, progress.jsonl, the logs), a meta.json that says what the
// experiment was: search, number, strategy, status, times, host and tags.
//
// Contract: Write replaces meta.json atomically (readers never see a
// partial file); Read returns what Write wrote. The state file remains the
// record of outcomes; meta.json makes a trial directory self-describing
// for people and tools that browse the experiment root.
package experiment

import (
	"encoding/json"
	"fmt"
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
	Search          string         `json:"search"`
	Number          int            `json:"number"`
	Strategy        string         `json:"strategy"`
	Status          string         `json:"status"`
	Attempts        int            `json:"attempts"`
	Started         *time.Time     `json:"started"`
	Ended           *time.Time     `json:"ended"`
	DurationSeconds float64        `json:"duration_seconds"`
	Host            string         `json:"host"`
	Tags            []string       `json:"tags"`
	Error           string         `json:"error,omitempty"`
	Params          map[string]any `json:"params"`
}

// Write records m in dir/meta.json, creating dir if needed.
func Write(dir string, m Meta) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
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

// Read reads dir/meta.json.
func Read(dir string) (Meta, error) {
	var m Meta
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, MetaFile), err)
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
