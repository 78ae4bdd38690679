package plots

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ParamPoint is one completed trial's value of a parameter and its score.
type ParamPoint struct {
	// Value is the parameter's value: float64 or int64 (other Go integer
	// and float types are accepted too) for a numeric parameter, string
	// or bool for a categorical one.
	Value   any
	Score   float64
	Initial bool // part of the initial design of a Bayesian search
}

// jitterSeed seeds the categorical jitter, so figures are reproducible.
const jitterSeed = 0x6672616d65776f72 // "framewor"

// jitterWidth is how far (in category slots) a categorical point may be
// moved left or right of its category.
const jitterWidth = 0.2

// ParamVsScore draws one parameter against the score, titled "<search>:
// <param> vs <metric>", with x label param and y label metric.
//
// A numeric parameter (categories == nil) is drawn as a scatter plot, its
// x axis logarithmic when log is true (its label then says so); a value <= 0 on a log axis is an
// error naming param, and so is a string or bool value.
//
// A categorical parameter (categories != nil, for string and bool values)
// has one x position per category, in the order given, with the category
// names as tick labels (cut to 24 characters, and turned by 30 degrees
// when they do not fit side by side). Points are jittered uniformly up to
// ±0.2 of a slot around their category's position, from a fixed seed, in
// the order of pts. A bool value matches the category "true" or "false"
// and a number its %g form; a value that is not one of the categories is
// an error, as is an empty (non-nil) categories. log is ignored.
//
// The y axis follows scale, as in Convergence; a log x axis is labelled
// "<param> (log scale)". Initial-design points
// are marked as there, and the legend (shown when there are any) goes to
// the corner where it covers the fewest points. Points with a NaN or ±Inf
// score or value are skipped; with none left ParamVsScore returns an
// error.
//
// With more than MaxScatterPoints points, MaxScatterPoints of them are
// drawn: those with the lowest and the highest score, and a uniform
// sample of the others (see thin), their jitter as without thinning; the
// legend says how many of how many are shown. The axes still use every
// point.
func ParamVsScore(w io.Writer, f Format, search, param, metric string, log bool, categories []string, pts []ParamPoint, scale Scale) error {
	if err := checkFormat(f); err != nil {
		return err
	}
	categorical := categories != nil
	if categorical && len(categories) == 0 {
		return fmt.Errorf("plots: param %q: categorical with no categories", param)
	}
	index := make(map[string]int, len(categories))
	for i, c := range categories {
		if _, dup := index[c]; !dup {
			index[c] = i
		}
	}
	jitter := rand.New(rand.NewPCG(jitterSeed, jitterSeed))

	var ms []marker
	var xs, ys []float64
	for _, pt := range pts {
		var x float64
		if categorical {
			name, err := categoryName(pt.Value)
			if err != nil {
				return fmt.Errorf("plots: param %q: %w", param, err)
			}
			i, ok := index[name]
			if !ok {
				return fmt.Errorf("plots: param %q: value %q is not one of its categories %q", param, name, categories)
			}
			// Draw the jitter even for skipped points, so that a point's
			// position does not depend on the scores of the others.
			x = float64(i) + (jitter.Float64()*2-1)*jitterWidth
		} else {
			v, err := numericValue(pt.Value)
			if err != nil {
				return fmt.Errorf("plots: param %q: %w", param, err)
			}
			x = v
		}
		if !finite(pt.Score) || !finite(x) {
			continue
		}
		if log && !categorical && x <= 0 {
			return fmt.Errorf("plots: param %q: value %v is not > 0, so it cannot be drawn on a log axis", param, x)
		}
		ms = append(ms, marker{xy: plotter.XY{X: x, Y: pt.Score}, initial: pt.Initial})
		xs, ys = append(xs, x), append(ys, pt.Score)
	}
	if len(xs) == 0 {
		return fmt.Errorf("plots: %s vs %s of %s: %w", param, metric, search, errNoPoints)
	}

	shown := thin(len(ms), extremes(ms))
	trials, initial, _ := split(ms, shown)

	p := newPlot(fmt.Sprintf("%s: %s vs %s", search, param, metric), param, metric)
	if err := addScatters(p, trials, initial, nil); err != nil {
		return err
	}
	if shown != nil {
		p.Legend.Add(thinnedNote(len(trials)+len(initial), len(ms)))
	}
	lay := layout{avoid: asPoints(trials, initial)}
	if categorical {
		lay.left = categoryAxis(p, categories)
	} else {
		axisRange(&p.X, slices.Min(xs), slices.Max(xs), log)
		p.X.Label.Text = LogLabel(param, log)
	}
	if _, err := scoreAxis(&p.Y, fmt.Sprintf("%s vs %s of %s", param, metric, search), metric, ys, scale); err != nil {
		return err
	}
	if len(initial) == 0 && len(trials) > 0 && shown == nil {
		p.Legend = plot.NewLegend() // a single kind of point needs no legend
	}
	return render(w, f, p, lay)
}

// maxCategoryLabel is the longest category tick label, in runes; longer
// names are cut and end in "…".
const maxCategoryLabel = 24

// categoryAxis makes p's x axis show one slot per category, labelled with
// its name; when a label is too wide for its slot, all are turned by 30
// degrees. It returns the room to add left of the figure, so that the
// first turned label is not cut off.
func categoryAxis(p *plot.Plot, categories []string) (left vg.Length) {
	return labelledAxis(p, categories, -0.5, float64(len(categories))-0.5, maxCategoryLabel, 13*vg.Centimeter, vg.Centimeter)
}

// labelledAxis makes p's x axis range from lo to hi with labels[i] at
// x = i, each cut to maxRunes runes; when a label is too wide for the
// room between ticks, all are turned by 30 degrees. It returns the room
// to add left of the figure, so that the first turned label is not cut
// off. area is about the width of the data area (13 cm in a figure
// without a colour bar), yRoom the least room the y axis takes left of it.
func labelledAxis(p *plot.Plot, labels []string, lo, hi float64, maxRunes int, area, yRoom vg.Length) (left vg.Length) {
	const angle = math.Pi / 6
	ticks := make([]plot.Tick, len(labels))
	slot := area / vg.Length(hi-lo)
	rotate := false
	for i, c := range labels {
		if r := []rune(c); len(r) > maxRunes {
			c = string(r[:maxRunes-1]) + "…"
		}
		ticks[i] = plot.Tick{Value: float64(i), Label: c}
		if p.X.Tick.Label.Width(c) > slot*0.9 {
			rotate = true
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = lo, hi
	if !rotate {
		return 0
	}
	p.X.Tick.Label.Rotation = angle
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	// The first label reaches width·cos(angle) left of its tick, which is
	// -lo slots right of the y axis; the y axis and its labels take at
	// least yRoom.
	reach := p.X.Tick.Label.Width(ticks[0].Label)*vg.Length(math.Cos(angle)) - slot*vg.Length(-lo) - yRoom
	return max(0, reach)
}

// categoryName returns the category name of a categorical value.
func categoryName(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", fmt.Errorf("missing value")
	}
	if x, err := numericValue(v); err == nil {
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("value %v has unsupported type %T", v, v)
}

// numericValue returns a numeric value as a float64.
func numericValue(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case float32:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case int:
		return float64(v), nil
	case int32:
		return float64(v), nil
	case int16:
		return float64(v), nil
	case int8:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case uint:
		return float64(v), nil
	case uint32:
		return float64(v), nil
	case uint16:
		return float64(v), nil
	case uint8:
		return float64(v), nil
	case string, bool:
		return 0, fmt.Errorf("value %v (%T) is categorical, but no categories were given", v, v)
	case nil:
		return 0, fmt.Errorf("missing value")
	}
	return 0, fmt.Errorf("value %v has unsupported type %T", v, v)
}
