// Package report renders the analysis of searches as one self-contained
// HTML document: the file `fwapply analyze -html=FILE` writes, made to be
// attached to a pull request or mailed and opened from disk.
//
// Contract:
//
//   - Write renders a Report as one HTML5 document, UTF-8. Everything it
//     needs is inside: the CSS in a <style>, the table sorting in one
//     <script>, the figures inline as <svg> elements. It references no
//     URL, font, image or script outside itself (the only links are
//     #fragments inside the page), so it works from file:// without a
//     network. A Content-Security-Policy <meta> enforces that: nothing may
//     load (default-src 'none'), the only script allowed is the report's
//     own (by its SHA-256), images only as data: URLs.
//   - Every text of the input (search and parameter names, values, notes)
//     is escaped by html/template; a name like <script> or a quote shows as
//     text. Figures are SVG documents (package plots draws them) that are
//     re-serialized through an allow-list of SVG elements and attributes
//     (sanitizeSVG): no script, event handler, external link or url() can
//     pass, and a figure holding one is an error naming the figure.
//   - Per search, in this order: the summary (trials by status, time spent,
//     the best score and trial, the best-so-far trajectory, the best
//     config), the best N with each one's config, the figures, the
//     importance of each parameter (share ± its uncertainty) and, when
//     given, the importance for failure, the pruned trials, the search
//     space, and the table of every trial (number, status, score, one
//     column per parameter). Sections with nothing to show are left out
//     (the trial table says "No trial.").
//   - The trial table, the best N and the comparison table sort by a click
//     on a column header: numbers numerically, text in natural order
//     (Intl.Collator, numeric), blank cells last either way, ties in the
//     rendered order; a second click reverses the order; the header's
//     aria-sort says how the table is sorted. Numbers show 6 significant
//     digits; a score's cell keeps its exact value in a data-v attribute
//     to sort by (close scores differ past 6 digits), a parameter's sorts
//     by what it shows. The script touches rows only to sort them. A trial
//     table of more than CollapseRows rows starts collapsed in a <details>
//     element. Sizes, measured by the benchmarks: 10,000 trials of six
//     params make about 1.7 MB of HTML for the tables, plus the figures
//     (about 3 MB for the five figures of such a search).
//   - Output is deterministic: the same Report gives the same bytes (maps
//     are written in sorted order; there is no timestamp).
package report

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frameworm/frameworm/command/views"
)

// Report is the content of one HTML report.
type Report struct {
	// Title is the document's title and heading; empty: DefaultTitle.
	Title    string
	Searches []Search
	// Comparison is the side-by-side comparison of the searches, or nil.
	Comparison *Comparison
}

// DefaultTitle is the title of a report without one.
const DefaultTitle = "Frameworm search report"

// Search is one search's part of the report.
type Search struct {
	Name string
	// Analysis is what `analyze -json` prints for the search; nil: the
	// summary, best N and importance are left out.
	Analysis *views.AnalyzeSearchJSON
	// Params is the search space, in the definition's order; the trial
	// table has one column per param in this order (then one for any
	// other param a trial has, by name).
	Params []Param
	// Trials are the rows of the trial table, in the order given (the
	// command passes trial-number order).
	Trials []Row
	// Figures are drawn in the order given.
	Figures []Figure
}

// Param is one parameter of a search space as the report lists it.
type Param struct {
	Name  string
	Kind  string // e.g. "real (log)", "int", "categorical"
	Range string // e.g. "[0.0001, 0.1]", `{"adam", "sgd"}`
}

// Row is one trial of the trial table.
type Row struct {
	Number int
	Status string
	Score  *float64 // nil: no score (not completed)
	Params map[string]any
}

// Figure is one figure: an SVG document (package plots' SVG output).
type Figure struct {
	Name  string // a short identifier, e.g. "convergence", "slice-training.lr"
	Title string // the caption and the figure's accessible label
	SVG   []byte
}

// Comparison is the side-by-side comparison of several searches of one
// metric (analyze search.A search.B ...).
type Comparison struct {
	Metric, Mode string
	Rows         []views.CompareRow
	Figures      []Figure
}

// CollapseRows is the size from which a trial table starts collapsed.
const CollapseRows = 1000

//go:embed assets/report.html.tmpl
var pageTemplate string

//go:embed assets/report.css
var pageCSS string

//go:embed assets/report.js
var pageJS string

var tmpl = template.Must(template.New("report").Parse(pageTemplate))

// csp is the page's Content-Security-Policy: nothing loads, the only
// script is the report's own; inline styles (the SVG figures' style
// attributes) are allowed.
var csp = func() string {
	sum := sha256.Sum256([]byte(pageJS))
	return "default-src 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
}()

// Write renders r as one self-contained HTML document to w. Nothing is
// written when it returns an error (a figure that is not acceptable SVG,
// named in the error).
func Write(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("report: no report to write")
	}
	p, err := newPage(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: rendering the HTML: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing the HTML: %w", err)
	}
	return nil
}

// The page model: everything as display strings, in display order.
type (
	page struct {
		Title      string
		CSP        string
		CSS        template.CSS
		JS         template.JS
		Searches   []searchPage
		Comparison *comparisonPage
	}
	searchPage struct {
		ID, Name string
		Analysis *analysisPage
		BestN    *table
		Figures  []figurePage
		Params   *table
		Trials   *table
	}
	analysisPage struct {
		Metric, Mode        string
		Counts              string
		TimeSpent, WallTime string
		Queue               string
		Best                string
		BestTrial           int
		Trajectory          string
		BestConfig          string
		Importance          *table
		ImportanceCaption   string
		ImportanceNote      string
		FailureImportance   *table
		FailureNote         string
		Pruned              *table
	}
	figurePage struct {
		ID, Name, Title string
		SVG             template.HTML
	}
	comparisonPage struct {
		Table   *table
		Figures []figurePage
	}
)

func newPage(r *Report) (*page, error) {
	p := &page{Title: cmp.Or(r.Title, DefaultTitle), CSP: csp, JS: template.JS(pageJS)}
	for i, s := range r.Searches {
		sp, err := newSearchPage(fmt.Sprintf("s%d", i+1), s)
		if err != nil {
			return nil, err
		}
		p.Searches = append(p.Searches, sp)
	}
	if c := r.Comparison; c != nil {
		cp := &comparisonPage{}
		if len(c.Rows) > 0 {
			cp.Table = compareTable(c)
		}
		figs, err := figurePages("comparison", c.Figures)
		if err != nil {
			return nil, fmt.Errorf("report: comparison: %w", err)
		}
		cp.Figures = figs
		p.Comparison = cp
	}
	var tables []*table
	for _, s := range p.Searches {
		tables = append(tables, s.BestN, s.Params, s.Trials)
		if a := s.Analysis; a != nil {
			tables = append(tables, a.Importance, a.FailureImportance, a.Pruned)
		}
	}
	if p.Comparison != nil {
		tables = append(tables, p.Comparison.Table)
	}
	p.CSS = template.CSS(pageCSS + numericCSS(tables))
	return p, nil
}

func newSearchPage(id string, s Search) (searchPage, error) {
	sp := searchPage{ID: id, Name: s.Name}
	figs, err := figurePages(id, s.Figures)
	if err != nil {
		return sp, fmt.Errorf("report: search.%s: %w", s.Name, err)
	}
	sp.Figures = figs
	names := paramNames(s)
	if a := s.Analysis; a != nil {
		sp.Analysis = newAnalysisPage(id, a)
		sp.BestN = bestNTable(id, a, names)
	}
	if len(s.Params) > 0 {
		t := &table{ID: id + "-params", Class: "params", Head: []column{{Text: "param"}, {Text: "kind"}, {Text: "range"}}}
		for _, p := range s.Params {
			t.Rows = append(t.Rows, row{Cells: []cell{{Text: p.Name}, {Text: p.Kind}, {Text: p.Range}}})
		}
		sp.Params = t
	}
	if len(s.Trials) > 0 {
		sp.Trials = trialTable(id, s, names)
	}
	return sp, nil
}

func figurePages(prefix string, figs []Figure) ([]figurePage, error) {
	var out []figurePage
	for i, f := range figs {
		title := cmp.Or(f.Title, f.Name)
		svg, err := sanitizeSVG(f.SVG, title)
		if err != nil {
			return nil, fmt.Errorf("figure %q: %w (the figure must be an SVG document as package plots draws it)", cmp.Or(f.Name, f.Title, strconv.Itoa(i+1)), err)
		}
		out = append(out, figurePage{ID: fmt.Sprintf("%s-f%d", prefix, i+1), Name: f.Name, Title: title, SVG: template.HTML(svg)})
	}
	return out, nil
}

// statusOrder is the order of the trial counts, as in analyze's text.
var statusOrder = []string{"completed", "pruned", "failed", "running", "interrupted"}

func newAnalysisPage(id string, a *views.AnalyzeSearchJSON) *analysisPage {
	s := a.Summary
	ap := &analysisPage{
		Metric: s.Metric, Mode: s.Mode,
		TimeSpent: s.TimeSpent.Round(time.Millisecond).String(),
		WallTime:  s.WallTime.Round(time.Millisecond).String(),
	}
	var counts []string
	for _, st := range statusOrder {
		if n := s.ByStatus[st]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, st))
		}
	}
	for _, st := range slices.Sorted(maps.Keys(s.ByStatus)) {
		if n := s.ByStatus[st]; n > 0 && !slices.Contains(statusOrder, st) {
			counts = append(counts, fmt.Sprintf("%d %s", n, st))
		}
	}
	ap.Counts = cmp.Or(strings.Join(counts, ", "), "none yet")
	if s.Queued > 0 {
		ap.Queue = fmt.Sprintf("%s in total over %s (median %s), not counted in the time spent",
			s.QueueTime.Round(time.Millisecond), plural(s.Queued, "trial"), s.QueueMedian.Round(time.Millisecond))
	}
	if s.Best != nil {
		ap.Best = views.FormatScore(s.Best.Score)
		ap.BestTrial = s.Best.Number
		var steps []string
		for _, p := range s.Trajectory {
			steps = append(steps, fmt.Sprintf("%s (trial %d)", views.FormatScore(p.Score), p.Trial))
		}
		ap.Trajectory = strings.Join(steps, " → ")
	}
	if a.BestConfig != nil {
		ap.BestConfig = jsonText(a.BestConfig)
	}
	ap.Importance = importanceTable(id+"-importance", a.Importance, a.ImportanceErrors)
	if a.Importance != nil {
		ap.ImportanceCaption = fmt.Sprintf("Share of %s's variance each parameter explains", s.Metric)
		if a.ImportanceFitted < a.ImportanceUsable {
			ap.ImportanceCaption += fmt.Sprintf(" (fitted on %d of %d trials)", a.ImportanceFitted, a.ImportanceUsable)
		}
		if n := len(a.Pruned); n > 0 {
			ap.ImportanceCaption += fmt.Sprintf("; completed trials only, %s left out", plural(n, "pruned trial"))
		}
		ap.ImportanceCaption += "."
	}
	ap.ImportanceNote = a.ImportanceNote
	ap.FailureImportance = importanceTable(id+"-failure-importance", a.FailureImportance, a.FailureImportanceErrors)
	ap.FailureNote = a.FailureImportanceNote
	if len(a.Pruned) > 0 {
		t := &table{ID: id + "-pruned", Class: "pruned", Head: []column{{Text: "trial", Num: true}, {Text: "step", Num: true}, {Text: "value", Num: true}, {Text: "reason"}}}
		for _, p := range a.Pruned {
			t.Rows = append(t.Rows, row{Cells: []cell{intCell(int64(p.Trial)), intCell(p.Step), floatCell(p.Value, false), {Text: p.Reason}}})
		}
		ap.Pruned = t
	}
	return ap
}

// importanceTable lists shares (and their uncertainty, when errs has
// any) largest first, ties by name; nil for no share.
func importanceTable(id string, shares, errs map[string]float64) *table {
	if len(shares) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(shares))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(shares[b], shares[a]) })
	t := &table{ID: id, Class: "importance", Head: []column{{Text: "param"}, {Text: "share", Num: true}}}
	if len(errs) > 0 {
		t.Head = append(t.Head, column{Text: "± uncertainty", Num: true})
	}
	for _, n := range names {
		r := row{Cells: []cell{{Text: n}, percentCell(shares[n])}}
		if len(errs) > 0 {
			if e, ok := errs[n]; ok {
				r.Cells = append(r.Cells, percentCell(e))
			} else {
				r.Cells = append(r.Cells, cell{})
			}
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// paramNames are the trial table's param columns: the space's params in
// order, then any other param of a trial or best trial by name.
func paramNames(s Search) []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range s.Params {
		if !seen[p.Name] {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
	}
	extra := map[string]bool{}
	add := func(params map[string]any) {
		for k := range params {
			if !seen[k] {
				extra[k] = true
			}
		}
	}
	for _, r := range s.Trials {
		add(r.Params)
	}
	if s.Analysis != nil {
		for _, t := range s.Analysis.BestN {
			add(t.Params)
		}
	}
	return append(names, slices.Sorted(maps.Keys(extra))...)
}

func bestNTable(id string, a *views.AnalyzeSearchJSON, names []string) *table {
	if len(a.BestN) == 0 {
		return nil
	}
	t := &table{ID: id + "-best-n", Class: "best-n", Sortable: true,
		Head: []column{{Text: "rank", Num: true}, {Text: "trial", Num: true}, {Text: cmp.Or(a.Summary.Metric, "score"), Num: true}}}
	rows := make([]map[string]any, len(a.BestN))
	for i, tr := range a.BestN {
		rows[i] = tr.Params
	}
	t.Head = append(t.Head, paramColumns(names, rows)...)
	configs := bestNConfigs(a)
	if configs != nil {
		t.Head = append(t.Head, column{Text: "config", NoSort: true})
	}
	for i, tr := range a.BestN {
		r := row{Cells: []cell{intCell(int64(i + 1)), intCell(int64(tr.Number)), floatCell(tr.Score, true)}}
		for _, n := range names {
			r.Cells = append(r.Cells, valueCell(tr.Params, n))
		}
		if configs != nil {
			if configs[i] != nil {
				r.Cells = append(r.Cells, cell{Text: "config", Details: jsonText(configs[i])})
			} else {
				r.Cells = append(r.Cells, cell{})
			}
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// bestNConfigs are the full configs of the best N, in their order (nil
// where not known), or nil when none is known.
func bestNConfigs(a *views.AnalyzeSearchJSON) []map[string]any {
	out := make([]map[string]any, len(a.BestN))
	known := false
	for i := range a.BestN {
		out[i] = a.BestNConfig(i)
		known = known || out[i] != nil
	}
	if !known {
		return nil
	}
	return out
}

func trialTable(id string, s Search, names []string) *table {
	t := &table{ID: id + "-trials", Class: "trials", Sortable: true, Tall: len(s.Trials) > 30,
		Collapsed: len(s.Trials) > CollapseRows, Summary: fmt.Sprintf("%d trials (a large table: click to show it)", len(s.Trials)),
		Head: []column{{Text: "trial", Num: true}, {Text: "status"}, {Text: "score", Num: true}}}
	if s.Analysis != nil && s.Analysis.Summary.Metric != "" {
		t.Head[2].Text = s.Analysis.Summary.Metric
	}
	rows := make([]map[string]any, len(s.Trials))
	for i, r := range s.Trials {
		rows[i] = r.Params
	}
	t.Head = append(t.Head, paramColumns(names, rows)...)
	t.Rows = make([]row, 0, len(s.Trials))
	for _, tr := range s.Trials {
		cells := make([]cell, 0, 3+len(names))
		cells = append(cells, intCell(int64(tr.Number)), cell{Text: tr.Status})
		if tr.Score != nil {
			cells = append(cells, floatCell(*tr.Score, true))
		} else {
			cells = append(cells, cell{})
		}
		for _, n := range names {
			cells = append(cells, valueCell(tr.Params, n))
		}
		r := row{Cells: cells}
		if tr.Status != "" && tr.Status != "completed" {
			r.Class = tr.Status
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

func compareTable(c *Comparison) *table {
	best := "best"
	if c.Metric != "" {
		best = "best " + c.Metric
		if c.Mode != "" {
			best += " (" + c.Mode + ")"
		}
	}
	t := &table{ID: "comparison-table", Class: "compare", Sortable: true, Head: []column{
		{Text: "search"}, {Text: "strategy"}, {Text: "trials", Num: true}, {Text: "completed", Num: true},
		{Text: best, Num: true}, {Text: "best trial", Num: true}, {Text: "trials to within 1 %", Num: true},
		{Text: "time to within 1 %", Num: true}, {Text: "wall time", Num: true}, {Text: "trial time", Num: true}}}
	var blank cell
	for _, c := range c.Rows {
		r := row{Cells: []cell{{Text: "search." + c.Search}, {Text: c.Strategy}, intCell(int64(c.Trials)), intCell(int64(c.Completed))}}
		if c.Best != nil {
			r.Cells = append(r.Cells, floatCell(*c.Best, true), intCell(int64(c.BestTrial)))
		} else {
			r.Cells = append(r.Cells, blank, blank)
		}
		if w := c.Within; w != nil {
			r.Cells = append(r.Cells, intCell(int64(w.Trials)), durationCell(w.Elapsed))
		} else {
			r.Cells = append(r.Cells, blank, blank)
		}
		r.Cells = append(r.Cells, durationCell(c.WallTime), durationCell(c.TrialTime))
		t.Rows = append(t.Rows, r)
	}
	return t
}

// durationCell shows d rounded to the millisecond, sorting by its
// seconds; 0 (not known) is blank.
func durationCell(d time.Duration) cell {
	if d <= 0 {
		return cell{}
	}
	return cell{Text: d.Round(time.Millisecond).String(), V: strconv.FormatFloat(d.Seconds(), 'g', -1, 64)}
}

// paramColumns returns a column per name, numeric when every value of
// that name in rows is a number (blanks aside).
func paramColumns(names []string, rows []map[string]any) []column {
	cols := make([]column, len(names))
	for i, n := range names {
		cols[i] = column{Text: n, Num: true}
		for _, r := range rows {
			v, ok := r[n]
			if !ok || v == nil {
				continue
			}
			if _, num := number(v); !num {
				cols[i].Num = false
				break
			}
		}
	}
	return cols
}

// number returns v as a float64 when it is a Go number.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// valueCell shows a param's value: numbers as the trial table shows
// them (6 significant digits, sorted by what is shown), text as is, other
// values as JSON; a missing value is blank.
func valueCell(params map[string]any, name string) cell {
	v, ok := params[name]
	if !ok || v == nil {
		return cell{}
	}
	switch x := v.(type) {
	case float64:
		return floatCell(x, false)
	case float32:
		return floatCell(float64(x), false)
	case int:
		return intCell(int64(x))
	case int64:
		return intCell(x)
	case int32:
		return intCell(int64(x))
	case uint64:
		return cell{Text: strconv.FormatUint(x, 10)}
	case json.Number:
		return cell{Text: x.String()}
	case string:
		return cell{Text: x}
	case bool:
		return cell{Text: strconv.FormatBool(x)}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return cell{Text: fmt.Sprint(v)}
	}
	return cell{Text: string(b)}
}

func intCell(x int64) cell { return cell{Text: strconv.FormatInt(x, 10)} }

// floatCell shows x with 6 significant digits (NaN, +Inf, -Inf for the
// others); with exact, its exact value is kept in V for sorting when the
// text is rounded (scores: close ones differ past 6 digits).
func floatCell(x float64, exact bool) cell {
	c := cell{Text: views.FormatScore(x)}
	if math.IsNaN(x) {
		c.Text = "NaN"
	}
	if exact && !math.IsNaN(x) && !math.IsInf(x, 0) {
		if e := strconv.FormatFloat(x, 'g', -1, 64); e != c.Text {
			c.V = e
		}
	}
	return c
}

// percentCell shows a share as a percentage with one decimal.
func percentCell(x float64) cell {
	if math.IsNaN(x) {
		return cell{Text: "NaN"}
	}
	return cell{Text: strconv.FormatFloat(x*100, 'f', 1, 64) + " %"}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// jsonText is v as indented JSON (html/template escapes it), or as
// fmt.Sprint prints it when it is not JSON (a NaN).
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
