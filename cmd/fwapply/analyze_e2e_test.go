package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// analyzeProject is a project of four searches of the test trial program
// (score (x − 0.3)², sleep_ms only costs time): grid, random and bayes
// over the same space, compared; "flaky", whose "behavior" fails every
// trial that draws exit3; and "zero", whose best score is exactly 0.
const analyzeProject = `search "grid" {
  strategy    = "grid"
  metric      = "score"
  mode        = "min"
  parallelism = 2
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "x" {
    type = real
    low  = 0
    high = 1
    step = 0.125
  }
  param "sleep_ms" {
    values = [0, 5]
  }
  trial {
    command = [%[1]q]
    timeout = "20s"
  }
}

search "random" {
  strategy    = "random"
  metric      = "score"
  mode        = "min"
  trials      = 18
  seed        = 3
  parallelism = 2
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  param "sleep_ms" {
    values = [0, 5]
  }
  trial {
    command = [%[1]q]
    timeout = "20s"
  }
}

search "bayes" {
  strategy    = "bayesian"
  metric      = "score"
  mode        = "min"
  trials      = 14
  seed        = 3
  parallelism = 1
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  bayesian {
    initial_points = 6
  }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  param "sleep_ms" {
    values = [0, 5]
  }
  trial {
    command = [%[1]q]
    timeout = "20s"
  }
}

search "flaky" {
  strategy    = "grid"
  metric      = "score"
  mode        = "min"
  parallelism = 2
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "behavior" {
    values = ["ok", "exit3"]
  }
  param "x" {
    type = real
    low  = 0
    high = 1
    step = 0.125
  }
  trial {
    command = [%[1]q]
    timeout = "20s"
  }
}

search "zero" {
  strategy    = "grid"
  metric      = "score"
  mode        = "min"
  base_config = { x = 0.5, behavior = "ok", sleep_ms = 0 }
  param "x" {
    values = [0.1, 0.3, 0.6, 0.9]
  }
  trial {
    command = [%[1]q]
    timeout = "20s"
  }
}
`

var (
	analyzeOnce sync.Once
	analyzeDir  string
	analyzeErr  string
)

// analyzedProject applies analyzeProject once, in a directory shared by
// the tests of this file, which only read its state; it is in the
// binaries' directory, which TestMain removes.
func analyzedProject(t *testing.T) string {
	t.Helper()
	analyzeOnce.Do(func() {
		dir, err := os.MkdirTemp(filepath.Dir(binary), "analyze")
		if err != nil {
			analyzeErr = err.Error()
			return
		}
		analyzeDir = dir
		if err := os.WriteFile(filepath.Join(dir, "main.fw.hcl"), []byte(fmt.Sprintf(analyzeProject, trialBinary)), 0o644); err != nil {
			analyzeErr = err.Error()
			return
		}
		// flaky's failures fail the apply (exit 1); every trial has run.
		if code, out, errs := fwapply(t, dir, "apply", "-auto-approve"); code != 0 && code != 1 {
			analyzeErr = fmt.Sprintf("apply: exit %d\n%s%s", code, out, errs)
		}
	})
	if analyzeErr != "" {
		t.Fatal(analyzeErr)
	}
	return analyzeDir
}

// svgOf reads an SVG plot and checks its size and that it holds each
// text (a title, axis labels; a score axis's label may say "(log
// scale)").
func svgOf(t *testing.T, path string, texts ...string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("plot: %v", err)
	}
	s := string(b)
	if !strings.Contains(s, `width="453.54pt"`) || !strings.Contains(s, `height="283.46pt"`) {
		t.Errorf("%s: not a 16 cm × 10 cm SVG:\n%.300s", path, s)
	}
	for _, x := range texts {
		if !strings.Contains(s, ">"+x+"<") && !strings.Contains(s, ">"+x+" (log scale)<") {
			t.Errorf("%s: no text %q", path, x)
		}
	}
	return s
}

type analyzeJSON struct {
	Searches map[string]struct {
		BestN []struct {
			Trial  int
			Config map[string]any
		} `json:"best_n"`
		Importance        map[string]float64 `json:"importance"`
		ImportanceErrors  map[string]float64 `json:"importance_errors"`
		FailureImportance map[string]float64 `json:"failure_importance"`
		Plots             []string           `json:"plots"`
	} `json:"searches"`
	Comparison *struct {
		Metric, Mode string
		Searches     []struct {
			Search    string
			Trials    int
			Best      *float64
			Within    *struct{ Trials, Trial int } `json:"within_1pct"`
			WallTime  float64                      `json:"wall_time_seconds"`
			TrialTime float64                      `json:"trial_time_seconds"`
		}
		Plots []string
	} `json:"comparison"`
	Report string `json:"report"`
}

// TestE2EAnalyzeSelect: -plot, -param and -o draw exactly the plot
// asked for, its format from the extension; errors say what exists.
func TestE2EAnalyzeSelect(t *testing.T) {
	dir := analyzedProject(t)
	out := t.TempDir()
	lr := filepath.Join(out, "x.svg")
	doc := jsonOf[analyzeJSON](t, dir, "analyze", "-json", "search.random", "-plot=slice", "-param=x", "-yscale=linear", "-o", lr)
	if p := doc.Searches["random"].Plots; len(p) != 1 || p[0] != lr {
		t.Errorf("plots %v, want [%s]", p, lr)
	}
	svgOf(t, lr, "random: x vs score", "x", "score")
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("-o wrote %d files", len(entries))
	}
	png := filepath.Join(out, "conv.png")
	if code, _, errs := fwapply(t, dir, "analyze", "search.grid", "-plot=convergence", "-o="+png); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(png); !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("%s is not a PNG", png)
	}

	for _, tt := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"search.random", "-plot=slice", "-o=" + lr}, []string{"-o names the file of one plot, but the selection makes 2 plots: random-param-x, random-param-sleep_ms"}},
		{[]string{"search.random", "-plot=slcie", "-o=" + lr}, []string{`unknown plot kind "slcie". Did you mean "slice"?`, "The kinds are convergence, importance"}},
		{[]string{"search.random", "-plot=slice", "-param=xx", "-o=" + lr}, []string{`search.random has no param "xx". Did you mean "x"? Its params are x, sleep_ms.`}},
		{[]string{"search.random", "-plot=progress", "-o=" + lr}, []string{"no progress plot: no trial of search.random reported intermediate values"}},
		{[]string{"search.randon"}, []string{`search.randon is not defined. Did you mean "random"?`}},
		{[]string{"search.zero", "-plot=convergence", "-yscale=log", "-o=" + lr}, []string{"log"}},
	} {
		code, stdout, errs := fwapply(t, dir, append([]string{"analyze", "-no-color"}, tt.args...)...)
		flat := strings.Join(strings.Fields(errs), " ")
		if code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s%s", tt.args, code, stdout, errs)
		}
		for _, w := range tt.wants {
			if !strings.Contains(flat, w) {
				t.Errorf("%v: no %q in:\n%s", tt.args, w, errs)
			}
		}
	}
}

// TestE2EAnalyzeYScale: a forced log scale with a score of 0 fails with
// a message naming the problem; forced linear, the same plot draws, and
// the axis label says when it is logarithmic.
func TestE2EAnalyzeYScale(t *testing.T) {
	dir := analyzedProject(t)
	path := filepath.Join(t.TempDir(), "c.svg")
	code, _, errs := fwapply(t, dir, "analyze", "-no-color", "search.zero", "-plot=convergence", "-yscale=log", "-o="+path)
	flat := strings.Join(strings.Fields(errs), " ")
	if code != 1 || !strings.Contains(flat, "convergence of zero") || !regexp.MustCompile(`score of 0 .*log scale`).MatchString(flat) {
		t.Errorf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed plot left %s: %v", path, err)
	}
	if code, _, errs := fwapply(t, dir, "analyze", "search.zero", "-plot=convergence", "-yscale=linear", "-o="+path); code != 0 {
		t.Fatalf("linear: exit %d: %s", code, errs)
	}
	svgOf(t, path, "zero: convergence", "score")
	if code, _, errs := fwapply(t, dir, "analyze", "search.random", "-plot=convergence", "-yscale=log", "-o="+path); code != 0 {
		t.Fatalf("log: exit %d: %s", code, errs)
	}
	svgOf(t, path, "score (log scale)")
}

// TestE2EAnalyzePlotsDir: -plots draws every kind the data allows,
// parallel coordinates and the contour included, each an SVG of the
// right size with its title; best_n has the configs.
func TestE2EAnalyzePlotsDir(t *testing.T) {
	dir := analyzedProject(t)
	plots := filepath.Join(t.TempDir(), "plots")
	doc := jsonOf[analyzeJSON](t, dir, "analyze", "-json", "search.flaky", "-plots="+plots, "-format=svg")
	s := doc.Searches["flaky"]
	want := map[string][]string{
		"flaky-convergence.svg":        {"flaky: convergence", "trial", "score"},
		"flaky-importance.svg":         {"flaky: parameter importance (score)"},
		"flaky-param-x.svg":            {"flaky: x vs score"},
		"flaky-param-behavior.svg":     {"flaky: behavior vs score"},
		"flaky-parallel.svg":           {"flaky: parallel coordinates", "x", "behavior"},
		"flaky-contour.svg":            {"x", "behavior"},
		"flaky-failure-importance.svg": {},
	}
	for name, texts := range want {
		svgOf(t, filepath.Join(plots, name), texts...)
	}
	if len(s.Plots) != len(want) {
		t.Errorf("plots %v, want %d", s.Plots, len(want))
	}
	if len(s.BestN) == 0 || s.BestN[0].Config["behavior"] != "ok" || s.BestN[0].Config["sleep_ms"] == nil {
		t.Errorf("best_n configs: %+v", s.BestN)
	}
	if s.FailureImportance["behavior"] <= s.FailureImportance["x"] {
		t.Errorf("failure importance %v: behavior decides failures", s.FailureImportance)
	}
	code, out, _ := fwapply(t, dir, "analyze", "-no-color", "search.flaky")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	wantAll(t, "analyze text", out, "  Configs of the best 5", `behavior = "ok", sleep_ms = 0, x = 0.25`, "Failure importance (")
}

// TestE2EAnalyzeCompare: three searches compared: the table, the JSON
// and the two plots.
func TestE2EAnalyzeCompare(t *testing.T) {
	dir := analyzedProject(t)
	plots := filepath.Join(t.TempDir(), "plots")
	doc := jsonOf[analyzeJSON](t, dir, "analyze", "-json", "search.grid", "search.random", "search.bayes",
		"-plots="+plots, "-format=svg", "-plot=compare-trials,compare-time")
	c := doc.Comparison
	if c == nil || c.Metric != "score" || c.Mode != "min" || len(c.Searches) != 3 {
		t.Fatalf("comparison: %+v", c)
	}
	for i, name := range []string{"grid", "random", "bayes"} {
		r := c.Searches[i]
		if r.Search != name || r.Best == nil || r.Within == nil || r.Within.Trials < 1 || r.Within.Trials > r.Trials || r.WallTime <= 0 || r.TrialTime <= 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if len(c.Plots) != 2 {
		t.Fatalf("comparison plots %v", c.Plots)
	}
	svgOf(t, filepath.Join(plots, "comparison-trials.svg"), "grid", "random", "bayes", "score")
	svgOf(t, filepath.Join(plots, "comparison-time.svg"), "grid", "random", "bayes", "score")
	for _, s := range doc.Searches {
		if len(s.Plots) != 0 {
			t.Errorf("-plot selected the comparison only, but: %v", s.Plots)
		}
	}
	code, out, errs := fwapply(t, dir, "analyze", "-no-color", "search.grid", "search.random", "search.bayes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantAll(t, "analyze text", out, "Comparison (min score)", "within 1 % of it after", "\n  grid    grid ", "\n  random  random ", "\n  bayes   bayesian ")

	code, _, errs = fwapply(t, dir, "analyze", "-no-color", "search.grid", "search.zero", "search.grid")
	if code != 1 || !strings.Contains(errs, "search.grid is given twice") {
		t.Errorf("repeated search: exit %d: %s", code, errs)
	}
}

// TestE2EAnalyzeHTML: -html writes one file holding every plot inline
// as SVG, the tables, and no http(s) URL.
func TestE2EAnalyzeHTML(t *testing.T) {
	dir := analyzedProject(t)
	path := filepath.Join(t.TempDir(), "report.html")
	doc := jsonOf[analyzeJSON](t, dir, "analyze", "-json", "search.grid", "search.random", "search.bayes", "-html="+path)
	if doc.Report != path {
		t.Errorf("report %q, want %q", doc.Report, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := string(b)
	if n := strings.Count(h, "<svg"); n < 3*5+2 {
		t.Errorf("%d inline SVG figures, want at least 17 (5 per search, 2 compared)", n)
	}
	if u := regexp.MustCompile(`(?i)https?://`).FindAllString(h, -1); len(u) > 0 {
		for _, m := range regexp.MustCompile(`(?i)[^\s"']*https?://[^\s"'<>]*`).FindAllString(h, 5) {
			t.Errorf("the report holds a URL: %s", m)
		}
	}
	for _, want := range []string{"grid: convergence", "bayes: parallel coordinates", "<table"} {
		if !strings.Contains(h, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the report's directory holds %d files, want only the report", len(entries))
	}
}
