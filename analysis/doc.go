// Package analysis computes the reports of a search from its trials: a
// summary (print_summary), the n best trials (get_best_n), the convergence
// data (plot_convergence) and the parameters' importance
// (plot_parameter_importance).
//
// # Contract
//
//   - The caller builds a []Trial from the state trials of one search;
//     Trial.Point is nil for a trial that does not match the current
//     space. Nothing here reads files, the clock or global state, and the
//     input slice and its trials are never modified.
//   - A trial's score counts only when its Status is "completed" and the
//     score is not NaN. Mode "max" maximizes the score; any other mode
//     (normally "min") minimizes it.
//   - Order is by trial number; ties between equal scores go to the lower
//     trial number, as in plan.Best.
//   - Everything is deterministic: Importance gives the same shares, bit
//     for bit, for the same trials and seed, whatever GOMAXPROCS is.
//
// # Importance
//
// Importance reports each parameter's normalized total-order Sobol index
// of a Gaussian-process surrogate of the objective (the method Ax uses for
// its feature sensitivities):
//
//  1. The completed trials that have a point of the space are the data,
//     at least MinImportanceTrials of them with at least two different
//     scores. The scores are replaced by their rank-based inverse normal
//     transform (Blom scores Φ⁻¹((r − 3/8)/(n + 1/4)), tied scores sharing
//     their average rank, then standardized: the Gaussian copula transform
//     of Salinas et al. 2020). One diverged trial with a huge loss thus
//     cannot dominate the fit, and the importance is that of the scores'
//     order: the same for any increasing transformation of the metric (a
//     loss or its logarithm) and for "min" and "max". The price: a
//     parameter with a small but systematic effect, which orders the trials
//     within groups set by a stronger one, gets a larger share than its
//     share of the raw variance.
//
//  2. gp.Fit fits a GP (Matern 5/2, ARD) to the points encoded by
//     Space.Encode: the unit cube, log-scaled dimensions in log space,
//     categoricals one-hot. It is fitted on every usable trial when there
//     are at most MaxImportanceTrials of them, in trial-number order;
//     otherwise on MaxImportanceTrials of them (ImportanceReport says how
//     many of how many): the trial with the lowest and the one with the
//     highest score (ties: the lower number), and the rest of the
//     MaxImportanceTrials are the other trials whose numbers hash lowest
//     under the seed (SplitMix64's finalizer), a uniform sample that
//     depends on nothing but the seed and each trial's number. Their
//     transformed scores are those of step 1, computed among all usable
//     trials, standardized again over the subset: a trial's score stays
//     its quantile among all of them. Measured on the known-answer
//     searches at 10,000 trials against a fit on all of them
//     (BenchmarkImportanceSubset), the shares move by at most 0.2
//     percentage points (0.5 with a cap of 1,000). Two alternatives
//     measured against a fit on 4,000 trials did worse: giving an eighth
//     of the subset to each tail of the scores moved them by up to 2.9
//     points, and re-ranking the scores within such a subset by up to 6.9.
//
//  3. The input distribution is the space's own, the one Space.Sample
//     draws from: every dimension independent; reals uniform (in log space
//     when log-scaled); integers and stepped reals uniform over their
//     values, log-scaled integers with their discretized log-uniform mass;
//     categoricals uniform over their values. Two N×p matrices A and B of
//     "design coordinates" (one uniform coordinate per dimension, p
//     dimensions, N = ImportanceSamples) are the two halves of a scrambled
//     Sobol' sequence of dimension 2p; each coordinate is mapped to a value
//     by the dimension's quantile function (value floor(u·k) of a
//     categorical of k values), and the point is encoded. A_B^(i) is A with
//     dimension i (all its one-hot columns) taken from B.
//
//  4. With f the GP posterior mean and V the variance of f over the 2N rows
//     of A and B, the total-order index of dimension i is Jansen's
//     estimator S_Ti = Σ_j (f(A)_j − f(A_B^(i))_j)² / (2N·V) (Jansen 1999;
//     Saltelli et al. 2010, table 2, f). A total index counts the
//     parameter's own effect and every interaction it takes part in, so
//     the indices sum to more than 1 when parameters interact; the shares
//     returned are S_Ti / Σ_k S_Tk, normalized total-order indices, which
//     sum to 1.
//
// The cost is one GP fit, O(n³) time and O(n²) memory in the n <=
// MaxImportanceTrials trials fitted, plus (p+2)·N posterior means, O(n)
// each: well under a second for 100 trials and a dozen parameters, about
// 2.5 s of CPU and 100 MB at the cap. The rest is O(m log m) in the m
// trials, small even at 100,000. A search of at most MaxImportanceTrials
// usable trials is fitted on all of them, in the same order, with the
// same seeds: the cap changes none of its shares.
//
// References: I. M. Sobol' (1993), "Sensitivity estimates for nonlinear
// mathematical models", Math. Modeling Comput. Experiment 1(4), 407–414;
// M. J. W. Jansen (1999), "Analysis of variance designs for model output",
// Comput. Phys. Commun. 117, 35–43; A. Saltelli, P. Annoni, I. Azzini,
// F. Campolongo, M. Ratto, S. Tarantola (2010), "Variance based
// sensitivity analysis of model output. Design and estimator for the total
// sensitivity index", Comput. Phys. Commun. 181, 259–270; D. Salinas,
// H. Shen, V. Perrone (2020), "A quantile-based approach for
// hyperparameter transfer learning", ICML.
package analysis
