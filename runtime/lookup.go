package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// resolveProgram returns the absolute path of the program to run. A name
// with a slash is a path, relative to workDir when not absolute; a bare
// name is looked up in pathList, the PATH the trial will see. Relative
// PATH entries are skipped, as exec.LookPath does, so a program in the
// working directory is never picked up by accident. The error says what
// the user can fix.
func resolveProgram(name, workDir, pathList string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("the program name (trial.command[0]) is empty")
	}
	if strings.ContainsRune(name, '/') {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(workDir, path)
		}
		fi, err := os.Stat(path)
		switch {
		case err != nil:
			return "", fmt.Errorf("%s: no such file (resolved against the search's directory to %s)", name, path)
		case fi.IsDir():
			return "", fmt.Errorf("%s is a directory, not a program (%s)", name, path)
		case fi.Mode().Perm()&0o111 == 0:
			return "", fmt.Errorf("%s is not executable; run chmod +x %s, or start it with its interpreter", name, path)
		}
		return path, nil
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return path, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// trialPATH is the PATH the trial process will see.
func trialPATH(spec Spec) string {
	if p, ok := spec.Env["PATH"]; ok {
		return p
	}
	return os.Getenv("PATH")
}
