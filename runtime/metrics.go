package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
)

// WriteMetrics writes m to path as one JSON object (keys sorted) by way of
// a temporary file and a rename, so the executor never reads half a file.
// It is how trials written in Go report: WriteMetrics(os.Getenv("FW_METRICS"), m).
// JSON cannot hold NaN or ±Inf, so a non-finite value is an error.
func WriteMetrics(path string, m map[string]float64) error {
	if path == "" {
		return errors.New("runtime.WriteMetrics: the metrics path is empty; is FW_METRICS set? (the trial must be started by fwapply)")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := m[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("runtime.WriteMetrics: metric %q is %v, which JSON cannot hold; leave it out, or exit with a non-zero status to report a failed trial", k, v)
		}
	}
	if m == nil {
		m = map[string]float64{}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("runtime.WriteMetrics: %w", err)
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("runtime.WriteMetrics: %w", err)
	}
	return nil
}

// readMetrics reads the metrics file at path and checks that it holds
// metric as a finite number. It returns every finite numeric entry it
// could read (nil when the file holds no JSON object) and, when the check
// fails, a one-line reason.
func readMetrics(path, metric string) (map[string]float64, string) {
	b, err := readLimited(path, MaxMetricsSize)
	if err != nil {
		return nil, metricsReadReason(err)
	}
	return parseMetrics(b, metric)
}

// MaxMetricsSize bounds the metrics file: a larger one fails the trial
// without being read.
const MaxMetricsSize = 1 << 20

// metricsReadReason says why the metrics file could not be read.
func metricsReadReason(err error) string {
	var tooLarge *errTooLarge
	var link *errSymlink
	var notRegular *errNotRegular
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no metrics file (FW_METRICS)"
	case errors.As(err, &tooLarge):
		return "metrics file too large (" + tooLarge.Error() + ")"
	case errors.As(err, &link):
		return "metrics file is a symbolic link; write " + MetricsFile + " itself (fwapply does not follow links in trial directories)"
	case errors.As(err, &notRegular):
		return "cannot read metrics file: " + MetricsFile + " is " + notRegular.what()
	}
	return "cannot read metrics file: " + err.Error()
}

// parseMetrics is readMetrics on the contents b of the metrics file.
func parseMetrics(b []byte, metric string) (map[string]float64, string) {
	v, err := decodeTolerant(b)
	if err != nil {
		return nil, "invalid metrics JSON: " + err.Error()
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, "metrics file holds " + jsonKind(v) + ", not a JSON object of numbers"
	}
	metrics := finiteNumbers(obj)
	val, ok := obj[metric]
	if !ok {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		have := strings.Join(keys, ", ")
		if have == "" {
			have = "none"
		}
		return metrics, fmt.Sprintf("metric %q missing from metrics (have: %s)", metric, have)
	}
	if _, ok := metrics[metric]; ok {
		return metrics, ""
	}
	return metrics, fmt.Sprintf("metric %q %s", metric, notFinite(val))
}

// notFinite says why v, the metric's value, is not a finite number.
func notFinite(v any) string {
	switch v := v.(type) {
	case json.Number:
		return "is not a finite number: " + v.String()
	case string:
		if bare, ok := strings.CutPrefix(v, bareMark); ok {
			return "is " + map[string]string{"NaN": "NaN", "Infinity": "+Inf", "-Infinity": "-Inf"}[bare]
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return fmt.Sprintf("is not a finite number: %q", v)
		}
		return fmt.Sprintf("is a string, not a number: %q", clip(v, 40))
	}
	return "is " + jsonKind(v) + ", not a number"
}

// finiteNumbers returns the entries of obj that are finite numbers.
func finiteNumbers(obj map[string]any) map[string]float64 {
	m := make(map[string]float64, len(obj))
	for k, v := range obj {
		if n, ok := v.(json.Number); ok {
			if f, err := strconv.ParseFloat(n.String(), 64); err == nil && !math.IsInf(f, 0) {
				m[k] = f
			}
		}
	}
	return m
}

// bareMark starts the string that decodeTolerant puts in place of a bare
// NaN, Infinity or -Infinity token; no real value starts with a NUL.
const bareMark = "\x00bare:"

// decodeTolerant decodes one JSON value, numbers as json.Number. Text that
// is not JSON only because of bare NaN, Infinity or -Infinity tokens (what
// Python's json.dump writes for non-finite floats) decodes too, each such
// token becoming the string bareMark+token. Any other invalid text gives
// the syntax error of the original, with its byte offset.
func decodeTolerant(b []byte) (any, error) {
	if !json.Valid(b) {
		fixed, changed := replaceBareNonFinite(b)
		if !changed || !json.Valid(fixed) {
			var v any
			err := json.Unmarshal(b, &v)
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%s at byte %d", se.Error(), se.Offset)
			}
			if err == nil {
				err = errors.New("not valid JSON")
			}
			return nil, err
		}
		b = fixed
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// replaceBareNonFinite replaces the tokens NaN, Infinity and -Infinity
// outside JSON strings with marked strings.
func replaceBareNonFinite(b []byte) ([]byte, bool) {
	var out []byte
	changed := false
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out = append(out, c)
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		if tok := bareToken(b[i:]); tok != "" && (i == 0 || !isWordByte(b[i-1])) {
			out = append(out, `"\u0000bare:`+tok+`"`...)
			i += len(tok) - 1
			changed = true
			continue
		}
		out = append(out, c)
	}
	return out, changed
}

func bareToken(b []byte) string {
	for _, tok := range []string{"NaN", "Infinity", "-Infinity"} {
		if bytes.HasPrefix(b, []byte(tok)) && (len(b) == len(tok) || !isWordByte(b[len(tok)])) {
			return tok
		}
	}
	return ""
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// jsonKind names the kind of a decoded JSON value, with its article.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
