package plots

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Typical data.

func convergenceData() []ConvergencePoint {
	var pts []ConvergencePoint
	best := math.Inf(1)
	for i := range 40 {
		// A noisy decreasing loss.
		s := 2.0/float64(i+1) + 0.3*math.Abs(math.Sin(float64(i)*1.7))
		best = math.Min(best, s)
		pts = append(pts, ConvergencePoint{Trial: i + 1, Score: s, BestSoFar: best, Initial: i < 8})
	}
	return pts
}

func importanceData() map[string]float64 {
	return map[string]float64{
		"model.learning_rate": 0.46,
		"model.depth":         0.21,
		"optimizer":           0.14,
		"data.batch_size":     0.09,
		"model.dropout":       0.06,
		"use_bias":            0.04,
	}
}

func numericParamData() []ParamPoint {
	var pts []ParamPoint
	for i := range 30 {
		lr := math.Pow(10, -5+4*float64((i*7)%30)/29)
		s := 0.2 + 0.1*math.Pow(math.Log10(lr)+3, 2) + 0.02*math.Sin(float64(i))
		pts = append(pts, ParamPoint{Value: lr, Score: s, Initial: i < 6})
	}
	return pts
}

func categoricalParamData() ([]string, []ParamPoint) {
	cats := []string{"adam", "sgd", "rmsprop"}
	var pts []ParamPoint
	for i := range 30 {
		c := cats[i%3]
		pts = append(pts, ParamPoint{Value: c, Score: 0.3 + 0.1*float64(i%3) + 0.01*float64(i%7), Initial: i < 6})
	}
	return cats, pts
}

// figure is one call of each plot function with typical data.
type figure struct {
	name   string
	draw   func(io.Writer, Format) error
	texts  []string // must appear among the SVG's <text> elements
	metric string
}

func figures() []figure {
	cats, catPts := categoricalParamData()
	return []figure{
		{
			name: "convergence",
			draw: func(w io.Writer, f Format) error {
				return Convergence(w, f, "tune", "val_loss", convergenceData(), ScaleAuto)
			},
			texts:  []string{"tune: convergence", "trial", "val_loss", "initial design", "best so far"},
			metric: "val_loss",
		},
		{
			name: "importance",
			draw: func(w io.Writer, f Format) error {
				return Importance(w, f, "tune: parameter importance (val_loss)", barsOf(importanceData()))
			},
			texts:  []string{"tune: parameter importance (val_loss)", "share of variance", "model.learning_rate", "use_bias"},
			metric: "val_loss",
		},
		{
			name: "param-numeric",
			draw: func(w io.Writer, f Format) error {
				return ParamVsScore(w, f, "tune", "model.learning_rate", "val_loss", true, nil, numericParamData(), ScaleAuto)
			},
			texts:  []string{"tune: model.learning_rate vs val_loss", "model.learning_rate", "val_loss", "initial design"},
			metric: "val_loss",
		},
		{
			name: "param-categorical",
			draw: func(w io.Writer, f Format) error {
				return ParamVsScore(w, f, "tune", "optimizer", "accuracy", false, cats, catPts, ScaleAuto)
			},
			texts:  []string{"tune: optimizer vs accuracy", "optimizer", "accuracy", "adam", "sgd", "rmsprop"},
			metric: "accuracy",
		},
		{
			name: "convergence-pruned",
			draw: func(w io.Writer, f Format) error {
				return Convergence(w, f, "tune", "val_loss", convergencePrunedData(), ScaleAuto)
			},
			texts:  []string{"tune: convergence", "pruned", "best so far", "initial design"},
			metric: "val_loss",
		},
		{
			name: "progress",
			draw: func(w io.Writer, f Format) error {
				return Progress(w, f, "tune", "val_loss", progressData(), ScaleAuto)
			},
			texts:  []string{"tune: intermediate values", "step", "completed", "pruned (× where stopped)"},
			metric: "val_loss",
		},
	}
}

func checkPNG(t *testing.T, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != PNGWidth || b.Dy() != PNGHeight {
		t.Fatalf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), PNGWidth, PNGHeight)
	}
	// Not blank: some pixel is not white.
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff {
				return
			}
		}
	}
	t.Fatal("PNG is blank")
}

// parseSVG checks that data is an SVG document of the expected size and
// returns the character data of its <text> elements.
func parseSVG(t *testing.T, data []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	depth, inText := 0, false
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if tok.Name.Local != "svg" {
					t.Fatalf("root element is <%s>, want <svg>", tok.Name.Local)
				}
				attrs := map[string]string{}
				for _, a := range tok.Attr {
					attrs[a.Name.Local] = a.Value
				}
				if attrs["width"] != "453.54pt" || attrs["height"] != "283.46pt" {
					t.Fatalf("SVG size %q x %q, want 453.54pt x 283.46pt (16cm x 10cm)", attrs["width"], attrs["height"])
				}
			}
			depth++
			if tok.Name.Local == "text" {
				inText = true
				cur.Reset()
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "text" {
				inText = false
				texts = append(texts, cur.String())
			}
		case xml.CharData:
			if inText {
				cur.Write(tok)
			}
		}
	}
	if depth != 0 {
		t.Fatal("SVG not closed")
	}
	return texts
}

func TestSizeConstants(t *testing.T) {
	// 16cm and 10cm at DPI, rounded.
	w := int(math.Round(WidthCm / 2.54 * DPI))
	h := int(math.Round(HeightCm / 2.54 * DPI))
	if w != PNGWidth || h != PNGHeight {
		t.Fatalf("PNG size at %d dpi is %dx%d, constants say %dx%d", DPI, w, h, PNGWidth, PNGHeight)
	}
}

func TestPNG(t *testing.T) {
	for _, fig := range figures() {
		t.Run(fig.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := fig.draw(&buf, PNG); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, buf.Bytes())
		})
	}
}

func TestSVG(t *testing.T) {
	for _, fig := range figures() {
		t.Run(fig.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := fig.draw(&buf, SVG); err != nil {
				t.Fatal(err)
			}
			texts := parseSVG(t, buf.Bytes())
			for _, want := range append(fig.texts, fig.metric) {
				found := false
				for _, got := range texts {
					if strings.Contains(got, want) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("no <text> contains %q; texts: %q", want, texts)
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, fig := range figures() {
		t.Run(fig.name, func(t *testing.T) {
			for _, f := range []Format{SVG, PNG} {
				var a, b bytes.Buffer
				if err := fig.draw(&a, f); err != nil {
					t.Fatal(err)
				}
				if err := fig.draw(&b, f); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a.Bytes(), b.Bytes()) {
					t.Errorf("%s output differs between two identical calls", f)
				}
			}
		})
	}
}

func TestUseLogScale(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		scores []float64
		want   bool
	}{
		{nil, false},
		{[]float64{1}, false},
		{[]float64{1, 100}, false},           // exactly two decades: linear
		{[]float64{1, 100.5}, true},          // more than two decades
		{[]float64{0.001, 0.5, 2}, true},     // 2000x
		{[]float64{0.3, 0.4, 0.9}, false},    // narrow
		{[]float64{0, 1, 1000}, false},       // zero
		{[]float64{-1, 1, 1000}, false},      // negative
		{[]float64{1e-3, nan, 1, inf}, true}, // NaN and Inf ignored
		{[]float64{nan, inf}, false},
	} {
		if got := UseLogScale(tc.scores); got != tc.want {
			t.Errorf("UseLogScale(%v) = %v, want %v", tc.scores, got, tc.want)
		}
	}
}

// A convergence plot whose scores span decades gets a log y axis: its tick
// labels are powers of ten.
func TestConvergenceLogAxis(t *testing.T) {
	pts := []ConvergencePoint{
		{Trial: 1, Score: 5, BestSoFar: 5},
		{Trial: 2, Score: 0.5, BestSoFar: 0.5},
		{Trial: 3, Score: 0.002, BestSoFar: 0.002},
	}
	var buf bytes.Buffer
	if err := Convergence(&buf, SVG, "s", "loss", pts, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	texts := strings.Join(parseSVG(t, buf.Bytes()), "|")
	for _, want := range []string{"|0.01|", "|0.1|", "|1|"} {
		if !strings.Contains("|"+texts+"|", want) {
			t.Errorf("log axis label %s missing in %q", want, texts)
		}
	}
}

// drawAll calls draw with both formats and reports the first error, failing
// the test on a panic.
func drawAll(t *testing.T, draw func(io.Writer, Format) error) error {
	t.Helper()
	var first error
	for _, f := range []Format{PNG, SVG} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: panic: %v", f, r)
				}
			}()
			var buf bytes.Buffer
			err := draw(&buf, f)
			if err == nil {
				if buf.Len() == 0 {
					t.Fatalf("%s: nil error but no output", f)
				}
				switch f {
				case PNG:
					checkPNG(t, buf.Bytes())
				case SVG:
					parseSVG(t, buf.Bytes())
				}
			}
			if first == nil {
				first = err
			}
		}()
	}
	return first
}

func TestEdgeCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cats := []string{"a", "b"}
	for _, tc := range []struct {
		name    string
		draw    func(io.Writer, Format) error
		wantErr string // "" for success
	}{
		{"convergence/none", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", nil, ScaleAuto)
		}, "no point"},
		{"convergence/all NaN", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{Trial: 1, Score: nan, BestSoFar: nan}, {Trial: 2, Score: inf, BestSoFar: inf}}, ScaleAuto)
		}, "no point"},
		{"convergence/one", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{Trial: 1, Score: 0.5, BestSoFar: 0.5}}, ScaleAuto)
		}, ""},
		{"convergence/one initial", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{Trial: 0, Score: 0, BestSoFar: 0, Initial: true}}, ScaleAuto)
		}, ""},
		{"convergence/all equal", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{1, 3, 3, false, false}, {2, 3, 3, false, false}, {3, 3, 3, false, false}}, ScaleAuto)
		}, ""},
		{"convergence/all zero", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{1, 0, 0, false, false}, {2, 0, 0, false, false}}, ScaleAuto)
		}, ""},
		{"convergence/NaN and Inf skipped", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{1, nan, nan, false, false}, {2, 1, 1, false, false}, {3, inf, 1, false, false}, {4, 1e-4, 1e-4, false, false}}, ScaleAuto)
		}, ""},
		{"convergence/unsorted huge trials", func(w io.Writer, f Format) error {
			return Convergence(w, f, "s", "m", []ConvergencePoint{{math.MaxInt32, 1, 1, false, false}, {-5, 2, 2, false, false}}, ScaleAuto)
		}, ""},
		{"convergence/bad format", func(w io.Writer, _ Format) error {
			return Convergence(w, "pdf", "s", "m", convergenceData(), ScaleAuto)
		}, "unsupported format"},
		{"importance/none", func(w io.Writer, f Format) error {
			return Importance(w, f, "s: parameter importance (m)", barsOf(nil))
		}, "no parameter"},
		{"importance/NaN only", func(w io.Writer, f Format) error {
			return Importance(w, f, "s: parameter importance (m)", barsOf(map[string]float64{"x": nan}))
		}, "no parameter"},
		{"importance/one", func(w io.Writer, f Format) error {
			return Importance(w, f, "s: parameter importance (m)", barsOf(map[string]float64{"x": 1}))
		}, ""},
		{"importance/all zero", func(w io.Writer, f Format) error {
			return Importance(w, f, "s: parameter importance (m)", barsOf(map[string]float64{"x": 0, "y": 0}))
		}, ""},
		{"importance/negative", func(w io.Writer, f Format) error {
			return Importance(w, f, "s: parameter importance (m)", barsOf(map[string]float64{"x": -0.1, "y": 0.8, "z": inf}))
		}, ""},
		{"importance/many", func(w io.Writer, f Format) error {
			m := map[string]float64{}
			for i := range 60 {
				m[fmt.Sprintf("p%02d", i)] = 1 / float64(i+1)
			}
			return Importance(w, f, "s: parameter importance (m)", barsOf(m))
		}, ""},
		{"param/none", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "x", "m", false, nil, nil, ScaleAuto)
		}, "no point"},
		{"param/all NaN", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "x", "m", false, nil, []ParamPoint{{Value: 1.0, Score: nan}, {Value: nan, Score: 1}}, ScaleAuto)
		}, "no point"},
		{"param/one", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "x", "m", false, nil, []ParamPoint{{Value: int64(3), Score: 1}}, ScaleAuto)
		}, ""},
		{"param/one log", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "x", "m", true, nil, []ParamPoint{{Value: 1e-3, Score: 1}}, ScaleAuto)
		}, ""},
		{"param/all equal", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "x", "m", false, nil, []ParamPoint{{Value: 2.0, Score: 1}, {Value: 2.0, Score: 1}}, ScaleAuto)
		}, ""},
		{"param/narrow log", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "x", "m", true, nil, []ParamPoint{{Value: 2.0, Score: 1}, {Value: 7.0, Score: 2}}, ScaleAuto)
		}, ""},
		{"param/log zero", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "model.lr", "m", true, nil, []ParamPoint{{Value: 0.1, Score: 1}, {Value: 0.0, Score: 1}}, ScaleAuto)
		}, `"model.lr"`},
		{"param/log negative int", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "model.depth", "m", true, nil, []ParamPoint{{Value: int64(-2), Score: 1}}, ScaleAuto)
		}, `"model.depth"`},
		{"param/string without categories", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "opt", "m", false, nil, []ParamPoint{{Value: "adam", Score: 1}}, ScaleAuto)
		}, `"opt"`},
		{"param/unsupported type", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "opt", "m", false, nil, []ParamPoint{{Value: []int{1}, Score: 1}}, ScaleAuto)
		}, "unsupported type"},
		{"param/empty categories", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "opt", "m", false, []string{}, []ParamPoint{{Value: "a", Score: 1}}, ScaleAuto)
		}, "no categories"},
		{"param/unknown category", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "opt", "m", false, cats, []ParamPoint{{Value: "c", Score: 1}}, ScaleAuto)
		}, "not one of its categories"},
		{"param/bool", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "use_bias", "m", false, []string{"false", "true"},
				[]ParamPoint{{Value: true, Score: 1}, {Value: false, Score: 2, Initial: true}, {Value: true, Score: nan}}, ScaleAuto)
		}, ""},
		{"param/one category one point", func(w io.Writer, f Format) error {
			return ParamVsScore(w, f, "s", "opt", "m", true, []string{"only"}, []ParamPoint{{Value: "only", Score: -3}}, ScaleAuto)
		}, ""},
		{"param/long categories", func(w io.Writer, f Format) error {
			var cs []string
			var pts []ParamPoint
			for i := range 12 {
				cs = append(cs, fmt.Sprintf("a-rather-long-category-%d", i))
				pts = append(pts, ParamPoint{Value: cs[i], Score: float64(i)})
			}
			return ParamVsScore(w, f, "s", "opt", "m", false, cs, pts, ScaleAuto)
		}, ""},
		{"param/bad format", func(w io.Writer, _ Format) error {
			return ParamVsScore(w, "PNG", "s", "x", "m", false, nil, numericParamData(), ScaleAuto)
		}, "unsupported format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := drawAll(t, tc.draw)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

// Jitter is deterministic and stays within its slot.
func TestCategoricalJitter(t *testing.T) {
	cats, pts := categoricalParamData()
	var a, b bytes.Buffer
	if err := ParamVsScore(&a, SVG, "s", "opt", "m", false, cats, pts, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	if err := ParamVsScore(&b, SVG, "s", "opt", "m", false, cats, pts, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("categorical output differs between two identical calls")
	}
}

// Importance puts the largest share on top: its y tick label is drawn
// last (gonum draws y tick labels bottom-up) and so comes last in the SVG.
func TestImportanceOrder(t *testing.T) {
	var buf bytes.Buffer
	shares := map[string]float64{"small": 0.1, "large": 0.7, "medium": 0.2}
	if err := Importance(&buf, SVG, "s: parameter importance (m)", barsOf(shares)); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range parseSVG(t, buf.Bytes()) {
		if _, ok := shares[s]; ok {
			order = append(order, s)
		}
	}
	if got := strings.Join(order, ","); got != "small,medium,large" {
		t.Fatalf("y tick labels bottom-up = %s, want small,medium,large", got)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.svg")
	err := WriteFile(path, func(w io.Writer) error {
		return Convergence(w, SVG, "s", "m", convergenceData(), ScaleAuto)
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, data)

	// A failing draw leaves the existing file alone.
	boom := errors.New("boom")
	err = WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(after, data) {
		t.Fatal("a failed draw changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want 1", len(entries))
	}
}

// TestDemo writes one PNG of each kind to $PLOTS_DEMO_DIR, for looking at.
func TestDemo(t *testing.T) {
	dir := os.Getenv("PLOTS_DEMO_DIR")
	if dir == "" {
		t.Skip("PLOTS_DEMO_DIR not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, draw := range map[string]func(io.Writer) error{
		"convergence.png": func(w io.Writer) error {
			return Convergence(w, PNG, "tune", "val_loss", convergenceData(), ScaleAuto)
		},
		"importance.png": func(w io.Writer) error {
			return Importance(w, PNG, "tune: parameter importance (val_loss)", barsOf(importanceData()))
		},
		"param.png": func(w io.Writer) error {
			return ParamVsScore(w, PNG, "tune", "model.learning_rate", "val_loss", true, nil, numericParamData(), ScaleAuto)
		},
		"convergence-pruned.png": func(w io.Writer) error {
			return Convergence(w, PNG, "tune", "val_loss", convergencePrunedData(), ScaleAuto)
		},
		"progress.png": func(w io.Writer) error {
			return Progress(w, PNG, "tune", "val_loss", progressData(), ScaleAuto)
		},
		"param-categorical.png": func(w io.Writer) error {
			cats, pts := categoricalParamData()
			return ParamVsScore(w, PNG, "tune", "optimizer", "accuracy", false, cats, pts, ScaleAuto)
		},
	} {
		if err := WriteFile(filepath.Join(dir, name), draw); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTicks(t *testing.T) {
	labels := func(ts []plot.Tick) []string {
		var out []string
		for _, t := range ts {
			if t.Label != "" {
				out = append(out, t.Label)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		ticker plot.Ticker
		lo, hi float64
		want   string
	}{
		{"int small", intTicks{}, 0.5, 3.5, "1 2 3"},
		{"int no minus zero", intTicks{}, -4.5, 200.5, "0 50 100 150 200"},
		{"int one", intTicks{}, 0, 2, "0 1 2"},
		{"log decades", logTicks{}, 0.003, 20, "0.01 0.1 1 10"},
		{"log exponents", logTicks{}, 1e-6, 2e5, "1e-6 1e-5 0.0001 0.001 0.01 0.1 1 10 100 1000 1e+4 1e+5"},
		{"log narrow", logTicks{}, 2, 7.5, "2 3 4 5 6 7"},
		{"log bad range", logTicks{}, 0, 1, ""},
	} {
		if got := strings.Join(labels(tc.ticker.Ticks(tc.lo, tc.hi)), " "); got != tc.want {
			t.Errorf("%s: labels %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Long category names are cut, and turned labels get room on the left.
func TestCategoryLabels(t *testing.T) {
	long := "a-very-long-category-name-indeed"
	var buf bytes.Buffer
	cats := []string{long, "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	if err := ParamVsScore(&buf, SVG, "s", "p", "m", false, cats, []ParamPoint{{Value: long, Score: 1}, {Value: "j", Score: 2}}, ScaleAuto); err != nil {
		t.Fatal(err)
	}
	texts := strings.Join(parseSVG(t, buf.Bytes()), "|")
	if want := []rune(long)[:maxCategoryLabel-1]; !strings.Contains(texts, string(want)+"…") || strings.Contains(texts, long) {
		t.Errorf("long category not cut to %d runes: %q", maxCategoryLabel, texts)
	}
	p := plot.New()
	p.X.Tick.Label.Font = font.From(sansFont, 9)
	if left := categoryAxis(p, cats); left <= 0 {
		t.Errorf("turned labels get no room on the left (%v)", left)
	}
	if p.X.Tick.Label.Rotation == 0 {
		t.Error("long labels not turned")
	}
	p = plot.New()
	if left := categoryAxis(p, []string{"adam", "sgd"}); left != 0 || p.X.Tick.Label.Rotation != 0 {
		t.Errorf("short labels turned (%v, %v)", left, p.X.Tick.Label.Rotation)
	}
}

// The legend moves away from the points.
func TestLegendPlacement(t *testing.T) {
	var upperRight plotter.XYs
	for i := range 20 {
		upperRight = append(upperRight, plotter.XY{X: 5 + float64(i%5), Y: 5 + float64(i/5)})
	}
	upperRight = append(upperRight, plotter.XY{X: 0, Y: 0}) // bottom left taken too
	p := newPlot("t", "x", "y")
	if err := addScatters(p, upperRight, nil, nil); err != nil {
		t.Fatal(err)
	}
	p.Legend.Add(legendBest)
	axisRange(&p.X, 0, 9, false)
	axisRange(&p.Y, 0, 8, false)
	dc := draw.New(vgsvg.New(width, height))
	placeLegend(p, dc, asPoints(upperRight))
	if !p.Legend.Top || !p.Legend.Left {
		t.Errorf("legend top=%v left=%v, want top left", p.Legend.Top, p.Legend.Left)
	}
}

// barsOf turns shares into importance bars without error bars.
func barsOf(shares map[string]float64) []ImportanceBar {
	var bars []ImportanceBar
	for name, s := range shares {
		bars = append(bars, ImportanceBar{Param: name, Share: s})
	}
	return bars
}
