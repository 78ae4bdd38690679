// Command train is the quickstart's trial program: a quick, noisy synthetic
// objective that stands in for a training run. It speaks the trial protocol
// (docs/protocol.md) with the standard library only: it reads the config from
// FW_CONFIG, appends one progress line per epoch to FW_PROGRESS, and writes
// its metrics to FW_METRICS.
//
// Run alone, it reads -config FILE (or uses a built-in config) and prints
// its metrics.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

type config struct {
	Training struct {
		LR        float64 `json:"lr"`
		BatchSize int     `json:"batch_size"`
		Epochs    int     `json:"epochs"`
	} `json:"training"`
	Model struct {
		HiddenDim int     `json:"hidden_dim"`
		Dropout   float64 `json:"dropout"`
	} `json:"model"`
	Optimizer string `json:"optimizer"`
}

// optimizerPenalty makes the optimizer matter: adam is best here.
var optimizerPenalty = map[string]float64{"adam": 0, "rmsprop": 0.05, "sgd": 0.15}

func main() {
	configPath := flag.String("config", os.Getenv("FW_CONFIG"), "config.json to read (default: $FW_CONFIG)")
	flag.Parse()
	cfg, err := readConfig(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
	metrics, err := train(cfg, os.Getenv("FW_PROGRESS"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(metrics)
	fmt.Println(string(b))
	if path := os.Getenv("FW_METRICS"); path != "" {
		if err := writeFileAtomic(path, b); err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
	}
}

func readConfig(path string) (*config, error) {
	cfg := &config{}
	cfg.Training.LR, cfg.Training.BatchSize, cfg.Training.Epochs = 1e-3, 64, 5
	cfg.Model.HiddenDim, cfg.Model.Dropout = 64, 0.1
	cfg.Optimizer = "adam"
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// train "trains" for the configured epochs: the loss decays towards a
// floor set by the hyperparameters, with noise seeded by the config.
func train(cfg *config, progressPath string) (map[string]float64, error) {
	penalty, ok := optimizerPenalty[cfg.Optimizer]
	if !ok {
		return nil, fmt.Errorf("unknown optimizer %q", cfg.Optimizer)
	}
	if cfg.Training.LR <= 0 || cfg.Training.BatchSize <= 0 {
		return nil, fmt.Errorf("lr and batch_size must be positive")
	}
	floor := 0.3*math.Pow(math.Log10(cfg.Training.LR)+2.5, 2) +
		0.05*math.Pow(math.Log2(float64(cfg.Training.BatchSize))-6, 2) +
		penalty + 0.2*cfg.Model.Dropout
	h := fnv.New64a()
	fmt.Fprintf(h, "%v", *cfg)
	rng := rand.New(rand.NewPCG(h.Sum64(), 1))

	var progress *os.File
	if progressPath != "" {
		f, err := os.OpenFile(progressPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		progress = f
	}
	epochs := max(1, cfg.Training.Epochs)
	var loss, acc float64
	for epoch := 1; epoch <= epochs; epoch++ {
		loss = floor + 2*math.Exp(-float64(epoch)/2) + 0.02*rng.NormFloat64()
		acc = 1 / (1 + loss)
		if progress != nil {
			line, _ := json.Marshal(map[string]any{"step": epoch, "metrics": map[string]float64{"val_loss": loss, "val_acc": acc}})
			if _, err := progress.Write(append(line, '\n')); err != nil {
				return nil, err
			}
		}
	}
	return map[string]float64{"val_loss": loss, "val_acc": acc, "epochs": float64(epochs)}, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), ".metrics.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
