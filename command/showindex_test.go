package command

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/command/arguments"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/internal/bigstate"
	"github.com/frameworm/frameworm/state"
)

// TestShowJSONLightLoad: show -json, which loads the state without the
// configs it does not print, prints the document of the whole state:
// with trials excluded by an edit, with a best made worse or removed by
// later records (which its index cannot know in advance), and with a
// search no longer defined.
func TestShowJSONLightLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, err := bigstate.Write(ctx, dir, bigstate.Options{Trials: 300, Appended: 20, FailEvery: 7})
	if err != nil {
		t.Fatal(err)
	}
	f := state.NewFile(path)
	defer f.Close()
	st, _, err := f.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	record := func(c state.Change) {
		t.Helper()
		if err := f.Append(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := st.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	bestOf := func() *state.Trial {
		var best *state.Trial
		for _, tr := range st.Trials(bigstate.SearchName) {
			if v, ok := tr.Metrics["val_loss"]; ok && (best == nil || v < best.Metrics["val_loss"]) {
				best = tr
			}
		}
		return best
	}
	search := filepath.Join(dir, bigstate.SearchFile)
	src, err := os.ReadFile(search)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string) {
		t.Helper()
		want := wholeShowJSON(t, dir, path)
		r := run(t, dir, "", "show", "-json")
		if r.code != 0 {
			t.Fatalf("%s: show -json: exit %d: %s", name, r.code, r.stderr)
		}
		if d := cmp.Diff(want, r.stdout); d != "" {
			t.Errorf("%s: show -json differs from the document of the whole state (-want +got):\n%s", name, d)
		}
	}
	check("as written")

	worse := bestOf().Clone()
	worse.Metrics = map[string]float64{"val_loss": 5}
	worse.Ended = worse.Ended.Add(time.Second)
	record(state.Change{Put: worse})
	check("best made worse")

	record(state.Change{Remove: &state.TrialRef{Search: bigstate.SearchName, Number: bestOf().Number}})
	check("best removed")

	tainted := bestOf().Clone()
	tainted.Tainted = true
	record(state.Change{Put: tainted})
	check("best tainted")

	write(t, dir, bigstate.SearchFile, strings.Replace(string(src), "high = 1e-1", "high = 1e-3", 1))
	check("range narrowed")

	write(t, dir, bigstate.SearchFile, strings.Replace(string(src), `search "big"`, `search "other"`, 1))
	check("search no longer defined")
}

// wholeShowJSON is the show -json document of a state loaded whole.
func wholeShowJSON(t *testing.T, dir, path string) string {
	t.Helper()
	var errb bytes.Buffer
	m := &Meta{WorkDir: dir, Stderr: &errb}
	res, diags := m.load(arguments.Vars{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, _, err := state.NewFile(path).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := (&views.View{Stdout: &out}).JSON(views.NewShowJSON(res.Definition, st, searchNames(res.Definition, st))); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
