// Package sobol generates points of a Sobol' low-discrepancy sequence in the
// unit cube, optionally randomized by a seeded, hash-based Owen scrambling.
//
// Contract:
//   - A Sequence of dimension d (1 <= d <= MaxDim) yields points in
//     [0,1)^d. Coordinates are never 1. An unscrambled sequence starts at
//     the origin (its point 0 is all zeros); a scrambled coordinate is 0
//     only with probability 2^-53.
//   - Points are produced in Gray-code order (Antonov–Saleev), so for every
//     m the first 2^m points, counted from point 0, form the same set as in
//     the natural order: every one-dimensional projection puts exactly one
//     point in each interval [k/2^m, (k+1)/2^m), and the first two
//     dimensions form a (0,m,2)-net. Use Skip(1) to drop the origin at the
//     cost of that balance.
//   - The first dimension is the van der Corput sequence in base 2; the
//     others use the Joe–Kuo direction numbers (file new-joe-kuo-6.21201),
//     of which the first MaxDim-1 entries are embedded.
//   - With scramble set, every coordinate is put through a nested uniform
//     (Owen-style) scramble of its 32 digits, built from the Laine–Karras
//     hash as in Burley (2020), "Practical Hash-based Owen Scrambling", with
//     the improved constants of Vegdahl (2021), and one seed per dimension
//     derived from the Sequence's seed. The scramble keeps every
//     stratification and net property above. Digits 33 to 53 are filled
//     from a hash of the scrambled prefix, as a full Owen scramble would.
//   - The same (d, seed, scramble) gives the same points bit for bit, on
//     every platform: only integer arithmetic and exact conversions are
//     used. The first k coordinates of a d-dimensional sequence equal those
//     of a k-dimensional one with the same seed.
//   - A Sequence holds at most MaxPoints points; Next panics past them.
//     A Sequence is not safe for concurrent use.
//
// The direction numbers are © 2008 Frances Y. Kuo and Stephen Joe,
// redistributed under their BSD-style licence, which asks that this notice
// be kept; see the header of new-joe-kuo-6.21201-d1024.txt.
package sobol
