package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// batchOf returns puts of trials first, first+1, ... of search s.
func batchOf(search string, first, n int) []Change {
	cs := make([]Change, n)
	for i := range cs {
		cs[i] = Change{Put: testTrial(search, first+i)}
	}
	return cs
}

// TestAppendBatchCrash stops AppendBatch at each step as if the process
// died: before the rename PATH is the old file, after it the new one, and
// never a part of the batch; the next writer goes on from there.
func TestAppendBatchCrash(t *testing.T) {
	for _, tc := range []struct {
		step     string
		recorded bool
	}{
		{"batch-write", false}, // halfway through writing the temp file
		{"batch-temp", false},  // the temp file is complete
		{"batch-rename", true}, // renamed, the directory not yet synced
	} {
		for _, fresh := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/new=%v", tc.step, fresh), func(t *testing.T) {
				path, s, _ := journal(t, "s", 0, 1, 2)
				if fresh {
					path = filepath.Join(t.TempDir(), "fw.state")
					s = mustLoad(t, path)
				}
				old, oldErr := os.ReadFile(path)
				f := &File{path: path, crashAfter: tc.step}
				if _, _, err := f.Load(context.Background()); err != nil {
					t.Fatal(err)
				}
				if fresh {
					f.lineage = s.Lineage
				}
				batch := batchOf("s", 10, 50)
				if err := f.AppendBatch(context.Background(), batch); !errors.Is(err, errCrash) {
					t.Fatalf("AppendBatch: %v, want the simulated crash", err)
				}
				f.Close()
				want := s.DeepCopy()
				if tc.recorded {
					for _, c := range batch {
						want.Apply(c)
					}
				} else {
					now, err := os.ReadFile(path)
					if !bytes.Equal(now, old) || (err == nil) != (oldErr == nil) {
						t.Fatalf("PATH changed before the rename")
					}
					if fresh {
						if err == nil {
							t.Fatalf("a state file appeared before the rename")
						}
						return
					}
				}
				if d := equal(want, mustLoad(t, path)); d != "" {
					t.Fatalf("after a crash at %s: %s", tc.step, d)
				}
				// The next process appends, batches and compacts.
				g := NewFile(path)
				defer g.Close()
				s, _, err := g.Load(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range append([]Change{{Put: testTrial("s", 100)}}, batchOf("t", 0, 3)...) {
					s.Apply(c)
				}
				if err := g.Append(context.Background(), Change{Put: testTrial("s", 100)}); err != nil {
					t.Fatal(err)
				}
				if err := g.AppendBatch(context.Background(), batchOf("t", 0, 3)); err != nil {
					t.Fatal(err)
				}
				if err := g.Compact(context.Background(), s); err != nil {
					t.Fatal(err)
				}
				if d := equal(s, mustLoad(t, path)); d != "" {
					t.Fatal(d)
				}
				if names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp-*")); len(names) > 0 {
					t.Errorf("temp files left: %v", names)
				}
			})
		}
	}
}

// TestAppendBatchTornTail: a batch on a file whose last line was torn by
// a crash leaves the torn bytes out.
func TestAppendBatchTornTail(t *testing.T) {
	path, s, offsets := journal(t, "s", 0, 1, 2)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:offsets[3]+15], 0o600) // line 4 torn
	f := NewFile(path)
	defer f.Close()
	s, warns, err := f.Load(context.Background())
	if err != nil || len(warns) != 1 {
		t.Fatalf("Load: %v, %v", err, warns)
	}
	batch := batchOf("s", 5, 3)
	if err := f.AppendBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	for _, c := range batch {
		s.Apply(c)
	}
	if d := equal(s, mustLoad(t, path)); d != "" {
		t.Error(d)
	}
}

// TestAppendBatchKill kills a process in the middle of a large
// AppendBatch, at many moments: the state file is always the old state or
// the whole new one, and loads without warnings.
func TestAppendBatchKill(t *testing.T) {
	if path := os.Getenv("FW_BATCH_CHILD"); path != "" {
		f := NewFile(path)
		n, _ := strconv.Atoi(os.Getenv("FW_BATCH_SIZE"))
		if _, _, err := f.Load(context.Background()); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("loaded")
		if err := f.AppendBatch(context.Background(), batchOf("s", 1000, n)); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("kills child processes")
	}
	const size = 5000
	path, old, _ := journal(t, "s", 0, 1, 2)
	orig, _ := os.ReadFile(path)
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppendBatchKill$")
		cmd.Env = append(os.Environ(), "FW_BATCH_CHILD="+path, "FW_BATCH_SIZE="+strconv.Itoa(size))
		return cmd
	}
	// How long a whole batch takes, to kill within it.
	start := time.Now()
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	full := time.Since(start)
	seen := map[int]int{}
	for i := range 12 {
		os.WriteFile(path, orig, 0o600)
		cmd := child()
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(full) + 1)))
		cmd.Process.Kill()
		cmd.Wait()
		s, warns, err := NewFile(path).Load(context.Background())
		if err != nil || len(warns) > 0 {
			t.Fatalf("kill %d: Load: %v, warnings %v", i, err, warns)
		}
		switch s.Len() {
		case old.Len():
			if d := equal(old, s); d != "" {
				t.Fatalf("kill %d: %s", i, d)
			}
		case old.Len() + size:
			if s.Serial != old.Serial+size {
				t.Fatalf("kill %d: serial %d", i, s.Serial)
			}
		default:
			t.Fatalf("kill %d: %d trials, want %d (old) or %d (new): a part of the batch was recorded", i, s.Len(), old.Len(), old.Len()+size)
		}
		seen[s.Len()]++
		if !strings.Contains(out.String(), "loaded") {
			seen[-1]++ // killed before the child loaded
		}
	}
	t.Logf("outcomes (trials: times): %v; a batch takes %v", seen, full)
}
