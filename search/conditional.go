package search

import (
	"fmt"
	"slices"

	"github.com/frameworm/frameworm/space"
)

// How the Bayesian model encodes an inactive dimension of a conditional
// space (Bayesian.Inactive). A categorical's one-hot coordinates are all 0
// under every choice, equally far from each of its values.
const (
	// InactiveCenter puts an inactive numeric dimension at 0.5, the
	// middle of its range: space.Encode's fixed encoding, the default.
	InactiveCenter = "center"
	// InactiveLow puts it at 0, its lowest value.
	InactiveLow = "low"
	// InactiveOutside puts it at -1, outside the unit cube, one range
	// away from every value it can take.
	InactiveOutside = "outside"
)

// inactiveFill returns the encoded coordinate of an inactive numeric
// dimension under mode, or an error for an unknown mode.
func inactiveFill(mode string) (float64, error) {
	switch mode {
	case "", InactiveCenter:
		return space.InactiveNumeric, nil
	case InactiveLow:
		return 0, nil
	case InactiveOutside:
		return -1, nil
	}
	return 0, fmt.Errorf("bayesian: unknown encoding %q of inactive params; use %q, %q or %q.", mode, InactiveCenter, InactiveLow, InactiveOutside)
}

// encoder is how the model sees points: the space's encoding, with the
// inactive dimensions of a conditional space at the chosen fill.
type encoder struct {
	sp      *space.Space
	fill    float64
	offsets []int // of each dimension's coordinates
}

func newEncoder(sp *space.Space, mode string) (encoder, error) {
	fill, err := inactiveFill(mode)
	if err != nil {
		return encoder{}, err
	}
	e := encoder{sp: sp, fill: fill}
	off := 0
	for _, d := range sp.Dims() {
		e.offsets = append(e.offsets, off)
		off += d.EncodedLen()
	}
	return e, nil
}

// encode returns the model's coordinates of p.
func (e encoder) encode(p space.Point) []float64 {
	x := e.sp.Encode(p)
	if !e.sp.Conditional() || e.fill == space.InactiveNumeric {
		return x
	}
	for i, d := range e.sp.Dims() {
		if p[i] == space.Inactive {
			if _, cat := d.(*space.Categorical); !cat {
				x[e.offsets[i]] = e.fill
			}
		}
	}
	return x
}

// activate returns the value a dimension takes when a move makes it
// active: the one its inactive encoding decodes to.
func (e encoder) activate(d space.Dimension) space.Value {
	x := make([]float64, d.EncodedLen())
	space.EncodeInactive(d, x)
	if _, cat := d.(*space.Categorical); !cat {
		x[0] = e.fill
	}
	return d.Decode(x)
}

// moved returns p with coordinate i set to v and, in a conditional space,
// the activity of the later coordinates re-derived: one that becomes
// inactive is Inactive, one that becomes active takes the value of
// activate.
func (e encoder) moved(p space.Point, i int, v space.Value) space.Point {
	q := slices.Clone(p)
	q[i] = v
	if !e.sp.Conditional() {
		return q
	}
	dims := e.sp.Dims()
	for k := i + 1; k < len(q); k++ {
		switch active := e.sp.Active(q, k); {
		case !active:
			q[k] = space.Inactive
		case q[k] == space.Inactive:
			q[k] = e.activate(dims[k])
		}
	}
	return q
}
