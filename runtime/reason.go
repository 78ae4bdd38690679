package runtime

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// maxReason bounds the length of Result.Error, in runes.
const maxReason = 200

// oneLine makes s fit Result.Error: control characters become spaces and
// the text is cut to maxReason runes.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return clip(strings.TrimSpace(s), maxReason)
}

// clip cuts s to at most n runes, marking a cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatDuration writes d like time.Duration.String without the zero
// units at the end: "300ms", "30s", "30m", "1h30m".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// exitReason says why the process ended unsuccessfully, from the error of
// exec.Cmd.Wait; it is empty for exit status 0.
func exitReason(err error) string {
	if err == nil {
		return ""
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return "waiting for the process: " + err.Error()
	}
	if sig, core, ok := signaled(ee.ProcessState); ok {
		if core {
			return "killed by signal " + sig + " (core dumped)"
		}
		return "killed by signal " + sig
	}
	return "exit status " + strconv.Itoa(ee.ExitCode())
}
