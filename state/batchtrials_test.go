package state

import (
	"maps"
	"testing"
)

func TestBatchTrials(t *testing.T) {
	ref := func(n int) TrialRef { return TrialRef{Search: "s", Number: n} }
	put := func(n int) Change { return Change{Put: &Trial{Search: "s", Number: n, Status: Completed}} }
	remove := func(n int) Change { r := ref(n); return Change{Remove: &r} }
	settings := Change{Settings: &SearchSettings{Search: "s"}}
	stored := func(r TrialRef) bool { return r == ref(1) } // trial 1 is stored
	tests := []struct {
		name   string
		cs     []Change
		trials map[TrialRef]bool
		bad    int
	}{
		{"empty", nil, map[TrialRef]bool{}, -1},
		{"puts", []Change{put(2), put(3), settings}, map[TrialRef]bool{ref(2): true, ref(3): true}, -1},
		{"remove stored", []Change{remove(1)}, map[TrialRef]bool{ref(1): false}, -1},
		{"remove put earlier", []Change{put(2), remove(2)}, map[TrialRef]bool{ref(2): false}, -1},
		{"put again after remove", []Change{remove(1), put(1)}, map[TrialRef]bool{ref(1): true}, -1},
		{"remove missing", []Change{put(2), remove(3), remove(4)}, map[TrialRef]bool{ref(2): true}, 1},
		{"remove twice", []Change{put(2), remove(1), remove(1)}, map[TrialRef]bool{ref(2): true, ref(1): false}, 2},
		{"remove before put", []Change{remove(2), put(2)}, map[TrialRef]bool{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trials, bad := BatchTrials(tt.cs, stored)
			if bad != tt.bad || !maps.Equal(trials, tt.trials) {
				t.Errorf("BatchTrials = %v, %d; want %v, %d", trials, bad, tt.trials, tt.bad)
			}
		})
	}
}
