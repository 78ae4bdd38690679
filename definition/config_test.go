package definition

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/space"
)

func testSearch(t *testing.T) *Search {
	t.Helper()
	lr, err := space.NewReal("training.lr", 1e-4, 1e-1, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := space.NewCategorical("optimizer", []space.Value{"adam", "sgd"})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := space.NewInteger("training.warmup", 0, 10, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(lr, opt, leaf)
	if err != nil {
		t.Fatal(err)
	}
	return &Search{
		Name:       "s",
		BaseConfig: map[string]any{"training": map[string]any{"lr": 0.001, "epochs": int64(5)}, "optimizer": "adam"},
		Params: []Param{
			{Path: "training.lr", Segments: []string{"training", "lr"}, Dim: lr},
			{Path: "optimizer", Segments: []string{"optimizer"}, Dim: opt},
			{Path: "training.warmup", Segments: []string{"training", "warmup"}, Dim: leaf},
		},
		Space: sp,
	}
}

func TestResolve(t *testing.T) {
	s := testSearch(t)
	got, err := s.Resolve(space.Point{0.01, "sgd", int64(3)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"training": map[string]any{"lr": 0.01, "epochs": int64(5), "warmup": int64(3)}, "optimizer": "sgd"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if s.BaseConfig["training"].(map[string]any)["lr"] != 0.001 {
		t.Error("Resolve modified the base config")
	}
	if _, err := s.Resolve(space.Point{0.01}); err == nil {
		t.Error("short point accepted")
	}
	if d := cmp.Diff(map[string]any{"training.lr": 0.01, "optimizer": "sgd", "training.warmup": int64(3)}, s.ParamMap(space.Point{0.01, "sgd", int64(3)})); d != "" {
		t.Errorf("ParamMap (-want +got):\n%s", d)
	}
}

func TestSetAndLookupPath(t *testing.T) {
	cfg := map[string]any{"a": map[string]any{"b": int64(1)}, "s": "x"}
	tests := []struct {
		path    string
		wantErr string
	}{
		{"a.b", ""},
		{"a.c", ""},
		{"new", ""},
		{"s.x", "s is not an object"},
		{"missing.x", "missing is not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := SetPath(cfg, strings.Split(tt.path, "."), "v")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if v, ok := LookupPath(cfg, strings.Split(tt.path, ".")); !ok || v != "v" {
					t.Errorf("lookup after set: %v %v", v, ok)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
	if _, ok := LookupPath(cfg, []string{"s", "x"}); ok {
		t.Error("lookup through a scalar succeeded")
	}
}

func TestHashCanonical(t *testing.T) {
	a := map[string]any{"x": int64(2), "y": []any{1.5, "s"}, "z": map[string]any{"b": true, "a": nil}}
	b := map[string]any{"z": map[string]any{"a": nil, "b": true}, "y": []any{1.5, "s"}, "x": 2.0}
	ha, err := Hash(a)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := Hash(b)
	if ha != hb {
		t.Error("equal configs hash differently")
	}
	c := CopyValue(a).(map[string]any)
	c["z"].(map[string]any)["b"] = false
	if hc, _ := Hash(c); hc == ha {
		t.Error("different configs hash equally")
	}
	if a["z"].(map[string]any)["b"] != true {
		t.Error("CopyValue shares nested maps")
	}
}

func TestFingerprintIgnoresParallelism(t *testing.T) {
	s := testSearch(t)
	fp := s.Fingerprint()
	s.Parallelism = 8
	if s.Fingerprint() != fp {
		t.Error("parallelism changed the fingerprint")
	}
	s.Trials = 3
	if s.Fingerprint() == fp {
		t.Error("trials did not change the fingerprint")
	}
}

func TestDiffConfigs(t *testing.T) {
	old := map[string]any{"a": int64(1), "b": map[string]any{"c": "x", "d": 0.5}, "gone": true, "l": []any{int64(1)}}
	new := map[string]any{"a": 1.0, "b": map[string]any{"c": "y", "d": 0.5, "e": int64(3)}, "l": []any{int64(2)}}
	want := []ConfigChange{
		{Path: "b.c", Old: "x", New: "y"},
		{Path: "b.e", New: int64(3)},
		{Path: "gone", Old: true},
		{Path: "l", Old: []any{int64(1)}, New: []any{int64(2)}},
	}
	if d := cmp.Diff(want, DiffConfigs(old, new)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := DiffConfigs(old, old); len(got) != 0 {
		t.Errorf("diff of equal configs: %v", got)
	}
}

// A categorical of whole numbers from a list(number) variable holds
// float64s; a state read back from JSON holds int64s. The settings must
// not differ (a plan said `values [32,128] → [32,128]`).
func TestEqualValuesNumbersInLists(t *testing.T) {
	for _, c := range []struct {
		a, b any
		want bool
	}{
		{[]any{float64(32), float64(128)}, []any{int64(32), int64(128)}, true},
		{[]any{float64(32), float64(128)}, []any{int64(32), int64(129)}, false},
		{[]any{[]any{float64(1)}, "x"}, []any{[]any{int64(1)}, "x"}, true},
		{[]any{map[string]any{"n": float64(2)}}, []any{map[string]any{"n": int64(2)}}, true},
		{[]any{map[string]any{"n": float64(2)}}, []any{map[string]any{"m": int64(2)}}, false},
		{[]any{float64(1)}, []any{"1"}, false},
	} {
		if got := EqualValues(c.a, c.b); got != c.want {
			t.Errorf("EqualValues(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	old := map[string]any{`param "h"`: map[string]any{"values": []any{int64(32), int64(128)}}}
	new := map[string]any{`param "h"`: map[string]any{"values": []any{float64(32), float64(128)}}}
	if ch := SettingsChanges(old, new); len(ch) != 0 {
		t.Errorf("SettingsChanges = %v, want none", ch)
	}
}
