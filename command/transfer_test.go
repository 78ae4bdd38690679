package command

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/state"
	"github.com/frameworm/frameworm/state/statetest"
)

// exportOf returns an export document of trials (by search) from a state
// of the given lineage.
func exportOf(t testing.TB, lineage string, trials map[string][]*state.Trial) []byte {
	t.Helper()
	doc := exportDoc{Format: exportFormat, Version: exportVersion, Exported: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC),
		Lineage: lineage, Serial: 7, Searches: map[string]*exportSearch{}}
	for name, ts := range trials {
		doc.Searches[name] = &exportSearch{Trials: ts}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeState writes a state of trials at path and returns it as loaded.
func writeState(t testing.TB, path string, trials ...*state.Trial) *state.State {
	t.Helper()
	f := state.NewFile(path)
	defer f.Close()
	s, _, err := f.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var batch []state.Change
	for _, tr := range trials {
		batch = append(batch, state.Change{Put: tr})
		s.Apply(state.Change{Put: tr})
	}
	if err := f.AppendBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return s
}

func loadState(t testing.TB, path string) *state.State {
	t.Helper()
	s, warns, err := state.NewFile(path).Load(context.Background())
	if err != nil || len(warns) > 0 {
		t.Fatalf("Load %s: %v, warnings %v", path, err, warns)
	}
	return s
}

// TestImportTrialDirs: trials imported from another state get new numbers
// and no directory, so that state rm -purge of one of them cannot delete
// the directory of the trial that had its old number here; trials
// imported back into their own state keep their number and directory.
func TestImportTrialDirs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "frameworm.fwstate")
	own := statetest.Trial("s", 0)
	own.Dir = filepath.Join(dir, ".fw", "trials", "s", "0")
	write(t, own.Dir, "artifact.txt", "the kept trial's results")
	st := writeState(t, path, own)

	// Another state's trials 0 to 2, with its directories of the same
	// names (relative) as ours.
	var theirs []*state.Trial
	for n := range 3 {
		tr := statetest.Trial("s", n)
		tr.ConfigHash = fmt.Sprintf("other-%d", n)
		tr.Dir = filepath.Join(".fw", "trials", "s", strconv.Itoa(n))
		theirs = append(theirs, tr)
	}
	exp := filepath.Join(t.TempDir(), "other.json")
	os.WriteFile(exp, exportOf(t, "00000000-0000-4000-8000-000000000001", map[string][]*state.Trial{"s": theirs}), 0o644)
	r := run(t, dir, "", "import", "-force", exp)
	if r.code != 0 || !strings.Contains(r.stdout, "Imported 3 trials (0 skipped).") ||
		!strings.Contains(r.stdout, "no trial directory") || !strings.Contains(r.stdout, "artifacts of 3 trials stay where "+exp+" names them") ||
		!strings.Contains(r.stdout, filepath.Join(".fw", "trials", "s", "0")) {
		t.Fatalf("import -force: %+v", r)
	}
	got := loadState(t, path)
	for n := 1; n <= 3; n++ {
		if tr := got.Trial("s", n); tr == nil || tr.Dir != "" || tr.ConfigHash != fmt.Sprintf("other-%d", n-1) {
			t.Errorf("imported trial %d: %+v; want no directory", n, tr)
		}
	}
	if got.Trial("s", 0).Dir != own.Dir {
		t.Errorf("the kept trial's directory changed: %q", got.Trial("s", 0).Dir)
	}
	// Purging an imported trial deletes nothing.
	if r := run(t, dir, "", "state", "rm", "-purge", "search.s[1]"); r.code != 0 {
		t.Fatalf("state rm -purge: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(own.Dir, "artifact.txt")); err != nil {
		t.Fatalf("state rm -purge of an imported trial deleted another trial's artifacts: %v", err)
	}

	// Into its own state: numbers and directories are kept.
	back := filepath.Join(t.TempDir(), "back.json")
	os.WriteFile(back, exportOf(t, st.Lineage, map[string][]*state.Trial{"s": {own}}), 0o644)
	if r := run(t, dir, "", "state", "rm", "search.s[0]"); r.code != 0 {
		t.Fatal(r)
	}
	r = run(t, dir, "", "import", back)
	if r.code != 0 || !strings.Contains(r.stdout, "Imported 1 trials") || strings.Contains(r.stdout, "no trial directory") {
		t.Fatalf("import into the same state: %+v", r)
	}
	if tr := loadState(t, path).Trial("s", 0); tr == nil || tr.Dir != own.Dir {
		t.Errorf("trial imported back: %+v; want its own directory %s", tr, own.Dir)
	}
}

// TestImportRejects: an export that is not valid is refused before the
// state changes, with an error that says what is wrong.
func TestImportRejects(t *testing.T) {
	good := exportOf(t, "L", map[string][]*state.Trial{"s": {statetest.Trial("s", 0)}})
	edit := func(old, new string) string {
		if !strings.Contains(string(good), old) {
			t.Fatalf("%q is not in the export", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	trial := func(js string) string {
		return `{"format":"frameworm-export","version":1,"lineage":"L","searches":{"s":{"definition":null,"trials":[` + js + `]}}}`
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"not JSON", "hello", "not a file written by fwapply export"},
		{"empty", "", "not a file written by fwapply export"},
		{"other format", edit(`"frameworm-export"`, `"frameworm-plan"`), `format is "frameworm-plan"`},
		{"version 2", edit(`"version":1`, `"version":2`), "export version 2"},
		{"trailing data", string(good) + "{}", "after top-level value"},
		{"no lineage", edit(`"lineage":"L"`, `"lineage":""`), "no lineage"},
		{"no searches", `{"format":"frameworm-export","version":1,"lineage":"L"}`, `no "searches"`},
		{"null search", `{"format":"frameworm-export","version":1,"lineage":"L","searches":{"s":null}}`, "null"},
		{"empty search name", `{"format":"frameworm-export","version":1,"lineage":"L","searches":{"":{"trials":[]}}}`, "no name"},
		{"null trial", trial(`null`), "trial 1 of search.s is null"},
		{"negative number", trial(`{"number":-1,"status":"completed"}`), "negative number"},
		{"bad status", trial(`{"number":1,"status":"done"}`), `status "done"`},
		{"other search", trial(`{"search":"t","number":1,"status":"completed"}`), `names search "t"`},
		{"two trials one number", trial(`{"number":1,"status":"completed"},{"number":1,"status":"failed"}`), "two trials numbered 1"},
		{"huge param", trial(`{"number":1,"status":"completed","params":{"x":1e999}}`), `invalid number "1e999"`},
		{"params not an object", trial(`{"number":1,"status":"completed","params":[1]}`), "params: invalid JSON at byte 45: want an object"},
		{"huge number", trial(`{"number":1e30,"status":"completed"}`), "trial 1 of search.s: not a valid trial: number"},
		{"string metric", trial(`{"number":1,"status":"completed","metrics":{"loss":"low"}}`), `metric "loss" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeExport([]byte(tc.doc), "x.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decodeExport: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// Through the command: exit 1, the state untouched.
	dir := t.TempDir()
	path := filepath.Join(dir, "frameworm.fwstate")
	writeState(t, path, statetest.Trial("s", 0))
	before, _ := os.ReadFile(path)
	write(t, dir, "bad.json", trial(`{"number":1,"status":"completed"},null`))
	r := run(t, dir, "", "import", "-force", "bad.json")
	if r.code != 1 || !strings.Contains(r.stderr, "Not a valid export") || !strings.Contains(r.stderr, "trial 2 of search.s is null") {
		t.Errorf("import of a bad export: %+v", r)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, before) {
		t.Error("a refused import changed the state")
	}
}

// TestImportKilled kills fwapply import at many moments: the state is
// always the old one or the old one with every imported trial, never a
// part of the import.
func TestImportKilled(t *testing.T) {
	if dir := os.Getenv("FW_IMPORT_CHILD"); dir != "" {
		var out, errb bytes.Buffer
		code := Run([]string{"import", "-force", os.Getenv("FW_IMPORT_FILE")}, Meta{Stdout: &out, Stderr: &errb, WorkDir: dir})
		fmt.Print(out.String(), errb.String())
		os.Exit(code)
	}
	if testing.Short() {
		t.Skip("kills child processes")
	}
	const size = 5000
	src := t.TempDir()
	var trials []*state.Trial
	for n := range size {
		trials = append(trials, statetest.Trial("s", n))
	}
	exp := filepath.Join(src, "big.json")
	os.WriteFile(exp, exportOf(t, "00000000-0000-4000-8000-000000000002", map[string][]*state.Trial{"s": trials}), 0o644)
	dir := t.TempDir()
	path := filepath.Join(dir, "frameworm.fwstate")
	var mine []*state.Trial
	for n := range 3 {
		tr := statetest.Trial("s", n)
		tr.ConfigHash = "mine-" + strconv.Itoa(n)
		mine = append(mine, tr)
	}
	old := writeState(t, path, mine...)
	orig, _ := os.ReadFile(path)
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilled$")
		cmd.Env = append(os.Environ(), "FW_IMPORT_CHILD="+dir, "FW_IMPORT_FILE="+exp)
		return cmd
	}
	start := time.Now()
	if out, err := child().CombinedOutput(); err != nil || !strings.Contains(string(out), "Imported 5000 trials") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	full := time.Since(start)
	outcomes := map[int]int{}
	for i := range 10 {
		os.WriteFile(path, orig, 0o600)
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(full) + 1)))
		cmd.Process.Kill()
		cmd.Wait()
		s := loadState(t, path)
		switch s.Len() {
		case old.Len():
			if s.Serial != old.Serial {
				t.Fatalf("kill %d: serial %d, want %d", i, s.Serial, old.Serial)
			}
		case old.Len() + size:
			if s.Serial != old.Serial+size {
				t.Fatalf("kill %d: serial %d, want %d", i, s.Serial, old.Serial+size)
			}
		default:
			t.Fatalf("kill %d: %d trials; want %d (old) or %d (all imported)", i, s.Len(), old.Len(), old.Len()+size)
		}
		outcomes[s.Len()]++
	}
	t.Logf("outcomes (trials: kills): %v; a whole import takes %v", outcomes, full)
}

// FuzzImport feeds arbitrary bytes to the decoder and validator import
// uses: it never panics, and what it accepts imports without an error,
// into a new state and into one of the export's own lineage.
func FuzzImport(f *testing.F) {
	failed := statetest.Trial("s", 1)
	failed.Status, failed.Metrics, failed.Error = state.Failed, nil, "exit status 1"
	running := statetest.Trial("t", 0)
	running.Status = state.Running
	f.Add(exportOf(f, "L", map[string][]*state.Trial{"s": {statetest.Trial("s", 0), failed}, "t": {running}}))
	f.Add(exportOf(f, "L", map[string][]*state.Trial{}))
	f.Add([]byte(`{"format":"frameworm-export","version":1,"lineage":"L","searches":{"s":{"definition":null,"trials":[{"number":3,"status":"completed","params":{"a":1,"b":1.5,"c":[1,{"d":null}]},"config":{"a":1},"metrics":{"m":-1e-300}}]}}}`))
	f.Add([]byte(`{"format":"frameworm-export","version":1,"lineage":"L","searches":{"s":{"trials":[null]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := decodeExport(data, "fuzz.json"); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, same := range []bool{false, true} {
			doc, err := decodeExport(data, "fuzz.json") // importChanges edits the trials
			if err != nil {
				t.Fatalf("a second decode failed: %v", err)
			}
			st := state.New()
			if same {
				st.Lineage = doc.Lineage
			}
			im, err := importChanges(st, doc, same)
			if err != nil {
				t.Fatalf("importChanges into an empty state: %v", err)
			}
			for _, c := range im.changes {
				if err := st.Apply(c); err != nil {
					t.Fatalf("an accepted export does not apply: %v", err)
				}
			}
		}
	})
}

// BenchmarkImport measures fwapply import -force of an export of n
// realistic trials into an empty state: one atomic batch, whatever n
// (before it, one fsync per trial took 56 s at 100k trials). Run it with
// -benchtime=1x: an iteration at 100k takes seconds.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			trials := make([]*state.Trial, n)
			for i := range trials {
				trials[i] = statetest.Trial("s", i)
			}
			exp := filepath.Join(b.TempDir(), "export.json")
			if err := os.WriteFile(exp, exportOf(b, "00000000-0000-4000-8000-000000000003", map[string][]*state.Trial{"s": trials}), 0o644); err != nil {
				b.Fatal(err)
			}
			trials = nil
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				b.StartTimer()
				var out, errb bytes.Buffer
				if code := Run([]string{"import", "-force", exp}, Meta{Stdout: &out, Stderr: &errb, WorkDir: dir}); code != 0 {
					b.Fatalf("import: exit %d\n%s%s", code, out.String(), errb.String())
				}
			}
		})
	}
}

// TestExportImportKeepsKinds: an integer and a whole float64 in params
// and config stay apart through export and import.
func TestExportImportKeepsKinds(t *testing.T) {
	src := t.TempDir()
	write(t, src, "a.fw.hcl", valid)
	tr := statetest.Trial("s", 0) // model.dropout is float64(0), model.hidden_dim int64(128)
	writeState(t, filepath.Join(src, "frameworm.fwstate"), tr)
	exp := filepath.Join(t.TempDir(), "e.json")
	if r := run(t, src, "", "export", exp); r.code != 0 {
		t.Fatalf("export: %+v", r)
	}
	dst := t.TempDir()
	if r := run(t, dst, "", "import", exp); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	got := loadState(t, filepath.Join(dst, "frameworm.fwstate")).Trial("s", 0)
	if got == nil {
		t.Fatal("not imported")
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"params[model.dropout]", got.Params["model.dropout"], float64(0)},
		{"params[model.hidden_dim]", got.Params["model.hidden_dim"], int64(128)},
		{"config.model.dropout", got.Config["model"].(map[string]any)["dropout"], float64(0)},
		{"config.training.epochs", got.Config["training"].(map[string]any)["epochs"], int64(5)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#v after export and import, want %#v", c.name, c.got, c.want)
		}
	}
}
