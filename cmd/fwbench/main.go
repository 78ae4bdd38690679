// Command fwbench measures the search strategies on test functions with
// known optima through the strategy interface fwapply uses, and prints
// markdown tables: the median and interquartile range of simple regret per
// budget over seeds, and the latency and memory of one Bayesian ask.
//
//	go run ./cmd/fwbench                      # the small suite (slow: minutes)
//	go run ./cmd/fwbench -seeds=3 -budgets=30 # a quick look
//	go run ./cmd/fwbench -functions=scale -workers=1,2,4,8 -budgets=30,50,100,200,500,1000 -latency=500x8,2000x1
//	                                          # the suite at scale (hours)
//	go run ./cmd/fwbench -functions=conditional -inactive=center,low,outside -workers=1 -latency=
//	                                          # how the Bayesian model should see inactive params
//
// Flags:
//
//	-functions  comma-separated names or suites: small (the default:
//	            branin, hartmann6, rosenbrock4, mixed), scale (ackley5,
//	            ackley10, rastrigin4, styblinski_tang10, styblinski_tang20,
//	            rosenbrock10, hartmann6_in_20, noisy_branin), all (both),
//	            conditional (only when named)
//	-budgets    budgets at which regret is reported (30,50,100)
//	-cap        budgets above it are skipped (shown as —) on functions of
//	            more than 4 dimensions, whose model costs most; 0: none (500)
//	-floor      also report random search at this many times each budget,
//	            the floor to beat; 0: skip (10)
//	-first-seed the first seed of a cell (0): another set of seeds tells a
//	            change from seed noise
//	-seeds, -strategies, -workers (workers apply to bayesian only),
//	-initial, -xi, -inactive, -explore-every, -explore-kappa, -stall:
//	            the bayesian strategy's settings, defaults fwapply's
//	-latency    ask latency cells, each N (N observations, a batch of 1) or
//	            NxB (a batch of B); empty: skip (50,100,200,500)
//	-repeats    asks timed per latency cell; the median is printed (3)
//	-runs       a directory that keeps each finished seed's regrets, as
//	            JSON named by function, settings and seed: a table run
//	            again with the same -runs skips the seeds stored there, so
//	            a run of hours that is interrupted resumes; use a new
//	            directory after changing the code (none)
//	-stored-only with -runs, print what is stored and run nothing: a row
//	            missing any seed shows how many are stored instead of
//	            regrets, so a table of hours reprints in seconds
//
// The regret is that of the config a run recommends, the point of its best
// observation, scored by its noise-free value (see package benchmark): on
// noisy_branin the strategies see noisy values. The first line printed is
// the command that reproduces the output; progress and the time of each
// row go to standard error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frameworm/frameworm/benchmark"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/search/testfunc"
)

func main() {
	err := run(os.Stdout, os.Stderr, os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fwbench:", err)
		os.Exit(1)
	}
}

// config holds the parsed flags.
type config struct {
	functions  []testfunc.Function
	budgets    []int
	seeds      int
	firstSeed  int
	strategies []string
	workers    []int
	latency    []latencyCell
	repeats    int
	cap, floor int
	initial    int
	xi         float64
	explore    search.Bayesian // its exploration settings
	inactive   string
	runs       runStore
	storedOnly bool // run nothing: print the rows whose seeds are all in runs
	args       []string
	progress   io.Writer
}

// latencyCell is one column of the latency table.
type latencyCell struct{ obs, batch int }

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("fwbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	functions := fs.String("functions", "small", "comma-separated function names or suites: small, scale, all (conditional only when named)")
	budgets := fs.String("budgets", "30,50,100", "budgets at which regret is reported")
	seeds := fs.Int("seeds", 20, "seeds per cell")
	firstSeed := fs.Int("first-seed", 0, "the first seed: a cell runs seeds first-seed to first-seed+seeds-1 (another set of seeds tells a change from seed noise)")
	strategies := fs.String("strategies", "grid,random,bayesian", "strategies to run")
	workers := fs.String("workers", "1,2", "parallel workers to simulate for bayesian")
	latency := fs.String("latency", "50,100,200,500", "ask latency cells: N (N observations, a batch of 1) or NxB (a batch of B); empty: skip")
	repeats := fs.Int("repeats", 3, "asks timed per latency cell (the median is printed)")
	capFlag := fs.Int("cap", 500, "largest budget run on functions of more than 4 dimensions (0: no cap)")
	floor := fs.Int("floor", 10, "also run random search at this many times each budget (0: skip)")
	initial := fs.Int("initial", 10, "initial_points of the bayesian strategy")
	xi := fs.Float64("xi", 0, "xi of the bayesian strategy's ei")
	exploreEvery := fs.Int("explore-every", definition.DefaultExploreEvery, "explore_every of the bayesian strategy (0: off)")
	exploreKappa := fs.Float64("explore-kappa", definition.DefaultExploreKappa, "explore_kappa of the bayesian strategy")
	stall := fs.Int("stall", definition.DefaultStallTrials, "stall_trials of the bayesian strategy")
	runs := fs.String("runs", "", "a directory that keeps each finished seed's regrets: a table run again with it skips the seeds stored there (use a new one after changing the code)")
	storedOnly := fs.Bool("stored-only", false, "with -runs, run nothing: print the rows whose seeds are all stored, and for the others how many are")
	inactive := fs.String("inactive", "", "comma-separated encodings of inactive params for the bayesian strategy on conditional functions (center, low, outside; default: the strategy's default)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: every setting is a flag (see -help)", fs.Arg(0))
	}
	c := &config{seeds: *seeds, firstSeed: *firstSeed, repeats: *repeats, cap: *capFlag, floor: *floor, initial: *initial, xi: *xi, inactive: *inactive, runs: runStore{dir: *runs}, storedOnly: *storedOnly, args: args,
		explore: search.Bayesian{ExploreEvery: *exploreEvery, ExploreKappa: *exploreKappa, StallTrials: *stall}, progress: stderr}
	var err error
	if c.budgets, err = ints(*budgets); err != nil || len(c.budgets) == 0 {
		return nil, fmt.Errorf("-budgets: want a comma-separated list of positive numbers: %v", err)
	}
	if c.workers, err = ints(*workers); err != nil {
		return nil, fmt.Errorf("-workers: %v", err)
	}
	if *exploreEvery < 0 || *stall < 1 || !(*exploreKappa > 0) || math.IsInf(*exploreKappa, 0) {
		return nil, fmt.Errorf("-explore-every must be at least 0 (0: off), -stall at least 1 and -explore-kappa a positive number")
	}
	if c.storedOnly && c.runs.dir == "" {
		return nil, fmt.Errorf("-stored-only prints what a -runs directory holds: name the directory with -runs")
	}
	if c.seeds < 1 || c.repeats < 1 || c.cap < 0 || c.floor < 0 || c.firstSeed < 0 {
		return nil, fmt.Errorf("-seeds and -repeats must be at least 1, -cap, -floor and -first-seed at least 0")
	}
	for _, s := range strings.Split(*strategies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains([]string{"grid", "random", "bayesian"}, s) {
			return nil, fmt.Errorf("-strategies: unknown strategy %q (grid, random or bayesian)", s)
		}
		c.strategies = append(c.strategies, s)
	}
	if strings.TrimSpace(*functions) == "" {
		*functions = "small"
	}
	if c.functions, err = selectFunctions(*functions); err != nil {
		return nil, err
	}
	if c.latency, err = latencyCells(*latency); err != nil {
		return nil, err
	}
	return c, nil
}

// selectFunctions resolves -functions, in the order given, without
// duplicates.
func selectFunctions(list string) ([]testfunc.Function, error) {
	var out []testfunc.Function
	add := func(fs ...testfunc.Function) {
		for _, f := range fs {
			if !slices.ContainsFunc(out, func(g testfunc.Function) bool { return g.Name == f.Name }) {
				out = append(out, f)
			}
		}
	}
	for _, name := range strings.Split(list, ",") {
		switch name = strings.TrimSpace(name); name {
		case "":
		case "small":
			add(testfunc.All()...)
		case "scale":
			add(testfunc.Scale()...)
		case "all":
			add(append(testfunc.All(), testfunc.Scale()...)...)
		default:
			f, ok := testfunc.ByName(name)
			if !ok {
				return nil, fmt.Errorf("-functions: unknown function %q (a name of %s, or small, scale, all)", name, strings.Join(names(), ", "))
			}
			add(f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-functions: no function named")
	}
	return out, nil
}

func names() []string {
	var out []string
	for _, f := range append(append(testfunc.All(), testfunc.Scale()...), testfunc.Conditional()) {
		out = append(out, f.Name)
	}
	return out
}

func latencyCells(s string) ([]latencyCell, error) {
	var out []latencyCell
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		obs, batch, found := strings.Cut(f, "x")
		c := latencyCell{batch: 1}
		var err1, err2 error
		c.obs, err1 = strconv.Atoi(obs)
		if found {
			c.batch, err2 = strconv.Atoi(batch)
		}
		if err1 != nil || err2 != nil || c.obs < 0 || c.batch < 1 {
			return nil, fmt.Errorf("-latency: %q is not N or NxB (observations, batch size), as in 500x8", f)
		}
		out = append(out, c)
	}
	return out, nil
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(stdout, stderr io.Writer, args []string) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Reproduce: `%s`\n\n", command(args))
	if err := c.regretTable(stdout); err != nil {
		return err
	}
	if len(c.latency) > 0 {
		return c.latencyTable(stdout)
	}
	return nil
}

// command is the command line that reproduces the output. It leaves out
// -runs and -stored-only, which say where finished runs are kept and
// whether to run the others, not what the runs are.
func command(args []string) string {
	parts := []string{"go", "run", "./cmd/fwbench"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "="); {
		case a == "--":
		case strings.HasPrefix(a, "-") && name == "runs":
			if !hasValue {
				i++ // -runs DIR
			}
			continue
		case strings.HasPrefix(a, "-") && name == "stored-only":
			continue // a bool flag takes its value only as -stored-only=V
		}
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// budgetsFor returns the budgets run on f: all, or those up to the cap
// for a function of more than 4 dimensions.
func (c *config) budgetsFor(f testfunc.Function) []int {
	if c.cap == 0 || len(f.Dims) <= 4 {
		return c.budgets
	}
	var out []int
	for _, b := range c.budgets {
		if b <= c.cap {
			out = append(out, b)
		}
	}
	return out
}

func (c *config) regretTable(w io.Writer) error {
	noisy := slices.ContainsFunc(c.functions, func(f testfunc.Function) bool { return f.NoiseSD > 0 })
	fmt.Fprintf(w, "Simple regret (median [Q1, Q3]) over %d seeds", c.seeds)
	if c.firstSeed > 0 {
		fmt.Fprintf(w, " (%d to %d)", c.firstSeed, c.firstSeed+c.seeds-1)
	}
	if noisy {
		fmt.Fprint(w, "; on a noisy function, the noise-free value of the recommended point: for bayesian, the observed point of the lowest model mean; for random and grid, that of the best noisy observation")
	}
	if c.cap > 0 && slices.ContainsFunc(c.functions, func(f testfunc.Function) bool { return len(f.Dims) > 4 }) && slices.Max(c.budgets) > c.cap {
		fmt.Fprintf(w, "; — : budget above %d on a function of more than 4 dimensions, not run", c.cap)
	}
	fmt.Fprint(w, "\n\n| function | strategy |")
	for _, b := range c.budgets {
		fmt.Fprintf(w, " %d trials |", b)
	}
	fmt.Fprintf(w, "\n| --- | --- |%s\n", strings.Repeat(" --- |", len(c.budgets)))
	for _, f := range c.functions {
		budgets := c.budgetsFor(f)
		if len(budgets) == 0 {
			continue
		}
		type row struct {
			strategy, inactive string
			workers, times     int
		}
		var rows []row
		for _, name := range c.strategies {
			switch name {
			case "bayesian":
				encodings := []string{""}
				if conditional(f) && c.inactive != "" {
					encodings = strings.Split(c.inactive, ",")
				}
				for _, enc := range encodings {
					for _, wk := range c.workers {
						rows = append(rows, row{strategy: name, inactive: enc, workers: wk, times: 1})
					}
				}
			default:
				rows = append(rows, row{strategy: name, workers: 1, times: 1})
			}
		}
		if c.floor > 0 {
			rows = append(rows, row{strategy: "random", workers: 1, times: c.floor})
		}
		for _, r := range rows {
			start := time.Now()
			label, cells, err := c.cell(f, r.strategy, r.inactive, r.workers, r.times, budgets)
			if err != nil {
				return err
			}
			if label == "" {
				continue
			}
			fmt.Fprintf(c.progress, "fwbench: %s, %s: %s\n", f.Name, label, time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(w, "| %s | %s |", f.Name, label)
			for _, b := range c.budgets {
				if cell, ok := cells[b]; ok {
					fmt.Fprintf(w, " %s |", cell)
				} else {
					fmt.Fprint(w, " — |")
				}
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

func (c *config) latencyTable(w io.Writer) error {
	fmt.Fprintf(w, "\nBayesian ask latency (median of %d asks; then one more ask's allocations and peak heap above the heap before it), GOMAXPROCS=%d\n\n| function |", c.repeats, runtime.GOMAXPROCS(0))
	for _, l := range c.latency {
		fmt.Fprintf(w, " %d obs, batch of %d |", l.obs, l.batch)
	}
	fmt.Fprintf(w, "\n| --- |%s\n", strings.Repeat(" --- |", len(c.latency)))
	b := c.bayesian("")
	for _, f := range c.functions {
		sp, err := benchmark.Space(f, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s |", f.Name)
		for _, l := range c.latency {
			start := time.Now()
			lat, err := benchmark.AskLatency(f, sp, b, l.obs, l.batch, c.repeats)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.progress, "fwbench: latency of %s at %d observations, batch of %d: %s\n", f.Name, l.obs, l.batch, time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(w, " %s (%s alloc, %s peak) |", roundDuration(lat.Median), mib(lat.Alloc), mib(lat.PeakHeap))
		}
		fmt.Fprintln(w)
	}
	return nil
}

func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// cell runs one strategy on one function over seeds (GOMAXPROCS at a
// time) and formats the regret at each budget: random search runs at
// times·budget.
func (c *config) cell(f testfunc.Function, name, inactive string, workers, times int, budgets []int) (string, map[int]string, error) {
	maxBudget := slices.Max(budgets)
	grid := 0
	var s search.Strategy
	label := name
	switch name {
	case "grid":
		for _, d := range f.Dims {
			if d.Kind != "real" || d.Log {
				return "", nil, nil // grid only where the space can be made finite evenly
			}
		}
		// About maxBudget points in all.
		grid = max(2, int(math.Floor(math.Pow(float64(maxBudget), 1/float64(len(f.Dims)))+1e-9)))
		s = search.Grid{}
		label = fmt.Sprintf("grid (%d per dim)", grid)
	case "random":
		if times > 1 {
			label = fmt.Sprintf("random at %d× trials", times)
		}
	case "bayesian":
		s = c.bayesian(inactive)
		label = fmt.Sprintf("bayesian, %d worker(s)", workers)
		if inactive != "" {
			label = fmt.Sprintf("bayesian (inactive at %s), %d worker(s)", inactive, workers)
		}
	}
	sp, err := benchmark.Space(f, grid)
	if err != nil {
		return "", nil, err
	}
	// What a stored run is keyed by: every setting that changes a run.
	row := label
	switch name {
	case "random":
		row += fmt.Sprintf("|times=%d", times)
	case "bayesian":
		row += fmt.Sprintf("|workers=%d|%+v", workers, s)
	}
	regrets := make([][]float64, len(budgets))
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	stored, missing := 0, 0
	for i := range c.seeds {
		seed := c.firstSeed + i
		got, ok, err := c.runs.load(f.Name, row, seed, budgets)
		if err != nil {
			return "", nil, err
		}
		if ok {
			stored++
			for i := range budgets {
				regrets[i] = append(regrets[i], got[i])
			}
			continue
		}
		if c.storedOnly {
			missing++
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var r benchmark.Run
			var err error
			start := time.Now()
			if name == "random" {
				r, err = benchmark.RandomRun(f, sp, int64(seed), times*maxBudget)
			} else {
				r, err = benchmark.Optimize(f, sp, s, int64(seed), maxBudget, workers)
			}
			got := make([]float64, len(budgets))
			for i, b := range budgets {
				got[i] = r.Regret(f, times*b) // a recommendation fits a model: outside the lock
			}
			if err == nil {
				err = c.runs.save(f.Name, row, seed, budgets, got, time.Since(start).Seconds())
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s, %s, seed %d: %w", f.Name, label, seed, err)
			}
			for i := range budgets {
				regrets[i] = append(regrets[i], got[i])
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return "", nil, firstErr
	}
	if stored > 0 {
		fmt.Fprintf(c.progress, "fwbench: %s, %s: %d of %d seeds stored in %s\n", f.Name, label, stored, c.seeds, c.runs.dir)
	}
	cells := map[int]string{}
	if missing > 0 {
		fmt.Fprintf(c.progress, "fwbench: %s, %s: %d of %d seeds not stored, not run (-stored-only)\n", f.Name, label, missing, c.seeds)
		for _, b := range budgets {
			cells[b] = fmt.Sprintf("not stored (%d of %d seeds)", stored, c.seeds)
		}
		return label, cells, nil
	}
	for i, b := range budgets {
		st := benchmark.Summarize(regrets[i])
		cells[b] = fmt.Sprintf("%.3g [%.3g, %.3g]", st.Median, st.Q1, st.Q3)
	}
	return label, cells, nil
}

// conditional reports whether f has a conditional dimension.
func conditional(f testfunc.Function) bool {
	return slices.ContainsFunc(f.Dims, func(d testfunc.Dim) bool { return d.When != nil })
}

// bayesian is the bayesian strategy the flags describe.
func (c *config) bayesian(inactive string) search.Bayesian {
	return search.Bayesian{InitialPoints: c.initial, Acquisition: "ei", Xi: c.xi, Inactive: inactive,
		ExploreEvery: c.explore.ExploreEvery, ExploreKappa: c.explore.ExploreKappa, StallTrials: c.explore.StallTrials}
}
