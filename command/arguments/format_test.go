package arguments

import (
	"strings"
	"testing"
)

// TestFormatFlag checks -format of plan and show: text by default,
// markdown on request, anything else an error that names the values,
// and the combinations that make no sense refused.
func TestFormatFlag(t *testing.T) {
	type parsed struct {
		format Rendering
		failed bool
		detail string
	}
	plan := func(args ...string) parsed {
		a, diags := ParsePlan(args)
		if diags.HasErrors() {
			return parsed{failed: true, detail: diags[0].Summary + ": " + diags[0].Detail}
		}
		return parsed{format: a.Format}
	}
	show := func(args ...string) parsed {
		a, diags := ParseShow(args)
		if diags.HasErrors() {
			return parsed{failed: true, detail: diags[0].Summary + ": " + diags[0].Detail}
		}
		return parsed{format: a.Format}
	}
	tests := []struct {
		name    string
		got     parsed
		want    Rendering
		wantErr string // in the summary or detail
	}{
		{"plan default", plan(), RenderText, ""},
		{"plan text", plan("-format=text"), RenderText, ""},
		{"plan markdown", plan("-format", "markdown", "-detailed-exitcode"), RenderMarkdown, ""},
		{"plan markdown -out", plan("-format=markdown", "-out=p.fwplan"), RenderMarkdown, ""},
		{"plan bad value", plan("-format=html"), 0, `"html" is not a format: write -format=text (the default) or -format=markdown`},
		{"plan markdown -json", plan("-format=markdown", "-json"), 0, "-format with -json"},
		{"plan text -json", plan("-json", "-format=text"), 0, "-format with -json"},
		{"show default", show(), RenderText, ""},
		{"show markdown", show("-format=markdown", "search.a"), RenderMarkdown, ""},
		{"show markdown after arg", show("search.a", "-format=markdown"), RenderMarkdown, ""},
		{"show plan file markdown", show("p.fwplan", "-format=markdown", "-full"), RenderMarkdown, ""},
		{"show bad value", show("-format=md"), 0, `"md" is not a format`},
		{"show markdown -json", show("-json", "-format=markdown"), 0, "-format with -json"},
		{"show plan file markdown -json", show("p.fwplan", "-json", "-format=markdown"), 0, "-format with -json"},
		{"show markdown -watch", show("-format=markdown", "-watch"), 0, "-format=markdown with -watch"},
		{"show text -watch", show("-format=text", "-watch"), RenderText, ""},
		{"show markdown -metrics", show("-format=markdown", "-metrics=loss"), 0, "-metrics with -format=markdown"},
	}
	for _, tt := range tests {
		switch {
		case tt.wantErr != "":
			if !tt.got.failed || !strings.Contains(tt.got.detail, tt.wantErr) {
				t.Errorf("%s: got %+v, want an error with %q", tt.name, tt.got, tt.wantErr)
			}
		case tt.got.failed:
			t.Errorf("%s: %s", tt.name, tt.got.detail)
		case tt.got.format != tt.want:
			t.Errorf("%s: -format %v, want %v", tt.name, tt.got.format, tt.want)
		}
	}
}

func TestRenderingString(t *testing.T) {
	for r, want := range map[Rendering]string{RenderText: "text", RenderMarkdown: "markdown", 7: "Rendering(7)"} {
		if got := r.String(); got != want {
			t.Errorf("Rendering(%d).String() = %q, want %q", int(r), got, want)
		}
	}
}
