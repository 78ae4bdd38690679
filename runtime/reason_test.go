package runtime

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond:                "300ms",
		30 * time.Second:                      "30s",
		30 * time.Minute:                      "30m",
		90 * time.Second:                      "1m30s",
		2 * time.Hour:                         "2h",
		time.Hour + 30*time.Minute:            "1h30m",
		time.Hour + 5*time.Second:             "1h0m5s",
		1500 * time.Millisecond:               "1.5s",
		10*time.Minute + 500*time.Millisecond: "10m0.5s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("exit status 3\n"); got != "exit status 3" {
		t.Errorf("oneLine = %q", got)
	}
	if got := oneLine("a\nb\tc\rd"); got != "a b c d" {
		t.Errorf("oneLine = %q", got)
	}
	long := oneLine(strings.Repeat("é", 500))
	if n := utf8.RuneCountInString(long); n != maxReason || !strings.HasSuffix(long, "…") {
		t.Errorf("oneLine of 500 runes has %d runes: %q", n, long)
	}
}
