package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// MarkerFile is the file in every trial directory that fwapply prepared
// naming the trial it belongs to. State rm -purge deletes a directory
// only when its marker names the very trial removed (RemoveTrialDir).
const MarkerFile = ".frameworm-trial.json"

// maxMarkerSize bounds what is read of a marker or process record.
const maxMarkerSize = 64 << 10

// Marker is the content of MarkerFile: the trial a directory was prepared
// for.
type Marker struct {
	// Lineage is the lineage of the state the trial is recorded in.
	Lineage string `json:"lineage"`
	Search  string `json:"search"`
	Number  int    `json:"number"`
	// Attempt is the attempt that last prepared the directory; it does
	// not take part in matching.
	Attempt int `json:"attempt"`
}

// Same reports whether m and o name the same trial: lineage, search and
// number.
func (m Marker) Same(o Marker) bool {
	return m.Lineage == o.Lineage && m.Search == o.Search && m.Number == o.Number
}

func (m Marker) String() string {
	return fmt.Sprintf("search.%s[%d] of state lineage %s", m.Search, m.Number, m.Lineage)
}

// writeMarker records in dir which trial it belongs to, atomically.
func writeMarker(dir string, m Marker) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, MarkerFile), append(b, '\n'))
}

// ReadMarker reads the marker of the trial directory dir, without
// following a symbolic link. A missing marker is an error satisfying
// errors.Is(err, fs.ErrNotExist).
func ReadMarker(dir string) (Marker, error) {
	var m Marker
	path := filepath.Join(dir, MarkerFile)
	b, err := readLimited(path, maxMarkerSize)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ErrKept is matched (errors.Is) by the errors of RemoveTrialDir that say
// why it left a directory in place, as opposed to failing to delete it.
var ErrKept = errors.New("trial directory kept")

type keptError struct{ msg string }

func (e *keptError) Error() string        { return e.msg }
func (e *keptError) Is(target error) bool { return target == ErrKept }

func kept(format string, args ...any) error {
	return &keptError{fmt.Sprintf(format, args...)}
}

// RemoveTrialDir deletes the trial directory dir, with everything in it,
// when its marker names the trial want (lineage, search and number; see
// Marker.Same). Otherwise it deletes nothing and returns an error saying
// why the directory is kept (matching ErrKept): dir is a symbolic link or not a directory,
// it has no marker (made by a release before markers, or not by fwapply
// at all), or its marker names another trial. A missing dir is an error
// satisfying errors.Is(err, fs.ErrNotExist).
//
// Deleting never follows a symbolic link: a link inside dir is removed,
// not what it points to, and dir itself must not be one.
func RemoveTrialDir(dir string, want Marker) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return kept("%s is a symbolic link, not a trial directory fwapply made; remove the link by hand if you want it gone", dir)
	}
	if !st.IsDir() {
		return kept("%s is not a directory; delete it by hand if it is this trial's", dir)
	}
	got, err := ReadMarker(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return kept("%s has no %s naming its trial (fwapply before this release wrote none, or another program made the directory); delete it by hand if it holds this trial's files", dir, MarkerFile)
	case err != nil:
		return kept("%s: cannot read its marker: %v; delete it by hand if it holds this trial's files", dir, err)
	case !got.Same(want):
		return kept("%s belongs to trial %s, not %s", dir, got, want)
	}
	// os.RemoveAll never follows a symbolic link: it removes links, and on
	// systems with openat it opens each directory relative to its parent
	// without following links (TestRemoveTrialDirSymlinks checks it).
	return os.RemoveAll(dir)
}
