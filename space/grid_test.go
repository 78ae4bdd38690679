package space

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestGridOrder(t *testing.T) {
	s := mustSpace(t,
		mustCat(t, "b", "a"),
		mustInt(t, 1, 5, false, 2),
		mustReal(t, 0, 1, false, 0.5),
	)
	var want []Point
	for _, c := range []Value{"b", "a"} {
		for _, n := range []int64{1, 3, 5} {
			for _, x := range []float64{0, 0.5, 1} {
				want = append(want, Point{c, n, x})
			}
		}
	}
	got, err := s.Grid(100)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Grid =\n%v\nwant\n%v", got, want)
	}
	if n, _ := s.GridSize(); n != 18 {
		t.Errorf("GridSize = %d, want 18", n)
	}
	for i, p := range got {
		if q := s.GridPoint(uint64(i)); !reflect.DeepEqual(p, q) {
			t.Errorf("GridPoint(%d) = %v, Grid()[%d] = %v", i, q, i, p)
		}
		if !s.Contains(p) {
			t.Errorf("grid point %v not contained", p)
		}
	}
}

func TestGridPointMatchesGrid(t *testing.T) {
	r := newRand(t)
	for range 50 {
		dims := []Dimension{}
		for i := range 1 + r.IntN(4) {
			d := randomDim(t, r, fmt.Sprint("d", i))
			for _, finite := d.GridSize(); !finite; _, finite = d.GridSize() {
				d = randomDim(t, r, fmt.Sprint("d", i))
			}
			dims = append(dims, d)
		}
		s := mustSpace(t, dims...)
		n, err := s.GridSize()
		if err != nil { // several wide integers overflow uint64
			if !strings.Contains(err.Error(), "more than 18446744073709551615 points") {
				t.Fatal(err)
			}
			continue
		}
		if n > 20000 {
			if _, err := s.Grid(20000); err == nil || !strings.Contains(err.Error(), fmt.Sprint(n)) {
				t.Errorf("Grid over the limit: %v", err)
			}
			continue
		}
		grid, err := s.Grid(n)
		if err != nil {
			t.Fatal(err)
		}
		for i := uint64(0); i < n; i += 1 + n/50 {
			if !reflect.DeepEqual(grid[i], s.GridPoint(i)) {
				t.Fatalf("%s: GridPoint(%d) = %v, Grid()[%d] = %v", describe(s), i, s.GridPoint(i), i, grid[i])
			}
		}
	}
}

func TestGridErrors(t *testing.T) {
	big := make([]Dimension, 10)
	for i := range big {
		big[i], _ = NewInteger(fmt.Sprint("n", i), 1, 1024, false, 0)
	}
	thousand := make([]Dimension, 4)
	for i := range thousand {
		thousand[i], _ = NewInteger(fmt.Sprint("k", i), 1, 1000, false, 0)
	}
	cont, _ := NewReal("lr", 1e-4, 1, true, 0)
	tests := []struct {
		name      string
		dims      []Dimension
		sizeErr   bool // GridSize fails too
		fragments []string
	}{
		{"overflow", big, true, []string{"more than 18446744073709551615 points"}},
		{"continuous", []Dimension{thousand[0], cont}, true, []string{`"lr"`, "continuous", "step", "values"}},
		{"over the limit", thousand, false, []string{"the grid has 1000000000000 points, more than the limit of 1000000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSpace(t, tt.dims...)
			if _, err := s.GridSize(); (err != nil) != tt.sizeErr {
				t.Errorf("GridSize error = %v, want error %v", err, tt.sizeErr)
			}
			grid, err := s.Grid(1_000_000)
			if err == nil {
				t.Fatalf("Grid returned %d points, want an error", len(grid))
			}
			for _, f := range tt.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not contain %q", err, f)
				}
			}
		})
	}
	// GridPoint works on grids far too large to build.
	s := mustSpace(t, thousand...)
	if p := s.GridPoint(1000*1000*1000*1000 - 1); !reflect.DeepEqual(p, Point{int64(1000), int64(1000), int64(1000), int64(1000)}) {
		t.Errorf("last GridPoint = %v", p)
	}
	if p := s.GridPoint(1001); !reflect.DeepEqual(p, Point{int64(1), int64(1), int64(2), int64(2)}) {
		t.Errorf("GridPoint(1001) = %v", p)
	}
}
