package search

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// chainSpace is optimizer ∈ {adam, sgd}; momentum ∈ {0, .25, .5, .75, 1}
// only when optimizer is sgd; nesterov ∈ {true, false} only when momentum
// > 0.5; lr ∈ {1, 2, 3}: 24 consistent points (see space's
// TestConditionalGrid for the count by hand).
func chainSpace(t testing.TB) *space.Space {
	t.Helper()
	return ok(space.NewConditional([]space.Dimension{
		ok(space.NewCategorical("optimizer", []space.Value{"adam", "sgd"})),
		ok(space.NewReal("momentum", 0, 1, false, 0.25)),
		ok(space.NewCategorical("nesterov", []space.Value{true, false})),
		ok(space.NewInteger("lr", 1, 3, false, 1)),
	}, []space.Condition{
		nil,
		space.Func(func(p space.Point) bool { return p[0] == "sgd" }, "optimizer"),
		space.Func(func(p space.Point) bool { m, ok := p[1].(float64); return ok && m > 0.5 }, "momentum"),
	}))
}

// continuousChain is the chain with continuous params: optimizer ∈ {adam,
// sgd, rmsprop}, a log-scaled lr, momentum ∈ [0, 1] only for sgd,
// nesterov only when momentum > 0.5, and dropout ∈ [0, 0.5] only for
// rmsprop.
func continuousChain(t testing.TB) *space.Space {
	t.Helper()
	return ok(space.NewConditional([]space.Dimension{
		ok(space.NewCategorical("optimizer", []space.Value{"adam", "sgd", "rmsprop"})),
		ok(space.NewReal("lr", 1e-5, 1e-1, true, 0)),
		ok(space.NewReal("momentum", 0, 1, false, 0)),
		ok(space.NewCategorical("nesterov", []space.Value{true, false})),
		ok(space.NewReal("dropout", 0, 0.5, false, 0)),
	}, []space.Condition{
		nil, nil,
		space.Func(func(p space.Point) bool { return p[0] == "sgd" }, "optimizer"),
		space.Func(func(p space.Point) bool { m, ok := p[2].(float64); return ok && m > 0.5 }, "momentum"),
		space.Func(func(p space.Point) bool { return p[0] == "rmsprop" }, "optimizer"),
	}))
}

// chainObjective is a loss over the continuous chain whose best config is
// sgd with high momentum and nesterov.
func chainObjective(p space.Point) float64 {
	v := math.Pow(math.Log10(p[1].(float64))+3, 2)
	switch p[0] {
	case "sgd":
		m := p[2].(float64)
		v += 0.5 * (m - 0.9) * (m - 0.9)
		if p[3] == true {
			v -= 0.1
		}
	case "rmsprop":
		d := p[4].(float64)
		v += 0.2 + d
	default:
		v += 0.1
	}
	return v
}

// run asks a strategy for one point at a time, observing each (with
// workers-1 points pending), until n points or exhaustion, and checks
// every proposal is a canonical point of the space never proposed before.
func run(t *testing.T, s Strategy, sp *space.Space, seed int64, n, workers int, f func(space.Point) float64) []space.Point {
	t.Helper()
	var obs []Observation
	var pending, all []space.Point
	keys := map[string]bool{}
	for len(all) < n {
		got, err := s.Propose(Request{Space: sp, Seed: seed, Observations: obs, Pending: pending}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		p := got[0]
		if q, ok := sp.Normalize(p); !ok || !reflect.DeepEqual(p, q) {
			t.Fatalf("%T proposal %d: %#v is not a canonical point of the space", s, len(all), p)
		}
		k := sp.Key(p)
		if keys[k] {
			t.Fatalf("%T proposal %d: %s proposed again", s, len(all), k)
		}
		keys[k] = true
		all = append(all, p)
		pending = append(pending, p)
		if len(pending) >= workers {
			obs = append(obs, Observation{Point: pending[0], Value: f(pending[0])})
			pending = pending[1:]
		}
	}
	return all
}

func TestConditionalGridStrategy(t *testing.T) {
	sp := chainSpace(t)
	want := ok(sp.Grid(100))
	got := run(t, Grid{}, sp, 0, 100, 1, func(space.Point) float64 { return 0 })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grid proposals\n%v\nwant the grid\n%v", got, want)
	}
	// Observations given with another Go type are still seen.
	obs := []Observation{{Point: space.Point{"adam", space.Inactive, space.Inactive, 1}}, {Point: space.Point{"sgd", 0, space.Inactive, 2.0}}}
	rest := ok(Grid{}.Propose(Request{Space: sp, Observations: obs}, 100))
	if len(rest) != 22 || reflect.DeepEqual(rest[0], want[0]) {
		t.Errorf("after 2 observations: %d points, first %v", len(rest), rest[0])
	}
}

func TestConditionalNoDuplicates(t *testing.T) {
	finite, cont := chainSpace(t), continuousChain(t)
	objective := func(p space.Point) float64 {
		if p[1] == space.Inactive {
			return float64(p[3].(int64))
		}
		return float64(p[3].(int64)) - p[1].(float64)
	}
	for _, tt := range []struct {
		name string
		s    Strategy
	}{
		{"random", Random{}},
		{"bayesian", Bayesian{InitialPoints: 5}},
		{"bayesian outside", Bayesian{InitialPoints: 5, Inactive: InactiveOutside}},
		{"bayesian low pi", Bayesian{InitialPoints: 3, Inactive: InactiveLow, Acquisition: "pi"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, workers := range []int{1, 3} {
				// The finite space to exhaustion: every consistent point once.
				got := run(t, tt.s, finite, 11, 100, workers, objective)
				if len(got) != 24 {
					t.Errorf("%d workers: %d proposals before exhaustion, want all 24", workers, len(got))
				}
				got = run(t, tt.s, cont, 3, 40, workers, chainObjective)
				if len(got) != 40 {
					t.Errorf("%d workers: %d proposals on the continuous space", workers, len(got))
				}
			}
		})
	}
}

// TestConditionalDeterministic checks that the same request gives the same
// proposals, batches included.
func TestConditionalDeterministic(t *testing.T) {
	sp := continuousChain(t)
	base := run(t, Random{}, sp, 5, 12, 1, chainObjective)
	var obs []Observation
	for _, p := range base[:10] {
		obs = append(obs, Observation{Point: p, Value: chainObjective(p)})
	}
	req := Request{Space: sp, Seed: 9, Observations: obs, Pending: base[10:]}
	for _, s := range []Strategy{Random{}, Bayesian{InitialPoints: 4}, Bayesian{InitialPoints: 4, Inactive: InactiveOutside}} {
		a := ok(s.Propose(req, 4))
		b := ok(s.Propose(req, 4))
		if len(a) != 4 || !reflect.DeepEqual(a, b) {
			t.Errorf("%T: %v then %v", s, a, b)
		}
	}
}

// TestConditionalBayesianLearns checks that the model finds the good
// branch: after 40 trials on the continuous chain, the best config is sgd
// with nesterov, better than the best of the first 40 random points.
func TestConditionalBayesianLearns(t *testing.T) {
	sp := continuousChain(t)
	best := func(pts []space.Point) (space.Point, float64) {
		var bp space.Point
		bv := math.Inf(1)
		for _, p := range pts {
			if v := chainObjective(p); v < bv {
				bp, bv = p, v
			}
		}
		return bp, bv
	}
	bp, bv := best(run(t, Bayesian{InitialPoints: 8}, sp, 1, 40, 1, chainObjective))
	_, rv := best(run(t, Random{}, sp, 1, 40, 1, chainObjective))
	if bp[0] != "sgd" || bp[3] != true || bv >= rv {
		t.Errorf("bayesian best %v (%v), random best %v", bp, bv, rv)
	}
}

func TestBayesianUnknownInactive(t *testing.T) {
	_, err := Bayesian{Inactive: "middle"}.Propose(Request{Space: chainSpace(t)}, 1)
	if err == nil || !strings.Contains(err.Error(), `unknown encoding "middle"`) {
		t.Errorf("err = %v", err)
	}
}

func TestEncoderModes(t *testing.T) {
	sp := chainSpace(t)
	p := space.Point{"adam", space.Inactive, space.Inactive, int64(3)}
	for _, tt := range []struct {
		mode string
		want []float64 // optimizer one-hot, momentum, nesterov one-hot, lr
	}{
		{"", []float64{1, 0, 0.5, 0, 0, 1}},
		{InactiveCenter, []float64{1, 0, 0.5, 0, 0, 1}},
		{InactiveLow, []float64{1, 0, 0, 0, 0, 1}},
		{InactiveOutside, []float64{1, 0, -1, 0, 0, 1}},
	} {
		e := ok(newEncoder(sp, tt.mode))
		if got := e.encode(p); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: encode(%v) = %v, want %v", tt.mode, p, got, tt.want)
		}
	}
	// An unconditional space is encoded as the space encodes it.
	u := mixedSpace(t)
	q := space.Point{1e-3, int64(32), "sgd"}
	if got := ok(newEncoder(u, InactiveOutside)).encode(q); !reflect.DeepEqual(got, u.Encode(q)) {
		t.Errorf("unconditional: %v, want %v", got, u.Encode(q))
	}
}

// TestMoved checks that a local move re-derives the activity of the later
// params: one that becomes inactive is Inactive, one that becomes active
// takes the value its inactive encoding decodes to.
func TestMoved(t *testing.T) {
	sp := chainSpace(t)
	tests := []struct {
		mode string
		p    space.Point
		i    int
		v    space.Value
		want space.Point
	}{
		{"", space.Point{"adam", space.Inactive, space.Inactive, int64(2)}, 0, "sgd", space.Point{"sgd", 0.5, space.Inactive, int64(2)}},
		{InactiveLow, space.Point{"adam", space.Inactive, space.Inactive, int64(2)}, 0, "sgd", space.Point{"sgd", 0.0, space.Inactive, int64(2)}},
		{InactiveOutside, space.Point{"adam", space.Inactive, space.Inactive, int64(2)}, 0, "sgd", space.Point{"sgd", 0.0, space.Inactive, int64(2)}},
		{"", space.Point{"sgd", 1.0, false, int64(2)}, 0, "adam", space.Point{"adam", space.Inactive, space.Inactive, int64(2)}},
		{"", space.Point{"sgd", 0.25, space.Inactive, int64(2)}, 1, 0.75, space.Point{"sgd", 0.75, true, int64(2)}},
		{"", space.Point{"sgd", 0.75, false, int64(2)}, 1, 0.5, space.Point{"sgd", 0.5, space.Inactive, int64(2)}},
		{"", space.Point{"sgd", 0.75, false, int64(2)}, 3, int64(1), space.Point{"sgd", 0.75, false, int64(1)}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.mode, tt.p, tt.i, tt.v), func(t *testing.T) {
			got := ok(newEncoder(sp, tt.mode)).moved(tt.p, tt.i, tt.v)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("moved = %#v, want %#v", got, tt.want)
			}
			if !sp.Contains(got) {
				t.Errorf("%v is not a point of the space", got)
			}
		})
	}
}
