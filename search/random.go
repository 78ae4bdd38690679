package search

import (
	"math/rand/v2"

	"github.com/frameworm/frameworm/space"
)

// Random samples the space uniformly (log-uniformly on log dimensions),
// without replacement.
//
// The points come from one stream seeded by the seed: Propose replays the
// stream from its start and returns the first n points not yet seen. So a
// search that runs its first 20 points and is then raised to 30 trials gets
// the same 20 and 10 more, whatever the order of applies.
//
// Replaying costs no key per point: the seen points are a space.Set, and
// a drawn point that was seen is never built.
//
// On a finite space the stream is rejection sampling; once it stops finding
// unseen points (a nearly exhausted space), the remaining unseen grid points
// are shuffled with the same source and taken in that order.
type Random struct{}

// randomStream is the PCG stream constant for random search; changing it
// changes every plan.
const randomStream = 0x6672616d65776f72 // "framewor"

// maxRejections bounds consecutive duplicate samples before Random falls
// back to enumerating the unseen points of a finite space.
const maxRejections = 1000

// maxEnumerate bounds the finite spaces Random enumerates when nearly
// exhausted; larger ones cannot get there in practice.
const maxEnumerate = 1 << 22

// Propose implements Strategy.
func (Random) Propose(req Request, n int) ([]space.Point, error) {
	if err := checkN(n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	sp := req.Space
	r := rand.New(rand.NewPCG(uint64(req.Seed), randomStream))
	done := seenSet(req, n)
	size, finiteErr := sp.GridSize()
	finite := finiteErr == nil
	var out []space.Point
	rejections := 0
	for len(out) < n {
		if finite && uint64(done.Len()) >= size {
			return out, nil // exhausted
		}
		// The same draws as sp.Sample(r), without building seen points.
		p, isNew := done.AddSample(r)
		if !isNew {
			rejections++
			if finite && size <= maxEnumerate && rejections > maxRejections {
				return append(out, remaining(sp, done, r, n-len(out))...), nil
			}
			continue
		}
		rejections = 0
		out = append(out, p)
	}
	return out, nil
}

// remaining returns up to n unseen grid points of a finite space in a
// random order drawn from r.
func remaining(sp *space.Space, done *space.Set, r *rand.Rand, n int) []space.Point {
	size, _ := sp.GridSize()
	var idx []uint64
	for i := uint64(0); i < size; i++ {
		if !done.Has(sp.GridPoint(i)) {
			idx = append(idx, i)
		}
	}
	r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	out := make([]space.Point, 0, min(n, len(idx)))
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, sp.GridPoint(i))
	}
	return out
}
