// Package plan computes what an apply would do: definition + state -> plan.
//
// Contract:
//   - Make is deterministic: the same definition and state give the same
//     plan, with the exact params of every trial a grid or random search
//     (and a Bayesian search's initial design) will run.
//   - A trial in the state counts for a search only when it matches the
//     current definition: its params are a point of the current space and
//     the config they resolve to hashes to the trial's config hash. Other
//     trials are excluded: kept as history, out of the budget and the best.
//   - Retry policy: a matching trial is planned again when it was left
//     running (a crash) or interrupted, when it is tainted, or when it failed
//     and has been attempted fewer than MaxAttempts times. A trial that
//     failed MaxAttempts times stays failed (taint it to run it again), so
//     no apply loops on a failing trial. A trial the pruner stopped
//     (pruned) is never planned again (unless replaced or tainted), and
//     never counts as the best.
//   - The budget counts matching trials (kept, pruned, failed or
//     retried); raising
//     trials plans only the difference. Grid search's budget is its grid.
//   - A saved plan (WriteFile) carries the SHA-256 of its content: ReadFile
//     refuses a modified file. Saved.Bind runs it only against the state it
//     was made for (lineage, serial, fingerprints), and only as Make could
//     have written it (numbers, attempts, retries, budget).
//   - Nothing here runs trials or writes files, except WriteFile.
package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/space"
	"github.com/frameworm/frameworm/state"
)

// MaxAttempts is how many times a failing trial is run before it stays
// failed.
const MaxAttempts = 2

// Plan is what an apply would do, for the targeted searches.
type Plan struct {
	// Lineage and Serial of the state the plan was made against.
	Lineage string
	Serial  uint64
	// Vars are the variable inputs the definition was loaded with.
	Vars     Vars
	Searches []*Search
}

// Vars records -var and -var-file, so apply of a saved plan loads the
// definition the same way.
type Vars struct {
	Flags []string `json:"flags,omitempty"`
	Files []string `json:"files,omitempty"`
}

// Search is the plan of one search.
type Search struct {
	Name        string
	Strategy    definition.Strategy
	Metric      string
	Mode        definition.Mode
	Fingerprint string
	Budget      int
	ToRun       []Trial // new trial numbers
	ToRetry     []Trial // existing trial numbers, run again
	Kept        int     // completed, matching, not run again
	Pruned      int     // stopped by the pruner, matching, not run again
	Failed      int     // failed MaxAttempts times, matching
	Excluded    int     // no longer match the definition
	// ExcludedTrials name the excluded trials with the reason each no
	// longer matches, in number order.
	ExcludedTrials []Exclusion
	// FailedTrials are the matching trials that failed MaxAttempts times
	// and stay failed unless replaced (-replace, -retry-failed).
	FailedTrials []FailedTrial
	// Exhausted is set when the space has fewer unseen points than the
	// budget asks for.
	Exhausted bool
	// SettingsChanges is what changed in the search's definition since
	// the last apply recorded it (nil when nothing did, or when no apply
	// recorded one), whether or not it excludes trials.
	SettingsChanges []definition.ConfigChange
	// UpstreamChanges name the searches this one reads whose best trial
	// changed since the last apply recorded its settings: its definition
	// was made from another upstream trial then (nil when none did).
	UpstreamChanges []UpstreamChange
	// Deferred is set when the search's definition is known only after
	// apply (it reads a search with trials to run): nothing else is
	// planned for it but Budget (its trials; 0 for grid) and Recorded.
	Deferred *definition.Deferred
	// Recorded is the number of trials the state holds of a deferred
	// search, matched against its definition once it is known.
	Recorded int

	// made is what Make classified the plan from; nil in a plan read
	// from a file. (It is not part of the plan: compare plans with
	// cmpopts.IgnoreUnexported(Search{}).)
	made *classified
}

// classified is the classification of a search's trials Make computed,
// and the state it read them from, at which serial.
type classified struct {
	h      History
	from   *state.State
	serial uint64
}

// History returns the classification of the search's trials under the
// default policy (what Classify gives) that Make computed the plan from,
// so an apply need not match every trial again. It reports false, and
// the caller must Classify, unless st is the very state the plan was made
// from, unchanged since (same Serial); a plan read from a file never has
// one.
func (ps *Search) History(st *state.State) (History, bool) {
	if ps.made == nil || st == nil || st != ps.made.from || st.Serial != ps.made.serial {
		return History{}, false
	}
	return ps.made.h.withPolicy(Policy{}), true
}

// Trial is one planned run.
type Trial struct {
	Number int
	// Point is nil when the params are known only after apply (an
	// adaptive strategy's proposals).
	Point   space.Point
	Attempt int    // 1 for a new trial
	Reason  string // why a retry runs again
	// Attach is set for a trial left running on an executor that queues
	// trials (an apply died while its job was queued or running): apply
	// waits for that job, the same attempt (Attempt is the recorded one),
	// instead of running the trial again. Job is the recorded handle of
	// the job, "" when the apply died before recording it: the executor
	// then looks the attempt's job up on the cluster (and submits it only
	// when there is none).
	Attach bool
	Job    string
}

// Changes reports whether the plan would run anything: trials to run or
// retry, or a search whose trials are known only after apply.
func (p *Plan) Changes() bool {
	for _, s := range p.Searches {
		if len(s.ToRun)+len(s.ToRetry) > 0 || s.Deferred != nil {
			return true
		}
	}
	return false
}

// Totals returns the counts of the summary line.
func (p *Plan) Totals() (toRun, toRetry, excluded int) {
	for _, s := range p.Searches {
		toRun += len(s.ToRun)
		toRetry += len(s.ToRetry)
		excluded += s.Excluded
	}
	return
}

// Exclusion is one trial that no longer matches the definition, and why.
type Exclusion struct {
	Number int    `json:"number"`
	Reason string `json:"reason"` // with this trial's values
	// Groups say the same, one per reason, without this trial's values,
	// so that trials excluded for one reason group together.
	Groups []string `json:"groups"`
}

// FailedTrial is a matching trial that failed its attempts.
type FailedTrial struct {
	Number   int    `json:"number"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
}

// Options select what to plan.
type Options struct {
	// Targets are search names; empty means every search. The searches
	// they read, directly or not, are planned too (WithUpstreams).
	Targets []string
	Vars    Vars
	// Replace names trials to run again whatever their status (apply
	// -replace=search.NAME[N]). A replaced trial must exist and match
	// the definition.
	Replace []state.TrialRef
	// RetryFailed runs again every matching trial that failed its
	// attempts (apply -retry-failed).
	RetryFailed bool
}

// Make plans every targeted search of def against st.
func Make(def *definition.Definition, st *state.State, opts Options) (*Plan, error) {
	p := &Plan{Lineage: st.Lineage, Serial: st.Serial, Vars: opts.Vars}
	for _, name := range opts.Targets {
		if def.Search(name) == nil {
			return nil, fmt.Errorf("no search %q to target; the searches are %v", name, searchNames(def))
		}
	}
	opts.Targets = withUpstreams(def, opts.Targets)
	replace, err := replacements(def, st, opts)
	if err != nil {
		return nil, err
	}
	for _, s := range def.Searches {
		if len(opts.Targets) > 0 && !slices.Contains(opts.Targets, s.Name) {
			continue
		}
		if s.Deferred != nil {
			p.Searches = append(p.Searches, deferredSearch(s, st))
			continue
		}
		pol := Policy{Replace: replace[s.Name], RetryFailed: opts.RetryFailed}
		sp, err := makeSearch(s, st, pol)
		if err != nil {
			return nil, fmt.Errorf("planning search %q: %w", s.Name, err)
		}
		sp.UpstreamChanges = upstreamChanges(def, s, st)
		p.Searches = append(p.Searches, sp)
	}
	return p, nil
}

// replacements checks Options.Replace and groups it by search: every
// replaced trial must exist, belong to a planned search and match its
// definition.
func replacements(def *definition.Definition, st *state.State, opts Options) (map[string]map[int]bool, error) {
	out := map[string]map[int]bool{}
	for _, ref := range opts.Replace {
		s := def.Search(ref.Search)
		if s == nil {
			return nil, fmt.Errorf("cannot replace search.%s[%d]: there is no search %q; the searches are %v", ref.Search, ref.Number, ref.Search, searchNames(def))
		}
		if len(opts.Targets) > 0 && !slices.Contains(opts.Targets, s.Name) {
			return nil, fmt.Errorf("cannot replace search.%s[%d]: -target leaves search %q out of the plan", ref.Search, ref.Number, ref.Search)
		}
		if s.Deferred != nil {
			return nil, fmt.Errorf("cannot replace search.%s[%d]: the search's definition is known only after apply (it %s); apply the searches it reads first", ref.Search, ref.Number, s.Deferred.Reason)
		}
		t := st.Trial(ref.Search, ref.Number)
		if t == nil {
			return nil, fmt.Errorf("cannot replace search.%s[%d]: the state has no such trial (fwapply state list shows the trials)", ref.Search, ref.Number)
		}
		if _, mm := Explain(s, t); len(mm) > 0 {
			return nil, fmt.Errorf("cannot replace search.%s[%d]: it no longer matches the definition (%s), so running it again would not count", ref.Search, ref.Number, Reason(mm))
		}
		if out[s.Name] == nil {
			out[s.Name] = map[int]bool{}
		}
		out[s.Name][ref.Number] = true
	}
	return out, nil
}

func searchNames(def *definition.Definition) []string {
	var out []string
	for _, s := range def.Searches {
		out = append(out, s.Name)
	}
	return out
}

// Budget is the number of matching trials a search may hold.
func Budget(s *definition.Search) (int, error) {
	if s.Strategy != definition.Grid {
		return s.Trials, nil
	}
	n, err := s.Space.GridSize()
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt32 {
		return 0, fmt.Errorf("grid of %d points is too large", n)
	}
	return int(n), nil
}

func makeSearch(s *definition.Search, st *state.State, pol Policy) (*Search, error) {
	budget, err := Budget(s)
	if err != nil {
		return nil, err
	}
	out := &Search{
		Name: s.Name, Strategy: s.Strategy, Metric: s.Metric, Mode: s.Mode,
		Fingerprint: s.Fingerprint(), Budget: budget,
	}
	if old := st.Settings(s.Name); old != nil {
		out.SettingsChanges = definition.SettingsChanges(withoutUpstreams(old), s.Settings())
	}
	h := ClassifyWith(s, st.Trials(s.Name), pol)
	out.made = &classified{h: h, from: st, serial: st.Serial}
	out.Kept, out.Failed, out.Excluded, out.Pruned = len(h.Kept), len(h.Failed), len(h.Excluded), len(h.Pruned)
	for _, x := range h.Excluded {
		out.ExcludedTrials = append(out.ExcludedTrials, Exclusion{Number: x.Trial.Number, Reason: Reason(x.Mismatches), Groups: groups(x.Mismatches)})
	}
	for _, m := range h.Failed {
		out.FailedTrials = append(out.FailedTrials, FailedTrial{Number: m.Trial.Number, Attempts: m.Trial.Attempts, Error: m.Trial.Error})
	}
	for _, t := range h.Retry {
		if !pol.Replace[t.Trial.Number] && Attachable(s, t.Trial) {
			out.ToRetry = append(out.ToRetry, Trial{Number: t.Trial.Number, Point: t.Point, Attempt: t.Trial.Attempts, Reason: AttachReason(t.Trial.Job), Attach: true, Job: t.Trial.Job})
			continue
		}
		out.ToRetry = append(out.ToRetry, Trial{Number: t.Trial.Number, Point: t.Point, Attempt: t.Trial.Attempts + 1, Reason: t.Reason})
	}
	used := len(h.Kept) + len(h.Failed) + len(h.Retry) + len(h.Pruned)
	n := max(0, budget-used)
	if n == 0 {
		return out, nil
	}
	strategy, err := StrategyFor(s)
	if err != nil {
		return nil, err
	}
	req := h.Request(s)
	next := st.NextNumber(s.Name)
	if adaptive, ok := strategy.(search.Adaptive); ok {
		// Only the initial design is known before apply.
		points, err := adaptive.Initial(req, n)
		if err != nil {
			return nil, err
		}
		for i := range n {
			t := Trial{Number: next + i, Attempt: 1}
			if i < len(points) {
				t.Point = points[i]
			}
			out.ToRun = append(out.ToRun, t)
		}
		return out, nil
	}
	points, err := strategy.Propose(req, n)
	if err != nil {
		return nil, err
	}
	out.Exhausted = search.Exhausted(points, n)
	for i, pt := range points {
		out.ToRun = append(out.ToRun, Trial{Number: next + i, Point: pt, Attempt: 1})
	}
	return out, nil
}

// Attachable reports whether the trial t of s is planned as an attach: it
// was left running (not tainted) by an apply that did not finish, and the
// search's trials run on an executor that queues them (Slurm), whose job
// may still be queued, running or ended with its outcome. Local trials
// left running died with their apply and run again as a new attempt.
func Attachable(s *definition.Search, t *state.Trial) bool {
	return s.Trial.Executor != nil && t.Status == state.Running && !t.Tainted && t.Attempts > 0
}

// AttachReason is the Reason of a trial planned as an attach to job (a
// handle, "" when none was recorded).
func AttachReason(job string) string {
	if job == "" {
		return "left running by an apply that did not finish; its job is looked up on the cluster and attached to, or submitted if there is none"
	}
	if kind, id, ok := strings.Cut(job, ":"); ok {
		return fmt.Sprintf("re-attach to %s job %s (left running by an apply that did not finish)", kind, id)
	}
	return fmt.Sprintf("re-attach to job %s (left running by an apply that did not finish)", job)
}

// StrategyFor returns the strategy of a search.
func StrategyFor(s *definition.Search) (search.Strategy, error) {
	switch s.Strategy {
	case definition.Grid:
		return search.Grid{}, nil
	case definition.Random:
		return search.Random{}, nil
	case definition.Bayesian:
		o := s.Bayesian
		if o == nil {
			o = definition.DefaultBayesian(s.Trials)
		}
		return search.Bayesian{InitialPoints: o.InitialPoints, Acquisition: o.Acquisition, Xi: o.Xi, Kappa: o.Kappa,
			PrunedTrials: o.PrunedTrials, ExploreEvery: o.ExploreEvery, ExploreKappa: o.ExploreKappa, StallTrials: o.StallTrials}, nil
	}
	return nil, fmt.Errorf("the %s strategy is not available in this version of fwapply", s.Strategy)
}
