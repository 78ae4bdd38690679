package command

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/state"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares got with testdata/NAME; -update rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./command -run %s -update creates it)", err, t.Name())
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got); go test ./command -update rewrites it if this is intended:\n%s", path, d)
	}
}

// goldenDir is testdata, absolute: tests may change directory.
var goldenDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "testdata")
}()

// fixedRepairTime names the dropped files of the tests.
var fixedRepairTime = time.Date(2026, 11, 29, 8, 22, 21, 0, time.UTC)

func setRepairTime(t *testing.T) {
	old := repairNow
	repairNow = func() time.Time { return fixedRepairTime }
	t.Cleanup(func() { repairNow = old })
}

// TestStateRepairGolden repairs each damaged state under
// testdata/staterepair and compares what state repair prints (text and
// -json) with the golden files, then checks that the state loads, that the
// dropped bytes are saved, and that a second repair finds nothing.
func TestStateRepairGolden(t *testing.T) {
	setRepairTime(t)
	inputs, _ := filepath.Glob("testdata/staterepair/*.state")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	wd, _ := os.Getwd()
	for i, in := range inputs {
		inputs[i] = filepath.Join(wd, in)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".state")
		for _, asJSON := range []bool{false, true} {
			golden := "staterepair/" + name + ".golden"
			args := []string{"state", "repair"}
			if asJSON {
				golden = "staterepair/" + name + ".json.golden"
				args = append(args, "-json")
			}
			t.Run(filepath.Base(golden), func(t *testing.T) {
				dir := t.TempDir()
				data, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, "frameworm.fwstate")
				os.WriteFile(path, data, 0o644)
				t.Chdir(dir) // so that every path in the output is relative
				r := run(t, ".", "", args...)
				checkGolden(t, golden, "exit "+strconv.Itoa(r.code)+"\n--- stdout\n"+r.stdout+"--- stderr\n"+r.stderr)
				if name == "bad-header" {
					if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
						t.Error("a failed repair changed the state file")
					}
					return
				}
				if r.code != 0 {
					t.Fatalf("exit %d", r.code)
				}
				if _, warns, err := state.NewFile(path).Load(context.Background()); err != nil || len(warns) > 0 {
					t.Fatalf("the repaired state: %v, warnings %v", err, warns)
				}
				if name == "journal" {
					if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
						t.Error("a repair of a healthy state changed it")
					}
					return
				}
				dropped, err := os.ReadFile(path + ".dropped-20261129T082221Z")
				if err != nil || !bytes.HasSuffix(data, dropped) || len(dropped) == 0 {
					t.Errorf("the dropped bytes are not the end of the damaged file: %v", err)
				}
				if again := run(t, dir, "", "state", "repair"); again.code != 0 || !strings.Contains(again.stdout, "nothing to repair") {
					t.Errorf("second repair: %+v", again)
				}
				if list := run(t, dir, "", "state", "list"); list.code != 0 {
					t.Errorf("state list after repair: %+v", list)
				}
			})
		}
	}
}

// TestStateRepairFailures: a missing state, a held lock and a dropped file
// that cannot be written are errors (exit 1) that leave the state as it
// was.
func TestStateRepairFailures(t *testing.T) {
	setRepairTime(t)
	dir := t.TempDir()
	if r := run(t, dir, "", "state", "repair"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("missing state: %+v", r)
	}

	data, err := os.ReadFile("testdata/staterepair/corrupt-last.state")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "frameworm.fwstate")
	os.WriteFile(path, data, 0o644)
	unchanged := func(what string) {
		t.Helper()
		if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
			t.Errorf("%s: the state file changed", what)
		}
		if names, _ := filepath.Glob(path + ".dropped-*"); len(names) > 0 && what != "dropped file" {
			t.Errorf("%s: left %v", what, names)
		}
	}

	// Another process holds the lock.
	unlock, err := state.NewFile(path).Lock(context.Background(), state.LockInfo{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "state", "repair")
	if r.code != 1 || !strings.Contains(r.stderr, "locked") || !strings.Contains(r.stderr, "for apply") {
		t.Errorf("held lock: %+v", r)
	}
	unchanged("held lock")
	unlock()

	// The dropped lines cannot be saved: every name is taken.
	base := path + ".dropped-20261129T082221Z"
	os.Mkdir(base, 0o755)
	for i := 2; i <= 101; i++ {
		os.Mkdir(base+"-"+strconv.Itoa(i), 0o755)
	}
	r = run(t, dir, "", "state", "repair")
	if r.code != 1 || !strings.Contains(r.stderr, "saving the damaged lines") || !strings.Contains(r.stderr, "unchanged") {
		t.Errorf("dropped file not writable: %+v", r)
	}
	unchanged("dropped file")

	// -lock-timeout must not be negative.
	r = run(t, dir, "", "state", "repair", "-lock-timeout=-5s")
	if r.code != 1 || !strings.Contains(r.stderr, "must be ≥ 0") {
		t.Errorf("-lock-timeout=-5s: %+v", r)
	}
}

// TestDamagedStateRefused: every command that reads the state refuses a
// damaged one, naming the repair command, and writes nothing.
func TestDamagedStateRefused(t *testing.T) {
	data, err := os.ReadFile("testdata/staterepair/corrupt-last.state")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "a.fw.hcl", valid)
	path := filepath.Join(dir, "frameworm.fwstate")
	os.WriteFile(path, data, 0o644)
	for _, args := range [][]string{
		{"plan"},
		{"apply", "-auto-approve"},
		{"show"},
		{"state", "list"},
		{"state", "taint", "search.s[1]"},
		{"export", filepath.Join(dir, "x.json")},
	} {
		r := run(t, dir, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "fwapply state repair") || !strings.Contains(r.stderr, "line 8") {
			t.Errorf("%v on a damaged state: exit %d\n%s", args, r.code, r.stderr)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
			t.Fatalf("%v changed a damaged state", args)
		}
	}
}

// TestStateRepairJSONShape checks the fields of state repair -json.
func TestStateRepairJSONShape(t *testing.T) {
	setRepairTime(t)
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/staterepair/bad-serial.state")
	os.WriteFile(filepath.Join(dir, "frameworm.fwstate"), data, 0o644)
	r := run(t, dir, "", "state", "repair", "-json")
	var doc map[string]any
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("want one line of JSON: %+v", r)
	}
	for _, k := range []string{"format_version", "state", "repaired", "damage", "kept_lines", "kept_bytes", "dropped_file", "dropped_bytes", "dropped_lines"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q in %s", k, r.stdout)
		}
	}
}
