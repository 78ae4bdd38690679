package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestParseVariant(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want variant
		err  string // substring of the error; "" for none
	}{
		{spec: "bayes", want: variant{Strategy: "bayesian"}},
		{spec: "random", want: variant{Strategy: "random"}},
		{spec: "bayes+median", want: variant{Strategy: "bayesian", Pruner: "median"}},
		{spec: "bayes+asha/value", want: variant{Strategy: "bayesian", Pruner: "asha", PrunedTrials: "value"}},
		{spec: "random+asha:reduction_factor=2:min_steps=3", want: variant{Strategy: "random", Pruner: "asha",
			Attrs: []attr{{"reduction_factor", 2}, {"min_steps", 3}}}},
		{spec: "bayes+median/worst:warmup_steps=5", want: variant{Strategy: "bayesian", Pruner: "median", PrunedTrials: "worst",
			Attrs: []attr{{"warmup_steps", 5}}}},
		{spec: "random@random+asha", want: variant{Strategy: "random", MatchEpochs: "random+asha"}},
		{spec: "random@bayes+median/value:startup_trials=10", want: variant{Strategy: "random", MatchEpochs: "bayes+median/value:startup_trials=10"}},
		{spec: "grid", err: "unknown strategy"},
		{spec: "bayes+hyperband", err: "unknown pruner"},
		{spec: "random+asha/value", err: "bayes only"},
		{spec: "bayes+asha/worse", err: `unknown pruned_trials "worse"`},
		{spec: "bayes:warmup_steps=3", err: "without a pruner"},
		{spec: "bayes+median:min_steps=3", err: `no attribute "min_steps"`},
		{spec: "bayes+median:warmup_steps", err: "not ATTR=N"},
		{spec: "bayes+median:warmup_steps=-1", err: "not a whole number"},
		{spec: "bayes+median:warmup_steps=1.5", err: "not a whole number"},
		{spec: "bayes+median:warmup_steps=1:warmup_steps=2", err: "set twice"},
		{spec: "random@random@random+asha", err: "not random@ itself"},
		{spec: "random@grid", err: "unknown strategy"},
	} {
		got, err := parseVariant(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one with %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		tc.want.Spec = tc.spec
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", tc.spec, d)
		}
	}
}

func TestParseVariants(t *testing.T) {
	vs, err := parseVariants(strings.Join(defaultVariants, ","))
	if err != nil || len(vs) != len(defaultVariants) {
		t.Fatalf("the default variants: %d, %v", len(vs), err)
	}
	for list, want := range map[string]string{
		"random@random+asha,random+asha": "before it",
		"bayes,bayes":                    "twice",
		"":                               "no variant",
	} {
		if _, err := parseVariants(list); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one with %q", list, err, want)
		}
	}
}

// load loads a search file written by searchFile.
func load(t *testing.T, p searchParams) *definition.Search {
	t.Helper()
	src, err := searchFile(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "search.fw.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	res, diags := fwhcl.LoadDir(dir, fwhcl.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s:\n%s\n%s", p.Variant.Spec, diags.Error(), src)
	}
	return res.Definition.Search("digits")
}

// TestSearchMatchesExample: the search prunebench writes is the digits
// example's search (same metric, params, base config but the epochs,
// initial design), with the benchmark's settings and the variant's.
func TestSearchMatchesExample(t *testing.T) {
	res, diags := fwhcl.LoadDir("../..", fwhcl.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	example := res.Definition.Search("digits")
	for _, spec := range append(defaultVariants, "bayes+median/value:warmup_steps=5:interval=2", "random+asha:max_steps=20") {
		v, err := parseVariant(spec)
		if err != nil {
			t.Fatal(err)
		}
		p := searchParams{Variant: v, Trials: 40, Epochs: 30, Seed: 3, Parallelism: 2,
			Trainer: "/opt/bench bin/train", Data: "/data/digits ${x}.csv.gz", EpochDelay: "100ms"}
		s := load(t, p)
		base := definition.CopyValue(example.BaseConfig).(map[string]any)
		base["training"].(map[string]any)["epochs"] = int64(30)
		if d := cmp.Diff(base, s.BaseConfig); d != "" {
			t.Errorf("%s: base config (-example +written):\n%s", spec, d)
		}
		var want, got []definition.ParamSpec
		for _, p := range example.Params {
			want = append(want, p.Spec())
		}
		for _, p := range s.Params {
			got = append(got, p.Spec())
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: params (-example +written):\n%s", spec, d)
		}
		if s.Metric != example.Metric || s.Mode != example.Mode || !cmp.Equal(s.Metrics, example.Metrics) {
			t.Errorf("%s: metric %s %s %v, want %s %s %v", spec, s.Metric, s.Mode, s.Metrics, example.Metric, example.Mode, example.Metrics)
		}
		if s.Trials != 40 || s.Seed != 3 || s.Parallelism != 2 || string(s.Strategy) != v.Strategy {
			t.Errorf("%s: trials %d, seed %d, parallelism %d, strategy %s", spec, s.Trials, s.Seed, s.Parallelism, s.Strategy)
		}
		if !cmp.Equal(s.Trial.Command, []string{p.Trainer}) || s.Trial.Timeout != 5*time.Minute ||
			!cmp.Equal(s.Trial.Env, map[string]string{"DIGITS_DATA": p.Data, "DIGITS_EPOCH_DELAY": "100ms"}) {
			t.Errorf("%s: trial %+v", spec, s.Trial)
		}
		if v.Strategy == "bayesian" {
			wantPruned := v.PrunedTrials
			if wantPruned == "" {
				wantPruned = definition.DefaultPrunedTrials
			}
			if s.Bayesian.InitialPoints != example.Bayesian.InitialPoints || s.Bayesian.PrunedTrials != wantPruned {
				t.Errorf("%s: bayesian %+v", spec, s.Bayesian)
			}
		}
		switch {
		case v.Pruner == "" && s.Pruner != nil:
			t.Errorf("%s: a pruner %+v", spec, s.Pruner)
		case v.Pruner == "":
		case s.Pruner == nil || s.Pruner.Kind != v.Pruner:
			t.Errorf("%s: pruner %+v", spec, s.Pruner)
		case v.Pruner == "asha":
			maxSteps := 30
			if strings.Contains(spec, "max_steps=20") {
				maxSteps = 20
			}
			if s.Pruner.MinSteps != 1 || s.Pruner.MaxSteps != maxSteps || s.Pruner.ReductionFactor != 3 {
				t.Errorf("%s: asha %+v", spec, s.Pruner)
			}
		case strings.Contains(spec, "warmup_steps=5"):
			if s.Pruner.WarmupSteps != 5 || s.Pruner.Interval != 2 || s.Pruner.StartupTrials != definition.DefaultStartupTrials {
				t.Errorf("%s: median %+v", spec, s.Pruner)
			}
		default:
			if s.Pruner.WarmupSteps != 0 || s.Pruner.Interval != 1 || s.Pruner.StartupTrials != definition.DefaultStartupTrials {
				t.Errorf("%s: median %+v", spec, s.Pruner)
			}
		}
	}
}

// TestSearchFileGolden pins one written search file (testdata/search.golden,
// rewritten with -update).
func TestSearchFileGolden(t *testing.T) {
	v, _ := parseVariant("bayes+asha/value:reduction_factor=2")
	src, err := searchFile(searchParams{Variant: v, Trials: 40, Epochs: 30, Seed: 2, Parallelism: 2,
		Trainer: "/tmp/bin/train", Data: "/repo/examples/digits/data/digits.csv.gz", EpochDelay: "100ms"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "search.golden", src)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

// TestTally counts epochs from progress files and outcomes from records.
func TestTally(t *testing.T) {
	dir := t.TempDir()
	trial := func(n int, lines int, torn bool) string {
		d := filepath.Join(dir, string(rune('a'+n)))
		os.MkdirAll(d, 0o755)
		var b bytes.Buffer
		for i := range lines {
			b.WriteString(`{"step": ` + string(rune('1'+i)) + `, "metrics": {"val_loss": 1}}` + "\n")
		}
		if torn {
			b.WriteString(`{"step": 9`)
		}
		if lines > 0 || torn {
			os.WriteFile(filepath.Join(d, "progress.jsonl"), b.Bytes(), 0o644)
		}
		return d
	}
	records, err := parseTrials([]byte(`[
	 {"number": 0, "status": "completed", "metrics": {"val_loss": 0.5, "val_acc": 0.9}, "dir": "` + trial(0, 5, false) + `"},
	 {"number": 1, "status": "completed", "metrics": {"val_loss": 0.25}, "dir": "` + trial(1, 5, true) + `"},
	 {"number": 2, "status": "pruned", "error": "pruned at step 1", "dir": "` + trial(2, 4, false) + `", "pruned": [1, 2.5]},
	 {"number": 3, "status": "pruned", "dir": "` + trial(3, 2, false) + `", "pruned": [3, "NaN"]},
	 {"number": 4, "status": "failed", "dir": "` + trial(4, 0, false) + `"},
	 {"number": 5, "status": "completed", "metrics": {"val_acc": 0.1}, "dir": "` + trial(5, 5, false) + `"}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	var r result
	r.tally(records)
	want := result{Best: ptr(0.25), Epochs: 5 + 5 + 4 + 2 + 0 + 5, DecisionEpochs: 5 + 5 + 1 + 2 + 0 + 5, Completed: 3, Pruned: 2, Failed: 1}
	if d := cmp.Diff(want, r); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func ptr(v float64) *float64 { return &v }

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for q, want := range map[float64]float64{0: 1, 0.25: 2, 0.5: 3, 0.75: 4, 1: 5} {
		if got := quantile(xs, q); got != want {
			t.Errorf("quantile %g = %g, want %g", q, got, want)
		}
	}
	if got := median([]float64{1, 2, 3, 10}); got != 2.5 {
		t.Errorf("median of 4 = %g, want 2.5", got)
	}
	if !math.IsNaN(median(nil)) {
		t.Errorf("median of none is not NaN")
	}
	if xs[0] != 5 {
		t.Errorf("quantile sorted its argument")
	}
}

func TestMatchedTrials(t *testing.T) {
	rs := []result{{Variant: "random+asha", Seed: 1, Epochs: 424}, {Variant: "random+asha", Seed: 2, Epochs: 5}}
	if got := matchedTrials(rs, "random+asha", 1, 30); got != 14 {
		t.Errorf("424 epochs of 30: %d trials, want 14", got)
	}
	if got := matchedTrials(rs, "random+asha", 2, 30); got != 1 {
		t.Errorf("5 epochs of 30: %d trials, want at least 1", got)
	}
}

// TestReportGolden pins the tables (testdata/report.golden, rewritten
// with -update).
func TestReportGolden(t *testing.T) {
	vs, err := parseVariants("bayes,bayes+median/worst,bayes+asha/value,random,random+asha,random@random+asha")
	if err != nil {
		t.Fatal(err)
	}
	o := options{seeds: 2, trials: 40, epochs: 30, trialPar: 2, epochDelay: 100 * time.Millisecond, variants: vs}
	var rs []result
	add := func(v string, seed int64, trials int, best *float64, epochs, decision, c, p, f int, wall float64, e string) {
		rs = append(rs, result{Variant: v, Seed: seed, Trials: trials, Best: best, Epochs: epochs, DecisionEpochs: decision,
			Completed: c, Pruned: p, Failed: f, WallSeconds: wall, Error: e})
	}
	add("bayes", 1, 40, ptr(0.05), 1200, 1200, 40, 0, 0, 70, "")
	add("bayes", 2, 40, ptr(0.06), 1170, 1170, 39, 0, 1, 68, "")
	add("bayes+median/worst", 1, 40, ptr(0.0505), 600, 500, 20, 20, 0, 35, "")
	add("bayes+median/worst", 2, 40, ptr(0.0607), 620, 540, 21, 19, 0, 36, "")
	add("bayes+asha/value", 1, 40, ptr(0.07), 300, 200, 5, 35, 0, 20, "")
	add("bayes+asha/value", 2, 40, nil, 280, 180, 0, 40, 0, 19, "fwapply apply: exit status 1 (see x|y)")
	add("random", 1, 40, ptr(0.045), 1200, 1200, 40, 0, 0, 66, "")
	add("random+asha", 1, 40, ptr(0.046), 424, 300, 6, 34, 0, 25, "")
	add("random@random+asha", 1, 14, ptr(0.05), 420, 420, 14, 0, 0, 24, "")
	var b bytes.Buffer
	report(&b, o, rs)
	golden(t, "report.golden", b.Bytes())
}

// FuzzParseVariant: a spec parses or is refused with an error, never a
// panic; a spec that parses writes a search file that loads, with its
// pruner's attributes (values too large or out of range are the load's
// diagnostics, not a crash).
func FuzzParseVariant(f *testing.F) {
	for _, s := range defaultVariants {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		v, err := parseVariant(spec)
		if err != nil {
			return
		}
		if v.Spec != spec {
			t.Fatalf("spec %q parsed as %q", spec, v.Spec)
		}
		src, err := searchFile(searchParams{Variant: v, Trials: 10, Epochs: 30, Seed: 1, Parallelism: 2, Trainer: "/t", Data: "/d"})
		if err != nil {
			t.Fatal(err)
		}
		res, diags := fwhcl.Load(t.TempDir(), []fwhcl.Source{{Name: "search.fw.hcl", Bytes: src}}, fwhcl.Options{})
		if diags.HasErrors() {
			// Only attribute values (reduction_factor = 1) may be refused.
			if len(v.Attrs) == 0 {
				t.Fatalf("%s: a search file without attributes does not load: %s\n%s", spec, diags.Error(), src)
			}
			return
		}
		if s := res.Definition.Search("digits"); (s.Pruner == nil) != (v.Pruner == "") {
			t.Fatalf("%s: pruner %+v", spec, s.Pruner)
		}
	})
}

// TestReportFrom pools the runs of saved files, and refuses files of
// other settings.
func TestReportFrom(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, s saved) string {
		b, _ := json.Marshal(s)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	a := write("a.json", saved{Trials: 40, Epochs: 30, EpochDelay: "100ms", TrialParallelism: 2, Runs: []result{
		{Variant: "bayes", Seed: 1, Best: ptr(0.04), Epochs: 1200},
		{Variant: "bayes+median", Seed: 1, Best: ptr(0.05), Epochs: 600},
	}})
	b := write("b.json", saved{Trials: 40, Epochs: 30, EpochDelay: "100ms", TrialParallelism: 2, Runs: []result{
		{Variant: "bayes", Seed: 2, Best: ptr(0.06), Epochs: 1200},
		{Variant: "bayes+median", Seed: 2, Best: ptr(0.07), Epochs: 700},
	}})
	other := write("c.json", saved{Trials: 20, Epochs: 30, EpochDelay: "100ms", TrialParallelism: 2})
	var out bytes.Buffer
	if code := run(context.Background(), []string{"-from", a + "," + b}, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"2 seeds × 40 trials of 30 epochs",
		"| bayes | 2 | 0.0500 [0.0450, 0.0550] |",
		"| bayes+median | 2 | 0.0600 [0.0550, 0.0650] | +20.0 % | 650 | −45.8 % |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"-from", a + "," + b, "-variants", "bayes+median"}, &out, io.Discard); code != 0 || strings.Contains(out.String(), "| bayes |") {
		t.Errorf("-variants bayes+median: exit %d\n%s", code, out.String())
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-from", a + "," + other}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "runs of 20 trials") {
		t.Errorf("files of other settings: exit %d, %s", code, stderr.String())
	}
}
