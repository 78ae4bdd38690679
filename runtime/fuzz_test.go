//go:build unix

package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadMetrics feeds arbitrary bytes to the metrics file reader. It
// must not panic; what it returns must be storable (finite numbers only)
// and a success must hold the metric.
func FuzzReadMetrics(f *testing.F) {
	for _, s := range []string{
		helperMetrics,
		`{"val_loss": NaN, "loss": -Infinity, "acc": 0.5}`,
		`{"val_loss": "NaN"}`,
		`{"val_loss": 1e999, "x": -0}`,
		`{"val_loss": 0.5`,
		`[1, 2]`,
		`{"a": {"b": [NaN, "Infinity"]}, "val_loss": 1}`,
		`{"val_loss": 1} {"val_loss": 2}`,
		`"\u0000bare:NaN"`,
		``,
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), MetricsFile)
	f.Fuzz(func(t *testing.T, b []byte) {
		metrics, reason := parseMetrics(b, "val_loss")
		for k, v := range metrics {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("metric %q = %v", k, v)
			}
		}
		if _, err := json.Marshal(metrics); err != nil {
			t.Fatalf("metrics cannot be stored: %v", err)
		}
		if reason == "" {
			if _, ok := metrics["val_loss"]; !ok {
				t.Fatalf("success without the metric: %v", metrics)
			}
		}
		if strings.ContainsAny(oneLine(reason), "\r\n") {
			t.Fatalf("reason %q is not one line", oneLine(reason))
		}
		if len(b) > MaxMetricsSize {
			return
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		m2, reason2 := readMetrics(path, "val_loss")
		if reason2 != reason || fmt.Sprint(m2) != fmt.Sprint(metrics) {
			t.Fatalf("readMetrics = %v %q, parseMetrics = %v %q", m2, reason2, metrics, reason)
		}
	})
}

// FuzzProgressLine feeds arbitrary bytes to the progress line parser. It
// must not panic, and a line it accepts, written again the way Reporter
// writes lines, must read back the same.
func FuzzProgressLine(f *testing.F) {
	for _, s := range []string{
		`{"step": 3, "metrics": {"val_loss": 0.41, "val_acc": 0.88}}`,
		`{"step": 1e3, "metrics": {"x": NaN, "y": Infinity, "z": -Infinity}}`,
		`{"step": 2.5, "metrics": {}}`,
		`{"step": -4611686018427387904}`,
		`{"step": 1, "metrics": {"big": 1e999, "s": "text", "n": null}}`,
		`{"metrics": {}}`,
		`[1]`,
		`{"step": 1, "metrics": {"\u00e9": 1}} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		line, err := parseProgressLine(raw)
		if err != nil {
			return
		}
		again, err := parseProgressLine(bytes.TrimSuffix(progressLine(line.Step, line.Metrics), []byte("\n")))
		if err != nil {
			t.Fatalf("a line written from %+v does not read back: %v", line, err)
		}
		if !sameLine(line, again) {
			t.Fatalf("round trip: %+v became %+v", line, again)
		}
	})
}

func sameLine(a, b ProgressLine) bool {
	if a.Step != b.Step || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for k, v := range a.Metrics {
		w, ok := b.Metrics[k]
		if !ok || !(v == w || math.IsNaN(v) && math.IsNaN(w)) {
			return false
		}
	}
	return true
}

// FuzzReadProgress feeds arbitrary bytes to ReadProgress as a progress
// file and checks it against a plain reading of the same bytes: whole
// lines only, each within the length limit, parsed one by one. The line
// scanner is also checked with a small limit, which fuzzing can reach.
func FuzzReadProgress(f *testing.F) {
	for _, s := range []string{
		"{\"step\": 1, \"metrics\": {\"loss\": 2}}\n{\"step\": 2, \"metrics\": {\"loss\": 1}}\n",
		"{\"step\": 1}\n\n  \nnot json\n{\"step\": 2, \"metrics\": {\"x\": NaN}}\n{\"step\": 3",
		"{\"step\": 1}\r\n{\"step\": 2}\r\n",
		"\n\n\n",
		"{\"step\": 1, \"metrics\": {\"pad\": \"" + strings.Repeat("x", 40) + "\"}}\n{\"step\": 2}\n",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), ProgressFile)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, limit := range []int{16, MaxProgressLine} {
			var want []string
			if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
				for _, l := range strings.Split(string(b[:i]), "\n") {
					if len(l) > limit {
						l = "!"
					}
					want = append(want, l)
				}
			}
			var got []string
			err := scanLines(bytes.NewReader(b), limit, func(n int, raw []byte, tooLong bool) {
				if n != len(got)+1 {
					t.Fatalf("line %d numbered %d", len(got)+1, n)
				}
				if tooLong {
					got = append(got, "!")
				} else {
					got = append(got, string(raw))
				}
			})
			if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) {
				t.Fatalf("scanLines(limit %d) = %q, %v; want %q", limit, got, err, want)
			}
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		lines, _ := ReadProgress(path)
		var want []ProgressLine
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			for _, l := range bytes.Split(b[:i], []byte("\n")) {
				if len(l) > MaxProgressLine {
					continue
				}
				l = bytes.TrimSpace(l)
				if len(l) == 0 {
					continue
				}
				if line, err := parseProgressLine(l); err == nil {
					want = append(want, line)
				}
			}
		}
		if len(lines) != len(want) {
			t.Fatalf("ReadProgress read %d lines, want %d", len(lines), len(want))
		}
		for i := range lines {
			if !sameLine(lines[i], want[i]) {
				t.Fatalf("line %d: %+v, want %+v", i, lines[i], want[i])
			}
		}
	})
}

// FuzzHarnessDecode feeds arbitrary bytes to the harness's strict config
// decoder. It must not panic, and every problem it reports must be a line
// naming the file.
func FuzzHarnessDecode(f *testing.F) {
	for _, s := range []string{
		`{"seed": 7, "small": -3, "count": 4.0, "layers": [{"units": 2, "rate": 0.5}], "pair": [1, 2e0], "extra": {"a": 1}, "by_id": {"3": "x"}, "any": [1, "two"], "ptr": {"units": 5}, "quoted": "12", "when": "2024-01-02T03:04:05Z", "flag": true, "raw": "aGk=", "untagged": 1.5, "named": {"k": {"units": 3}}}`,
		`{"layers": null, "extra": null, "ptr": null, "any": null}`,
		`{"small": 300, "count": -1, "seed": 1.5}`,
		`{"layers": [{"units": 1}, {"units": "2", "rat": 1}]}`,
		`{"pair": [1, 2, 3], "by_id": {"x": "y"}, "quoted": "\"12\""}`,
		`{"quoted": "12.0", "when": "yesterday", "Skipped": 1, "raw": [1]}`,
		"{\n  \"small\": 1,\n  \"count\": 2 3\n}",
		`{"small": 1} {"small": 2}`,
		`{"layers": [{"rate": 1e300}], "named": {"k": {"unit": 1}}}`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c dConfig
		err := decodeConfig("config.json", data, &c)
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "config.json: ") {
				t.Fatalf("problem %q does not name the file; all:\n%v", line, err)
			}
		}
	})
}
