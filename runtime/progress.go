package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
)

// ProgressLine is one line of a trial's progress file:
// {"step": N, "metrics": {...}}.
type ProgressLine struct {
	Step int64
	// Metrics holds the numeric entries of the line's metrics. Unlike
	// Result.Metrics it keeps NaN and ±Inf (a diverging loss is worth
	// showing), so encode it as JSON only after filtering.
	Metrics map[string]float64
}

// ReadProgress reads the progress file at path (FW_PROGRESS) while the
// trial may still be appending to it. A last line without its newline is
// a write in progress and is left out. Bare NaN and Infinity, as Python's
// json writes them, are read. A complete line that is not a JSON object
// with an integer "step" is skipped; the lines that could be read are
// returned together with an error naming the first bad line. A missing
// file is an error satisfying errors.Is(err, fs.ErrNotExist).
func ReadProgress(path string) ([]ProgressLine, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil // a torn first line
	}
	var lines []ProgressLine
	var firstErr error
	for n := 1; len(b) > 0; n++ {
		i := bytes.IndexByte(b, '\n')
		raw := bytes.TrimSpace(b[:i])
		b = b[i+1:]
		if len(raw) == 0 {
			continue
		}
		line, err := parseProgressLine(raw)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s line %d: %v (each line must be {\"step\": N, \"metrics\": {...}})", path, n, err)
			}
			continue
		}
		lines = append(lines, line)
	}
	return lines, firstErr
}

func parseProgressLine(raw []byte) (ProgressLine, error) {
	v, err := decodeTolerant(raw)
	if err != nil {
		return ProgressLine{}, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return ProgressLine{}, fmt.Errorf("%s, not an object", jsonKind(v))
	}
	n, ok := obj["step"].(json.Number)
	if !ok {
		return ProgressLine{}, fmt.Errorf(`no numeric "step"`)
	}
	step, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(n.String(), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return ProgressLine{}, fmt.Errorf(`"step" is %s, not an integer`, n)
		}
		step = int64(f)
	}
	line := ProgressLine{Step: step, Metrics: map[string]float64{}}
	m, _ := obj["metrics"].(map[string]any)
	for k, v := range m {
		switch v := v.(type) {
		case json.Number:
			if f, err := strconv.ParseFloat(v.String(), 64); err == nil || math.IsInf(f, 0) {
				line.Metrics[k] = f
			}
		case string:
			switch v {
			case bareMark + "NaN":
				line.Metrics[k] = math.NaN()
			case bareMark + "Infinity":
				line.Metrics[k] = math.Inf(1)
			case bareMark + "-Infinity":
				line.Metrics[k] = math.Inf(-1)
			}
		}
	}
	return line, nil
}
