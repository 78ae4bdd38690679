// Package prune decides whether a running trial is stopped early (pruned)
// from the progress that trials report: the median pruner (Optuna's
// MedianPruner) and ASHA (Optuna's SuccessiveHalvingPruner with a minimum
// early-stopping rate of 0), both made deterministic.
//
// # Contract
//
//   - Nothing here reads files, starts processes, looks at a clock or keeps
//     state: Decide, Settle and Validate are pure functions of their
//     arguments, safe for concurrent use, and never modify them.
//   - Decisions are reproducible: they depend only on the recorded progress
//     of trials in trial-number order and on the Settings, never on when
//     progress arrived or in which order the peers are passed. A resumed
//     search that calls Decide again on the same progress gets the same
//     decisions, and a trial decided in several calls, as its progress and
//     its peers' progress grow, gets the decision that one call with the
//     complete progress gives (provided peers are passed as Settle returns
//     them, below).
//   - Decide panics when the Settings fail Validate (a bug of the caller:
//     the search's definition validates the pruner).
//
// # Progress
//
// A Trial's Steps are the steps at which it reported the pruner's metric,
// in the order reported; the metric's value may be NaN or ±Inf (±Inf order
// as usual). Steps are meant to be strictly ascending: an entry whose step
// is not greater than every step before it is ignored, so the first value
// reported for a step counts and a step going backwards is dropped. A trial
// has reached step s when it reported a step >= s. Ended means no more
// steps will come; Completed means it ended completed (and implies Ended).
//
// The peers of trial t are the trials numbered below t.Number; any other
// trial passed to Decide is ignored. Nothing else is ever looked at: no
// timing, no trial numbered t.Number or above.
//
// # Checkpoints and calls
//
// A trial is checked at checkpoints, which the pruner defines (below), each
// identified by a step. Decide(s, t, peers, after) evaluates t's
// checkpoints after `after` (exclusive) in ascending order, up to t's last
// reported step, and returns
//
//   - at the first checkpoint that prunes: Prune, with Step (the reported
//     step whose value was compared), Value (the value compared: for the
//     median, t's best value up to Step) and Reason;
//   - or at the first checkpoint it cannot decide yet, because a peer that
//     has not ended has not reached it (or, for the median, because enough
//     peers may still complete): Waiting;
//   - or when every checkpoint up to t's last step is decided.
//
// Checked is always the last checkpoint decided not to prune (after itself
// when there is none), so the caller calls again later, when t or a peer
// has progressed, with after = Checked. Start (-1) is before every
// checkpoint: checkpoints are never negative.
//
// A checkpoint at step s is decidable once every peer has reached s or
// ended: its value at s (or its rung value) is then known for good. A
// decision taken once stays right when more progress comes, so it is the
// one that complete information gives.
//
// # Peers as others see them
//
// For that to hold, every peer must look to Decide as it will in the end,
// or as a part of that: a pruned trial's steps after its pruning step (a
// stopped process may still write a few lines) must not count, and
// neither may a trial's steps beyond a checkpoint not yet decided (it may
// still be pruned there), nor its end before every checkpoint is decided
// (a trial may finish while Waiting; its status is only known once the
// decision is). Settle(s, p, d) returns trial p as the trials above it
// must see it, given d, the latest Decision for p:
//
//   - after a Prune: its steps up to d.Step, ended, not completed;
//   - otherwise, when p reached a checkpoint after d.Checked: its steps up
//     to and including the step at which that checkpoint is checked, not
//     ended, not completed;
//   - otherwise p itself (ended when completed).
//
// Pass Decision{Checked: Start} for a trial not decided yet (the zero
// Decision would claim step 0 decided). So a caller keeps, for every
// trial, its progress and its latest Decision, and after any progress
// calls, in trial-number order, Decide(s, t, settled peers, latest
// t.Checked) for each trial neither pruned nor finally decided, where the
// settled peers are Settle of each lower trial. A trial that ended while
// Waiting keeps being decided: it is recorded as pruned when a Prune
// comes, as it ended when a call is no longer Waiting. A search resumed
// from recorded progress replays the same calls (or one per trial, in
// trial-number order, with after = Start, for the trials that ended) and
// gets the same decisions. All this assumes that progress only grows
// between calls (steps appended, Ended and Completed only set): a trial
// run again from its first step (a retry with a new progress file) breaks
// it, and decisions taken on its earlier attempt's progress stand.
//
// # Median
//
// Settings: StartupTrials (>= 0), WarmupSteps (>= 0), Interval (>= 1).
// The checkpoints of t are its reported steps s with s >= WarmupSteps and
// (s - WarmupSteps) % Interval == 0. At checkpoint s:
//
//  1. Startup: with fewer than StartupTrials peers completed, t is not
//     pruned at s when the peers that have not ended could not make up the
//     difference (in particular when every peer has ended), and Decide
//     waits otherwise.
//  2. t's best value up to s is its minimum (maximum when Maximize) over
//     its steps <= s, NaN ignored. When every one is NaN, t is pruned.
//  3. Decide waits until every peer has reached s or ended.
//  4. The median is that of the peers' values at exactly step s, leaving
//     out peers without a value at s (they skipped it, or ended before it)
//     and NaN values: the middle value, or the mean of the two middle ones
//     (-Inf and +Inf have none). With no value left, or no median, t is not
//     pruned.
//  5. t is pruned when its best value is strictly worse than the median
//     (greater, or smaller when Maximize); a tie is not pruned.
//
// Reason: "pruned at step 4: val_loss 0.91 worse than median 0.42 of 6
// trials", the count being that of the peers' values in the median.
//
// This differs from Optuna in three ways, all for determinism: the median
// is over every peer with a value at s, not only completed ones (which
// would wait for every peer to end); StartupTrials counts completed peers,
// not every completed trial; and a checkpoint is a step on the interval
// grid itself, not the first reported step of each interval.
//
// # ASHA
//
// Settings: MinSteps (>= 1), MaxSteps, ReductionFactor (>= 2). Rung k is at
// step r_k = MinSteps * ReductionFactor^k, for k = 0, 1, ... while r_k <
// MaxSteps (no rung when MaxSteps <= MinSteps: nothing is pruned). The
// checkpoints of t are the rungs it reached, identified by r_k; a trial's
// rung value is its value at its first reported step >= r_k, so a trial
// that skipped steps may be checked at several rungs at once, with the
// same value. At rung k:
//
//  1. When t's rung value is NaN, t is pruned.
//  2. Decide waits until every peer has reached r_k or ended.
//  3. Competing are the rung values of the peers that reached r_k and t's
//     own, sorted best first (smallest, or largest when Maximize), NaN
//     last. With idx = len(competing)/ReductionFactor - 1, or 0 when that
//     is -1, t is pruned unless its value is at least as good as
//     competing[idx], the cutoff (a tie is not pruned; any number is better
//     than a NaN cutoff).
//
// Reason: "pruned at step 9 (rung 2 of 0..2): val_loss 0.91 not in the best
// 1/3 of 7 trials at step 9 (cutoff 0.42)": the first step is t's reported
// step, the rungs are numbered from 0, the last step is r_k, and the count
// is len(competing), t included.
//
// # Numbers in reasons
//
// Values are written with 4 significant digits (like %.4g), more when
// needed to tell the two numbers compared apart, "NaN", "+Inf" and "-Inf":
// the same text for the same values on every platform. A peer's -0 counts
// as 0 (they are equal), so that the order of the peers never shows in a
// reason.
//
// # Cost
//
// Decide reads each peer's steps once, in one pass whatever the number of
// checkpoints, and at each checkpoint selects the median or the cutoff in
// linear time (a quickselect, no sort): O(peers' steps + checkpoints ×
// peers). BenchmarkDecide measures 1,000 peers of 100 steps.
package prune
