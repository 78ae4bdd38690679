package runtime

import (
	"bytes"
	"os"
	"strconv"
)

// onlyZombies reports whether every process of the group pgid is a
// zombie, by reading /proc. When /proc cannot be read it reports false, so
// the caller treats the group as alive.
func onlyZombies(pgid int) bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range entries {
		name := e.Name()
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// The fields after the command (which may hold spaces and
		// parentheses): state ppid pgrp ...
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			return false
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 3 {
			return false
		}
		if pg, err := strconv.Atoi(string(f[2])); err == nil && pg == pgid && string(f[0]) != "Z" {
			return false
		}
	}
	return true
}
