package apply

import (
	"regexp"
	"strconv"

	"github.com/frameworm/frameworm/runtime"
)

// Signature is how a failed trial failed, for telling whether trials
// failed the same way: its reason (like "exit status 1") and the last
// line of its stderr, with every run of digits in that line counting as
// equal, so timestamps, pids and step numbers do not tell two crashes
// apart while different exceptions do.
func Signature(res runtime.Result) string {
	return res.Error + "\n" + digits.ReplaceAllString(lastLine(res), "#")
}

var digits = regexp.MustCompile(`[0-9]+`)

// lastLine is the last line of a failed trial's stderr, "" if none.
func lastLine(res runtime.Result) string {
	if n := len(res.StderrTail); n > 0 {
		return res.StderrTail[n-1]
	}
	return ""
}

// describeFailure says how a trial failed, in a few words for a message.
func describeFailure(res runtime.Result) string {
	line := lastLine(res)
	if line == "" {
		return res.Error
	}
	if r := []rune(line); len(r) > 80 {
		line = string(r[:79]) + "…"
	}
	return res.Error + "; stderr ends with " + strconv.Quote(line)
}

// failureStreak follows the first trials of a search to end in an apply
// while they all fail the same way.
type failureStreak struct {
	n      int    // trials in the streak
	sig    string // their Signature
	broken bool   // a trial ended otherwise: the streak is over for good
}

// add counts a trial that ended, with sig its Signature, or "" when it did
// not fail, and returns how many trials the streak holds (0 once broken).
func (s *failureStreak) add(sig string) int {
	if s.broken || sig == "" || s.n > 0 && sig != s.sig {
		s.broken, s.n = true, 0
		return 0
	}
	s.sig = sig
	s.n++
	return s.n
}
