package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/state"
)

// showJSONOf is what show -json printed before it streamed: the whole
// document, encoded at once.
func showJSONOf(t testing.TB, def *definition.Definition, st *state.State, names []string) string {
	t.Helper()
	var out bytes.Buffer
	if err := (&View{Stdout: &out}).JSON(NewShowJSON(def, st, names)); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func streamedShowJSON(t testing.TB, def *definition.Definition, st *state.State, names []string) string {
	t.Helper()
	var out bytes.Buffer
	if err := (&View{Stdout: &out}).WriteShowJSON(def, st, names, nil, nil); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestWriteShowJSONGolden: the streamed document is the golden one.
func TestWriteShowJSONGolden(t *testing.T) {
	def, st := fixture(t)
	want, err := os.ReadFile(filepath.Join("testdata", "show_json.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), streamedShowJSON(t, def, st, []string{"coarse"})); d != "" {
		t.Errorf("streamed show -json differs from show_json.golden (-want +got):\n%s", d)
	}
}

// TestWriteShowJSONSame compares the streamed document with encoding/json's
// on states with the values a hand-written encoder gets wrong first.
func TestWriteShowJSONSame(t *testing.T) {
	def, st := fixture(t)
	odd := []*state.Trial{
		{Search: "coarse", Number: 10, Status: state.Failed, Error: "<&> \"quoted\" \\ tab\t nl\n \u2028 é \x01", Attempts: 2,
			Params: map[string]any{"training.lr": 1e-7, "optimizer": "a<b", "list": []any{int64(1), 2.0, nil, []any{}, map[string]any{}}, "obj": map[string]any{"z": true, "a": map[string]any{"b": -0.0}}},
			Host:   "h&st", Dir: "/tmp/é"},
		{Search: "coarse", Number: 11, Status: state.Completed, Params: nil, Metrics: map[string]float64{"b": 1e21, "a": 123456789, "c": -1.5e-9, "<": 0},
			Started: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)), Ended: time.Date(2026, 1, 2, 3, 5, 5, 600, time.UTC)},
		{Search: "coarse", Number: 12, Status: state.Interrupted, Params: map[string]any{}, Tainted: true, Ended: time.Date(2026, 1, 2, 3, 5, 5, 0, time.UTC)},
		{Search: "gone", Number: 0, Status: state.Completed, Params: map[string]any{"x": math.MaxInt64}, Metrics: map[string]float64{"m": 1}},
	}
	for _, tr := range odd {
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
	for _, names := range [][]string{{"coarse"}, {"gone"}, {"gone", "coarse"}, {}, {"nothing"}} {
		t.Run(strings.Join(names, ","), func(t *testing.T) {
			want := showJSONOf(t, def, st, names)
			if d := cmp.Diff(want, streamedShowJSON(t, def, st, names)); d != "" {
				t.Errorf("streamed show -json differs from the encoded document (-want +got):\n%s", d)
			}
		})
	}
}

// chunkWriter fails the test on a write larger than max.
type chunkWriter struct {
	t     testing.TB
	max   int
	total int
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if len(p) > w.max {
		w.t.Fatalf("one write of %d bytes after %d: the document is built whole, not streamed", len(p), w.total)
	}
	w.total += len(p)
	return len(p), nil
}

// TestWriteShowJSONStreams: a large document reaches stdout in small
// writes, never as a whole.
func TestWriteShowJSONStreams(t *testing.T) {
	def, st := fixture(t)
	s := def.Searches[0]
	for i := range 3000 {
		tr := st.Trial("coarse", 0).Clone()
		tr.Number = 100 + i
		tr.Params = map[string]any{"training.lr": 0.001 * float64(i%100+1), "optimizer": "sgd"}
		cfg := definition.CopyValue(s.BaseConfig).(map[string]any)
		cfg["training"].(map[string]any)["lr"] = tr.Params["training.lr"]
		cfg["optimizer"] = "sgd"
		tr.Config = cfg
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
	w := &chunkWriter{t: t, max: 128 << 10}
	if err := (&View{Stdout: w}).WriteShowJSON(def, st, []string{"coarse"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if w.total < 1<<20 {
		t.Fatalf("wrote %d bytes, want a document over 1 MB for the test to mean anything", w.total)
	}
}

// FuzzWriteShowJSON compares the streamed document with encoding/json's
// for params and strings the fuzzer picks.
func FuzzWriteShowJSON(f *testing.F) {
	f.Add(`{"training.lr":0.001,"optimizer":"adam"}`, "exit status 1", "local:host pid 1", 0.5, int64(90))
	f.Add(`{"a":[1,2.5,null,true,{"b":[]}],"<":"\u2028"}`, "<&>\x7f\xff", "", 1e-7, int64(-3))
	f.Add(`{}`, "", "", 1e21, int64(0))
	def, st0 := fixture(f)
	f.Fuzz(func(t *testing.T, params, errText, host string, metric float64, seconds int64) {
		d := json.NewDecoder(strings.NewReader(params))
		d.UseNumber()
		var p map[string]any
		if d.Decode(&p) != nil {
			return
		}
		st := st0.DeepCopy()
		t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		tr := &state.Trial{Search: "coarse", Number: 7, Status: state.Failed, Params: p, Error: errText, Host: host, Dir: errText + host,
			Metrics: map[string]float64{host: metric, "val_loss": metric}, Started: t0, Ended: t0.Add(time.Duration(seconds) * time.Millisecond)}
		if st.Apply(state.Change{Put: tr}) != nil {
			return // NaN, Inf or a number out of range: not a state
		}
		names := []string{"coarse", errText}
		want := showJSONOf(t, def, st, names)
		if got := streamedShowJSON(t, def, st, names); got != want {
			t.Fatalf("streamed show -json differs:\n%s", cmp.Diff(want, got))
		}
	})
}

// BenchmarkWriteShowJSON measures show -json's output of a search of n
// trials, the state already loaded; "whole" is the document encoded at
// once, as before it streamed.
func BenchmarkWriteShowJSON(b *testing.B) {
	def, st := fixture(b)
	s := def.Searches[0]
	const n = 10000
	for i := range n {
		tr := st.Trial("coarse", 0).Clone()
		tr.Number = 100 + i
		tr.Params = map[string]any{"training.lr": 0.001 * float64(i%100+1), "optimizer": "sgd"}
		cfg := definition.CopyValue(s.BaseConfig).(map[string]any)
		cfg["training"].(map[string]any)["lr"] = tr.Params["training.lr"]
		cfg["optimizer"] = "sgd"
		tr.Config = cfg
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			b.Fatal(err)
		}
	}
	discard := &View{Stdout: discardWriter{}}
	b.Run(fmt.Sprintf("trials=%d/streamed", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := discard.WriteShowJSON(def, st, []string{"coarse"}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("trials=%d/whole", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := discard.JSON(NewShowJSON(def, st, []string{"coarse"})); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// writeCounter counts writes.
type writeCounter struct{ n, bytes int }

func (w *writeCounter) Write(p []byte) (int, error) {
	w.n++
	w.bytes += len(p)
	return len(p), nil
}

// TestTablesBuffered: the tables of show and state list reach stdout in
// a few writes, not one per cell and run of padding.
func TestTablesBuffered(t *testing.T) {
	def, st := fixture(t)
	for i := range 2000 {
		tr := st.Trial("coarse", 0).Clone()
		tr.Number = 100 + i
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
	for name, f := range map[string]func(v *View){
		"show":       func(v *View) { v.Show(NewShowJSON(def, st, []string{"coarse"}), def) },
		"state list": func(v *View) { v.StateList(st.Trials("coarse"), def) },
	} {
		w := &writeCounter{}
		f(&View{Stdout: w, Stderr: w})
		if w.n > 50 {
			t.Errorf("%s: %d writes for %d bytes, want at most 50", name, w.n, w.bytes)
		}
	}
}
