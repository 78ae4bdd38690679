package plots

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites the golden files: go test ./plots -update. Every golden
// test of the package uses this one flag.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenOwnedElsewhere are the figures whose golden files another test
// keeps (importance_test.go).
var goldenOwnedElsewhere = map[string]bool{"importance": true}

// checkGolden compares got with testdata/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plots -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (%d bytes, want %d); if the change is intended, run go test ./plots -update and look at the figure", name, path, len(got), len(want))
	}
}

// Every figure's SVG is byte for byte its golden file.
func TestGoldenSVG(t *testing.T) {
	for _, fig := range figures() {
		if goldenOwnedElsewhere[fig.name] {
			continue
		}
		t.Run(fig.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := fig.draw(&buf, SVG); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, fig.name+".svg", buf.Bytes())
		})
	}
}
