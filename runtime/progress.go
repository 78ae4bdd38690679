package runtime

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// MaxProgressLine bounds one line of the progress file, newline
// excluded; ReadProgress skips a longer line.
const MaxProgressLine = 64 << 10

// ReadProgress reads the progress file at path (FW_PROGRESS) while the
// trial may still be appending to it. A last line without its newline is
// a write in progress and is left out. Bare NaN and Infinity, as Python's
// json writes them, are read. A complete line that is not a JSON object
// with an integer "step", or that is longer than MaxProgressLine, is
// skipped; the lines that could be read are returned together with an
// error naming the first bad line. The file is read as a stream: the
// memory used beyond the returned lines does not grow with its size. It
// is opened without following a symbolic link, and must be a regular
// file. A missing file is an error satisfying errors.Is(err,
// fs.ErrNotExist).
func ReadProgress(path string) ([]ProgressLine, error) {
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	var lines []ProgressLine
	var firstErr error
	bad := func(n int, err error) {
		if firstErr == nil {
			firstErr = fmt.Errorf("%s line %d: %v (each line must be {\"step\": N, \"metrics\": {...}})", path, n, err)
		}
	}
	err = scanLines(f, MaxProgressLine, func(n int, raw []byte, tooLong bool) {
		if tooLong {
			bad(n, fmt.Errorf("longer than %s, skipped", formatBytes(MaxProgressLine)))
			return
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return
		}
		line, err := parseProgressLine(raw)
		if err != nil {
			bad(n, err)
			return
		}
		lines = append(lines, line)
	})
	if err != nil {
		return lines, fmt.Errorf("reading %s: %w", path, err)
	}
	return lines, firstErr
}

// scanLines calls line for each complete line of r (without its newline),
// numbered from 1; a line longer than limit is passed as nil with tooLong
// set, without being held in memory. A last line without its newline is
// left out. The slice passed is valid only during the call.
func scanLines(r io.Reader, limit int, line func(n int, raw []byte, tooLong bool)) error {
	br := bufio.NewReaderSize(r, 32<<10)
	var long []byte // a line that did not fit in br's buffer
	tooLong := false
	for n := 1; ; {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			chunk = chunk[:len(chunk)-1]
			switch {
			case tooLong || len(long)+len(chunk) > limit:
				line(n, nil, true)
			case len(long) > 0:
				line(n, append(long, chunk...), false)
			default:
				line(n, chunk, false)
			}
			long, tooLong = long[:0], false
			n++
		case errors.Is(err, bufio.ErrBufferFull):
			if !tooLong && len(long)+len(chunk) <= limit {
				long = append(long, chunk...)
			} else {
				long, tooLong = long[:0], true
			}
		case errors.Is(err, io.EOF):
			return nil // a torn last line, or none
		default:
			return err
		}
	}
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
