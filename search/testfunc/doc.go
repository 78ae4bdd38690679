// Package testfunc holds benchmark objectives for the search strategies,
// in the manner of gonum's optimize/functions, each described over a mixed
// search space so that benchmark code can drive any of them through the
// project's space types.
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
//   - The functions returned by Branin, Hartmann6, Rosenbrock4, Mixed,
//     Conditional and All are fresh copies: changing one changes no other.
//   - The package depends on nothing in this module: Dim mirrors the
//     space package's Real, Integer and Categorical on purpose.
package testfunc
