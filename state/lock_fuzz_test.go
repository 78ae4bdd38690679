package state

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzReadLockInfo feeds arbitrary lock file contents to the lock info
// decoder and renders what it accepts in the messages that show a holder:
// nothing may panic, and the messages must be safe to print (valid UTF-8,
// no control or format characters from the file, bounded in length).
// The seeds are in testdata/fuzz/FuzzReadLockInfo.
func FuzzReadLockInfo(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		info := parseLockInfo(b)
		if info == nil {
			return
		}
		info.Liveness()
		info.Host()
		msgs := []string{
			(&LockError{Info: info, Err: context.DeadlineExceeded}).Error(),
			(&LockLostError{Path: "fw.state", Info: *info, Holder: info}).Error(),
		}
		for _, m := range msgs {
			if !utf8.ValidString(m) {
				t.Fatalf("message is not valid UTF-8: %q", m)
			}
			for _, r := range m {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("message holds %U: %q", r, m)
				}
			}
			if len(m) > 4000 {
				t.Fatalf("message of %d bytes", len(m))
			}
		}
		if !strings.HasPrefix(msgs[0], "state is locked by ") {
			t.Fatalf("message %q", msgs[0])
		}
	})
}
