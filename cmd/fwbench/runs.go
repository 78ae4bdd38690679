package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/frameworm/frameworm/atomicfile"
)

// runStore keeps the regrets of each finished seed of a table in a
// directory (-runs), so that a table of hours that is interrupted resumes
// where it stopped: a seed whose regrets at every budget asked for are in
// the directory is not run again. A seed's file is written atomically
// when its run ends.
//
// A file is named by the function, the row's settings (every flag that
// changes a run's outcome) and the seed; runs are deterministic, so a
// stored regret is what running the seed again would give, as long as the
// code is the same: after a change to a strategy, use a new directory.
type runStore struct{ dir string }

// storedRun is one seed's file.
type storedRun struct {
	Function string             `json:"function"`
	Row      string             `json:"row"` // the settings the file name hashes
	Seed     int                `json:"seed"`
	Regret   map[string]float64 `json:"regret"` // by budget
	Seconds  float64            `json:"seconds"`
}

// path is the file of one seed of a row.
func (s runStore) path(function, row string, seed int) string {
	sum := sha256.Sum256([]byte(row))
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '-'
	}, strings.ToLower(strings.SplitN(row, "|", 2)[0]))
	return filepath.Join(s.dir, function, fmt.Sprintf("%s-%x", name, sum[:6]), "seed-"+strconv.Itoa(seed)+".json")
}

// load returns the stored regrets of a seed at budgets, and false unless
// every one of them is stored. A missing file is not an error; one that
// cannot be read or decoded is.
func (s runStore) load(function, row string, seed int, budgets []int) ([]float64, bool, error) {
	if s.dir == "" {
		return nil, false, nil
	}
	p := s.path(function, row, seed)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading a stored run: %w", err)
	}
	var r storedRun
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, false, fmt.Errorf("reading the stored run %s: %w; delete the file to run the seed again", p, err)
	}
	if r.Function != function || r.Row != row || r.Seed != seed {
		return nil, false, fmt.Errorf("the stored run %s is of %s, %q, seed %d, not of its file name's %s, %q, seed %d; delete the file to run the seed again", p, r.Function, r.Row, r.Seed, function, row, seed)
	}
	out := make([]float64, len(budgets))
	for i, b := range budgets {
		v, ok := r.Regret[strconv.Itoa(b)]
		if !ok {
			return nil, false, nil
		}
		out[i] = v
	}
	return out, true, nil
}

// save stores a seed's regrets at budgets. Regrets that are not finite
// (JSON has no numbers for them) are left out, so the seed runs again.
func (s runStore) save(function, row string, seed int, budgets []int, regrets []float64, seconds float64) error {
	if s.dir == "" {
		return nil
	}
	r := storedRun{Function: function, Row: row, Seed: seed, Regret: map[string]float64{}, Seconds: math.Round(seconds*1000) / 1000}
	for i, b := range budgets {
		if v := regrets[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			r.Regret[strconv.Itoa(b)] = v
		}
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	p := s.path(function, row, seed)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("storing a run: %w", err)
	}
	if err := atomicfile.Write(p, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("storing a run: %w", err)
	}
	return nil
}
