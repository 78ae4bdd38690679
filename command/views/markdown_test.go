package views

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// prFixture is the fixture as a pull request changes it after an apply:
// the state recorded the search's settings, then the budget went from 14
// to 20 and lr's range was narrowed (editedFixture), which excludes
// trials, among them the best one.
func prFixture(t *testing.T) (*definition.Definition, *state.State) {
	t.Helper()
	before, _ := fixture(t)
	def, st := editedFixture(t)
	if err := st.Apply(state.Change{Settings: &state.SearchSettings{Search: "coarse", Settings: before.Searches[0].Settings()}}); err != nil {
		t.Fatal(err)
	}
	def.Searches[0].Trials = 20
	return def, st
}

func renderPlanMarkdown(t *testing.T, def *definition.Definition, st *state.State, opts plan.Options, o PlanMarkdown) string {
	t.Helper()
	p, err := plan.Make(def, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	o.State = st
	return render(func(v *View) { v.PlanMarkdown(p, def, o) })
}

func TestPlanMarkdownGolden(t *testing.T) {
	t.Run("new search", func(t *testing.T) {
		def, _ := fixture(t)
		st := state.New()
		golden(t, "markdown_plan_new", renderPlanMarkdown(t, def, st, plan.Options{}, PlanMarkdown{}))
	})
	t.Run("edited search", func(t *testing.T) {
		def, st := prFixture(t)
		golden(t, "markdown_plan_edited", renderPlanMarkdown(t, def, st, plan.Options{}, PlanMarkdown{}))
	})
	t.Run("no changes", func(t *testing.T) {
		// The two completed trials fill the budget; the failed and the
		// running one are gone.
		def, st := fixture(t)
		def.Searches[0].Trials = 2
		for _, n := range []int{2, 3} {
			if err := st.Apply(state.Change{Remove: &state.TrialRef{Search: "coarse", Number: n}}); err != nil {
				t.Fatal(err)
			}
		}
		golden(t, "markdown_plan_nochanges", renderPlanMarkdown(t, def, st, plan.Options{}, PlanMarkdown{}))
	})
	t.Run("retry failed", func(t *testing.T) {
		def, st := editedFixture(t)
		golden(t, "markdown_plan_retry_failed", renderPlanMarkdown(t, def, st, plan.Options{RetryFailed: true}, PlanMarkdown{}))
	})
	t.Run("failed only, stale plan file", func(t *testing.T) {
		def, st := editedFixture(t)
		p, err := plan.Make(def, st, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		done := *p.Searches[0]
		done.ToRun, done.ToRetry = nil, nil
		p.Searches[0] = &done
		got := render(func(v *View) {
			v.PlanMarkdown(p, def, PlanMarkdown{State: st, Stale: "the state has changed since the plan was made (serial 9, now 12)", PlanFile: "pr.fwplan"})
		})
		golden(t, "markdown_plan_failed_stale", got)
	})
}

// TestPlanMarkdownKnownAfterApply checks the row of a trial whose
// params an adaptive strategy proposes during the apply.
func TestPlanMarkdownKnownAfterApply(t *testing.T) {
	def, _ := fixture(t)
	p := &plan.Plan{Searches: []*plan.Search{{Name: "coarse", Strategy: definition.Bayesian, Metric: "val_loss", Mode: definition.Min, Budget: 1,
		ToRun: []plan.Trial{{Number: 0, Attempt: 1}}}}}
	got := render(func(v *View) { v.PlanMarkdown(p, def, PlanMarkdown{}) })
	if want := "| 0 | new | (known after apply) |  |\n"; !strings.Contains(got, want) {
		t.Errorf("plan markdown lacks %q:\n%s", want, got)
	}
}

func TestShowMarkdownGolden(t *testing.T) {
	def, st := fixture(t)
	golden(t, "markdown_show", render(func(v *View) { v.ShowMarkdown(NewShowJSON(def, st, []string{"coarse"}), def) }))
	golden(t, "markdown_show_empty", render(func(v *View) { v.ShowMarkdown(NewShowJSON(def, state.New(), []string{"coarse"}), def) }))
	nothing := &definition.Definition{}
	golden(t, "markdown_show_nosearches", render(func(v *View) { v.ShowMarkdown(NewShowJSON(nothing, state.New(), nil), nothing) }))
}

// TestPlanMarkdownBest checks the best section of a plan: the best that
// counts against the base config, and the better trial the change
// excluded, with why and how the best config changes from it.
func TestPlanMarkdownBest(t *testing.T) {
	def, st := prFixture(t)
	got := renderPlanMarkdown(t, def, st, plan.Options{}, PlanMarkdown{})
	best := plan.Best(def.Searches[0], st.Trials("coarse"))
	if best == nil {
		t.Fatal("the fixture has no best trial")
	}
	for _, want := range []string{
		fmt.Sprintf("**Best `val_loss`:** %s (trial %d), against the base config:", FormatScore(best.Metrics["val_loss"]), best.Number),
		fmt.Sprintf("| `training.lr` | 0.001 | %s |", FormatValue(best.Params["training.lr"])),
		// Trial 4 (lr 0.00012, val_loss 0.3) beat the best, and the
		// narrowed range excludes it.
		"**Note:** trial 4 scored better (`val_loss` = 0.3) but no longer matches the definition: training.lr is below low = 0.0005.",
		fmt.Sprintf("| path | trial 4 | trial %d |", best.Number),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan markdown lacks %q:\n%s", want, got)
		}
	}
	// Without the state, no best.
	p, _ := plan.Make(def, st, plan.Options{})
	if out := render(func(v *View) { v.PlanMarkdown(p, def, PlanMarkdown{}) }); strings.Contains(out, "Best") {
		t.Errorf("plan markdown without a state shows a best:\n%s", out)
	}
}

// bigFixture is a search of 1,000 trials to run, after 300 recorded
// trials that 30 different edits of base_config excluded.
func bigFixture(t testing.TB) (*definition.Definition, *state.State) {
	x, _ := space.NewReal("x", 0, 1, false, 0)
	sp, _ := space.New(x)
	base := map[string]any{"x": 0.5}
	for k := range 30 {
		base[fmt.Sprintf("k%02d", k)] = int64(1)
	}
	s := &definition.Search{Name: "big", Strategy: definition.Random, Metric: "loss", Mode: definition.Min, Trials: 1000, Seed: 1,
		BaseConfig: base, Params: []definition.Param{{Path: "x", Segments: []string{"x"}, Dim: x}}, Space: sp,
		Trial: definition.Trial{Command: []string{"./train"}}}
	st := state.New()
	for n := range 300 {
		cfg := definition.CopyValue(base).(map[string]any)
		cfg["x"] = float64(n) / 300
		cfg[fmt.Sprintf("k%02d", n%30)] = int64(2) // one base_config key differs per group
		if err := st.Apply(state.Change{Put: &state.Trial{Search: "big", Number: n, Params: map[string]any{"x": cfg["x"]}, Config: cfg,
			Status: state.Completed, Attempts: 1, Metrics: map[string]float64{"loss": float64(n)}}}); err != nil {
			t.Fatal(err)
		}
	}
	return &definition.Definition{Searches: []*definition.Search{s}}, st
}

// TestPlanMarkdownCompact checks that a plan of 1,000 trials with 30
// exclusion reasons stays a short comment: 5 trials in view, 45 more
// folded, the rest counted; 5 reasons in view, the rest folded.
func TestPlanMarkdownCompact(t *testing.T) {
	def, st := bigFixture(t)
	got := renderPlanMarkdown(t, def, st, plan.Options{}, PlanMarkdown{})
	if n := len(got); n > 8_000 {
		t.Errorf("markdown of a 1,000-trial plan is %d bytes, want ≤ 8,000", n)
	}
	for _, want := range []string{
		"**1000 trials to run**, 0 to retry, 300 excluded.",
		"<details><summary>… and 995 more</summary>",
		"… and 950 more (`fwapply plan -full` lists them all).",
		"<details><summary>25 more reasons</summary>",
		"(10 trials: 0, 30, 60, 90, 120, 150, 180, 210, 240, 270)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan markdown lacks %q:\n%s", want, got)
		}
	}
	if rows := strings.Count(got, "\n| "); rows > 60 {
		t.Errorf("%d table rows, want ≤ 60", rows)
	}
	// -full lists them all, folded.
	full := renderPlanMarkdown(t, def, st, plan.Options{}, PlanMarkdown{Full: true})
	if rows := strings.Count(full, "\n| "); rows < 1000 || strings.Contains(full, "-full` lists them") {
		t.Errorf("-full: %d table rows, want every trial", rows)
	}
	if strings.Count(full, "<details>") != strings.Count(full, "</details>") {
		t.Error("unbalanced <details>")
	}
}

// cellSplit splits a table row at its unescaped |: the cells GitHub sees.
var cellSplit = regexp.MustCompile(`(^|[^\\])\|`)

// TestMarkdownEscaping checks that values and messages with markdown
// characters (| in a categorical value, backticks, a newline and HTML in
// an error) neither break a table row nor render as markup.
func TestMarkdownEscaping(t *testing.T) {
	opt, _ := space.NewCategorical("act", []space.Value{"a|b", "x`y"})
	sp, _ := space.New(opt)
	s := &definition.Search{Name: "esc", Strategy: definition.Grid, Metric: "loss", Mode: definition.Min,
		BaseConfig: map[string]any{"act": "relu"}, Params: []definition.Param{{Path: "act", Segments: []string{"act"}, Dim: opt}},
		Space: sp, Trial: definition.Trial{Command: []string{"./train"}}}
	def := &definition.Definition{Searches: []*definition.Search{s}}
	st := state.New()
	for i, tr := range []struct {
		v      string
		status state.Status
	}{{"a|b", state.Completed}, {"x`y", state.Failed}} {
		cfg := map[string]any{"act": tr.v}
		rec := &state.Trial{Search: "esc", Number: i, Params: map[string]any{"act": tr.v}, Config: cfg, Status: tr.status, Attempts: 1,
			Metrics: map[string]float64{"loss": 1}}
		if tr.status == state.Failed {
			rec.Metrics, rec.Attempts, rec.Error = nil, plan.MaxAttempts, "bad | value\n<script>*x*</script> `y`"
		}
		if err := st.Apply(state.Change{Put: rec}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := plan.Make(def, st, plan.Options{Replace: []state.TrialRef{{Search: "esc", Number: 0}}})
	if err != nil {
		t.Fatal(err)
	}
	got := render(func(v *View) { v.PlanMarkdown(p, def, PlanMarkdown{State: st}) })
	got += render(func(v *View) { v.ShowMarkdown(NewShowJSON(def, st, []string{"esc"}), def) })
	for _, want := range []string{
		"| 0 | retry, attempt 2: replaced (-replace) | `\"a\\|b\"` |",
		"| 1 | 2 | bad \\| value \\<script\\>\\*x\\*\\</script\\> \\`y\\` |",
		"| `act` | `\"relu\"` | `\"a\\|b\"` |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
	// Every row of a table has as many cells as its header.
	cells := 0
	for _, line := range strings.Split(got, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = 0
			continue
		}
		n := len(cellSplit.FindAllStringIndex(line, -1))
		if cells == 0 {
			cells = n
		} else if n != cells {
			t.Errorf("row %q has %d cell bounds, its header %d", line, n, cells)
		}
	}
}

func TestMarkdownNoColor(t *testing.T) {
	def, st := prFixture(t)
	p, err := plan.Make(def, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	v := &View{Stdout: &out, Stderr: &out, Color: true}
	v.PlanMarkdown(p, def, PlanMarkdown{State: st})
	v.ShowMarkdown(NewShowJSON(def, st, []string{"coarse"}), def)
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("markdown holds an ANSI escape:\n%q", out.String())
	}
}

func TestCodeSpan(t *testing.T) {
	tests := []struct{ in, code, cell string }{
		{"x", "`x`", "`x`"},
		{"a`b", "`` a`b ``", "`` a`b ``"},
		{"``", "``` `` ```", "``` `` ```"},
		{"a|b", "`a|b`", "`a\\|b`"},
		{"", "` `", "` `"},
		{"two\nlines", "`two lines`", "`two lines`"},
	}
	for _, tt := range tests {
		if got := code(tt.in); got != tt.code {
			t.Errorf("code(%q) = %q, want %q", tt.in, got, tt.code)
		}
		if got := cellCode(tt.in); got != tt.cell {
			t.Errorf("cellCode(%q) = %q, want %q", tt.in, got, tt.cell)
		}
	}
	for in, want := range map[string]string{
		"- item":      "\\- item",
		"a_b*c*":      "a\\_b\\*c\\*",
		"[x](y)":      "\\[x\\](y)",
		"1 < 2 & 3":   "1 \\< 2 \\& 3",
		"x = 1 - 2":   "x = 1 - 2",
		"# h":         "\\# h",
		"a\\b":        "a\\\\b",
		"~~s~~ | `c`": "\\~\\~s\\~\\~ \\| \\`c\\`",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fenced("json", "{\n  \"a\": \"```\"\n}"); !strings.HasPrefix(got, "```json\n") {
		// A ``` inside a string is not at a line start: it cannot close
		// the fence.
		t.Errorf("fenced: %q", got)
	}
	if got := fenced("", "```\nx"); !strings.HasPrefix(got, "````\n") || !strings.HasSuffix(got, "\n````\n") {
		t.Errorf("fenced with a ``` line: %q", got)
	}
}
