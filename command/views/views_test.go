package views

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vbauerster/mpb/v8"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	// go-cmp randomly swaps spaces for non-breaking ones to keep its
	// output from being relied on; the golden files hold plain spaces.
	got = strings.ReplaceAll(got, "\u00a0", " ")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./command/views -update creates it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got); go test ./command/views -update if intended:\n%s", name, d)
	}
}

func fixture(t testing.TB) (*definition.Definition, *state.State) {
	t.Helper()
	lr, _ := space.NewReal("training.lr", 1e-4, 1e-1, true, 0)
	opt, _ := space.NewCategorical("optimizer", []space.Value{"adam", "sgd"})
	sp, _ := space.New(lr, opt)
	s := &definition.Search{
		Name: "coarse", Strategy: definition.Random, Metric: "val_loss", Mode: definition.Min, Trials: 14, Seed: 3,
		BaseConfig: map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5)}, "optimizer": "adam"},
		Params: []definition.Param{
			{Path: "training.lr", Segments: []string{"training", "lr"}, Dim: lr},
			{Path: "optimizer", Segments: []string{"optimizer"}, Dim: opt},
		},
		Space: sp, Trial: definition.Trial{Command: []string{"./train"}},
	}
	def := &definition.Definition{Searches: []*definition.Search{s}}
	st := state.New()
	st.Lineage = "00000000-0000-4000-8000-000000000000"
	p, _ := plan.Make(def, st, plan.Options{})
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for i, tr := range p.Searches[0].ToRun[:4] {
		cfg, _ := s.Resolve(tr.Point)
		h, _ := definition.Hash(cfg)
		rec := &state.Trial{Search: s.Name, Number: tr.Number, Params: s.ParamMap(tr.Point), Config: cfg, ConfigHash: h,
			Status: state.Completed, Attempts: 1, Started: t0, Ended: t0.Add(time.Duration(i+1) * time.Second),
			Metrics: map[string]float64{"val_loss": 1 / float64(i+2)}}
		switch i {
		case 2:
			rec.Status, rec.Metrics, rec.Error = state.Failed, nil, "exit status 3"
		case 3:
			rec.Status, rec.Metrics, rec.Ended = state.Running, nil, time.Time{}
		}
		if err := st.Apply(state.Change{Put: rec}); err != nil {
			t.Fatal(err)
		}
	}
	return def, st
}

func render(f func(v *View)) string {
	var out bytes.Buffer
	v := &View{Stdout: &out, Stderr: &out}
	f(v)
	return out.String()
}

func TestPlanGolden(t *testing.T) {
	def, st := fixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan", render(func(v *View) { v.Plan(p, def, false) }))
	golden(t, "plan_full", render(func(v *View) { v.Plan(p, def, true) }))
	golden(t, "plan_json", render(func(v *View) { v.JSON(NewPlanJSON(p, def)) }))
	empty := &plan.Plan{Searches: []*plan.Search{{Name: "coarse", Kept: 3}}}
	golden(t, "plan_nochanges", render(func(v *View) { v.Plan(empty, def, false) }))
}

func TestShowGolden(t *testing.T) {
	def, st := fixture(t)
	doc := NewShowJSON(def, st, []string{"coarse"})
	golden(t, "show", render(func(v *View) { v.Show(doc, def) }))
	golden(t, "show_json", render(func(v *View) { v.JSON(doc) }))
}

func TestApplySummaryGolden(t *testing.T) {
	def, st := fixture(t)
	trials := st.Trials("coarse")
	res := &apply.Result{Searches: []*apply.SearchResult{{
		Name: "coarse", Completed: 2, Failed: 1, Kept: 1, BestBefore: trials[0], BestAfter: trials[1],
	}}}
	golden(t, "apply_summary", render(func(v *View) { v.ApplySummary(res, def) }))
	golden(t, "apply_json", render(func(v *View) { v.JSON(NewApplyJSON(res, def)) }))
	first := &apply.Result{Searches: []*apply.SearchResult{{Name: "coarse", Completed: 1, BestAfter: trials[0]}}}
	golden(t, "apply_summary_first", render(func(v *View) { v.ApplySummary(first, def) }))
}

func TestAnalyzeGolden(t *testing.T) {
	def, st := fixture(t)
	s := def.Searches[0]
	var trials []analysis.Trial
	for _, tr := range st.Trials("coarse") {
		pt, _ := plan.Match(s, tr)
		trials = append(trials, analysis.Trial{Number: tr.Number, Point: pt, Params: tr.Params, Status: string(tr.Status),
			Score: tr.Metrics["val_loss"], Metrics: tr.Metrics, Started: tr.Started, Ended: tr.Ended})
	}
	as := &AnalyzeSearchJSON{
		Summary:     analysis.Summarize("coarse", "val_loss", "min", trials),
		BestN:       analysis.BestN(trials, "min", 5),
		Convergence: analysis.Convergence(trials, "min"),
		Importance:  map[string]float64{"training.lr": 0.75, "optimizer": 0.25},
		BestConfig:  st.Trial("coarse", 1).Config,
		Plots:       []string{"plots/coarse-convergence.png"},
	}
	doc := &AnalyzeJSON{FormatVersion: FormatVersion, Searches: map[string]*AnalyzeSearchJSON{"coarse": as}}
	golden(t, "analyze", render(func(v *View) { v.Analyze(doc, []string{"coarse"}, def) }))
	golden(t, "analyze_json", render(func(v *View) { v.JSON(doc) }))
	golden(t, "watch", render(func(v *View) {
		v.Watch(NewShowJSON(def, st, []string{"coarse"}), def, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	}))
}

// TestApplyBars drives the terminal progress view: a bar per search with
// done/total, failures printed above the bars, best so far.
func TestApplyBars(t *testing.T) {
	def, st := fixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	v := &View{Stdout: &out, Stderr: &out}
	bars := newApplyBars(v, &out, def, p, mpb.WithAutoRefresh(), mpb.WithWidth(160))
	total := len(p.Searches[0].ToRun) + len(p.Searches[0].ToRetry)
	best := st.Trial("coarse", 1)
	failed := st.Trial("coarse", 2)
	for i := range total {
		tr := best
		if i == 0 {
			tr = failed
		}
		bars.Observe(apply.Event{Kind: apply.TrialEnded, Search: "coarse", Trial: tr,
			Progress: apply.Progress{Total: total, Done: i + 1, Failed: 1, Best: best}})
	}
	bars.Observe(apply.Event{Kind: apply.SearchEnded, Search: "coarse", Progress: apply.Progress{Total: total, Done: total, Failed: 1, Best: best}})
	bars.Wait()
	got := out.String()
	for _, want := range []string{
		"search.coarse: trial 2 failed: exit status 3",
		fmt.Sprintf("%d/%d", total, total),
		"1 failed",
		"best val_loss=0.333333",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("bars output lacks %q:\n%s", want, got)
		}
	}
}
