package command

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/frameworm/frameworm/atomicfile"
	"github.com/frameworm/frameworm/command/views"
	"github.com/frameworm/frameworm/command/views/report"
	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/space"
)

// reportRow is one trial of a search's parameter table in the report.
type reportRow struct {
	number int
	status string
	score  *float64 // nil: the trial has no value of the metric
	params map[string]any
}

// writeReport writes the -html report of the searches analyzed to path,
// atomically: the summary and plots of each search, its space and the
// table of its trials, and the comparison.
func writeReport(path string, def *definition.Definition, order []string, doc *views.AnalyzeJSON, data []plotData, sink *plotSink) error {
	r := &report.Report{}
	for i, name := range order {
		s := def.Search(name)
		rs := report.Search{Name: name, Analysis: doc.Searches[name], Figures: reportFigures(sink.figs[name])}
		for _, p := range s.Params {
			kind, rng := paramRange(p.Dim)
			rs.Params = append(rs.Params, report.Param{Name: p.Path, Kind: kind, Range: rng})
		}
		for _, row := range data[i].rows {
			rs.Trials = append(rs.Trials, report.Row{Number: row.number, Status: row.status, Score: row.score, Params: row.params})
		}
		r.Searches = append(r.Searches, rs)
	}
	if c := doc.Comparison; c != nil {
		r.Comparison = &report.Comparison{Metric: c.Metric, Mode: c.Mode, Rows: c.Rows, Figures: reportFigures(sink.figs[""])}
	}
	var b bytes.Buffer
	if err := report.Write(&b, r); err != nil {
		return err
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func reportFigures(figs []figure) []report.Figure {
	out := make([]report.Figure, len(figs))
	for i, f := range figs {
		out[i] = report.Figure{Name: f.name, Title: f.title, SVG: f.svg}
	}
	return out
}

// paramRange describes a dimension for the report: its kind, like "real
// (log)", and its range, like "[0.0001, 0.1]" or `{"adam", "sgd"}`.
func paramRange(d space.Dimension) (kind, rng string) {
	switch d := d.(type) {
	case *space.Real:
		kind, rng = "real", fmt.Sprintf("[%s, %s]", views.FormatValue(d.Low), views.FormatValue(d.High))
		if d.Step > 0 {
			rng += " step " + views.FormatValue(d.Step)
		}
		if d.Log {
			kind += " (log)"
		}
	case *space.Integer:
		kind, rng = "integer", fmt.Sprintf("[%d, %d]", d.Low, d.High)
		if d.Step > 1 {
			rng += fmt.Sprintf(" step %d", d.Step)
		}
		if d.Log {
			kind += " (log)"
		}
	case *space.Categorical:
		vals := make([]string, len(d.Values))
		for i, v := range d.Values {
			vals[i] = views.FormatValue(v)
		}
		kind, rng = "categorical", "{"+strings.Join(vals, ", ")+"}"
	default:
		kind, rng = fmt.Sprintf("%T", d), ""
	}
	return kind, rng
}
