package sobol

import (
	"math/bits"

	"github.com/frameworm/frameworm/internal/splitmix"
)

// splitmix64 advances *state and returns the next output of the SplitMix64
// generator; it derives the per-dimension seeds.
func splitmix64(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	return splitmix.Mix64(*state)
}

// laineKarras is a seeded bijection of 32-bit words in which each output bit
// depends only on the same and lower input bits, and is the input bit XOR a
// function of the lower ones (Vegdahl's 2021 constants).
func laineKarras(x, seed uint32) uint32 {
	x ^= x * 0x3d20adea
	x += seed
	x *= (seed >> 16) | 1
	x ^= x * 0x05526c56
	x ^= x * 0x53a22864
	return x
}

// owen scrambles the 32 binary digits of x (x / 2^32 in [0,1)): digit k
// is flipped by a seeded function of digits 1..k-1, a nested uniform
// scramble in Owen's sense.
func owen(x, seed uint32) uint32 {
	return bits.Reverse32(laineKarras(bits.Reverse32(x), seed))
}
