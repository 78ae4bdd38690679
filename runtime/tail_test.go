package runtime

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTailLines(t *testing.T) {
	long := strings.Repeat("é", maxTailLine+10)
	tests := []struct {
		name string
		text string
		cut  bool
		n    int
		want []string
	}{
		{"empty", "", false, 10, nil},
		{"only blank lines", "\n\n  \n", false, 10, nil},
		{"fewer than n", "a\nb\n", false, 10, []string{"a", "b"}},
		{"last n", "a\nb\nc\nd\n", false, 2, []string{"c", "d"}},
		{"no trailing newline", "a\nb", false, 10, []string{"a", "b"}},
		{"blank lines at the end do not count", "a\nb\n\n\n", false, 1, []string{"b"}},
		{"blank lines inside are kept", "a\n\nb\n", false, 3, []string{"a", "", "b"}},
		{"crlf", "a\r\nb\r\n", false, 10, []string{"a", "b"}},
		{"progress bar redraws", "10%\r50%\r100%\ndone\n", false, 10, []string{"100%", "done"}},
		{"ansi colours", "\x1b[31mError:\x1b[0m boom\n", false, 10, []string{"Error: boom"}},
		{"control characters", "a\x00b\x07c\td\n", false, 10, []string{"a b c\td"}},
		{"invalid utf-8", "bad \xff\xfe byte\n", false, 10, []string{"bad \uFFFD byte"}},
		{"window cuts the first line", "rest of a line\nx\ny\n", true, 10, []string{"x", "y"}},
		{"window inside a rune", "\xa9 tail\n", true, 10, []string{"… tail"}},
		{"one line longer than the window", "middle of it\n", true, 10, []string{"…middle of it"}},
		{"long line clipped", long + "\n", false, 10, []string{strings.Repeat("é", maxTailLine-1) + "…"}},
		{"n zero", "a\n", false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tailLines(tt.text, tt.cut, tt.n)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tailLines(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTailFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := strings.Repeat("noise noise noise\n", 100000) + "Traceback:\nRuntimeError: boom"
	oneLong := strings.Repeat("x", 3*tailWindow)
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"missing file", filepath.Join(dir, "missing.log"), nil},
		{"empty file", write("empty.log", ""), nil},
		{"bigger than the window", write("big.log", big), []string{"noise noise noise", "Traceback:", "RuntimeError: boom"}},
		{"one line bigger than the window", write("long.log", oneLong), []string{"…" + strings.Repeat("x", maxTailLine-2) + "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Tail(tt.path, 3)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tail = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := Tail(dir, 3); err == nil {
		t.Error("Tail of a directory: no error")
	}
}

// BenchmarkTail reads the end of a 20 MiB log: the cost must not grow with
// the size of the file.
func BenchmarkTail(b *testing.B) {
	path := filepath.Join(b.TempDir(), "stderr.log")
	if err := os.WriteFile(path, []byte(strings.Repeat(strings.Repeat("x", 1023)+"\n", 20<<10)), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Tail(path, 10); err != nil {
			b.Fatal(err)
		}
	}
}
