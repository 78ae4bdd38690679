package testfunc

import "fmt"

// Hartmann6In20 returns Hartmann6 embedded in 20 dimensions: 6 of its 20
// dimensions on [0,1] are Hartmann6's x1..x6 and matter, the 14 others
// (d1..d14, also on [0,1]) change nothing. Optimum is Hartmann6's,
// -3.32237, reached whatever the values of d1..d14 (Minimizers sets them
// to 0.5). It measures whether a strategy finds the few dimensions that
// matter among many.
func Hartmann6In20() Function { return embed(Hartmann6(), 20) }

// embed returns f among n dimensions: f's k dims are spread evenly, at
// positions ⌊i·n/k⌋ for i = 0..k-1 (so that no strategy favours them for
// being first), and the n-k others are dummy real dims d1, d2, … on
// [0,1]. f's dims must not be named like the dummies.
func embed(f Function, n int) Function {
	k := len(f.Dims)
	active := make([]int, n) // position → index into f.Dims + 1; 0 for a dummy
	for i := range k {
		active[i*n/k] = i + 1
	}
	dims := make([]Dim, n)
	dummy := 0
	for p := range dims {
		if i := active[p]; i > 0 {
			dims[p] = f.Dims[i-1]
			continue
		}
		dummy++
		dims[p] = Dim{Name: fmt.Sprintf("d%d", dummy), Kind: Real, Low: 0, High: 1}
	}
	var mins [][]any
	for _, m := range f.Minimizers {
		x := make([]any, n)
		for p := range x {
			if i := active[p]; i > 0 {
				x[p] = m[i-1]
			} else {
				x[p] = 0.5
			}
		}
		mins = append(mins, x)
	}
	name := fmt.Sprintf("%s_in_%d", f.Name, n)
	inner := f.Eval
	return Function{
		Name:       name,
		Dims:       dims,
		Optimum:    f.Optimum,
		Minimizers: mins,
		NoiseSD:    f.NoiseSD,
		Eval: func(x []any) float64 {
			if len(x) != n {
				panic(fmt.Sprintf("testfunc: %s takes %d values, got %d", name, n, len(x)))
			}
			y := make([]any, 0, k)
			for p, v := range x {
				if active[p] > 0 {
					y = append(y, v)
				} else {
					number(name, p, v) // a dummy must still be a number
				}
			}
			return inner(y)
		},
	}
}
