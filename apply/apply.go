// Package apply executes a plan: it runs the planned trials through an
// executor, in parallel, and records each one in the state as it starts and
// as it ends.
//
// Contract:
//   - Every trial is recorded twice through the Journal: as running when it
//     starts, and with its outcome when it ends. After a crash the state
//     holds every ended trial; the ones it shows running are planned again.
//   - On an executor that queues trials (Slurm), a trial is recorded a
//     third time, still running, with its job handle, as soon as the
//     scheduler accepted it (runtime.Spec.Submitted). A planned attach
//     (plan.Trial.Attach) is not recorded as a new attempt: the executor
//     waits for the recorded job (or looks it up), and the outcome is
//     recorded as the same attempt.
//   - When the Executor is an ArrayExecutor with a Submitter for a
//     search (a Slurm executor block with array = true), the trials whose
//     params the plan knows (grid, random, a Bayesian initial design,
//     retries) are recorded running, handed to the Submitter at once
//     (job arrays at most parallelism of which run at once), recorded
//     again with their job handles (in one batch when the Journal is a
//     state.Batcher), and only then waited for, all together; planned
//     attaches are waited for at once too. Proposals of adaptive
//     strategies, and trials the Submitter did not take, start one at a
//     time as those trials leave slots of the parallelism free. A
//     failure stop or a drain submits nothing more and withdraws the
//     trials still waiting in the cluster's queue (runtime.Spec.Withdraw:
//     they are recorded interrupted, not having run, and run at the next
//     apply); the ones already running go on, and apply waits for them
//     and records their outcomes. Cancelling the context cancels them.
//   - Closing the drain channel stops scheduling: running trials finish and
//     are recorded, the rest of the plan is left for the next apply.
//     Cancelling the context also stops the running trials; they are
//     recorded as interrupted.
//   - A search stops starting trials (the running ones finish) after
//     MaxFailures failed trials in this apply, or when the first
//     MaxIdenticalFailures trials of this apply to end all failed the same
//     way: the same reason and the same last line of stderr, every run of
//     digits in that line counting as equal (see Signature).
//   - Trials whose params are known only after apply are proposed by the
//     search's strategy when a worker is free, from the history in the
//     state at that moment (running trials count as pending). A search's
//     proposals are made one at a time, each with the trials proposed
//     before it pending, but trials that end meanwhile are recorded and
//     reported at once: a proposal does not hold up the rest of the
//     apply.
//   - Apply never writes the state except through the Journal, and never
//     touches the plan's definition.
//   - A search the plan defers (plan.Search.Deferred: it reads a search
//     with trials to run) runs nothing and has no SearchResult: the
//     caller plans it again once the searches it reads are complete
//     (one Run per stage).
//   - With a Lock, apply checks that it still holds the state lock before
//     every write and every LockCheckInterval. Once the lock is lost (a
//     force-unlock, and maybe another process holding it now), it starts
//     no more trials, stops the running ones, writes nothing more to the
//     state, and Run returns the *state.LockLostError.
package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	goruntime "runtime"
	"slices"
	"sync"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/experiment"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// Journal records state changes durably.
type Journal interface {
	Append(ctx context.Context, c state.Change) error
}

// Observer is told about every event of an apply. Events of one search
// come in the order they happened (a trial's start before its end, an
// improvement of the best right after the trial that made it), one at a
// time: Observe is called with a lock held, so it must return quickly and
// must not call back into the Runner.
type Observer interface {
	Observe(Event)
}

// EventKind says what happened.
type EventKind int

// The events of an apply.
const (
	// TrialStarted: Trial is the trial, recorded as running.
	TrialStarted EventKind = iota
	// TrialEnded: Trial is the trial with its outcome, Result what the
	// executor reported (log paths, the end of stderr of a failure).
	TrialEnded
	// SearchEnded: the search's last trial has ended; Trial is nil.
	SearchEnded
	// BestChanged: Trial is the new best of the search, Previous the best
	// before it (nil if none, possibly from an earlier apply). It follows
	// the TrialEnded of the same trial.
	BestChanged
	// SearchStopped: the search starts no more trials (its running ones
	// finish); Progress.StoppedBy says why. When a trial's end caused it,
	// Trial and Result are that trial's, as in its TrialEnded. It comes
	// at most once per search, before its SearchEnded.
	SearchStopped
	// TrialProgress: Trial, running, reported Line in its progress file
	// (every line, in order, between its TrialStarted and TrialEnded).
	TrialProgress
	// TrialPruned: the search's pruner stops Trial, which is still
	// running; Prune says why. Its TrialEnded follows, with status pruned
	// (or completed, when it ended by itself before it could be stopped).
	TrialPruned
)

// Event is one thing that happened during an apply.
type Event struct {
	Kind     EventKind
	Search   string
	Trial    *state.Trial    // a copy; see EventKind for when it is nil
	Result   *runtime.Result // TrialEnded, and SearchStopped by a trial
	Previous *state.Trial    // BestChanged: the best before; may be nil
	// Line is the progress line of a TrialProgress.
	Line *runtime.ProgressLine
	// Prune is the pruner's decision of a TrialPruned.
	Prune *PruneDecision
	Progress
}

// PruneDecision is why the pruner stops a trial: at Step, the watched
// metric's Value (the trial's best so far for the median pruner) and the
// one-line Reason recorded as the trial's error.
type PruneDecision struct {
	Metric string
	Step   int64
	Value  float64
	Reason string
}

// Progress is a search's progress in this apply.
type Progress struct {
	Total   int // planned trials
	Done    int // ended (completed, failed, pruned or interrupted)
	Failed  int
	Pruned  int
	Running int
	Best    *state.Trial // best matching trial so far, nil if none
	Started time.Time
	// Ended holds when each of the Done trials ended, in order; an
	// Event's copy shares it, read only.
	Ended     []time.Time
	StoppedBy string // why the search stopped early, if it did
}

// Options tune an apply.
type Options struct {
	// Parallelism overrides each search's parallelism when non-zero; -1
	// means one trial per CPU.
	Parallelism int
	// MaxFailures stops a search after that many failed trials in this
	// apply; 0 means no limit.
	MaxFailures int
	// MaxIdenticalFailures stops a search when the first that many trials
	// of this apply to end all failed with the same Signature; 0 means
	// never. A trial that completes, or fails differently, first turns
	// the check off for the rest of the apply.
	MaxIdenticalFailures int
	// Programs are the executables built for searches with go_build, by
	// search name; their trials run them instead of trial.command.
	Programs map[string]string
	// LockCheckInterval is how often Run checks the Runner's Lock between
	// state writes; 0 means every 2 seconds.
	LockCheckInterval time.Duration
}

// defaultLockCheckInterval is the LockCheckInterval by default.
const defaultLockCheckInterval = 2 * time.Second

// Runner executes plans.
type Runner struct {
	Def     *definition.Definition
	State   *state.State // updated as trials start and end
	Journal Journal
	// Executor runs the trials; when it is also an ArrayExecutor, the
	// searches it gives a Submitter submit their known trials at once
	// (see the package contract).
	Executor runtime.Executor
	Observer Observer // may be nil
	// Lock, when set, is the state lock this apply holds; see the package
	// contract. Nil when the state is not locked (-lock=false).
	Lock    state.LockChecker
	Options Options

	mu         sync.Mutex // guards State and serializes Journal appends
	metaErrors []error    // meta.json writes that failed, guarded by mu

	// strategyFor is the strategy of a search's proposals: nil for
	// plan.StrategyFor (tests wrap it).
	strategyFor func(*definition.Search) (search.Strategy, error)
}

// MetaErrors returns the errors of meta.json writes during Run: the
// trials ran and are recorded in the state, but their experiment records
// are incomplete.
func (r *Runner) MetaErrors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.metaErrors)
}

// SearchResult is what an apply did for one search.
type SearchResult struct {
	Name        string
	Completed   int
	Failed      int
	Interrupted int
	Pruned      int
	NotRun      int // planned but not started (interrupt or early stop)
	Kept        int // completed trials from earlier applies
	// BestBefore is the best trial before this apply: the best matching
	// trial, or, when no earlier trial matches the definition any more,
	// the best excluded one, with BestBeforeExcluded saying why it no
	// longer counts.
	BestBefore         *state.Trial
	BestBeforeExcluded string
	BestAfter          *state.Trial
	// Noise is the spread of scores between runs of one config, from the
	// search's kept configs that ran more than once, after this apply.
	Noise     plan.Noise
	StoppedBy string // why the search stopped early, if it did
	// HitMaxFailures is set when the search stopped at MaxFailures.
	HitMaxFailures bool
	// HitIdenticalFailures is set when the search stopped because its
	// first trials all failed the same way (MaxIdenticalFailures).
	HitIdenticalFailures bool
	// FailedForGood are the trials that failed their last automatic
	// attempt (plan.MaxAttempts) in this apply, in the order they ended:
	// the next plan leaves them failed unless they are replaced.
	FailedForGood []int
	// SubmitError says why submitting the search's known trials as job
	// arrays failed (ArrayExecutor), empty when it did not; the trials it
	// did not take ran one job each.
	SubmitError string
	// PrunerUnfed is set when the search has a pruner, trials ran, and
	// none of them reported the pruner's metric in its progress: the
	// pruner could decide nothing.
	PrunerUnfed bool
}

// Result is what an apply did.
type Result struct {
	Searches []*SearchResult
	// Stopped says why the whole apply stopped before its end because of
	// an error (the state lock taken away, the state not writable); empty
	// when it ran to its end or was interrupted by the user.
	Stopped string
	// Deferred are the searches the apply did not run because a search
	// they read did not complete (its failures, an interrupt, a saved
	// plan that ran only its known part): set by the caller that runs
	// the stages, in plan order.
	Deferred []Deferred
}

// Deferred is a search an apply left for later, and why ("depends on
// search.coarse (3 of 20 trials to run)").
type Deferred struct {
	Search string
	Reason string
}

// Run executes the plan. It returns an error only when the state could not
// be written; trial failures are results.
func (r *Runner) Run(ctx context.Context, drain <-chan struct{}, p *plan.Plan) (*Result, error) {
	res := &Result{}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopWatch := r.watchLock(runCtx, cancel)
	defer stopWatch()
	// The history of each search before this apply, taken before any
	// change (the settings recorded below): the plan's when it was made
	// from this very state, else classified here. runSearch brings it up
	// to date with the trials it records, instead of matching every trial
	// again.
	before := make([]plan.History, len(p.Searches))
	for i, ps := range p.Searches {
		if s := r.Def.Search(ps.Name); s != nil && ps.Deferred == nil {
			h, ok := ps.History(r.State)
			if !ok {
				h = plan.Classify(s, r.State.Trials(s.Name))
			}
			before[i] = h
		}
	}
	var wg sync.WaitGroup
	for i, ps := range p.Searches {
		s := r.Def.Search(ps.Name)
		if s == nil {
			return nil, fmt.Errorf("the plan names search %q, which the definition lacks", ps.Name)
		}
		if ps.Deferred != nil || s.Deferred != nil {
			continue // known only after the searches it reads: a later stage
		}
		sr := &SearchResult{Name: s.Name, Kept: ps.Kept}
		r.mu.Lock()
		bestBefore(s, before[i], sr)
		err := r.recordSettings(ctx, s)
		r.mu.Unlock()
		if err != nil {
			return nil, err
		}
		res.Searches = append(res.Searches, sr)
		wg.Go(func() {
			if err := r.runSearch(runCtx, cancel, drain, s, ps, before[i], sr); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(runCtx); err != nil && ctx.Err() == nil {
		res.Stopped = "the state could not be written"
		if lockLost(err) {
			res.Stopped = "the state lock was taken from this apply"
		}
		return res, err
	}
	return res, nil
}

// watchLock checks the lock every LockCheckInterval until the returned
// func is called, and cancels the run with the error once it is lost.
func (r *Runner) watchLock(ctx context.Context, cancel context.CancelCauseFunc) func() {
	if r.Lock == nil {
		return func() {}
	}
	every := r.Options.LockCheckInterval
	if every <= 0 {
		every = defaultLockCheckInterval
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := r.checkLock(ctx); err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// lockLost reports whether err says the state lock was taken away.
func lockLost(err error) bool {
	var lost *state.LockLostError
	return errors.As(err, &lost)
}

// checkLock returns the error of a lost lock, said for an apply.
func (r *Runner) checkLock(ctx context.Context) error {
	if r.Lock == nil {
		return nil
	}
	if err := r.Lock.CheckLock(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("%w; this apply stopped its running trials and wrote nothing more to the state. Make sure no other apply runs on this state, then run fwapply plan: the trials this apply left running are run again", err)
	}
	return nil
}

// bestBefore sets the best before the apply from the history before it.
func bestBefore(s *definition.Search, h plan.History, sr *SearchResult) {
	if best := h.Best(s); best != nil {
		sr.BestBefore = best.Clone()
		return
	}
	if best, why := h.ExcludedBest(s); best != nil {
		sr.BestBefore, sr.BestBeforeExcluded = best.Clone(), why
	}
}

// recordSettings records the search's definition in the state when it
// differs from the one the last apply recorded, so the next plan can say
// what changed since (plan.Settings: with the best trial of each search
// it reads). The caller holds r.mu.
func (r *Runner) recordSettings(ctx context.Context, s *definition.Search) error {
	settings := plan.Settings(r.Def, s, r.State)
	if old := r.State.Settings(s.Name); old != nil && len(definition.SettingsChanges(old, settings)) == 0 {
		return nil
	}
	if err := r.checkLock(ctx); err != nil {
		return err
	}
	c := state.Change{Settings: &state.SearchSettings{Search: s.Name, Settings: settings}}
	if err := r.State.Apply(c); err != nil {
		return fmt.Errorf("recording the settings of search %q: %w", s.Name, err)
	}
	if err := r.Journal.Append(ctx, c); err != nil {
		return fmt.Errorf("writing the state: %w; no trial has started, run fwapply apply again once the state can be written", err)
	}
	return nil
}

func cloneOrNil(t *state.Trial) *state.Trial {
	if t == nil {
		return nil
	}
	return t.Clone()
}

func (r *Runner) parallelism(s *definition.Search) int {
	n := r.Options.Parallelism
	if n == 0 {
		n = s.Parallelism
	}
	switch {
	case n < 0:
		return goruntime.NumCPU()
	case n == 0:
		return 1
	}
	return n
}

// searchRun is one search's apply in progress, guarded by Runner.mu.
type searchRun struct {
	s        *definition.Search
	queue    []plan.Trial
	next     int
	progress Progress
	stopped  bool
	// withdraw is closed once the search starts no more trials (a stop,
	// a drain): the trials still waiting in a scheduler's queue are
	// withdrawn (runtime.Spec.Withdraw).
	withdraw     chan struct{}
	withdrawOnce sync.Once
	// pruning is the search's pruner; nil when it has none.
	pruning *pruning
	// ask is held by the worker proposing the search's next trial, from
	// before it reads the history until the trial is recorded running: the
	// next proposal sees it pending. It is taken before Runner.mu, which a
	// proposal releases while the strategy computes.
	ask sync.Mutex
	// prunerErr is the first error of recording a decision of the pruner.
	prunerErr error
	streak    failureStreak
	// before is the history of the search before this apply, and touched
	// the numbers of the trials this apply recorded (or tried to) since.
	before  plan.History
	touched map[int]bool
}

// history returns the search's history now: the history before the
// apply with the trials it recorded since. The caller holds r.mu.
func (r *Runner) history(run *searchRun) plan.History {
	changed := make([]*state.Trial, 0, len(run.touched))
	for n := range run.touched {
		if t := r.State.Trial(run.s.Name, n); t != nil {
			changed = append(changed, t)
		}
	}
	return run.before.Update(run.s, changed)
}

// runSearch runs one search's trials. A lost lock cancels the whole run
// at once (the other running trials cannot be recorded); other errors
// end the search once its running trials end.
func (r *Runner) runSearch(ctx context.Context, cancel context.CancelCauseFunc, drain <-chan struct{}, s *definition.Search, ps *plan.Search, before plan.History, sr *SearchResult) error {
	run := &searchRun{s: s, queue: append(append([]plan.Trial{}, ps.ToRetry...), ps.ToRun...), before: before, touched: map[int]bool{}, withdraw: make(chan struct{})}
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		select {
		case <-drain:
			run.withdrawQueued()
		case <-ended:
		}
	}()
	run.progress.Total = len(run.queue)
	run.progress.Started = time.Now()
	if sr.BestBeforeExcluded == "" {
		// An excluded best is no best to beat in this apply.
		run.progress.Best = sr.BestBefore
	}
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		err   error
	)
	fail := func(e error) {
		errMu.Lock()
		if err == nil {
			err = e
		}
		errMu.Unlock()
		if lockLost(e) {
			cancel(e)
		}
	}
	var perr error
	if run.pruning, perr = newPruning(s, before); perr != nil {
		return fmt.Errorf("search %q: %w", s.Name, perr)
	}
	limit := r.parallelism(s)
	var free chan struct{}
	var submitErr error
	if sub := r.arraySubmitter(s); sub != nil && !stopping(ctx, drain) {
		free = make(chan struct{}, limit)
		if submitErr = r.submitKnown(ctx, run, sr, sub, limit, free, &wg, fail); submitErr != nil {
			fail(submitErr)
		}
	}
	if submitErr == nil {
		workers := min(limit, max(1, len(run.queue)-run.next))
		for range workers {
			wg.Go(func() {
				if e := r.worker(ctx, drain, run, sr, free); e != nil {
					fail(e)
				}
			})
		}
	}
	wg.Wait()
	r.mu.Lock()
	if p := run.pruning; p != nil {
		if err == nil {
			err = run.prunerErr
		}
		ran := sr.Completed + sr.Failed + sr.Pruned + sr.Interrupted
		sr.PrunerUnfed = ran > 0 && !p.fed
	}
	sr.NotRun = len(run.queue) - run.next
	h := r.history(run)
	sr.BestAfter = cloneOrNil(h.Best(s))
	sr.Noise = h.Noise(s)
	sr.StoppedBy = run.progress.StoppedBy
	if sr.StoppedBy == "" && sr.NotRun > 0 {
		sr.StoppedBy = "interrupted"
		cause := err
		if cause == nil {
			cause = context.Cause(ctx)
		}
		switch {
		case lockLost(cause):
			sr.StoppedBy = "the state lock was taken from this apply"
		case cause != nil && !errors.Is(cause, context.Canceled):
			sr.StoppedBy = "the state could not be written"
		}
		r.stop(run, sr.StoppedBy, nil, nil)
	}
	r.observeLocked(Event{Kind: SearchEnded}, run)
	r.mu.Unlock()
	return err
}

// withdrawQueued withdraws the search's trials that wait in a
// scheduler's queue: they will not start (the executor records them
// interrupted, to run at the next apply); the running ones go on.
func (run *searchRun) withdrawQueued() {
	run.withdrawOnce.Do(func() { close(run.withdraw) })
}

func stopping(ctx context.Context, drain <-chan struct{}) bool {
	select {
	case <-ctx.Done():
		return true
	case <-drain:
		return true
	default:
		return false
	}
}

// worker starts the search's trials one at a time until none is left.
// With free set, it first waits for a token from it: a slot that the
// trials on the cluster (submitKnown) no longer fill.
func (r *Runner) worker(ctx context.Context, drain <-chan struct{}, run *searchRun, sr *SearchResult, free <-chan struct{}) error {
	if free != nil {
		select {
		case <-free:
		case <-ctx.Done():
			return nil
		case <-drain:
			return nil
		}
	}
	for {
		if stopping(ctx, drain) {
			return nil
		}
		t, spec, ok, err := r.start(ctx, run)
		if err != nil || !ok {
			return err
		}
		result := r.execute(ctx, run, sr, t, spec)
		if err := r.end(ctx, run, sr, t, result); err != nil {
			return err
		}
	}
}

// start takes the next planned trial, records it as running, and returns
// it with its executor spec; ok is false when nothing is left. A trial
// without params is proposed by the search's strategy first, holding
// run.ask but not r.mu while the strategy computes.
func (r *Runner) start(ctx context.Context, run *searchRun) (*state.Trial, runtime.Spec, bool, error) {
	asking := false
	defer func() {
		if asking {
			run.ask.Unlock() // after r.mu's: the trial is recorded
		}
	}()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := run.s
	var pt plan.Trial
	for {
		if run.stopped || run.next >= len(run.queue) {
			return nil, runtime.Spec{}, false, nil
		}
		pt = run.queue[run.next]
		if pt.Point != nil {
			break
		}
		if !asking {
			r.mu.Unlock()
			run.ask.Lock()
			asking = true
			r.mu.Lock()
			continue // the queue may have moved meanwhile
		}
		point, err := r.propose(run, pt.Number)
		if err != nil {
			return nil, runtime.Spec{}, false, err
		}
		// While the strategy computed, only a stop can have changed what
		// is next: the trial without params at run.next is taken by the
		// holder of run.ask alone.
		if run.stopped || run.next >= len(run.queue) || run.queue[run.next].Number != pt.Number {
			continue
		}
		if point == nil {
			r.stop(run, "every config of the space has run", nil, nil)
			return nil, runtime.Spec{}, false, nil
		}
		pt.Point = point
		break
	}
	run.next++
	t, spec, err := r.trialFor(run, pt)
	if err != nil {
		return nil, runtime.Spec{}, false, err
	}
	run.touched[t.Number] = true
	if pt.Attach {
		// The same attempt, already recorded running (with its job when
		// it was recorded): not a new attempt to record.
		if old := r.State.Trial(s.Name, pt.Number); old != nil && old.Status == state.Running && old.Attempts == pt.Attempt {
			t = old.Clone()
		}
		t.Job = pt.Job
	} else {
		if err := r.record(ctx, t); err != nil {
			return nil, runtime.Spec{}, false, err
		}
		r.writeMeta(s, t)
	}
	run.progress.Running++
	r.observeLocked(Event{Kind: TrialStarted, Trial: t}, run)
	// Registered as its number is taken, so that no trial above it is
	// judged without it.
	run.pruning.started(t.Number)
	spec.Job = t.Job
	spec.Submitted = func(job string) error { return r.submitted(ctx, run, t, job) }
	return t, spec, true, nil
}

// propose returns the strategy's proposal for trial number of run, nil
// when the space has no config left, from the history now. The caller
// holds r.mu and run.ask; r.mu is released while the strategy computes
// (the request is built before: it shares nothing with the state).
func (r *Runner) propose(run *searchRun, number int) (space.Point, error) {
	s := run.s
	strategyFor := r.strategyFor
	if strategyFor == nil {
		strategyFor = plan.StrategyFor
	}
	strategy, err := strategyFor(s)
	if err != nil {
		return nil, err
	}
	req := r.history(run).Request(s)
	r.mu.Unlock()
	points, err := strategy.Propose(req, 1)
	r.mu.Lock()
	if err != nil {
		return nil, fmt.Errorf("search %q: proposing trial %d: %w", s.Name, number, err)
	}
	if len(points) == 0 {
		return nil, nil
	}
	return points[0], nil
}

// trialFor is the trial pt of run, running from now (not recorded), and
// its executor spec (without Job and Submitted). The caller holds r.mu.
func (r *Runner) trialFor(run *searchRun, pt plan.Trial) (*state.Trial, runtime.Spec, error) {
	s := run.s
	cfg, err := s.Resolve(pt.Point)
	if err != nil {
		return nil, runtime.Spec{}, fmt.Errorf("search %q trial %d: %w", s.Name, pt.Number, err)
	}
	hash, err := definition.Hash(cfg)
	if err != nil {
		return nil, runtime.Spec{}, err
	}
	params := s.ParamMap(pt.Point)
	t := &state.Trial{
		Search: s.Name, Number: pt.Number, Params: params, Config: cfg, ConfigHash: hash,
		Status: state.Running, Attempts: pt.Attempt, Started: time.Now().UTC(), Dir: s.TrialDir(pt.Number),
	}
	command := s.Trial.Command
	if bin, ok := r.Options.Programs[s.Name]; ok {
		command = []string{bin}
	}
	spec := runtime.Spec{
		Search: s.Name, Number: pt.Number, Attempt: pt.Attempt, Lineage: r.State.Lineage,
		Command: command, Env: s.Trial.Env, Timeout: s.Trial.Timeout,
		WorkDir: s.Dir, TrialDir: t.Dir, Config: cfg, Params: params, Metric: s.Metric,
		Withdraw: run.withdraw,
	}
	return t, spec, nil
}

// submitted records that the scheduler accepted trial t as job: the
// trial, still running, with its job handle, so that an apply that dies
// now is followed by one that attaches to the job instead of submitting
// the trial again. It is recorded even after an interrupt (the job
// exists either way).
func (r *Runner) submitted(ctx context.Context, run *searchRun, t *state.Trial, job string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := t.Clone()
	rec.Job = job
	run.touched[rec.Number] = true
	if err := r.record(context.WithoutCancel(ctx), rec); err != nil {
		return err
	}
	r.writeMeta(run.s, rec)
	return nil
}

func (r *Runner) end(ctx context.Context, run *searchRun, sr *SearchResult, t *state.Trial, res runtime.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	done := t.Clone()
	done.Status = state.Status(res.Outcome)
	done.Metrics = res.Metrics
	done.Error = res.Error
	done.Started, done.Ended = res.Started.UTC(), res.Ended.UTC()
	done.Host = res.Host
	done.Job, done.Queued = res.Job, res.Queued
	if run.pruning != nil {
		run.pruning.end(done, res)
	}
	// The outcome must reach the state even when the context is already
	// cancelled by an interrupt.
	run.touched[done.Number] = true
	if err := r.record(context.WithoutCancel(ctx), done); err != nil {
		return err
	}
	r.writeMeta(run.s, done)
	run.progress.Running--
	run.progress.Done++
	run.progress.Ended = append(run.progress.Ended, time.Now())
	previous := run.progress.Best
	switch done.Status {
	case state.Completed:
		sr.Completed++
		if better(run.s, done, run.progress.Best) {
			run.progress.Best = done.Clone()
		}
	case state.Failed:
		sr.Failed++
		run.progress.Failed++
		if done.Attempts >= plan.MaxAttempts {
			sr.FailedForGood = append(sr.FailedForGood, done.Number)
		}
	case state.Interrupted:
		sr.Interrupted++
	case state.Pruned:
		sr.Pruned++
		run.progress.Pruned++
	}
	r.observeLocked(Event{Kind: TrialEnded, Trial: done, Result: &res}, run)
	if run.progress.Best != previous {
		r.observeLocked(Event{Kind: BestChanged, Trial: run.progress.Best, Previous: previous}, run)
	}
	if why := r.failureStop(run, sr, done.Status, res); why != "" {
		r.stop(run, why, done, &res)
	}
	// Its end may let the pruner decide about the trials above it.
	return r.decide(ctx, run, sr)
}

// execute runs spec on the executor in a context of its own, which the
// pruner cancels to stop the trial, with its progress lines going to the
// observer and the pruner.
func (r *Runner) execute(ctx context.Context, run *searchRun, sr *SearchResult, t *state.Trial, spec runtime.Spec) runtime.Result {
	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	n := t.Number
	r.mu.Lock()
	run.pruning.running(n, cancel)
	r.mu.Unlock()
	spec.Progress = func(line runtime.ProgressLine) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if cur := r.State.Trial(run.s.Name, n); cur != nil {
			r.observeLocked(Event{Kind: TrialProgress, Trial: cur, Line: &line}, run)
		}
		if run.pruning == nil || !run.pruning.add(n, line) {
			return
		}
		if err := r.decide(ctx, run, sr); err != nil && run.prunerErr == nil {
			run.prunerErr = err
		}
	}
	return r.Executor.Run(tctx, spec)
}

// failureStop says why the search must start no more trials after one
// ended with status and res, or returns "" to go on. It sets the
// SearchResult's flag of the rule that stopped it. The caller holds r.mu.
func (r *Runner) failureStop(run *searchRun, sr *SearchResult, status state.Status, res runtime.Result) string {
	sig := ""
	if status == state.Failed {
		sig = Signature(res)
	}
	same := run.streak.add(sig)
	if run.stopped || status != state.Failed {
		return ""
	}
	if m := r.Options.MaxIdenticalFailures; m > 0 && same >= m {
		sr.HitIdenticalFailures = true
		return fmt.Sprintf("the first %d trials all failed the same way (%s)", same, describeFailure(res))
	}
	if m := r.Options.MaxFailures; m > 0 && run.progress.Failed >= m {
		sr.HitMaxFailures = true
		return fmt.Sprintf("%d failed trials reached -max-failures=%d", run.progress.Failed, m)
	}
	return ""
}

// stop makes a search start no more trials and tells the observer why;
// t and res are the trial whose end caused it, if one did. The caller
// holds r.mu.
func (r *Runner) stop(run *searchRun, why string, t *state.Trial, res *runtime.Result) {
	run.stopped = true
	run.withdrawQueued()
	run.progress.StoppedBy = why
	r.observeLocked(Event{Kind: SearchStopped, Trial: t, Result: res}, run)
}

func better(s *definition.Search, t, best *state.Trial) bool {
	v, ok := t.Metrics[s.Metric]
	if !ok {
		return false
	}
	if best == nil {
		return true
	}
	return plan.Objective(s, v) < plan.Objective(s, best.Metrics[s.Metric])
}

// observeLocked completes ev with the search and a copy of its progress
// and trials, and passes it to the observer. The caller holds r.mu, which
// keeps events in order.
func (r *Runner) observeLocked(ev Event, run *searchRun) {
	if r.Observer == nil {
		return
	}
	ev.Search = run.s.Name
	ev.Progress = run.progress
	ev.Progress.Best = cloneOrNil(ev.Progress.Best)
	ev.Trial = cloneOrNil(ev.Trial)
	ev.Previous = cloneOrNil(ev.Previous)
	if ev.Result != nil {
		res := *ev.Result
		res.Metrics = maps.Clone(res.Metrics)
		res.StderrTail = slices.Clone(res.StderrTail)
		ev.Result = &res
	}
	r.Observer.Observe(ev)
}

// writeMeta records the trial as an experiment (meta.json in its
// directory). The state is the record of outcomes, so a failure here never
// stops the apply; MetaErrors reports it. The caller holds r.mu.
func (r *Runner) writeMeta(s *definition.Search, t *state.Trial) {
	m := experiment.Meta{
		Search: s.Name, Number: t.Number, Strategy: string(s.Strategy), Status: string(t.Status), Attempts: t.Attempts,
		Host: t.Host, Tags: s.ExperimentTags(), Error: t.Error, Params: t.Params,
		Job: t.Job, QueuedSeconds: t.Queued.Seconds(),
	}
	if !t.Started.IsZero() {
		started := t.Started
		m.Started = &started
	}
	if !t.Ended.IsZero() {
		ended := t.Ended
		m.Ended = &ended
		m.DurationSeconds = t.Ended.Sub(t.Started).Seconds()
	}
	if err := experiment.Write(t.Dir, m); err != nil {
		r.metaErrors = append(r.metaErrors, err)
	}
}

// record applies a change to the in-memory state and appends it to the
// journal, once the lock, if any, is checked. The caller holds r.mu.
func (r *Runner) record(ctx context.Context, t *state.Trial) error {
	if err := r.checkLock(ctx); err != nil {
		return err
	}
	// The journal first: the in-memory state, which the summary reads,
	// holds only what is durable.
	c := state.Change{Put: t.Clone()}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("recording trial %d of search %q: %w", t.Number, t.Search, err)
	}
	if err := r.Journal.Append(ctx, c); err != nil {
		return fmt.Errorf("writing the state: %w; trials already recorded are safe, run fwapply apply again once the state can be written", err)
	}
	if err := r.State.Apply(c); err != nil {
		return fmt.Errorf("recording trial %d of search %q: %w", t.Number, t.Search, err)
	}
	return nil
}

// ArrayExecutor is implemented by an Executor that submits the trials of
// some searches in batches (Slurm job arrays, for executor blocks with
// array = true).
type ArrayExecutor interface {
	// ArraySubmitter returns the Submitter of search's trials, or nil
	// when each of its trials goes through Run alone.
	ArraySubmitter(search string) runtime.Submitter
}

// arraySubmitter is the Submitter of s's known trials, nil for none.
func (r *Runner) arraySubmitter(s *definition.Search) runtime.Submitter {
	if a, ok := r.Executor.(ArrayExecutor); ok {
		return a.ArraySubmitter(s.Name)
	}
	return nil
}

// submitKnown puts on the cluster at once the trials of run's queue that
// are already there (planned attaches) or whose params the plan knows:
// those are recorded running, handed to sub in one Submit (at most limit
// running at once), and recorded again with their job handles before
// any wait; then one goroutine of wg per trial waits for it with Run and
// records its outcome. Each trial on the cluster fills a slot of the
// search's parallelism: when fewer than limit are left, each ending one
// puts a token into free for a worker (free starts with the slots they
// leave). The trials Submit did not take stay in the queue for the
// workers, which run them one at a time. The error is a state that could
// not be written; fail gets the waiters' errors.
func (r *Runner) submitKnown(ctx context.Context, run *searchRun, sr *SearchResult, sub runtime.Submitter, limit int, free chan struct{}, wg *sync.WaitGroup, fail func(error)) error {
	r.mu.Lock()
	locked := true
	defer func() {
		if locked {
			r.mu.Unlock()
		}
	}()
	var attach, known, rest []plan.Trial
	for _, pt := range run.queue[run.next:] {
		switch {
		case pt.Attach && pt.Job != "":
			attach = append(attach, pt)
		case pt.Attach || pt.Point != nil:
			// An attach without a job (its apply died before recording
			// the handle) goes to Submit too, which finds its job, or
			// submits it with the others, within the limit.
			known = append(known, pt)
		default:
			rest = append(rest, pt)
		}
	}
	type onCluster struct {
		t    *state.Trial
		spec runtime.Spec
	}
	var waits []onCluster
	for _, pt := range attach {
		t, spec, err := r.trialFor(run, pt)
		if err != nil {
			return err
		}
		if old := r.State.Trial(run.s.Name, pt.Number); old != nil && old.Status == state.Running && old.Attempts == pt.Attempt {
			t = old.Clone()
		}
		t.Job, spec.Job = pt.Job, pt.Job
		waits = append(waits, onCluster{t, spec})
	}
	ts := make([]*state.Trial, 0, len(known))
	specs := make([]runtime.Spec, 0, len(known))
	fresh := make([]*state.Trial, 0, len(known))
	for _, pt := range known {
		t, spec, err := r.trialFor(run, pt)
		if err != nil {
			return err
		}
		if old := r.State.Trial(run.s.Name, pt.Number); pt.Attach && old != nil && old.Status == state.Running && old.Attempts == pt.Attempt {
			t = old.Clone() // recorded running already, at this attempt
		} else {
			fresh = append(fresh, t)
		}
		ts, specs = append(ts, t), append(specs, spec)
	}
	// Recorded running before the submission: an apply that dies before
	// the handles are recorded is followed by one that looks the jobs up
	// (plan.Trial.Attach without a job) and never submits them twice.
	if err := r.recordAll(ctx, fresh); err != nil {
		return err
	}
	for _, t := range fresh {
		r.writeMeta(run.s, t)
	}
	var handles []string
	if len(specs) > 0 {
		r.mu.Unlock()
		locked = false
		// An error leaves the trials not submitted to the workers, which
		// submit them one at a time and report their own errors.
		var err error
		handles, err = sub.Submit(ctx, specs, limit)
		r.mu.Lock()
		locked = true
		handles = handles[:min(len(handles), len(specs))]
		if err != nil && ctx.Err() == nil {
			sr.SubmitError = fmt.Sprintf("submitting %d trials as job arrays failed after %d of them, so the other %d were submitted one job each: %v",
				len(specs), len(handles), len(specs)-len(handles), err)
		}
	}
	submitted := make([]*state.Trial, len(handles))
	for i, h := range handles {
		submitted[i] = ts[i].Clone()
		submitted[i].Job = h
	}
	// Even after an interrupt: the jobs exist either way. When this
	// fails, the trials stay recorded running without their jobs, as
	// after a crash: the next apply finds their jobs on the cluster.
	if err := r.recordAll(context.WithoutCancel(ctx), submitted); err != nil {
		return err
	}
	for i, t := range submitted {
		r.writeMeta(run.s, t)
		specs[i].Job = t.Job
		waits = append(waits, onCluster{t, specs[i]})
	}
	// The queue: what is on the cluster, taken; then the rest.
	queue := run.queue[:run.next:run.next]
	queue = append(queue, attach...)
	queue = append(queue, known[:len(handles)]...)
	run.next = len(queue)
	queue = append(queue, known[len(handles):]...)
	run.queue = append(queue, rest...)
	left := len(waits)
	for range limit - min(left, limit) {
		free <- struct{}{}
	}
	for _, w := range waits {
		t, spec := w.t, w.spec
		run.touched[t.Number] = true
		run.progress.Running++
		r.observeLocked(Event{Kind: TrialStarted, Trial: t}, run)
		run.pruning.started(t.Number)
		spec.Submitted = func(job string) error { return r.submitted(ctx, run, t, job) }
		wg.Go(func() {
			res := r.execute(ctx, run, sr, t, spec)
			err := r.end(ctx, run, sr, t, res)
			r.mu.Lock()
			left--
			if left < limit {
				select {
				case free <- struct{}{}:
				default: // never: limit tokens in all
				}
			}
			r.mu.Unlock()
			if err != nil {
				fail(err)
			}
		})
	}
	return nil
}

// recordAll records ts, in one batch when the journal is a
// state.Batcher, as record does each. The caller holds r.mu.
func (r *Runner) recordAll(ctx context.Context, ts []*state.Trial) error {
	if len(ts) == 0 {
		return nil
	}
	b, ok := r.Journal.(state.Batcher)
	if !ok {
		for _, t := range ts {
			if err := r.record(ctx, t); err != nil {
				return err
			}
		}
		return nil
	}
	if err := r.checkLock(ctx); err != nil {
		return err
	}
	cs := make([]state.Change, len(ts))
	for i, t := range ts {
		cs[i] = state.Change{Put: t.Clone()}
		if err := cs[i].Validate(); err != nil {
			return fmt.Errorf("recording trial %d of search %q: %w", t.Number, t.Search, err)
		}
	}
	if err := b.AppendBatch(ctx, cs); err != nil {
		return fmt.Errorf("writing the state: %w; trials already recorded are safe, run fwapply apply again once the state can be written", err)
	}
	for i, c := range cs {
		if err := r.State.Apply(c); err != nil {
			return fmt.Errorf("recording trial %d of search %q: %w", ts[i].Number, ts[i].Search, err)
		}
	}
	return nil
}
