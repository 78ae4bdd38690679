package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDecodeRecord(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload string
		wantErr string // "" for success
	}{
		{"put", `{"serial":3,"put":{"search":"s","number":1,"status":"completed","params":{"a":1,"b":1.0},"config":null}}`, ""},
		{"remove", `{"serial":3,"remove":{"search":"s","number":1}}`, ""},
		{"spaces", ` { "serial" : 3 , "remove" : { "search" : "s" , "number" : 1 } } `, ""},
		{"unknown keys are skipped", `{"serial":3,"future":[1,{"x":null}],"put":{"search":"s","number":1,"status":"failed","new":true}}`, ""},
		{"escaped key and value", `{"serial":3,"put":{"search":"s\u00e9","numb\u0065r":1,"status":"running"}}`, ""},
		{"null record", `null`, "null"},
		{"no change", `{"serial":3}`, "none of"},
		{"both", `{"serial":3,"put":{"search":"s","status":"running"},"remove":{"search":"s","number":0}}`, "more than one"},
		{"negative serial", `{"serial":-1,"remove":{"search":"s","number":1}}`, "negative serial"},
		{"float serial", `{"serial":1.5,"remove":{"search":"s","number":1}}`, "integer"},
		{"string number", `{"serial":3,"remove":{"search":"s","number":"1"}}`, "integer"},
		{"number search", `{"serial":3,"remove":{"search":5,"number":1}}`, "string"},
		{"bad status", `{"serial":3,"put":{"search":"s","status":"done"}}`, "status"},
		{"params not object", `{"serial":3,"put":{"search":"s","status":"running","params":[1]}}`, "params"},
		{"metric not number", `{"serial":3,"put":{"search":"s","status":"running","metrics":{"a":"x"}}}`, "metric"},
		{"bad time", `{"serial":3,"put":{"search":"s","status":"running","started":"yesterday"}}`, "started"},
		{"bad bool", `{"serial":3,"put":{"search":"s","status":"running","tainted":1}}`, "tainted"},
		{"trailing data", `{"serial":3,"remove":{"search":"s","number":1}}x`, "after"},
		{"truncated", `{"serial":3,"remove":{"search":"s","num`, "JSON"},
		{"huge number", `{"serial":3,"remove":{"search":"s","number":1e999}}`, "number"},
		{"job and whole seconds queued", `{"serial":3,"put":{"search":"s","status":"running","job":"slurm:12_3","queued_s":12}}`, ""},
		{"negative queued", `{"serial":3,"put":{"search":"s","status":"running","queued_s":-1.5}}`, "queued_s"},
		{"queued beyond a duration", `{"serial":3,"put":{"search":"s","status":"running","queued_s":1e10}}`, "queued_s"},
		{"queued not a number", `{"serial":3,"put":{"search":"s","status":"running","queued_s":"12s"}}`, "queued_s"},
		{"job not a string", `{"serial":3,"put":{"search":"s","status":"running","job":1234}}`, "job"},
		{"pruned", `{"serial":3,"put":{"search":"s","status":"pruned","steps":[[1,0.5],[2,"NaN"],[3,"-Infinity"]],"pruned":[2,"NaN"]}}`, ""},
		{"pruned without its step", `{"serial":3,"put":{"search":"s","status":"pruned","steps":[[1,0.5]]}}`, "pruned step"},
		{"pruned step on another status", `{"serial":3,"put":{"search":"s","status":"completed","pruned":[1,0.5]}}`, "pruned step"},
		{"steps out of order", `{"serial":3,"put":{"search":"s","status":"completed","steps":[[2,0.5],[2,0.4]]}}`, "out of order"},
		{"step not a pair", `{"serial":3,"put":{"search":"s","status":"completed","steps":[[1]]}}`, "pair"},
		{"step value a word", `{"serial":3,"put":{"search":"s","status":"completed","steps":[[1,"nan"]]}}`, "NaN"},
		{"step a fraction", `{"serial":3,"put":{"search":"s","status":"completed","steps":[[1.5,1]]}}`, "whole"},
		{"steps not a list", `{"serial":3,"put":{"search":"s","status":"completed","steps":{"1":2}}}`, "list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p parser
			_, c, err := p.decodeRecord([]byte(tc.payload))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("decodeRecord: %v", err)
				}
				if c.Put != nil && c.Put.Params != nil && c.Put.Params["a"] != int64(1) {
					t.Errorf("params %#v", c.Put.Params)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("decodeRecord: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestDecodeRoundTrip checks that decodeRecord reads what encodeRecord
// writes, for trials with every field set and values of every kind.
func TestDecodeRoundTrip(t *testing.T) {
	tr := testTrial("sé", 7)
	tr.Error, tr.Host, tr.Dir, tr.ConfigHash, tr.Tainted, tr.Status = "boom\n\"x\"", "local:h pid 1", "/tmp/é", "abc", true, Failed
	tr.Params["nested"] = map[string]any{"l": []any{nil, true, false, "s", -1.5e-9, int64(-3)}, "e": map[string]any{}}
	tr.Ended = tr.Started.Add(1)
	tr.Job, tr.Queued = "slurm:1234_7", 83*time.Second+250*time.Millisecond
	pruned := testTrial("s", 8)
	pruned.Status, pruned.Error = Pruned, "pruned at step 3: val_loss 0.91 worse than median 0.42 of 6 trials"
	pruned.Steps = []Step{{1, 2}, {2, math.NaN()}, {3, 0.91}, {9, math.Inf(-1)}}
	pruned.Pruned = &Step{3, 0.91}
	for _, c := range []Change{{Put: tr}, {Put: pruned}, {Remove: &TrialRef{"s", 9}}} {
		line, err := encodeRecord(42, c)
		if err != nil {
			t.Fatal(err)
		}
		var p parser
		serial, got, err := parseLine(&p, line)
		if err != nil || serial != 42 {
			t.Fatalf("parseLine(%s): %d, %v", line, serial, err)
		}
		again, _ := encodeRecord(42, got)
		if !bytes.Equal(line, again) {
			t.Errorf("round trip changed the record:\n%s\n%s", line, again)
		}
		if c.Put != nil && !cmp.Equal(c.Put.Steps, got.Put.Steps, cmpopts.EquateNaNs()) || c.Put != nil && !cmp.Equal(c.Put.Pruned, got.Put.Pruned, cmpopts.EquateNaNs()) {
			t.Errorf("steps %v pruned %v read back as %v %v", c.Put.Steps, c.Put.Pruned, got.Put.Steps, got.Put.Pruned)
		}
	}
}

// FuzzDecodeRecord checks that the hand-written decoder never panics and
// that what it accepts re-encodes to a record it reads back the same.
func FuzzDecodeRecord(f *testing.F) {
	queued := testTrial("s", 3)
	queued.Host, queued.Job, queued.Queued = "slurm:node1 job 77", "slurm:77", 1500*time.Millisecond
	prunedTrial := testTrial("s", 4)
	prunedTrial.Status, prunedTrial.Steps, prunedTrial.Pruned = Pruned, []Step{{1, 0.5}, {2, math.NaN()}}, &Step{2, math.NaN()}
	for _, c := range []Change{{Put: testTrial("s", 1)}, {Put: queued}, {Put: prunedTrial}, {Remove: &TrialRef{"s", 2}}, {Settings: &SearchSettings{Search: "s", Settings: map[string]any{"trials": int64(3), "param \"x\"": map[string]any{"low": 0.5}}}}} {
		line, _ := encodeRecord(5, c)
		_, payload, _ := splitRecord(line[:len(line)-1])
		f.Add(payload)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var p parser
		serial, c, err := p.decodeRecord(payload)
		if err != nil {
			return
		}
		if c.Put != nil {
			if c.Put, err = normalizeTrial(c.Put); err != nil {
				t.Fatalf("decoded trial does not normalize: %v", err)
			}
		}
		line, err := encodeRecord(serial, c)
		if err != nil {
			return // e.g. a time beyond year 9999, which time.Time cannot marshal
		}
		_, c2, err := parseLine(&p, line)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v\n%s", err, line)
		}
		if again, _ := encodeRecord(serial, c2); !bytes.Equal(line, again) {
			t.Fatalf("unstable:\n%s\n%s", line, again)
		}
	})
}

// TestLargeJournal exercises the parallel decoder across many batches: a
// torn last record, and damage far from the start.
func TestLargeJournal(t *testing.T) {
	numbers := make([]int, 3*batchLines+10)
	for i := range numbers {
		numbers[i] = i
	}
	path, full, offsets := journal(t, "s", numbers...)
	data, _ := os.ReadFile(path)
	if got := mustLoad(t, path); equal(full, got) != "" {
		t.Fatal(equal(full, got))
	}

	last := offsets[len(offsets)-2]
	os.WriteFile(path, data[:last+10], 0o600)
	s, warns, err := NewFile(path).Load(context.Background())
	if err != nil || len(warns) != 1 || s.Len() != len(numbers)-1 {
		t.Errorf("torn last record: %v, %v, %d trials", err, warns, s.Len())
	}

	for _, line := range []int{2, batchLines + 1, 2*batchLines + 3, len(offsets) - 2} {
		bad := bytes.Clone(data)
		bad[offsets[line-1]+30] ^= 0x20
		os.WriteFile(path, bad, 0o600)
		_, _, err := NewFile(path).Load(context.Background())
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Line != line || ce.Offset != offsets[line-1] {
			t.Errorf("damage at line %d: %v", line, err)
		}
	}
}

// TestTrialCodec: TrialDecoder reads back what MarshalTrial writes, with
// every value's kind, and rejects what is not a trial object.
func TestTrialCodec(t *testing.T) {
	tr := testTrial("sé", 7)
	tr.Params["whole"], tr.Params["int"], tr.Params["nested"] = 2.0, int64(2), map[string]any{"l": []any{nil, true, -0.5, int64(-3), "x"}}
	tr.Error, tr.Host, tr.Dir, tr.Tainted, tr.Status = "boom\n", "h", "/d", true, Failed
	tr.Ended = tr.Started.Add(1)
	tr.Job, tr.Queued = "slurm:9", 2*time.Hour+5*time.Millisecond
	b, err := MarshalTrial(tr)
	if err != nil {
		t.Fatal(err)
	}
	var d TrialDecoder
	got, err := d.Decode(b)
	if err != nil {
		t.Fatalf("Decode(%s): %v", b, err)
	}
	want, _ := encodeRecord(1, Change{Put: tr})
	if again, _ := encodeRecord(1, Change{Put: got}); !bytes.Equal(want, again) {
		t.Errorf("round trip:\n%s\n%s", want, again)
	}
	if got.Job != tr.Job || got.Queued != tr.Queued {
		t.Errorf("job %q, queued %v; want %q, %v", got.Job, got.Queued, tr.Job, tr.Queued)
	}
	if got.Params["whole"] != 2.0 || got.Params["int"] != int64(2) {
		t.Errorf("kinds: whole %#v, int %#v", got.Params["whole"], got.Params["int"])
	}
	for _, bad := range []string{`null`, `[]`, `{"number":"1"}`, `{"params":[1]}`, `{"search":"s"} x`, `{"started":"now"}`, ``} {
		if _, err := d.Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%s) succeeded", bad)
		}
	}
}

// TestQueued: the queue wait is written as seconds, kept to the
// millisecond, never negative, and absent (as in records of earlier
// releases) when the trial did not queue.
func TestQueued(t *testing.T) {
	tr := testTrial("s", 1)
	tr.Job, tr.Queued = "slurm:5", 61*time.Second+500*time.Millisecond+999*time.Microsecond
	s := New()
	if err := s.Apply(Change{Put: tr}); err != nil {
		t.Fatal(err)
	}
	if got := s.Trial("s", 1).Queued; got != 61500*time.Millisecond {
		t.Errorf("stored queue wait %v, want 1m1.5s (to the millisecond)", got)
	}
	line := string(must(EncodeRecord(1, Change{Put: tr})))
	if !strings.Contains(line, `,"job":"slurm:5","queued_s":61.5,"params":`) {
		t.Errorf("record %s: want job and queued_s (seconds) after dir", line)
	}
	for _, v := range []any{tr, *tr} { // encoding/json, as fwapply state show prints a trial
		b, err := json.Marshal(v)
		if err != nil || !strings.Contains(string(b), `"job":"slurm:5","queued_s":61.500999`) {
			t.Errorf("json.Marshal(%T) = %s, %v; want queued_s in seconds", v, b, err)
		}
	}
	local := testTrial("s", 2)
	for _, b := range [][]byte{mustRecord(t, 1, Change{Put: local}), must(json.Marshal(local))} {
		if strings.Contains(string(b), "queued_s") || strings.Contains(string(b), `"job"`) {
			t.Errorf("a trial that did not queue: %s", b)
		}
	}
	var p parser
	if _, c, err := p.decodeRecord([]byte(`{"serial":1,"put":{"search":"s","number":0,"status":"completed"}}`)); err != nil || c.Put.Job != "" || c.Put.Queued != 0 {
		t.Errorf("a record without job and queued_s: %+v, %v", c.Put, err)
	}
	tr.Queued = -time.Second
	if err := (Change{Put: tr}).Validate(); err == nil || !strings.Contains(err.Error(), "negative queue wait") {
		t.Errorf("Validate of a negative queue wait: %v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
