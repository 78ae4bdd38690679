// Package definition holds the typed, validated form of a directory of
// *.fw.hcl files: the searches, their base configs, their spaces and their
// trial commands. It is what the loader (package hcl) produces and what the
// planner, the runtime and the generator consume.
//
// Contract:
//   - A Definition is immutable once loaded; nothing here reads files.
//   - Config values are plain Go values: map[string]any for objects, []any for
//     lists, string, bool, int64 for whole numbers that fit in 53 bits, and
//     float64 for every other number. JSON encoding of a config is canonical
//     (sorted keys), so equal configs give equal bytes and equal hashes.
//   - Search.Fingerprint is stable: the same meaning gives the same hash,
//     whatever the source formatting, attribute order or file names.
package definition

import (
	"path/filepath"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/frameworm/frameworm/space"
)

// Strategy names a search strategy.
type Strategy string

// The strategies of the language.
const (
	Grid     Strategy = "grid"
	Random   Strategy = "random"
	Bayesian Strategy = "bayesian"
)

// Mode says whether the metric is minimized or maximized.
type Mode string

// The modes of the language.
const (
	Min Mode = "min"
	Max Mode = "max"
)

// Acquisition functions of the Bayesian strategy.
const (
	AcquisitionEI  = "ei"
	AcquisitionLCB = "lcb"
	AcquisitionPI  = "pi"
)

// Definition is every search of one directory, in source order.
type Definition struct {
	Dir      string
	Searches []*Search
	// Backend is the frameworm block's backend, nil without one. It is not
	// part of any search's meaning: fingerprints, plans, exports and fwgen
	// ignore it, and it is never serialized (it may hold a password).
	Backend *Backend `json:"-"`
}

// Search returns the search with the given name, or nil.
func (d *Definition) Search(name string) *Search {
	for _, s := range d.Searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Search is one `search` block.
type Search struct {
	Name        string
	Strategy    Strategy
	Metric      string
	Mode        Mode
	Trials      int // budget; 0 for grid, which runs every point
	Seed        int64
	Parallelism int // 0 when unset; -1 means all CPUs

	// BaseConfig is the nested base configuration.
	BaseConfig map[string]any
	// Params are the searched parameters in source order; Space holds one
	// dimension per param, in the same order, named by the param path.
	Params []Param
	Space  *space.Space

	Trial    Trial
	Bayesian *BayesianOptions // nil unless Strategy is Bayesian
	// Pruner stops trials early from their progress reports; nil when
	// the search has no pruner block. Not part of the fingerprints (see
	// Pruner).
	Pruner *Pruner

	// Metrics are the metrics a trial reports, from `metrics = [...]`;
	// the objective Metric is always among them (first when the list
	// does not name it).
	Metrics []string
	// Tags label the search's trials as experiments, from `tags = [...]`.
	Tags []string
	// GoTypes overrides the Go type fwgen gives a config path, from
	// `go_types = { "training.epochs" = "float64" }`.
	GoTypes map[string]string
	// BaseConfigRange is the source range of base_config (the search
	// block's when it is not set), for diagnostics about config paths.
	BaseConfigRange hcl.Range

	// ExperimentRoot is the absolute directory that holds the trial
	// directories, <root>/<search>/<number>; by default .fw/trials in
	// the directory of the file.
	ExperimentRoot string

	// Dir is the directory trials run in: the directory of the file.
	Dir       string
	DeclRange hcl.Range

	// Upstreams are the searches this one reads (search.NAME references
	// and refine's from), sorted, without repeats; nil for none.
	Upstreams []string
	// Deferred is non-nil when the search reads a search whose outcome is
	// not known yet. Only Name, Strategy, Metric, Mode, Trials,
	// Upstreams, Dir, DeclRange and Deferred are then set: the rest
	// depends on the outcome.
	Deferred *Deferred
	// Refine records the refine block; nil without one.
	Refine *Refinement
}

// ExperimentTags returns the tags of the search's trials: its own, then
// the strategy's ("grid_search", "random_search", "bayesian_search") and
// the search name, without repeats.
func (s *Search) ExperimentTags() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range append(append([]string{}, s.Tags...), string(s.Strategy)+"_search", s.Name) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// DefaultExperimentRoot is where trial directories go, relative to the
// directory of the search files, when experiment_root is not set.
const DefaultExperimentRoot = ".fw/trials"

// TrialDir returns the directory of one trial.
func (s *Search) TrialDir(number int) string {
	return filepath.Join(s.ExperimentRoot, s.Name, strconv.Itoa(number))
}

// Param is one `param` block.
type Param struct {
	Path      string   // dotted path, as written
	Segments  []string // Path split at dots
	Dim       space.Dimension
	DeclRange hcl.Range
	// New is `new = true`: the param deliberately sets a key that
	// base_config does not have, even one close to an existing key's
	// name. It does not change which configs a search produces, so the
	// fingerprints leave it out.
	New bool
	// When is the param's `when`, nil when it is always searched.
	When *Condition
}

// Trial is the `trial` block: how one trial runs.
type Trial struct {
	// Command is the argv of a trial. With GoBuild set it is empty: the
	// trial runs the program built from that package.
	Command []string
	// GoBuild is a Go package path (like "./cmd/train"), relative to the
	// directory of the search files, that fwapply builds once per apply.
	GoBuild string
	Timeout time.Duration // 0: none
	Env     map[string]string
	// Executor is where the trials run, from `executor =
	// executor.slurm.NAME`; nil means the local process pool.
	Executor *Executor
}

// BayesianOptions is the `bayesian` block, with defaults filled in.
type BayesianOptions struct {
	InitialPoints int
	Acquisition   string
	Xi            float64 // exploration for ei and pi, in standardized units
	Kappa         float64 // exploration for lcb
	// PrunedTrials is what the model makes of trials the pruner stopped:
	// one of PrunedTrialsOptions.
	PrunedTrials string
	// ExploreEvery, ExploreKappa and StallTrials: once the best has not
	// improved significantly for StallTrials completed trials, every
	// ExploreEvery-th proposal minimizes the lower confidence bound at
	// ExploreKappa standard deviations (0 turns it off).
	ExploreEvery int
	ExploreKappa float64
	StallTrials  int
}

// Defaults of exploration once a search stalls (`explore_every`,
// `explore_kappa`, `stall_trials`): on the benchmark functions they cut
// the regret after 100 trials 1.4 to 10 times at 1 and 2 workers, and
// left it within the seeds' spread at 30 and 50.
const (
	DefaultExploreEvery = 3
	DefaultExploreKappa = 3.0
	DefaultStallTrials  = 10
)

// What a Bayesian search's model makes of pruned trials (`pruned_trials`).
const (
	PrunedTrialsValue   = "value"   // their last value, as if they ended there
	PrunedTrialsWorst   = "worst"   // ranked below every completed trial
	PrunedTrialsExclude = "exclude" // left out, as failed trials
)

// PrunedTrialsOptions are the values of `pruned_trials`, in the order
// messages list them.
var PrunedTrialsOptions = []string{PrunedTrialsValue, PrunedTrialsWorst, PrunedTrialsExclude}

// DefaultPrunedTrials is `pruned_trials` when not set: on the digits
// pruning benchmark (scripts/prune-bench) it found the best configs with
// both pruners.
const DefaultPrunedTrials = PrunedTrialsValue

// DefaultKappa is lcb's default width, in posterior standard deviations.
const DefaultKappa = 1.96

// DefaultXi is the default improvement margin of an acquisition, in
// standardized units: 0 for ei (log expected improvement explores on its
// own, and a margin stops it from refining the optimum), 0.01 for pi
// (which with no margin exploits too greedily).
func DefaultXi(acquisition string) float64 {
	if acquisition == AcquisitionPI {
		return 0.01
	}
	return 0
}

// DefaultBayesian returns the options of a bayesian search without a
// bayesian block.
func DefaultBayesian(trials int) *BayesianOptions {
	return &BayesianOptions{
		InitialPoints: DefaultInitialPoints(trials),
		Acquisition:   AcquisitionEI,
		Xi:            DefaultXi(AcquisitionEI),
		Kappa:         DefaultKappa,
		PrunedTrials:  DefaultPrunedTrials,
		ExploreEvery:  DefaultExploreEvery,
		ExploreKappa:  DefaultExploreKappa,
		StallTrials:   DefaultStallTrials,
	}
}

// DefaultInitialPoints is the number of space-filling points a Bayesian
// search starts with when `initial_points` is not set: 10, or the budget
// when it is smaller.
func DefaultInitialPoints(trials int) int { return min(10, trials) }
