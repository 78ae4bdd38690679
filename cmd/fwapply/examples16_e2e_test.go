package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/space"
)

// loadExample loads the search files of examples/NAME with their
// default variables.
func loadExample(t *testing.T, name string) *definition.Definition {
	t.Helper()
	res, diags := fwhcl.LoadDir(filepath.Join("../../examples", name), fwhcl.Options{})
	if diags.HasErrors() {
		t.Fatalf("examples/%s: %s", name, diags.Error())
	}
	return res.Definition
}

// paramSpecs lists the params of a search as comparable values.
func paramSpecs(s *definition.Search) []definition.ParamSpec {
	var out []definition.ParamSpec
	for _, p := range s.Params {
		out = append(out, p.Spec())
	}
	return out
}

// gridInside checks that every level of a grid search is a value the
// other search can draw, param by param, and returns the grid's size.
func gridInside(t *testing.T, grid, other *definition.Search) int {
	t.Helper()
	if len(grid.Params) != len(other.Params) {
		t.Fatalf("search.%s has %d params, search.%s %d: they must search the same space", grid.Name, len(grid.Params), other.Name, len(other.Params))
	}
	size := 1
	for i, p := range grid.Params {
		q := other.Params[i]
		if p.Path != q.Path {
			t.Errorf("param %d: search.%s has %s, search.%s %s", i, grid.Name, p.Path, other.Name, q.Path)
			continue
		}
		levels, ok := p.Dim.(*space.Categorical)
		if !ok {
			t.Errorf("search.%s: param %s is not a list of levels", grid.Name, p.Path)
			continue
		}
		for _, v := range levels.Values {
			if !q.Dim.Contains(v) {
				t.Errorf("search.%s: level %v of %s is outside search.%s's range", grid.Name, v, p.Path, other.Name)
			}
		}
		size *= len(levels.Values)
	}
	if d := cmp.Diff(grid.BaseConfig, other.BaseConfig); d != "" {
		t.Errorf("base_config of search.%s and search.%s differ (-%s +%s):\n%s", grid.Name, other.Name, grid.Name, other.Name, d)
	}
	if grid.Metric != other.Metric || grid.Mode != other.Mode {
		t.Errorf("search.%s optimizes %s %s, search.%s %s %s", grid.Name, grid.Mode, grid.Metric, other.Name, other.Mode, other.Metric)
	}
	return size
}

// TestGridRandomExampleIsFair: the grid and the random search of
// examples/grid-random search the same space (every grid level lies in
// the random search's range), from the same base config, with the same
// trial program and budget.
func TestGridRandomExampleIsFair(t *testing.T) {
	def := loadExample(t, "grid-random")
	grid, random := def.Search("grid"), def.Search("random")
	if grid == nil || random == nil {
		t.Fatal("examples/grid-random must declare search.grid and search.random")
	}
	size := gridInside(t, grid, random)
	if random.Trials != size {
		t.Errorf("search.random has trials = %d, the grid %d points: the budgets differ", random.Trials, size)
	}
	if !cmp.Equal(grid.Trial.Command, random.Trial.Command) {
		t.Errorf("trial commands differ: %q and %q", grid.Trial.Command, random.Trial.Command)
	}
}

// TestCompareExampleMatchesDigits: the random and Bayesian searches of
// examples/compare are the digits example's search (space, base config,
// metrics), the grid's levels lie in that space, and the three run the
// digits trainer with one budget, so the comparison is of strategies
// alone and the trainer's config checks accept every trial.
func TestCompareExampleMatchesDigits(t *testing.T) {
	digits := loadExample(t, "digits").Search("digits")
	def := loadExample(t, "compare")
	grid, random, bayes := def.Search("grid"), def.Search("random"), def.Search("bayes")
	if grid == nil || random == nil || bayes == nil {
		t.Fatal("examples/compare must declare search.grid, search.random and search.bayes")
	}
	for _, s := range []*definition.Search{random, bayes} {
		if d := cmp.Diff(paramSpecs(digits), paramSpecs(s)); d != "" {
			t.Errorf("search.%s: params differ from examples/digits (-digits +%s):\n%s", s.Name, s.Name, d)
		}
		if d := cmp.Diff(digits.BaseConfig, s.BaseConfig); d != "" {
			t.Errorf("search.%s: base_config differs from examples/digits (-digits +%s):\n%s", s.Name, s.Name, d)
		}
		if s.Metric != digits.Metric || s.Mode != digits.Mode || !cmp.Equal(s.Metrics, digits.Metrics) {
			t.Errorf("search.%s: metric %s %s %v, examples/digits %s %s %v", s.Name, s.Mode, s.Metric, s.Metrics, digits.Mode, digits.Metric, digits.Metrics)
		}
		if !cmp.Equal(s.Trial.Command, grid.Trial.Command) || !cmp.Equal(s.Trial.Env, grid.Trial.Env) {
			t.Errorf("search.%s runs %q %v, search.grid %q %v", s.Name, s.Trial.Command, s.Trial.Env, grid.Trial.Command, grid.Trial.Env)
		}
	}
	size := gridInside(t, grid, digits)
	if random.Trials != size || bayes.Trials != size {
		t.Errorf("budgets: grid %d points, random %d, bayes %d trials; keep them equal", size, random.Trials, bayes.Trials)
	}
}

// exampleState returns a state path in a temp dir for a run of
// examples/NAME, and removes the trial directories the run leaves in the
// example when there were none before.
func exampleState(t *testing.T, name string) string {
	t.Helper()
	fwDir := filepath.Join("../../examples", name, ".fw")
	if _, err := os.Stat(fwDir); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll(fwDir) })
	}
	return filepath.Join(t.TempDir(), name+".fwstate")
}

// exampleShow is what the example tests read of show -json.
type exampleShow struct {
	Searches map[string]struct {
		Best *struct {
			Trial int
			Score float64
		} `json:"best"`
		Trials []struct {
			Number  int
			Status  string
			Params  map[string]any
			Metrics map[string]float64
		} `json:"trials"`
	} `json:"searches"`
}

// TestE2EGridRandomExample runs examples/grid-random as its README says:
// both searches complete their 36 trials, the grid tries 4 learning rates
// and the random search 36, and with the same budget the random search
// finds the lower loss.
func TestE2EGridRandomExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 72 trials through go run")
	}
	statePath := exampleState(t, "grid-random")
	code, out, errs := fwapply(t, "../..", "-chdir=examples/grid-random", "apply", "-auto-approve", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "Apply complete! 72 trials completed, 0 failed.") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	doc := jsonOf[exampleShow](t, "../../examples/grid-random", "show", "-json", "-state="+statePath)
	best := map[string]float64{}
	for name, wantLRs := range map[string]int{"grid": 4, "random": 36} {
		s, ok := doc.Searches[name]
		if !ok || s.Best == nil || len(s.Trials) != 36 {
			t.Fatalf("search.%s: %d trials, best %v; want 36 and a best", name, len(s.Trials), s.Best)
		}
		lrs := map[float64]bool{}
		for _, tr := range s.Trials {
			if tr.Status != "completed" {
				t.Errorf("search.%s trial %d: %s", name, tr.Number, tr.Status)
			}
			lr, _ := tr.Params["training.lr"].(float64)
			lrs[lr] = true
		}
		if len(lrs) != wantLRs {
			t.Errorf("search.%s tried %d learning rates, want %d", name, len(lrs), wantLRs)
		}
		// The objective's floor is about 0.18 (0.164 left after 5 epochs,
		// 0.02 for the dropout); the worst corner is above 1.
		if s.Best.Score < 0.1 || s.Best.Score > 0.5 {
			t.Errorf("search.%s: best val_loss %v, want within [0.1, 0.5]", name, s.Best.Score)
		}
		best[name] = s.Best.Score
	}
	if best["random"] >= best["grid"] {
		t.Errorf("best val_loss: random %v, grid %v; the README says random finds the lower one", best["random"], best["grid"])
	}
}

// compareDoc is what TestE2ECompareExample reads of analyze -json.
type compareDoc struct {
	Searches map[string]struct {
		Summary struct {
			Best *struct {
				Trial int
				Score float64
			} `json:"best"`
		} `json:"summary"`
	} `json:"searches"`
	Comparison *struct {
		Metric   string
		Mode     string
		Searches []struct {
			Search     string
			Strategy   string
			Trials     int
			Completed  int
			Best       *float64
			BestTrial  *int `json:"best_trial"`
			Within1Pct *struct {
				Trials int
				Trial  int
			} `json:"within_1pct"`
		}
		Plots []string
	}
}

// TestE2ECompareExample runs examples/compare as its README says, with
// the CI budgets: three searches of 36 trials on the digits task, then
// the comparison of analyze with its table and plots.
func TestE2ECompareExample(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 108 MLPs")
	}
	statePath := exampleState(t, "compare")
	code, out, errs := fwapply(t, "../..", "-chdir=examples/compare", "apply", "-auto-approve", "-state="+statePath)
	if code != 0 || !strings.Contains(out, "Apply complete! 108 trials completed, 0 failed.") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	sh := jsonOf[exampleShow](t, "../../examples/compare", "show", "-json", "-state="+statePath)
	order := []string{"grid", "random", "bayes"}
	for _, name := range order {
		s := sh.Searches[name]
		if s.Best == nil || len(s.Trials) != 36 {
			t.Fatalf("search.%s: %d trials, best %v; want 36 and a best", name, len(s.Trials), s.Best)
		}
		for _, tr := range s.Trials {
			if tr.Number == s.Best.Trial && tr.Metrics["val_acc"] < 0.9 {
				t.Errorf("search.%s: the best trial's validation accuracy is %v, want > 0.9", name, tr.Metrics["val_acc"])
			}
		}
	}

	plotDir := filepath.Join(t.TempDir(), "plots")
	args := []string{"analyze", "-state=" + statePath, "search.grid", "search.random", "search.bayes"}
	doc := jsonOf[compareDoc](t, "../../examples/compare", append(args, "-json", "-plots="+plotDir, "-format=svg")...)
	c := doc.Comparison
	if c == nil || c.Metric != "val_loss" || c.Mode != "min" || len(c.Searches) != 3 {
		t.Fatalf("comparison: %+v", c)
	}
	for i, row := range c.Searches {
		best := sh.Searches[order[i]].Best
		if row.Search != order[i] || row.Trials != 36 || row.Completed != 36 {
			t.Errorf("comparison row %d: %+v, want search.%s with 36 trials completed", i, row, order[i])
			continue
		}
		if row.Best == nil || row.BestTrial == nil || *row.Best != best.Score || *row.BestTrial != best.Trial {
			t.Errorf("search.%s: comparison best %v (trial %v), show's %v (trial %d)", row.Search, row.Best, row.BestTrial, best.Score, best.Trial)
		}
		// The first trial within 1 % of the best is at the latest the best.
		if w := row.Within1Pct; w == nil || w.Trials < 1 || w.Trial > best.Trial {
			t.Errorf("search.%s: within 1 %% %+v, best trial %d", row.Search, w, best.Trial)
		}
	}
	for _, p := range []string{"comparison-trials.svg", "comparison-time.svg"} {
		b, err := os.ReadFile(filepath.Join(plotDir, p))
		if err != nil || !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "bayes") {
			t.Errorf("%s: %v; want an SVG naming the searches", p, err)
		}
	}
	code, out, errs = fwapply(t, "../../examples/compare", append(args, "-no-color")...)
	if code != 0 || !strings.Contains(out, "Comparison (min val_loss)") {
		t.Fatalf("analyze: exit %d\n%s%s", code, out, errs)
	}
	table := out[strings.Index(out, "Comparison (min val_loss)"):]
	for _, name := range order {
		if !strings.Contains(table, "\n  "+name+" ") {
			t.Errorf("the comparison table has no row for %s:\n%s", name, table)
		}
	}
}
