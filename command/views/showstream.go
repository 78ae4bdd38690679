package views

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/frameworm/frameworm/definition"
	"github.com/frameworm/frameworm/jsonenc"
	"github.com/frameworm/frameworm/plan"
	"github.com/frameworm/frameworm/state"
)

// WriteShowJSON writes the show -json document of the named searches to
// stdout: byte for byte what View.JSON(NewShowJSON(def, st, names))
// writes, but a trial at a time, in writes of some 32 KB, so that neither
// the document nor its text is ever whole in memory (a state of 100k
// trials prints some 80 MB). It returns the first error writing stdout or
// encoding a value (a NaN, which no state holds).
//
// match gives each search's best trial and excluded trials; nil means
// classify the trials of each search (plan.Classify), which needs their
// configs. progress, when not nil, gives the running trials their
// progress, as ShowJSON.AddProgress does.
func (v *View) WriteShowJSON(def *definition.Definition, st *state.State, names []string, match ShowMatch, progress LastProgress) error {
	w := &showWriter{w: v.Stdout, match: match, progress: progress}
	w.raw("{\n  \"format_version\": ")
	w.str(FormatVersion)
	w.raw(",\n  \"lineage\": ")
	w.str(st.Lineage)
	w.raw(",\n  \"serial\": ")
	w.b = strconv.AppendUint(w.b, st.Serial, 10)
	w.raw(",\n  \"searches\": {")
	// The searches object is a map in NewShowJSON: its keys come sorted.
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	for i, name := range sorted {
		if i > 0 {
			w.raw(",")
		}
		w.raw("\n    ")
		w.str(name)
		w.raw(": ")
		w.search(def.Search(name), name, st)
		if w.err != nil {
			return fmt.Errorf("writing JSON output: %w", w.err)
		}
	}
	if len(sorted) > 0 {
		w.raw("\n  ")
	}
	w.raw("}\n}\n")
	return w.flush()
}

// ShowMatch returns the best trial of search s and the numbers of those
// of its trials that no longer match it, given its trials in number
// order, as plan.Classify would find them.
type ShowMatch func(s *definition.Search, trials []*state.Trial) (best *state.Trial, excluded map[int]bool)

// classifyMatch is the ShowMatch of trials with their configs.
func classifyMatch(s *definition.Search, trials []*state.Trial) (*state.Trial, map[int]bool) {
	h := plan.Classify(s, trials)
	excluded := make(map[int]bool, len(h.Excluded))
	for _, x := range h.Excluded {
		excluded[x.Trial.Number] = true
	}
	return h.Best(s), excluded
}

// showWriter appends JSON text to b and hands it to w in chunks.
type showWriter struct {
	w        io.Writer
	b        []byte
	err      error
	match    ShowMatch
	progress LastProgress
}

func (w *showWriter) raw(s string) { w.b = append(w.b, s...) }

func (w *showWriter) str(s string) { w.b = jsonenc.AppendString(w.b, s) }

// spill writes b out once it is large.
func (w *showWriter) spill() {
	if len(w.b) >= 32<<10 {
		w.write()
	}
}

func (w *showWriter) write() {
	if w.err == nil {
		_, w.err = w.w.Write(w.b)
	}
	w.b = w.b[:0]
}

func (w *showWriter) flush() error {
	w.write()
	if w.err != nil {
		return fmt.Errorf("writing JSON output: %w", w.err)
	}
	return nil
}

// search writes one ShowSearchJSON; s is nil for a search that is no
// longer defined.
func (w *showWriter) search(s *definition.Search, name string, st *state.State) {
	trials := st.Trials(name)
	var best *BestJSON
	var excluded map[int]bool
	js := ShowSearchJSON{Defined: s != nil}
	if s != nil && s.Deferred != nil {
		js.Metric, js.Mode = s.Metric, string(s.Mode)
		excluded = map[int]bool{} // known only after apply: none excluded yet
	} else if s != nil {
		match := w.match
		if match == nil {
			match = classifyMatch
		}
		var b *state.Trial
		b, excluded = match(s, trials)
		js.Metric, js.Mode = s.Metric, string(s.Mode)
		best = NewBestJSON(s, b)
	}
	w.raw("{\n      \"metric\": ")
	w.str(js.Metric)
	w.raw(",\n      \"mode\": ")
	w.str(js.Mode)
	w.raw(",\n      \"defined\": ")
	w.b = strconv.AppendBool(w.b, js.Defined)
	w.raw(",\n      \"best\": ")
	if best == nil {
		w.raw("null")
	} else {
		b, err := json.MarshalIndent(best, "      ", "  ")
		if err != nil {
			w.err = cmpErr(w.err, err)
			return
		}
		w.b = append(w.b, b...)
	}
	w.raw(",\n      \"trials\": [")
	n := 0
	for i, t := range trials {
		if i > 0 {
			w.raw(",")
		}
		w.raw("\n        ")
		ex := s == nil || excluded[t.Number]
		if ex {
			n++
		}
		if err := w.trial(t, ex); err != nil {
			w.err = cmpErr(w.err, err)
			return
		}
		w.spill()
		if w.err != nil {
			return
		}
	}
	if len(trials) > 0 {
		w.raw("\n      ")
	}
	w.raw("],\n      \"excluded\": ")
	w.b = strconv.AppendInt(w.b, int64(n), 10)
	if stage := NewStageJSON(s); stage != nil {
		b, err := json.MarshalIndent(stage, "      ", "  ")
		if err != nil {
			w.err = cmpErr(w.err, err)
			return
		}
		w.raw(",\n      \"stage\": ")
		w.b = append(w.b, b...)
	}
	w.raw("\n    }")
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// trial writes one ShowTrialJSON at the depth of the trials list.
func (w *showWriter) trial(t *state.Trial, excluded bool) error {
	const in = "\n          "
	w.raw("{" + in + "\"number\": ")
	w.b = strconv.AppendInt(w.b, int64(t.Number), 10)
	w.raw("," + in + "\"status\": ")
	w.str(string(t.Status))
	w.raw("," + in + "\"params\": ")
	var err error
	if w.b, err = jsonenc.AppendIndent(w.b, t.Params, 5); err != nil {
		return fmt.Errorf("trial %d params: %w", t.Number, err)
	}
	w.raw("," + in + "\"metrics\": {")
	var buf [8]string
	for i, k := range jsonenc.SortedKeys(buf[:0], t.Metrics) {
		if i > 0 {
			w.raw(",")
		}
		w.raw(in + "  ")
		w.str(k)
		w.raw(": ")
		if w.b, err = jsonenc.AppendNumber(w.b, t.Metrics[k]); err != nil {
			return fmt.Errorf("trial %d metric %q: %w", t.Number, k, err)
		}
	}
	if len(t.Metrics) > 0 {
		w.raw(in)
	}
	w.raw("}," + in + "\"error\": ")
	w.str(t.Error)
	w.raw("," + in + "\"attempts\": ")
	w.b = strconv.AppendInt(w.b, int64(t.Attempts), 10)
	w.raw("," + in + "\"tainted\": ")
	w.b = strconv.AppendBool(w.b, t.Tainted)
	w.raw("," + in + "\"excluded\": ")
	w.b = strconv.AppendBool(w.b, excluded)
	w.raw("," + in + "\"started\": ")
	if w.b, err = appendTime(w.b, t.Started); err != nil {
		return fmt.Errorf("trial %d started: %w", t.Number, err)
	}
	w.raw("," + in + "\"ended\": ")
	if w.b, err = appendTime(w.b, t.Ended); err != nil {
		return fmt.Errorf("trial %d ended: %w", t.Number, err)
	}
	w.raw("," + in + "\"duration_seconds\": ")
	duration := 0.0
	if !t.Ended.IsZero() {
		duration = t.Ended.Sub(t.Started).Seconds()
	}
	if w.b, err = jsonenc.AppendNumber(w.b, duration); err != nil {
		return err
	}
	w.raw("," + in + "\"host\": ")
	w.str(t.Host)
	if t.Job != "" {
		w.raw("," + in + "\"job\": ")
		w.str(t.Job)
	}
	if t.Queued != 0 {
		w.raw("," + in + "\"queued_seconds\": ")
		if w.b, err = jsonenc.AppendNumber(w.b, t.Queued.Seconds()); err != nil {
			return err
		}
	}
	w.raw("," + in + "\"dir\": ")
	w.str(t.Dir)
	if p := NewPrunedJSON(t); p != nil {
		w.raw("," + in + "\"pruned\": ")
		if w.b, err = jsonenc.AppendIndent(w.b, p, 5); err != nil {
			return fmt.Errorf("trial %d pruned: %w", t.Number, err)
		}
	}
	if w.progress != nil && t.Status == state.Running && t.Dir != "" {
		if p := NewProgressJSON(w.progress(t.Dir)); p != nil {
			w.raw("," + in + "\"progress\": ")
			if w.b, err = jsonenc.AppendIndent(w.b, p, 5); err != nil {
				return fmt.Errorf("trial %d progress: %w", t.Number, err)
			}
		}
	}
	w.raw("\n        }")
	return nil
}

// appendTime appends a time as encoding/json writes a *time.Time: null for
// the zero time (NewShowJSON leaves the pointer nil), else RFC 3339.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if t.IsZero() {
		return append(b, "null"...), nil
	}
	j, err := t.MarshalJSON()
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}
