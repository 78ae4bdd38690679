package hcl

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// TestCloseness covers each clause of the closeness rule, and the names
// it must leave alone.
func TestCloseness(t *testing.T) {
	tests := []struct {
		given, existing string
		wantScore       int
		wantClose       bool
	}{
		// Case style.
		{"learningRate", "learning_rate", 0, true},
		{"LearningRate", "learning-rate", 0, true},
		{"learning_rate", "LEARNING_RATE", 0, true},
		{"LR", "lr", 0, true},
		{"HTTPServer", "http_server", 0, true},
		// Abbreviation, either way round.
		{"learning_rate", "lr", 1, true},
		{"bs", "batch_size", 1, true},
		{"lr", "learningRate", 1, true},
		{"weight_decay", "wd", 1, true},
		{"epochs", "e", 0, false}, // one word has no initials to speak of
		// Edit distance 1.
		{"lrr", "lr", 1, true},
		{"epoch", "epochs", 1, true},
		{"bacth_size", "batch_size", 1, true},
		{"learnig_rate", "learning_rate", 1, true},
		{"eta", "beta", 1, true},
		{"val_los", "val_loss", 1, true},
		{"betta", "beta", 1, true},
		{"bets", "beta", 1, true},
		{"acc", "auc", 0, false},         // a changed rune in three
		{"val_auc", "val_acc", 0, false}, // the same, in a longer name
		{"lr", "rl", 0, false},
		{"l2", "lr", 0, false},   // both two runes
		{"mu", "nu", 0, false},   // both two runes
		{"x", "xy", 0, false},    // one rune
		{"lr", "lr_2", 0, false}, // only a digit differs
		{"beta2", "beta1", 0, false},
		{"layer_2_units", "layer_1_units", 0, false},
		// Edit distance 2.
		{"lyres", "layers", 2, true},
		{"learnig_rte", "learning_rate", 2, true},
		{"wd", "lr", 0, false},         // the short-name guard
		{"seed", "step", 0, false},     // four runes
		{"min_lr", "max_lr", 0, false}, // the differing words are short
		{"lr_min", "lr_max", 0, false},
		// Far apart, or not a typo at all.
		{"momentum", "lr", 0, false},
		{"lr_decay", "lr", 0, false},
		{"lr", "lr", 0, false},
		{"", "lr", 0, false},
		{"__", "_", 0, false},
	}
	for _, tt := range tests {
		score, ok := closeness(tt.given, tt.existing)
		if ok != tt.wantClose || (ok && score != tt.wantScore) {
			t.Errorf("closeness(%q, %q) = %d, %v; want %d, %v", tt.given, tt.existing, score, ok, tt.wantScore, tt.wantClose)
		}
	}
}

// TestClosest checks that the best suggestion is the closest, then the
// alphabetically first, whatever the order of the names.
func TestClosest(t *testing.T) {
	tests := []struct {
		given  string
		names  []string
		want   string
		wantOK bool
	}{
		{"learning_rate", []string{"lr", "learning_rat", "learningRate"}, "learningRate", true},
		{"learning_rate", []string{"learning_rat", "lr"}, "learning_rat", true},
		{"learning_rate", []string{"lr", "learning_rat"}, "learning_rat", true},
		{"batch_sise", []string{"batch_size", "batch_sine"}, "batch_sine", true},
		{"wd", []string{"lr", "bs"}, "", false},
		{"wd", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := closest(tt.given, tt.names)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("closest(%q, %q) = %q, %v; want %q, %v", tt.given, tt.names, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestOSADistance checks the edit distance, transpositions included.
func TestOSADistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"abc", "abc", 0},
		{"abc", "acb", 1}, {"ca", "abc", 3}, {"kitten", "sitting", 3},
		{"lraening", "learning", 2}, {"größe", "grösse", 2},
	} {
		if got := osaDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestTypoChecksPass covers the loads the typo checks must let through,
// with the warning they give, if any; the errors are cases of
// TestDiagnostics.
func TestTypoChecksPass(t *testing.T) {
	newTrue := func(src string) string {
		return strings.Replace(src, "    log  = true\n", "    log  = true\n    new  = true\n", 1)
	}
	tests := []struct {
		name        string
		src         string
		wantWarning string // summary of the one warning, "" for none
		wantLine    int
		wantDetail  string
		wantNew     bool
		wantMetrics []string
	}{
		{"new = true allows a close new leaf", newTrue(withParam(t, "training.learning_rate", "{ training = { lr = 0.001 } }")), "", 0, "", true, []string{"loss"}},
		{"new = true on an existing path warns", newTrue(base), "Param is not new", 12, "new = true, but lr is already in base_config", true, []string{"loss"}},
		{"new = false changes nothing", strings.Replace(base, "    log  = true\n", "    log  = true\n    new  = false\n", 1), "", 0, "", false, []string{"loss"}},
		{"new = null is false", strings.Replace(base, "    log  = true\n", "    log  = true\n    new  = null\n", 1), "", 0, "", false, []string{"loss"}},
		{"new leaf not close to any key", withParam(t, "opt.momentum", ""), "", 0, "", false, []string{"loss"}},
		{"new leaf at the top level", withParam(t, "momentum", ""), "", 0, "", false, []string{"loss"}},
		{"short-name guard", withParam(t, "training.wd", "{ training = { lr = 0.001 } }"), "", 0, "", false, []string{"loss"}},
		{"two-rune names", withParam(t, "training.l2", "{ training = { lr = 0.001 } }"), "", 0, "", false, []string{"loss"}},
		{"numbered siblings", withParam(t, "opt.beta2", "{ opt = { beta1 = 0.9 } }"), "", 0, "", false, []string{"loss"}},
		{"min beside max", withParam(t, "min_lr", "{ max_lr = 0.1 }"), "", 0, "", false, []string{"loss"}},
		{"no base_config", strings.Replace(withParam(t, "learning_rate", ""), "  base_config = { lr = 0.1, name = \"x\", opt = { beta = 0.9 }, layers = 2 }\n", "", 1), "", 0, "", false, []string{"loss"}},
		{"metric not close to metrics", strings.Replace(base, "  trials      = 10\n", "  trials      = 10\n  metrics     = [\"val_acc\", \"train_time\"]\n", 1), "", 0, "", false, []string{"loss", "val_acc", "train_time"}},
		{"metric in metrics", strings.Replace(base, "  trials      = 10\n", "  trials      = 10\n  metrics     = [\"los\", \"loss\"]\n", 1), "", 0, "", false, []string{"los", "loss"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := loadString(t, tt.src, Options{})
			if diags.HasErrors() {
				t.Fatalf("unexpected errors:\n%s", render(res.Files, diags))
			}
			checkWarning(t, res, diags, tt.wantWarning, tt.wantLine, tt.wantDetail)
			s := res.Definition.Search("s")
			if s.Params[0].New != tt.wantNew {
				t.Errorf("Params[0].New = %v, want %v", s.Params[0].New, tt.wantNew)
			}
			if d := cmp.Diff(tt.wantMetrics, s.Metrics); d != "" {
				t.Errorf("metrics (-want +got):\n%s", d)
			}
		})
	}
}

// checkWarning checks that diags hold exactly the one warning wanted (none
// when summary is ""), at the line wanted, with detail in its detail.
func checkWarning(t *testing.T, res *Result, diags hcl.Diagnostics, summary string, line int, detail string) {
	t.Helper()
	if summary == "" {
		if len(diags) != 0 {
			t.Errorf("unexpected diagnostics:\n%s", render(res.Files, diags))
		}
		return
	}
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != summary {
		t.Fatalf("want one warning %q; got:\n%s", summary, render(res.Files, diags))
	}
	d := diags[0]
	if d.Subject == nil || d.Subject.Start.Line != line {
		t.Errorf("warning at %v, want line %d", d.Subject, line)
	}
	if !strings.Contains(d.Detail, detail) {
		t.Errorf("detail %q does not contain %q", d.Detail, detail)
	}
}

// FuzzCloseness checks that the closeness rule never panics, is
// symmetric, and never calls a name close to itself.
func FuzzCloseness(f *testing.F) {
	for _, seed := range [][2]string{{"learning_rate", "lr"}, {"batchSize", "batch_size"}, {"beta1", "beta2"}, {"HTTPServer", "__"}, {"größe", "GRÖSSE"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		sa, oka := closeness(a, b)
		sb, okb := closeness(b, a)
		if oka != okb || (oka && sa != sb) {
			t.Errorf("closeness(%q, %q) = %d, %v but closeness(%q, %q) = %d, %v", a, b, sa, oka, b, a, sb, okb)
		}
		if _, ok := closeness(a, a); ok {
			t.Errorf("%q is close to itself", a)
		}
	})
}
