package views

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frameworm/frameworm/apply"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/state"
)

// ApplyProgress prints one line per ended trial: the plain progress view
// for logs and pipes.
type ApplyProgress struct {
	View *View
	Def  *definition.Definition
	mu   sync.Mutex
}

// Observe implements apply.Observer.
func (p *ApplyProgress) Observe(ev apply.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.View
	s := p.Def.Search(ev.Search)
	switch ev.Kind {
	case apply.TrialEnded:
		t := ev.Trial
		status := string(t.Status)
		switch t.Status {
		case state.Completed:
			status = v.Colorize("green", status) + fmt.Sprintf(" %s=%s", s.Metric, FormatScore(t.Metrics[s.Metric]))
		case state.Failed:
			status = v.Colorize("red", status) + ": " + t.Error
		case state.Interrupted:
			status = v.Colorize("yellow", status)
		}
		v.Printf("search.%s: trial %d %s  [%s]\n", ev.Search, t.Number, status, progressText(s, ev.Progress))
	case apply.SearchEnded:
		if ev.StoppedBy != "" {
			v.Printf("search.%s: stopped: %s\n", ev.Search, ev.StoppedBy)
		}
	}
}

func progressText(s *definition.Search, p apply.Progress) string {
	parts := []string{fmt.Sprintf("%d/%d", p.Done, p.Total)}
	if p.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", p.Failed))
	}
	if p.Best != nil {
		parts = append(parts, fmt.Sprintf("best %s (trial %d)", FormatScore(p.Best.Metrics[s.Metric]), p.Best.Number))
	}
	if eta := ETA(p); eta > 0 {
		parts = append(parts, "ETA "+eta.Round(time.Second).String())
	}
	return strings.Join(parts, ", ")
}

// ETA estimates the time left from the pace of the trials ended so far.
func ETA(p apply.Progress) time.Duration {
	if p.Done == 0 || p.Done >= p.Total || p.Started.IsZero() {
		return 0
	}
	per := time.Since(p.Started) / time.Duration(p.Done)
	return per * time.Duration(p.Total-p.Done)
}

// FormatScore renders a metric value.
func FormatScore(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// BestJSON is a search's best trial in machine-readable output.
type BestJSON struct {
	Trial  int            `json:"trial"`
	Score  float64        `json:"score"`
	Params map[string]any `json:"params"`
	Config map[string]any `json:"config"`
}

// NewBestJSON returns the JSON form of a best trial, or nil.
func NewBestJSON(s *definition.Search, t *state.Trial) *BestJSON {
	if t == nil {
		return nil
	}
	return &BestJSON{Trial: t.Number, Score: t.Metrics[s.Metric], Params: t.Params, Config: t.Config}
}

// ApplyJSON is the document `fwapply apply -json` prints at the end.
type ApplyJSON struct {
	FormatVersion string                      `json:"format_version"`
	Searches      map[string]*ApplySearchJSON `json:"searches"`
}

// ApplySearchJSON is what an apply did for one search.
type ApplySearchJSON struct {
	Completed   int                       `json:"completed"`
	Failed      int                       `json:"failed"`
	Interrupted int                       `json:"interrupted"`
	NotRun      int                       `json:"not_run"`
	Kept        int                       `json:"kept"`
	StoppedBy   string                    `json:"stopped_by,omitempty"`
	Best        *BestJSON                 `json:"best"`
	BestBefore  *BestJSON                 `json:"best_before"`
	BestChanges []definition.ConfigChange `json:"best_changes"`
}

// NewApplyJSON builds the JSON document of an apply.
func NewApplyJSON(res *apply.Result, def *definition.Definition) *ApplyJSON {
	doc := &ApplyJSON{FormatVersion: FormatVersion, Searches: map[string]*ApplySearchJSON{}}
	for _, sr := range res.Searches {
		s := def.Search(sr.Name)
		js := &ApplySearchJSON{Completed: sr.Completed, Failed: sr.Failed, Interrupted: sr.Interrupted, NotRun: sr.NotRun, Kept: sr.Kept,
			StoppedBy: sr.StoppedBy, Best: NewBestJSON(s, sr.BestAfter), BestBefore: NewBestJSON(s, sr.BestBefore), BestChanges: []definition.ConfigChange{}}
		var before, after map[string]any
		if sr.BestBefore != nil {
			before = sr.BestBefore.Config
		}
		if sr.BestAfter != nil {
			after = sr.BestAfter.Config
		}
		if c := definition.DiffConfigs(before, after); c != nil {
			js.BestChanges = c
		}
		doc.Searches[sr.Name] = js
	}
	return doc
}
