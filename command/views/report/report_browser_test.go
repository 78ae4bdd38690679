package report

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/internal/browsertest"
)

// EnvScreenshotDir names a directory where TestBrowser saves its
// screenshots (report.png: the top of the page; report-full.png: all of
// it), for people to look at.
const EnvScreenshotDir = "FW_TEST_SCREENSHOT_DIR"

// open writes r to a file and opens it in the browser.
func open(t *testing.T, s *browsertest.Session, r *Report) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := browsertest.FileURL(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Navigate(u); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser renders a report of two searches (50 trials each, real
// figures) in headless Chromium: it draws (a screenshot that is not
// blank), every figure has a size, the tables have their rows, a click on
// a header sorts (numbers, blanks last, both ways; text), and the page
// made no request.
func TestBrowser(t *testing.T) {
	s := browsertest.New(t, 1280, 1024)
	r := realisticReport(t, 50)
	open(t, s, r)

	shot, err := s.Screenshot()
	if err != nil {
		t.Fatal(err)
	}
	checkScreenshot(t, shot, 1280, 1024)
	saveScreenshot(t, "report.png", shot)

	// Every figure is drawn, with a size, and holds its title.
	var figs []struct {
		Name   string  `json:"name"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
		Texts  int     `json:"texts"`
	}
	if err := s.Execute(&figs, `return Array.from(document.querySelectorAll("figure")).map(f => {
		const svg = f.querySelector("svg"), r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
		return {name: f.dataset.name, width: r.width, height: r.height, texts: svg ? svg.querySelectorAll("text").length : 0};
	})`); err != nil {
		t.Fatal(err)
	}
	wantFigs := 0
	for _, s := range r.Searches {
		wantFigs += len(s.Figures)
	}
	wantFigs += len(r.Comparison.Figures)
	if len(figs) != wantFigs {
		t.Errorf("%d figures in the page, want %d", len(figs), wantFigs)
	}
	for _, f := range figs {
		// 16 × 10 cm figures, scaled to their box: wider than tall, not tiny.
		if f.Width < 200 || f.Height < 100 || f.Width < f.Height {
			t.Errorf("figure %s is drawn %.0f × %.0f px", f.Name, f.Width, f.Height)
		}
		if f.Texts < 3 {
			t.Errorf("figure %s has %d text elements: title and labels missing", f.Name, f.Texts)
		}
	}
	var title string
	if err := s.Execute(&title, `return document.querySelector("#s1 figure svg text").textContent`); err != nil || title != "random: convergence" {
		t.Errorf("the first figure's first text is %q (%v), want its title \"random: convergence\"", title, err)
	}

	// The tables and their rows.
	for sel, want := range map[string]int{
		"#s1 table.trials tbody tr": 50, "#s2 table.trials tbody tr": 50,
		"#s1 table.best-n tbody tr": 5, "#s1 table.importance tbody tr": 6, "#s1 table.params tbody tr": 6,
		"#comparison table.compare tbody tr": 2,
	} {
		els, err := s.FindAll(sel)
		if err != nil {
			t.Fatal(err)
		}
		if len(els) != want {
			t.Errorf("%s: %d rows, want %d", sel, len(els), want)
		}
	}
	// The rows are visible: the first trial row has a size.
	var rowHeight float64
	if err := s.Execute(&rowHeight, `return document.querySelector("#s1 table.trials tbody tr").getBoundingClientRect().height`); err != nil || rowHeight < 10 {
		t.Errorf("a trial row is %.1f px high (%v)", rowHeight, err)
	}

	// Sorting the trial table of search s1 by the score column (3rd).
	header := func(col int) browsertest.Element {
		t.Helper()
		ths, err := s.FindAll("#s1 table.trials thead th")
		if err != nil || len(ths) <= col {
			t.Fatalf("trial table headers: %d, %v", len(ths), err)
		}
		return ths[col]
	}
	click := func(col int, wantSort string) {
		t.Helper()
		th := header(col)
		if err := th.Click(); err != nil {
			t.Fatal(err)
		}
		if got, _, err := th.Attribute("aria-sort"); err != nil || got != wantSort {
			t.Errorf("column %d: aria-sort = %q (%v) after a click, want %q", col, got, err, wantSort)
		}
		var others int
		s.Execute(&others, `return document.querySelectorAll("#s1 table.trials th[aria-sort]").length`)
		if others != 1 {
			t.Errorf("%d headers have aria-sort, want 1", others)
		}
	}
	column := func(col int) []string {
		t.Helper()
		var v []string
		if err := s.Execute(&v, `return Array.from(document.querySelectorAll("#s1 table.trials tbody tr")).map(
			r => r.cells[arguments[0]].hasAttribute("data-v") ? r.cells[arguments[0]].getAttribute("data-v") : r.cells[arguments[0]].textContent)`, col); err != nil {
			t.Fatal(err)
		}
		return v
	}
	index := func(name string) int {
		t.Helper()
		var i int
		if err := s.Execute(&i, `return Array.from(document.querySelectorAll("#s1 table.trials thead th")).findIndex(th => th.textContent === arguments[0])`, name); err != nil || i < 0 {
			t.Fatalf("no column %q in the trial table (%v)", name, err)
		}
		return i
	}
	blanks := 0
	for _, row := range r.Searches[0].Trials {
		if row.Score == nil {
			blanks++
		}
	}
	if blanks == 0 || blanks == 50 {
		t.Fatalf("the fixture has %d failed trials of 50: the sort test needs some blanks", blanks)
	}
	score := index("val_loss")
	click(score, "ascending")
	checkNumericOrder(t, "score ascending", column(score), 1, blanks)
	click(score, "descending")
	checkNumericOrder(t, "score descending", column(score), -1, blanks)
	optimizer := index("optimizer")
	click(optimizer, "ascending")
	if opt := column(optimizer); !slices.IsSorted(opt) || opt[0] == opt[len(opt)-1] {
		t.Errorf("optimizer ascending: %q", opt)
	}
	click(optimizer, "descending")
	if opt := column(optimizer); !slices.IsSortedFunc(opt, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("optimizer descending: %q", opt)
	}
	lr := index("training.lr") // numbers, 6 digits shown
	click(lr, "ascending")
	checkNumericOrder(t, "training.lr ascending", column(lr), 1, 0)
	batch := index("training.batch") // numbers that sort wrong as text: 128 < 32
	click(batch, "ascending")
	click(batch, "descending")
	checkNumericOrder(t, "training.batch descending", column(batch), -1, 0)
	click(index("trial"), "ascending") // back to trial order
	if got, want := column(0), trialNumbers(50); !slices.Equal(got, want) {
		t.Errorf("trial ascending: %q, want %q", got, want)
	}

	// The page loaded nothing: no resource, and it is a file.
	var res struct {
		Resources int    `json:"resources"`
		Protocol  string `json:"protocol"`
	}
	if err := s.Execute(&res, `return {resources: performance.getEntriesByType("resource").length, protocol: location.protocol}`); err != nil {
		t.Fatal(err)
	}
	if res.Resources != 0 || res.Protocol != "file:" {
		t.Errorf("the page made %d requests (protocol %s), want 0 from file:", res.Resources, res.Protocol)
	}

	// A picture of all of it.
	var height int
	if err := s.Execute(&height, `return document.documentElement.scrollHeight`); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv(EnvScreenshotDir); dir != "" {
		if err := s.SetWindowSize(1280, min(height+100, 16000)); err != nil {
			t.Fatal(err)
		}
		s.Execute(nil, `window.scrollTo(0, 0)`)
		full, err := s.Screenshot()
		if err != nil {
			t.Fatal(err)
		}
		saveScreenshot(t, "report-full.png", full)
	}
}

// TestBrowserHostile: markup in names and values runs nothing and makes no
// element in a real browser.
func TestBrowserHostile(t *testing.T) {
	s := browsertest.New(t, 1024, 768)
	const img = `<img src=x onerror="window.pwned='img'">`
	const script = `<script>window.pwned='script'</script>`
	const attr = `" onmouseover="window.pwned='attr'`
	r := realisticReport(t, 5)
	r.Title = script
	sr := &r.Searches[0]
	sr.Name = img
	sr.Params = append(sr.Params, Param{Name: script, Kind: attr, Range: img})
	for i := range sr.Trials {
		sr.Trials[i].Params[img] = script
		sr.Trials[i].Params[attr] = img
	}
	sr.Analysis.Importance[script] = 0.1
	sr.Figures[0].Title = attr + img
	open(t, s, r)
	var got struct {
		Pwned   any    `json:"pwned"`
		Images  int    `json:"images"`
		Scripts int    `json:"scripts"`
		Title   string `json:"title"`
	}
	if err := s.Execute(&got, `return {pwned: window.pwned === undefined ? null : window.pwned,
		images: document.querySelectorAll("img, [onmouseover], [onerror]").length,
		scripts: document.scripts.length, title: document.title}`); err != nil {
		t.Fatal(err)
	}
	if got.Pwned != nil || got.Images != 0 || got.Scripts != 1 || got.Title != script {
		t.Errorf("hostile names: pwned=%v, %d hostile elements, %d scripts, title %q; want nil, 0, 1, the name as text", got.Pwned, got.Images, got.Scripts, got.Title)
	}
}

func trialNumbers(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}

// checkNumericOrder checks that vals are numbers sorted in dir (1 up, -1
// down), then `blanks` empty cells.
func checkNumericOrder(t *testing.T, what string, vals []string, dir, blanks int) {
	t.Helper()
	n := len(vals) - blanks
	for i, v := range vals[n:] {
		if v != "" {
			t.Errorf("%s: row %d is %q, want a blank (blanks last)", what, n+i+1, v)
		}
	}
	prev := math.Inf(-dir)
	for i, v := range vals[:n] {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s: row %d is %q, not a number", what, i+1, v)
		}
		if float64(dir)*(x-prev) < 0 {
			t.Fatalf("%s: row %d (%v) is out of order after %v: %q", what, i+1, x, prev, vals)
		}
		prev = x
	}
}

// checkScreenshot checks a PNG screenshot's size and that it shows
// something: many distinct colours (text, figures, table shading).
func checkScreenshot(t *testing.T, shot []byte, w, h int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() < h*3/4 || b.Dy() > h {
		t.Errorf("the screenshot is %d × %d, want %d wide and about %d high", b.Dx(), b.Dy(), w, h)
	}
	colours := map[uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			colours[rgb(img, x, y)]++
		}
	}
	if len(colours) < 20 {
		t.Errorf("the screenshot has %d distinct colours: blank?", len(colours))
	}
	white := colours[0xffffff]
	total := (b.Dx() / 2) * (b.Dy() / 2)
	if white > total*98/100 {
		t.Errorf("the screenshot is %d%% white: nothing drawn?", white*100/total)
	}
}

func rgb(img image.Image, x, y int) uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (r>>8)<<16 | (g>>8)<<8 | b>>8
}

func saveScreenshot(t *testing.T, name string, shot []byte) {
	t.Helper()
	dir := os.Getenv(EnvScreenshotDir)
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// BenchmarkBrowserSort10000 measures, in Chromium, a click that sorts a
// trial table of 10,000 rows by its score (ms/sort, the script's time
// including the re-layout it forces).
func BenchmarkBrowserSort10000(b *testing.B) {
	s := browsertest.New(b, 1280, 1024)
	r := realisticReport(b, 10000)
	r.Searches = r.Searches[:1]
	path := filepath.Join(b.TempDir(), "report.html")
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	u, _ := browsertest.FileURL(path)
	if err := s.Navigate(u); err != nil {
		b.Fatal(err)
	}
	var total float64
	for b.Loop() {
		var ms float64
		if err := s.Execute(&ms, `document.querySelector("#s1 details.trials").open = true;
			const t0 = performance.now();
			document.querySelectorAll("#s1 table.trials thead th button")[2].click();
			document.body.offsetHeight;
			return performance.now() - t0`); err != nil {
			b.Fatal(err)
		}
		total += ms
	}
	b.ReportMetric(total/float64(b.N), "ms/sort")
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}
