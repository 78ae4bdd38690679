package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/frameworm/frameworm/atomicfile"
)

// Names of the files in a trial directory.
const (
	ConfigFile   = "config.json"
	ParamsFile   = "params.json"
	MetricsFile  = "metrics.json"
	ProgressFile = "progress.jsonl"
	StdoutFile   = "stdout.log"
	StderrFile   = "stderr.log"
)

// trialPaths are the absolute paths of one trial's files.
type trialPaths struct {
	dir, config, params, metrics, progress, stdout, stderr string
}

func pathsFor(dir string) trialPaths {
	return trialPaths{
		dir:      dir,
		config:   filepath.Join(dir, ConfigFile),
		params:   filepath.Join(dir, ParamsFile),
		metrics:  filepath.Join(dir, MetricsFile),
		progress: filepath.Join(dir, ProgressFile),
		stdout:   filepath.Join(dir, StdoutFile),
		stderr:   filepath.Join(dir, StderrFile),
	}
}

// trialDir is the absolute trial directory of spec, checked: it must not
// be a symbolic link (atomicfile.CheckDir).
func trialDir(spec Spec) (string, error) {
	if spec.TrialDir == "" {
		return "", errors.New("the trial directory is not set (Spec.TrialDir)")
	}
	dir, err := filepath.Abs(spec.TrialDir)
	if err != nil {
		return "", err
	}
	return dir, atomicfile.CheckDir(dir)
}

// prepare makes the trial directory dir ready for attempt spec.Attempt:
// the marker and the input files written, the outputs of an earlier
// attempt out of the way, and the log files open for the process. The
// caller closes the logs. No file is written through a link: the
// directory must not be a symbolic link (checked again after creating
// it), and files are replaced by rename or removed and created anew
// (createFresh), never truncated in place, so neither a symbolic link nor
// a hard link in the directory lets fwapply change a file outside it.
func prepare(spec Spec, dir string) (p trialPaths, stdout, stderr *os.File, err error) {
	p = pathsFor(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return p, nil, nil, err
	}
	if err := atomicfile.CheckDir(dir); err != nil {
		return p, nil, nil, err
	}
	m := Marker{Lineage: spec.Lineage, Search: spec.Search, Number: spec.Number, Attempt: spec.Attempt}
	if err := writeMarker(dir, m); err != nil {
		return p, nil, nil, fmt.Errorf("writing %s: %w", MarkerFile, err)
	}
	if err := writeJSONAtomic(p.config, orEmpty(spec.Config)); err != nil {
		return p, nil, nil, fmt.Errorf("writing %s: %w", ConfigFile, err)
	}
	if err := writeJSONAtomic(p.params, orEmpty(spec.Params)); err != nil {
		return p, nil, nil, fmt.Errorf("writing %s: %w", ParamsFile, err)
	}
	// Remove removes a link itself, never what it points to.
	if err := os.Remove(p.metrics); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return p, nil, nil, fmt.Errorf("removing the previous attempt's %s: %w", MetricsFile, err)
	}
	progress, err := createFresh(p.progress)
	if err != nil {
		return p, nil, nil, fmt.Errorf("emptying %s: %w", ProgressFile, err)
	}
	progress.Close()
	if spec.Attempt > 1 {
		prev := strconv.Itoa(spec.Attempt - 1)
		for _, name := range []string{"stdout", "stderr"} {
			// Rename moves a link itself, never what it points to.
			old := filepath.Join(dir, name+".log")
			err := os.Rename(old, filepath.Join(dir, name+"."+prev+".log"))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return p, nil, nil, fmt.Errorf("keeping the previous attempt's log: %w", err)
			}
		}
	}
	stdout, err = createFresh(p.stdout)
	if err != nil {
		return p, nil, nil, fmt.Errorf("creating %s: %w", StdoutFile, err)
	}
	stderr, err = createFresh(p.stderr)
	if err != nil {
		stdout.Close()
		return p, nil, nil, fmt.Errorf("creating %s: %w", StderrFile, err)
	}
	return p, stdout, stderr, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// environ is the environment of the trial process: ours without the state
// backend's connection string (FW_PG_CONN_STR: trials have no business
// with the state's database password), then spec.Env in sorted order, then
// the protocol's variables. exec.Cmd keeps the last value of a repeated
// name, so later entries win.
// privateEnvPrefix is the variable fwapply reads its state backend's
// connection string from; it is kept from trials.
const privateEnvPrefix = "FW_PG_CONN_STR="

func environ(spec Spec, p trialPaths) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, privateEnvPrefix)
	})
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+spec.Env[k])
	}
	return append(env,
		"FW_TRIAL_DIR="+p.dir,
		"FW_CONFIG="+p.config,
		"FW_PARAMS="+p.params,
		"FW_METRICS="+p.metrics,
		"FW_PROGRESS="+p.progress,
		"FW_SEARCH="+spec.Search,
		"FW_TRIAL="+strconv.Itoa(spec.Number),
	)
}

// writeJSONAtomic writes v as indented JSON (map keys sorted) to path by
// way of a temporary file in the same directory and a rename, so a reader
// sees the old file or the new one, never a part.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic replaces path through a temp file and a rename, without
// fsync: a trial's files are rewritten anyway when a crash makes it run
// again, and the state, not these files, is the record of its outcome.
// Neither step follows a symbolic link: the temp file is created with
// O_EXCL (which fails on a link), and a rename replaces a link at path
// instead of writing through it.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.Replace(path, data, 0o644)
}
