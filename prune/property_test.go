package prune

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The property: decisions depend on the complete progress only. A search
// is simulated with progress arriving in a random interleaving, Decide
// called at random moments (each trial with after = its last Checked, its
// peers as Settle returns them, in a random order), pruned trials writing
// a few more lines before they stop and trials ending while waiting; the
// decisions must equal those computed once, in trial-number order, from
// the complete progress.

// world is a search's complete progress: what its trials report when
// nothing is pruned.
type world struct {
	s      Settings
	trials []Trial
}

func randomSettings(r *rand.Rand) Settings {
	s := Settings{Metric: "m", Maximize: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		s.Kind = Median
		s.StartupTrials = r.IntN(5)
		s.WarmupSteps = r.IntN(4)
		s.Interval = 1 + r.IntN(3)
	} else {
		s.Kind = ASHA
		s.MinSteps = 1 + r.IntN(2)
		s.ReductionFactor = 2 + r.IntN(3)
		s.MaxSteps = 3 + r.IntN(40)
	}
	return s
}

func randomValue(r *rand.Rand) float64 {
	switch x := r.IntN(100); {
	case x < 5:
		return math.NaN()
	case x < 7:
		return math.Inf(1)
	case x < 9:
		return math.Inf(-1)
	case x < 12:
		return math.Copysign(0, -1) // equal to 0, written apart
	default:
		return float64(r.IntN(12)) / 10 // few values: ties
	}
}

func randomSteps(r *rand.Rand, n int) []Step {
	steps := make([]Step, 0, n)
	st := int64(r.IntN(2))
	for range n {
		steps = append(steps, Step{st, randomValue(r)})
		switch x := r.IntN(100); {
		case x < 5:
			st -= int64(r.IntN(3)) // a repeated step, or one going back
		case x < 25:
			st += 2 + int64(r.IntN(3)) // skipped steps
		default:
			st++
		}
	}
	return steps
}

func randomWorld(r *rand.Rand) world {
	w := world{s: randomSettings(r)}
	for i := range 1 + r.IntN(12) {
		w.trials = append(w.trials, Trial{
			Number:    i,
			Steps:     randomSteps(r, r.IntN(22)),
			Ended:     true,
			Completed: r.IntN(4) != 0,
		})
	}
	return w
}

// reference decides every trial once, from the complete progress, in
// trial-number order.
func reference(t testing.TB, w world) []Decision {
	ds := make([]Decision, len(w.trials))
	seen := make([]Trial, len(w.trials))
	for i, tr := range w.trials {
		ds[i] = Decide(w.s, tr, seen[:i], Start)
		if ds[i].Waiting {
			t.Fatalf("trial %d waits with every peer ended: %+v", i, ds[i])
		}
		seen[i] = Settle(w.s, tr, ds[i])
	}
	return ds
}

// simStats counts what a simulation went through.
type simStats struct {
	waits int // calls that returned Waiting
	late  int // prunes decided when the trial had gone past the step, or ended
}

// simulate runs the search with progress arriving in a random order.
func simulate(t testing.TB, w world, r *rand.Rand, st *simStats) []Decision {
	n := len(w.trials)
	type live struct {
		cur    Trial
		dec    Decision
		next   int // the next step of w.trials to report
		extra  int // with dec.Prune: the lines it still writes before it stops
		active bool
	}
	ts := make([]live, n)
	for i := range ts {
		ts[i].cur.Number = i
		ts[i].dec.Checked = Start
		ts[i].active = true
	}
	// pass calls Decide for every trial not pruned, in the given order.
	pass := func(order []int) {
		for _, i := range order {
			if ts[i].dec.Prune {
				continue
			}
			peers := make([]Trial, 0, n)
			for j := range i {
				peers = append(peers, Settle(w.s, ts[j].cur, ts[j].dec))
			}
			r.Shuffle(len(peers), func(a, b int) { peers[a], peers[b] = peers[b], peers[a] })
			if r.IntN(4) == 0 && i+1 < n { // trials above are ignored
				peers = append(peers, ts[i+1].cur)
			}
			d := Decide(w.s, ts[i].cur, peers, ts[i].dec.Checked)
			ts[i].dec = d
			switch {
			case d.Waiting:
				st.waits++
			case d.Prune:
				ts[i].extra = r.IntN(3)
				if m, _ := maxStep(ts[i].cur.Steps); m > d.Step || ts[i].cur.Ended {
					st.late++
				}
			}
		}
	}
	for {
		var pending []int
		for i := range ts {
			if ts[i].active {
				pending = append(pending, i)
			}
		}
		if len(pending) == 0 {
			break
		}
		l := &ts[pending[r.IntN(len(pending))]]
		all := w.trials[l.cur.Number].Steps
		switch {
		case l.dec.Prune && l.extra == 0 || l.next == len(all):
			// It stops: killed after a prune, or its own end.
			l.cur.Ended = true
			l.cur.Completed = !l.dec.Prune && w.trials[l.cur.Number].Completed
			l.active = false
		default:
			if l.dec.Prune {
				l.extra--
			}
			l.cur.Steps = all[:l.next+1]
			l.next++
		}
		if r.IntN(3) == 0 {
			pass(r.Perm(n))
		}
	}
	// Every trial ended: passes in number order settle everything.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for range n + 1 {
		pass(order)
	}
	ds := make([]Decision, n)
	for i := range ts {
		if ts[i].dec.Waiting {
			t.Fatalf("trial %d still waits after every trial ended: %+v", i, ts[i].dec)
		}
		ds[i] = ts[i].dec
	}
	return ds
}

func checkWorld(t testing.TB, w world, r *rand.Rand, st *simStats) {
	want := reference(t, w)
	got := simulate(t, w, r, st)
	for i := range want {
		if !sameDecision(got[i], want[i]) {
			t.Fatalf("%s\ntrial %d: progress arriving in a random order gives\n  %+v\nthe complete progress\n  %+v",
				describe(w), i, got[i], want[i])
		}
	}
}

func describe(w world) string {
	s := fmt.Sprintf("settings %+v\n", w.s)
	for _, tr := range w.trials {
		s += fmt.Sprintf("  trial %d completed=%v: %v\n", tr.Number, tr.Completed, tr.Steps)
	}
	return s
}

func TestOrderIndependence(t *testing.T) {
	worlds := 3000
	if testing.Short() {
		worlds = 300
	}
	pruned := 0
	var st simStats
	for seed := range uint64(worlds) {
		r := rand.New(rand.NewPCG(seed, 13))
		w := randomWorld(r)
		for _, d := range reference(t, w) {
			if d.Prune {
				pruned++
			}
		}
		for range 3 {
			checkWorld(t, w, r, &st)
		}
	}
	// The worlds must exercise pruning, waiting and late decisions, or
	// the property says little.
	t.Logf("%d worlds: %d trials pruned; simulations: %d waits, %d late prunes", worlds, pruned, st.waits, st.late)
	if pruned < worlds/2 || st.waits < worlds || st.late < worlds/10 {
		t.Errorf("too few prunes, waits or late prunes")
	}
}

// TestPeerOrder: shuffling the peers never changes a decision.
func TestPeerOrder(t *testing.T) {
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 7))
		w := randomWorld(r)
		last := w.trials[len(w.trials)-1]
		last.Ended, last.Completed = false, false
		peers := w.trials[:len(w.trials)-1]
		for i := range peers {
			peers[i].Ended = r.IntN(2) == 0
			peers[i].Completed = peers[i].Ended && peers[i].Completed
		}
		want := Decide(w.s, last, peers, Start)
		for range 5 {
			shuffled := append([]Trial(nil), peers...)
			r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
			if got := Decide(w.s, last, shuffled, Start); !sameDecision(got, want) {
				t.Fatalf("%s\nshuffled peers give %+v, want %+v", describe(w), got, want)
			}
		}
	}
}

func FuzzDecide(f *testing.F) {
	f.Fuzz(func(t *testing.T, seed uint64, stream uint64) {
		r := rand.New(rand.NewPCG(seed, stream))
		checkWorld(t, randomWorld(r), r, new(simStats))
	})
}
