package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// marshalRecord is the reference encoding of a record payload: what
// encoding/json writes for the record struct of the journal.
func marshalRecord(t testing.TB, serial uint64, c Change) []byte {
	t.Helper()
	r := record{Serial: serial, Remove: c.Remove, Settings: c.Settings}
	if tr := c.Put; tr != nil {
		r.Put = &wireTrial{plainTrial: plainTrial(*tr), QueuedS: tr.Queued.Seconds(), Params: tr.Params, Config: tr.Config}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return b
}

func checkAppendRecord(t testing.TB, serial uint64, c Change) {
	t.Helper()
	want := marshalRecord(t, serial, c)
	got, err := appendRecord(nil, serial, c)
	if err != nil {
		t.Fatalf("appendRecord: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendRecord differs from encoding/json:\n got %s\nwant %s", got, want)
	}
}

func TestAppendRecord(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	full := &Trial{
		Search: "s", Number: 12, ConfigHash: "ab", Status: Failed, Error: `exit <1> & "2" \ é` + "\t\u2028", Attempts: 2, Tainted: true,
		Params:  map[string]any{"training.lr": 1e-7, "b": int64(-3), "z": 2.0, "neg": math.Copysign(0, -1), "big": 1e21, "s": "<a>"},
		Config:  map[string]any{"l": []any{int64(1), 2.5, nil, true, "x", []any{}, map[string]any{}}, "o": map[string]any{"k": 123456789.0, "e": 1.5e300}},
		Metrics: map[string]float64{"loss": 0.25, "whole": 3, "tiny": 1e-9, "huge": -1e22, "a&b": 0},
		Started: t0, Ended: t0.Add(1500 * time.Millisecond).In(time.FixedZone("x", -5400)), Host: "h", Dir: "/d/é",
		Job: "slurm:1234_7", Queued: 83*time.Second + 250*time.Millisecond,
	}
	for _, tc := range []struct {
		name string
		c    Change
	}{
		{"full trial", Change{Put: full}},
		{"bare trial", Change{Put: &Trial{Search: "s", Status: Running}}},
		{"pruned trial", Change{Put: &Trial{Search: "s", Status: Pruned, Error: "pruned at step 4",
			Steps:  []Step{{0, 1.5}, {1, math.NaN()}, {2, math.Inf(1)}, {3, math.Inf(-1)}, {4, 0.25}, {5, 3}, {1 << 40, -1e-9}},
			Pruned: &Step{4, 0.25}}}},
		{"pruned at NaN", Change{Put: &Trial{Search: "s", Status: Pruned, Steps: []Step{{7, math.NaN()}}, Pruned: &Step{7, math.NaN()}}}},
		{"empty metrics", Change{Put: &Trial{Search: "s", Status: Completed, Metrics: map[string]float64{}, Params: map[string]any{}, Config: map[string]any{}}}},
		{"remove", Change{Remove: &TrialRef{Search: "s<", Number: 7}}},
		{"settings", Change{Settings: &SearchSettings{Search: "s", Settings: map[string]any{"trials": int64(20), "low": 2.0, "x": 1e-7, "n": nil, "l": []any{1.5, "a"}, "o": map[string]any{"b": false}}}}},
		{"nil settings", Change{Settings: &SearchSettings{Search: "s"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkAppendRecord(t, 99, tc.c)
		})
	}
	for i := range 200 {
		checkAppendRecord(t, uint64(i), Change{Put: sampleTrial(i)})
	}
}

// sampleTrial is a trial like those apply records, varied by i.
func sampleTrial(i int) *Trial {
	n := int64(i)
	lr := 1e-4 * float64(i%97+1)
	started := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1234567 * time.Microsecond)
	tr := &Trial{
		Search: "coarse", Number: i,
		Params: map[string]any{"training.lr": lr, "training.batch_size": 32 * (n%4 + 1), "model.dropout": float64(n % 2), "optimizer": []string{"adam", "sgd"}[i%2]},
		Config: map[string]any{
			"training":  map[string]any{"lr": lr, "batch_size": 32 * (n%4 + 1), "epochs": int64(5)},
			"model":     map[string]any{"dropout": float64(n % 2), "layers": []any{int64(64), int64(32)}},
			"optimizer": []string{"adam", "sgd"}[i%2], "seed": n,
		},
		ConfigHash: fmt.Sprintf("%064x", n*2654435761), Status: Completed,
		Metrics:  map[string]float64{"val_loss": 1 / float64(i+1), "val_acc": 0.5 + float64(i%50)/100},
		Attempts: 1, Started: started, Ended: started.Add(time.Duration(i%7) * time.Second), Host: "local:h pid 1", Dir: fmt.Sprintf(".fw/trials/coarse/%d", i),
	}
	if i%3 == 0 { // queued on a scheduler
		tr.Host, tr.Job, tr.Queued = "slurm:node1 job 1234_"+fmt.Sprint(i), "slurm:1234_"+fmt.Sprint(i), time.Duration(i)*1234567*time.Microsecond
	}
	return tr
}

// TestAppendRecordErrors: values that cannot be stored fail as they do
// with encoding/json.
func TestAppendRecordErrors(t *testing.T) {
	for _, c := range []Change{
		{Put: &Trial{Search: "s", Metrics: map[string]float64{"m": math.NaN()}}},
		{Put: &Trial{Search: "s", Params: map[string]any{"x": math.Inf(1)}}},
		{Put: &Trial{Search: "s", Config: map[string]any{"x": int32(1)}}},
		{Settings: &SearchSettings{Search: "s", Settings: map[string]any{"x": math.NaN()}}},
	} {
		if b, err := appendRecord(nil, 1, c); err == nil {
			t.Errorf("appendRecord(%+v) = %s, want an error", c, b)
		}
	}
}

// FuzzAppendRecord compares appendRecord with encoding/json on trials and
// settings whose values and strings the fuzzer picks.
func FuzzAppendRecord(f *testing.F) {
	f.Add(`{"training.lr":0.001,"optimizer":"adam","n":[1,2.0,null,{"a":true}]}`, "exit status 1", "/tmp/é", 0.5, int64(1500), true)
	f.Add(`{"<":"\u2028","big":1e21,"small":1e-7,"neg":-0.0}`, "<&>\x7f\xff", "", 1e-9, int64(-1), false)
	f.Add(`{}`, "", "", 3.0, int64(0), false)
	f.Fuzz(func(t *testing.T, values, text, dir string, metric float64, nanos int64, tainted bool) {
		d := json.NewDecoder(strings.NewReader(values))
		d.UseNumber()
		var raw map[string]any
		if d.Decode(&raw) != nil {
			return
		}
		v, err := NormalizeValue(raw)
		if err != nil {
			return
		}
		obj, _ := v.(map[string]any)
		t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		tr := &Trial{Search: text, Number: int(nanos & 0xffff), ConfigHash: dir, Status: Completed, Error: text, Tainted: tainted,
			Params: obj, Config: map[string]any{"nested": obj, text: dir}, Metrics: map[string]float64{text: metric, "m": metric},
			Started: t0, Ended: t0.Add(time.Duration(nanos)), Host: text, Dir: dir, Job: text, Queued: time.Duration(nanos)}
		if math.IsNaN(metric) || math.IsInf(metric, 0) {
			tr.Metrics = nil
		}
		nt, err := normalizeTrial(tr)
		if err != nil {
			return
		}
		checkAppendRecord(t, uint64(nanos), Change{Put: nt})
		checkAppendRecord(t, 1, Change{Settings: &SearchSettings{Search: text, Settings: obj}})
		checkAppendRecord(t, 2, Change{Remove: &TrialRef{Search: dir, Number: 3}})
	})
}

// BenchmarkEncodeRecord compares the record encoder with encoding/json
// on a realistic trial.
func BenchmarkEncodeRecord(b *testing.B) {
	c := Change{Put: sampleTrial(7)}
	b.Run("appendRecord", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = appendRecord(buf[:0], 1, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			marshalRecord(b, 1, c)
		}
	})
}
