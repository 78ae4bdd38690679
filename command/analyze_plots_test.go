package command

import (
	"testing"

	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// TestPairOf: the contour's pair is the first two -param paths; one
// -param and the most important other param; else the two most
// important; declaration order without importance.
func TestPairOf(t *testing.T) {
	s := &definition.Search{}
	for _, p := range []string{"a", "b", "c", "d"} {
		s.Params = append(s.Params, definition.Param{Path: p})
	}
	imp := map[string]float64{"a": 0.1, "b": 0.2, "c": 0.6, "d": 0.1}
	tests := []struct {
		name       string
		importance map[string]float64
		params     []string
		x, y       int
	}{
		{"two most important", imp, nil, 2, 1},
		{"no importance: declaration order", nil, nil, 0, 1},
		{"one param and the most important other", imp, []string{"d"}, 3, 2},
		{"one param, the most important itself", imp, []string{"c"}, 2, 1},
		{"two params, in the order given", imp, []string{"d", "a"}, 3, 0},
		{"more params: the first two", imp, []string{"b", "a", "c"}, 1, 0},
		{"ties in declaration order", map[string]float64{"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}, nil, 0, 1},
	}
	for _, tt := range tests {
		x, y := pairOf(s, &views.AnalyzeSearchJSON{Importance: tt.importance}, tt.params)
		if x != tt.x || y != tt.y {
			t.Errorf("%s: pair (%d, %d), want (%d, %d)", tt.name, x, y, tt.x, tt.y)
		}
	}
}

func TestParamRange(t *testing.T) {
	must := func(d space.Dimension, err error) space.Dimension {
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		d          space.Dimension
		kind, rang string
	}{
		{must(space.NewReal("lr", 1e-4, 0.1, true, 0)), "real (log)", "[0.0001, 0.1]"},
		{must(space.NewReal("d", 0, 0.5, false, 0.05)), "real", "[0, 0.5] step 0.05"},
		{must(space.NewInteger("n", 1, 8, false, 1)), "integer", "[1, 8]"},
		{must(space.NewInteger("b", 16, 256, false, 16)), "integer", "[16, 256] step 16"},
		{must(space.NewInteger("w", 16, 1024, true, 1)), "integer (log)", "[16, 1024]"},
		{must(space.NewCategorical("o", []space.Value{"adam", "sgd", true, 0.5})), "categorical", `{"adam", "sgd", true, 0.5}`},
	}
	for _, tt := range tests {
		if kind, rang := paramRange(tt.d); kind != tt.kind || rang != tt.rang {
			t.Errorf("%s: %q %q, want %q %q", tt.d.Name(), kind, rang, tt.kind, tt.rang)
		}
	}
}
