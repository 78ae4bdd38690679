package runtime

import (
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadMetrics(t *testing.T) {
	tests := []struct {
		name, text string
		reason     string
		metrics    map[string]float64
	}{
		{"ok", `{"val_loss": 0.1, "acc": 1}`, "", map[string]float64{"val_loss": 0.1, "acc": 1}},
		{"non-numbers ignored", `{"val_loss": 1, "big": 1e999, "s": "x", "o": {}, "n": null}`, "", map[string]float64{"val_loss": 1}},
		{"integer metric", `{"val_loss": 3}`, "", map[string]float64{"val_loss": 3}},
		{"bare NaN", `{"val_loss": NaN, "acc": 1}`, `metric "val_loss" is NaN`, map[string]float64{"acc": 1}},
		{"bare -Infinity", `{"val_loss":-Infinity}`, `metric "val_loss" is -Inf`, map[string]float64{}},
		{"bare NaN elsewhere", `{"val_loss": 2, "loss": NaN}`, "", map[string]float64{"val_loss": 2}},
		{"NaN in strings untouched", `{"note": "NaN, \"Infinity\"", "NaN": NaN, "val_loss": 1}`, "", map[string]float64{"val_loss": 1}},
		{"NaN prefix is not NaN", `{"val_loss": NaNa}`, "invalid metrics JSON: invalid character 'N' looking for beginning of value at byte 14", nil},
		{"string nan", `{"val_loss": "nan"}`, `metric "val_loss" is not a finite number: "nan"`, map[string]float64{}},
		{"string -Infinity", `{"val_loss": "-Infinity"}`, `metric "val_loss" is not a finite number: "-Infinity"`, map[string]float64{}},
		{"null", `{"val_loss": null}`, `metric "val_loss" is null, not a number`, map[string]float64{}},
		{"bool", `{"val_loss": true}`, `metric "val_loss" is a boolean, not a number`, map[string]float64{}},
		{"object", `{"val_loss": {"mean": 1}}`, `metric "val_loss" is an object, not a number`, map[string]float64{}},
		{"trailing text", `{"val_loss": 1} x`, "invalid metrics JSON: invalid character 'x' after top-level value at byte 17", nil},
		{"two objects", `{"val_loss": 1}{"val_loss": 2}`, "invalid metrics JSON: invalid character '{' after top-level value at byte 16", nil},
		{"empty object", `{}`, `metric "val_loss" missing from metrics (have: none)`, map[string]float64{}},
		{"empty file", ``, "invalid metrics JSON: unexpected end of JSON input at byte 0", nil},
		{"string", `"val_loss"`, "metrics file holds a string, not a JSON object of numbers", nil},
		{"null file", `null`, "metrics file holds null, not a JSON object of numbers", nil},
		{"python, pretty", "{\n  \"val_loss\": NaN,\n  \"acc\": 0.5\n}\n", `metric "val_loss" is NaN`, map[string]float64{"acc": 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "metrics.json")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			metrics, reason := readMetrics(path, "val_loss")
			if reason != tt.reason {
				t.Errorf("reason = %q, want %q", reason, tt.reason)
			}
			if tt.metrics == nil && metrics != nil || !maps.Equal(metrics, tt.metrics) {
				t.Errorf("metrics = %v, want %v", metrics, tt.metrics)
			}
		})
	}
}

func TestWriteMetrics(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.json")
	want := map[string]float64{"val_loss": 0.125, "acc": 0.5, "steps": 1e6}
	if err := WriteMetrics(path, want); err != nil {
		t.Fatal(err)
	}
	got, reason := readMetrics(path, "val_loss")
	if reason != "" || !maps.Equal(got, want) {
		t.Errorf("read back %v %q, want %v", got, reason, want)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "{\n  \"acc\": 0.5,\n  \"steps\": 1000000,\n  \"val_loss\": 0.125\n}\n" {
		t.Errorf("file = %q", b)
	}

	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		err := WriteMetrics(path, map[string]float64{"val_loss": bad})
		if err == nil || !strings.Contains(err.Error(), `metric "val_loss" is`) {
			t.Errorf("WriteMetrics(%v) = %v, want an error naming the metric", bad, err)
		}
	}
	if err := WriteMetrics("", want); err == nil || !strings.Contains(err.Error(), "FW_METRICS") {
		t.Errorf("WriteMetrics(\"\") = %v, want an error about FW_METRICS", err)
	}
	if err := WriteMetrics(filepath.Join(dir, "no", "such", "dir.json"), want); err == nil {
		t.Error("WriteMetrics into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
	if got, reason := readMetrics(path, "val_loss"); reason != "" || !maps.Equal(got, want) {
		t.Errorf("a failed write changed the file: %v %q", got, reason)
	}
}

func TestReadMetricsMissingFile(t *testing.T) {
	m, reason := readMetrics(filepath.Join(t.TempDir(), "metrics.json"), "x")
	if m != nil || reason != "no metrics file (FW_METRICS)" {
		t.Errorf("readMetrics = %v %q", m, reason)
	}
	dir := t.TempDir() // a directory where the file should be
	if _, reason := readMetrics(dir, "x"); !strings.HasPrefix(reason, "cannot read metrics file: ") {
		t.Errorf("readMetrics(dir) reason %q", reason)
	}
}
