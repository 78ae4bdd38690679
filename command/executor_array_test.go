package command

import (
	"testing"

	"github.com/frameworm/frameworm/definition"
)

// TestRouterArraySubmitter: the router hands apply a Submitter exactly
// for the searches whose executor block has array = true.
func TestRouterArraySubmitter(t *testing.T) {
	arrays := &definition.Executor{Type: "slurm", Name: "arrays", Array: true}
	single := &definition.Executor{Type: "slurm", Name: "single"}
	def := &definition.Definition{Searches: []*definition.Search{
		{Name: "local"},
		{Name: "a", Trial: definition.Trial{Executor: arrays}},
		{Name: "s", Trial: definition.Trial{Executor: single}},
	}}
	r := newRouter(def, &recordingLocal{})
	defer r.Close()
	for _, tc := range []struct {
		search string
		want   bool
	}{{"local", false}, {"a", true}, {"s", false}, {"unknown", false}} {
		sub := r.ArraySubmitter(tc.search)
		if got := sub != nil; got != tc.want {
			t.Errorf("ArraySubmitter(%q) = %v, want a Submitter: %v", tc.search, sub, tc.want)
		}
		if sub != nil && any(sub) != any(r.bySearch[tc.search]) {
			t.Errorf("ArraySubmitter(%q) is not the search's executor", tc.search)
		}
	}
	if r := newRouter(executorsFor(def, "local"), &recordingLocal{}); r.ArraySubmitter("a") != nil {
		t.Error("-executor=local still submits arrays")
	}
}
