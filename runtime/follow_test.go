//go:build unix

package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// appendFile appends s to the file at path, creating it.
func appendFile(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// describe writes lines as "step:loss" items, for comparing.
func describe(lines []ProgressLine) string {
	var parts []string
	for _, l := range lines {
		s := fmt.Sprint(l.Step)
		if v, ok := l.Metrics["loss"]; ok {
			s += fmt.Sprintf(":%v", v)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// TestProgressFollowerPieces appends a file piece by piece and checks
// what each call of Next returns: complete lines only, each once, a torn
// line kept until its newline comes.
func TestProgressFollowerPieces(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
		want   []string // what Next returns after each piece
	}{
		{"whole lines", []string{"{\"step\": 1, \"metrics\": {\"loss\": 0.5}}\n", "{\"step\": 2, \"metrics\": {\"loss\": 0.25}}\n"}, []string{"1:0.5", "2:0.25"}},
		{"two lines at once", []string{"{\"step\": 1}\n{\"step\": 2}\n", ""}, []string{"1 2", ""}},
		{"torn across calls", []string{"{\"step\": 1, \"met", "rics\": {\"loss\"", ": 3}}\n{\"step\"", ": 2}\n"}, []string{"", "", "1:3", "2"}},
		{"torn newline only", []string{"{\"step\": 1}", "\n"}, []string{"", "1"}},
		{"complete last line without newline waits", []string{"{\"step\": 1}", "\n{\"step\": 2}"}, []string{"", "1"}},
		{"python NaN and Infinity", []string{"{\"step\": 1, \"metrics\": {\"loss\": NaN}}\n{\"step\": 2, \"metrics\": {\"loss\": Infinity}}\n", "{\"step\": 3, \"metrics\": {\"loss\": -Inf", "inity}}\n"}, []string{"1:NaN 2:+Inf", "", "3:-Inf"}},
		{"blank lines and CRLF", []string{"\n\r\n{\"step\": 1}\r", "\n  \n"}, []string{"", "1"}},
		{"bad line skipped", []string{"nope\n{\"step\": 2}\n"}, []string{"2"}},
		{"nothing new", []string{"", "", "{\"step\": 1}\n", ""}, []string{"", "", "1", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ProgressFile)
			mustWrite(t, path, "", 0o644)
			f := NewProgressFollower(path)
			for i, piece := range tt.pieces {
				appendFile(t, path, piece)
				lines, _ := f.Next()
				if got := describe(lines); got != tt.want[i] {
					t.Errorf("after piece %d (%q): Next = %q, want %q", i, piece, got, tt.want[i])
				}
			}
		})
	}
}

func TestProgressFollowerBadLineReportedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	appendFile(t, path, "{\"step\": 1}\n[1]\n")
	f := NewProgressFollower(path)
	lines, err := f.Next()
	wantErr := path + ` line 2: an array, not an object (each line must be {"step": N, "metrics": {...}})`
	if describe(lines) != "1" || err == nil || err.Error() != wantErr {
		t.Fatalf("Next = %q, %v; want 1 and %q", describe(lines), err, wantErr)
	}
	if _, rerr := ReadProgress(path); rerr == nil || rerr.Error() != err.Error() {
		t.Errorf("ReadProgress says %v, the follower %v: want the same words", rerr, err)
	}
	appendFile(t, path, "{\"nostep\": 1}\n{\"step\": 3}\n")
	if lines, err := f.Next(); describe(lines) != "3" || err != nil {
		t.Errorf("Next = %q, %v; want 3 and no error (a bad line is reported once)", describe(lines), err)
	}
}

// TestProgressFollowerTooLong feeds a line far over MaxProgressLine in
// small pieces: it is skipped, reported, and never held in memory.
func TestProgressFollowerTooLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	appendFile(t, path, "{\"step\": 1}\n{\"step\": 2, \"pad\": \"")
	f := NewProgressFollower(path)
	if lines, err := f.Next(); describe(lines) != "1" || err != nil {
		t.Fatalf("Next = %q, %v", describe(lines), err)
	}
	chunk := strings.Repeat("x", 10000)
	for range 100 { // 1 MB
		appendFile(t, path, chunk)
		if lines, err := f.Next(); len(lines) != 0 || err != nil {
			t.Fatalf("Next = %q, %v; want nothing until the newline", describe(lines), err)
		}
		if len(f.partial) > MaxProgressLine {
			t.Fatalf("the torn line holds %d bytes, over MaxProgressLine", len(f.partial))
		}
	}
	appendFile(t, path, "\"}\n{\"step\": 3}\n")
	lines, err := f.Next()
	if describe(lines) != "3" || err == nil || !strings.Contains(err.Error(), "line 2: longer than 64 KiB, skipped") {
		t.Fatalf("Next = %q, %v; want 3 and line 2 too long", describe(lines), err)
	}
	// Exactly at the limit is fine, one byte more is not.
	at := `{"step": 4, "p": "` + strings.Repeat("y", MaxProgressLine-len(`{"step": 4, "p": ""}`)) + `"}`
	appendFile(t, path, at[:100])
	f.Next()
	appendFile(t, path, at[100:]+"\n")
	if lines, err := f.Next(); describe(lines) != "4" || err != nil {
		t.Errorf("a line of exactly MaxProgressLine bytes: Next = %q, %v", describe(lines), err)
	}
	over := `{"step": 5, "p": "` + strings.Repeat("y", MaxProgressLine+1-len(`{"step": 5, "p": ""}`)) + `"}` + "\n{\"step\": 6}\n"
	appendFile(t, path, over)
	if lines, _ := f.Next(); describe(lines) != "6" {
		t.Errorf("a line of MaxProgressLine+1 bytes: Next = %q, want 6", describe(lines))
	}
}

// TestProgressFollowerStartsOver: a truncated file, or another file under
// the path, is read from its start.
func TestProgressFollowerStartsOver(t *testing.T) {
	t.Run("truncated", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), ProgressFile)
		appendFile(t, path, "{\"step\": 1}\n{\"step\": 2}\n{\"step\": 3, \"me")
		f := NewProgressFollower(path)
		if lines, _ := f.Next(); describe(lines) != "1 2" {
			t.Fatalf("Next = %q", describe(lines))
		}
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		appendFile(t, path, "{\"step\": 7}\n")
		if lines, _ := f.Next(); describe(lines) != "7" {
			t.Errorf("after truncation: Next = %q, want 7 (the torn line of before dropped)", describe(lines))
		}
	})
	t.Run("replaced", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, ProgressFile)
		appendFile(t, path, "{\"step\": 1}\n[bad]\n")
		f := NewProgressFollower(path)
		if lines, err := f.Next(); describe(lines) != "1" || err == nil {
			t.Fatalf("Next = %q, %v", describe(lines), err)
		}
		// A new file, longer than the old: only its identity tells.
		// Renamed over the old one, so it cannot have the old inode.
		tmp := filepath.Join(dir, "new")
		mustWrite(t, tmp, "{\"step\": 1, \"metrics\": {\"loss\": 9}}\n{\"step\": 2}\n{\"step\": 3}\n[bad]\n", 0o644)
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		if lines, err := f.Next(); describe(lines) != "1:9 2 3" || err != nil {
			t.Errorf("after replacement: Next = %q, %v; want 1:9 2 3, the bad line already reported", describe(lines), err)
		}
	})
	t.Run("removed and back", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, ProgressFile)
		appendFile(t, path, "{\"step\": 1}\n")
		f := NewProgressFollower(path)
		f.Next()
		os.Rename(path, path+".old") // keeps the inode taken
		if lines, err := f.Next(); lines != nil || err != nil {
			t.Errorf("file gone: Next = %q, %v; want nothing", describe(lines), err)
		}
		appendFile(t, path, "{\"step\": 1}\n{\"step\": 2}\n")
		if lines, _ := f.Next(); describe(lines) != "1 2" {
			t.Errorf("file back: Next = %q, want 1 2", describe(lines))
		}
	})
}

func TestProgressFollowerMissingThenAppears(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	f := NewProgressFollower(path)
	for range 2 {
		if lines, err := f.Next(); lines != nil || err != nil {
			t.Fatalf("missing file: Next = %v, %v; want nothing", lines, err)
		}
	}
	appendFile(t, path, "{\"step\": 1}\n{\"st")
	if lines, err := f.Next(); describe(lines) != "1" || err != nil {
		t.Fatalf("Next = %q, %v; want 1", describe(lines), err)
	}
}

func TestProgressFollowerRefuses(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	mustWrite(t, target, "{\"step\": 1}\n", 0o644)
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.jsonl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{link, "is a symbolic link"},
		{dir, "a directory, not a file"},
		{fifo, "not a regular file"},
	} {
		f := NewProgressFollower(tt.path)
		for range 2 { // on every call
			lines, err := f.Next()
			if lines != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: Next = %v, %v; want an error saying %q", filepath.Base(tt.path), lines, err, tt.want)
			}
		}
	}
}

// TestFollowProgress follows a file that grows while it is followed.
func TestFollowProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	var (
		mu      sync.Mutex
		got     []ProgressLine
		inCall  atomic.Bool
		stopped atomic.Bool
	)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	stop := FollowProgress(path, 5*time.Millisecond, func(l ProgressLine) {
		if inCall.Swap(true) {
			t.Error("fn called concurrently")
		}
		defer inCall.Store(false)
		if stopped.Load() {
			t.Error("fn called after stop returned")
		}
		time.Sleep(time.Millisecond) // widen a window for concurrent calls
		mu.Lock()
		got = append(got, l)
		mu.Unlock()
	})
	// Each line is delivered while following, before the next is written.
	for i := 1; i <= 5; i++ {
		appendFile(t, path, fmt.Sprintf("{\"step\": %d, \"metrics\": {\"loss\": ", i))
		appendFile(t, path, fmt.Sprintf("%d}}\n", i))
		deadline := time.Now().Add(30 * time.Second)
		for count() < i && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		if count() < i {
			t.Fatalf("line %d was not delivered within 30s while following", i)
		}
	}
	// The rest at stop, written just before it.
	appendFile(t, path, "{\"step\": 6}\n{\"step\": 7}\nnope\n{\"step\": 8")
	err := stop()
	stopped.Store(true)
	if want := "1:1 2:2 3:3 4:4 5:5 6 7"; describe(got) != want {
		t.Errorf("delivered %q, want %q", describe(got), want)
	}
	if err == nil || !strings.Contains(err.Error(), "line 8: invalid character") {
		t.Errorf("stop = %v, want the bad line 8", err)
	}
	if err2 := stop(); err2 != err {
		t.Errorf("stop again = %v, want %v", err2, err)
	}
	appendFile(t, path, "\n{\"step\": 9}\n")
	time.Sleep(30 * time.Millisecond)
	if describe(got) != "1:1 2:2 3:3 4:4 5:5 6 7" {
		t.Errorf("delivered after stop: %q", describe(got))
	}
}

// TestFollowProgressStopDeliversRest: lines written since the last look
// are delivered by stop, with the default interval (0).
func TestFollowProgressStopDeliversRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	var got []ProgressLine // only the follower's goroutine writes, before stop returns
	stop := FollowProgress(path, 0, func(l ProgressLine) { got = append(got, l) })
	var want []string
	for i := range 200 {
		appendFile(t, path, fmt.Sprintf("{\"step\": %d}\n", i))
		want = append(want, fmt.Sprint(i))
	}
	if err := stop(); err != nil {
		t.Errorf("stop = %v", err)
	}
	if describe(got) != strings.Join(want, " ") {
		t.Errorf("delivered %q, want 0 to 199", describe(got))
	}
}

// TestLocalProgress: Local delivers the lines while the trial runs and
// the rest before Run returns, here when the trial is interrupted.
func TestLocalProgress(t *testing.T) {
	spec := newSpec(t, "none")
	script := `printf '{"step": 1, "metrics": {"loss": NaN}}\n' >> "$FW_PROGRESS"
while [ ! -e "$FW_TRIAL_DIR/go" ]; do sleep 0.05; done
printf '{"step": 2, "metrics": {"loss": 2}}\n{"step": 3}\n{"step": 4' >> "$FW_PROGRESS"
: > "$FW_TRIAL_DIR/written"
exec sleep 60`
	spec.Command = []string{"/bin/sh", "-c", script}
	var (
		mu  sync.Mutex
		got []ProgressLine
	)
	spec.Progress = func(l ProgressLine) {
		mu.Lock()
		got = append(got, l)
		mu.Unlock()
		if l.Step == 1 {
			mustWrite(t, filepath.Join(spec.TrialDir, "go"), "", 0o644)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := make(chan Result, 1)
	l := &Local{Grace: time.Second}
	go func() { run <- l.Run(ctx, spec) }()
	waitFile(t, filepath.Join(spec.TrialDir, "written"), run)
	cancel()
	res := <-run
	if res.Outcome != Interrupted {
		t.Fatalf("Run = %s %q", res.Outcome, res.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	if describe(got) != "1:NaN 2:2 3" {
		t.Errorf("delivered %q, want 1:NaN 2:2 3 before Run returned", describe(got))
	}
}

// followPieces follows the bytes b written to a file in random pieces
// (from seed), calling Next after each, sometimes twice, and returns the
// lines and the first error.
func followPieces(t *testing.T, path string, limit int, b []byte, seed uint64) ([]ProgressLine, error) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fl := NewProgressFollower(path)
	fl.limit = limit
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var lines []ProgressLine
	var first error
	next := func() {
		l, err := fl.Next()
		lines = append(lines, l...)
		if err != nil {
			if first != nil {
				t.Fatalf("a second error %v after %v", err, first)
			}
			first = err
		}
	}
	for rest := b; len(rest) > 0; {
		n := 1 + rng.IntN(min(len(rest), 1+rng.IntN(40)))
		if _, err := file.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
		next()
		if rng.IntN(4) == 0 {
			next()
		}
	}
	next()
	return lines, first
}

// FuzzProgressFollower writes arbitrary bytes to a progress file in random
// pieces, following it, and checks that the follower returns what
// ReadProgress reads from the whole file, with the same error. With a
// small line limit, which fuzzing can reach, it checks against scanLines.
func FuzzProgressFollower(f *testing.F) {
	for _, s := range []string{
		"{\"step\": 1, \"metrics\": {\"loss\": 2}}\n{\"step\": 2, \"metrics\": {\"loss\": 1}}\n",
		"{\"step\": 1}\n\n  \nnot json\n{\"step\": 2, \"metrics\": {\"x\": NaN}}\n{\"step\": 3",
		"{\"step\": 1}\r\n{\"step\": 2, \"metrics\": {\"a\": Infinity, \"b\": -Infinity}}\r\n",
		"{\"step\": 1, \"metrics\": {\"pad\": \"" + strings.Repeat("x", 40) + "\"}}\n{\"step\": 2}\n",
		"\n\n\n[1]\n{\"step\": 1.5}\n{\"step\": 4.0}\n",
	} {
		f.Add([]byte(s), uint64(len(s)))
	}
	path := filepath.Join(f.TempDir(), ProgressFile)
	f.Fuzz(func(t *testing.T, b []byte, seed uint64) {
		got, err := followPieces(t, path, MaxProgressLine, b, seed)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		want, werr := ReadProgress(path)
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("follower error %v, ReadProgress error %v", err, werr)
		}
		sameLines(t, got, want)

		const limit = 16
		got, err = followPieces(t, path, limit, b, seed)
		want, werr = nil, nil
		scanLines(bytes.NewReader(b), limit, func(n int, raw []byte, tooLong bool) {
			var lerr error
			if tooLong {
				lerr = errors.New("too long")
			} else if raw = bytes.TrimSpace(raw); len(raw) > 0 {
				var line ProgressLine
				if line, lerr = parseProgressLine(raw); lerr == nil {
					want = append(want, line)
				}
			}
			if lerr != nil && werr == nil {
				werr = fmt.Errorf("line %d:", n)
			}
		})
		if (err == nil) != (werr == nil) || err != nil && !strings.Contains(err.Error(), " "+werr.Error()) {
			t.Fatalf("limit %d: follower error %v, want one about %v", limit, err, werr)
		}
		sameLines(t, got, want)
	})
}

func sameLines(t *testing.T, got, want []ProgressLine) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("followed %d lines (%q), want %d (%q)", len(got), describe(got), len(want), describe(want))
	}
	for i := range got {
		if !sameLine(got[i], want[i]) {
			t.Fatalf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// BenchmarkProgressFollower appends lines one by one to a progress file
// and follows it after each: the cost per line must not grow with the
// number of lines already in the file.
func BenchmarkProgressFollower(b *testing.B) {
	line := []byte(`{"step": 123, "metrics": {"val_loss": 0.4123, "val_acc": 0.8812, "lr": 0.001}}` + "\n")
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprint(n, "lines"), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), ProgressFile)
			for b.Loop() {
				b.StopTimer()
				file, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				fl := NewProgressFollower(path)
				b.StartTimer()
				got := 0
				for range n {
					if _, err := file.Write(line); err != nil {
						b.Fatal(err)
					}
					lines, err := fl.Next()
					if err != nil || len(lines) != 1 {
						b.Fatalf("Next = %v, %v", lines, err)
					}
					got++
				}
				b.StopTimer()
				file.Close()
				if got != n {
					b.Fatal(got)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
			b.ReportMetric(0, "ns/op")
		})
	}
}
