package apply

import (
	"context"
	"errors"
	"slices"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/prune"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// errPruned is the cause of the context of a trial the pruner stops.
var errPruned = errors.New("pruned")

// pruning is a search's pruner during an apply. Its decisions come from
// package prune, from the recorded progress of the search's trials only:
// the trials of earlier applies as the state holds them (Trial.Steps),
// the trials of this apply as their progress lines arrive. Every field
// is guarded by the Runner's mu.
type pruning struct {
	settings prune.Settings
	// base are the matching trials of earlier applies, as their peers see
	// them, by number; a trial this apply runs again is in live instead.
	base map[int]prune.Trial
	// live are the trials this apply ran or runs, by number.
	live map[int]*liveTrial
	// fed is set once a trial reported the pruner's metric.
	fed bool
}

// liveTrial is a trial of this apply, for the pruner.
type liveTrial struct {
	steps     []prune.Step
	decision  prune.Decision // the latest; Checked starts at prune.Start
	ended     bool           // its Run returned
	completed bool           // it ended completed
	// cancel stops the trial; nil once it has ended.
	cancel context.CancelCauseFunc
	// pending is set for a trial that ended while a checkpoint of it was
	// still waiting for its peers: it is recorded as it ended, and again
	// as pruned if that checkpoint prunes it.
	pending bool
	record  *state.Trial // its record at its end
}

// Settings of the pruner of s, nil when it has none.
func pruneSettings(s *definition.Search) *prune.Settings {
	p := s.Pruner
	if p == nil {
		return nil
	}
	st := prune.Settings{
		Kind: p.Kind, Metric: p.Metric, Maximize: s.Mode == definition.Max,
		StartupTrials: p.StartupTrials, WarmupSteps: p.WarmupSteps, Interval: p.Interval,
		MinSteps: p.MinSteps, MaxSteps: p.MaxSteps, ReductionFactor: p.ReductionFactor,
	}
	if st.Metric == "" {
		st.Metric = s.Metric
	}
	return &st
}

// newPruning returns the pruner of the search's run, nil when the search
// has none; before is the search's history before the apply.
func newPruning(s *definition.Search, before plan.History) (*pruning, error) {
	st := pruneSettings(s)
	if st == nil {
		return nil, nil
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	p := &pruning{settings: *st, base: map[int]prune.Trial{}, live: map[int]*liveTrial{}}
	for _, list := range [][]plan.Matched{before.Kept, before.Pruned, before.Failed, before.Retry} {
		for _, m := range list {
			p.base[m.Trial.Number] = recordedPeer(*st, m.Trial)
		}
	}
	return p, nil
}

// recordedPeer is a trial of an earlier apply as its peers see it.
func recordedPeer(s prune.Settings, t *state.Trial) prune.Trial {
	pt := prune.Trial{Number: t.Number, Steps: pruneSteps(t.Steps)}
	switch t.Status {
	case state.Completed:
		pt.Ended, pt.Completed = true, true
	case state.Failed:
		pt.Ended = true
	case state.Pruned:
		pt.Ended = true
		if t.Pruned != nil {
			pt = prune.Settle(s, pt, prune.Decision{Prune: true, Step: t.Pruned.Step})
		}
	}
	// Running or interrupted: it runs again (in this apply, as a live
	// trial, or a later one): not ended.
	return pt
}

func pruneSteps(steps []state.Step) []prune.Step {
	out := make([]prune.Step, len(steps))
	for i, s := range steps {
		out[i] = prune.Step{Step: s.Step, Value: s.Value}
	}
	return out
}

func stateSteps(steps []prune.Step) []state.Step {
	if len(steps) == 0 {
		return nil
	}
	out := make([]state.Step, len(steps))
	for i, s := range steps {
		out[i] = state.Step{Step: s.Step, Value: s.Value}
	}
	return out
}

// started registers trial n, which this apply has taken to run: from
// then on the trials above it wait for its progress.
func (p *pruning) started(n int) {
	if p != nil {
		p.live[n] = &liveTrial{decision: prune.Decision{Checked: prune.Start}}
	}
}

// running gives trial n, now handed to the executor, its cancel function.
func (p *pruning) running(n int, cancel context.CancelCauseFunc) {
	if p == nil {
		return
	}
	if lt := p.live[n]; lt != nil && !lt.ended {
		lt.cancel = cancel
	}
}

// add takes a progress line of trial n: its value of the pruner's metric
// when it has one at a step after its last. It reports whether it did.
func (p *pruning) add(n int, line runtime.ProgressLine) bool {
	lt := p.live[n]
	v, ok := line.Metrics[p.settings.Metric]
	if lt == nil || lt.ended || !ok {
		return false
	}
	p.fed = true
	if k := len(lt.steps); k > 0 && line.Step <= lt.steps[k-1].Step {
		return false // a step again, or going back: the first value counts
	}
	lt.steps = append(lt.steps, prune.Step{Step: line.Step, Value: v})
	return true
}

// peers are the search's matching trials as the trials above them see
// them, in number order.
func (p *pruning) peers() []prune.Trial {
	all := make([]prune.Trial, 0, len(p.base)+len(p.live))
	for n, t := range p.base {
		if p.live[n] == nil {
			all = append(all, t)
		}
	}
	for n, lt := range p.live {
		all = append(all, prune.Settle(p.settings, lt.self(n), lt.decision))
	}
	slices.SortFunc(all, func(a, b prune.Trial) int { return a.Number - b.Number })
	return all
}

func (lt *liveTrial) self(n int) prune.Trial {
	return prune.Trial{Number: n, Steps: lt.steps, Ended: lt.ended, Completed: lt.completed}
}

// undecided reports whether trial lt may still get a decision.
func (lt *liveTrial) undecided() bool {
	return !lt.decision.Prune && (!lt.ended || lt.pending)
}

// decide runs the pruner over the trials of this apply not decided yet,
// in number order (a decision about a trial changes how the trials above
// it see it), and acts on what it decides: a running trial is stopped, a
// trial that ended while it waited is recorded again as pruned. The
// caller holds r.mu.
func (r *Runner) decide(ctx context.Context, run *searchRun, sr *SearchResult) error {
	p := run.pruning
	if p == nil {
		return nil
	}
	all := p.peers()
	for i := range all {
		n := all[i].Number
		lt := p.live[n]
		if lt == nil || !lt.undecided() {
			continue
		}
		d := prune.Decide(p.settings, lt.self(n), all[:i], lt.decision.Checked)
		if !d.Prune && !d.Waiting && lt.ended {
			lt.pending = false // ended, and no checkpoint prunes it
		}
		if d == lt.decision {
			continue
		}
		lt.decision = d
		all[i] = prune.Settle(p.settings, lt.self(n), d)
		if !d.Prune {
			continue
		}
		dec := &PruneDecision{Metric: p.settings.Metric, Step: d.Step, Value: d.Value, Reason: d.Reason}
		if !lt.ended {
			// Still running: stop it; end records it pruned.
			t := r.State.Trial(run.s.Name, n)
			r.observeLocked(Event{Kind: TrialPruned, Trial: t, Prune: dec}, run)
			if lt.cancel != nil {
				lt.cancel(errPruned)
			}
			continue
		}
		// It ended while this checkpoint waited for its peers: it would
		// have been stopped there, so it is recorded pruned.
		lt.pending = false
		done := lt.record.Clone()
		markPruned(done, d, lt.steps)
		if err := r.record(context.WithoutCancel(ctx), done); err != nil {
			return err
		}
		r.writeMeta(run.s, done)
		switch lt.record.Status {
		case state.Completed:
			sr.Completed--
		case state.Failed:
			sr.Failed--
			run.progress.Failed--
		case state.Interrupted:
			sr.Interrupted--
		}
		sr.Pruned++
		run.progress.Pruned++
		lt.record = done
		if b := run.progress.Best; b != nil && b.Number == n {
			run.progress.Best = r.history(run).Best(run.s)
		}
		r.observeLocked(Event{Kind: TrialPruned, Trial: done, Prune: dec}, run)
	}
	return nil
}

// markPruned makes t the record of a trial the pruner stopped as d says.
func markPruned(t *state.Trial, d prune.Decision, steps []prune.Step) {
	t.Status, t.Error, t.Metrics = state.Pruned, d.Reason, nil
	t.Pruned = &state.Step{Step: d.Step, Value: d.Value}
	t.Steps = stateSteps(steps)
}

// pruneEnd settles the record of trial done, which ended with res, for
// the pruner: its steps, and status pruned when the pruner decided so
// (whatever the outcome: it was stopped, or it ended before it could be).
// A trial ending while a checkpoint still waits is marked pending. The
// caller holds r.mu.
func (p *pruning) end(done *state.Trial, res runtime.Result) {
	lt := p.live[done.Number]
	if lt == nil {
		return
	}
	lt.cancel, lt.ended = nil, true
	lt.completed = res.Outcome == runtime.Completed
	done.Steps = stateSteps(lt.steps)
	if lt.decision.Prune {
		markPruned(done, lt.decision, lt.steps)
	} else {
		lt.pending = true // until decide finds no checkpoint waiting
	}
	lt.record = done.Clone()
}
