package mlp

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Model is a one-hidden-layer perceptron: ReLU hidden units, a softmax
// over the classes. Its parameters live in one slice, so an optimizer can
// treat them as one vector.
type Model struct {
	in, hidden, out int
	params          []float64 // W1 (in x hidden), b1, W2 (hidden x out), b2
	w1, w2          *mat.Dense
	b1, b2          []float64
}

// newModel returns a model with He-initialized weights and zero biases.
func newModel(in, hidden, out int, rng *rand.Rand) *Model {
	m := &Model{in: in, hidden: hidden, out: out}
	m.params = make([]float64, in*hidden+hidden+hidden*out+out)
	m.w1, m.b1, m.w2, m.b2 = m.views(m.params)
	s1, s2 := math.Sqrt(2/float64(in)), math.Sqrt(2/float64(hidden))
	for i := range in * hidden {
		m.params[i] = rng.NormFloat64() * s1
	}
	w2 := m.w2.RawMatrix().Data
	for i := range w2 {
		w2[i] = rng.NormFloat64() * s2
	}
	return m
}

// views cuts a parameter-shaped vector p into W1, b1, W2 and b2, sharing
// its memory.
func (m *Model) views(p []float64) (w1 *mat.Dense, b1 []float64, w2 *mat.Dense, b2 []float64) {
	o := 0
	cut := func(n int) []float64 { s := p[o : o+n : o+n]; o += n; return s }
	w1 = mat.NewDense(m.in, m.hidden, cut(m.in*m.hidden))
	b1 = cut(m.hidden)
	w2 = mat.NewDense(m.hidden, m.out, cut(m.hidden*m.out))
	b2 = cut(m.out)
	return
}

// isWeight reports whether params[i] is a weight (penalized by L2), not a
// bias.
func (m *Model) isWeight(i int) bool {
	n1 := m.in * m.hidden
	n2 := n1 + m.hidden
	return i < n1 || i >= n2 && i < n2+m.hidden*m.out
}

// workspace holds the buffers of a forward and backward pass over up to
// rows examples.
type workspace struct {
	rows     int
	h, p     *mat.Dense // hidden activations, class probabilities
	dz, dh   *mat.Dense // gradients at the output and hidden pre-activations
	grad     []float64  // parameter-shaped
	gw1, gw2 *mat.Dense // views of grad
	gb1, gb2 []float64
	xb       *mat.Dense // a minibatch, gathered
	yb       []int
}

func (m *Model) newWorkspace(rows int) *workspace {
	w := &workspace{
		rows: rows,
		h:    mat.NewDense(rows, m.hidden, nil),
		p:    mat.NewDense(rows, m.out, nil),
		dz:   mat.NewDense(rows, m.out, nil),
		dh:   mat.NewDense(rows, m.hidden, nil),
		grad: make([]float64, len(m.params)),
		xb:   mat.NewDense(rows, m.in, nil),
		yb:   make([]int, rows),
	}
	w.gw1, w.gb1, w.gw2, w.gb2 = m.views(w.grad)
	return w
}

// forward computes the class probabilities of the rows of x into w.p (and
// the hidden activations into w.h) and returns the summed cross-entropy
// against y. x has at most w.rows rows.
func (m *Model) forward(w *workspace, x *mat.Dense, y []int) (h, p *mat.Dense, ce float64) {
	n, _ := x.Dims()
	h = w.h.Slice(0, n, 0, m.hidden).(*mat.Dense)
	p = w.p.Slice(0, n, 0, m.out).(*mat.Dense)
	h.Mul(x, m.w1)
	for i := range n {
		row := h.RawRowView(i)
		for j, b := range m.b1 {
			if v := row[j] + b; v > 0 {
				row[j] = v
			} else {
				row[j] = 0
			}
		}
	}
	p.Mul(h, m.w2)
	for i := range n {
		row := p.RawRowView(i)
		mx := math.Inf(-1)
		for j, b := range m.b2 {
			row[j] += b
			mx = max(mx, row[j])
		}
		sum := 0.0
		for j := range row {
			row[j] = math.Exp(row[j] - mx)
			sum += row[j]
		}
		for j := range row {
			row[j] /= sum
		}
		if y != nil {
			ce -= math.Log(max(row[y[i]], 1e-300))
		}
	}
	return h, p, ce
}

// lossAndGrad computes, for the examples x, y, the objective (mean
// cross-entropy plus l2/2 times the squared weights) and its gradient
// into w.grad. It returns the objective and the mean cross-entropy.
func (m *Model) lossAndGrad(w *workspace, x *mat.Dense, y []int, l2 float64) (obj, ce float64) {
	n, _ := x.Dims()
	h, p, sum := m.forward(w, x, y)
	inv := 1 / float64(n)
	dz := w.dz.Slice(0, n, 0, m.out).(*mat.Dense)
	dz.Copy(p)
	for i := range n {
		row := dz.RawRowView(i)
		row[y[i]] -= 1
		for j := range row {
			row[j] *= inv
		}
	}
	// Output layer.
	w.gw2.Mul(h.T(), dz)
	clear(w.gb2)
	for i := range n {
		for j, v := range dz.RawRowView(i) {
			w.gb2[j] += v
		}
	}
	// Hidden layer: back through W2 and the ReLU.
	dh := w.dh.Slice(0, n, 0, m.hidden).(*mat.Dense)
	dh.Mul(dz, m.w2.T())
	for i := range n {
		hr, dr := h.RawRowView(i), dh.RawRowView(i)
		for j := range dr {
			if hr[j] <= 0 {
				dr[j] = 0
			}
		}
	}
	w.gw1.Mul(x.T(), dh)
	clear(w.gb1)
	for i := range n {
		for j, v := range dh.RawRowView(i) {
			w.gb1[j] += v
		}
	}
	ce = sum * inv
	obj = ce
	if l2 > 0 {
		sq := 0.0
		for i, v := range m.params {
			if m.isWeight(i) {
				sq += v * v
				w.grad[i] += l2 * v
			}
		}
		obj += l2 / 2 * sq
	}
	return obj, ce
}

// evaluate returns the mean cross-entropy and the accuracy of the model
// on d, in chunks of w.rows examples.
func (m *Model) evaluate(w *workspace, d *Dataset) (ce, acc float64) {
	n := d.Len()
	correct := 0
	for lo := 0; lo < n; lo += w.rows {
		hi := min(lo+w.rows, n)
		x := d.X.Slice(lo, hi, 0, m.in).(*mat.Dense)
		_, p, sum := m.forward(w, x, d.Y[lo:hi])
		ce += sum
		for i := range hi - lo {
			if argmax(p.RawRowView(i)) == d.Y[lo+i] {
				correct++
			}
		}
	}
	return ce / float64(n), float64(correct) / float64(n)
}

// Predict returns the most likely class of each row of x (scaled like
// Read's features).
func (m *Model) Predict(x *mat.Dense) []int {
	n, _ := x.Dims()
	w := m.newWorkspace(min(max(n, 1), 256))
	out := make([]int, 0, n)
	for lo := 0; lo < n; lo += w.rows {
		hi := min(lo+w.rows, n)
		_, p, _ := m.forward(w, x.Slice(lo, hi, 0, m.in).(*mat.Dense), nil)
		for i := range hi - lo {
			out = append(out, argmax(p.RawRowView(i)))
		}
	}
	return out
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
