//go:build unix

package runtime

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hConfig stands in for a generated config type.
type hConfig struct {
	Training struct {
		LR        float64 `json:"lr"`
		BatchSize int     `json:"batch_size"`
		Epochs    int     `json:"epochs"`
	} `json:"training"`
	Optimizer string `json:"optimizer"`
}

// hMetrics stands in for a generated metrics type.
type hMetrics struct {
	ValLoss float64 `json:"val_loss"`
	Acc     float64 `json:"acc"`
	Note    string  `json:"note"` // not a number: left out
}

func hDefaults() hConfig {
	var c hConfig
	c.Training.LR, c.Training.BatchSize, c.Training.Epochs = 0.001, 64, 5
	c.Optimizer = "adam"
	return c
}

func hValidate(c hConfig) error {
	var errs []error
	if c.Training.LR <= 0 {
		errs = append(errs, errors.New("training.lr: must be > 0"))
	}
	if c.Optimizer != "adam" && c.Optimizer != "sgd" {
		errs = append(errs, errors.New(`optimizer: must be one of "adam", "sgd"`))
	}
	return errors.Join(errs...)
}

var testHarness = Harness[hConfig, hMetrics]{
	Defaults:    hDefaults,
	Validate:    hValidate,
	Fingerprint: "fp-0123abcd",
	Metric:      "val_loss",
}

// trainRecorder is a train function that records the config it got.
type trainRecorder struct {
	called bool
	cfg    hConfig
	m      hMetrics
	err    error
}

func (tr *trainRecorder) train(ctx context.Context, cfg hConfig, r *Reporter) (hMetrics, error) {
	tr.called, tr.cfg = true, cfg
	return tr.m, tr.err
}

type harnessRun struct {
	code           int
	stdout, stderr string
}

func runHarness[C, M any](t *testing.T, h Harness[C, M], args []string, env map[string]string,
	train func(context.Context, C, *Reporter) (M, error)) harnessRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := h.run(args, func(k string) string { return env[k] }, &stdout, &stderr, train)
	return harnessRun{code, stdout.String(), stderr.String()}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	mustWrite(t, path, content, 0o644)
	return path
}

func TestHarnessConfigFromFWConfig(t *testing.T) {
	good := hDefaults()
	good.Training.LR, good.Training.BatchSize = 0.01, 128
	tests := []struct {
		name    string
		json    string
		want    *hConfig // nil: a failed trial
		stderr  []string // fragments of stderr, each on its own line
		trained bool
	}{
		{name: "whole config", json: `{"training": {"lr": 0.01, "batch_size": 128, "epochs": 5}, "optimizer": "adam"}`, want: &good},
		{name: "missing fields keep defaults", json: `{"training": {"lr": 0.01, "batch_size": 128}}`, want: &good},
		{name: "whole float for int", json: `{"training": {"lr": 0.01, "batch_size": 128.0}}`, want: &good},
		{name: "exponent for int", json: `{"training": {"lr": 0.01, "batch_size": 1.28e2}}`, want: &good},
		{name: "unknown field", json: `{"training": {"lr": 0.01, "batch_sise": 128}}`,
			stderr: []string{`config.json: training.batch_sise: unknown field; did you mean "batch_size"?`}},
		{name: "unknown top-level field", json: `{"optimiser": "sgd", "zzzzzzzzzz": 1}`,
			stderr: []string{`config.json: optimiser: unknown field; did you mean "optimizer"?`,
				`config.json: zzzzzzzzzz: unknown field (known: training, optimizer)`}},
		{name: "wrong type", json: `{"training": {"lr": "0.01"}}`,
			stderr: []string{"config.json: training.lr: want float64, got string"}},
		{name: "not whole for int", json: `{"training": {"batch_size": 12.5}}`,
			stderr: []string{"config.json: training.batch_size: want int, got 12.5 (not a whole number)"}},
		{name: "int out of range", json: `{"training": {"epochs": 1e40}}`,
			stderr: []string{"config.json: training.epochs: want int, got 1e40 (out of range)"}},
		{name: "string for object", json: `{"training": "fast"}`,
			stderr: []string{"config.json: training: want an object, got string"}},
		{name: "null for float", json: `{"training": {"lr": null}}`,
			stderr: []string{"config.json: training.lr: want float64, got null"}},
		{name: "every problem", json: `{"training": {"lr": true, "batch_size": 1.5, "epoch": 3}, "optimizer": 1}`,
			stderr: []string{
				"config.json: optimizer: want string, got number",
				`config.json: training.batch_size: want int, got 1.5 (not a whole number)`,
				`config.json: training.epoch: unknown field; did you mean "epochs"?`,
				"config.json: training.lr: want float64, got boolean",
			}},
		{name: "not an object", json: `[1, 2]`,
			stderr: []string{"config.json: top level: want an object (runtime.hConfig), got array"}},
		{name: "syntax error", json: "{\"training\": {\"lr\": 0.01,}}",
			stderr: []string{"config.json: invalid JSON: invalid character '}' looking for beginning of object key string at line 1, column 26"}},
		{name: "trailing data", json: `{"optimizer": "adam"} {}`,
			stderr: []string{"config.json: invalid JSON: more data after the top-level value"}},
		{name: "empty", json: "",
			stderr: []string{"config.json: empty file; want a JSON object"}},
		{name: "validate", json: `{"training": {"lr": -1}, "optimizer": "adagrad"}`,
			stderr: []string{"config.json: invalid config: training.lr: must be > 0",
				`config.json: invalid config: optimizer: must be one of "adam", "sgd"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "config.json")
			mustWrite(t, path, tt.json, 0o644)
			tr := &trainRecorder{m: hMetrics{ValLoss: 0.5}}
			env := map[string]string{"FW_CONFIG": path, "FW_METRICS": filepath.Join(dir, "metrics.json")}
			got := runHarness(t, testHarness, nil, env, tr.train)
			if tt.want == nil {
				if got.code != 1 || tr.called {
					t.Fatalf("exit %d, train called %v; want 1 without training\nstderr:\n%s", got.code, tr.called, got.stderr)
				}
				lines := strings.Split(strings.TrimSpace(got.stderr), "\n")
				if len(lines) != len(tt.stderr) {
					t.Errorf("stderr has %d lines, want %d:\n%s", len(lines), len(tt.stderr), got.stderr)
				}
				for i, frag := range tt.stderr {
					if i >= len(lines) || !strings.HasPrefix(lines[i], path+": ") || !strings.Contains(lines[i], strings.TrimPrefix(frag, "config.json: ")) {
						t.Errorf("stderr line %d does not hold %q:\n%s", i+1, frag, got.stderr)
					}
				}
				if _, err := os.Stat(env["FW_METRICS"]); err == nil {
					t.Error("a failed config wrote metrics")
				}
				return
			}
			if got.code != 0 || !tr.called {
				t.Fatalf("exit %d, train called %v; want 0\nstderr:\n%s", got.code, tr.called, got.stderr)
			}
			if tr.cfg != *tt.want {
				t.Errorf("train got %+v, want %+v", tr.cfg, *tt.want)
			}
		})
	}
}

func TestHarnessConfigSources(t *testing.T) {
	fromFile := hDefaults()
	fromFile.Optimizer = "sgd"
	file := writeTemp(t, "mine.json", `{"optimizer": "sgd"}`)
	fromEnv := hDefaults()
	fromEnv.Training.Epochs = 9
	envFile := writeTemp(t, "config.json", `{"training": {"epochs": 9}}`)
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		want   hConfig
		stderr string
	}{
		{"defaults when nothing is given", nil, nil, hDefaults(), ""},
		{"-config FILE", []string{"-config", file}, nil, fromFile, ""},
		{"--config=FILE", []string{"--config=" + file}, nil, fromFile, ""},
		{"FW_CONFIG", nil, map[string]string{"FW_CONFIG": envFile}, fromEnv, ""},
		{"FW_CONFIG wins over -config", []string{"-config", file}, map[string]string{"FW_CONFIG": envFile}, fromEnv,
			"warning: ignoring -config " + file + ": FW_CONFIG is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &trainRecorder{m: hMetrics{ValLoss: 0.5}}
			got := runHarness(t, testHarness, tt.args, tt.env, tr.train)
			if got.code != 0 || tr.cfg != tt.want {
				t.Errorf("exit %d, config %+v; want 0, %+v\nstderr:\n%s", got.code, tr.cfg, tt.want, got.stderr)
			}
			if tt.stderr == "" && got.stderr != "" || !strings.Contains(got.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want %q", got.stderr, tt.stderr)
			}
		})
	}

	t.Run("missing -config file", func(t *testing.T) {
		tr := &trainRecorder{}
		got := runHarness(t, testHarness, []string{"-config", "/nonexistent/c.json"}, nil, tr.train)
		if got.code != 1 || tr.called || !strings.Contains(got.stderr, "/nonexistent/c.json: no such file") {
			t.Errorf("exit %d, called %v, stderr %q", got.code, tr.called, got.stderr)
		}
	})
	t.Run("invalid defaults", func(t *testing.T) {
		h := testHarness
		h.Defaults = func() hConfig { return hConfig{} }
		tr := &trainRecorder{}
		got := runHarness(t, h, nil, nil, tr.train)
		if got.code != 1 || tr.called || !strings.Contains(got.stderr, "the default config: invalid config: training.lr: must be > 0\n") {
			t.Errorf("exit %d, called %v, stderr %q", got.code, tr.called, got.stderr)
		}
	})
	t.Run("nil Defaults and Validate", func(t *testing.T) {
		h := Harness[hConfig, map[string]float64]{}
		var cfg hConfig
		cfg.Optimizer = "x"
		got := runHarness(t, h, nil, nil, func(_ context.Context, c hConfig, _ *Reporter) (map[string]float64, error) {
			cfg = c
			return map[string]float64{"loss": 1}, nil
		})
		if got.code != 0 || cfg != (hConfig{}) || got.stdout != "{\"loss\":1}\n" {
			t.Errorf("exit %d, config %+v, stdout %q, stderr %q", got.code, cfg, got.stdout, got.stderr)
		}
	})
}

func TestHarnessFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a fragment
		stderr string // a fragment
	}{
		{"-fw-schema", []string{"-fw-schema"}, 0, "fp-0123abcd\n", ""},
		{"-fw-schema before a bad config", []string{"-fw-schema", "-config", "/nonexistent"}, 0, "fp-0123abcd\n", ""},
		{"-h", []string{"-h"}, 0, "-fw-schema", ""},
		{"unknown flag", []string{"-lr", "3"}, 2, "", "flag provided but not defined: -lr"},
		{"positional argument", []string{"extra"}, 2, "", `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &trainRecorder{}
			got := runHarness(t, testHarness, tt.args, nil, tr.train)
			if got.code != tt.code || tr.called {
				t.Errorf("exit %d, train called %v; want %d without training", got.code, tr.called, tt.code)
			}
			if !strings.Contains(got.stdout, tt.stdout) || !strings.Contains(got.stderr, tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q, %q", got.stdout, got.stderr, tt.stdout, tt.stderr)
			}
		})
	}
	t.Run("-fw-schema prints only the fingerprint", func(t *testing.T) {
		got := runHarness(t, testHarness, []string{"-fw-schema"}, nil, (&trainRecorder{}).train)
		if got.stdout != "fp-0123abcd\n" || got.stderr != "" {
			t.Errorf("stdout %q, stderr %q", got.stdout, got.stderr)
		}
	})
}

func TestHarnessMetrics(t *testing.T) {
	good := hMetrics{ValLoss: 0.25, Acc: 0.9, Note: "text"}
	tests := []struct {
		name        string
		m           hMetrics
		err         error
		code        int
		written     map[string]float64 // the metrics file; nil: none
		stderr      string             // a fragment; "" means stderr is empty
		metricsKey  string
		metricsPath bool
	}{
		{name: "written", m: good, code: 0, written: map[string]float64{"val_loss": 0.25, "acc": 0.9}},
		{name: "zero values are kept", m: hMetrics{}, code: 0, written: map[string]float64{"val_loss": 0, "acc": 0}},
		{name: "NaN refused", m: hMetrics{ValLoss: nan(), Acc: 0.9}, code: 1,
			stderr: `metric "val_loss" is NaN, which a trial cannot report`},
		{name: "Inf refused", m: hMetrics{ValLoss: 0.5, Acc: inf()}, code: 1,
			stderr: `metric "acc" is +Inf`},
		{name: "train error", m: good, err: errors.New("out of memory"), code: 1, stderr: "error: out of memory\n"},
		{name: "missing metric", m: good, metricsKey: "val_acc", code: 1,
			written: map[string]float64{"val_loss": 0.25, "acc": 0.9},
			stderr:  `error: the metrics lack "val_acc", the search's metric (have: acc, val_loss)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, MetricsFile)
			h := testHarness
			if tt.metricsKey != "" {
				h.Metric = tt.metricsKey
			}
			tr := &trainRecorder{m: tt.m, err: tt.err}
			got := runHarness(t, h, nil, map[string]string{"FW_METRICS": path}, tr.train)
			if got.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", got.code, tt.code, got.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout = %q inside fwapply, want nothing", got.stdout)
			}
			if tt.stderr == "" && got.stderr != "" || !strings.Contains(got.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want %q", got.stderr, tt.stderr)
			}
			entries, _ := os.ReadDir(dir)
			if tt.written == nil {
				if len(entries) != 0 {
					t.Errorf("the trial directory holds %v, want nothing", entries)
				}
				return
			}
			if len(entries) != 1 || entries[0].Name() != MetricsFile {
				t.Errorf("the trial directory holds %v, want only %s (no temp files)", entries, MetricsFile)
			}
			m, reason := readMetrics(path, h.Metric)
			if !maps.Equal(m, tt.written) {
				t.Errorf("metrics file holds %v, want %v", m, tt.written)
			}
			if (reason == "") != (tt.code == 0) {
				t.Errorf("the executor would say %q", reason)
			}
		})
	}

	t.Run("printed outside fwapply", func(t *testing.T) {
		got := runHarness(t, testHarness, nil, nil, (&trainRecorder{m: good}).train)
		if got.code != 0 || got.stdout != "{\"acc\":0.9,\"val_loss\":0.25}\n" || got.stderr != "" {
			t.Errorf("exit %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
		}
	})
	t.Run("map metrics", func(t *testing.T) {
		h := Harness[hConfig, map[string]float64]{Defaults: hDefaults, Metric: "val_loss"}
		got := runHarness(t, h, nil, nil, func(context.Context, hConfig, *Reporter) (map[string]float64, error) {
			return map[string]float64{"val_loss": 1.5, "epochs": 3}, nil
		})
		if got.code != 0 || got.stdout != "{\"epochs\":3,\"val_loss\":1.5}\n" {
			t.Errorf("exit %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
		}
	})
	t.Run("nil pointer metrics", func(t *testing.T) {
		h := Harness[hConfig, *hMetrics]{Defaults: hDefaults, Metric: "val_loss"}
		got := runHarness(t, h, nil, nil, func(context.Context, hConfig, *Reporter) (*hMetrics, error) {
			return nil, nil
		})
		if got.code != 1 || !strings.Contains(got.stderr, "metrics are a nil *runtime.hMetrics") {
			t.Errorf("exit %d, stderr %q", got.code, got.stderr)
		}
	})
	t.Run("unwritable metrics path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "dir", MetricsFile)
		got := runHarness(t, testHarness, nil, map[string]string{"FW_METRICS": path}, (&trainRecorder{m: good}).train)
		if got.code != 1 || !strings.Contains(got.stderr, "runtime.WriteMetrics: writing "+path) {
			t.Errorf("exit %d, stderr %q", got.code, got.stderr)
		}
	})
}

func TestHarnessPanic(t *testing.T) {
	tests := []struct {
		name  string
		h     Harness[hConfig, hMetrics]
		train func(context.Context, hConfig, *Reporter) (hMetrics, error)
		frame string // a function the stack must show
	}{
		{"in train", testHarness, func(context.Context, hConfig, *Reporter) (hMetrics, error) {
			panicky()
			return hMetrics{}, nil
		}, "runtime.panicky"},
		{"in Validate", Harness[hConfig, hMetrics]{Validate: func(hConfig) error { panicky(); return nil }},
			(&trainRecorder{}).train, "runtime.panicky"},
		{"runtime error", testHarness, func(context.Context, hConfig, *Reporter) (hMetrics, error) {
			var m map[string]int
			m["x"] = 1 // assignment to a nil map
			return hMetrics{}, nil
		}, "runtime.TestHarnessPanic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, MetricsFile)
			got := runHarness(t, tt.h, nil, map[string]string{"FW_METRICS": path}, tt.train)
			if got.code != 1 {
				t.Errorf("exit %d, want 1", got.code)
			}
			if !strings.HasPrefix(got.stderr, "panic: ") || !strings.Contains(got.stderr, "goroutine ") ||
				!strings.Contains(got.stderr, tt.frame) || !strings.Contains(got.stderr, "harness_test.go:") {
				t.Errorf("stderr lacks the panic and its stack:\n%s", got.stderr)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("a panicking trial wrote metrics")
			}
		})
	}
	t.Run("message", func(t *testing.T) {
		got := runHarness(t, testHarness, nil, nil, func(context.Context, hConfig, *Reporter) (hMetrics, error) {
			panicky()
			return hMetrics{}, nil
		})
		if !strings.HasPrefix(got.stderr, "panic: the loss went to the moon\n\ngoroutine ") {
			t.Errorf("stderr:\n%s", got.stderr)
		}
	})
}

func nan() float64 { return math.NaN() }
func inf() float64 { return math.Inf(1) }

func panicky() { panic("the loss went to the moon") }

func TestHarnessReporter(t *testing.T) {
	type progress struct {
		Loss float64 `json:"loss"`
		Acc  float64 `json:"acc,omitempty"`
	}
	train := func(_ context.Context, _ hConfig, r *Reporter) (hMetrics, error) {
		for i := range 3 {
			if err := r.Report(int64(i+1), progress{Loss: 1 / float64(i+1)}); err != nil {
				return hMetrics{}, err
			}
		}
		if err := r.Report(4, map[string]float64{"loss": 0.2, "acc": 0.8}); err != nil {
			return hMetrics{}, err
		}
		return hMetrics{ValLoss: 0.2}, nil
	}

	t.Run("appended to FW_PROGRESS", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, ProgressFile)
		mustWrite(t, path, "", 0o644) // the executor creates it
		env := map[string]string{"FW_PROGRESS": path, "FW_METRICS": filepath.Join(dir, MetricsFile)}
		got := runHarness(t, testHarness, nil, env, train)
		if got.code != 0 || got.stderr != "" {
			t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
		}
		lines, err := ReadProgress(path)
		if err != nil || len(lines) != 4 {
			t.Fatalf("ReadProgress = %v, %v; want 4 lines", lines, err)
		}
		for i, l := range lines {
			if l.Step != int64(i+1) {
				t.Errorf("line %d: step %d", i+1, l.Step)
			}
		}
		if !maps.Equal(lines[1].Metrics, map[string]float64{"loss": 0.5}) ||
			!maps.Equal(lines[3].Metrics, map[string]float64{"loss": 0.2, "acc": 0.8}) {
			t.Errorf("ReadProgress = %v", lines)
		}
	})
	t.Run("stderr outside fwapply", func(t *testing.T) {
		got := runHarness(t, testHarness, nil, nil, train)
		want := `{"step": 1, "metrics": {"loss": 1}}
{"step": 2, "metrics": {"loss": 0.5}}
{"step": 3, "metrics": {"loss": 0.3333333333333333}}
{"step": 4, "metrics": {"acc": 0.8, "loss": 0.2}}
`
		if got.code != 0 || got.stderr != want {
			t.Errorf("exit %d, stderr\n%s\nwant\n%s", got.code, got.stderr, want)
		}
	})
}
