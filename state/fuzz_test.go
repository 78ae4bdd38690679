package state

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite state/testdata/*.state")

// testdataFiles are state files kept under testdata: the seeds of
// FuzzLoadFile, each with what loading it gives.
var testdataFiles = []struct {
	name      string
	trials    int // when it loads
	warnings  int
	errorLine int // when it does not: the damaged line
}{
	{name: "journal.state", trials: 3},                 // a snapshot, then puts, a remove and settings
	{name: "torn.state", trials: 3, warnings: 1},       // the same with half a record at its end
	{name: "corrupt-last.state", errorLine: 8},         // a complete last line with a bad checksum
	{name: "corrupt-snapshot.state", errorLine: 3},     // a snapshot record with a bad checksum
	{name: "bad-serial.state", errorLine: 7},           // two records with one serial
	{name: "values.state", trials: 1},                  // values of every kind
	{name: "empty-snapshot.state", trials: 0},          // a compacted state without trials
	{name: "header-only.state", trials: 0},             // a new state's file
	{name: "bad-header.state", errorLine: 1},           // a header with a bad checksum
	{name: "short-snapshot.state", errorLine: 3},       // the file ends inside the snapshot
	{name: "remove-missing.state", errorLine: 4},       // a remove of a trial that is not there
	{name: "no-newline-header.state", errorLine: 1},    // a header without its newline
	{name: "settings-snapshot.state", trials: 1},       // settings in the snapshot
	{name: "other-search-next.state", trials: 1},       // next numbers of searches without trials
	{name: "torn-in-snapshot.state", errorLine: 3},     // half a record inside the snapshot
	{name: "crlf.state", trials: 3},                    // a line ending in \r\n: JSON allows the \r
	{name: "unknown-fields.state", trials: 1},          // fields a later version may add
	{name: "remove-after-put.state", trials: 0},        // a put, then its remove
	{name: "big-number.state", trials: 1},              // a trial number near the int64 limit
	{name: "null-objects.state", trials: 1},            // null params, config and metrics
	{name: "escaped.state", trials: 1},                 // escapes in keys and strings
	{name: "two-searches.state", trials: 2},            // two searches, compacted
	{name: "negative-next.state", errorLine: 1},        // a header with a negative next number
	{name: "snapshot-with-remove.state", errorLine: 3}, // a remove inside the snapshot
	{name: "queued.state", trials: 2},                  // trials queued on a scheduler: job and queue wait, whole seconds too
	{name: "negative-queued.state", errorLine: 2},      // a negative queue wait
}

// buildTestdata returns the content of each testdata file.
func buildTestdata(t *testing.T) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	lineage := "3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b"
	out := map[string][]byte{}
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	trial := func(search string, n int) *Trial {
		tr := testTrial(search, n)
		tr.Started, tr.Ended = at.Add(time.Duration(n)*time.Minute), at.Add(time.Duration(n)*time.Minute+90*time.Second)
		tr.Host, tr.Dir, tr.ConfigHash = "local:host pid 1", fmt.Sprintf(".fw/trials/%s/%d", search, n), fmt.Sprintf("%064x", n)
		return tr
	}
	write := func(name string, s *State, compact bool, cs ...Change) []byte {
		path := filepath.Join(dir, name)
		f := &File{path: path, noSync: true}
		defer f.Close()
		if compact {
			if err := f.Compact(ctx, s); err != nil {
				t.Fatal(err)
			}
		} else {
			if _, _, err := f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			f.lineage = lineage
		}
		for _, c := range cs {
			if err := f.Append(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := &State{Lineage: lineage, trials: map[string]map[int]*Trial{}, next: map[string]int{}}
	base.Apply(Change{Put: trial("s", 0)})
	base.Apply(Change{Put: trial("s", 1)})
	running := trial("s", 2)
	running.Status, running.Metrics, running.Ended = Running, nil, time.Time{}
	done := trial("s", 2)
	failed := trial("s", 3)
	failed.Status, failed.Metrics, failed.Error, failed.Attempts = Failed, nil, "exit status 1", 2
	settings := &SearchSettings{Search: "s", Settings: map[string]any{"strategy": "random", "trials": int64(4), "params": map[string]any{"lr": map[string]any{"low": 0.001, "high": 1.0}}}}
	tail := []Change{{Put: running}, {Put: done}, {Put: failed}, {Remove: &TrialRef{"s", 0}}, {Settings: settings}}
	journal := write("journal", base, true, tail...)
	out["journal.state"] = journal
	off := lineOffsets(journal)
	out["torn.state"] = append(bytes.Clone(journal), `{"c":"0badc0de","r":{"serial":8,"put":{"search":"s","num`...)
	corrupt := bytes.Clone(journal)
	corrupt[off[7]+10] ^= 0x01
	out["corrupt-last.state"] = corrupt
	corrupt = bytes.Clone(journal)
	corrupt[off[2]+40] ^= 0x01
	out["corrupt-snapshot.state"] = corrupt
	out["bad-serial.state"] = append(append(bytes.Clone(journal[:off[6]]), journal[off[5]:off[6]]...), journal[off[6]:]...)
	out["short-snapshot.state"] = journal[:off[2]]
	out["torn-in-snapshot.state"] = journal[:off[2]+30]
	out["no-newline-header.state"] = journal[:off[1]-1]
	out["crlf.state"] = append(append(bytes.Clone(journal[:off[2]-1]), '\r', '\n'), journal[off[2]:]...)
	bad := bytes.Clone(journal)
	bad[40] ^= 0x01
	out["bad-header.state"] = bad

	values := trial("v", 0)
	values.Params = map[string]any{"int": int64(-3), "whole": 3.0, "tiny": 1e-300, "neg0": -0.0, "max": int64(1<<63 - 1), "s": "a\"b\\\n\u2028ü", "b": true, "n": nil,
		"l": []any{int64(1), 1.5, "x", []any{}, map[string]any{}}}
	values.Config = map[string]any{"all": map[string]any{"deep": map[string]any{"er": []any{map[string]any{"x": 2.5}}}}}
	values.Tainted = true
	out["values.state"] = write("values", &State{Lineage: lineage, trials: map[string]map[int]*Trial{}, next: map[string]int{}}, false, Change{Put: values})

	empty := &State{Lineage: lineage, Serial: 9, trials: map[string]map[int]*Trial{}, next: map[string]int{"gone": 4}}
	out["empty-snapshot.state"] = write("empty", empty, true)
	hl, _ := encodeHeader(header{Lineage: lineage})
	out["header-only.state"] = hl
	records := func(cs ...Change) []byte {
		b := bytes.Clone(hl)
		for i, c := range cs {
			b = append(b, mustRecord(t, uint64(i+1), c)...)
		}
		return b
	}
	out["remove-missing.state"] = records(Change{Put: trial("s", 0)}, Change{Put: trial("s", 1)}, Change{Remove: &TrialRef{"s", 5}})

	withSettings := &State{Lineage: lineage, Serial: 2, trials: map[string]map[int]*Trial{}, next: map[string]int{}}
	withSettings.put(trial("s", 0))
	withSettings.putSettings(settings)
	out["settings-snapshot.state"] = write("settings", withSettings, true)
	otherNext := &State{Lineage: lineage, Serial: 5, trials: map[string]map[int]*Trial{}, next: map[string]int{"old": 12, "s": 3}}
	otherNext.put(trial("s", 1))
	out["other-search-next.state"] = write("othernext", otherNext, true)
	unknown := bytes.Clone(hl)
	payload := `{"serial":1,"future":{"x":[1,2,{"y":null}]},"put":{"search":"s","number":0,"status":"completed","later":"field","params":{"a":1},"config":{"a":1},"attempts":1}}`
	unknown = fmt.Appendf(unknown, `{"c":"%08x","r":%s}`+"\n", checksum([]byte(payload)), payload)
	out["unknown-fields.state"] = unknown
	out["remove-after-put.state"] = records(Change{Put: trial("s", 0)}, Change{Remove: &TrialRef{"s", 0}})
	big := trial("s", 1<<62)
	out["big-number.state"] = records(Change{Put: big})
	nulls := &Trial{Search: "s", Number: 0, Status: Failed, Attempts: 1}
	out["null-objects.state"] = records(Change{Put: nulls})
	payload = `{"serial":1,"put":{"search":"s\u00e9","number":0,"status":"completed","params":{"a\"b":"\ud83d\ude00\t"},"config":{"\u0061":1e2},"metrics":{"m":-1.5e-7}}}`
	out["escaped.state"] = fmt.Appendf(bytes.Clone(hl), `{"c":"%08x","r":%s}`+"\n", checksum([]byte(payload)), payload)
	two := &State{Lineage: lineage, Serial: 3, trials: map[string]map[int]*Trial{}, next: map[string]int{}}
	two.put(trial("a", 0))
	two.put(trial("b", 7))
	out["two-searches.state"] = write("two", two, true)
	negHeader := fmt.Sprintf(`{"lineage":%q,"serial":0,"next":{"s":-5},"snapshot":0}`, lineage)
	out["negative-next.state"] = fmt.Appendf(nil, `{"format":"frameworm-state","version":1,"c":"%08x","h":%s}`+"\n", checksum([]byte(negHeader)), negHeader)
	snapHeader := fmt.Sprintf(`{"lineage":%q,"serial":4,"next":{"s":2},"snapshot":2}`, lineage)
	snap := fmt.Appendf(nil, `{"format":"frameworm-state","version":1,"c":"%08x","h":%s}`+"\n", checksum([]byte(snapHeader)), snapHeader)
	snap = append(snap, mustRecord(t, 4, Change{Put: trial("s", 1)})...)
	out["snapshot-with-remove.state"] = append(snap, mustRecord(t, 4, Change{Remove: &TrialRef{"s", 1}})...)
	queued := trial("q", 0)
	queued.Host, queued.Job, queued.Queued = "slurm:node1 job 41_0", "slurm:41_0", 12*time.Second+345*time.Millisecond
	payload = `{"serial":2,"put":{"search":"q","number":1,"status":"running","attempts":1,"started":"2026-11-29T08:05:00Z","host":"slurm:node1 job 41_1","job":"slurm:41_1","queued_s":30,"params":{},"config":{}}}`
	out["queued.state"] = fmt.Appendf(records(Change{Put: queued}), `{"c":"%08x","r":%s}`+"\n", checksum([]byte(payload)), payload)
	payload = `{"serial":1,"put":{"search":"q","number":0,"status":"running","job":"slurm:41_0","queued_s":-2}}`
	out["negative-queued.state"] = fmt.Appendf(bytes.Clone(hl), `{"c":"%08x","r":%s}`+"\n", checksum([]byte(payload)), payload)
	return out
}

func mustRecord(t *testing.T, serial uint64, c Change) []byte {
	t.Helper()
	line, err := encodeRecord(serial, c)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// TestTestdataFiles checks what each file under testdata gives when
// loaded; -update writes them again.
func TestTestdataFiles(t *testing.T) {
	built := buildTestdata(t)
	for _, tf := range testdataFiles {
		path := filepath.Join("testdata", tf.name)
		if *update {
			if err := os.WriteFile(path, built[tf.name], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s, warns, err := NewFile(path).Load(context.Background())
		var ce *CorruptError
		switch {
		case tf.errorLine > 0:
			if !errors.As(err, &ce) || ce.Line != tf.errorLine {
				t.Errorf("%s: Load: %v; want damage at line %d", tf.name, err, tf.errorLine)
			}
		case err != nil:
			t.Errorf("%s: Load: %v", tf.name, err)
		case s.Len() != tf.trials || len(warns) != tf.warnings:
			t.Errorf("%s: %d trials, warnings %v; want %d trials and %d warnings", tf.name, s.Len(), warns, tf.trials, tf.warnings)
		}
	}
}

// fixChecksums gives every line of data that has the layout of a header
// or a record the checksum of its payload, so that the fuzzer reaches
// what lies behind the checksums.
func fixChecksums(data []byte) []byte {
	var out []byte
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		body := bytes.TrimSuffix(line, []byte("\n"))
		for _, prefix := range []string{`{"format":"frameworm-state","version":1,"c":"`, `{"c":"`} {
			mid := map[bool]string{true: `","h":`, false: `","r":`}[strings.HasPrefix(prefix, `{"format"`)]
			n := len(prefix) + 8 + len(mid)
			if len(body) > n && bytes.HasPrefix(body, []byte(prefix)) && string(body[len(prefix)+8:n]) == mid && body[len(body)-1] == '}' {
				fixed := fmt.Appendf(nil, "%s%08x%s", prefix, checksum(body[n:len(body)-1]), mid)
				fixed = append(append(fixed, body[n:]...), line[len(body):]...)
				line = fixed
				break
			}
		}
		out = append(out, line...)
	}
	return out
}

// snapshotOf returns the snapshot Compact writes for s: equal bytes for
// equal states (lineage, serial, next numbers, trials and settings).
func snapshotOf(t *testing.T, s *State) []byte {
	var b bytes.Buffer
	if err := writeSnapshot(&b, s); err != nil {
		t.Fatalf("writeSnapshot: %v", err)
	}
	return b.Bytes()
}

// FuzzLoadFile loads arbitrary bytes as a whole state file. Load never
// panics and fails only with a *CorruptError; a state that loads
// compacts, and loads again equal; a file that fails at a line after the
// header is repaired into one that loads without warnings. With fix set,
// the lines get valid checksums first, to reach the decoder and the
// replay.
func FuzzLoadFile(f *testing.F) {
	for _, tf := range testdataFiles {
		data, err := os.ReadFile(filepath.Join("testdata", tf.name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
	dir := f.TempDir() // one per worker process: cheaper than t.TempDir
	f.Fuzz(func(t *testing.T, data []byte, fix bool) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
		loadFileCase(t, dir, data, fix)
	})
}

// loadFileCase is one case of FuzzLoadFile, in dir.
func loadFileCase(t *testing.T, dir string, data []byte, fix bool) {
	{
		if fix {
			data = fixChecksums(data)
		}
		ctx := context.Background()
		path := filepath.Join(dir, "fw.state")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file := &File{path: path, noSync: true}
		defer file.Close()
		s, warns, err := file.Load(ctx)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load failed with %T, want a *CorruptError: %v", err, err)
			}
			if ce.Line < 1 || ce.Offset < 0 || ce.Offset > int64(len(data)) {
				t.Fatalf("damage at line %d offset %d of a %d-byte file", ce.Line, ce.Offset, len(data))
			}
			res, rerr := file.Repair(ctx, time.Unix(0, 0))
			if ce.Line == 1 {
				if rerr == nil {
					t.Fatalf("Repair of a file with a damaged header succeeded: %+v", res)
				}
				return
			}
			if rerr != nil {
				t.Fatalf("Repair of damage at line %d: %v", ce.Line, rerr)
			}
			if res.Damage == nil || res.Damage.Offset != ce.Offset || res.Damage.Line != ce.Line {
				t.Fatalf("Repair found %+v, Load %+v", res.Damage, ce)
			}
			if _, warns, err := NewFile(path).Load(ctx); err != nil || len(warns) > 0 {
				t.Fatalf("the repaired file: %v, warnings %v", err, warns)
			}
			return
		}
		before := snapshotOf(t, s)
		if err := file.Compact(ctx, s); err != nil {
			t.Fatalf("a loaded state (warnings %v) does not compact: %v", warns, err)
		}
		again, warns, err := NewFile(path).Load(ctx)
		if err != nil || len(warns) > 0 {
			t.Fatalf("the compacted file: %v, warnings %v", err, warns)
		}
		if after := snapshotOf(t, again); !bytes.Equal(before, after) {
			t.Fatalf("compaction changed the state:\n%s\nvs\n%s", before, after)
		}
	}
}
