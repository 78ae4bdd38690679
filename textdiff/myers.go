package textdiff

import (
	"math"
	"math/bits"
)

// A differ finds a shortest edit script between the line sequences a and b
// with the linear-space variant of Myers' algorithm ("An O(ND) Difference
// Algorithm and Its Variations", 1986, section 4b): search forward from the
// start and backward from the end until the two searches meet in the
// middle, then recurse on both halves. It follows GNU diff's diag and
// compareseq step for step, so that it picks the same script.
type differ struct {
	a, b []int
	// The search sees a and b without their discarded lines; aLine[i] and
	// bLine[j] give the original index of a[i] and b[j], and del and ins
	// the results: del[aLine[i]] marks a[i] as deleted, ins[bLine[j]]
	// marks b[j] as inserted.
	aLine, bLine []int
	del, ins     []bool
	// fwd[off+k] is the furthest x reached on diagonal k = x-y by the
	// forward search, bwd[off+k] the smallest x reached by the backward one.
	fwd, bwd []int
	off      int
	// limit is the edit cost beyond which split settles for a good
	// rather than a shortest path, to bound the running time.
	limit int
}

func newDiffer(a, b, aLine, bLine []int, del, ins []bool) *differ {
	// Diagonals run from -len(b)-1 to len(a)+1, sentinels included.
	n := len(a) + len(b) + 3
	// About 2*sqrt(n), as in GNU diff, but at least 4096.
	limit := max(4096, 1<<((bits.Len(uint(n))+1)/2))
	return &differ{
		a: a, b: b,
		aLine: aLine, bLine: bLine,
		del: del, ins: ins,
		fwd: make([]int, n), bwd: make([]int, n),
		off:   len(b) + 1,
		limit: limit,
	}
}

// compare marks the deletions and insertions that turn a[a0:a1] into
// b[b0:b1]. With minimal set it never gives up on finding a shortest script.
func (d *differ) compare(a0, a1, b0, b1 int, minimal bool) {
	for {
		for a0 < a1 && b0 < b1 && d.a[a0] == d.b[b0] {
			a0++
			b0++
		}
		for a0 < a1 && b0 < b1 && d.a[a1-1] == d.b[b1-1] {
			a1--
			b1--
		}
		switch {
		case a0 == a1:
			for _, j := range d.bLine[b0:b1] {
				d.ins[j] = true
			}
			return
		case b0 == b1:
			for _, i := range d.aLine[a0:a1] {
				d.del[i] = true
			}
			return
		}
		x, y, loMin, hiMin := d.split(a0, a1, b0, b1, minimal)
		// Recurse on the first half, loop on the second.
		d.compare(a0, x, b0, y, loMin)
		a0, b0, minimal = x, y, hiMin
	}
}

// split returns a point (x, y) on a shortest path from (a0, b0) to (a1, b1)
// in the edit graph, and whether the paths to and from it are to be
// searched minimally. The first lines of the ranges must differ, and so
// must their last lines.
//
// Unless minimal is set, once the cost exceeds d.limit split stops
// searching and returns the point furthest from its corner that either
// search has reached; the script may then be longer than necessary.
func (d *differ) split(a0, a1, b0, b1 int, minimal bool) (x, y int, loMin, hiMin bool) {
	a, b, fwd, bwd, o := d.a, d.b, d.fwd, d.bwd, d.off
	kmin, kmax := a0-b1, a1-b0 // the diagonals that cross the rectangle
	fk, bk := a0-b0, a1-b1     // the diagonals of the start and end corners
	odd := (fk-bk)&1 != 0
	flo, fhi := fk, fk // diagonals reached by the forward search
	blo, bhi := bk, bk // and by the backward one
	fwd[o+fk] = a0
	bwd[o+bk] = a1

	for cost := 1; ; cost++ {
		// One more edit forward: the band of diagonals grows by one on
		// each side unless it hits the edge of the rectangle, in which
		// case it shrinks to keep the parity of cost. The value beyond
		// the band is a sentinel that never wins.
		if flo > kmin {
			flo--
			fwd[o+flo-1] = -1
		} else {
			flo++
		}
		if fhi < kmax {
			fhi++
			fwd[o+fhi+1] = -1
		} else {
			fhi--
		}
		for k := fhi; k >= flo; k -= 2 {
			left, up := fwd[o+k-1], fwd[o+k+1]
			x := up // insertion: step down from diagonal k+1
			if left >= up {
				x = left + 1 // deletion: step right from diagonal k-1
			}
			y := x - k
			for x < a1 && y < b1 && a[x] == b[y] {
				x++
				y++
			}
			fwd[o+k] = x
			if odd && blo <= k && k <= bhi && bwd[o+k] <= x {
				return x, y, true, true
			}
		}

		// One more edit backward, the same way.
		if blo > kmin {
			blo--
			bwd[o+blo-1] = math.MaxInt
		} else {
			blo++
		}
		if bhi < kmax {
			bhi++
			bwd[o+bhi+1] = math.MaxInt
		} else {
			bhi--
		}
		for k := bhi; k >= blo; k -= 2 {
			left, up := bwd[o+k-1], bwd[o+k+1]
			x := up - 1 // deletion: step left from diagonal k+1
			if left < up {
				x = left // insertion: step up from diagonal k-1
			}
			y := x - k
			for x > a0 && y > b0 && a[x-1] == b[y-1] {
				x--
				y--
			}
			bwd[o+k] = x
			if !odd && flo <= k && k <= fhi && x <= fwd[o+k] {
				return x, y, true, true
			}
		}

		if minimal || cost < d.limit {
			continue
		}

		// Too expensive: take the forward point that maximizes x+y or the
		// backward one that minimizes it, whichever got further.
		fx, fxy := 0, -1
		for k := fhi; k >= flo; k -= 2 {
			x := min(fwd[o+k], a1)
			y := x - k
			if y > b1 {
				x, y = b1+k, b1
			}
			if x+y > fxy {
				fx, fxy = x, x+y
			}
		}
		bx, bxy := 0, math.MaxInt
		for k := bhi; k >= blo; k -= 2 {
			x := max(bwd[o+k], a0)
			y := x - k
			if y < b0 {
				x, y = b0+k, b0
			}
			if x+y < bxy {
				bx, bxy = x, x+y
			}
		}
		if fxy-(a0+b0) > (a1+b1)-bxy {
			return fx, fxy - fx, true, false
		}
		return bx, bxy - bx, false, true
	}
}
