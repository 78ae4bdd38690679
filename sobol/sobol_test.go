package sobol

import (
	"slices"
	"testing"
)

func TestNewDimensionRange(t *testing.T) {
	for _, d := range []int{-1, 0, MaxDim + 1} {
		if _, err := New(d, 1, true); err == nil {
			t.Errorf("New(%d) succeeded", d)
		}
	}
	for _, d := range []int{1, 2, MaxDim} {
		s := mustNew(t, d, 1, true)
		if s.Dim() != d || s.Index() != 0 {
			t.Errorf("New(%d): Dim %d, Index %d", d, s.Dim(), s.Index())
		}
	}
}

// TestTextbookPoints checks the first unscrambled points of dimensions
// 1..3 against the values tabulated by Joe and Kuo (and SciPy).
func TestTextbookPoints(t *testing.T) {
	want := [][]float64{
		{0, 0, 0},
		{0.5, 0.5, 0.5},
		{0.75, 0.25, 0.25},
		{0.25, 0.75, 0.75},
		{0.375, 0.375, 0.625},
		{0.875, 0.875, 0.125},
		{0.625, 0.125, 0.875},
		{0.125, 0.625, 0.375},
		{0.1875, 0.3125, 0.9375},
	}
	for d := 1; d <= 3; d++ {
		s := mustNew(t, d, 99, false)
		for i, w := range want {
			if got := s.Next(nil); !slices.Equal(got, w[:d]) {
				t.Errorf("d=%d point %d = %v, want %v", d, i, got, w[:d])
			}
		}
	}
}

func TestRangeAndReuse(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s := mustNew(t, 8, 5, m.scramble)
			buf := make([]float64, 8)
			for i := range 5000 {
				got := s.Next(buf)
				if &got[0] != &buf[0] {
					t.Fatal("Next did not write into dst")
				}
				for j, x := range got {
					if !(x >= 0 && x < 1) {
						t.Fatalf("point %d coordinate %d = %v outside [0,1)", i, j, x)
					}
					if m.scramble && x == 0 {
						t.Fatalf("scrambled point %d coordinate %d is 0", i, j)
					}
				}
			}
		})
	}
}

func TestNextWrongLengthPanics(t *testing.T) {
	s := mustNew(t, 3, 0, false)
	mustPanic(t, "Next with len 2", func() { s.Next(make([]float64, 2)) })
	mustPanic(t, "Next with len 4", func() { s.Next(make([]float64, 4)) })
}

func TestSkipMatchesNext(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ref := points(mustNew(t, 12, 7, m.scramble), 300)
			for _, n := range []uint64{0, 1, 2, 3, 64, 127, 128, 129, 255} {
				s := mustNew(t, 12, 7, m.scramble)
				s.Next(nil)
				s.Skip(n)
				if s.Index() != n+1 {
					t.Fatalf("Index after Next, Skip(%d) = %d", n, s.Index())
				}
				for i := range 40 {
					if got := s.Next(nil); !slices.Equal(got, ref[int(n)+1+i]) {
						t.Fatalf("Skip(%d): point %d = %v, want %v", n, int(n)+1+i, got, ref[int(n)+1+i])
					}
				}
			}
		})
	}
}

func TestExhaustion(t *testing.T) {
	s := mustNew(t, 2, 0, false)
	s.Skip(MaxPoints - 1)
	// Point 2^32-1 has Gray code 2^31: only V_32 = 2^-32 contributes.
	if got := s.Next(nil); got[0] != 0x1p-32 {
		t.Errorf("last point %v, want first coordinate 2^-32", got)
	}
	mustPanic(t, "Next past MaxPoints", func() { s.Next(nil) })
	mustPanic(t, "Skip past MaxPoints", func() { mustNew(t, 1, 0, false).Skip(MaxPoints + 1) })
	s = mustNew(t, 1, 0, false)
	s.Skip(MaxPoints)
	mustPanic(t, "Next at MaxPoints", func() { s.Next(nil) })
}

func TestSeeds(t *testing.T) {
	a := points(mustNew(t, 5, 1, true), 64)
	b := points(mustNew(t, 5, 1, true), 64)
	c := points(mustNew(t, 5, 2, true), 64)
	plain := points(mustNew(t, 5, 1, false), 64)
	plain2 := points(mustNew(t, 5, 2, false), 64)
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("same seed, point %d: %v vs %v", i, a[i], b[i])
		}
		if !slices.Equal(plain[i], plain2[i]) {
			t.Fatalf("unscrambled sequence depends on the seed at point %d", i)
		}
		for j := range a[i] {
			if a[i][j] == c[i][j] || a[i][j] == plain[i][j] {
				t.Errorf("point %d coordinate %d: seeds 1 and 2 or plain agree (%v)", i, j, a[i][j])
			}
		}
	}
}

// TestPrefixDimensions checks that the first k coordinates do not depend
// on the total dimension.
func TestPrefixDimensions(t *testing.T) {
	for _, m := range modes {
		small := points(mustNew(t, 3, 11, m.scramble), 100)
		big := points(mustNew(t, 40, 11, m.scramble), 100)
		for i := range small {
			if !slices.Equal(small[i], big[i][:3]) {
				t.Fatalf("%s point %d: %v vs %v", m.name, i, small[i], big[i][:3])
			}
		}
	}
}

// TestGoldenScrambled pins the scrambled points bit for bit, so a change
// of the scrambling (which would change every seeded search) is caught.
func TestGoldenScrambled(t *testing.T) {
	want := [][]uint64{
		{0x124f961423b000, 0x955a71ca3bbfd, 0xd59934e8b7844},
		{0x2a78709e7707, 0x1560900f5c7fec, 0x1cddfad678f5d8},
		{0xa1f39f9d3e744, 0x2ec3a3b866dae, 0x35750be7afa5e},
		{0x18074767a71e48, 0x1a132c309ff330, 0x12bb0a135cb4de},
		{0x1c9252a6822e3b, 0x7ae5db9c4aa5e, 0x1b22d729134c5d},
		{0xce8318176d5da, 0x1ebe327b68de50, 0x90677dee39b88},
	}
	s := mustNew(t, 3, 42, true)
	for i, w := range want {
		p := s.Next(nil)
		for j := range p {
			if got := uint64(p[j] * 0x1p53); got != w[j] {
				t.Errorf("point %d coordinate %d = %#x, want %#x", i, j, got, w[j])
			}
		}
	}
}
