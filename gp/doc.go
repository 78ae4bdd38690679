// Package gp is Gaussian process regression for Bayesian optimization:
// a zero-mean GP with a Matern 5/2 kernel, one length scale per input
// dimension (ARD), an amplitude and Gaussian observation noise, whose
// hyperparameters are fitted by maximizing the log marginal likelihood
// plus weak log priors (a MAP fit, like BoTorch's SingleTaskGP).
//
// # Contract
//
//   - Inputs are n rows of d coordinates, each expected in [0, 1] (the
//     caller encodes; one-hot categoricals are fine, ARD handles them).
//     Outputs are standardized by the caller (mean 0, sd 1); the model has
//     a zero prior mean and the priors assume that scale.
//   - Fit and New return an error only for malformed input: no rows,
//     ragged or empty rows, len(y) != len(X), a NaN or infinite value, or
//     (New) invalid hyperparameters. A fit that fails numerically falls
//     back to default hyperparameters and reports it by FitFailed; it
//     never panics.
//   - Duplicate rows, with the same or different outputs, are fine: the
//     noise variance is at least NoiseFloor and the Cholesky factorization
//     retries with growing jitter.
//   - Everything is deterministic: the same inputs and Options give the
//     same model, bit for bit, whatever GOMAXPROCS is (parallel work is
//     split into fixed pieces, each computed by one goroutine).
//   - A Model is immutable after construction and safe for concurrent
//     use; Condition returns a new Model.
//   - Methods panic only on programmer errors: a query point of the wrong
//     length, output slices shorter than the input, a non-finite
//     observation given to Condition, malformed input to NegLogPosterior.
//
// # Model
//
// The kernel is
//
//	k(x, x') = a (1 + sqrt5 r + 5/3 r²) exp(-sqrt5 r),  r² = Σ_i ((x_i - x'_i)/l_i)²
//
// and observations are y = f(x) + e, e ~ N(0, noise). Predictions are of
// the latent f: the variance excludes the noise.
//
// # Fitting
//
// The hyperparameters are optimized in log space, theta = [log a,
// log l_1 ... log l_d, log noise] (see NegLogPosterior), by
// L-BFGS with analytic gradients from several starts: a default start, the
// optional warm start, and random restarts drawn from Options.Seed; the
// best wins. The priors (see prior.go) are BoTorch's legacy SingleTaskGP
// priors with a lower noise floor, so deterministic objectives fit with
// near-zero noise; a quadratic penalty keeps theta in a box. With more
// than Options.MaxFitPoints observations the hyperparameters are fitted
// on a deterministic subset (the best half by y, lowest first, and an
// even spread of the rest in input order); the posterior always uses all
// points.
//
// # Numerics and cost
//
// K + noise I is factorized by gonum's LAPACK Cholesky; on failure it is
// retried with jitter of 1e-9 ... 1e-2 times the amplitude added to the
// diagonal (Model.Jitter reports it). With n observations and d inputs:
// Fit is O(starts × iterations × n_fit³) on at most MaxFitPoints points,
// plus one O(n³) factorization; Predict and PredictGrad are O(n² + nd);
// PredictBatch of m points is O(m n²) in blocked triangular solves, and
// O(m n d) for the mean alone; Condition is O(n²). A model keeps its
// factor and its kernel matrix: 16 n² bytes (64 MB at 2,000
// observations); a conditioned model shares the kernel matrix of the
// model it extends.
package gp
