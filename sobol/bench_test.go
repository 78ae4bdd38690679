package sobol

import (
	"fmt"
	"testing"
)

func BenchmarkNext(b *testing.B) {
	for _, d := range []int{6, 40} {
		for _, m := range modes {
			b.Run(fmt.Sprintf("d=%d/%s", d, m.name), func(b *testing.B) {
				s := mustNew(b, d, 1, m.scramble)
				dst := make([]float64, d)
				for b.Loop() {
					if s.Index() == MaxPoints {
						s = mustNew(b, d, 1, m.scramble)
					}
					s.Next(dst)
				}
			})
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		mustNew(b, 40, 1, true)
	}
}
