package space

import (
	"math/rand/v2"
	"testing"
)

// benchSpace is the space of internal/bigstate's search.
func benchSpace(b *testing.B) *Space {
	b.Helper()
	lr, err1 := NewReal("training.lr", 1e-5, 1e-1, true, 0)
	bs, err2 := NewInteger("training.batch_size", 16, 512, true, 0)
	hd, err3 := NewInteger("model.hidden_dim", 32, 1024, false, 32)
	dr, err4 := NewReal("model.dropout", 0, 0.5, false, 0)
	opt, err5 := NewCategorical("optimizer", []Value{"adam", "sgd", "rmsprop"})
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			b.Fatal(err)
		}
	}
	s, err := New(lr, bs, hd, dr, opt)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchPoints(b *testing.B, s *Space, n int) []Point {
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = s.Sample(r)
	}
	return pts
}

// BenchmarkNormalize normalizes points that are already canonical, as
// plan does for every recorded trial.
func BenchmarkNormalize(b *testing.B) {
	s := benchSpace(b)
	pts := benchPoints(b, s, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := s.Normalize(pts[i%len(pts)]); !ok {
			b.Fatal("not normalized")
		}
		i++
	}
}

// BenchmarkKey builds the key of a point.
func BenchmarkKey(b *testing.B) {
	s := benchSpace(b)
	pts := benchPoints(b, s, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = s.Key(pts[i%len(pts)])
		i++
	}
}

// BenchmarkSample draws points.
func BenchmarkSample(b *testing.B) {
	s := benchSpace(b)
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sample(r)
	}
}
