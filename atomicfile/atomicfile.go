// Package atomicfile replaces files atomically.
//
// Contract: readers of path see either its old contents or the new ones,
// never a part (temp file in the same directory, then rename). Write is also
// durable: after it returns nil, the file and its directory are fsynced, so
// after a crash at any point path holds either the old contents or the new
// ones. Replace skips the fsyncs, for files that are rewritten anyway after
// a crash (a trial's input files). A temp file left by a crash starts with
// "." and ends in ".tmp" plus random digits.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write durably replaces path's contents with data. A new file gets perm;
// an existing one keeps its permission bits.
func Write(path string, data []byte, perm fs.FileMode) error {
	if err := replace(path, data, perm, true); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// Replace replaces path's contents with data, atomically for readers but
// without fsync. A new file gets perm; an existing one keeps its
// permission bits.
func Replace(path string, data []byte, perm fs.FileMode) error {
	return replace(path, data, perm, false)
}

func replace(path string, data []byte, perm fs.FileMode, sync bool) error {
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := writeTemp(tmp, data, perm, sync); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeTemp(f *os.File, data []byte, perm fs.FileMode, sync bool) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir fsyncs a directory, so a rename or a new file in it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

// CheckDir refuses a trial directory that is a symbolic link or not a
// directory, so that nothing is written through a link; a missing one is
// fine (it gets created).
func CheckDir(dir string) error {
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("the trial directory %s is a symbolic link; remove it (fwapply does not follow links in trial directories)", dir)
	case !st.IsDir():
		return fmt.Errorf("the trial directory %s is not a directory; remove it", dir)
	}
	return nil
}
