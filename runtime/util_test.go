//go:build unix

package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func wantFile(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if string(b) != want {
		t.Errorf("%s =\n%q\nwant\n%q", filepath.Base(path), b, want)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func mustWrite(t *testing.T, path, s string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), perm); err != nil {
		t.Fatal(err)
	}
}

// waitFile waits until path exists, failing when the run ends first.
func waitFile(t *testing.T, path string, run <-chan Result) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case res := <-run:
			t.Fatalf("the trial ended before writing %s: %+v", filepath.Base(path), res)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("the trial did not write %s within 30s", path)
}
