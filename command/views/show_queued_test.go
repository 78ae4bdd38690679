package views

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/state"
)

// TestShowQueued: show says where trials run by a scheduler ran and how
// long they queued, in the text (show_queued.golden: a queued and a job
// column) and in the JSON ("job", "queued_seconds", only for them); the
// streamed JSON writes the same.
func TestShowQueued(t *testing.T) {
	def, st := fixture(t)
	for i, tr := range st.Trials("coarse")[:2] {
		q := tr.Clone()
		q.Host, q.Job = fmt.Sprintf("slurm:node1 job 812_%d", i), fmt.Sprintf("slurm:812_%d", i)
		q.Queued = time.Duration(i+1) * 42500 * time.Millisecond
		if err := st.Apply(state.Change{Put: q}); err != nil {
			t.Fatal(err)
		}
	}
	doc := NewShowJSON(def, st, []string{"coarse"})
	golden(t, "show_queued", render(func(v *View) { v.Show(doc, def) }))

	js := showJSONOf(t, def, st, []string{"coarse"})
	if streamed := streamedShowJSON(t, def, st, []string{"coarse"}); streamed != js {
		t.Errorf("streamed show -json differs:\n%s\nvs\n%s", streamed, js)
	}
	var got struct {
		Searches map[string]struct {
			Trials []map[string]any
		}
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	trials := got.Searches["coarse"].Trials
	if len(trials) < 3 {
		t.Fatalf("%d trials", len(trials))
	}
	if trials[1]["job"] != "slurm:812_1" || trials[1]["queued_seconds"] != 85.0 {
		t.Errorf("trial 1: job %v, queued_seconds %v; want slurm:812_1, 85", trials[1]["job"], trials[1]["queued_seconds"])
	}
	if _, ok := trials[2]["job"]; ok {
		t.Errorf("a local trial has a job: %v", trials[2])
	}
	if _, ok := trials[2]["queued_seconds"]; ok {
		t.Errorf("a local trial has a queue wait: %v", trials[2])
	}
	if strings.Contains(js, `"queued_seconds": 0`) {
		t.Errorf("show -json writes a zero queue wait:\n%s", js)
	}
}
