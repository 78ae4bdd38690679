// Command prunebench measures what a pruner saves on the digits example,
// and what it costs: it runs the digits search (examples/digits) with
// each variant (a strategy, maybe a pruner, and what a Bayesian model
// makes of pruned trials) for several seeds, each as a user would, with
// `fwapply apply -auto-approve` in a directory of its own, and prints a
// markdown table of the median best val_loss and the total epochs
// trained, against the same strategy without a pruner.
//
// scripts/prune-bench builds fwapply and the digits trainer and runs it:
//
//	scripts/prune-bench -seeds 5 -trials 40 -epochs 30
//
// What it counts, the same way for every variant:
//
//   - best: the smallest val_loss of a completed trial;
//   - epochs: the progress lines of every trial (the trainer reports one
//     per epoch), so a pruned trial counts the epochs it ran before it
//     stopped, including those it ran while the decision was on its way;
//   - to decision: the same, with a pruned trial counted up to the step
//     it was pruned at: what an instant stop would have trained. fwapply
//     looks at the progress files every 250 ms, and a digits epoch takes
//     milliseconds, so the trainer sleeps -epoch-delay after each epoch
//     (DIGITS_EPOCH_DELAY) to stand in for a model whose epochs are long
//     next to that;
//   - wall: the apply's wall time.
//
// The trials of a search run -trial-parallelism at a time and -parallel
// applies run at once: on a 2-core machine the defaults (2 and 1) keep
// wall times honest.
//
// A Bayesian search's proposals depend on which trials are still running
// when a worker frees, so even without a pruner two runs of one seed may
// differ: compare medians over many seeds. -first-seed runs further seeds,
// -json saves the figures, and -from prints the tables of saved runs
// together (of the same -trials, -epochs and -epoch-delay).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	fwapply, trainer, data string
	seeds, trials, epochs  int
	firstSeed              int64
	parallel, trialPar     int
	epochDelay             time.Duration
	variants               []variant
	work                   string
	keep                   bool
	jsonOut                string
	from                   string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prunebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var variants string
	fs.StringVar(&o.fwapply, "fwapply", "", "path of the fwapply binary (required)")
	fs.StringVar(&o.trainer, "trainer", "", "path of the digits trainer, go build ./examples/digits/cmd/train (required)")
	fs.StringVar(&o.data, "data", "examples/digits/data/digits.csv.gz", "the digits data")
	fs.IntVar(&o.seeds, "seeds", 5, "how many seeds of each variant")
	fs.Int64Var(&o.firstSeed, "first-seed", 1, "the first seed: seeds run from it on")
	fs.IntVar(&o.trials, "trials", 40, "trials of each search")
	fs.IntVar(&o.epochs, "epochs", 30, "epochs of each trial (base_config.training.epochs)")
	fs.StringVar(&variants, "variants", strings.Join(defaultVariants, ","), "comma-separated variants: STRATEGY[+PRUNER[/PRUNED_TRIALS]][:ATTR=N]... or random@VARIANT (see the package doc)")
	fs.IntVar(&o.parallel, "parallel", 1, "applies at once")
	fs.IntVar(&o.trialPar, "trial-parallelism", 2, "trials at once in each apply (the search's parallelism)")
	fs.DurationVar(&o.epochDelay, "epoch-delay", 100*time.Millisecond, "sleep after each epoch (DIGITS_EPOCH_DELAY), so that pruning has time to act; 0 for none")
	fs.StringVar(&o.work, "work", "", "directory for the runs (default: a new temporary one, removed at the end unless -keep)")
	fs.BoolVar(&o.keep, "keep", false, "keep the runs' directories")
	fs.StringVar(&o.jsonOut, "json", "", "also write every run's figures to this file, as JSON")
	fs.StringVar(&o.from, "from", "", "run nothing: print the tables of the runs in these comma-separated files written by -json (of the same -trials, -epochs and -epoch-delay), together")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "prunebench: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments %q", fs.Args())
	}
	if o.from != "" {
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "variants" })
		if !explicit {
			variants = ""
		}
		if err := reportFrom(stdout, o, variants); err != nil {
			return fail("%v", err)
		}
		return 0
	}
	if o.fwapply == "" || o.trainer == "" {
		return fail("-fwapply and -trainer are required; scripts/prune-bench builds both")
	}
	if o.seeds < 1 || o.trials < 1 || o.epochs < 2 || o.parallel < 1 || o.trialPar < 1 || o.epochDelay < 0 {
		return fail("-seeds, -trials, -parallel and -trial-parallelism must be at least 1, -epochs at least 2, -epoch-delay not negative")
	}
	var err error
	if o.variants, err = parseVariants(variants); err != nil {
		return fail("%v", err)
	}
	for _, p := range []*string{&o.fwapply, &o.trainer, &o.data} {
		if *p, err = filepath.Abs(*p); err != nil {
			return fail("%v", err)
		}
		if _, err := os.Stat(*p); err != nil {
			return fail("%v", err)
		}
	}
	if o.work == "" {
		if o.work, err = os.MkdirTemp("", "prunebench-"); err != nil {
			return fail("%v", err)
		}
		if !o.keep {
			defer os.RemoveAll(o.work)
		}
	}
	fmt.Fprintf(stderr, "prunebench: %d variants × %d seeds, %d trials of %d epochs, epoch delay %s, in %s\n",
		len(o.variants), o.seeds, o.trials, o.epochs, o.epochDelay, o.work)
	results := runAll(ctx, o, stderr)
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(saved{Trials: o.trials, Epochs: o.epochs, EpochDelay: o.epochDelay.String(), TrialParallelism: o.trialPar, Runs: results}, "", "  ")
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "prunebench:", err)
		}
	}
	report(stdout, o, results)
	if ctx.Err() != nil {
		return 1
	}
	for _, r := range results {
		if r.Error != "" {
			return 1
		}
	}
	return 0
}

// result is one apply of one variant with one seed.
type result struct {
	Variant string `json:"variant"`
	Seed    int64  `json:"seed"`
	Trials  int    `json:"trials"`
	// Best is the smallest val_loss of a completed trial, nil without one.
	Best           *float64 `json:"best"`
	Epochs         int      `json:"epochs"`
	DecisionEpochs int      `json:"decision_epochs"`
	Completed      int      `json:"completed"`
	Pruned         int      `json:"pruned"`
	Failed         int      `json:"failed"`
	WallSeconds    float64  `json:"wall_seconds"`
	Dir            string   `json:"dir"`
	Error          string   `json:"error,omitempty"`
}

// saved is what -json writes and -from reads.
type saved struct {
	Trials           int      `json:"trials"`
	Epochs           int      `json:"epochs"`
	EpochDelay       string   `json:"epoch_delay"`
	TrialParallelism int      `json:"trial_parallelism"`
	Runs             []result `json:"runs"`
}

// reportFrom prints the tables of saved runs: of the variants listed,
// or of every variant in the order the files hold them.
func reportFrom(w io.Writer, o options, variants string) error {
	var all []result
	seeds := map[int64]bool{}
	for i, name := range strings.Split(o.from, ",") {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		var s saved
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		delay, err := time.ParseDuration(s.EpochDelay)
		if err != nil {
			return fmt.Errorf("%s: epoch_delay: %w", name, err)
		}
		if i == 0 {
			o.trials, o.epochs, o.epochDelay, o.trialPar = s.Trials, s.Epochs, delay, s.TrialParallelism
		} else if s.Trials != o.trials || s.Epochs != o.epochs || delay != o.epochDelay || s.TrialParallelism != o.trialPar {
			return fmt.Errorf("%s: runs of %d trials of %d epochs, delay %s, %d at once; the first file's are %d, %d, %s, %d",
				name, s.Trials, s.Epochs, delay, s.TrialParallelism, o.trials, o.epochs, o.epochDelay, o.trialPar)
		}
		for _, r := range s.Runs {
			seeds[r.Seed] = true
		}
		all = append(all, s.Runs...)
	}
	var specs []string
	if variants != "" {
		specs = strings.FieldsFunc(variants, func(r rune) bool { return r == ',' || r == ' ' })
	} else {
		for _, r := range all {
			if !slices.Contains(specs, r.Variant) {
				specs = append(specs, r.Variant)
			}
		}
	}
	o.variants = nil
	for _, spec := range specs {
		v, err := parseVariant(spec)
		if err != nil {
			return err
		}
		o.variants = append(o.variants, v)
	}
	o.seeds = len(seeds)
	report(w, o, all)
	return nil
}

type job struct {
	index int // of the variant
	v     variant
	seed  int64
}

// runAll runs every variant for every seed, seed by seed; random@SPEC
// runs after SPEC did for the seed, in a second round.
func runAll(ctx context.Context, o options, log io.Writer) []result {
	var first, second []job
	for seed := o.firstSeed; seed < o.firstSeed+int64(o.seeds); seed++ {
		for i, v := range o.variants {
			j := job{i, v, seed}
			if v.MatchEpochs != "" {
				second = append(second, j)
			} else {
				first = append(first, j)
			}
		}
	}
	var (
		mu      sync.Mutex
		results []result
		done    int
	)
	total := len(first) + len(second)
	runRound := func(jobs []job) {
		ch := make(chan job)
		var wg sync.WaitGroup
		for range o.parallel {
			wg.Go(func() {
				for j := range ch {
					mu.Lock()
					trials := o.trials
					if j.v.MatchEpochs != "" {
						trials = matchedTrials(results, j.v.MatchEpochs, j.seed, o.epochs)
					}
					mu.Unlock()
					r := runOne(ctx, o, j, trials)
					mu.Lock()
					results = append(results, r)
					done++
					fmt.Fprintf(log, "[%d/%d] %s\n", done, total, r.line())
					mu.Unlock()
				}
			})
		}
		for _, j := range jobs {
			if ctx.Err() != nil {
				break
			}
			ch <- j
		}
		close(ch)
		wg.Wait()
	}
	runRound(first)
	runRound(second)
	return results
}

// matchedTrials is the number of trials of a run without pruning that
// trains as many epochs as the run of spec with the seed did: its epochs
// over the epochs of a trial, rounded, at least 1.
func matchedTrials(results []result, spec string, seed int64, epochs int) int {
	for _, r := range results {
		if r.Variant == spec && r.Seed == seed {
			return max(1, int(math.Round(float64(r.Epochs)/float64(epochs))))
		}
	}
	return 1
}

func (r result) line() string {
	best := "no completed trial"
	if r.Best != nil {
		best = fmt.Sprintf("best %.4f", *r.Best)
	}
	s := fmt.Sprintf("%s seed %d: %d trials, %s, %d epochs (%d to decision), %d completed, %d pruned, %d failed, %.1f s",
		r.Variant, r.Seed, r.Trials, best, r.Epochs, r.DecisionEpochs, r.Completed, r.Pruned, r.Failed, r.WallSeconds)
	if r.Error != "" {
		s += ": " + r.Error
	}
	return s
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// runOne writes the search file of a job, applies it and reads the state.
func runOne(ctx context.Context, o options, j job, trials int) result {
	r := result{Variant: j.v.Spec, Seed: j.seed, Trials: trials}
	r.Dir = filepath.Join(o.work, fmt.Sprintf("%02d-%s", j.index, unsafeChars.ReplaceAllString(j.v.Spec, "_")), fmt.Sprintf("seed-%d", j.seed))
	p := searchParams{Variant: j.v, Trials: trials, Epochs: o.epochs, Seed: j.seed, Parallelism: o.trialPar,
		Trainer: o.trainer, Data: o.data}
	if o.epochDelay > 0 {
		p.EpochDelay = o.epochDelay.String()
	}
	src, err := searchFile(p)
	if err == nil {
		err = os.MkdirAll(r.Dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(r.Dir, "search.fw.hcl"), src, 0o644)
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	logPath := filepath.Join(r.Dir, "apply.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	cmd := exec.CommandContext(ctx, o.fwapply, "apply", "-auto-approve", "-no-color", "-max-identical-failures=0")
	cmd.Dir, cmd.Stdout, cmd.Stderr = r.Dir, logFile, logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	start := time.Now()
	applyErr := cmd.Run()
	r.WallSeconds = time.Since(start).Seconds()
	logFile.Close()
	trials2, err := readTrials(ctx, o.fwapply, r.Dir)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.tally(trials2)
	if applyErr != nil {
		// An apply with no completed trial exits 1; the figures say so.
		r.Error = fmt.Sprintf("fwapply apply: %v (see %s)", applyErr, logPath)
	}
	return r
}

// trialRecord is what prunebench reads of a trial's record, as
// `fwapply state show -json` prints it (docs/state.md).
type trialRecord struct {
	Number  int                `json:"number"`
	Status  string             `json:"status"`
	Metrics map[string]float64 `json:"metrics"`
	Dir     string             `json:"dir"`
	// Pruned is [step, value], the value a number or a string ("NaN").
	Pruned []json.RawMessage `json:"pruned"`
}

// readTrials reads the trials of the search digits in the state of dir.
func readTrials(ctx context.Context, fwapply, dir string) ([]trialRecord, error) {
	cmd := exec.CommandContext(ctx, fwapply, "state", "show", "-json", "search.digits")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("fwapply state show in %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return parseTrials(out)
}

func parseTrials(b []byte) ([]trialRecord, error) {
	var trials []trialRecord
	if err := json.Unmarshal(b, &trials); err != nil {
		return nil, fmt.Errorf("reading fwapply state show -json: %w", err)
	}
	return trials, nil
}

// tally counts the trials' outcomes and epochs.
func (r *result) tally(trials []trialRecord) {
	for _, t := range trials {
		lines, err := progressLines(t.Dir)
		if err != nil && r.Error == "" {
			r.Error = err.Error()
		}
		r.Epochs += lines
		decision := lines
		switch t.Status {
		case "completed":
			r.Completed++
			if v, ok := t.Metrics["val_loss"]; ok && (r.Best == nil || v < *r.Best) {
				r.Best = &v
			}
		case "pruned":
			r.Pruned++
			if len(t.Pruned) == 2 {
				var step int
				if json.Unmarshal(t.Pruned[0], &step) == nil {
					decision = min(lines, step)
				}
			}
		default:
			r.Failed++
		}
		r.DecisionEpochs += decision
	}
}

// progressLines counts the complete lines of a trial's progress file: its
// epochs. fwapply removes the file when the trial left it empty.
func progressLines(dir string) (int, error) {
	if dir == "" {
		return 0, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "progress.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	return bytes.Count(b, []byte("\n")), err
}
