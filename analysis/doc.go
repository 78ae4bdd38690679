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
//     categoricals one-hot, but with the one-hot columns multiplied by
//     0.1 (categoricalScale). The GP's length-scale prior (mode 1/3 in the
//     unit cube) would otherwise make the values of a categorical
//     independent a priori, and the mean of a category with few trials is
//     then set by those few trials and their noise: measured over 10
//     seeds with three real parameters that matter and a little noise, a
//     categorical with no effect got 20 % (3 values) and 40 % (8 values)
//     at 30 trials, 2 % and 4 % at 100. Scaled, the values are alike a
//     priori (a correlation of about 0.9) until the data say otherwise,
//     at a cost of about 2 nats of prior per column; the shares of
//     categoricals with an effect stay within 2 points of the true ones
//     at 100 trials (TestImportanceCategoricalEffect). The surrogate is
//     fitted on every usable trial when there are at most
//     MaxImportanceTrials of them, in trial-number order; otherwise on
//     MaxImportanceTrials of them (ImportanceReport says how many of how
//     many): the trial with the lowest and the one with the highest score
//     (ties: the lower number), and the rest of the MaxImportanceTrials
//     are the other trials whose numbers hash lowest under the seed
//     (SplitMix64's finalizer), a uniform sample that depends on nothing
//     but the seed and each trial's number. Their transformed scores are
//     those of step 1, computed among all usable trials, standardized
//     again over the subset: a trial's score stays its quantile among all
//     of them. Measured on the known-answer searches at 10,000 trials
//     against a fit on all of them (BenchmarkImportanceSubset), the shares
//     move by at most 0.2 percentage points (0.5 with a cap of 1,000). Two
//     alternatives measured against a fit on 4,000 trials did worse:
//     giving an eighth of the subset to each tail of the scores moved them
//     by up to 2.9 points, and re-ranking the scores within such a subset
//     by up to 6.9.
//
//  3. The input distribution is the space's own, the one Space.Sample
//     draws from: every dimension independent; reals uniform (in log space
//     when log-scaled); integers and stepped reals uniform over their
//     values, log-scaled integers with their discretized log-uniform mass;
//     categoricals uniform over their values, but for the score only over
//     the values some fitted trial has: a value no trial completed (one
//     that always fails) is one the model knows nothing about, and
//     filling it in made a categorical with no effect on the score, one
//     of whose values always failed, get 28 %. ImportanceReport.Excluded
//     and Note say which values are left out; the failures are
//     EstimateFailureImportance's business. Two N×p matrices A and B of
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
//     the indices sum to more than 1 when parameters interact. (At the
//     sizes of step 1, Jansen's estimator is not where a bias comes from:
//     N = 16,384 gives the same shares within 0.2 points.)
//
//  5. A decoy sets the level of "no effect": a real parameter uniform on
//     [0, 1], its value for each trial drawn from the seed and the trial's
//     number, so it has no effect by construction. A second surrogate is
//     fitted with it added (on at most maxDecoyTrials of the trials, chosen
//     as in step 2), and its total index S_decoy estimated as in step 4:
//     what a parameter gets from the surrogate fitting noise and filling
//     in where trials are sparse (the idea of Boruta's shadow features,
//     Kursa and Rudnicki 2010). A parameter with S_Ti <= S_decoy gets
//     share 0; the shares are the other S_Ti over their sum, normalized
//     total-order indices that sum to 1. If no parameter beats the decoy,
//     EstimateImportance returns an error: the scores look like noise.
//     Thresholding rather than subtracting keeps the shares of the
//     parameters that matter unbiased: subtracting S_decoy from every
//     index moved the shares of a known search by 6 to 7.5 points at 30
//     trials.
//
//  6. Errors: the fitted trials are resampled with replacement
//     ImportanceBootstraps times (m = min(n, maxBootstrapTrials) trials
//     each); each resample gets a GP with the main fit's hyperparameters
//     (no refit), its shares are estimated as in steps 3 to 5 with N/8
//     rows and the same design, thresholded at the same S_decoy, and
//     ImportanceReport.Errors is the standard deviation of each share
//     over the resamples, times sqrt(m/n) when m < n (the m-out-of-n
//     bootstrap's rescaling). Keeping the hyperparameters bounds the cost
//     but leaves out their uncertainty: measured on a known search over 10
//     seeds, share ± 2 errors covered the true share (the normalized total
//     index of the rank-normal transform of the noiseless objective) in 35
//     of 40 cases at 30 trials, 37 at 60 and 38 at 150; refitting each
//     resample covered 38, 39 and 40 at five times the cost.
//
// The null and known-answer searches of TestImportanceNull (three real
// parameters that matter, a fourth with none, noise of a tenth of the
// objective's spread, seeds 1 ... 10): the null parameter's mean share at
// 30 / 60 / 100 trials is 0.08 / 0.20 / 0.28 % for a categorical of 3
// values, 0.63 / 0.79 / 0.58 % for one of 8, and 1.89 / 0.57 / 0.22 % for
// a real (before step 2's scaling and step 5: 20.1 / 4.9 / 1.8 %, 39.5 / 17.2
// / 4.4 % and 2.4 / 0.7 / 0.5 %). With three times that noise a real at
// 30 trials still gets 6.3 % on average (one seed 35 %): 30 noisy trials
// cannot separate four parameters, and the errors say so.
//
// EstimateFailureImportance applies steps 2 to 6 to the failure indicator
// (1 for a failed trial, 0 for a completed one, standardized; no rank
// transform) of the completed and failed trials, over the whole space:
// which parameters predict that a trial fails. A categorical one of whose
// values always fails gets nearly all of it (TestImportanceAlwaysFailing).
//
// The cost is two GP fits (the surrogate and the decoy's, on at most
// maxDecoyTrials trials), O(n³) time and O(n²) memory in the n <=
// MaxImportanceTrials trials fitted, plus (p+2)·N posterior means, O(n)
// each, 3·N for the decoy, and ImportanceBootstraps·(p+2)·N/8 for the
// errors (O(m) each), the bootstrap thus about 2.5 times the main
// estimate's predictions at n <= maxBootstrapTrials and a fixed cost
// above. BenchmarkImportance measures it. The rest is O(m log m) in the m
// trials, small even at 100,000. A search of at most MaxImportanceTrials
// usable trials is fitted on all of them, in the same order, with the
// same seeds: the cap changes none of its shares.
//
// References: I. M. Sobol' (1993), "Sensitivity estimates for nonlinear
// mathematical models", Math. Modeling Comput. Experiment 1(4), 407–414;
// M. J. W. Jansen (1999), "Analysis of variance designs for model output",
// Comput. Phys. Commun. 117, 35–43; M. B. Kursa, W. R. Rudnicki (2010),
// "Feature selection with the Boruta package", J. Stat. Softw. 36(11);
// A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola
// (2010), "Variance based
// sensitivity analysis of model output. Design and estimator for the total
// sensitivity index", Comput. Phys. Commun. 181, 259–270; D. Salinas,
// H. Shen, V. Perrone (2020), "A quantile-based approach for
// hyperparameter transfer learning", ICML.
package analysis
