package sobol

import (
	"bufio"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

const (
	// MaxDim is the largest supported dimension.
	MaxDim = 1024
	// digits is the number of digits of each direction number.
	digits = 32
	// MaxPoints is the number of points a Sequence can produce.
	MaxPoints = uint64(1) << digits
)

// joeKuo holds one line of the Joe–Kuo file per dimension 2..MaxDim:
// "d s a m_1 ... m_s".
//
//go:embed new-joe-kuo-6.21201-d1024.txt
var joeKuo string

// primitive is the primitive polynomial and initial direction numbers of
// one dimension.
type primitive struct {
	s int      // degree
	a uint32   // inner coefficients, a_1 most significant of s-1 bits
	m []uint32 // initial direction numbers m_1..m_s, m_k odd and < 2^k
}

var (
	tableOnce sync.Once
	table     []primitive // table[j] for dimension j+2
	tableErr  error
)

// primitives returns the parsed Joe–Kuo table for dimensions 2..MaxDim.
func primitives() ([]primitive, error) {
	tableOnce.Do(func() { table, tableErr = parseJoeKuo(joeKuo) })
	return table, tableErr
}

// parseJoeKuo parses the Joe–Kuo text format and checks every entry.
func parseJoeKuo(text string) ([]primitive, error) {
	var out []primitive
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || f[0] == "d" {
			continue
		}
		nums := make([]uint64, len(f))
		for i, s := range f {
			v, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("sobol: direction numbers line %d: %v", line, err)
			}
			nums[i] = v
		}
		if len(nums) < 4 {
			return nil, fmt.Errorf("sobol: direction numbers line %d: too few fields", line)
		}
		d, s, a := nums[0], int(nums[1]), uint32(nums[2])
		if want := uint64(len(out) + 2); d != want {
			return nil, fmt.Errorf("sobol: direction numbers line %d: dimension %d, want %d", line, d, want)
		}
		if s < 1 || s >= digits || len(nums) != 3+s || (s > 1 && a>>(s-1) != 0) || (s == 1 && a != 0) {
			return nil, fmt.Errorf("sobol: direction numbers line %d: bad degree or coefficients", line)
		}
		p := primitive{s: s, a: a, m: make([]uint32, s)}
		for k := range s {
			m := uint32(nums[3+k])
			if m&1 == 0 || m >= 1<<(k+1) {
				return nil, fmt.Errorf("sobol: direction numbers line %d: m_%d = %d is not odd and < 2^%d", line, k+1, m, k+1)
			}
			p.m[k] = m
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) != MaxDim-1 {
		return nil, fmt.Errorf("sobol: %d direction-number entries, want %d", len(out), MaxDim-1)
	}
	return out, nil
}

// directions returns the direction numbers V_1..V_32 of one dimension
// (1-based dim), as 32-bit binary fractions: V_k = m_k / 2^k.
func directions(dim int, tab []primitive) [digits]uint32 {
	var v [digits]uint32
	if dim == 1 {
		for k := range digits {
			v[k] = 1 << (digits - 1 - k)
		}
		return v
	}
	p := tab[dim-2]
	s := p.s
	for k := range s {
		v[k] = p.m[k] << (digits - 1 - k)
	}
	// Bratley–Fox recurrence:
	// V_k = a_1 V_{k-1} ^ ... ^ a_{s-1} V_{k-s+1} ^ V_{k-s} ^ (V_{k-s} >> s).
	for k := s; k < digits; k++ {
		x := v[k-s] ^ v[k-s]>>s
		for i := 1; i < s; i++ {
			if p.a>>(s-1-i)&1 == 1 {
				x ^= v[k-i]
			}
		}
		v[k] = x
	}
	return v
}
