package runtime

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxTailLines is how many trailing lines of stderr.log a failed trial's
// Result carries at most; views show as many of them as asked.
const MaxTailLines = 100

// tailWindow is how much of the end of a log Tail reads: a trial may write
// gigabytes, and only its last lines matter.
const tailWindow = 64 << 10

// maxTailLine bounds one line of a tail, in runes.
const maxTailLine = 500

// Tail returns the last n lines of the file at path (blank lines at the
// end do not count), reading at most its last 64 KiB, so a huge log costs
// no more than a small one. A missing file gives no lines and no error; a
// symbolic link or anything but a regular file is an error (a FIFO would
// block the reader).
//
// Lines are cleaned up for printing: of a line with carriage returns only
// what a terminal would show is kept (the text after the last one, as
// progress bars redraw), ANSI escape sequences are dropped, other control
// characters become spaces, invalid UTF-8 becomes U+FFFD, and a line
// longer than 500 runes is cut with an ellipsis. A line cut by the start
// of the window begins with an ellipsis.
func Tail(path string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	offset := max(0, info.Size()-tailWindow)
	buf := make([]byte, info.Size()-offset)
	if _, err := f.ReadAt(buf, offset); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return tailLines(string(buf), offset > 0, n), nil
}

// stderrTail is the StderrTail of a failed trial whose stderr went to path.
func stderrTail(path string) []string {
	if path == "" {
		return nil
	}
	lines, err := Tail(path, MaxTailLines)
	if err != nil {
		return []string{"(cannot read the end of stderr.log: " + oneLine(err.Error()) + ")"}
	}
	return lines
}

// tailLines splits the end of a log into its last n lines; cut says the
// text starts in the middle of the file, so its first line is partial.
func tailLines(text string, cut bool, n int) []string {
	if cut {
		// The window may start inside a UTF-8 sequence.
		for i := 0; i < utf8.UTFMax && len(text) > 0 && !utf8.RuneStart(text[0]); i++ {
			text = text[1:]
		}
	}
	lines := strings.Split(text, "\n")
	if cut {
		if slices.ContainsFunc(lines[1:], notBlank) {
			lines = lines[1:] // the rest of a line that began before the window
		} else {
			lines = []string{"…" + lines[0]} // one line longer than the window
		}
	}
	var out []string
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		line := printable(lines[i])
		if len(out) == 0 && !notBlank(line) {
			continue // blank lines at the end do not count
		}
		out = append(out, line)
	}
	slices.Reverse(out)
	return out
}

func notBlank(s string) bool { return strings.TrimSpace(s) != "" }

// ansiEscape matches the escape sequences of colours and cursor moves.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]`)

// printable makes one log line safe and short enough to print.
func printable(line string) string {
	line = strings.TrimSuffix(line, "\r")
	if i := strings.LastIndexByte(line, '\r'); i >= 0 {
		line = line[i+1:]
	}
	line = strings.ToValidUTF8(line, "\uFFFD")
	if strings.IndexByte(line, 0x1b) >= 0 {
		line = ansiEscape.ReplaceAllString(line, "")
	}
	line = strings.Map(func(r rune) rune {
		if r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, line)
	line = strings.TrimRight(line, " \t")
	if utf8.RuneCountInString(line) > maxTailLine {
		line = clip(line, maxTailLine)
	}
	return line
}
