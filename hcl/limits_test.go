package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// nested returns n copies of open, then inner, then n copies of close.
func nested(open, inner, close string, n int) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// trialsExpr is base with the value of trials replaced by expr, on line 5
// after the 16 characters of `  trials      = `.
func trialsExpr(t testing.TB, expr string) string {
	return edit(t, "= 10\n", "= "+expr+"\n")
}

// baseConfigExpr is base with base_config replaced by expr, on line 6.
func baseConfigExpr(t testing.TB, expr string) string {
	return edit(t, `{ lr = 0.1, name = "x", opt = { beta = 0.9 }, layers = 2 }`, expr)
}

// laughs is a YAML "billion laughs": levels of anchors, each a list of
// nine aliases of the one before, 9^levels strings in all.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.Join([]string{p, p, p, p, p, p, p, p, p}, ", "))
	}
	return b.String()
}

// TestLimits checks that what the parsers would crash or stall on is an
// error diagnostic, and that what is within the limits loads. Each case
// runs in the test process: a stack overflow would end it.
func TestLimits(t *testing.T) {
	// The block body of the search is one level, so trials may nest 255.
	tests := []struct {
		name        string
		src         string
		files       map[string]string // file name → contents, written beside the search file
		opts        Options
		wantSummary string // "" for a valid load
		wantLine    int
		wantColumn  int    // 0: any
		wantDetail  string // substring of the detail
	}{
		{name: "100k nested parentheses", src: trialsExpr(t, nested("(", "10", ")", 100_000)),
			wantSummary: "Nesting too deep", wantLine: 5, wantColumn: 17 + 255, wantDetail: `This "(" nests deeper than the 256 levels`},
		{name: "255 nested parentheses", src: trialsExpr(t, nested("(", "10", ")", 255))},
		{name: "256 nested parentheses", src: trialsExpr(t, nested("(", "10", ")", 256)),
			wantSummary: "Nesting too deep", wantLine: 5, wantColumn: 17 + 255},
		{name: "200 nested lists", src: baseConfigExpr(t, "{ lr = 0.1, deep = "+nested("[", "1", "]", 200)+" }")},
		{name: "20k nested lists", src: baseConfigExpr(t, "{ lr = 0.1, deep = "+nested("[", "1", "]", 20_000)+" }"),
			wantSummary: "Nesting too deep", wantLine: 6, wantDetail: `"["`},
		{name: "20k nested objects", src: baseConfigExpr(t, "{ lr = 0.1, deep = "+nested("{ a = ", "1", " }", 20_000)+" }"),
			wantSummary: "Nesting too deep", wantLine: 6, wantDetail: `"{"`},
		{name: "20k nested function calls", src: trialsExpr(t, nested("max(", "10", ")", 20_000)),
			wantSummary: "Nesting too deep", wantLine: 5},
		{name: "20k nested templates", src: baseConfigExpr(t, `{ lr = 0.1, name = `+nested(`"${`, `"x"`, `}"`, 20_000)+" }"),
			wantSummary: "Nesting too deep", wantLine: 6},
		{name: "20k nested blocks", src: base + nested("b {\n", "", "}\n", 20_000),
			wantSummary: "Nesting too deep", wantLine: 16 + 257, wantColumn: 3},
		{name: "20k chained unary minus", src: trialsExpr(t, strings.Repeat("-", 20_000)+"10"),
			wantSummary: "Nesting too deep", wantLine: 5, wantDetail: `operator "-"`},
		{name: "20k chained additions", src: trialsExpr(t, "1"+strings.Repeat("+1", 20_000)),
			wantSummary: "Nesting too deep", wantLine: 5, wantDetail: `operator "+"`},
		{name: "20k chained conditionals", src: trialsExpr(t, strings.Repeat("true ? 1 : ", 20_000)+"1"),
			wantSummary: "Nesting too deep", wantLine: 5, wantDetail: `operator "?"`},
		{name: "20k chained indexes", src: trialsExpr(t, "[10]"+strings.Repeat("[0]", 20_000)),
			wantSummary: "Nesting too deep", wantLine: 5, wantDetail: `"["`},
		{name: "20k nested if directives", src: baseConfigExpr(t, `{ lr = 0.1, name = "`+nested("%{if true}", "x", "%{endif}", 20_000)+`" }`),
			wantSummary: "Nesting too deep", wantLine: 6, wantDetail: "template directive"},
		{name: "operators across lines of a list", src: trialsExpr(t, "["+strings.Repeat("-\n", 20_000)+"1][0]"),
			wantSummary: "Nesting too deep", wantLine: 5 + 254},
		{name: "operators across lines of a for expression", src: baseConfigExpr(t, "{ lr = 0.1, m = {for k in [1] : k => "+strings.Repeat("-\n", 20_000)+"1} }"),
			wantSummary: "Nesting too deep"},
		{name: "a long list of negative numbers", src: baseConfigExpr(t, "{ lr = 0.1, xs = ["+strings.Repeat("-1, ", 10_000)+"-1] }")},
		{name: "a long object of negative numbers", src: baseConfigExpr(t, "{ lr = 0.1, xs = {\n"+strings.Repeat("  a = -1 - 1\n", 10_000)+"} }")},
		{name: "brackets in strings do not count", src: baseConfigExpr(t, `{ lr = 0.1, name = "`+strings.Repeat("((([[[{{{", 10_000)+`" }`)},
		{name: "brackets in heredocs do not count", src: baseConfigExpr(t, "{ lr = 0.1, name = <<EOT\n"+strings.Repeat("((([[[{{{ - + ! ? \n", 1000)+"EOT\n}")},
		{name: "brackets in comments do not count", src: "# " + strings.Repeat("(", 10_000) + "\n/* " + strings.Repeat("[", 10_000) + " */\n// " + strings.Repeat("{", 10_000) + "\n" + base},
		{name: "escaped interpolations do not count", src: baseConfigExpr(t, `{ lr = 0.1, name = "`+strings.Repeat("$${", 10_000)+`" }`)},
		{name: "search file too large", src: base + "# " + strings.Repeat("x", MaxSourceSize) + "\n",
			wantSummary: "File too large", wantLine: 1, wantDetail: "more than the 1 MiB a search file may have"},

		// -var-file and -var
		{name: "deep -var-file", src: "variable \"n\" {\n  type = number\n}\n" + base,
			files: map[string]string{"deep.fwvars.hcl": "n = " + nested("(", "1", ")", 20_000) + "\n"},
			opts:  Options{VarFiles: []string{"deep.fwvars.hcl"}}, wantSummary: "Nesting too deep", wantLine: 1, wantColumn: 4 + 257},
		{name: "deep JSON -var-file", src: "variable \"n\" {\n  type = any\n}\n" + base,
			files: map[string]string{"deep.json": `{"n": ` + nested("[", "1", "]", 20_000) + "}"},
			opts:  Options{VarFiles: []string{"deep.json"}}, wantSummary: "Nesting too deep", wantLine: 1, wantColumn: 7 + 255},
		{name: "JSON -var-file with brackets in strings", src: "variable \"n\" {\n  type = string\n}\n" + base,
			files: map[string]string{"deep.json": `{"n": "` + strings.Repeat(`[\"`, 1000) + `"}`},
			opts:  Options{VarFiles: []string{"deep.json"}}},
		{name: "-var-file too large", src: "variable \"n\" {\n  type = number\n}\n" + base,
			files: map[string]string{"big.fwvars.hcl": "n = 1\n# " + strings.Repeat("x", MaxSourceSize) + "\n"},
			opts:  Options{VarFiles: []string{"big.fwvars.hcl"}}, wantSummary: "File too large", wantLine: 1, wantDetail: "a variables file may have"},
		{name: "deep -var", src: "variable \"n\" {\n  type = list(number)\n}\n" + base,
			opts: Options{VarFlags: []string{"n=" + nested("[", "1", "]", 20_000)}}, wantSummary: "Nesting too deep", wantDetail: "in the value given by -var n, at column 257"},
		{name: "deep FW_VAR_", src: "variable \"n\" {\n  type = list(number)\n}\n" + base,
			opts: Options{Environ: []string{"FW_VAR_n=" + strings.Repeat("-", 20_000) + "1"}}, wantSummary: "Nesting too deep", wantDetail: "FW_VAR_n"},
		{name: "-var with 200 levels", src: "variable \"n\" {\n  type = list(any)\n}\n" + base,
			opts: Options{VarFlags: []string{"n=" + nested("[", "1", "]", 200)}}},

		// jsondecode and yamldecode
		{name: "deep jsondecode", src: baseConfigExpr(t, `jsondecode("`+nested("[", "1", "]", 20_000)+`")`),
			wantSummary: "Invalid function argument", wantLine: 6, wantDetail: "the JSON text nests deeper than the 256 levels the loader reads, at line 1, column 257"},
		{name: "jsondecode with 200 levels", src: baseConfigExpr(t, `jsondecode("{\"lr\": 1, \"x\": `+nested("[", "1", "]", 200)+`}")`)},
		{name: "jsondecode too large", src: baseConfigExpr(t, `jsondecode(file("big.json"))`), files: map[string]string{"big.json": "[" + strings.Repeat("1,", MaxSourceSize/2) + "1]"},
			wantSummary: "Invalid function argument", wantLine: 6, wantDetail: "more than the 1 MiB the loader reads"},
		{name: "deep yamldecode flow", src: baseConfigExpr(t, `yamldecode("x: `+nested("[", "1", "]", 20_000)+`")`),
			wantSummary: "Invalid function argument", wantLine: 6, wantDetail: "too many flow collections"},
		{name: "yamldecode flow 300 deep", src: baseConfigExpr(t, `yamldecode("x: `+nested("[", "1", "]", 300)+`")`),
			wantSummary: "Invalid function argument", wantLine: 6, wantDetail: "nests deeper than the 256 levels"},
		{name: "deep yamldecode block", src: baseConfigExpr(t, `yamldecode("x:\n`+strings.Repeat("- ", 20_000)+`1\n")`),
			wantSummary: "Invalid function argument", wantLine: 6, wantDetail: "line 2 of the YAML text starts its content at column 40001"},
		{name: "yamldecode billion laughs", src: baseConfigExpr(t, "yamldecode(<<EOT\nlr: 1\n"+laughs(9)+"EOT\n)"),
			wantSummary: "Invalid function argument", wantLine: 7, wantDetail: "more than 1048576 values"},
		{name: "yamldecode with a few aliases", src: baseConfigExpr(t, "yamldecode(<<EOT\nlr: 1\n"+laughs(3)+"EOT\n)")},
		{name: "yamldecode too large", src: baseConfigExpr(t, `yamldecode(file("big.yaml"))`), files: map[string]string{"big.yaml": "x: " + strings.Repeat("y", MaxSourceSize)},
			wantSummary: "Invalid function argument", wantLine: 6, wantDetail: "more than the 1 MiB the loader reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, contents := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(contents), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opts := tt.opts
			for i, f := range opts.VarFiles {
				opts.VarFiles = append([]string(nil), opts.VarFiles...)
				opts.VarFiles[i] = filepath.Join(dir, f)
			}
			res, diags := Load(dir, []Source{{Name: "main.fw.hcl", Bytes: []byte(tt.src)}}, opts)
			if tt.wantSummary == "" {
				if diags.HasErrors() {
					t.Fatalf("unexpected errors:\n%s", truncate(render(res.Files, diags)))
				}
				return
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == tt.wantSummary {
					found = d
					break
				}
			}
			if found == nil {
				t.Fatalf("no diagnostic %q; got:\n%s", tt.wantSummary, truncate(render(res.Files, diags)))
			}
			if res.Definition != nil {
				t.Error("a definition was returned with errors")
			}
			if !strings.Contains(found.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", found.Detail, tt.wantDetail)
			}
			switch {
			case tt.wantLine == 0 && found.Subject != nil && len(opts.VarFlags)+len(opts.Environ) > 0:
				t.Errorf("diagnostic has a range %s; want none", found.Subject)
			case tt.wantLine != 0 && found.Subject == nil:
				t.Errorf("diagnostic has no range; want line %d", tt.wantLine)
			case tt.wantLine != 0 && found.Subject.Start.Line != tt.wantLine:
				t.Errorf("diagnostic at line %d; want %d", found.Subject.Start.Line, tt.wantLine)
			case tt.wantColumn != 0 && found.Subject.Start.Column != tt.wantColumn:
				t.Errorf("diagnostic at column %d; want %d", found.Subject.Start.Column, tt.wantColumn)
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// TestLoadDirTooLarge checks that a search file over the limit is refused
// by its size, without being read whole.
func TestLoadDirTooLarge(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "big.fw.hcl")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: 1 GiB that occupies no disk.
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, diags := LoadDir(dir, Options{})
	if len(diags) != 1 || diags[0].Summary != "File too large" {
		t.Fatalf("got:\n%s", render(res.Files, diags))
	}
	if want := "This search file is 1024 MiB, more than the 1 MiB"; !strings.Contains(diags[0].Detail, want) {
		t.Errorf("detail %q does not contain %q", diags[0].Detail, want)
	}
	if d := diags[0].Subject; d == nil || d.Filename != "big.fw.hcl" || d.Start.Line != 1 {
		t.Errorf("subject %v; want big.fw.hcl line 1", d)
	}
}

// TestNestingOfExamples checks that real search files are far below the
// limit, and measures their deepest point.
func TestNestingOfExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/*.fw.hcl")
	more, _ := filepath.Glob("testdata/diagnostics/*.fw.hcl")
	for _, name := range append(files, more...) {
		if filepath.Base(name) == "nesting.fw.hcl" {
			continue // too deep on purpose
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		tokens, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
		if d := maxNesting(tokens); d > MaxNesting/8 {
			t.Errorf("%s nests %d deep, close to the limit of %d", name, d, MaxNesting)
		}
	}
}

// maxNesting returns the deepest level hclNesting measures on tokens.
func maxNesting(tokens hclsyntax.Tokens) int {
	_, d, _ := measureNesting(tokens, true, 1<<30)
	return d
}

// BenchmarkCheckSource measures the nesting check, which lexes a file once
// more before the parser does, against a whole load of the same file.
func BenchmarkCheckSource(b *testing.B) {
	example, err := os.ReadFile("../examples/quickstart/search.fw.hcl")
	if err != nil {
		b.Fatal(err)
	}
	// The densest file within the limit: a list of a million tokens.
	dense := []byte(baseConfigExpr(b, "{ lr = 0.1, xs = ["+strings.Repeat("1,", (MaxSourceSize-400)/2)+"1] }"))
	if len(dense) > MaxSourceSize {
		b.Fatalf("dense is %d bytes", len(dense))
	}
	for _, c := range []struct {
		name string
		src  []byte
	}{{"example", example}, {"dense-1MiB", dense}} {
		b.Run("check/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				if diags := CheckSource("x.fw.hcl", c.src, "search file"); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
		b.Run("load/"+c.name, func(b *testing.B) {
			dir := b.TempDir()
			b.ReportAllocs()
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				Load(dir, []Source{{Name: "x.fw.hcl", Bytes: c.src}}, Options{})
			}
		})
	}
}
