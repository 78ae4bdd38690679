package views

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
)

// This file renders what plan, show and analyze say of searches that
// build on searches (stages): where a search's space came from, a
// search whose definition is known only after apply, and an upstream
// whose best changed since the last apply.

// Provenance says where a search's definition came from when it reads
// other searches: "refined around search.coarse's best (trial 12), factor
// 0.5" for a refine block, "reads search.coarse" for every other search
// it reads, joined by "; ". It is "" for a search that reads no other.
func Provenance(s *definition.Search) string {
	if s == nil {
		return ""
	}
	var parts []string
	from := ""
	if r := s.Refine; r != nil {
		from = r.From
		p := fmt.Sprintf("refined around search.%s's best (trial %d), factor %s", r.From, r.Around, strconv.FormatFloat(r.Factor, 'g', -1, 64))
		if len(r.Params) > 0 {
			p += ", params " + strings.Join(r.Params, ", ")
		}
		if r.TopK > 0 {
			p += fmt.Sprintf(", categories of its top %d", r.TopK)
		}
		parts = append(parts, p)
	}
	var reads []string
	for _, u := range s.Upstreams {
		if u != from {
			reads = append(reads, "search."+u)
		}
	}
	if len(reads) > 0 {
		parts = append(parts, "reads "+strings.Join(reads, ", "))
	}
	return strings.Join(parts, "; ")
}

// UpstreamChangeLine is the sentence a plan says of an upstream change:
// "search.fine reads search.coarse, whose best changed from trial 7 to
// trial 12".
func UpstreamChangeLine(search string, c plan.UpstreamChange) string {
	return fmt.Sprintf("search.%s reads search.%s, whose best changed from trial %d to trial %d", search, c.Upstream, c.From, c.To)
}

// deferredTrials is the line of a deferred search's trials: "30 trials
// (known after apply)", or "trials (known after apply)" when the number
// is not known either (grid).
func deferredTrials(s *plan.Search) string {
	if s.Budget > 0 {
		return plural(s.Budget, "trial") + " (known after apply)"
	}
	return "trials (known after apply)"
}

// planDeferred renders a deferred search of a plan: its trials known
// after apply, and why.
func (v *View) planDeferred(s *plan.Search) {
	v.Printf("  %s %s\n", v.Colorize("green", "+"), deferredTrials(s))
	v.Printf("    base_config and params (known after apply): %s\n", s.Deferred.Reason)
	if s.Recorded > 0 {
		v.Printf("    %s in the state, matched once its definition is known\n", plural(s.Recorded, "trial"))
	}
}

// planUpstreams renders the upstream changes of a search.
func (v *View) planUpstreams(s *plan.Search) {
	for _, c := range s.UpstreamChanges {
		v.Printf("    %s %s.\n", v.Colorize("yellow", "Note:"), UpstreamChangeLine(s.Name, c))
	}
}

// PlanDeferredJSON is the "deferred" object of a search in plan -json:
// the search read whose outcome is not known, why, and the trials the
// state holds of it.
type PlanDeferredJSON struct {
	Upstream string `json:"upstream"`
	Reason   string `json:"reason"`
	Recorded int    `json:"recorded"`
}

func newPlanDeferredJSON(s *plan.Search) *PlanDeferredJSON {
	if s.Deferred == nil {
		return nil
	}
	return &PlanDeferredJSON{Upstream: s.Deferred.Upstream, Reason: s.Deferred.Reason, Recorded: s.Recorded}
}

// StageJSON is where a search's definition came from, in show -json and
// analyze -json: the searches it reads, its refine block, and, for a
// search known only after apply, why.
type StageJSON struct {
	Reads    []string          `json:"reads"`
	Refine   *RefineJSON       `json:"refine,omitempty"`
	Deferred *PlanDeferredJSON `json:"deferred,omitempty"`
	Text     string            `json:"text"`
}

// RefineJSON is a search's refine block: the search refined around, the
// factor, the params refined, top_k (0: categoricals unchanged) and the
// trial the space was refined around.
type RefineJSON struct {
	From   string   `json:"from"`
	Factor float64  `json:"factor"`
	Params []string `json:"params"`
	TopK   int      `json:"top_k"`
	Around int      `json:"around"`
}

// NewStageJSON returns the stage of a search, nil for one that reads no
// other search.
func NewStageJSON(s *definition.Search) *StageJSON {
	if s == nil || len(s.Upstreams) == 0 {
		return nil
	}
	js := &StageJSON{Reads: s.Upstreams, Text: Provenance(s)}
	if r := s.Refine; r != nil {
		js.Refine = &RefineJSON{From: r.From, Factor: r.Factor, Params: nonNil(r.Params), TopK: r.TopK, Around: r.Around}
	}
	if d := s.Deferred; d != nil {
		js.Deferred = &PlanDeferredJSON{Upstream: d.Upstream, Reason: d.Reason}
		js.Text = "known after apply: " + d.Reason
	}
	return js
}

// StageLine is what show and analyze print of a search's stage: its
// provenance, or for a deferred search "known after apply: depends on
// ..."; "" for a search that reads no other.
func StageLine(s *definition.Search) string {
	if js := NewStageJSON(s); js != nil {
		return js.Text
	}
	return ""
}
