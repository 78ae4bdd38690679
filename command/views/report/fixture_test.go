package report

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/plots"
)

// realisticReport is a report as `analyze -html` writes it for two
// searches of n trials each (about one in ten failed) over six params,
// with real figures drawn by package plots (convergence, importance with
// error bars, a param against the score) and a comparison.
func realisticReport(tb testing.TB, n int) *Report {
	tb.Helper()
	r := &Report{Title: "Searches of digits.fw.hcl"}
	params := []Param{
		{Name: "training.lr", Kind: "real (log)", Range: "[0.0001, 0.1]"},
		{Name: "training.dropout", Kind: "real", Range: "[0, 0.5]"},
		{Name: "model.layers", Kind: "int", Range: "[1, 6]"},
		{Name: "training.batch", Kind: "int", Range: "{32, 64, 128, 256}"},
		{Name: "optimizer", Kind: "categorical", Range: `{"adam", "sgd", "rmsprop"}`},
		{Name: "activation", Kind: "categorical", Range: `{"relu", "tanh"}`},
	}
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var rows []views.CompareRow
	for si, name := range []string{"random", "bayes"} {
		rng := rand.New(rand.NewPCG(uint64(si)+1, 7))
		var trials []analysis.Trial
		for i := range n {
			lr := math.Pow(10, -4+3*rng.Float64())
			p := map[string]any{
				"training.lr":      lr,
				"training.dropout": 0.5 * rng.Float64(),
				"model.layers":     int64(1 + rng.IntN(6)),
				"training.batch":   int64(32 << rng.IntN(4)),
				"optimizer":        []string{"adam", "sgd", "rmsprop"}[rng.IntN(3)],
				"activation":       []string{"relu", "tanh"}[rng.IntN(2)],
			}
			tr := analysis.Trial{Number: i + 1, Params: p, Status: "completed",
				Started: t0.Add(time.Duration(i) * time.Minute), Ended: t0.Add(time.Duration(i)*time.Minute + 50*time.Second)}
			x := math.Log10(lr) + 2.5
			tr.Score = 0.05 + x*x*0.2 + 0.02*rng.NormFloat64()*0.1 + 0.01*float64(p["model.layers"].(int64))
			if si == 1 {
				tr.Score *= 0.9 // the Bayesian search finds better scores
			}
			if rng.IntN(10) == 0 {
				tr.Status = "failed"
			}
			trials = append(trials, tr)
		}
		sum := analysis.Summarize(name, "val_loss", "min", trials)
		best := analysis.BestN(trials, "min", 5)
		configs := make([]map[string]any, len(best))
		for i, b := range best {
			configs[i] = map[string]any{"training": map[string]any{"lr": b.Params["training.lr"], "epochs": int64(10)}, "optimizer": b.Params["optimizer"]}
		}
		imp := map[string]float64{"training.lr": 0.71, "model.layers": 0.18, "training.dropout": 0.05, "training.batch": 0.03, "optimizer": 0.02, "activation": 0.01}
		errs := map[string]float64{"training.lr": 0.04, "model.layers": 0.03, "training.dropout": 0.02, "training.batch": 0.01, "optimizer": 0.01, "activation": 0.01}
		as := &views.AnalyzeSearchJSON{
			Summary: sum, BestConfig: configs[0], BestN: best, BestNConfigs: configs,
			Convergence: analysis.Convergence(trials, "min"),
			Importance:  imp, ImportanceErrors: errs, ImportanceFitted: n, ImportanceUsable: n,
			FailureImportanceNote: "no param predicts the failures better than chance",
		}
		s := Search{Name: name, Analysis: as, Params: params}
		var conv []plots.ConvergencePoint
		var pp []plots.ParamPoint
		for _, c := range as.Convergence {
			conv = append(conv, plots.ConvergencePoint{Trial: c.Trial, Score: c.Score, BestSoFar: c.BestSoFar})
		}
		for _, tr := range trials {
			row := Row{Number: tr.Number, Status: tr.Status, Params: tr.Params}
			if tr.Status == "completed" {
				row.Score = f64(tr.Score)
				pp = append(pp, plots.ParamPoint{Value: tr.Params["training.lr"], Score: tr.Score})
			}
			s.Trials = append(s.Trials, row)
		}
		var bars []plots.ImportanceBar
		for p, v := range imp {
			bars = append(bars, plots.ImportanceBar{Param: p, Share: v, Err: errs[p]})
		}
		s.Figures = []Figure{
			figure(tb, "convergence", name+": convergence", func(b *bytes.Buffer) error {
				return plots.Convergence(b, plots.SVG, name, "val_loss", conv, plots.ScaleAuto)
			}),
			figure(tb, "importance", name+": parameter importance", func(b *bytes.Buffer) error {
				return plots.Importance(b, plots.SVG, name+": parameter importance (val_loss)", bars)
			}),
			figure(tb, "slice-training.lr", name+": training.lr vs val_loss", func(b *bytes.Buffer) error {
				return plots.ParamVsScore(b, plots.SVG, name, "training.lr", "val_loss", true, nil, pp, plots.ScaleAuto)
			}),
			figure(tb, "parallel", name+": parallel coordinates", func(b *bytes.Buffer) error {
				return plots.Parallel(b, plots.SVG, name, "val_loss", false, parallelAxes(), parallelTrials(trials), plots.ScaleAuto)
			}),
			figure(tb, "contour", name+": training.lr × training.dropout", func(b *bytes.Buffer) error {
				srf, pts := surface(trials)
				return plots.Contour(b, plots.SVG, name, "val_loss", false, srf, pts, plots.ScaleAuto)
			}),
		}
		r.Searches = append(r.Searches, s)
		rows = append(rows, views.CompareRow{Search: name, Strategy: name, Trials: n, Completed: sum.ByStatus["completed"],
			Best: f64(sum.Best.Score), BestTrial: sum.Best.Number, WallTime: sum.WallTime, TrialTime: sum.TimeSpent,
			Within: &views.Within{Trials: sum.Best.Number, Trial: sum.Best.Number, Elapsed: time.Duration(sum.Best.Number) * time.Minute}})
	}
	var series []plots.CompareSeries
	for _, s := range r.Searches {
		cs := plots.CompareSeries{Name: s.Name}
		for _, c := range s.Analysis.Convergence {
			cs.Points = append(cs.Points, plots.ComparePoint{Trial: c.Trial, Elapsed: float64(c.Trial) * 60, BestSoFar: c.BestSoFar})
		}
		series = append(series, cs)
	}
	r.Comparison = &Comparison{Metric: "val_loss", Mode: "min", Rows: rows, Figures: []Figure{
		figure(tb, "compare-trials", "best so far by trial", func(b *bytes.Buffer) error {
			return plots.Compare(b, plots.SVG, "val_loss", series, false, plots.ScaleAuto)
		}),
		figure(tb, "compare-time", "best so far by time", func(b *bytes.Buffer) error {
			return plots.Compare(b, plots.SVG, "val_loss", series, true, plots.ScaleAuto)
		}),
	}}
	return r
}

// figure draws one figure, failing tb when package plots cannot.
func figure(tb testing.TB, name, title string, draw func(*bytes.Buffer) error) Figure {
	tb.Helper()
	var b bytes.Buffer
	if err := draw(&b); err != nil {
		tb.Fatalf("drawing %s: %v", name, err)
	}
	return Figure{Name: name, Title: title, SVG: b.Bytes()}
}

// paramNamesOrder are the fixture's params, as its parallel plot's axes.
var paramNamesOrder = []string{"training.lr", "training.dropout", "model.layers", "training.batch", "optimizer", "activation"}

func parallelAxes() []plots.ParallelAxis {
	return []plots.ParallelAxis{
		{Name: "training.lr", Log: true}, {Name: "training.dropout"}, {Name: "model.layers"}, {Name: "training.batch"},
		{Name: "optimizer", Categories: []string{"adam", "sgd", "rmsprop"}}, {Name: "activation", Categories: []string{"relu", "tanh"}},
	}
}

func parallelTrials(trials []analysis.Trial) []plots.ParallelTrial {
	var out []plots.ParallelTrial
	for _, tr := range trials {
		pt := plots.ParallelTrial{Score: tr.Score, Failed: tr.Status != "completed"}
		for _, n := range paramNamesOrder {
			pt.Values = append(pt.Values, tr.Params[n])
		}
		out = append(out, pt)
	}
	return out
}

// surface is a made-up prediction over training.lr (log) and
// training.dropout on a 12 × 12 grid, with the completed trials.
func surface(trials []analysis.Trial) (plots.Surface, []plots.SurfacePoint) {
	const n = 12
	s := plots.Surface{X: plots.SurfaceAxis{Name: "training.lr", Log: true}, Y: plots.SurfaceAxis{Name: "training.dropout"}}
	for i := range n {
		s.X.Values = append(s.X.Values, math.Pow(10, -4+3*float64(i)/(n-1)))
		s.Y.Values = append(s.Y.Values, 0.5*float64(i)/(n-1))
	}
	for _, y := range s.Y.Values {
		var row []float64
		for _, x := range s.X.Values {
			l := math.Log10(x) + 2.5
			row = append(row, 0.05+l*l*0.2+0.1*y)
		}
		s.Z = append(s.Z, row)
	}
	var pts []plots.SurfacePoint
	for _, tr := range trials {
		if tr.Status == "completed" {
			pts = append(pts, plots.SurfacePoint{X: tr.Params["training.lr"].(float64), Y: tr.Params["training.dropout"].(float64), Score: tr.Score})
		}
	}
	return s, pts
}
