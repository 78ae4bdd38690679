package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testTrial is a small trial with int64 and float64 params.
func testTrial(search string, n int) *Trial {
	return &Trial{
		Search: search, Number: n, Status: Completed, Attempts: 1,
		Params:  map[string]any{"lr": 0.5 * float64(n), "layers": int64(n)},
		Config:  map[string]any{"model": map[string]any{"layers": int64(n), "names": []any{"a", 1.0}}},
		Metrics: map[string]float64{"loss": 1 / float64(n+1)},
		Started: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
	}
}

// journal writes a state file of puts of the given trial numbers and
// returns its path, the state, and the byte offset each line starts at (the
// last entry is the file size).
func journal(t *testing.T, search string, numbers ...int) (string, *State, []int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fw.state")
	f := &File{path: path, noSync: true}
	defer f.Close()
	s, _, err := f.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range numbers {
		c := Change{Put: testTrial(search, n)}
		if err := f.Append(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		if err := s.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	offsets := []int64{0}
	for i, c := range data {
		if c == '\n' {
			offsets = append(offsets, int64(i+1))
		}
	}
	return path, s, offsets
}

func mustLoad(t *testing.T, path string) *State {
	t.Helper()
	s, warns, err := NewFile(path).Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(warns) > 0 {
		t.Fatalf("Load warnings: %v", warns)
	}
	return s
}

// equal reports the first difference between two states, or "".
func equal(a, b *State) string {
	if a.Lineage != b.Lineage || a.Serial != b.Serial || a.Len() != b.Len() {
		return fmt.Sprintf("lineage/serial/len %s/%d/%d vs %s/%d/%d", a.Lineage, a.Serial, a.Len(), b.Lineage, b.Serial, b.Len())
	}
	for _, search := range a.Searches() {
		if a.NextNumber(search) != b.NextNumber(search) {
			return fmt.Sprintf("NextNumber(%s) %d vs %d", search, a.NextNumber(search), b.NextNumber(search))
		}
		for _, ta := range a.Trials(search) {
			tb := b.Trial(search, ta.Number)
			if tb == nil {
				return fmt.Sprintf("trial %s missing", ta.Ref())
			}
			ja, _ := encodeRecord(0, Change{Put: ta})
			jb, _ := encodeRecord(0, Change{Put: tb})
			if !bytes.Equal(ja, jb) {
				return fmt.Sprintf("trial %s:\n%s\nvs\n%s", ta.Ref(), ja, jb)
			}
		}
	}
	return ""
}

// TestTornLastRecord cuts the file at every byte offset within the last
// record: Load drops the record with a warning naming its offset, and the
// next Append cuts the torn bytes off before writing.
func TestTornLastRecord(t *testing.T) {
	path, full, offsets := journal(t, "s", 0, 1, 2)
	data, _ := os.ReadFile(path)
	start, end := offsets[len(offsets)-2], offsets[len(offsets)-1]
	want := full.DeepCopy()
	if err := want.remove(TrialRef{"s", 2}); err != nil {
		t.Fatal(err)
	}
	want.Serial--
	want.next["s"] = 2
	for cut := start + 1; cut < end; cut++ {
		if err := os.WriteFile(path, data[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		f := NewFile(path)
		s, warns, err := f.Load(context.Background())
		if err != nil {
			t.Fatalf("cut at %d: Load: %v", cut, err)
		}
		if d := equal(want, s); d != "" {
			t.Fatalf("cut at %d: %s", cut, d)
		}
		if len(warns) != 1 || !strings.Contains(warns[0].Detail, fmt.Sprintf("byte offset %d", start)) || !strings.Contains(warns[0].Detail, "line 4") {
			t.Fatalf("cut at %d: warnings %v; want one naming line 4 and byte offset %d", cut, warns, start)
		}
		c := Change{Put: testTrial("s", 9)}
		if err := f.Append(context.Background(), c); err != nil {
			t.Fatalf("cut at %d: Append: %v", cut, err)
		}
		f.Close()
		after := want.DeepCopy()
		after.Apply(c)
		if d := equal(after, mustLoad(t, path)); d != "" {
			t.Fatalf("cut at %d: after Append: %s", cut, d)
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got[:start], data[:start]) {
			t.Fatalf("cut at %d: Append changed the good records", cut)
		}
	}
	// Cut exactly at a record boundary: nothing is torn.
	os.WriteFile(path, data[:start], 0o600)
	if d := equal(want, mustLoad(t, path)); d != "" {
		t.Error(d)
	}
}

// TestCorruptRecord damages a record that is not the last one: Load fails
// naming its line and offset, whatever the damage.
func TestCorruptRecord(t *testing.T) {
	path, _, offsets := journal(t, "s", 0, 1, 2, 3)
	data, _ := os.ReadFile(path)
	const line = 3 // the second record
	start, end := offsets[line-1], offsets[line]
	check := func(name string, bad []byte) {
		t.Helper()
		os.WriteFile(path, bad, 0o600)
		_, _, err := NewFile(path).Load(context.Background())
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: Load error %v, want a *CorruptError", name, err)
		}
		if ce.Line != line || ce.Offset != start {
			t.Fatalf("%s: error at line %d offset %d, want line %d offset %d", name, ce.Line, ce.Offset, line, start)
		}
		msg := err.Error()
		for _, want := range []string{fmt.Sprintf("line %d", line), fmt.Sprintf("byte offset %d", start), path + ".backup"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("%s: error %q does not mention %q", name, msg, want)
			}
		}
	}
	for i := start; i < end; i++ {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		if bad[i] == '\n' || data[i] == '\n' {
			bad[i] = 'x' // a newline where there was none, or none where there was one
		}
		check(fmt.Sprintf("flip at %d", i), bad)
	}
	for name, insert := range map[string]string{
		"garbage line": "garbage\n",
		"empty line":   "\n",
		"json line":    `{"c":"00000000","r":{"serial":3}}` + "\n",
		"no checksum":  `{"r":{"serial":2,"remove":{"search":"s","number":0}}}` + "\n",
	} {
		bad := append(append(bytes.Clone(data[:start]), insert...), data[start:]...)
		check(name, bad)
	}
	// A valid record out of place: a repeated serial.
	dup := append(append(bytes.Clone(data[:end]), data[start:end]...), data[end:]...)
	os.WriteFile(path, dup, 0o600)
	if _, _, err := NewFile(path).Load(context.Background()); err == nil || !strings.Contains(err.Error(), "serial") {
		t.Errorf("repeated record: Load error %v, want one about the serial", err)
	}
}

func TestCorruptHeader(t *testing.T) {
	path, _, offsets := journal(t, "s", 0)
	data, _ := os.ReadFile(path)
	head, rest := string(data[:offsets[1]]), data[offsets[1]:]
	replace := func(old, new string) string { return strings.Replace(head, old, new, 1) }
	for name, h := range map[string]string{
		"empty file":   "",
		"no newline":   strings.TrimSuffix(head, "\n"),
		"not json":     "hello\n",
		"other format": replace("frameworm-state", "terraform-state"),
		"version 2":    replace(`"version":1`, `"version":2`),
		"flipped":      replace(`"serial":0`, `"serial":1`),
		"no checksum":  replace(`"c":"`, `"x":"`),
	} {
		var file []byte
		if h != "" {
			file = append([]byte(h), rest...)
		}
		os.WriteFile(path, file, 0o600)
		_, _, err := NewFile(path).Load(context.Background())
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Line != 1 {
			t.Errorf("%s: Load error %v, want a *CorruptError at line 1", name, err)
		}
	}
}

// TestCompactCrash stops Compact after each step as if the process died:
// the file at PATH is always a complete old or new file, and the next
// Compact cleans up what the crash left.
func TestCompactCrash(t *testing.T) {
	for _, tc := range []struct {
		step      string
		compacted bool // PATH holds the new file
	}{
		{"temp", false},
		{"backup", false},
		{"rename", true},
	} {
		t.Run(tc.step, func(t *testing.T) {
			path, s, _ := journal(t, "s", 0, 1, 2)
			c := Change{Remove: &TrialRef{"s", 1}}
			f := &File{path: path, crashAfter: tc.step}
			if _, _, err := f.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.Append(context.Background(), c)
			s.Apply(c)
			old, _ := os.ReadFile(path)
			if err := f.Compact(context.Background(), s); !errors.Is(err, errCrash) {
				t.Fatalf("Compact: %v, want the simulated crash", err)
			}
			f.Close()
			now, _ := os.ReadFile(path)
			if compacted := !bytes.Equal(now, old); compacted != tc.compacted {
				t.Errorf("PATH holds the compacted file: %v, want %v", compacted, tc.compacted)
			}
			if d := equal(s, mustLoad(t, path)); d != "" {
				t.Fatalf("after a crash: %s", d)
			}
			// The next process appends, compacts and cleans up.
			g := NewFile(path)
			defer g.Close()
			s, _, err := g.Load(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			c = Change{Put: testTrial("s", 3)}
			if err := g.Append(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			s.Apply(c)
			if err := g.Compact(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			if d := equal(s, mustLoad(t, path)); d != "" {
				t.Fatal(d)
			}
			names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*"))
			for _, n := range names {
				if strings.Contains(n, ".tmp-") {
					t.Errorf("temp file %s left behind", n)
				}
			}
		})
	}
}

// TestCompactBackup checks that PATH.backup holds the file as it was
// before the last compaction.
func TestCompactBackup(t *testing.T) {
	path, s, _ := journal(t, "s", 0, 1)
	before, _ := os.ReadFile(path)
	f := NewFile(path)
	defer f.Close()
	if _, _, err := f.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.Compact(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if bak, _ := os.ReadFile(path + ".backup"); !bytes.Equal(bak, before) {
		t.Errorf("PATH.backup is not the file before compaction")
	}
	compacted, _ := os.ReadFile(path)
	if lines := bytes.Count(compacted, []byte("\n")); lines != 3 {
		t.Errorf("compacted file has %d lines, want a header and 2 records", lines)
	}
	c := Change{Put: testTrial("s", 5)}
	f.Append(context.Background(), c)
	s.Apply(c)
	if err := f.Compact(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	withAppend, _ := os.ReadFile(path + ".backup")
	if !bytes.HasPrefix(withAppend, compacted) || bytes.Count(withAppend, []byte("\n")) != 4 {
		t.Errorf("second backup is not the first compacted file plus one record:\n%s", withAppend)
	}
}

// TestAppendAfterExternalCompact checks that Load drops the kept file
// descriptor: after another File compacted (a new inode at PATH), appends
// go to the new file, not to PATH.backup.
func TestAppendAfterExternalCompact(t *testing.T) {
	path, _, _ := journal(t, "s", 0)
	a, b := NewFile(path), NewFile(path)
	defer a.Close()
	defer b.Close()
	s, _, _ := a.Load(context.Background())
	c := Change{Put: testTrial("s", 1)}
	a.Append(context.Background(), c)
	s.Apply(c)
	if _, _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Compact(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s, _, _ = a.Load(context.Background())
	c = Change{Put: testTrial("s", 2)}
	if err := a.Append(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if mustLoad(t, path).Trial("s", 2) == nil {
		t.Error("the append after a reload went to the old file")
	}
}

func TestCompactRefusesOtherState(t *testing.T) {
	path, s, _ := journal(t, "s", 0)
	f := NewFile(path)
	other := New()
	other.Serial = s.Serial
	if err := f.Compact(context.Background(), other); err == nil || !strings.Contains(err.Error(), "lineage") {
		t.Errorf("Compact of another lineage: %v, want an error", err)
	}
	// A missing file takes any state.
	g := NewFile(filepath.Join(t.TempDir(), "new.state"))
	if err := g.Compact(context.Background(), s); err != nil {
		t.Fatalf("Compact into a new file: %v", err)
	}
	if d := equal(s, mustLoad(t, g.Path())); d != "" {
		t.Error(d)
	}
}

func TestLoadCanceled(t *testing.T) {
	path, _, _ := journal(t, "s", 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := NewFile(path).Load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context: %v", err)
	}
}

// TestLongLine checks records longer than the read buffer.
func TestLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fw.state")
	f := NewFile(path)
	defer f.Close()
	s, _, _ := f.Load(context.Background())
	tr := testTrial("s", 0)
	tr.Error = strings.Repeat("x", 3<<20)
	c := Change{Put: tr}
	if err := f.Append(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	s.Apply(c)
	if d := equal(s, mustLoad(t, path)); d != "" {
		t.Error(d[:200])
	}
}
