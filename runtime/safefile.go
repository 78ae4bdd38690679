package runtime

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Files in a trial directory are opened without following a symbolic link
// in their last component, so that a link left in the directory (by a
// trial, or by hand) can make fwapply neither write nor read a file
// outside it. Opening for reading never blocks: a FIFO in place of a file
// is an error, not a hang.

// errSymlink is the error for a symbolic link where a file of the trial
// directory should be.
type errSymlink struct{ path string }

func (e *errSymlink) Error() string {
	return fmt.Sprintf("%s is a symbolic link; remove it (fwapply does not follow links in trial directories)", filepath.Base(e.path))
}

// errNotRegular is the error for a file of the trial directory that is a
// directory, a FIFO, a device or a socket.
type errNotRegular struct {
	path string
	mode fs.FileMode
}

func (e *errNotRegular) Error() string {
	return fmt.Sprintf("%s is %s; remove it", filepath.Base(e.path), e.what())
}

func (e *errNotRegular) what() string {
	if e.mode.IsDir() {
		return "a directory, not a file"
	}
	return "not a regular file"
}

// errTooLarge is the error for a file longer than its limit.
type errTooLarge struct {
	size, limit int64
}

func (e *errTooLarge) Error() string {
	return fmt.Sprintf("%d bytes; the limit is %s", e.size, formatBytes(e.limit))
}

// formatBytes writes a limit such as 1 MiB or 64 KiB.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// openNoFollow opens path with flag, never through a symbolic link in its
// last component, and checks that what it opened is a regular file. A
// link gives an *errSymlink, anything else that is not a regular file an
// *errNotRegular.
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|oNoFollow|oNonBlock, perm)
	if err != nil {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
			return nil, &errSymlink{path}
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &errNotRegular{path, st.Mode()}
	}
	return f, nil
}

// createFresh makes path a new empty file open for writing. Whatever had
// the name is removed first, never truncated: removing a symbolic link or
// a hard link leaves the file it shares with the outside alone. The file
// is created with O_EXCL and O_NOFOLLOW, so a link made in the meantime is
// an error rather than followed.
func createFresh(path string) (*os.File, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return openNoFollow(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// readLimited reads the regular file at path (see openNoFollow), at most
// limit bytes of it: a longer file gives an *errTooLarge with its size,
// without reading more than limit+1 bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, &errTooLarge{st.Size(), limit}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		// It grew since the Stat.
		size := int64(len(b))
		if st, err := f.Stat(); err == nil {
			size = max(size, st.Size())
		}
		return nil, &errTooLarge{size, limit}
	}
	return b, nil
}
