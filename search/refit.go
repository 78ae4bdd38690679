package search

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"sync"

	"github.com/frameworm/frameworm/gp"
	"github.com/frameworm/frameworm/space"
)

// Fitting the hyperparameters less often in a long search.
//
// Fitting the GP's hyperparameters (L-BFGS from 3 starts on up to 200
// points) was three quarters of the CPU time of a 300-trial search, and
// its result changes little from one observation to the next once there
// are many. So above refitAbove observations, an ask fits them in two
// steps:
//
//   - the full fit (every start) to a prefix of the observations, the
//     first fitPrefix(n) of the n in the request's order. The prefix
//     advances in steps of 5 observations from 100, 10 from 200, 20 from
//     400 and so on: about 20 full fits per doubling of the search
//     instead of one per ask;
//   - then refineIterations of L-BFGS on all n observations, from the
//     prefix's hyperparameters alone (gp.Options.InitOnly).
//
// The prefix's fit is a pure function of the prefix, so proposals stay a
// function of the request; a process-wide memo (fitMemo) only saves
// computing it again on the next asks. After a restart, the first ask
// fits its prefix once more and gets the same hyperparameters.
//
// Measured with fwbench on rosenbrock4 (10 seeds, 1 worker, median
// [Q1, Q3] simple regret at 300 trials): a full fit on every ask 0.00166
// [0.000777, 0.00226]; the prefix's hyperparameters as they are, without
// the refinement, 0.00352 [0.00244, 0.0047], worse on 8 of the 10 seeds
// (the power transform of the objective, and with it the scale the
// hyperparameters are in, moves as the search refines its best).
// The CPU time of 4 seeds to 300 trials: 214 s with a full fit on every
// ask, 97 s without the refinement, 109 s with 10 iterations of it.
//
// Up to refitAbove observations nothing changes: every ask fits all of
// them, from every start.

// refitAbove is the number of observations up to which every ask fits
// the hyperparameters to all of them, from every start.
const refitAbove = 100

// refineIterations bounds the L-BFGS iterations that refine the prefix's
// hyperparameters on all the observations.
const refineIterations = 10

// fitPrefix returns how many of n observations (in the request's order)
// the hyperparameters are fitted to: n up to refitAbove; above it, n
// rounded down to a multiple of 5·2^k, where 2^k is the largest power of 2
// not above n/refitAbove.
func fitPrefix(n int) int {
	if n <= refitAbove {
		return n
	}
	step := 5
	for m := n / refitAbove; m >= 2; m /= 2 {
		step *= 2
	}
	return n - n%step
}

// fitSeed is the seed of the fit's random restarts for n model points.
func fitSeed(seed int64, n int) uint64 {
	return uint64(seed) ^ uint64(n)*0x9e3779b97f4a7c15
}

// fitModel returns the GP posterior of X, ys (the model data of obs): the
// full fit to all of it if b.EveryFit or the search is short, otherwise
// the full fit to the model data of obs[:fitPrefix(len(obs))], refined on
// all of it.
func (b Bayesian) fitModel(sp *space.Space, seed int64, obs []Observation, X [][]float64, ys []float64) (*gp.Model, error) {
	k := fitPrefix(len(obs))
	if b.EveryFit || k == len(obs) {
		return gp.Fit(X, ys, gp.Options{Seed: fitSeed(seed, len(X))})
	}
	Xp, yp, _ := b.modelData(sp, obs[:k])
	if len(Xp) < 2 {
		return gp.Fit(X, ys, gp.Options{Seed: fitSeed(seed, len(X))})
	}
	key := memoKey(seed, Xp, yp)
	h, ok := fitMemo.get(key)
	if !ok {
		m, err := gp.Fit(Xp, yp, gp.Options{Seed: fitSeed(seed, len(Xp))})
		if err != nil {
			return nil, err
		}
		h = m.Hyper()
		fitMemo.put(key, h)
	}
	return gp.Fit(X, ys, gp.Options{Seed: fitSeed(seed, len(X)), Init: &h, InitOnly: true, MaxIterations: refineIterations})
}

// memoKey is a SHA-256 of everything a fit depends on: the seed and the
// data, bit for bit.
func memoKey(seed int64, X [][]float64, y []float64) [sha256.Size]byte {
	hash := sha256.New()
	var buf [8]byte
	word := func(u uint64) {
		binary.LittleEndian.PutUint64(buf[:], u)
		hash.Write(buf[:])
	}
	word(uint64(seed))
	word(uint64(len(y)))
	if len(X) > 0 {
		word(uint64(len(X[0])))
	}
	for i, row := range X {
		for _, v := range row {
			word(math.Float64bits(v))
		}
		word(math.Float64bits(y[i]))
	}
	var key [sha256.Size]byte
	hash.Sum(key[:0])
	return key
}

// hyperMemo is a small least-recently-used memo of fitted
// hyperparameters, safe for concurrent use. Its entries are a few
// hundred bytes each.
type hyperMemo struct {
	mu      sync.Mutex
	entries []memoEntry // most recently used last
	size    int
}

type memoEntry struct {
	key   [sha256.Size]byte
	hyper gp.Hyper
}

// fitMemo holds the hyperparameters of the last prefixes fitted in this
// process: a few concurrent searches (the stages of an apply, the seeds
// of fwbench) each need one at a time.
var fitMemo = &hyperMemo{size: 64}

func (m *hyperMemo) get(key [sha256.Size]byte) (gp.Hyper, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.entries {
		if e.key == key {
			copy(m.entries[i:], m.entries[i+1:])
			m.entries[len(m.entries)-1] = e
			return cloneHyper(e.hyper), true
		}
	}
	return gp.Hyper{}, false
}

func (m *hyperMemo) put(key [sha256.Size]byte, h gp.Hyper) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.entries {
		if e.key == key {
			m.entries = append(m.entries[:i], m.entries[i+1:]...)
			break
		}
	}
	if len(m.entries) >= m.size {
		m.entries = append(m.entries[:0], m.entries[1:]...)
	}
	m.entries = append(m.entries, memoEntry{key: key, hyper: cloneHyper(h)})
}

// reset empties the memo (for tests).
func (m *hyperMemo) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = nil
}

func cloneHyper(h gp.Hyper) gp.Hyper {
	h.LengthScales = append([]float64(nil), h.LengthScales...)
	return h
}
