package plots

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SurfaceAxis is one parameter's axis of a Surface.
type SurfaceAxis struct {
	Name string
	// Log puts a numeric axis in log space.
	Log bool
	// Values are the grid's positions on the axis, ascending and evenly
	// spaced (in log space when Log), at least two; for a categorical
	// axis nil or 0, 1, …, len(Categories)-1.
	Values []float64
	// Categories are a categorical parameter's values, in order; nil for
	// a numeric one.
	Categories []string
}

// Surface is a model's prediction of the score over a grid of two
// parameters.
type Surface struct {
	X, Y SurfaceAxis
	// Z[iy][ix] is the prediction at (X.Values[ix], Y.Values[iy]).
	Z [][]float64
	// Subtitle, when not empty, is the title's second line: how the
	// prediction was made, e.g. how the other parameters were set.
	Subtitle string
}

// SurfacePoint is one trial drawn on a surface.
type SurfacePoint struct {
	X, Y  float64 // the trial's values; a categorical's index
	Score float64
}

// Colours of the trial markers of a contour figure.
var surfaceRing = color.Black

// Contour draws a surface as a heatmap, titled "<search>: predicted
// <metric> over <x> and <y>" (and the surface's Subtitle as a second
// line), with the trials as dots on it. A cell's colour is its
// prediction on the viridis map, yellow for the best score (the highest
// when maximize, else the lowest), dark purple for the worst; each dot is
// filled with the colour of its trial's own score and ringed in black, so
// where the model and the trials disagree shows. The colour bar on the
// right is labelled LogLabel(metric, log) and writes "best" at the better
// end; its scale spans the predictions and the trials' scores, as
// ChooseScale(scale, …) says (a forced log scale with a value <= 0 is an
// error).
//
// Each cell is centred on its grid position and as wide as the grid's
// step; a log axis (labelled "<name> (log scale)") steps in log space; a
// categorical axis has one cell per category, its name as the tick label
// (cut to 24 characters, x labels turned by 30 degrees when they do not
// fit). The browser or image viewer may smooth the cells' edges.
//
// A surface whose Z does not match its axes, holds a NaN or ±Inf value,
// or whose axis values are not ascending, evenly spaced, at least two
// (numeric; > 0 on a log axis) or 0 … k-1 (categorical) is an error, as is
// a dot on a categorical axis that is not one of its indices or a dot
// <= 0 on a log axis. Dots with a NaN or ±Inf coordinate or score are
// skipped; with more than MaxScatterPoints dots, MaxScatterPoints are
// drawn (the best, the worst and a uniform sample, see thin).
func Contour(w io.Writer, f Format, search, metric string, maximize bool, s Surface, pts []SurfacePoint, scale Scale) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	what := fmt.Sprintf("contour of %s over %s and %s", search, s.X.Name, s.Y.Name)
	xa, err := surfaceAxis(s.X)
	if err != nil {
		return fmt.Errorf("plots: %s: x axis: %w", what, err)
	}
	ya, err := surfaceAxis(s.Y)
	if err != nil {
		return fmt.Errorf("plots: %s: y axis: %w", what, err)
	}
	if len(s.Z) != len(ya.values) {
		return fmt.Errorf("plots: %s: the surface has %d rows for %d y values", what, len(s.Z), len(ya.values))
	}
	var vals []float64
	for iy, row := range s.Z {
		if len(row) != len(xa.values) {
			return fmt.Errorf("plots: %s: row %d of the surface has %d values for %d x values", what, iy, len(row), len(xa.values))
		}
		for ix, z := range row {
			if !finite(z) {
				return fmt.Errorf("plots: %s: the surface's value at (%g, %g) is %v", what, xa.values[ix], ya.values[iy], z)
			}
			vals = append(vals, z)
		}
	}
	var dots []SurfacePoint
	for _, pt := range pts {
		if !finite(pt.X) || !finite(pt.Y) || !finite(pt.Score) {
			continue
		}
		for _, c := range []struct {
			a  surfaceGrid
			v  float64
			ax SurfaceAxis
		}{{xa, pt.X, s.X}, {ya, pt.Y, s.Y}} {
			if err := c.a.check(c.v); err != nil {
				return fmt.Errorf("plots: %s: param %q: %w", what, c.ax.Name, err)
			}
		}
		dots = append(dots, pt)
		vals = append(vals, pt.Score)
	}
	log, err := scoreScale(what, vals, scale)
	if err != nil {
		return err
	}
	cs := newColorScale(vals, log, maximize)

	// Thin the dots, keeping the best and the worst.
	best, worst := -1, -1
	for i, d := range dots {
		if best < 0 || cs.goodness(d.Score) > cs.goodness(dots[best].Score) {
			best = i
		}
		if worst < 0 || cs.goodness(d.Score) < cs.goodness(dots[worst].Score) {
			worst = i
		}
	}
	var keep []int
	if best >= 0 {
		keep = []int{best, worst}
	}
	shown := thin(len(dots), keep)
	hm := &heatmap{x: xa, y: ya, z: s.Z, scale: cs}
	for i, d := range dots {
		if shown == nil || shown[i] {
			hm.dots = append(hm.dots, d)
		}
	}

	title := fmt.Sprintf("%s: predicted %s over %s and %s", search, metric, s.X.Name, s.Y.Name)
	sub := s.Subtitle
	if shown != nil {
		if sub != "" {
			sub += "; "
		}
		sub += thinnedNote(len(hm.dots), len(dots))
	}
	if sub != "" {
		title += "\n" + sub
	}
	p := newPlot(title, LogLabel(s.X.Name, s.X.Log && s.X.Categories == nil), LogLabel(s.Y.Name, s.Y.Log && s.Y.Categories == nil))
	bar := &colorBar{scale: cs, label: LogLabel(metric, log)}
	var lay layout
	lay.bar = bar
	xlo, xhi := xa.extent()
	if xa.categorical {
		lay.left = labelledAxis(p, s.X.Categories, xlo, xhi, maxCategoryLabel, 13*vg.Centimeter-bar.width(), vg.Centimeter)
	} else {
		p.X.Min, p.X.Max = xlo, xhi
		if xa.log {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = logTicks{}
		}
	}
	ylo, yhi := ya.extent()
	p.Y.Min, p.Y.Max = ylo, yhi
	switch {
	case ya.categorical:
		ticks := make([]plot.Tick, len(s.Y.Categories))
		for i, c := range s.Y.Categories {
			if r := []rune(c); len(r) > maxCategoryLabel {
				c = string(r[:maxCategoryLabel-1]) + "…"
			}
			ticks[i] = plot.Tick{Value: float64(i), Label: c}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	case ya.log:
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(hm)
	return render(w, f, p, lay)
}

// surfaceGrid is a checked axis of a surface.
type surfaceGrid struct {
	values      []float64
	log         bool
	categorical bool
}

// surfaceAxis checks a and returns its grid.
func surfaceAxis(a SurfaceAxis) (surfaceGrid, error) {
	if a.Categories != nil {
		k := len(a.Categories)
		if k == 0 {
			return surfaceGrid{}, fmt.Errorf("param %q: categorical with no categories", a.Name)
		}
		vals := make([]float64, k)
		for i := range vals {
			vals[i] = float64(i)
		}
		if a.Values != nil {
			if len(a.Values) != k {
				return surfaceGrid{}, fmt.Errorf("param %q: %d values for %d categories", a.Name, len(a.Values), k)
			}
			for i, v := range a.Values {
				if v != float64(i) {
					return surfaceGrid{}, fmt.Errorf("param %q: value %d is %g, want the category's index %d", a.Name, i, v, i)
				}
			}
		}
		return surfaceGrid{values: vals, categorical: true}, nil
	}
	n := len(a.Values)
	if n < 2 {
		return surfaceGrid{}, fmt.Errorf("param %q: %d grid values, want at least 2", a.Name, n)
	}
	t := func(v float64) float64 {
		if a.Log {
			return math.Log(v)
		}
		return v
	}
	for i, v := range a.Values {
		if !finite(v) {
			return surfaceGrid{}, fmt.Errorf("param %q: grid value %v is not a finite number", a.Name, v)
		}
		if a.Log && v <= 0 {
			return surfaceGrid{}, fmt.Errorf("param %q: grid value %v is not > 0, so it cannot be drawn on a log axis", a.Name, v)
		}
		if i > 0 && !(v > a.Values[i-1]) {
			return surfaceGrid{}, fmt.Errorf("param %q: grid values are not ascending (%v after %v)", a.Name, v, a.Values[i-1])
		}
	}
	span := t(a.Values[n-1]) - t(a.Values[0])
	step := span / float64(n-1)
	for i, v := range a.Values {
		if math.Abs(t(v)-(t(a.Values[0])+float64(i)*step)) > 1e-6*span {
			space := ""
			if a.Log {
				space = " in log space"
			}
			return surfaceGrid{}, fmt.Errorf("param %q: grid values are not evenly spaced%s (value %d is %v)", a.Name, space, i, v)
		}
	}
	return surfaceGrid{values: a.Values, log: a.Log}, nil
}

// check returns an error if v cannot be drawn on the axis.
func (g surfaceGrid) check(v float64) error {
	if g.categorical {
		if v != math.Trunc(v) || v < 0 || int(v) >= len(g.values) {
			return fmt.Errorf("trial value %v is not the index of one of its %d categories", v, len(g.values))
		}
		return nil
	}
	if g.log && v <= 0 {
		return fmt.Errorf("trial value %v is not > 0, so it cannot be drawn on a log axis", v)
	}
	return nil
}

// extent returns the range the cells cover: half a step beyond the first
// and the last grid value (in log space on a log axis).
func (g surfaceGrid) extent() (lo, hi float64) {
	n := len(g.values)
	if g.categorical {
		return -0.5, float64(n) - 0.5
	}
	first, last := g.values[0], g.values[n-1]
	if g.log {
		h := math.Pow(last/first, 0.5/float64(n-1))
		return first / h, last * h
	}
	h := (last - first) / float64(n-1) / 2
	return first - h, last + h
}

// heatmap draws a surface's cells as one image and the trials as dots.
type heatmap struct {
	x, y  surfaceGrid
	z     [][]float64
	scale colorScale
	dots  []SurfacePoint
}

// cellPixels is the least number of image pixels per cell side: a viewer
// smooths the image when it scales it up, and a cell this wide keeps its
// colour but for a thin edge.
const cellPixels = 64

// Plot implements plot.Plotter.
func (h *heatmap) Plot(c draw.Canvas, p *plot.Plot) {
	nx, ny := len(h.x.values), len(h.y.values)
	// A categorical axis's cells are repeated, so that smoothing blurs
	// only their edges; a numeric axis's cells are one pixel each, which
	// a viewer interpolates smoothly.
	rx, ry := 1, 1
	if h.x.categorical {
		rx = (cellPixels + nx - 1) / nx
	}
	if h.y.categorical {
		ry = (cellPixels + ny - 1) / ny
	}
	img := image.NewRGBA(image.Rect(0, 0, nx*rx, ny*ry))
	for iy := range ny {
		for ix := range nx {
			col := h.scale.color(h.z[iy][ix])
			for dy := range ry {
				// Image row 0 is the top: the last y value.
				row := (ny-1-iy)*ry + dy
				for dx := range rx {
					img.SetRGBA(ix*rx+dx, row, col)
				}
			}
		}
	}
	trX, trY := p.Transforms(&c)
	xlo, xhi := h.x.extent()
	ylo, yhi := h.y.extent()
	c.DrawImage(vg.Rectangle{Min: vg.Point{X: trX(xlo), Y: trY(ylo)}, Max: vg.Point{X: trX(xhi), Y: trY(yhi)}}, img)

	ring := draw.GlyphStyle{Color: surfaceRing, Shape: draw.RingGlyph{}, Radius: vg.Points(markerRadius + 0.5)}
	for _, d := range h.dots {
		pt := vg.Point{X: trX(d.X), Y: trY(d.Y)}
		if !c.Contains(pt) {
			continue
		}
		c.DrawGlyph(draw.GlyphStyle{Color: h.scale.color(d.Score), Shape: draw.CircleGlyph{}, Radius: vg.Points(markerRadius + 0.5)}, pt)
		c.DrawGlyph(ring, pt)
	}
}
