package arguments

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseAnalyze(t *testing.T) {
	def := func(f func(a *Analyze)) *Analyze {
		a := &Analyze{Format: "png", YScale: "auto", Top: 5, State: State{Path: DefaultStatePath, Lock: true}}
		f(a)
		return a
	}
	tests := []struct {
		name    string
		args    []string
		want    *Analyze
		wantErr string // the summary, then text the detail must hold
		detail  string
	}{
		{"defaults", nil, def(func(a *Analyze) {}), "", ""},
		{"one search", []string{"search.s"}, def(func(a *Analyze) { a.Searches = []string{"s"} }), "", ""},
		{"compare", []string{"search.grid", "-json", "search.random", "search.bayes"},
			def(func(a *Analyze) { a.Searches, a.JSON = []string{"grid", "random", "bayes"}, true }), "", ""},
		{"kinds repeatable and comma-separated, without repeats",
			[]string{"-plot=slice", "-plot", "contour,slice", "-param=training.lr", "-param", "optimizer", "-plots=out"},
			def(func(a *Analyze) {
				a.Plot, a.Params, a.Plots = []string{"slice", "contour"}, []string{"training.lr", "optimizer"}, "out"
			}), "", ""},
		{"-o gives the format", []string{"-o", "lr.svg", "-plot=slice"}, def(func(a *Analyze) { a.Output, a.Format, a.Plot = "lr.svg", "svg", []string{"slice"} }), "", ""},
		{"-o upper case extension", []string{"-o=LR.PNG"}, def(func(a *Analyze) { a.Output = "LR.PNG" }), "", ""},
		{"-o without extension takes -format", []string{"-o=plot", "-format=svg"}, def(func(a *Analyze) { a.Output, a.Format = "plot", "svg" }), "", ""},
		{"three params for slices and a contour", []string{"-param=x", "-param=y", "-param=z", "-plot=contour,slice", "-plots=d"},
			def(func(a *Analyze) {
				a.Params, a.Plot, a.Plots = []string{"x", "y", "z"}, []string{"contour", "slice"}, "d"
			}), "", ""},
		{"compare plot", []string{"-plot=compare-trials", "-o=c.svg", "search.a", "search.b"},
			def(func(a *Analyze) {
				a.Plot, a.Output, a.Format, a.Searches = []string{"compare-trials"}, "c.svg", "svg", []string{"a", "b"}
			}), "", ""},
		{"-html and -yscale", []string{"-html=r.html", "-yscale=log"}, def(func(a *Analyze) { a.HTML, a.YScale = "r.html", "log" }), "", ""},
		{"-plot with -html", []string{"-html=r.html", "-plot=parallel"}, def(func(a *Analyze) { a.HTML, a.Plot = "r.html", []string{"parallel"} }), "", ""},

		{"unknown kind", []string{"-plot=slcie", "-plots=d"}, nil, "Failed to parse command-line flags", `unknown plot kind "slcie". Did you mean "slice"? The kinds are convergence, importance`},
		{"bad yscale", []string{"-yscale=logarithmic"}, nil, "Invalid -yscale", `-yscale is auto, linear or log, got "logarithmic"`},
		{"bad format", []string{"-format=jpg"}, nil, "Invalid -format", `got "jpg"`},
		{"bad top", []string{"-top=0"}, nil, "Invalid -top", "positive"},
		{"-o and -plots", []string{"-o=a.png", "-plots=d"}, nil, "-o with -plots", "give one of them"},
		{"-o and -format differ", []string{"-o=a.png", "-format=svg"}, nil, "-format differs from -o", "names a png file but -format is svg"},
		{"-o of unknown format", []string{"-o=a.jpg"}, nil, "Unknown plot format", "does not end in .png or .svg"},
		{"-plot without output", []string{"-plot=slice"}, nil, "Nowhere to draw", "-plots=DIR, -o=FILE or -html=FILE"},
		{"-param without output", []string{"-param=x"}, nil, "Nowhere to draw", ""},
		{"repeated param", []string{"-param=x", "-param=x", "-plots=d"}, nil, "Repeated -param", "-param=x is given twice"},
		{"empty param", []string{"-param=", "-plots=d"}, nil, "Invalid -param", ""},
		{"-param without slice or contour", []string{"-param=x", "-plot=convergence", "-plots=d"}, nil, "-param without slice or contour", "add -plot=slice"},
		{"three params for a contour", []string{"-param=x", "-param=y", "-param=z", "-plot=contour", "-o=c.svg"}, nil, "Too many -param for a contour", "-param names 3"},
		{"compare one search", []string{"-plot=compare-time", "-plots=d", "search.a"}, nil, "Nothing to compare", "two or more searches"},
		{"bad address", []string{"s"}, nil, "Invalid address", `"s" is not a search address`},
		{"repeated search", []string{"search.a", "search.a"}, nil, "Repeated search", "search.a is given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := ParseAnalyze(tt.args)
			if tt.wantErr != "" {
				if !diags.HasErrors() || diags[0].Summary != tt.wantErr || !strings.Contains(diags[0].Detail, tt.detail) {
					t.Errorf("diags %v, want %q with %q", diags, tt.wantErr, tt.detail)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
