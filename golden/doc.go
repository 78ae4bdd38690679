// Package golden holds the golden tests of fwgen: each directory under
// testdata is a set of search files with the code fwgen generates for it
// (<name>.gen.go.golden, package <name>) or the diagnostics it reports
// (<name>.diagnostics.golden). The tests regenerate every case and compare;
// go test ./golden -update rewrites the golden files.
//
// TestCompile builds every golden package in a temporary module that
// requires this one through a replace directive, runs go vet on it, and
// runs a program that checks Defaults and Validate of each package against
// the search files: Defaults equals the base config read strictly from
// JSON, Validate accepts sampled trial configs of every search and reports
// every violation of a config with several out-of-range values. It works
// offline from the module cache and is skipped with -short.
package golden
