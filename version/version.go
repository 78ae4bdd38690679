// Package version holds the release version of the Frameworm binaries.
//
// Contract: String is stable for a given build; Version may be overridden at
// link time with -ldflags "-X github.com/frameworm/frameworm/version.Version=v1.2.3".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release version.
var Version = "0.1.0-dev"

// String returns "fwapply v0.1.0-dev (go1.26.8 linux/amd64, rev abc123)" for
// the named program.
func String(program string) string {
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = ", rev " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("%s v%s (%s %s/%s%s)", program, trimV(Version), runtime.Version(), runtime.GOOS, runtime.GOARCH, rev)
}

func trimV(s string) string {
	if len(s) > 0 && s[0] == 'v' {
		return s[1:]
	}
	return s
}
