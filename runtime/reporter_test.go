//go:build unix

package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type rBase struct {
	Epoch int `json:"epoch"`
}

type rMetrics struct {
	rBase
	Loss    float64  `json:"loss"`
	Acc     float32  `json:"acc,omitempty"`
	Skip    float64  `json:"-"`
	Note    string   `json:"note"`
	Ptr     *float64 `json:"ptr"`
	Untaged float64
	hidden  float64
}

// rMarshaler encodes itself.
type rMarshaler struct{ loss float64 }

func (m rMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"loss": %g, "name": "x"}`, m.loss)), nil
}

func TestNumericFields(t *testing.T) {
	half := 0.5
	tests := []struct {
		name string
		v    any
		want map[string]float64
		err  string
	}{
		{"struct", rMetrics{rBase: rBase{3}, Loss: 1, Acc: 0.5, Skip: 9, Note: "n", Ptr: &half, Untaged: 2, hidden: 7},
			map[string]float64{"epoch": 3, "loss": 1, "acc": 0.5, "ptr": 0.5, "Untaged": 2}, ""},
		{"omitempty and nil pointer", rMetrics{}, map[string]float64{"epoch": 0, "loss": 0, "Untaged": 0}, ""},
		{"pointer to struct", &rMetrics{Loss: 2}, map[string]float64{"epoch": 0, "loss": 2, "Untaged": 0}, ""},
		{"map", map[string]float64{"a": 1, "b": math.NaN()}, map[string]float64{"a": 1, "b": math.NaN()}, ""},
		{"map of any", map[string]any{"a": 1, "b": "x", "c": int64(3)}, map[string]float64{"a": 1, "c": 3}, ""},
		{"named map", map[string]int{"n": 4}, map[string]float64{"n": 4}, ""},
		{"MarshalJSON", rMarshaler{0.25}, map[string]float64{"loss": 0.25}, ""},
		{"nil", nil, nil, "metrics are nil; want a struct or a map[string]float64"},
		{"nil pointer", (*rMetrics)(nil), nil, "metrics are a nil *runtime.rMetrics"},
		{"number", 3.0, nil, "metrics are a float64; want a struct or a map[string]float64"},
		{"int keys", map[int]float64{1: 2}, nil, "metrics are a map[int]float64; want string keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := numericFields(tt.v)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("numericFields = %v, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !maps.EqualFunc(got, tt.want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Errorf("numericFields = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestReporterWritesLines(t *testing.T) {
	var buf bytes.Buffer
	r := NewReporter("", &buf)
	r.Report(1, map[string]float64{"loss": math.NaN(), "up": math.Inf(1), "down": math.Inf(-1), "acc": 1e-7, "k\"ey": 2})
	r.Report(-2, struct{}{})
	want := `{"step": 1, "metrics": {"acc": 1e-7, "down": -Infinity, "k\"ey": 2, "loss": NaN, "up": Infinity}}` + "\n" +
		`{"step": -2, "metrics": {}}` + "\n"
	if buf.String() != want {
		t.Errorf("Report wrote\n%s\nwant\n%s", buf.String(), want)
	}
	// Finite lines are plain JSON.
	var v map[string]any
	if err := json.Unmarshal([]byte(strings.Split(want, "\n")[1]), &v); err != nil {
		t.Error(err)
	}

	if err := r.Report(1, "loss"); err == nil || !strings.Contains(err.Error(), "want a struct or a map[string]float64") {
		t.Errorf("Report(string) = %v", err)
	}
	var nilR *Reporter
	if err := nilR.Report(1, map[string]float64{"a": 1}); err != nil {
		t.Errorf("nil Reporter: %v", err)
	}
}

func TestReporterReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	r := NewReporter(path, nil)
	defer r.close()
	if err := r.Report(1, rMetrics{Loss: math.NaN()}); err != nil {
		t.Fatal(err)
	}
	if err := r.Report(2, map[string]float64{"loss": math.Inf(1)}); err != nil {
		t.Fatal(err)
	}
	lines, err := ReadProgress(path)
	if err != nil || len(lines) != 2 || !math.IsNaN(lines[0].Metrics["loss"]) || !math.IsInf(lines[1].Metrics["loss"], 1) {
		t.Errorf("ReadProgress = %v, %v", lines, err)
	}
	// Closed and used again: appends.
	r.close()
	r.Report(3, map[string]float64{"loss": 1})
	if lines, err := ReadProgress(path); err != nil || len(lines) != 3 {
		t.Errorf("after close: %v, %v", lines, err)
	}
}

func TestReporterConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), ProgressFile)
	mustWrite(t, path, "", 0o644)
	r := NewReporter(path, nil)
	defer r.close()
	const workers, each = 8, 50
	long := map[string]float64{}
	for i := range 40 { // long lines make torn writes likelier
		long[fmt.Sprintf("metric_with_a_long_name_%02d", i)] = float64(i) / 3
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := r.Report(int64(w*each+i), long); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	lines, err := ReadProgress(path)
	if err != nil || len(lines) != workers*each {
		t.Fatalf("ReadProgress: %d lines, %v; want %d", len(lines), err, workers*each)
	}
	seen := map[int64]bool{}
	for _, l := range lines {
		seen[l.Step] = true
		if !maps.Equal(l.Metrics, long) {
			t.Fatalf("step %d: metrics %v", l.Step, l.Metrics)
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct steps, want %d", len(seen), workers*each)
	}
}
