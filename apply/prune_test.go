package apply

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/runtime"
	"github.com/frameworm/frameworm/state"
)

// curveExecutor runs trials in memory that report the loss at steps
// 1..steps through Spec.Progress, the loss at step k being
// x + 1/k (x the trial's param), waiting a random moment (from jitter)
// before each line; a cancelled trial stops reporting and ends
// interrupted, as a stopped process would, after maybe one more line.
type curveExecutor struct {
	steps  int
	jitter time.Duration
	seed   uint64

	mu    sync.Mutex
	lines map[int]int // lines delivered, by trial
}

func (e *curveExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	rng := rand.New(rand.NewPCG(e.seed, uint64(spec.Number)))
	x := spec.Params["x"].(float64)
	res := runtime.Result{Started: time.Now(), Host: "fake"}
	for k := 1; k <= e.steps; k++ {
		if e.jitter > 0 {
			time.Sleep(time.Duration(rng.Int64N(int64(e.jitter))))
		}
		if ctx.Err() != nil && rng.IntN(2) == 0 {
			break // a stopped trial may still write a line
		}
		loss := x + 1/float64(k)
		spec.Progress(runtime.ProgressLine{Step: int64(k), Metrics: map[string]float64{"loss": loss, "other": 1}})
		e.mu.Lock()
		if e.lines == nil {
			e.lines = map[int]int{}
		}
		e.lines[spec.Number]++
		e.mu.Unlock()
		if ctx.Err() != nil {
			break
		}
	}
	res.Ended = time.Now()
	if ctx.Err() != nil {
		res.Outcome, res.Error = runtime.Interrupted, "interrupted"
		return res
	}
	res.Outcome = runtime.Completed
	res.Metrics = map[string]float64{"loss": x + 1/float64(e.steps)}
	return res
}

// pruneDef is a random search of n trials over x in [0, 1], with the
// pruner p.
func pruneDef(t *testing.T, n, parallelism int, p *definition.Pruner) *definition.Definition {
	def := testDef(t, n, parallelism)
	def.Searches[0].Pruner = p
	return def
}

func medianPruner() *definition.Pruner {
	return &definition.Pruner{Kind: definition.PrunerMedian, Metric: "loss", StartupTrials: 2, WarmupSteps: 2, Interval: 1}
}

func ashaPruner() *definition.Pruner {
	return &definition.Pruner{Kind: definition.PrunerASHA, Metric: "loss", MinSteps: 1, MaxSteps: 9, ReductionFactor: 3}
}

// outcomes runs def with ex and returns each trial's final record.
func outcomes(t *testing.T, def *definition.Definition, ex runtime.Executor) (map[int]*state.Trial, *SearchResult, *recordingObserver) {
	t.Helper()
	r, _, p := newRunner(t, def, ex)
	obs := &recordingObserver{}
	r.Observer = obs
	res, err := r.Run(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]*state.Trial{}
	for _, tr := range r.State.Trials("s") {
		out[tr.Number] = tr
	}
	return out, res.Searches[0], obs
}

// TestPruneSequential: trials run one at a time; the pruner stops the
// ones whose loss is worse than the median of the earlier ones, records
// them pruned with the step, the value and the reason, keeps every
// trial's watched steps, and tells the observer.
func TestPruneSequential(t *testing.T) {
	def := pruneDef(t, 12, 1, medianPruner())
	got, sr, obs := outcomes(t, def, &curveExecutor{steps: 6})
	if sr.Pruned == 0 || sr.Completed+sr.Pruned != 12 || sr.Failed != 0 || sr.PrunerUnfed {
		t.Fatalf("completed %d, pruned %d, failed %d, unfed %v", sr.Completed, sr.Pruned, sr.Failed, sr.PrunerUnfed)
	}
	var pruned, progress int
	for _, ev := range obs.events {
		switch ev.Kind {
		case TrialPruned:
			pruned++
			if ev.Prune == nil || !strings.HasPrefix(ev.Prune.Reason, "pruned at step ") || ev.Trial.Status != state.Running {
				t.Errorf("TrialPruned %+v of trial %+v", ev.Prune, ev.Trial)
			}
		case TrialProgress:
			progress++
			if ev.Line == nil || ev.Trial == nil || ev.Trial.Status != state.Running {
				t.Errorf("TrialProgress without its line or running trial: %+v", ev)
			}
		}
	}
	if pruned != sr.Pruned || progress == 0 {
		t.Errorf("%d TrialPruned events for %d pruned trials; %d TrialProgress", pruned, sr.Pruned, progress)
	}
	for n, tr := range got {
		switch tr.Status {
		case state.Pruned:
			if tr.Pruned == nil || tr.Pruned.Step < 2 || !strings.Contains(tr.Error, "worse than median") || tr.Metrics != nil {
				t.Errorf("pruned trial %d: %+v", n, tr)
			}
			if n < 2 {
				t.Errorf("trial %d pruned before 2 trials completed", n)
			}
		case state.Completed:
			if len(tr.Steps) != 6 || tr.Steps[5].Value != tr.Metrics["loss"] {
				t.Errorf("completed trial %d: steps %v, metrics %v", n, tr.Steps, tr.Metrics)
			}
		default:
			t.Errorf("trial %d: %s", n, tr.Status)
		}
	}
	// The pruned ones are those worse than the median of the completed
	// ones before them at their first checkpoint: a check by hand.
	var xs []float64
	for n := range 12 {
		x := got[n].Params["x"].(float64)
		if n >= 2 && len(xs) >= 2 {
			med := median(xs)
			wantPruned := x > med
			if (got[n].Status == state.Pruned) != wantPruned {
				t.Errorf("trial %d (x %.3f, median %.3f of %d earlier): %s", n, x, med, len(xs), got[n].Status)
			}
		}
		xs = append(xs, x) // every earlier trial reported step 2
	}
	if best := plan.Best(def.Searches[0], slices.Collect(mapsValues(got))); best == nil || best.Status != state.Completed {
		t.Errorf("best %+v", best)
	}
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mapsValues(m map[int]*state.Trial) func(func(*state.Trial) bool) {
	return func(yield func(*state.Trial) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// TestPruneDeterministic: the decisions do not depend on timing: with 4
// trials at a time and random delays between progress lines, every run
// prunes exactly the trials that one trial at a time prunes, at the same
// steps, for both pruners.
func TestPruneDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    func() *definition.Pruner
	}{{"median", medianPruner}, {"asha", ashaPruner}} {
		t.Run(tc.name, func(t *testing.T) {
			want, wsr, _ := outcomes(t, pruneDef(t, 16, 1, tc.p()), &curveExecutor{steps: 9})
			if wsr.Pruned == 0 {
				t.Fatal("nothing pruned one at a time")
			}
			for seed := range uint64(8) {
				got, _, _ := outcomes(t, pruneDef(t, 16, 4, tc.p()), &curveExecutor{steps: 9, jitter: 2 * time.Millisecond, seed: seed})
				for n, w := range want {
					g := got[n]
					if g.Status != w.Status || fmt.Sprint(g.Pruned) != fmt.Sprint(w.Pruned) || g.Error != w.Error {
						t.Errorf("seed %d trial %d: %s %v %q; one at a time: %s %v %q", seed, n, g.Status, g.Pruned, g.Error, w.Status, w.Pruned, w.Error)
					}
				}
			}
		})
	}
}

// TestPruneResumed: an apply after one that left trials unfinished makes
// the decisions the whole search would have made, from the steps
// recorded in the state.
func TestPruneResumed(t *testing.T) {
	want, _, _ := outcomes(t, pruneDef(t, 12, 1, medianPruner()), &curveExecutor{steps: 6})
	def := pruneDef(t, 6, 1, medianPruner())
	r, _, p := newRunner(t, def, &curveExecutor{steps: 6})
	if _, err := r.Run(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	def.Searches[0].Trials = 12 // raise the budget: the next apply runs 6 more
	p2, err := plan.Make(def, r.State, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2 := &Runner{Def: def, State: r.State, Journal: &memJournal{}, Executor: &curveExecutor{steps: 6}}
	if _, err := r2.Run(context.Background(), nil, p2); err != nil {
		t.Fatal(err)
	}
	for _, g := range r.State.Trials("s") {
		w := want[g.Number]
		if g.Status != w.Status || g.Error != w.Error {
			t.Errorf("trial %d resumed: %s %q; in one apply: %s %q", g.Number, g.Status, g.Error, w.Status, w.Error)
		}
	}
}

// TestPrunerUnfed: a pruner on a metric no trial reports is reported.
func TestPrunerUnfed(t *testing.T) {
	p := medianPruner()
	p.Metric = "val_acc"
	_, sr, _ := outcomes(t, pruneDef(t, 3, 1, p), &curveExecutor{steps: 3})
	if !sr.PrunerUnfed || sr.Pruned != 0 {
		t.Errorf("unfed %v, pruned %d; want the warning and nothing pruned", sr.PrunerUnfed, sr.Pruned)
	}
	_, sr, _ = outcomes(t, pruneDef(t, 3, 1, medianPruner()), &curveExecutor{steps: 3})
	if sr.PrunerUnfed {
		t.Error("unfed, though the trials report loss")
	}
}

// TestPruneNaN: a trial whose every value is NaN is pruned at its first
// checkpoint once enough trials completed.
func TestPruneNaN(t *testing.T) {
	def := pruneDef(t, 4, 1, medianPruner())
	ex := &nanExecutor{curveExecutor: curveExecutor{steps: 5}, nan: 3}
	got, _, _ := outcomes(t, def, ex)
	if tr := got[3]; tr.Status != state.Pruned || tr.Pruned == nil || !math.IsNaN(tr.Pruned.Value) {
		t.Errorf("the NaN trial: %+v", tr)
	}
}

// nanExecutor is a curveExecutor whose trial nan reports NaN losses.
type nanExecutor struct {
	curveExecutor
	nan int
}

func (e *nanExecutor) Run(ctx context.Context, spec runtime.Spec) runtime.Result {
	if spec.Number == e.nan {
		progress := spec.Progress
		spec.Progress = func(l runtime.ProgressLine) {
			l.Metrics = map[string]float64{"loss": math.NaN()}
			progress(l)
		}
	}
	return e.curveExecutor.Run(ctx, spec)
}

// TestPruneTrialStopsItselfEarly: a trial that ends completed before
// max_steps (its own early stopping) is simply completed, unless a rung
// it reached prunes it.
func TestPruneTrialStopsItselfEarly(t *testing.T) {
	p := ashaPruner()
	p.MaxSteps = 27
	got, sr, _ := outcomes(t, pruneDef(t, 8, 2, p), &curveExecutor{steps: 2, jitter: time.Millisecond})
	if sr.Completed == 0 {
		t.Fatal("nothing completed")
	}
	for n, tr := range got {
		switch tr.Status {
		case state.Completed:
			if len(tr.Steps) != 2 || tr.Metrics["loss"] == 0 {
				t.Errorf("trial %d: steps %v, metrics %v", n, tr.Steps, tr.Metrics)
			}
		case state.Pruned:
			if tr.Pruned.Step != 1 {
				t.Errorf("trial %d pruned at step %d; the only rung it reached is step 1", n, tr.Pruned.Step)
			}
		default:
			t.Errorf("trial %d: %s", n, tr.Status)
		}
	}
}
