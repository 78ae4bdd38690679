//go:build !unix

package main

import (
	"fmt"
	"os"
)

// spawn is for the tests of process handling on Unix only.
func spawn() {
	fmt.Fprintln(os.Stderr, "the spawn behavior needs a Unix system")
	os.Exit(1)
}
