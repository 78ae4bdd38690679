//go:build unix

package runtime

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outsideFile is a file outside the trial directory that no trial may
// change; it returns its path.
func outsideFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "precious.txt")
	mustWrite(t, p, "precious", 0o644)
	return p
}

func TestRunRefusesLinkedTrialDir(t *testing.T) {
	spec := newSpec(t, "success")
	target := t.TempDir()
	if err := os.MkdirAll(filepath.Dir(spec.TrialDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, spec.TrialDir); err != nil {
		t.Fatal(err)
	}
	res := (&Local{}).Run(context.Background(), spec)
	want := "cannot prepare the trial directory: the trial directory " + spec.TrialDir + " is a symbolic link; remove it"
	if res.Outcome != Failed || !strings.HasPrefix(res.Error, want) {
		t.Errorf("Run = %s %q, want failed %q...", res.Outcome, res.Error, want)
	}
	if entries, _ := os.ReadDir(target); len(entries) > 0 {
		t.Errorf("files written through the link: %v", entries)
	}
}

// TestRunDoesNotWriteThroughLinks puts a symbolic link, or a hard link,
// to a file outside the trial directory in place of each file fwapply
// writes: the outside file must never change, and the trial runs with a
// file of its own in place of the link.
func TestRunDoesNotWriteThroughLinks(t *testing.T) {
	files := []string{ConfigFile, ParamsFile, MarkerFile, ProcessFile, MetricsFile, ProgressFile, StdoutFile, StderrFile}
	for _, file := range files {
		for _, kind := range []string{"symlink", "hard link"} {
			t.Run(file+" "+kind, func(t *testing.T) {
				t.Parallel()
				spec := newSpec(t, "success")
				outside := outsideFile(t)
				if err := os.MkdirAll(spec.TrialDir, 0o755); err != nil {
					t.Fatal(err)
				}
				link := filepath.Join(spec.TrialDir, file)
				mk := os.Symlink
				if kind == "hard link" {
					mk = os.Link
				}
				if err := mk(outside, link); err != nil {
					t.Fatal(err)
				}
				res := (&Local{}).Run(context.Background(), spec)
				if res.Outcome != Completed {
					t.Errorf("Run = %s %q, want completed", res.Outcome, res.Error)
				}
				wantFile(t, outside, "precious")
				if st, err := os.Lstat(link); err == nil && !st.Mode().IsRegular() {
					t.Errorf("%s is still a %v", file, st.Mode())
				}
			})
		}
	}
}

func TestRunMetricsFileChecks(t *testing.T) {
	tests := []struct {
		mode    string
		outcome Outcome
		reason  string
	}{
		{"metrics-link", Failed, "metrics file is a symbolic link; write metrics.json itself (fwapply does not follow links in trial directories)"},
		{"metrics-fifo", Failed, "cannot read metrics file: metrics.json is not a regular file"},
		{"metrics-huge", Failed, "metrics file too large (209715200 bytes; the limit is 1 MiB)"},
		{"metrics-limit", Completed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			res := (&Local{}).Run(context.Background(), newSpec(t, tt.mode))
			if res.Outcome != tt.outcome || res.Error != tt.reason {
				t.Errorf("Run = %s %q, want %s %q", res.Outcome, res.Error, tt.outcome, tt.reason)
			}
		})
	}
}

// TestReadMetricsMemory reads a 200 MB metrics file: it is refused from
// its size, without reading it.
func TestReadMetricsMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricsFile)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	alloc := allocated(func() {
		if _, reason := readMetrics(path, "x"); !strings.HasPrefix(reason, "metrics file too large") {
			t.Errorf("reason %q", reason)
		}
	})
	t.Logf("reading a 200 MB metrics file allocated %d bytes", alloc)
	if alloc > 1<<20 {
		t.Errorf("reading a 200 MB metrics file allocated %d bytes", alloc)
	}
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	f()
	goruntime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestRunStderrFIFO(t *testing.T) {
	res := (&Local{}).Run(context.Background(), newSpec(t, "stderr-fifo"))
	if res.Outcome != Failed || res.Error != "exit status 1" {
		t.Errorf("Run = %s %q, want failed", res.Outcome, res.Error)
	}
	if len(res.StderrTail) != 1 || !strings.Contains(res.StderrTail[0], "stderr.log is not a regular file") {
		t.Errorf("StderrTail = %q", res.StderrTail)
	}
}

func TestRunWritesMarker(t *testing.T) {
	spec := newSpec(t, "success")
	spec.Lineage = "lin-1"
	spec.Attempt = 2
	if res := (&Local{}).Run(context.Background(), spec); res.Outcome != Completed {
		t.Fatalf("Run = %s %q", res.Outcome, res.Error)
	}
	m, err := ReadMarker(spec.TrialDir)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Marker{Lineage: "lin-1", Search: "coarse", Number: 7, Attempt: 2}); m != want {
		t.Errorf("marker %+v, want %+v", m, want)
	}
	if _, err := os.Stat(filepath.Join(spec.TrialDir, ProcessFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the process record is left after the trial ended: %v", err)
	}
}

func TestRemoveTrialDir(t *testing.T) {
	want := Marker{Lineage: "L", Search: "s", Number: 3}
	marker := func(m Marker) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := writeMarker(dir, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		deleted bool
		reason  string // a part of the error; "" when deleted
	}{
		{"its own", marker(Marker{Lineage: "L", Search: "s", Number: 3, Attempt: 2}), true, ""},
		{"another number", marker(Marker{Lineage: "L", Search: "s", Number: 0, Attempt: 1}), false, "belongs to trial search.s[0] of state lineage L, not search.s[3] of state lineage L"},
		{"another search", marker(Marker{Lineage: "L", Search: "t", Number: 3}), false, "belongs to trial search.t[3]"},
		{"another state", marker(Marker{Lineage: "M", Search: "s", Number: 3}), false, "of state lineage M, not"},
		{"no marker", func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, filepath.Join(dir, "data"), "x", 0o644)
		}, false, "has no .frameworm-trial.json naming its trial"},
		{"marker is a link", func(t *testing.T, dir string) {
			elsewhere := t.TempDir()
			marker(want)(t, elsewhere)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(elsewhere, MarkerFile), filepath.Join(dir, MarkerFile)); err != nil {
				t.Fatal(err)
			}
		}, false, "cannot read its marker"},
		{"marker is garbage", func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, filepath.Join(dir, MarkerFile), "{", 0o644)
		}, false, "cannot read its marker"},
		{"a file", func(t *testing.T, dir string) {
			mustWrite(t, dir, "x", 0o644)
		}, false, "is not a directory"},
		{"a link to its own directory", func(t *testing.T, dir string) {
			real := filepath.Join(t.TempDir(), "real")
			marker(want)(t, real)
			if err := os.Symlink(real, dir); err != nil {
				t.Fatal(err)
			}
		}, false, "is a symbolic link, not a trial directory fwapply made"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "3")
			tt.setup(t, dir)
			err := RemoveTrialDir(dir, want)
			_, statErr := os.Lstat(dir)
			if tt.deleted {
				if err != nil || !errors.Is(statErr, fs.ErrNotExist) {
					t.Errorf("RemoveTrialDir = %v; the directory: %v", err, statErr)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrKept) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("RemoveTrialDir = %v, want kept: ...%s...", err, tt.reason)
			}
			if statErr != nil {
				t.Errorf("the directory is gone: %v", statErr)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		err := RemoveTrialDir(filepath.Join(t.TempDir(), "3"), want)
		if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrKept) {
			t.Errorf("RemoveTrialDir = %v, want not exist", err)
		}
	})
}

// TestRemoveTrialDirLinksInside deletes a trial directory holding links
// to an outside directory and file: only the links go.
func TestRemoveTrialDirLinksInside(t *testing.T) {
	want := Marker{Lineage: "L", Search: "s", Number: 3}
	dir := filepath.Join(t.TempDir(), "3")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeMarker(dir, want); err != nil {
		t.Fatal(err)
	}
	outsideDir := t.TempDir()
	mustWrite(t, filepath.Join(outsideDir, "keep.txt"), "precious", 0o644)
	outside := outsideFile(t)
	for link, target := range map[string]string{
		"data":          outsideDir,
		"sub/data":      outsideDir,
		"file.txt":      outside,
		"stdout.log":    outside,
		"relative-data": "../../" + filepath.Base(outsideDir),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveTrialDir(dir, want); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the trial directory is left: %v", err)
	}
	wantFile(t, filepath.Join(outsideDir, "keep.txt"), "precious")
	wantFile(t, outside, "precious")
}

func TestCheckTrialDirNotADirectory(t *testing.T) {
	spec := newSpec(t, "success")
	if err := os.MkdirAll(filepath.Dir(spec.TrialDir), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, spec.TrialDir, "x", 0o644)
	res := (&Local{}).Run(context.Background(), spec)
	if res.Outcome != Failed || !strings.Contains(res.Error, "is not a directory; remove it") {
		t.Errorf("Run = %s %q", res.Outcome, res.Error)
	}
}

func TestReadProgressLongLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	long := `{"step": 2, "metrics": {"pad": "` + strings.Repeat("x", MaxProgressLine) + `"}}`
	fits := `{"step": 3, "metrics": {"pad": "` + strings.Repeat("y", MaxProgressLine-60) + `", "loss": 1}}`
	mustWrite(t, path, `{"step": 1, "metrics": {"loss": 2}}`+"\n"+long+"\n"+fits+"\n"+`{"step": 4, "metrics": {}}`+"\n"+long, 0o644)
	lines, err := ReadProgress(path)
	if len(lines) != 3 || lines[0].Step != 1 || lines[1].Step != 3 || lines[1].Metrics["loss"] != 1 || lines[2].Step != 4 {
		t.Errorf("lines = %+v", lines)
	}
	if err == nil || !strings.Contains(err.Error(), "line 2: longer than 64 KiB, skipped") {
		t.Errorf("err = %v", err)
	}
}

// TestReadProgressMemory reads a 200 MB progress file (sparse: one line of
// NUL bytes, then good lines): the memory it uses is not the file's size.
func TestReadProgressMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, 2); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n{\"step\": 1, \"metrics\": {\"loss\": 0.5}}\n")
	f.Close()
	var lines []ProgressLine
	alloc := allocated(func() { lines, err = ReadProgress(path) })
	if len(lines) != 1 || lines[0].Step != 1 || err == nil || !strings.Contains(err.Error(), "line 1: longer than 64 KiB") {
		t.Errorf("ReadProgress = %+v, %v", lines, err)
	}
	t.Logf("reading a 200 MB progress file allocated %d bytes", alloc)
	if alloc > 4<<20 {
		t.Errorf("reading a 200 MB progress file allocated %d bytes", alloc)
	}
}

func TestReadProgressRefusesLinksAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	outside := outsideFile(t)
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadProgress(link); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("ReadProgress(link) = %v", err)
	}
	fifo := filepath.Join(dir, "fifo.jsonl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadProgress(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadProgress(fifo) = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ReadProgress blocks on a FIFO")
	}
}

func TestScanLines(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string // "!" for a line too long
	}{
		{"", 4, nil},
		{"abc", 4, nil},
		{"abc\n", 4, []string{"abc"}},
		{"abcd\nabcde\n\nab", 4, []string{"abcd", "!", ""}},
		{"abcdefgh\nx\n", 4, []string{"!", "x"}},
	}
	for _, tt := range tests {
		var got []string
		err := scanLines(strings.NewReader(tt.in), tt.limit, func(n int, raw []byte, tooLong bool) {
			if n != len(got)+1 {
				t.Errorf("%q: line %d numbered %d", tt.in, len(got)+1, n)
			}
			if tooLong {
				got = append(got, "!")
			} else {
				got = append(got, string(raw))
			}
		})
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("scanLines(%q, %d) = %q, %v; want %q", tt.in, tt.limit, got, err, tt.want)
		}
	}
}

func BenchmarkReadProgress(b *testing.B) {
	path := filepath.Join(b.TempDir(), ProgressFile)
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "{\"step\": %d, \"metrics\": {\"loss\": %g, \"acc\": 0.5}}\n", i, 1/float64(i+1))
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadProgress(path); err != nil {
			b.Fatal(err)
		}
	}
}
