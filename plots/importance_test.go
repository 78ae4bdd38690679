package plots

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"
)

// importanceErrorData is importanceData with bootstrap errors, one of
// them 0 (no error bar) and one reaching below 0 (clipped at the axis).
func importanceErrorData() []ImportanceBar {
	return []ImportanceBar{
		{Param: "model.learning_rate", Share: 0.46, Err: 0.04},
		{Param: "model.depth", Share: 0.21, Err: 0.05},
		{Param: "optimizer", Share: 0.14, Err: 0.03},
		{Param: "data.batch_size", Share: 0.09, Err: 0.02},
		{Param: "model.dropout", Share: 0.06, Err: 0.08},
		{Param: "use_bias", Share: 0.04, Err: 0},
	}
}

// errorBarStroke matches the stroke of an error bar's segments in SVG.
var errorBarStroke = regexp.MustCompile(`<path[^>]*stroke:#303030`)

// importanceSVG draws bars as SVG and returns it, its texts, the number
// of error-bar segments (3 per error bar: the line and two caps) and of
// values written with "±".
func importanceSVG(t *testing.T, bars []ImportanceBar) (svg []byte, texts []string, segments, plusMinus int) {
	t.Helper()
	var buf bytes.Buffer
	if err := Importance(&buf, SVG, "tune: parameter importance (val_loss)", bars); err != nil {
		t.Fatal(err)
	}
	texts = parseSVG(t, buf.Bytes())
	for _, s := range texts {
		if strings.Contains(s, "±") {
			plusMinus++
		}
	}
	return buf.Bytes(), texts, len(errorBarStroke.FindAll(buf.Bytes(), -1)), plusMinus
}

// Error bars appear exactly for the bars whose Err is finite and above 0,
// each with its value written "share ± err".
func TestImportanceErrorBars(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		errs []float64 // per bar of importanceErrorData
		want int       // error bars
	}{
		{"none", []float64{0, 0, 0, 0, 0, 0}, 0},
		{"one", []float64{0.05, 0, 0, 0, 0, 0}, 1},
		{"all but one", []float64{0.04, 0.05, 0.03, 0.02, 0.08, 0}, 5},
		{"all", []float64{0.04, 0.05, 0.03, 0.02, 0.08, 0.01}, 6},
		{"not finite or negative", []float64{nan, inf, -0.1, 0, 0, 0.01}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bars := importanceErrorData()
			for i := range bars {
				bars[i].Err = tt.errs[i]
			}
			_, texts, segments, pm := importanceSVG(t, bars)
			if segments != 3*tt.want || pm != tt.want {
				t.Errorf("%d error-bar segments and %d values with ±, want %d and %d", segments, pm, 3*tt.want, tt.want)
			}
			// Every bar is still there, by its name.
			joined := "|" + strings.Join(texts, "|") + "|"
			for _, b := range bars {
				if !strings.Contains(joined, "|"+b.Param+"|") {
					t.Errorf("bar %s missing from %q", b.Param, joined)
				}
			}
		})
	}
}

// The value of a bar with an error reads "share ± err".
func TestImportanceErrorLabel(t *testing.T) {
	_, texts, _, _ := importanceSVG(t, []ImportanceBar{{Param: "x", Share: 0.46, Err: 0.04}, {Param: "y", Share: 0.54}})
	joined := "|" + strings.Join(texts, "|") + "|"
	for _, want := range []string{"|0.46 ± 0.04|", "|0.54|", "|share of variance|"} {
		if !strings.Contains(joined, want) {
			t.Errorf("%q missing from %q", want, joined)
		}
	}
}

// The figures are byte for byte their golden files (go test ./plots
// -update rewrites them): without error bars (the "importance" figure of
// plots_test.go) and with them.
func TestImportanceGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Importance(&buf, SVG, "tune: parameter importance (val_loss)", barsOf(importanceData())); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "importance.svg", buf.Bytes())
	svg, _, _, _ := importanceSVG(t, importanceErrorData())
	checkGolden(t, "importance-errors.svg", svg)
	var png bytes.Buffer
	if err := Importance(&png, PNG, "tune: parameter importance (val_loss)", importanceErrorData()); err != nil {
		t.Fatal(err)
	}
	if png.Len() < 1000 {
		t.Errorf("PNG of %d bytes", png.Len())
	}
}
