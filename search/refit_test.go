package search

import (
	"crypto/sha256"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/gp"
)

func TestFitPrefix(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{0, 0}, {1, 1}, {57, 57}, {100, 100},
		{101, 100}, {104, 100}, {105, 105}, {199, 195},
		{200, 200}, {209, 200}, {210, 210}, {399, 390},
		{400, 400}, {419, 400}, {420, 420}, {799, 780},
		{800, 800}, {839, 800}, {1600, 1600}, {3199, 3120},
	} {
		if got := fitPrefix(c.n); got != c.want {
			t.Errorf("fitPrefix(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	// The prefix never runs ahead of the observations or back, lags
	// them by less than 5 % (+5), and is fitted about 20 times per
	// doubling.
	prev, fits := 0, map[int]int{}
	for n := 0; n <= 10000; n++ {
		k := fitPrefix(n)
		if k > n || k < prev || n-k >= n/20+5 {
			t.Fatalf("fitPrefix(%d) = %d after %d", n, k, prev)
		}
		if k != prev && n > refitAbove {
			fits[k/refitAbove]++
		}
		prev = k
	}
	for _, lo := range []int{1, 2, 4, 8, 16, 32} {
		per := 0
		for i := lo; i < 2*lo; i++ {
			per += fits[i]
		}
		if per < 18 || per > 22 {
			t.Errorf("%d fits between %d and %d observations, want about 20", per, lo*refitAbove, 2*lo*refitAbove)
		}
	}
}

// A long search's model refines the hyperparameters of its prefix's fit,
// whether the memo has them or not, and proposes the same points either
// way.
func TestFitModelPrefix(t *testing.T) {
	sp := mixedSpace(t)
	pts, err := Random{}.Propose(Request{Space: sp, Seed: 3}, 131)
	if err != nil {
		t.Fatal(err)
	}
	obs := observeAll(pts)
	obs[7].Failed = true
	b := Bayesian{InitialPoints: 5, Acquisition: "ei"}
	hyperAt := func(b Bayesian, n int) gp.Hyper {
		t.Helper()
		X, ys, _ := b.modelData(sp, obs[:n])
		m, err := b.fitModel(sp, 3, obs[:n], X, ys)
		if err != nil {
			t.Fatal(err)
		}
		if m.Len() != len(X) {
			t.Fatalf("model of %d points, want all %d", m.Len(), len(X))
		}
		return m.Hyper()
	}
	fit := func(n int, opts gp.Options) gp.Hyper {
		t.Helper()
		X, ys, _ := b.modelData(sp, obs[:n])
		m, err := gp.Fit(X, ys, opts)
		if err != nil {
			t.Fatal(err)
		}
		return m.Hyper()
	}
	fitMemo.reset()
	// At 125 observations (124 model points: one failed), the full fit.
	at125 := fit(125, gp.Options{Seed: fitSeed(3, 124)})
	if d := cmp.Diff(at125, hyperAt(b, 125)); d != "" {
		t.Errorf("hyperparameters at 125 observations are not the full fit to them:\n%s", d)
	}
	// From 126 to 129, that fit refined on all of them.
	for n := 126; n < 130; n++ {
		want := fit(n, gp.Options{Seed: fitSeed(3, n-1), Init: &at125, InitOnly: true, MaxIterations: refineIterations})
		if d := cmp.Diff(want, hyperAt(b, n)); d != "" {
			t.Errorf("hyperparameters at %d observations are not those of the first 125 refined:\n%s", n, d)
		}
		if n == 126 {
			// The memo held the prefix's fit: it gives the same without it.
			fitMemo.reset()
		}
	}
	if d := cmp.Diff(fit(130, gp.Options{Seed: fitSeed(3, 129)}), hyperAt(b, 130)); d != "" {
		t.Errorf("hyperparameters at 130 observations are not the full fit to them:\n%s", d)
	}
	every := b
	every.EveryFit = true
	if d := cmp.Diff(fit(128, gp.Options{Seed: fitSeed(3, 127)}), hyperAt(every, 128)); d != "" {
		t.Errorf("EveryFit: hyperparameters at 128 observations are not the full fit to them:\n%s", d)
	}

	req := Request{Space: sp, Seed: 3, Observations: obs[:128], Pending: pts[128:130]}
	fitMemo.reset()
	cold, err := b.Propose(req, 2)
	if err != nil {
		t.Fatal(err)
	}
	warm, err := b.Propose(req, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(cold, warm); d != "" {
		t.Errorf("proposals with and without the memo differ:\n%s", d)
	}
}

func TestHyperMemo(t *testing.T) {
	m := &hyperMemo{size: 3}
	key := func(i byte) [sha256.Size]byte { return [sha256.Size]byte{i} }
	h := func(a float64) gp.Hyper { return gp.Hyper{Amplitude: a, LengthScales: []float64{a}, Noise: 1e-3} }
	for i := range byte(3) {
		m.put(key(i), h(float64(i)))
	}
	if got, ok := m.get(key(0)); !ok || got.Amplitude != 0 {
		t.Fatalf("get(0) = %v, %v", got, ok)
	}
	m.put(key(3), h(3)) // evicts 1, the least recently used
	if _, ok := m.get(key(1)); ok {
		t.Errorf("key 1 survived past the memo's size")
	}
	for _, i := range []byte{0, 2, 3} {
		if got, ok := m.get(key(i)); !ok || got.Amplitude != float64(i) {
			t.Errorf("get(%d) = %v, %v", i, got, ok)
		}
	}
	// What get returns is a copy.
	got, _ := m.get(key(2))
	got.LengthScales[0] = 99
	if again, _ := m.get(key(2)); again.LengthScales[0] != 2 {
		t.Errorf("a caller's change reached the memo: %v", again)
	}
	m.put(key(2), h(5)) // replaces, no duplicate
	if len(m.entries) != 3 {
		t.Errorf("%d entries after replacing one, want 3", len(m.entries))
	}
	if got, _ := m.get(key(2)); got.Amplitude != 5 {
		t.Errorf("replaced entry = %v", got)
	}
	if memoKey(1, [][]float64{{0.5}}, []float64{1}) == memoKey(2, [][]float64{{0.5}}, []float64{1}) ||
		memoKey(1, [][]float64{{0.5}}, []float64{1}) == memoKey(1, [][]float64{{0.25}}, []float64{1}) {
		t.Errorf("memoKey ignores the seed or the data")
	}
}
