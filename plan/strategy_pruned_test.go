package plan

import (
	"testing"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search"
)

// TestStrategyForPrunedTrials: the bayesian block's pruned_trials reaches
// the strategy, each value of the language as the option of the same name.
func TestStrategyForPrunedTrials(t *testing.T) {
	known := map[string]bool{search.PrunedWorst: true, search.PrunedValue: true, search.PrunedExclude: true}
	for _, v := range definition.PrunedTrialsOptions {
		if !known[v] {
			t.Errorf("pruned_trials = %q is no option of search.Bayesian", v)
		}
		o := definition.DefaultBayesian(20)
		o.PrunedTrials = v
		st, err := StrategyFor(&definition.Search{Strategy: definition.Bayesian, Trials: 20, Bayesian: o})
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := st.(search.Bayesian); !ok || b.PrunedTrials != v {
			t.Errorf("pruned_trials = %q: strategy %#v", v, st)
		}
	}
	st, _ := StrategyFor(&definition.Search{Strategy: definition.Bayesian, Trials: 20})
	if b := st.(search.Bayesian); b.PrunedTrials != definition.DefaultPrunedTrials {
		t.Errorf("without a bayesian block: pruned_trials %q, want %q", b.PrunedTrials, definition.DefaultPrunedTrials)
	}
}
