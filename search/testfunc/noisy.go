package testfunc

import "math"

// Branin's maximum over its box, at the corner (-5, 0) (a scan of a
// 3001×3001 grid finds none higher), and its range over the box.
const (
	braninMax   = 308.12909601160663
	braninRange = braninMax - 5/(4*math.Pi)
)

// NoisyBranin returns Branin observed with Gaussian noise: Eval is
// Branin's noise-free value, and NoiseSD is 1 % of Branin's range over its
// box, 0.01 · (308.129 - 0.397887) ≈ 3.0773. Optimum and Minimizers are
// Branin's. A benchmark scores the config it would recommend (for fwbench,
// the point of the best noisy observation) by its noise-free value.
func NoisyBranin() Function {
	f := Branin()
	f.Name = "noisy_branin"
	f.NoiseSD = 0.01 * braninRange
	return f
}
