// Command fwbench measures the search strategies on test functions with
// known optima (Branin, Hartmann6, Rosenbrock-4, a mixed space and, when
// named, the conditional space of testfunc.Conditional) through
// the strategy interface fwapply uses, and prints markdown tables: the
// median and interquartile range of simple regret per budget over seeds,
// and the latency of one Bayesian ask.
//
//	go run ./cmd/fwbench                      # the full suite (slow: minutes)
//	go run ./cmd/fwbench -seeds=3 -budgets=30 # a quick look
//	go run ./cmd/fwbench -functions=conditional -inactive=center,low,outside -workers=1 -latency=
//	                                          # how the Bayesian model should see inactive params
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frameworm/frameworm/benchmark"
	"github.com/frameworm/frameworm/search"
	"github.com/frameworm/frameworm/search/testfunc"
)

var (
	xiFlag       = flag.Float64("xi", 0, "xi of the bayesian strategy's ei")
	initialFlag  = flag.Int("initial", 10, "initial_points of the bayesian strategy")
	inactiveFlag = flag.String("inactive", "", "comma-separated encodings of inactive params for the bayesian strategy on conditional functions (center, low, outside; default: the strategy's default)")
)

func main() {
	functions := flag.String("functions", "", "comma-separated function names (default: all unconditional ones; name conditional to run it)")
	budgets := flag.String("budgets", "30,50,100", "budgets at which regret is reported")
	seeds := flag.Int("seeds", 20, "seeds per cell")
	strategies := flag.String("strategies", "grid,random,bayesian", "strategies to run")
	workers := flag.String("workers", "1,2", "parallel workers to simulate for bayesian")
	latency := flag.String("latency", "50,100,200,500", "observation counts for the ask latency table (empty: skip)")
	flag.Parse()
	if err := run(*functions, *budgets, *seeds, *strategies, *workers, *latency); err != nil {
		fmt.Fprintln(os.Stderr, "fwbench:", err)
		os.Exit(1)
	}
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(functions, budgetList string, seeds int, strategyList, workerList, latencyList string) error {
	budgets, err := ints(budgetList)
	if err != nil || len(budgets) == 0 {
		return fmt.Errorf("-budgets: %v", err)
	}
	workers, err := ints(workerList)
	if err != nil {
		return fmt.Errorf("-workers: %v", err)
	}
	latencies, err := ints(latencyList)
	if err != nil {
		return fmt.Errorf("-latency: %v", err)
	}
	maxBudget := slices.Max(budgets)
	var fs []testfunc.Function
	for _, f := range append(testfunc.All(), testfunc.Conditional()) {
		named := slices.Contains(strings.Split(functions, ","), f.Name)
		if named || functions == "" && !conditional(f) {
			fs = append(fs, f)
		}
	}
	fmt.Printf("Simple regret (median [Q1, Q3]) over %d seeds, GOMAXPROCS=%d\n\n", seeds, runtime.GOMAXPROCS(0))
	header := "| function | strategy |"
	sep := "| --- | --- |"
	for _, b := range budgets {
		header += fmt.Sprintf(" %d trials |", b)
		sep += " --- |"
	}
	fmt.Println(header)
	fmt.Println(sep)
	for _, f := range fs {
		for _, name := range strings.Split(strategyList, ",") {
			configs := []int{1}
			encodings := []string{""}
			if name == "bayesian" {
				configs = workers
				if conditional(f) && *inactiveFlag != "" {
					encodings = strings.Split(*inactiveFlag, ",")
				}
			}
			for _, enc := range encodings {
				for _, w := range configs {
					label, row, err := cell(f, name, enc, w, seeds, maxBudget, budgets)
					if err != nil {
						return err
					}
					if label == "" {
						continue
					}
					fmt.Printf("| %s | %s |%s\n", f.Name, label, row)
				}
			}
		}
	}
	if len(latencies) == 0 {
		return nil
	}
	fmt.Printf("\nBayesian ask latency (median of 3), GOMAXPROCS=%d\n\n| function |", runtime.GOMAXPROCS(0))
	for _, n := range latencies {
		fmt.Printf(" %d obs |", n)
	}
	fmt.Printf("\n| --- |%s\n", strings.Repeat(" --- |", len(latencies)))
	for _, f := range fs {
		sp, err := benchmark.Space(f, 0)
		if err != nil {
			return err
		}
		fmt.Printf("| %s |", f.Name)
		for _, n := range latencies {
			d, err := benchmark.AskLatency(f, sp, search.Bayesian{InitialPoints: *initialFlag, Acquisition: "ei", Xi: *xiFlag}, n, 3)
			if err != nil {
				return err
			}
			fmt.Printf(" %s |", d.Round(time.Millisecond))
		}
		fmt.Println()
	}
	return nil
}

// cell runs one strategy on one function over seeds (two at a time) and
// formats the regret at each budget.
func cell(f testfunc.Function, name, inactive string, workers, seeds, maxBudget int, budgets []int) (string, string, error) {
	grid := 0
	var s search.Strategy
	label := name
	switch name {
	case "grid":
		for _, d := range f.Dims {
			if d.Kind != "real" || d.Log {
				return "", "", nil // grid only where the space can be made finite evenly
			}
		}
		// About maxBudget points in all.
		grid = max(2, int(math.Floor(math.Pow(float64(maxBudget), 1/float64(len(f.Dims)))+1e-9)))
		s = search.Grid{}
		label = fmt.Sprintf("grid (%d per dim)", grid)
	case "random":
		s = search.Random{}
	case "bayesian":
		s = search.Bayesian{InitialPoints: *initialFlag, Acquisition: "ei", Xi: *xiFlag, Inactive: inactive}
		label = fmt.Sprintf("bayesian, %d worker(s)", workers)
		if inactive != "" {
			label = fmt.Sprintf("bayesian (inactive at %s), %d worker(s)", inactive, workers)
		}
	default:
		return "", "", fmt.Errorf("unknown strategy %q", name)
	}
	sp, err := benchmark.Space(f, grid)
	if err != nil {
		return "", "", err
	}
	regrets := make([][]float64, len(budgets))
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for seed := range seeds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r, err := benchmark.Optimize(f, sp, s, int64(seed), maxBudget, workers)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			for i, b := range budgets {
				regrets[i] = append(regrets[i], r.Regret(f, b))
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return "", "", firstErr
	}
	var row strings.Builder
	for i := range budgets {
		st := benchmark.Summarize(regrets[i])
		fmt.Fprintf(&row, " %.3g [%.3g, %.3g] |", st.Median, st.Q1, st.Q3)
	}
	return label, row.String(), nil
}

// conditional reports whether f has a conditional dimension.
func conditional(f testfunc.Function) bool {
	return slices.ContainsFunc(f.Dims, func(d testfunc.Dim) bool { return d.When != nil })
}
