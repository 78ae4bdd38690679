package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var repairTime = time.Date(2026, 11, 29, 8, 22, 21, 0, time.UTC)

// TestCompleteLastLineIsCorrupt damages the last line of a journal but
// keeps its newline: that is not a write cut short, so Load, Append and
// Compact refuse the file, naming the line, its offset, the backup and
// the repair command, and leave it as it is.
func TestCompleteLastLineIsCorrupt(t *testing.T) {
	path, s, offsets := journal(t, "s", 0, 1, 2)
	data, _ := os.ReadFile(path)
	line := len(offsets) - 1 // the last line
	start, end := offsets[line-1], offsets[line]
	for i := start; i < end-1; i++ {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		if bad[i] == '\n' {
			bad[i] = 'x'
		}
		os.WriteFile(path, bad, 0o600)
		f := NewFile(path)
		_, warns, err := f.Load(context.Background())
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Line != line || ce.Offset != start {
			t.Fatalf("flip at %d: Load: %v, warnings %v; want a *CorruptError at line %d offset %d", i, err, warns, line, start)
		}
		msg := err.Error()
		for _, want := range []string{path, fmt.Sprintf("line %d", line), fmt.Sprintf("byte offset %d", start), "fwapply state repair", "no " + path + ".backup"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("flip at %d: error %q does not mention %q", i, msg, want)
			}
		}
		if err := f.Append(context.Background(), Change{Put: testTrial("s", 7)}); !errors.As(err, &ce) {
			t.Fatalf("flip at %d: Append on a damaged file: %v, want a *CorruptError", i, err)
		}
		if err := f.AppendBatch(context.Background(), []Change{{Put: testTrial("s", 7)}}); !errors.As(err, &ce) {
			t.Fatalf("flip at %d: AppendBatch on a damaged file: %v, want a *CorruptError", i, err)
		}
		if err := f.Compact(context.Background(), s); !errors.As(err, &ce) {
			t.Fatalf("flip at %d: Compact of a damaged file: %v, want a *CorruptError", i, err)
		}
		f.Close()
		if now, _ := os.ReadFile(path); !bytes.Equal(now, bad) {
			t.Fatalf("flip at %d: a refused write changed the file", i)
		}
	}
	// With a backup, the error points at it.
	os.WriteFile(path+".backup", data, 0o600)
	_, _, err := NewFile(path).Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "restore "+path+".backup") {
		t.Errorf("with a backup: %v, want it to name %s.backup", err, path)
	}
}

// damaged is a journal with one kind of damage, for TestRepair.
type damaged struct {
	name  string
	data  []byte // the damaged file
	line  int    // the first damaged line
	at    int64  // its offset: the repaired file keeps data[:at], header aside
	torn  bool
	want  *State // the state of the repaired file
	next  map[string]int
	cut   bool // the snapshot was cut
	trial []TrialRef
}

// TestRepair damages journals in every way and repairs them: the
// repaired file is the good beginning, the dropped file holds the rest,
// and the result names the damage and the trials of the dropped lines
// that still decode.
func TestRepair(t *testing.T) {
	path, _, offsets := journal(t, "s", 0, 1, 2, 3)
	data, _ := os.ReadFile(path)
	stateOf := func(numbers ...int) *State {
		s := &State{Lineage: mustLoad(t, path).Lineage, trials: map[string]map[int]*Trial{}, next: map[string]int{}}
		for _, n := range numbers {
			s.Apply(Change{Put: testTrial("s", n)})
		}
		return s
	}
	flip := func(line int, d int64) []byte {
		bad := bytes.Clone(data)
		bad[offsets[line-1]+d] ^= 0x04
		return bad
	}
	insert := func(line int, text string) []byte {
		at := offsets[line-1]
		return append(append(bytes.Clone(data[:at]), text...), data[at:]...)
	}
	ref := func(n int) TrialRef { return TrialRef{"s", n} }

	// A compacted journal whose snapshot is damaged.
	cpath, cstate, coffsets := journal(t, "c", 0, 1, 2)
	cf := NewFile(cpath)
	if err := cf.Compact(context.Background(), cstate); err != nil {
		t.Fatal(err)
	}
	cf.Close()
	cdata, _ := os.ReadFile(cpath)
	coffsets = lineOffsets(cdata)
	cbad := bytes.Clone(cdata)
	cbad[coffsets[2]+40] ^= 0x04 // line 3: the second snapshot record
	cwant := &State{Lineage: cstate.Lineage, Serial: cstate.Serial, trials: map[string]map[int]*Trial{}, next: map[string]int{"c": 3}}
	cwant.put(cstate.Trial("c", 0))

	for _, tc := range []damaged{
		{name: "checksum in the middle", data: flip(3, 30), line: 3, at: offsets[2], want: stateOf(0), trial: []TrialRef{ref(2), ref(3)}, next: map[string]int{"s": 4}},
		{name: "complete last line", data: flip(5, 30), line: 5, at: offsets[4], want: stateOf(0, 1, 2)},
		{name: "garbage line", data: insert(3, "garbage\n"), line: 3, at: offsets[2], want: stateOf(0), trial: []TrialRef{ref(1), ref(2), ref(3)}, next: map[string]int{"s": 4}},
		{name: "repeated record", data: insert(4, string(data[offsets[2]:offsets[3]])), line: 4, at: offsets[3], want: stateOf(0, 1), trial: []TrialRef{ref(1), ref(2), ref(3)}, next: map[string]int{"s": 4}},
		{name: "torn last line", data: data[:offsets[4]+20], line: 5, at: offsets[4], torn: true, want: stateOf(0, 1, 2)},
		{name: "damaged snapshot", data: cbad, line: 3, at: coffsets[2], cut: true, want: cwant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "fw.state")
			os.WriteFile(p, tc.data, 0o600)
			f := &File{path: p, noSync: true}
			res, err := f.Repair(context.Background(), repairTime)
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			if res.Damage == nil || res.Damage.Line != tc.line || res.Damage.Offset != tc.at || res.Torn != tc.torn || res.SnapshotCut != tc.cut {
				t.Fatalf("result %+v (damage %+v), want line %d offset %d torn %v cut %v", res, res.Damage, tc.line, tc.at, tc.torn, tc.cut)
			}
			dropped, err := os.ReadFile(res.DroppedPath)
			if err != nil || !bytes.Equal(dropped, tc.data[tc.at:]) || res.DroppedBytes != int64(len(dropped)) {
				t.Fatalf("dropped file %s (%v) does not hold the bytes from offset %d on", res.DroppedPath, err, tc.at)
			}
			if want := p + ".dropped-20261129T082221Z"; res.DroppedPath != want {
				t.Errorf("dropped file %s, want %s", res.DroppedPath, want)
			}
			var lines int64
			var named []TrialRef
			for _, d := range res.Dropped {
				lines += d.Size
				if (d.Change == nil) == (d.Err == nil) {
					t.Errorf("dropped line %d: change %v and error %v; want one of them", d.Line, d.Change, d.Err)
				}
				if d.Change != nil && d.Change.Put != nil {
					named = append(named, d.Change.Put.Ref())
				}
			}
			if lines != res.DroppedBytes || res.Dropped[0].Line != tc.line || res.Dropped[0].Offset != tc.at {
				t.Errorf("dropped lines %+v do not cover the dropped bytes", res.Dropped)
			}
			if tc.trial != nil && !slices.Equal(named, tc.trial) {
				t.Errorf("dropped lines name %v, want %v", named, tc.trial)
			}
			got := mustLoad(t, p)
			want := tc.want
			if tc.next != nil {
				want = want.DeepCopy()
				for s, n := range tc.next {
					want.next[s] = n
				}
			}
			if d := equal(want, got); d != "" {
				t.Errorf("repaired state: %s", d)
			}
			if (tc.next != nil) != (len(res.NextRaised) > 0) {
				t.Errorf("NextRaised %v, want next numbers %v", res.NextRaised, tc.next)
			}
			repaired, _ := os.ReadFile(p)
			if !tc.cut && tc.next == nil && !bytes.Equal(repaired, tc.data[:tc.at]) {
				t.Errorf("the repaired file is not the first %d bytes of the damaged one", tc.at)
			}
			// A second repair finds nothing to do.
			again, err := f.Repair(context.Background(), repairTime)
			if err != nil || again.Damage != nil {
				t.Errorf("second Repair: %+v, %v; want nothing to repair", again, err)
			}
			if now, _ := os.ReadFile(p); !bytes.Equal(now, repaired) {
				t.Errorf("a second Repair changed the file")
			}
			// And the state takes changes again.
			c := Change{Put: testTrial("s", 9)}
			if err := f.Append(context.Background(), c); err != nil {
				t.Fatalf("Append after Repair: %v", err)
			}
			f.Close()
			mustLoad(t, p)
		})
	}
}

func lineOffsets(data []byte) []int64 {
	offsets := []int64{0}
	for i, c := range data {
		if c == '\n' {
			offsets = append(offsets, int64(i+1))
		}
	}
	return offsets
}

// TestRepairNothing: a healthy file, a missing file and a damaged header.
func TestRepairNothing(t *testing.T) {
	path, _, _ := journal(t, "s", 0, 1)
	data, _ := os.ReadFile(path)
	res, err := NewFile(path).Repair(context.Background(), repairTime)
	if err != nil || res.Damage != nil || res.DroppedPath != "" {
		t.Errorf("healthy file: %+v, %v; want nothing to repair", res, err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
		t.Error("Repair changed a healthy file")
	}
	if names, _ := filepath.Glob(path + ".*"); len(names) > 0 {
		t.Errorf("Repair of a healthy file left %v", names)
	}

	if _, err := NewFile(filepath.Join(t.TempDir(), "none")).Repair(context.Background(), repairTime); err == nil || !strings.Contains(err.Error(), "nothing to repair") {
		t.Errorf("missing file: %v", err)
	}

	bad := bytes.Clone(data)
	bad[10] ^= 0x04
	os.WriteFile(path, bad, 0o600)
	_, err = NewFile(path).Repair(context.Background(), repairTime)
	if err == nil || !strings.Contains(err.Error(), "header") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("damaged header: %v, want an error about the header", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, bad) {
		t.Error("Repair changed a file whose header is damaged")
	}
}

// TestRepairCrash stops Repair after each step as if the process died:
// the dropped bytes are saved before the state file changes, the state
// file is the damaged one or the repaired one, and a second Repair
// finishes the work.
func TestRepairCrash(t *testing.T) {
	for _, tc := range []struct {
		step     string
		repaired bool // PATH holds the repaired file
	}{
		{"dropped", false},
		{"temp", false},
		{"rename", true},
	} {
		t.Run(tc.step, func(t *testing.T) {
			path, s, offsets := journal(t, "s", 0, 1, 2)
			data, _ := os.ReadFile(path)
			bad := bytes.Clone(data)
			bad[offsets[3]+30] ^= 0x04 // line 4, the last
			os.WriteFile(path, bad, 0o600)
			f := &File{path: path, crashAfter: tc.step}
			if _, err := f.Repair(context.Background(), repairTime); !errors.Is(err, errCrash) {
				t.Fatalf("Repair: %v, want the simulated crash", err)
			}
			dropped, err := os.ReadFile(path + ".dropped-20261129T082221Z")
			if err != nil || !bytes.Equal(dropped, bad[offsets[3]:]) {
				t.Fatalf("after a crash at %s the dropped bytes are not saved: %v", tc.step, err)
			}
			now, _ := os.ReadFile(path)
			if tc.repaired {
				if !bytes.Equal(now, data[:offsets[3]]) {
					t.Fatalf("PATH is not the repaired file")
				}
			} else if !bytes.Equal(now, bad) {
				t.Fatalf("PATH changed before the repaired file was renamed into place")
			}
			res, err := NewFile(path).Repair(context.Background(), repairTime)
			if err != nil {
				t.Fatal(err)
			}
			if tc.repaired != (res.Damage == nil) {
				t.Errorf("second Repair: %+v", res)
			}
			if !tc.repaired && res.DroppedPath != path+".dropped-20261129T082221Z-2" {
				t.Errorf("second dropped file %s, want a new name", res.DroppedPath)
			}
			want := s.DeepCopy()
			want.remove(TrialRef{"s", 2})
			want.Serial--
			want.next["s"] = 2
			if d := equal(want, mustLoad(t, path)); d != "" {
				t.Error(d)
			}
			names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp-*"))
			if len(names) > 0 {
				t.Errorf("temp files left: %v", names)
			}
		})
	}
}

// TestRepairRaisesNext: when the dropped lines name trials past the next
// number, the header says so, and the next trial gets a new number.
func TestRepairRaisesNext(t *testing.T) {
	path, _, offsets := journal(t, "s", 0, 1, 2, 3)
	data, _ := os.ReadFile(path)
	bad := bytes.Clone(data)
	bad[offsets[1]+30] ^= 0x04 // line 2: the first record
	os.WriteFile(path, bad, 0o600)
	res, err := NewFile(path).Repair(context.Background(), repairTime)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.NextRaised, []string{"s"}) {
		t.Errorf("NextRaised %v", res.NextRaised)
	}
	s := mustLoad(t, path)
	if s.Len() != 0 || s.NextNumber("s") != 4 {
		t.Errorf("after repair: %d trials, next number %d; want 0 and 4", s.Len(), s.NextNumber("s"))
	}
}
