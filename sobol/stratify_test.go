package sobol

import (
	"math"
	"testing"
)

// stratified reports the first coordinate j for which the points do not put
// exactly one point in each interval [k/n, (k+1)/n), n = len(pts), or -1.
func stratified(pts [][]float64, n int) int {
	for j := range pts[0] {
		seen := make([]bool, n)
		for _, p := range pts {
			k := int(p[j] * float64(n))
			if seen[k] {
				return j
			}
			seen[k] = true
		}
	}
	return -1
}

// TestStratified1D checks that every block of 2^m consecutive points
// starting at a multiple of 2^m (the first block in particular) is
// stratified in every one-dimensional projection.
func TestStratified1D(t *testing.T) {
	tests := []struct {
		d, m, blocks int
	}{
		{MaxDim, 6, 3},
		{MaxDim, 10, 1},
		{40, 12, 2},
		{6, 16, 1},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, tt := range tests {
				if testing.Short() && tt.d*(1<<tt.m) > 1<<18 {
					continue
				}
				s := mustNew(t, tt.d, 2024, m.scramble)
				n := 1 << tt.m
				for b := range tt.blocks {
					if j := stratified(points(s, n), n); j >= 0 {
						t.Errorf("d=%d, block %d of 2^%d points: dimension %d not stratified", tt.d, b, tt.m, j+1)
					}
				}
			}
		})
	}
}

// TestNet2D checks that the first 2^m points of dimensions 1 and 2 form a
// (0,m,2)-net: each elementary interval
// [a/2^k, (a+1)/2^k) x [b/2^(m-k), (b+1)/2^(m-k)) holds exactly one point.
// Owen scrambling keeps the property.
func TestNet2D(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			for m := 0; m <= 12; m++ {
				n := 1 << m
				pts := points(mustNew(t, 2, 77, md.scramble), n)
				for k := 0; k <= m; k++ {
					nx, ny := 1<<k, 1<<(m-k)
					seen := make([]bool, n)
					for _, p := range pts {
						cell := int(p[0]*float64(nx))*ny + int(p[1]*float64(ny))
						if seen[cell] {
							t.Fatalf("m=%d, %dx%d boxes: two points in box %d", m, nx, ny, cell)
						}
						seen[cell] = true
					}
				}
			}
		})
	}
}

// TestOwenIsNested checks the defining property of a nested scramble on
// 32-bit digit strings: two inputs whose first k digits agree give outputs
// whose first k digits agree and whose digit k+1 differs exactly when the
// inputs' does.
func TestOwenIsNested(t *testing.T) {
	state := uint64(3)
	for range 20000 {
		x, y := uint32(splitmix64(&state)), uint32(splitmix64(&state))
		seed := uint32(splitmix64(&state))
		k := int(splitmix64(&state) % 32)
		// Make y share x's first k digits.
		mask := ^uint32(0) << (32 - k)
		if k == 0 {
			mask = 0
		}
		y = x&mask | y&^mask
		ox, oy := owen(x, seed), owen(y, seed)
		if (ox^oy)&mask != 0 {
			t.Fatalf("owen(%#x), owen(%#x) with seed %#x differ in the first %d digits", x, y, seed, k)
		}
		digit := uint32(1) << (31 - k)
		if (ox^oy)&digit != (x^y)&digit {
			t.Fatalf("digit %d: inputs %#x %#x, outputs %#x %#x", k+1, x, y, ox, oy)
		}
	}
}

// TestScrambledMoments checks that scrambled coordinates look uniform:
// over many points the mean is 1/2 and the variance 1/12.
func TestScrambledMoments(t *testing.T) {
	s := mustNew(t, 16, 9, true)
	const n = 1 << 12
	var sum, sq [16]float64
	for range n {
		for j, x := range s.Next(nil) {
			sum[j] += x
			sq[j] += x * x
		}
	}
	for j := range sum {
		mean := sum[j] / n
		v := sq[j]/n - mean*mean
		if math.Abs(mean-0.5) > 1e-3 || math.Abs(v-1.0/12) > 1e-3 {
			t.Errorf("dimension %d: mean %v, variance %v", j+1, mean, v)
		}
	}
}
