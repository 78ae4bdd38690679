// Package testfunc holds benchmark objectives for the search strategies,
// in the manner of gonum's optimize/functions, each described over a mixed
// search space so that benchmark code can drive any of them through the
// project's space types.
//
// Two suites. All, the small one: Branin (2-D), Hartmann6 (6-D),
// Rosenbrock4 and Mixed (a log-scaled real, a log-scaled integer and a
// categorical). Scale, for search at scale (many dimensions, rugged
// landscapes, noise), with the literature's boxes and optima (Surjanovic
// and Bingham's Virtual Library of Simulation Experiments; Jamil and
// Yang, "A literature survey of benchmark functions for global
// optimization problems", 2013):
//
//	name               dims  box                  global minimum
//	ackley5, ackley10  5, 10 [-32.768, 32.768]^d  0 at 0
//	rastrigin4         4     [-5.12, 5.12]^4      0 at 0
//	styblinski_tang10  10    [-5, 5]^10           -39.16617·d at x_i = -2.903534
//	styblinski_tang20  20    [-5, 5]^20           (the same)
//	rosenbrock10       10    [-5, 10]^10          0 at (1, …, 1)
//	hartmann6_in_20    20    [0, 1]^20            Hartmann6's -3.32237; 14 dims are dummies
//	noisy_branin       2     Branin's             Branin's 0.397887; noise sd 3.0773
//
// Ackley: -20 exp(-0.2 √(Σx_i²/d)) - exp(Σcos(2πx_i)/d) + 20 + e, a flat
// outer region full of local minima around one funnel. Rastrigin:
// 10d + Σ(x_i² - 10 cos(2πx_i)), a local minimum near every integer point.
// Styblinski–Tang: Σ(x_i⁴ - 16x_i² + 5x_i)/2, 2^d local minima (the
// literature's -39.16599·d rounds the optimum; Minimizers and Optimum are
// Newton's method's, -39.166165703771412·d). Rosenbrock: Σ 100(x_{i+1} -
// x_i²)² + (1 - x_i)², a curved valley. hartmann6_in_20: Hartmann6's six
// dims at positions 1, 4, 7, 11, 14 and 17 of 20, the others (d1..d14 on
// [0,1]) change nothing: 6 of 20 dimensions matter, with Hartmann6's
// local minimum kept.
// noisy_branin: Branin plus Gaussian noise of sd 1 % of Branin's range
// over its box, 0.01·(308.129 - 0.397887) (the maximum is at (-5, 0)).
//
// Contract:
//   - Every Function is to be minimized. Optimum is its exact global minimum
//     over the box described by Dims, and Minimizers lists points where it
//     is attained (to the precision the literature gives).
//   - Eval takes one value per Dim, in order: float64 for a "real" Dim,
//     int64 for an "integer" Dim and string for a "categorical" Dim; other
//     Go integer and float kinds are accepted for numeric Dims. It panics on
//     a wrong count, type or categorical value, and is pure and safe for
//     concurrent use. Numeric values outside the box are evaluated as is.
//   - A Dim with When is conditional: active only when an earlier
//     categorical Dim takes one of the listed values. Eval ignores the
//     value of an inactive Dim, and Optimum and Minimizers are over the
//     active params (Minimizers hold nil for the inactive ones).
//     Conditional is the one such function; it is not in All.
//   - Eval is noise-free. A Function with NoiseSD > 0 is noisy: Observe
//     adds Gaussian noise of that standard deviation, drawn from a
//     caller's *rand.Rand, so the noise is deterministic given its seed;
//     Optimum and Minimizers are those of the noise-free Eval, against
//     which a benchmark scores the config it recommends.
//   - The functions returned by the constructors, All and Scale are fresh
//     copies: changing one changes no other.
//   - The package depends on nothing in this module: Dim mirrors the
//     space package's Real, Integer and Categorical on purpose.
package testfunc
