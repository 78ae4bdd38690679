package views

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// ShowJSON is the document `fwapply show -json` prints (DESIGN.md §3).
type ShowJSON struct {
	FormatVersion string                     `json:"format_version"`
	Lineage       string                     `json:"lineage"`
	Serial        uint64                     `json:"serial"`
	Searches      map[string]*ShowSearchJSON `json:"searches"`
	order         []string
}

// ShowSearchJSON is one search in show -json.
type ShowSearchJSON struct {
	Metric   string          `json:"metric"`
	Mode     string          `json:"mode"`
	Defined  bool            `json:"defined"`
	Best     *BestJSON       `json:"best"`
	Trials   []ShowTrialJSON `json:"trials"`
	Excluded int             `json:"excluded"`
}

// ShowTrialJSON is one trial in show -json.
type ShowTrialJSON struct {
	Number   int                `json:"number"`
	Status   string             `json:"status"`
	Params   map[string]any     `json:"params"`
	Metrics  map[string]float64 `json:"metrics"`
	Error    string             `json:"error"`
	Attempts int                `json:"attempts"`
	Tainted  bool               `json:"tainted"`
	Excluded bool               `json:"excluded"`
	Started  *time.Time         `json:"started"`
	Ended    *time.Time         `json:"ended"`
	Duration float64            `json:"duration_seconds"`
	Host     string             `json:"host"`
	Dir      string             `json:"dir"`
}

// NewShowJSON builds the show document for the named searches.
func NewShowJSON(def *definition.Definition, st *state.State, names []string) *ShowJSON {
	doc := &ShowJSON{FormatVersion: FormatVersion, Lineage: st.Lineage, Serial: st.Serial, Searches: map[string]*ShowSearchJSON{}, order: names}
	for _, name := range names {
		s := def.Search(name)
		trials := st.Trials(name)
		js := &ShowSearchJSON{Trials: []ShowTrialJSON{}, Defined: s != nil}
		var matching map[int]bool
		if s != nil {
			// One pass of matching gives both the best and the excluded
			// trials.
			h := plan.Classify(s, trials)
			js.Metric, js.Mode = s.Metric, string(s.Mode)
			js.Best = NewBestJSON(s, h.Best(s))
			matching = h.Matching()
		}
		for _, t := range trials {
			jt := ShowTrialJSON{Number: t.Number, Status: string(t.Status), Params: t.Params, Metrics: t.Metrics, Error: t.Error,
				Attempts: t.Attempts, Tainted: t.Tainted, Host: t.Host, Dir: t.Dir}
			if jt.Metrics == nil {
				jt.Metrics = map[string]float64{}
			}
			if !t.Started.IsZero() {
				started := t.Started
				jt.Started = &started
			}
			if !t.Ended.IsZero() {
				ended := t.Ended
				jt.Ended = &ended
				jt.Duration = t.Ended.Sub(t.Started).Seconds()
			}
			jt.Excluded = !matching[t.Number]
			if jt.Excluded {
				js.Excluded++
			}
			js.Trials = append(js.Trials, jt)
		}
		doc.Searches[name] = js
	}
	return doc
}

// Show renders the show document for people.
func (v *View) Show(doc *ShowJSON, def *definition.Definition) {
	if len(doc.order) == 0 {
		v.Printf("No searches.\n")
		return
	}
	for i, name := range doc.order {
		js := doc.Searches[name]
		if i > 0 {
			v.Printf("\n")
		}
		s := def.Search(name)
		counts := map[string]int{}
		for _, t := range js.Trials {
			counts[t.Status]++
		}
		head := fmt.Sprintf("search.%s", name)
		if s != nil {
			head += fmt.Sprintf(" (%s, %s %s)", s.Strategy, s.Mode, s.Metric)
		} else {
			head += " (no longer defined)"
		}
		v.Printf("%s: %d trials", v.Colorize("bold", head), len(js.Trials))
		for _, st := range []string{"completed", "failed", "running", "interrupted"} {
			if counts[st] > 0 {
				v.Printf(", %d %s", counts[st], st)
			}
		}
		if js.Excluded > 0 {
			v.Printf(", %d excluded", js.Excluded)
		}
		v.Printf("\n")
		if len(js.Trials) == 0 {
			continue
		}
		var params []string
		if s != nil {
			for _, p := range s.Params {
				params = append(params, p.Path)
			}
		}
		tw := tabwriter.NewWriter(v.Stdout, 0, 0, 2, ' ', 0)
		metric := "metric"
		if s != nil {
			metric = s.Metric
		}
		fmt.Fprintf(tw, "  #\tstatus\t%s\tduration\t%s\n", metric, strings.Join(params, "\t"))
		for _, t := range js.Trials {
			status := t.Status
			if t.Excluded {
				status += " (excluded)"
			}
			if t.Tainted {
				status += " (tainted)"
			}
			score := "-"
			if x, ok := t.Metrics[metric]; ok && s != nil {
				score = FormatScore(x)
			} else if t.Error != "" {
				score = "error: " + truncate(t.Error, 40)
			}
			dur := "-"
			if t.Ended != nil {
				dur = time.Duration(t.Duration * float64(time.Second)).Round(time.Millisecond).String()
			}
			var vals []string
			for _, p := range params {
				vals = append(vals, FormatValue(t.Params[p]))
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", t.Number, status, score, dur, strings.Join(vals, "\t"))
		}
		tw.Flush()
		if js.Best == nil {
			v.Printf("  No completed trial matches the definition yet.\n")
			continue
		}
		v.Printf("  Best %s: %s (trial %d)\n  Best config:\n%s", metric, FormatScore(js.Best.Score), js.Best.Trial, indent(jsonText(js.Best.Config), "    "))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// Watch renders the compact summary of show -watch: one line per search
// with its progress against the budget, failures and the best so far.
func (v *View) Watch(doc *ShowJSON, def *definition.Definition, now time.Time) {
	v.Printf("%s  (state serial %d)\n", now.Format("15:04:05"), doc.Serial)
	for _, name := range doc.order {
		js := doc.Searches[name]
		counts := map[string]int{}
		for _, t := range js.Trials {
			if !t.Excluded {
				counts[t.Status]++
			}
		}
		line := fmt.Sprintf("search.%s: %d completed", name, counts["completed"])
		if s := def.Search(name); s != nil {
			if budget, err := plan.Budget(s); err == nil {
				line = fmt.Sprintf("search.%s: %d/%d completed", name, counts["completed"], budget)
			}
		}
		for _, st := range []string{"running", "failed", "interrupted"} {
			if counts[st] > 0 {
				line += fmt.Sprintf(", %d %s", counts[st], st)
			}
		}
		if js.Best != nil {
			line += fmt.Sprintf(", best %s=%s (trial %d)", js.Metric, FormatScore(js.Best.Score), js.Best.Trial)
		}
		v.Printf("%s\n", line)
	}
}
