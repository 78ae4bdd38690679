package command

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frameworm/frameworm/analysis"
	"github.com/frameworm/frameworm/definition"
	fwhcl "github.com/frameworm/frameworm/hcl"
	"github.com/frameworm/frameworm/state"
)

// bigSearch is a random search over 10 params of every kind; its loss
// (see bigLoss) depends on lr, layers and the optimizer only.
const bigSearch = `search "big" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 100000
  seed     = 1
  base_config = {
    lr = 0.001, wd = 0.0001, dropout = 0.1, momentum = 0.9, layers = 2,
    width = 64, batch = 32, optimizer = "adam", activation = "relu", warmup = 0.1
  }
  param "lr" {
    type = real
    low  = 1e-5
    high = 1e-1
    log  = true
  }
  param "wd" {
    type = real
    low  = 1e-6
    high = 1e-2
    log  = true
  }
  param "dropout" {
    type = real
    low  = 0
    high = 0.5
    step = 0.05
  }
  param "momentum" {
    type = real
    low  = 0.8
    high = 0.99
  }
  param "layers" {
    type = integer
    low  = 1
    high = 8
  }
  param "width" {
    type = integer
    low  = 16
    high = 1024
    log  = true
  }
  param "batch" {
    type = integer
    low  = 16
    high = 256
    step = 16
  }
  param "optimizer" {
    values = ["sgd", "adam", "adamw"]
  }
  param "activation" {
    values = ["relu", "gelu"]
  }
  param "warmup" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    command = ["true"]
  }
}
`

// bigLoss is the loss of a trial of bigSearch: a parabola in log10(lr),
// half a unit per layer, 2 more for sgd, and a little noise.
func bigLoss(p map[string]any, r *rand.Rand) float64 {
	l := math.Log10(p["lr"].(float64)) + 3
	s := l*l + 0.5*float64(p["layers"].(int64)) + 0.1*r.NormFloat64()
	if p["optimizer"] == "sgd" {
		s += 2
	}
	return s
}

// writeBigProject writes bigSearch into dir and a state of n completed
// trials of it, as apply would have recorded them (random points, one a
// minute).
func writeBigProject(tb testing.TB, dir string, n int) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, "big.fw.hcl"), []byte(bigSearch), 0o644); err != nil {
		tb.Fatal(err)
	}
	res, diags := fwhcl.LoadDir(dir, fwhcl.Options{})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	s := res.Definition.Searches[0]
	r := rand.New(rand.NewPCG(1, 2))
	st := state.New()
	start := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	for i := range n {
		pt := s.Space.Sample(r)
		cfg, err := s.Resolve(pt)
		if err != nil {
			tb.Fatal(err)
		}
		hash, err := definition.Hash(cfg)
		if err != nil {
			tb.Fatal(err)
		}
		params := s.ParamMap(pt)
		started := start.Add(time.Duration(i) * time.Minute)
		t := &state.Trial{
			Search: s.Name, Number: i, Params: params, Config: cfg, ConfigHash: hash,
			Status: state.Completed, Metrics: map[string]float64{"loss": bigLoss(params, r)}, Attempts: 1,
			Started: started, Ended: started.Add(50 * time.Second), Host: "local",
			Dir: filepath.Join(".fw", "trials", s.Name, strconv.Itoa(i)),
		}
		if err := st.Apply(state.Change{Put: t}); err != nil {
			tb.Fatal(err)
		}
	}
	f := state.NewFile(filepath.Join(dir, "frameworm.fwstate"))
	defer f.Close()
	if err := f.Compact(context.Background(), st); err != nil {
		tb.Fatal(err)
	}
}

// TestWriteBigProject writes a project of $FW_BIG_TRIALS (default 100,000)
// trials into $FW_BIG_DIR, to measure `fwapply analyze` on it; without
// FW_BIG_DIR it is skipped.
func TestWriteBigProject(t *testing.T) {
	dir := os.Getenv("FW_BIG_DIR")
	if dir == "" {
		t.Skip("set FW_BIG_DIR (and FW_BIG_TRIALS) to write a big project")
	}
	n := 100_000
	if s := os.Getenv("FW_BIG_TRIALS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeBigProject(t, dir, n)
}

// TestAnalyzeBig analyzes 3,000 trials, more than the importance model is
// fitted on: the importance says so (the text is rendered from the same
// fields: see the views' TestAnalyzeSubsetGolden), the known important
// params lead, and the plots are drawn.
func TestAnalyzeBig(t *testing.T) {
	if testing.Short() {
		t.Skip("fits the importance model on 2,000 trials: skipped with -short")
	}
	dir := t.TempDir()
	n := analysis.MaxImportanceTrials + 1000
	writeBigProject(t, dir, n)
	r := run(t, dir, "", "analyze", "-json", "-plots=plots")
	if r.code != 0 {
		t.Fatalf("analyze: %+v", r)
	}
	var doc struct {
		Searches map[string]struct {
			Importance  map[string]float64            `json:"importance"`
			Subset      *struct{ Fitted, Usable int } `json:"importance_subset"`
			Convergence []json.RawMessage             `json:"convergence"`
			Plots       []string                      `json:"plots"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	big := doc.Searches["big"]
	if big.Subset == nil || big.Subset.Fitted != analysis.MaxImportanceTrials || big.Subset.Usable != n {
		t.Errorf("importance_subset = %+v, want %d of %d", big.Subset, analysis.MaxImportanceTrials, n)
	}
	for _, p := range []string{"lr", "layers", "optimizer"} {
		if big.Importance[p] < 0.15 {
			t.Errorf("importance %v: want lr, layers and optimizer >= 0.15", big.Importance)
		}
	}
	// convergence, importance, 10 slices, parallel and contour
	if len(big.Convergence) != n || len(big.Plots) != 14 {
		t.Errorf("%d convergence points and %d plots, want %d and 14", len(big.Convergence), len(big.Plots), n)
	}
}

// BenchmarkAnalyze runs `fwapply analyze -plots` (PNG) on searches of
// 1,000 to 100,000 trials (100,000 skipped with -short). The whole
// command, with the state load, is measured by building a project with
// TestWriteBigProject and running fwapply on it under /usr/bin/time.
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{1000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("100,000 trials: skipped with -short")
			}
			dir := b.TempDir()
			writeBigProject(b, dir, n)
			b.ResetTimer()
			for b.Loop() {
				var out, errb strings.Builder
				code := Run([]string{"analyze", "-plots=plots"}, Meta{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, WorkDir: dir, Environ: []string{"NO_COLOR=1"}})
				if code != 0 {
					b.Fatalf("analyze: %d %s", code, errb.String())
				}
			}
		})
	}
}
