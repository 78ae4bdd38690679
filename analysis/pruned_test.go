package analysis

import (
	"math/rand/v2"
	"testing"

	"github.com/frameworm/frameworm/space"
)

// TestPrunedNeverScores: a trial the pruner stopped counts by its status,
// but is never the best, never among the best N, not in the convergence
// and not in the importance, whatever score it carries (the value it was
// pruned at may look better than any completed trial's).
func TestPrunedNeverScores(t *testing.T) {
	trials := append(history(), Trial{Number: 11, Status: "pruned", Score: -1000, Started: at(60), Ended: at(61)})
	s := Summarize("s", "loss", "min", trials)
	if s.Best == nil || s.Best.Number != 7 || s.ByStatus["pruned"] != 1 {
		t.Errorf("best %+v, by status %v; want trial 7, 1 pruned", s.Best, s.ByStatus)
	}
	for _, b := range BestN(trials, "min", 100) {
		if b.Status != StatusCompleted {
			t.Errorf("best N has a %s trial, #%d", b.Status, b.Number)
		}
	}
	for _, c := range Convergence(trials, "min") {
		if c.Trial == 11 || c.BestSoFar < 1 {
			t.Errorf("the pruned trial is in the convergence: %+v", c)
		}
	}

	sp, err := space.New(mustReal(t, "x", 0, 1, false))
	if err != nil {
		t.Fatal(err)
	}
	usable := sampleTrials(sp, 8, 1, func(p space.Point, _ *rand.Rand) float64 { return p[0].(float64) })
	pruned := sampleTrials(sp, 30, 2, func(space.Point, *rand.Rand) float64 { return 0 })
	for i := range pruned {
		pruned[i].Number += 100
		pruned[i].Status = "pruned"
	}
	r, err := EstimateImportance(sp, nil, append(usable, pruned...), 1)
	if err != nil || r.Usable != 8 {
		t.Errorf("importance used %d trials (%v), want the 8 completed ones", r.Usable, err)
	}
}
