// Package splitmix holds the SplitMix64 finalizer, the one seeded hash the
// engine uses wherever it needs a deterministic, well-mixed choice
// (scrambling seeds, sampling subsets, thinning plots).
//
// Contract: Mix64 is a bijection of uint64 whose output bits each depend
// on every input bit; its values never change between releases, since
// samples and subsets chosen with it are part of reproducible results.
package splitmix

// Mix64 is the finalizer of SplitMix64 (Steele, Lea and Flood 2014).
func Mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
