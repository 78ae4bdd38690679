package command

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/plots"
	fwruntime "github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// prunedSearch is a random search with a median pruner on its metric.
const prunedSearch = `search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 8
  seed     = 3
  base_config = { lr = 0.1 }
  param "lr" {
    type = real
    low  = 0.001
    high = 1
    log  = true
  }
  pruner "median" {
    startup_trials = 2
  }
  trial {
    command = ["true"]
  }
}
`

// writePrunedProject writes prunedSearch into dir and a state of six
// trials as an apply with the pruner records them: 0 to 2 completed (0
// and 1 with their watched steps, 2 from before the pruner, with only its
// progress file), 3 and 4 pruned, 5 running with a progress file.
func writePrunedProject(t *testing.T, dir string) {
	t.Helper()
	write(t, dir, "s.fw.hcl", prunedSearch)
	res, diags := fwhcl.LoadDir(dir, fwhcl.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s := res.Definition.Searches[0]
	st := state.New()
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	steps := func(vs ...float64) []state.Step {
		out := make([]state.Step, len(vs))
		for i, v := range vs {
			out[i] = state.Step{Step: int64(i + 1), Value: v}
		}
		return out
	}
	for n := range 6 {
		lr := 0.001 * math.Pow(10, float64(n)/2)
		pt := space.Point{lr}
		cfg, err := s.Resolve(pt)
		if err != nil {
			t.Fatal(err)
		}
		hash, _ := definition.Hash(cfg)
		tr := &state.Trial{Search: "s", Number: n, Params: s.ParamMap(pt), Config: cfg, ConfigHash: hash, Attempts: 1,
			Started: t0.Add(time.Duration(n) * time.Minute), Ended: t0.Add(time.Duration(n)*time.Minute + 30*time.Second),
			Dir: filepath.Join(dir, ".fw", "trials", "s", strconv.Itoa(n))}
		switch n {
		case 0, 1:
			tr.Status, tr.Metrics, tr.Steps = state.Completed, map[string]float64{"loss": 0.3 + 0.1*float64(n)}, steps(0.9, 0.5, 0.3+0.1*float64(n))
		case 2:
			tr.Status, tr.Metrics = state.Completed, map[string]float64{"loss": 0.45}
			write(t, tr.Dir, fwruntime.ProgressFile, "{\"step\": 1, \"metrics\": {\"loss\": 1.1}}\n{\"step\": 2, \"metrics\": {\"loss\": 0.6, \"acc\": NaN}}\n{\"step\": 3, \"metrics\": {\"loss\": 0.45}}\n")
		case 3, 4:
			tr.Status, tr.Steps = state.Pruned, steps(1.5, 1.4)
			tr.Pruned = &state.Step{Step: 2, Value: 1.4}
			tr.Error = "pruned at step 2: loss 1.4 worse than median 0.5 of 2 trials"
		case 5:
			tr.Status, tr.Ended = state.Running, time.Time{}
			write(t, tr.Dir, fwruntime.ProgressFile, "{\"step\": 1, \"metrics\": {\"loss\": 0.8}}\n{\"step\": 7, \"metrics\": {\"loss\": 0.231, \"acc\": Infinity}}\n{\"step\": 8, \"metr")
		}
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
	f := state.NewFile(filepath.Join(dir, "frameworm.fwstate"))
	defer f.Close()
	if err := f.Compact(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

// TestShowPrunedAndProgress: show counts pruned trials apart, shows the
// step each was pruned at, and a running trial's last complete progress
// line, read from its trial directory, in the text, -json and -watch.
func TestShowPrunedAndProgress(t *testing.T) {
	dir := t.TempDir()
	writePrunedProject(t, dir)
	r := run(t, dir, "", "show")
	if r.code != 0 {
		t.Fatalf("show: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"6 trials, 3 completed, 2 pruned, 1 running", "pruned at step 2", "running (step 7)", "0.231"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "error: pruned") {
		t.Errorf("show gives a pruned trial's reason as an error:\n%s", r.stdout)
	}

	r = run(t, dir, "", "show", "-json")
	if r.code != 0 {
		t.Fatalf("show -json: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc struct {
		Searches map[string]struct {
			Trials []struct {
				Number   int
				Status   string
				Pruned   *struct{ Step int64 } `json:"pruned"`
				Progress *struct {
					Step    int64
					Metrics map[string]any
				} `json:"progress"`
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("show -json: %v\n%s", err, r.stdout)
	}
	for _, tr := range doc.Searches["s"].Trials {
		switch {
		case tr.Number == 5:
			if p := tr.Progress; p == nil || p.Step != 7 || p.Metrics["loss"] != 0.231 || p.Metrics["acc"] != "Infinity" {
				t.Errorf("running trial's progress %+v, want step 7, loss 0.231, acc Infinity", p)
			}
		case tr.Progress != nil:
			t.Errorf("trial %d (%s) has progress", tr.Number, tr.Status)
		}
		if (tr.Status == "pruned") != (tr.Pruned != nil) || tr.Pruned != nil && tr.Pruned.Step != 2 {
			t.Errorf("trial %d (%s): pruned %+v", tr.Number, tr.Status, tr.Pruned)
		}
	}

	r = run(t, dir, "", "show", "-watch", "-watch-count=1")
	if r.code != 0 || !strings.Contains(r.stdout, "search.s: 5/8 ended (3 completed, 2 pruned), 1 running") || !strings.Contains(r.stdout, "\n  #5 step 7 loss 0.231\n") {
		t.Errorf("show -watch: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestAnalyzePrunedTrials: analyze counts and lists pruned trials apart,
// never picks one as the best, says the importance left them out, and
// with -plots draws the intermediate values and marks them in the
// convergence plot.
func TestAnalyzePrunedTrials(t *testing.T) {
	dir := t.TempDir()
	writePrunedProject(t, dir)
	r := run(t, dir, "", "analyze")
	if r.code != 0 {
		t.Fatalf("analyze: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Trials: 3 completed, 2 pruned, 1 running", "Best loss: 0.3 (trial 0)", "Pruned 2 trials:\n    #3 pruned at step 2: loss 1.4",
		"2 pruned trials left out"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("analyze lacks %q:\n%s", want, r.stdout)
		}
	}
	plotDir := filepath.Join(dir, "plots")
	r = run(t, dir, "", "analyze", "-json", "-plots="+plotDir, "-format=svg")
	if r.code != 0 {
		t.Fatalf("analyze -plots: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc struct {
		Searches map[string]struct {
			Pruned []struct {
				Trial int
				Step  int64
				Value float64
			}
			Plots []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Searches["s"]
	if len(s.Pruned) != 2 || s.Pruned[0].Trial != 3 || s.Pruned[0].Step != 2 || s.Pruned[0].Value != 1.4 {
		t.Errorf("analyze -json pruned: %+v", s.Pruned)
	}
	if !slices.ContainsFunc(s.Plots, func(p string) bool { return strings.HasSuffix(p, "s-progress.svg") }) {
		t.Errorf("no progress plot among %q", s.Plots)
	}
	for name, want := range map[string]string{"s-progress.svg": "s: intermediate values", "s-convergence.svg": ">pruned<"} {
		b, err := os.ReadFile(filepath.Join(plotDir, name))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v, or no %q in it", name, err, want)
		}
	}
}

// TestProgressCurves: the intermediate values come from the state's
// steps, else from the progress file (the watched metric, the last value
// of each step, in step order); none at all is no plot.
func TestProgressCurves(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "2/"+fwruntime.ProgressFile, "{\"step\": 3, \"metrics\": {\"loss\": 0.4}}\n{\"step\": 1, \"metrics\": {\"loss\": 1}}\n"+
		"{\"step\": 2, \"metrics\": {\"acc\": 0.5}}\n{\"step\": 3, \"metrics\": {\"loss\": 0.3}}\nnot json\n{\"step\": 4, \"metrics\": {\"loss\": NaN}}\n")
	s := &definition.Search{Name: "s", Metric: "loss"}
	curves := progressCurves(s, []curveSource{
		{trial: 0, steps: []state.Step{{Step: 1, Value: 2}, {Step: 5, Value: 1}}, dir: filepath.Join(dir, "0")},
		{trial: 1, pruned: true, dir: filepath.Join(dir, "missing")},
		{trial: 2, dir: filepath.Join(dir, "2")},
	})
	want := []plots.ProgressCurve{
		{Trial: 0, Points: []plots.StepValue{{Step: 1, Value: 2}, {Step: 5, Value: 1}}},
		{Trial: 1, Pruned: true},
		{Trial: 2, Points: []plots.StepValue{{Step: 1, Value: 1}, {Step: 3, Value: 0.3}, {Step: 4, Value: math.NaN()}}},
	}
	if len(curves) != len(want) {
		t.Fatalf("%d curves, want %d", len(curves), len(want))
	}
	for i := range want {
		g, w := curves[i], want[i]
		same := g.Trial == w.Trial && g.Pruned == w.Pruned && len(g.Points) == len(w.Points)
		for j := range w.Points {
			same = same && g.Points[j].Step == w.Points[j].Step && (g.Points[j].Value == w.Points[j].Value || math.IsNaN(w.Points[j].Value) && math.IsNaN(g.Points[j].Value))
		}
		if !same {
			t.Errorf("curve %d: %+v, want %+v", i, g, w)
		}
	}
	s.Pruner = &definition.Pruner{Kind: definition.PrunerMedian, Metric: "acc"}
	if c := progressCurves(s, []curveSource{{trial: 2, dir: filepath.Join(dir, "2")}}); len(c) != 1 || len(c[0].Points) != 1 || c[0].Points[0] != (plots.StepValue{Step: 2, Value: 0.5}) {
		t.Errorf("the pruner's metric: %+v", c)
	}
	if c := progressCurves(s, []curveSource{{trial: 1, dir: filepath.Join(dir, "missing")}, {trial: 0}}); c != nil {
		t.Errorf("curves without a value: %+v, want no plot", c)
	}
}

// TestExperimentsPruned: experiments list shows pruned trials as such,
// counts them apart, filters them with -status=pruned, and -json says
// where each was pruned.
func TestExperimentsPruned(t *testing.T) {
	dir := t.TempDir()
	writePrunedProject(t, dir)
	r := run(t, dir, "", "experiments", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "6 experiments: 3 completed, 2 pruned, 1 running\n") {
		t.Errorf("experiments list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, "", "experiments", "list", "-json", "-status=pruned")
	var rows []struct {
		Number int
		Status string
		Pruned *struct {
			Step  int64
			Value float64
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v\n%s%s", err, r.stdout, r.stderr)
	}
	if len(rows) != 2 || rows[0].Number != 3 || rows[0].Status != "pruned" || rows[0].Pruned == nil || rows[0].Pruned.Step != 2 || rows[0].Pruned.Value != 1.4 {
		t.Errorf("experiments list -json -status=pruned: %+v", rows)
	}
}

func TestStatusCounts(t *testing.T) {
	rows := func(statuses ...string) []experimentRow {
		var out []experimentRow
		for _, s := range statuses {
			var r experimentRow
			r.Status = s
			out = append(out, r)
		}
		return out
	}
	for _, tc := range []struct {
		rows []experimentRow
		want string
	}{
		{rows("failed", "pruned", "completed", "pruned"), "4 experiments: 1 completed, 2 pruned, 1 failed"},
		{rows("completed"), "1 experiment: 1 completed"},
		{rows("paused", "running", "paused"), "3 experiments: 1 running, 2 paused"},
	} {
		if got := statusCounts(tc.rows); got != tc.want {
			t.Errorf("statusCounts = %q, want %q", got, tc.want)
		}
	}
}

// BenchmarkLastProgress is what show and show -watch pay per running
// trial: reading its progress file for the last line.
func BenchmarkLastProgress(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		dir := b.TempDir()
		var sb strings.Builder
		for i := range n {
			sb.WriteString(`{"step": ` + strconv.Itoa(i) + `, "metrics": {"loss": 0.123456789, "val_loss": 0.23456789, "lr": 0.001}}` + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fwruntime.ProgressFile), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run("lines="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if l := lastProgress(dir); l == nil || l.Step != int64(n-1) {
					b.Fatalf("last line %+v", l)
				}
			}
		})
	}
}

// TestProgressCache: show -watch follows each running trial's progress
// file across redraws: the last complete line, new lines as they come, a
// file started anew (another attempt) without the old attempt's line, and
// the trials no longer asked for forgotten.
func TestProgressCache(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, fwruntime.ProgressFile)
	appendTo := func(s string) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	c := newProgressCache()
	step := func() int64 {
		t.Helper()
		l := c.last(dir)
		if l == nil {
			return -1
		}
		return l.Step
	}
	if got := step(); got != -1 {
		t.Errorf("no file: step %d", got)
	}
	appendTo("{\"step\": 1, \"metrics\": {\"loss\": 1}}\n{\"step\": 2, \"metrics\": {\"loss\": 0.5}}\n{\"step\": 3, \"met")
	if got := step(); got != 2 {
		t.Errorf("step %d, want 2 (the torn line left out)", got)
	}
	if got := step(); got != 2 {
		t.Errorf("nothing new: step %d, want 2 still", got)
	}
	appendTo("rics\": {\"loss\": 0.4}}\n")
	if got := step(); got != 3 {
		t.Errorf("step %d, want 3", got)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if got := step(); got != -1 {
		t.Errorf("after a new attempt emptied the file: step %d, want none", got)
	}
	appendTo("{\"step\": 1, \"metrics\": {\"loss\": 2}}\n")
	if got := step(); got != 1 {
		t.Errorf("new attempt: step %d, want 1", got)
	}
	c.sweep()
	if len(c.trials) != 1 {
		t.Errorf("a trial asked for was forgotten")
	}
	c.sweep()
	if len(c.trials) != 0 {
		t.Errorf("%d trials kept that were not asked for", len(c.trials))
	}
}

// BenchmarkWatchProgress is what a redraw of show -watch pays per running
// trial whose progress file holds 100,000 lines and grew by one line.
func BenchmarkWatchProgress(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, fwruntime.ProgressFile)
	var sb strings.Builder
	for i := range 100_000 {
		sb.WriteString(`{"step": ` + strconv.Itoa(i) + `, "metrics": {"loss": 0.123456789, "val_loss": 0.23456789, "lr": 0.001}}` + "\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	c := newProgressCache()
	c.last(dir)
	b.ReportAllocs()
	step := 100_000
	for b.Loop() {
		f.WriteString(`{"step": ` + strconv.Itoa(step) + `, "metrics": {"loss": 0.1}}` + "\n")
		if l := c.last(dir); l == nil || l.Step != int64(step) {
			b.Fatalf("last line %+v, want step %d", l, step)
		}
		step++
	}
}
