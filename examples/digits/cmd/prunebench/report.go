package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Targets of the benchmark: a pruner should train at least this much
// fewer epochs in total, at a median best val_loss at most this much
// worse, than the same strategy without it.
const (
	targetEpochSaving = 0.40
	targetBestLoss    = 0.02
)

// summary is a variant's figures over its seeds.
type summary struct {
	spec                 string
	baseline             string
	runs, noBest         int
	best                 []float64 // of the runs with a completed trial
	epochs, decision     []float64
	trials               []float64
	completed, pruned    []float64
	failed, wall         []float64
	errors               int
	isBaseline, hasPrune bool
}

func summarize(o options, results []result) []*summary {
	var out []*summary
	for _, v := range o.variants {
		s := &summary{spec: v.Spec, baseline: v.baseline(), isBaseline: v.Spec == v.baseline(), hasPrune: v.Pruner != ""}
		for _, r := range results {
			if r.Variant != v.Spec {
				continue
			}
			s.runs++
			if r.Best != nil {
				s.best = append(s.best, *r.Best)
			} else {
				s.noBest++
			}
			if r.Error != "" {
				s.errors++
			}
			s.epochs = append(s.epochs, float64(r.Epochs))
			s.decision = append(s.decision, float64(r.DecisionEpochs))
			s.trials = append(s.trials, float64(r.Trials))
			s.completed = append(s.completed, float64(r.Completed))
			s.pruned = append(s.pruned, float64(r.Pruned))
			s.failed = append(s.failed, float64(r.Failed))
			s.wall = append(s.wall, r.WallSeconds)
		}
		out = append(out, s)
	}
	return out
}

// report writes the markdown tables: the summary, then every run.
func report(w io.Writer, o options, results []result) {
	sums := summarize(o, results)
	byName := map[string]*summary{}
	for _, s := range sums {
		byName[s.spec] = s
	}
	fmt.Fprintf(w, "%d seeds × %d trials of %d epochs, %d trials at once, epoch delay %s. Best: the median [Q1, Q3] over the seeds of the best val_loss of a completed trial. Epochs: the median total epochs trained (progress lines); to decision: with pruned trials counted up to their pruning step. Against the same strategy without a pruner; target: ≥ %.0f %% fewer epochs at a best ≤ %.0f %% worse.\n\n",
		o.seeds, o.trials, o.epochs, o.trialPar, o.epochDelay, 100*targetEpochSaving, 100*targetBestLoss)
	fmt.Fprintln(w, "| variant | runs | best val_loss | best vs none | epochs | epochs vs none | to decision | vs none | trials | completed / pruned / failed | wall s | target |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, s := range sums {
		if s.runs == 0 {
			fmt.Fprintf(w, "| %s | 0 | | | | | | | | | | |\n", s.spec)
			continue
		}
		best := "none completed"
		if len(s.best) > 0 {
			best = fmt.Sprintf("%.4f [%.4f, %.4f]", median(s.best), quantile(s.best, 0.25), quantile(s.best, 0.75))
			if s.noBest > 0 {
				best += fmt.Sprintf(" (%d of %d runs without a completed trial)", s.noBest, s.runs)
			}
		}
		bestVs, epochsVs, decisionVs, target := "", "", "", ""
		if base := byName[s.baseline]; base != nil && !s.isBaseline && base.runs > 0 {
			var dBest float64 = math.NaN()
			if len(s.best) > 0 && len(base.best) > 0 {
				dBest = median(s.best)/median(base.best) - 1
				bestVs = percent(dBest)
			}
			dEpochs := median(s.epochs)/median(base.epochs) - 1
			epochsVs = percent(dEpochs)
			decisionVs = percent(median(s.decision)/median(base.epochs) - 1)
			if s.hasPrune {
				target = "no"
				if -dEpochs >= targetEpochSaving && dBest <= targetBestLoss {
					target = "yes"
				}
			}
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.0f | %s | %.0f | %s | %.0f | %.0f / %.0f / %.0f | %.1f | %s |\n",
			s.spec, s.runs, best, bestVs, median(s.epochs), epochsVs, median(s.decision), decisionVs, median(s.trials),
			median(s.completed), median(s.pruned), median(s.failed), median(s.wall), target)
	}
	fmt.Fprintln(w)
	for _, v := range o.variants {
		s, pruned := byName[v.Spec], byName[v.MatchEpochs]
		if v.MatchEpochs == "" || s.runs == 0 || pruned == nil || len(s.best) == 0 || len(pruned.best) == 0 {
			continue
		}
		fmt.Fprintf(w, "At equal epochs: %s reaches a median best val_loss of %.4f in %.0f epochs, %s without a pruner %.4f in %.0f epochs (%.0f trials): %s.\n\n",
			v.MatchEpochs, median(pruned.best), median(pruned.epochs), v.Strategy, median(s.best), median(s.epochs), median(s.trials),
			percent(median(pruned.best)/median(s.best)-1))
	}
	fmt.Fprintln(w, "Every run:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| variant | seed | trials | best val_loss | epochs | to decision | completed / pruned / failed | wall s | error |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	order := map[string]int{}
	for i, v := range o.variants {
		order[v.Spec] = i
	}
	var runs []result
	for _, r := range results {
		if _, ok := order[r.Variant]; ok {
			runs = append(runs, r)
		}
	}
	slices.SortStableFunc(runs, func(a, b result) int {
		if d := order[a.Variant] - order[b.Variant]; d != 0 {
			return d
		}
		return int(a.Seed - b.Seed)
	})
	for _, r := range runs {
		best := "none"
		if r.Best != nil {
			best = fmt.Sprintf("%.4f", *r.Best)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s | %d | %d | %d / %d / %d | %.1f | %s |\n", r.Variant, r.Seed, r.Trials, best,
			r.Epochs, r.DecisionEpochs, r.Completed, r.Pruned, r.Failed, r.WallSeconds, strings.ReplaceAll(r.Error, "|", `\|`))
	}
}

// percent writes a relative change: "+1.2 %", "−45.0 %".
func percent(d float64) string {
	if math.IsNaN(d) {
		return ""
	}
	if d < 0 {
		return fmt.Sprintf("−%.1f %%", -100*d)
	}
	return fmt.Sprintf("+%.1f %%", 100*d)
}

func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile is the q-quantile of xs by linear interpolation between order
// statistics (R's type 7); NaN for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (h-float64(lo))*(s[hi]-s[lo])
}
