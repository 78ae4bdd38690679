package search

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/space"
)

var update = flag.Bool("update", false, "rewrite search/testdata/*.golden")

// TestProposalsPinned pins the exact proposals of the strategies for a few
// seeds, spaces and histories (testdata/proposals.golden, rewritten with
// -update). Proposals are a contract: the same seed and observations must
// give the same trials in every version, so a change here is a bug unless
// it is meant to change every plan.
func TestProposalsPinned(t *testing.T) {
	mixed := mixedSpace(t)
	stepped := ok(space.New(
		ok(space.NewReal("x", -1, 1, false, 0.1)),
		ok(space.NewInteger("k", 0, 100, false, 5)),
		ok(space.NewCategorical("c", []space.Value{1.5, "one", true, int64(-2)})),
	))
	big := ok(space.New(ok(space.NewInteger("i", 1, 20000, false, 1))))
	finite := finiteSpace(t)

	first, err := Random{}.Propose(Request{Space: mixed, Seed: 7}, 30)
	if err != nil {
		t.Fatal(err)
	}
	var allButThree []Observation
	for i := int64(1); i <= 20000; i++ {
		if i != 17 && i != 10000 && i != 19999 {
			allButThree = append(allButThree, Observation{Point: space.Point{i}, Value: float64(i)})
		}
	}
	finiteAll := ok(Grid{}.Propose(Request{Space: finite}, 12))
	type tc struct {
		name     string
		strategy Strategy
		req      Request
		n        int
	}
	cases := []tc{
		{"random mixed seed 7", Random{}, Request{Space: mixed, Seed: 7}, 30},
		{"random mixed seed -3", Random{}, Request{Space: mixed, Seed: -3}, 10},
		{"random mixed after 10 observed, 5 pending, other Go types", Random{}, Request{Space: mixed, Seed: 7,
			Observations: append(observe(first[:10]),
				Observation{Point: space.Point{first[12][0], int(first[12][1].(int64)), first[12][2]}, Failed: true},
				Observation{Point: space.Point{0.5, int64(3), "nope"}}, // not a point of the space
			),
			Pending: append(first[20:25:25], space.Point{float32(0.01), uint8(16), "adam"}, space.Point{1e-3}),
		}, 15},
		{"random stepped", Random{}, Request{Space: stepped, Seed: 11,
			Observations: []Observation{{Point: space.Point{0.30000000000000004, int64(5), 1.5}}, {Point: space.Point{-0.0, 10, "one"}}}}, 25},
		{"random nearly exhausted (enumeration)", Random{}, Request{Space: big, Seed: 5, Observations: allButThree}, 5},
		{"random finite with invalid observations", Random{}, Request{Space: finite, Seed: 3,
			Observations: append(observe(finiteAll[:9]), Observation{Point: space.Point{int64(99), "x"}}, Observation{Point: space.Point{"a", "b", "c"}})}, 5},
		{"random finite exhausted", Random{}, Request{Space: finite, Seed: 3}, 20},
		{"grid stepped with observations", Grid{}, Request{Space: stepped,
			Observations: []Observation{{Point: space.Point{-1.0, int64(0), 1.5}}, {Point: space.Point{-1, 0, "one"}}}}, 8},
		{"bayesian initial", Bayesian{InitialPoints: 8}, Request{Space: mixed, Seed: 7, Observations: observe(first[:2])}, 6},
	}
	var b strings.Builder
	for _, c := range cases {
		var got []space.Point
		var err error
		if a, ok := c.strategy.(Adaptive); ok {
			got, err = a.Initial(c.req, c.n)
		} else {
			got, err = c.strategy.Propose(c.req, c.n)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fmt.Fprintf(&b, "# %s: %d of %d\n", c.name, len(got), c.n)
		for _, p := range got {
			b.WriteString(pinPoint(p))
			b.WriteByte('\n')
		}
	}
	path := filepath.Join("testdata", "proposals.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./search -run TestProposalsPinned -update once to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("proposals changed; every plan of these seeds would change.\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// pinPoint writes a point with the Go type and exact value of each
// coordinate.
func pinPoint(p space.Point) string {
	parts := make([]string, len(p))
	for i, v := range p {
		parts[i] = fmt.Sprintf("%T(%v)", v, v)
	}
	return strings.Join(parts, " ")
}

// ok returns v, panicking on err: for building the fixed inputs above.
func ok[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
