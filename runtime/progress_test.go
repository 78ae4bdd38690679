package runtime

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadProgress(t *testing.T) {
	tests := []struct {
		name, text string
		steps      []int64
		loss       []float64 // the "loss" of each line; NaN compares equal to NaN
		errLine    string    // a fragment of the error, "" for none
	}{
		{"empty", "", nil, nil, ""},
		{"lines", "{\"step\": 1, \"metrics\": {\"loss\": 0.5}}\n{\"step\": 2, \"metrics\": {\"loss\": 0.25, \"lr\": 0.1}}\n", []int64{1, 2}, []float64{0.5, 0.25}, ""},
		{"torn last line", "{\"step\": 1, \"metrics\": {\"loss\": 0.5}}\n{\"step\": 2, \"metr", []int64{1}, []float64{0.5}, ""},
		{"torn only line", "{\"step\": 1, \"met", nil, nil, ""},
		{"complete last line without newline is in progress", "{\"step\": 1, \"metrics\": {\"loss\": 0.5}}", nil, nil, ""},
		{"python NaN", "{\"step\": 3, \"metrics\": {\"loss\": NaN}}\n", []int64{3}, []float64{math.NaN()}, ""},
		{"float step", "{\"step\": 4.0, \"metrics\": {\"loss\": 1}}\n", []int64{4}, []float64{1}, ""},
		{"blank lines and CRLF", "\n{\"step\": 1, \"metrics\": {\"loss\": 1}}\r\n\n", []int64{1}, []float64{1}, ""},
		{"no metrics", "{\"step\": 1}\n", []int64{1}, []float64{0}, ""},
		{"bad middle line", "{\"step\": 1, \"metrics\": {\"loss\": 1}}\nnot json\n{\"step\": 2, \"metrics\": {\"loss\": 2}}\n", []int64{1, 2}, []float64{1, 2}, "line 2: invalid character"},
		{"no step", "{\"metrics\": {\"loss\": 1}}\n", nil, nil, `line 1: no numeric "step"`},
		{"fractional step", "{\"step\": 1.5}\n", nil, nil, `"step" is 1.5, not an integer`},
		{"array", "[1]\n", nil, nil, "line 1: an array, not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "progress.jsonl")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			lines, err := ReadProgress(path)
			if tt.errLine == "" && err != nil || tt.errLine != "" && (err == nil || !strings.Contains(err.Error(), tt.errLine)) {
				t.Errorf("error = %v, want %q", err, tt.errLine)
			}
			if len(lines) != len(tt.steps) {
				t.Fatalf("lines = %+v, want steps %v", lines, tt.steps)
			}
			for i, l := range lines {
				loss := l.Metrics["loss"]
				if l.Step != tt.steps[i] || !(loss == tt.loss[i] || math.IsNaN(loss) && math.IsNaN(tt.loss[i])) {
					t.Errorf("line %d = %+v, want step %d loss %v", i, l, tt.steps[i], tt.loss[i])
				}
			}
		})
	}
}

func TestReadProgressMissingFile(t *testing.T) {
	_, err := ReadProgress(filepath.Join(t.TempDir(), "progress.jsonl"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want fs.ErrNotExist", err)
	}
}
