package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// InflightLock is the file, in the directory of the batch script, that
// every sbatch call of an executor holds a shared flock on. The sbatch
// process inherits the lock, so an apply killed while sbatch runs leaves
// it held until that sbatch has ended: sbatch may still submit a job
// after its apply died. Before it looks up the jobs of earlier applies,
// an executor takes the lock exclusively once per directory, which waits
// for such a leftover sbatch to end; its job is then in the queue, found,
// and not submitted twice.
const InflightLock = "sbatch.lock"

// inflightWait bounds the wait for leftover sbatch calls: each ends
// within commandTimeout.
const inflightWait = commandTimeout + 15*time.Second

// holdInflight opens dir's InflightLock and takes a shared lock on it,
// for one sbatch call that inherits the returned file; the caller closes
// it once sbatch has ended.
func holdInflight(dir string) (*os.File, error) {
	f, err := openInflight(dir)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f, false, inflightWait); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return f, nil
}

// waitInflight waits until no sbatch call of any apply holds dir's
// InflightLock (at most inflightWait), then lets it go.
func waitInflight(ctx context.Context, dir string) error {
	f, err := openInflight(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lockFile(f, true, inflightWait); err != nil {
		return fmt.Errorf("waiting for the sbatch calls of an earlier apply to end (%s): %w; run fwapply apply again", f.Name(), err)
	}
	return ctx.Err()
}

func openInflight(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("making the directory of the batch script: %w", err)
	}
	path := filepath.Join(dir, InflightLock)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|openNoFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return f, nil
}
