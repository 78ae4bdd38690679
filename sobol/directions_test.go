package sobol

import (
	"strings"
	"testing"
)

func TestEmbeddedTable(t *testing.T) {
	tab, err := primitives()
	if err != nil {
		t.Fatal(err)
	}
	if len(tab) != MaxDim-1 {
		t.Fatalf("%d entries, want %d", len(tab), MaxDim-1)
	}
	// Joe–Kuo list the primitive polynomials by increasing degree; the
	// pair (s, a) never repeats.
	seen := map[[2]uint32]bool{}
	for i, p := range tab {
		if i > 0 && p.s < tab[i-1].s {
			t.Errorf("dimension %d: degree %d after %d", i+2, p.s, tab[i-1].s)
		}
		key := [2]uint32{uint32(p.s), p.a}
		if seen[key] {
			t.Errorf("dimension %d repeats polynomial %v", i+2, key)
		}
		seen[key] = true
	}
}

func TestParseJoeKuoErrors(t *testing.T) {
	valid := "d s a m_i\n2 1 0 1\n3 2 1 1 3\n"
	tests := []struct {
		name, text, want string
	}{
		{"short table", valid, "want 1023"},
		{"bad number", "2 1 x 1\n", "line 1"},
		{"too few fields", "2 1 0\n", "too few fields"},
		{"wrong dimension", "3 1 0 1\n", "dimension 3, want 2"},
		{"wrong m count", "2 2 1 1\n", "bad degree"},
		{"a too wide", "2 2 3 1 3\n", "bad degree"},
		{"even m", "2 2 1 1 2\n", "not odd"},
		{"m too large", "2 2 1 1 5\n", "not odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJoeKuo(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestDirectionNumbersOdd checks V_k = m_k / 2^k with m_k odd, i.e. bit
// 32-k of V_k set and no lower bit, for every dimension.
func TestDirectionNumbersOdd(t *testing.T) {
	tab, err := primitives()
	if err != nil {
		t.Fatal(err)
	}
	for dim := 1; dim <= MaxDim; dim++ {
		v := directions(dim, tab)
		for k, x := range v {
			if lowest := x & -x; lowest != 1<<(digits-1-k) {
				t.Fatalf("dimension %d: V_%d = %#x is not an odd multiple of 2^-%d", dim, k+1, x, k+1)
			}
		}
	}
}
