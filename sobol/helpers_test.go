package sobol

import "testing"

// mustNew returns New(d, seed, scramble) or fails the test.
func mustNew(t testing.TB, d int, seed uint64, scramble bool) *Sequence {
	t.Helper()
	s, err := New(d, seed, scramble)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// points returns the next n points of s.
func points(s *Sequence, n int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = s.Next(nil)
	}
	return out
}

// modes names the two kinds of sequence most properties must hold for.
var modes = []struct {
	name     string
	scramble bool
}{{"plain", false}, {"scrambled", true}}

// mustPanic fails the test unless f panics.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}
