package splitmix

import "testing"

// TestMix64Pinned pins values: subsets, plots and Sobol scrambles depend
// on them.
func TestMix64Pinned(t *testing.T) {
	for _, tt := range []struct{ in, want uint64 }{
		{0, 0},
		{1, 0x5692161d100b05e5},
		{0x9e3779b97f4a7c15, 0xe220a8397b1dcdaf},
	} {
		if got := Mix64(tt.in); got != tt.want {
			t.Errorf("Mix64(%#x) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}
