package views

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/state"
)

// metricsFixture is the shared fixture with trials that report several
// metrics: the objective val_loss, the declared val_acc, and train_loss
// and lr_final, which the search does not declare.
func metricsFixture(t *testing.T) (*definition.Definition, *state.State) {
	t.Helper()
	def, st := fixture(t)
	def.Searches[0].Metrics = []string{"val_loss", "val_acc"}
	extra := map[int]map[string]float64{
		0: {"val_acc": 0.912345678, "train_loss": 0.25, "lr_final": 1.5e-7},
		1: {"val_acc": 0.95, "train_loss": 0.125},
	}
	for number, metrics := range extra {
		tr := st.Trial("coarse", number).Clone()
		for k, v := range metrics {
			tr.Metrics[k] = v
		}
		if err := st.Apply(state.Change{Put: tr}); err != nil {
			t.Fatal(err)
		}
	}
	return def, st
}

func TestShowMetricsGolden(t *testing.T) {
	def, st := metricsFixture(t)
	doc := NewShowJSON(def, st, []string{"coarse"})
	golden(t, "show_metrics", render(func(v *View) { v.Show(doc, def) }))
	golden(t, "show_metrics_selected", render(func(v *View) { v.Show(doc, def, "train_loss", "val_acc") }))
}

func TestStateListGolden(t *testing.T) {
	def, st := metricsFixture(t)
	trials := st.Trials("coarse")
	tainted := trials[1].Clone()
	tainted.Tainted = true
	if err := st.Apply(state.Change{Put: tainted}); err != nil {
		t.Fatal(err)
	}
	trials = st.Trials("coarse")
	golden(t, "state_list", render(func(v *View) { v.StateList(trials, def) }))
	// Without the definition the objective is unknown: metrics by name.
	golden(t, "state_list_nodef", render(func(v *View) { v.StateList(trials, nil) }))
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name      string
		objective string
		declared  []string
		reported  []map[string]float64
		want      []string
	}{
		{"objective only", "loss", nil, nil, []string{"loss"}},
		{"declared order, then others by name", "loss", []string{"loss", "acc"},
			[]map[string]float64{{"zeta": 1, "loss": 1}, {"alpha": 1, "acc": 1}}, []string{"loss", "acc", "alpha", "zeta"}},
		{"objective first even when declared later", "loss", []string{"acc", "loss"}, nil, []string{"loss", "acc"}},
		{"no objective", "", nil, []map[string]float64{{"b": 1, "a": 2}}, []string{"a", "b"}},
		{"nothing", "", nil, []map[string]float64{nil}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MetricNames(tt.objective, tt.declared, tt.reported...)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
