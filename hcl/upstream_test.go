package hcl

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// twoStage is the two-stage search: coarse, then fine around
// coarse's best.
const twoStage = `search "coarse" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 20
  base_config = { training = { lr = 0.001, batch_size = 64, momentum = 0.9 }, optimizer = "adam" }
  param "training.lr" {
    type = real
    low  = 0.00001
    high = 0.1
    log  = true
  }
  param "training.batch_size" {
    type = integer
    low  = 16
    high = 256
    log  = true
  }
  param "optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }
  trial {
    command = ["true"]
  }
}

search "fine" {
  strategy    = "bayesian"
  metric      = "loss"
  mode        = "min"
  trials      = 30
  base_config = search.coarse.best.config
  refine {
    from   = search.coarse
    factor = 0.5
    params = ["training.lr", "training.batch_size"]
  }
  param "training.momentum" {
    type = real
    low  = 0.05
    high = min(0.99, search.coarse.best.params["training.lr"] * 100)
  }
  trial {
    command = ["true"]
  }
}
`

// fakeOutcomes gives fixed outcomes by search name (a missing name is not
// known) and records the searches it was asked about.
type fakeOutcomes struct {
	by    map[string]definition.Outcome
	asked []string
}

func (f *fakeOutcomes) Outcome(s *definition.Search) definition.Outcome {
	f.asked = append(f.asked, s.Name)
	if s.Space == nil || s.Deferred != nil {
		panic("asked the outcome of a search that is not decoded")
	}
	return f.by[s.Name]
}

// coarseTrial is a trial of twoStage's coarse search.
func coarseTrial(n int, lr float64, batch int64, opt string, score float64) definition.OutcomeTrial {
	return definition.OutcomeTrial{
		Trial:   n,
		Config:  map[string]any{"training": map[string]any{"lr": lr, "batch_size": batch, "momentum": 0.9}, "optimizer": opt},
		Params:  map[string]any{"training.lr": lr, "training.batch_size": batch, "optimizer": opt},
		Score:   score,
		Metrics: map[string]float64{"loss": score, "acc": 1 - score},
	}
}

// coarseDone is a complete outcome of coarse: three trials, best first.
func coarseDone() definition.Outcome {
	return definition.Outcome{Known: true, Top: []definition.OutcomeTrial{
		coarseTrial(7, 0.001, 64, "sgd", 0.2),
		coarseTrial(3, 0.0001, 32, "adam", 0.3),
		coarseTrial(9, 0.01, 128, "rmsprop", 0.4),
	}}
}

func outcomes(by map[string]definition.Outcome) *fakeOutcomes {
	return &fakeOutcomes{by: by}
}

func loadOK(t *testing.T, src string, opts Options) *definition.Definition {
	t.Helper()
	res, diags := loadString(t, src, opts)
	if diags.HasErrors() {
		t.Fatalf("load: %s", diags.Error())
	}
	return res.Definition
}

// TestTwoStageKnown loads the two-stage file with coarse complete: fine
// starts from coarse's best config, refines two of its params around it,
// and reads a param of its best in an expression.
func TestTwoStageKnown(t *testing.T) {
	o := outcomes(map[string]definition.Outcome{"coarse": coarseDone()})
	def := loadOK(t, twoStage, Options{Outcomes: o})
	if !slices.Equal(o.asked, []string{"coarse"}) {
		t.Errorf("outcomes asked of %q, want only coarse, once", o.asked)
	}
	if got := []string{def.Searches[0].Name, def.Searches[1].Name}; !slices.Equal(got, []string{"coarse", "fine"}) {
		t.Errorf("searches in order %q, want source order", got)
	}
	fine := def.Search("fine")
	if fine.Deferred != nil {
		t.Fatalf("fine deferred: %+v", fine.Deferred)
	}
	if d := cmp.Diff(coarseDone().Top[0].Config, fine.BaseConfig); d != "" {
		t.Errorf("base_config is not coarse's best config (-want +got):\n%s", d)
	}
	if !slices.Equal(fine.Upstreams, []string{"coarse"}) {
		t.Errorf("Upstreams = %q", fine.Upstreams)
	}
	want := &definition.Refinement{From: "coarse", Factor: 0.5, Params: []string{"training.lr", "training.batch_size"}, Around: 7}
	if d := cmp.Diff(want, fine.Refine); d != "" {
		t.Errorf("Refine (-want +got):\n%s", d)
	}
	var paths []string
	for _, p := range fine.Params {
		paths = append(paths, p.Path)
	}
	if !slices.Equal(paths, []string{"training.lr", "training.batch_size", "training.momentum"}) {
		t.Fatalf("params %q: refined params first, in from's order, then the param blocks", paths)
	}
	// lr: log range [1e-5, 1e-1] (4 decades), factor 0.5 → 2 decades
	// centred on 1e-3.
	lr := fine.Params[0].Dim.(*space.Real)
	if !near(lr.Low, 1e-4) || !near(lr.High, 1e-2) || !lr.Log {
		t.Errorf("refined lr = [%g, %g] log=%v, want [1e-4, 1e-2] log", lr.Low, lr.High, lr.Log)
	}
	// batch_size: log range [16, 256], factor 0.5 → a factor 2 either
	// side of 64, rounded outward.
	bs := fine.Params[1].Dim.(*space.Integer)
	if bs.Low > 32 || bs.High < 128 || bs.Low < 31 || bs.High > 129 {
		t.Errorf("refined batch_size = [%d, %d], want about [32, 128]", bs.Low, bs.High)
	}
	mom := fine.Params[2].Dim.(*space.Real)
	if !near(mom.High, 0.1) {
		t.Errorf("momentum high = %g, want min(0.99, 0.001*100) = 0.1", mom.High)
	}
	if fine.Space.Len() != 3 {
		t.Errorf("space has %d dimensions, want 3", fine.Space.Len())
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestOutcomeValues reads every field of search.NAME.best and .top.
func TestOutcomeValues(t *testing.T) {
	tests := []struct {
		expr string
		want any
	}{
		{`search.coarse.best.score`, 0.2},
		{`search.coarse.best.trial`, int64(7)},
		{`search.coarse.best.config.optimizer`, "sgd"},
		{`search.coarse.best.config.training.batch_size`, int64(64)},
		{`search.coarse.best.params["training.lr"]`, 0.001},
		{`search.coarse.best.params["optimizer"]`, "sgd"},
		{`search.coarse.best.metrics["acc"]`, 0.8},
		{`search.coarse.top[1].score`, 0.3},
		{`search.coarse.top[2].trial`, int64(9)},
		{`search.coarse.top[2].params["training.batch_size"]`, int64(128)},
		{`search.coarse.top[0].trial == search.coarse.best.trial`, true},
		{`length(search.coarse.top)`, int64(3)},
		{`[for t in search.coarse.top : t.trial]`, []any{int64(7), int64(3), int64(9)}},
		{`search["coarse"].best.trial`, int64(7)},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := strings.Replace(twoStage, `search.coarse.best.config`, `merge(search.coarse.best.config, { x = `+tt.expr+` })`, 1)
			def := loadOK(t, src, Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": coarseDone()})})
			got := def.Search("fine").BaseConfig["x"]
			if f, ok := got.(float64); ok {
				if w, ok := tt.want.(float64); ok && near(f, w) {
					return
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", tt.expr, d)
			}
		})
	}
}

// TestDeferred checks searches that read a search whose outcome is not
// known: deferred, with the reason and only the documented fields.
func TestDeferred(t *testing.T) {
	chain := twoStage + `
search "third" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 5
  base_config = { lr = search.fine.best.params["training.lr"] }
  param "lr" {
    type = real
    low  = 0.1
    high = 1
  }
  trial {
    command = ["true"]
  }
}
`
	tests := []struct {
		name     string
		opts     Options
		search   string
		upstream string
		reason   string
	}{
		{"no state", Options{}, "fine", "coarse", "depends on search.coarse (not known without the state)"},
		{"incomplete", Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": {Pending: "12 of 20 trials to run"}})},
			"fine", "coarse", "depends on search.coarse (12 of 20 trials to run)"},
		{"no pending text", Options{Outcomes: outcomes(nil)}, "fine", "coarse", "depends on search.coarse (not complete)"},
		{"through a deferred search", Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": {Pending: "20 of 20 trials to run"}})},
			"third", "fine", "depends on search.fine (known after search.coarse runs)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadString(t, chain, tt.opts)
			if diags.HasErrors() {
				t.Fatalf("load: %s", diags.Error())
			}
			for _, w := range diags {
				t.Errorf("unexpected diagnostic: %s", w.Error())
			}
			s := res.Definition.Search(tt.search)
			if s.Deferred == nil {
				t.Fatalf("%s not deferred", tt.search)
			}
			want := &definition.Deferred{Upstream: tt.upstream, Reason: tt.reason}
			if d := cmp.Diff(want, s.Deferred); d != "" {
				t.Errorf("Deferred (-want +got):\n%s", d)
			}
			if s.Space != nil || s.Params != nil || s.BaseConfig != nil || s.Refine != nil {
				t.Errorf("deferred search has fields a deferred search does not document: %+v", s)
			}
			if s.Strategy == "" || s.Metric != "loss" || s.Mode != "min" || s.Trials == 0 || s.Dir == "" || len(s.Upstreams) != 1 {
				t.Errorf("deferred search lacks a documented field: %+v", s)
			}
			if c := res.Definition.Search("coarse"); c.Deferred != nil || c.Space == nil {
				t.Errorf("coarse, which reads nothing, is deferred")
			}
		})
	}
}

// TestDeferredTrials: a budget that reads an unknown outcome is 0 in the
// deferred search; one that does not is kept.
func TestDeferredTrials(t *testing.T) {
	src := strings.Replace(twoStage, "trials      = 30", "trials      = length(search.coarse.top) + 10", 1)
	s := loadOK(t, src, Options{}).Search("fine")
	if s.Deferred == nil || s.Trials != 0 {
		t.Errorf("fine: Deferred %v, Trials %d; want deferred with 0", s.Deferred, s.Trials)
	}
	s = loadOK(t, src, Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": coarseDone()})}).Search("fine")
	if s.Deferred != nil || s.Trials != 13 {
		t.Errorf("fine: Deferred %v, Trials %d; want 13", s.Deferred, s.Trials)
	}
}

// TestRefineTopK: categoricals are unchanged unless top_k keeps the values
// of the best trials, in the declared order.
func TestRefineTopK(t *testing.T) {
	tests := []struct {
		topK string
		want []space.Value
	}{
		{"", []space.Value{"adam", "sgd", "rmsprop"}},
		{"top_k = 1", []space.Value{"sgd"}},
		{"top_k = 2", []space.Value{"adam", "sgd"}},
		{"top_k = 50", []space.Value{"adam", "sgd", "rmsprop"}},
	}
	for _, tt := range tests {
		t.Run(tt.topK, func(t *testing.T) {
			src := strings.Replace(twoStage, `    params = ["training.lr", "training.batch_size"]`, "    "+tt.topK, 1)
			def := loadOK(t, src, Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": coarseDone()})})
			fine := def.Search("fine")
			i := fine.Space.Index("optimizer")
			if i != 2 {
				t.Fatalf("optimizer at %d, want 2 (every param of coarse, in its order)", i)
			}
			got := fine.Params[i].Dim.(*space.Categorical).Values
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("optimizer values (-want +got):\n%s", d)
			}
		})
	}
}

// TestUpstreamErrors checks that every error of references and refine
// blocks is located, with a suggestion where there is one.
func TestUpstreamErrors(t *testing.T) {
	done := Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": coarseDone()})}
	empty := Options{Outcomes: outcomes(map[string]definition.Outcome{"coarse": {Known: true}})}
	r := func(old, new string) string {
		if !strings.Contains(twoStage, old) {
			t.Fatalf("%q not in twoStage", old)
		}
		return strings.Replace(twoStage, old, new, 1)
	}
	tests := []struct {
		name, src   string
		opts        Options
		wantSummary string
		wantLine    int
		wantDetail  string
	}{
		{"self", r(`trials      = 20`, `trials      = search.coarse.top[0].trial`), Options{}, "Cycle in searches", 5, "search.coarse reads itself: search.coarse → search.coarse"},
		{"cycle of two", r(`base_config = { training`, `seed = search.fine.best.trial
  base_config = { training`), Options{}, "Cycle in searches", 6, "search.coarse → search.fine → search.coarse"},
		{"unknown search", r(`search.coarse.best.config`, `search.corse.best.config`), Options{}, "Reference to undeclared search", 32, `Did you mean "coarse"?`},
		{"unknown field", r(`search.coarse.best.config`, `search.coarse.bestt.config`), Options{}, "Unsupported attribute", 32, `Did you mean "best"?`},
		{"unknown trial field", r(`search.coarse.best.config`, `search.coarse.best.confg`), Options{}, "Unsupported attribute", 32, `Did you mean "config"?`},
		{"unknown top field", r(`search.coarse.best.config`, `search.coarse.top[1].scor`), Options{}, "Unsupported attribute", 32, `Did you mean "score"?`},
		{"top by name", r(`search.coarse.best.config`, `search.coarse.top.config`), Options{}, "Unsupported attribute", 32, "index it"},
		{"bare search", r(`search.coarse.best.config`, `search.coarse`), Options{}, "Invalid reference to a search", 32, "Only refine's from"},
		{"search alone", r(`search.coarse.best.config`, `search`), Options{}, "Invalid reference to searches", 32, "by its name"},
		{"in strategy", r(`strategy    = "bayesian"`, `strategy    = search.coarse.best.config.optimizer`), Options{}, "Search reference not allowed here", 28, "strategy cannot read"},
		{"in a local", "locals {\n  x = search.coarse.best.score\n}\n" + twoStage, Options{}, "Search reference not allowed here", 2, "only in a search block"},
		{"no completed trial", twoStage, empty, "Search without completed trials", 32, "Run it first"},
		{"top beyond", r(`search.coarse.best.config`, `merge(search.coarse.best.config, { x = search.coarse.top[3].score })`), done,
			"Search without completed trials", 32, "has 3 completed trials"},
		{"missing param", r(`params["training.lr"]`, `params["training.lrr"]`), Options{}, "Not a param of the search", 41, `Did you mean "training.lr"?`},
		{"from not a search", r(`from   = search.coarse`, `from   = "coarse"`), Options{}, "Invalid from", 34, "from = search.coarse"},
		{"from a trial", r(`from   = search.coarse`, `from   = search.coarse.best`), Options{}, "Invalid from", 34, "bare reference"},
		{"from undeclared", r(`from   = search.coarse`, `from   = search.coars`), Options{}, "Reference to undeclared search", 34, `Did you mean "coarse"?`},
		{"factor zero", r(`factor = 0.5`, `factor = 0`), Options{}, "Invalid factor", 35, "greater than 0"},
		{"factor above one", r(`factor = 0.5`, `factor = 1.5`), done, "Invalid factor", 35, "at most 1"},
		{"missing factor", r("    factor = 0.5\n", ""), Options{}, "Missing required argument", 33, `"factor" is required`},
		{"not a param of from", r(`"training.batch_size"]`, `"training.batchsize"]`), Options{}, "Not a param of from", 36, `Did you mean "training.batch_size"?`},
		{"param twice", r(`"training.batch_size"]`, `"training.lr"]`), Options{}, "Param listed twice", 36, "once"},
		{"no params", r(`params = ["training.lr", "training.batch_size"]`, `params = []`), Options{}, "Nothing to refine", 36, "Remove it"},
		{"top_k zero", r(`factor = 0.5`, "factor = 0.5\n    top_k  = 0"), Options{}, "Invalid top_k", 36, "at least 1"},
		{"param block of a refined path", r(`param "training.momentum"`, `param "training.lr"`), Options{}, "Param defined by refine", 38, "Remove this param block"},
		{"two refine blocks", r("  param \"training.momentum\"", "  refine {\n    from = search.coarse\n    factor = 1\n  }\n  param \"training.momentum\""), Options{}, "Duplicate refine block", 38, "at most one refine block"},
		{"another search between", r(`trial {
    command = ["true"]
  }
}

search "fine"`, `trial {
    command = ["true"]
  }
}
search "other" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 1
  trial {
    command = ["true"]
  }
}
search "fine"`), Options{}, "", 0, ""}, // valid: a control for the cases around
		{"refine empty", twoStage, empty, "Search without completed trials", 34, "nothing to refine around"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadString(t, tt.src, tt.opts)
			if tt.wantSummary == "" {
				if diags.HasErrors() {
					t.Fatalf("unexpected errors: %s", diags.Error())
				}
				return
			}
			for _, d := range diags {
				if d.Summary == tt.wantSummary && d.Severity == hcl.DiagError && d.Subject != nil &&
					d.Subject.Start.Line == tt.wantLine && strings.Contains(d.Detail, tt.wantDetail) {
					return
				}
			}
			t.Errorf("no %q error at line %d with %q in:\n%s", tt.wantSummary, tt.wantLine, tt.wantDetail, diags.Error())
		})
	}
}

// TestCycleOfThree: the cycle is named from the first-declared search, at
// its reference to the next, once.
func TestCycleOfThree(t *testing.T) {
	one := func(name, reads string) string {
		return `search "` + name + `" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 1
  seed     = search.` + reads + `.best.trial
  trial {
    command = ["true"]
  }
}
`
	}
	_, diags := loadString(t, one("a", "b")+one("b", "c")+one("c", "a")+one("d", "a"), Options{})
	var cycles []*hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == "Cycle in searches" {
			cycles = append(cycles, d)
		} else if d.Severity == hcl.DiagError {
			t.Errorf("unexpected error: %s", d.Error())
		}
	}
	if len(cycles) != 1 {
		t.Fatalf("%d cycle errors, want 1: %s", len(cycles), diags.Error())
	}
	if !strings.Contains(cycles[0].Detail, "search.a reads itself through other searches: search.a → search.b → search.c → search.a") || cycles[0].Subject.Start.Line != 6 {
		t.Errorf("cycle reported as %q at %v", cycles[0].Detail, cycles[0].Subject)
	}
}

// TestValidateTwoStage: without outcomes, the two-stage file is clean.
func TestValidateTwoStage(t *testing.T) {
	_, diags := loadString(t, twoStage, Options{})
	for _, d := range diags {
		t.Errorf("unexpected diagnostic: %s", d.Error())
	}
}

// TestOutcomeDiagnostics renders the diagnostics of each testdata/outcomes
// file, loaded with coarse complete (coarseDone) and empty known, and
// compares them with the .golden file beside it.
func TestOutcomeDiagnostics(t *testing.T) {
	files, err := filepath.Glob("testdata/outcomes/*.fw.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".fw.hcl")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			o := outcomes(map[string]definition.Outcome{"coarse": coarseDone(), "empty": {Known: true}, "running": {Pending: "3 of 5 trials to run"}})
			res, diags := Load("testdata/outcomes", []Source{{Name: filepath.ToSlash(f), Bytes: src}}, Options{Outcomes: o})
			got := render(res.Files, diags)
			golden := strings.TrimSuffix(f, ".fw.hcl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./hcl -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("rendered diagnostics differ (-want +got); run go test ./hcl -run TestOutcomeDiagnostics -update if this is intended:\n%s", d)
			}
		})
	}
}

// fuzzOutcomes gives FuzzLoad outcomes of every kind, by the length of
// the search's name: not known, known without trials, known with two
// trials drawn from the search's space.
type fuzzOutcomes struct{}

func (fuzzOutcomes) Outcome(s *definition.Search) definition.Outcome {
	switch len(s.Name) % 3 {
	case 0:
		return definition.Outcome{Pending: "1 of 2 trials to run"}
	case 1:
		return definition.Outcome{Known: true}
	}
	o := definition.Outcome{Known: true}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2 {
		p := s.Space.Sample(r)
		cfg, err := s.Resolve(p)
		if err != nil {
			continue
		}
		params := s.ParamMap(p)
		for k, v := range params {
			if v == space.Inactive {
				params[k] = nil
			}
		}
		o.Top = append(o.Top, definition.OutcomeTrial{Trial: i + 1, Config: cfg, Params: params, Score: float64(i), Metrics: map[string]float64{s.Metric: float64(i)}})
	}
	return o
}

// fuzzWithOutcomes is FuzzLoad's load with fuzzOutcomes.
func fuzzWithOutcomes(t *testing.T, dir string, src []byte) {
	res, diags := Load(dir, []Source{{Name: "fuzz.fw.hcl", Bytes: src}}, Options{Outcomes: fuzzOutcomes{}})
	if diags.HasErrors() {
		if res.Definition != nil {
			t.Fatal("definition returned with errors")
		}
		return
	}
	checkDefinition(t, res.Definition)
}

// checkDeferred checks a deferred search has what it documents, and no
// space.
func checkDeferred(t *testing.T, s *definition.Search) {
	t.Helper()
	if s.Space != nil || s.Params != nil || s.Deferred.Reason == "" || s.Deferred.Upstream == "" || !slices.Contains(s.Upstreams, s.Deferred.Upstream) {
		t.Fatalf("search %q: deferred with %+v, upstreams %q, space %v", s.Name, s.Deferred, s.Upstreams, s.Space)
	}
}
