package prune

import (
	"fmt"
	"math"
)

// Kinds of pruner.
const (
	Median = "median"
	ASHA   = "asha"
)

// Start is the after of a trial's first Decide: every checkpoint is after
// it, since checkpoints are never negative.
const Start int64 = -1

// Settings are a pruner's settings, as the search's definition resolved
// them (its defaults applied). Median uses StartupTrials, WarmupSteps and
// Interval; ASHA uses MinSteps, MaxSteps and ReductionFactor.
type Settings struct {
	Kind     string // Median or ASHA
	Metric   string // the metric's name, for reasons
	Maximize bool   // larger values are better

	StartupTrials, WarmupSteps, Interval int
	MinSteps, MaxSteps, ReductionFactor  int
}

// Step is one reported value of the pruner's metric.
type Step struct {
	Step  int64
	Value float64
}

// Trial is the progress of one trial of the search.
type Trial struct {
	Number    int
	Steps     []Step // ascending by step; see the package doc
	Ended     bool   // no more steps will come
	Completed bool   // ended completed; implies Ended
}

// Decision is what Decide found; see the package doc.
type Decision struct {
	Prune   bool
	Step    int64   // with Prune: the reported step whose value was compared
	Value   float64 // with Prune: the value compared
	Reason  string  // with Prune
	Checked int64   // the last checkpoint decided not to prune
	Waiting bool    // a later checkpoint needs peers' progress not yet known
}

// Validate reports settings Decide cannot use.
func (s Settings) Validate() error {
	if s.Metric == "" {
		return fmt.Errorf("prune: the pruner has no metric; set the search's metric or the pruner's")
	}
	switch s.Kind {
	case Median:
		if s.StartupTrials < 0 {
			return fmt.Errorf("prune: median startup_trials is %d; it must be 0 or more", s.StartupTrials)
		}
		if s.WarmupSteps < 0 {
			return fmt.Errorf("prune: median warmup_steps is %d; it must be 0 or more", s.WarmupSteps)
		}
		if s.Interval < 1 {
			return fmt.Errorf("prune: median interval is %d; it must be 1 or more", s.Interval)
		}
	case ASHA:
		if s.MinSteps < 1 {
			return fmt.Errorf("prune: asha min_steps is %d; it must be 1 or more", s.MinSteps)
		}
		if s.ReductionFactor < 2 {
			return fmt.Errorf("prune: asha reduction_factor is %d; it must be 2 or more", s.ReductionFactor)
		}
	default:
		return fmt.Errorf("prune: unknown pruner %q; use %q or %q", s.Kind, Median, ASHA)
	}
	return nil
}

// Decide decides whether trial t is pruned at one of its checkpoints
// after `after`, from its progress and its peers' (the trials numbered
// below t.Number; others are ignored). See the package doc.
func Decide(s Settings, t Trial, peers []Trial, after int64) Decision {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	if after < Start {
		after = Start
	}
	g := newGroup(t, peers)
	if s.Kind == Median {
		return decideMedian(s, g, after)
	}
	return decideASHA(s, g, after)
}

// Settle returns trial p as the trials above it must see it, given d, the
// latest Decision for p (Decision{Checked: Start} before the first): see
// the package doc. The result shares p's Steps.
func Settle(s Settings, p Trial, d Decision) Trial {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	if p.Completed {
		p.Ended = true
	}
	if d.Prune {
		return Trial{Number: p.Number, Steps: upto(p.Steps, d.Step), Ended: true}
	}
	var at int64
	var ok bool
	if s.Kind == Median {
		at, ok = nextMedianCheckpoint(s, p.Steps, d.Checked)
	} else {
		at, ok = nextRungStep(s, p.Steps, d.Checked)
	}
	if !ok {
		return p
	}
	return Trial{Number: p.Number, Steps: upto(p.Steps, at)}
}

// upto returns the longest prefix of steps with no step above at. Entries
// after the first step above at would be ignored anyway (they are not
// above it).
func upto(steps []Step, at int64) []Step {
	for i, e := range steps {
		if e.Step > at {
			return steps[:i:i]
		}
	}
	return steps
}

// cursor walks the accepted entries of one trial's steps (each above
// every step before it) as the checkpoints ascend, with seek or with next
// (never both).
type cursor struct {
	steps []Step
	i     int   // the next entry to look at
	hi    int64 // with next: the largest step before i
}

func newCursor(steps []Step) cursor { return cursor{steps: steps, hi: math.MinInt64} }

// seek moves to the first accepted entry with a step >= s and returns it;
// ok is false when there is none. The s of successive calls must not
// decrease. The first entry with a step >= s is accepted: every entry
// before it is below s.
func (c *cursor) seek(s int64) (e Step, ok bool) {
	for ; c.i < len(c.steps); c.i++ {
		if e = c.steps[c.i]; e.Step >= s {
			return e, true
		}
	}
	return Step{}, false
}

// next returns the next accepted entry and moves past it; ok is false
// when there is none.
func (c *cursor) next() (e Step, ok bool) {
	for ; c.i < len(c.steps); c.i++ {
		if e = c.steps[c.i]; e.Step > c.hi {
			c.hi = e.Step
			c.i++
			return e, true
		}
	}
	return Step{}, false
}

// maxStep is the largest step of steps, which is also the largest
// accepted one; ok is false when there is none.
func maxStep(steps []Step) (m int64, ok bool) {
	if len(steps) == 0 {
		return 0, false
	}
	m = steps[0].Step
	for _, e := range steps[1:] {
		m = max(m, e.Step)
	}
	return m, true
}

// group is trial t and its peers, summarized for the checkpoints.
type group struct {
	own       cursor
	ownMax    int64 // t's largest step
	ownAny    bool  // t reported a step
	peers     []cursor
	completed int   // peers completed
	running   int   // peers not ended
	known     int64 // every checkpoint up to this step is decidable
}

func newGroup(t Trial, peers []Trial) *group {
	g := &group{own: newCursor(t.Steps), known: math.MaxInt64}
	g.ownMax, g.ownAny = maxStep(t.Steps)
	g.peers = make([]cursor, 0, len(peers))
	for _, p := range peers {
		if p.Number >= t.Number {
			continue
		}
		if p.Completed {
			g.completed++
		}
		if !p.Ended && !p.Completed {
			g.running++
			m, ok := maxStep(p.Steps)
			if !ok {
				m = math.MinInt64
			}
			g.known = min(g.known, m)
		}
		g.peers = append(g.peers, newCursor(p.Steps))
	}
	return g
}

// trials is "N trial(s)".
func trials(n int) string {
	if n == 1 {
		return "1 trial"
	}
	return fmt.Sprintf("%d trials", n)
}
