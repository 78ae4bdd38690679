package space

import (
	"fmt"
	"testing"
)

// benchConditional is a conditional space the size of a real one: an
// optimizer of 3 values, 4 layers of which the later ones are active only
// up to the chosen depth, a width of 16 values per layer, a momentum of 10
// values only for sgd, and a stepped learning rate of 20 values.
func benchConditional(b *testing.B) *Space {
	b.Helper()
	must := func(d Dimension, err error) Dimension {
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	dims := []Dimension{
		must(NewCategorical("optimizer", []Value{"adam", "sgd", "rmsprop"})),
		must(NewInteger("depth", 1, 4, false, 1)),
	}
	conds := []Condition{nil, nil}
	for l := 1; l <= 4; l++ {
		dims = append(dims, must(NewInteger(fmt.Sprint("width", l), 16, 256, false, 16)))
		conds = append(conds, Func(func(p Point) bool { return p[1].(int64) >= int64(l) }, "depth"))
	}
	dims = append(dims, must(NewReal("momentum", 0.05, 0.95, false, 0.1)), must(NewReal("lr", 0.005, 0.1, false, 0.005)))
	conds = append(conds, Func(func(p Point) bool { return p[0] == "sgd" }, "optimizer"), nil)
	s, err := NewConditional(dims, conds)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkConditionalGridSize counts the grid of a fresh space: the
// memoized walk of the condition tree.
func BenchmarkConditionalGridSize(b *testing.B) {
	var n uint64
	for b.Loop() {
		s := benchConditional(b)
		var err error
		if n, err = s.GridSize(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "points")
}

// BenchmarkConditionalGridPoint reads grid points by index, as the grid
// strategy does.
func BenchmarkConditionalGridPoint(b *testing.B) {
	s := benchConditional(b)
	n, err := s.GridSize()
	if err != nil {
		b.Fatal(err)
	}
	i := uint64(0)
	b.ReportAllocs()
	for b.Loop() {
		s.GridPoint(i)
		i = (i + 7919) % n
	}
}

// BenchmarkConditionalSetAdd adds sampled points of a conditional space
// to a Set, as Random's replay does.
func BenchmarkConditionalSetAdd(b *testing.B) {
	s := benchConditional(b)
	pts := benchPoints(b, s, 10000)
	b.ReportAllocs()
	for b.Loop() {
		set := NewSet(s, len(pts))
		for _, p := range pts {
			set.Add(p)
		}
	}
}
