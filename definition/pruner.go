package definition

import "github.com/hashicorp/hcl/v2"

// The pruner kinds of the language.
const (
	// PrunerMedian is Optuna's MedianPruner: a trial whose best value so
	// far is worse than the median of the earlier trials at the same step
	// is stopped.
	PrunerMedian = "median"
	// PrunerASHA is asynchronous successive halving: at each rung, a trial
	// goes on only when it is among the best 1/reduction_factor of the
	// earlier trials there.
	PrunerASHA = "asha"
)

// PrunerKinds are the kinds of pruner blocks, in the order messages list
// them.
var PrunerKinds = []string{PrunerASHA, PrunerMedian}

// Defaults of a pruner block's attributes; asha's max_steps has none.
const (
	DefaultStartupTrials   = 5
	DefaultWarmupSteps     = 0
	DefaultInterval        = 1
	DefaultMinSteps        = 1
	DefaultReductionFactor = 3
)

// Pruner is a search's `pruner "KIND"` block, with defaults filled in: it
// stops trials early from the progress they report (docs/language.md,
// "Pruners"). The fields of the other kind are zero.
//
// A pruner decides which trials run to the end, not what a trial
// computes: a trial it lets complete has the metrics it would have had
// without it. So, like the executor, it is not part of the search's
// Fingerprint or SpaceFingerprint: adding, changing or removing a pruner
// keeps the search's completed trials (and the pruned ones, which stay
// pruned: taint them to run them again), and a saved plan still matches.
// It is part of Settings, so that a plan says when it changed since the
// last apply: its decisions depend on it.
type Pruner struct {
	Kind string // PrunerMedian or PrunerASHA
	// Metric is the metric the pruner compares, one of the search's
	// Metrics; the search's Metric when not set. The search's Mode
	// applies to it.
	Metric string

	// Median: no pruning until StartupTrials earlier trials completed;
	// no trial is judged before step WarmupSteps; then every Interval
	// steps.
	StartupTrials, WarmupSteps, Interval int

	// ASHA: rungs at MinSteps·ReductionFactor^k below MaxSteps.
	MinSteps, MaxSteps, ReductionFactor int

	// DeclRange is the block's header, for messages.
	DeclRange hcl.Range
}

// settingsKey is the pruner's key in Settings: its block header.
func (p *Pruner) settingsKey() string { return `pruner "` + p.Kind + `"` }

// settings returns the pruner's attributes, defaults filled in, as plain
// JSON data for Settings.
func (p *Pruner) settings() map[string]any {
	m := map[string]any{"metric": p.Metric}
	switch p.Kind {
	case PrunerMedian:
		m["startup_trials"] = int64(p.StartupTrials)
		m["warmup_steps"] = int64(p.WarmupSteps)
		m["interval"] = int64(p.Interval)
	case PrunerASHA:
		m["min_steps"] = int64(p.MinSteps)
		m["max_steps"] = int64(p.MaxSteps)
		m["reduction_factor"] = int64(p.ReductionFactor)
	}
	return m
}
