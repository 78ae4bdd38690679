package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"sync"
)

// Reporter appends progress lines, {"step": N, "metrics": {...}}, to the
// trial's progress file (FW_PROGRESS), where live views read them with
// ReadProgress. Harness.Main hands one to the training function.
//
// Contract:
//   - Each Report writes one whole line (keys sorted) with a single write
//     to a file opened for appending, so a reader never sees a torn line
//     other than the one being written, and lines of concurrent Reports
//     never interleave. Report is safe for concurrent use.
//   - NaN and ±Inf are kept, written as the bare tokens NaN, Infinity and
//     -Infinity (as Python's json writes them, and as ReadProgress reads
//     them): a diverging loss is worth seeing.
//   - Outside fwapply (no FW_PROGRESS) the line goes to standard error
//     instead, so a trial run by hand shows its progress.
//   - A nil *Reporter discards every line, so training code can be called
//     with nil from tests. The zero Reporter writes to os.Stderr.
type Reporter struct {
	mu   sync.Mutex
	path string    // FW_PROGRESS; "" means write to w
	w    io.Writer // nil means os.Stderr
	f    *os.File  // path opened for appending, lazily
}

// NewReporter returns a Reporter that appends to the progress file at path,
// or writes to w (os.Stderr when nil) when path is empty. Harness.Main
// makes its own; this is for trial programs that do not use Harness.
func NewReporter(path string, w io.Writer) *Reporter {
	return &Reporter{path: path, w: w}
}

// Report appends one progress line for step. metrics is a struct whose
// numeric fields (with their json tag names; "-" and unexported fields are
// left out, omitempty is honoured) become the line's metrics, or a map
// with string keys and numeric values; other fields are left out. A value
// of any other type is an error, and so is a failed write.
func (r *Reporter) Report(step int64, metrics any) error {
	if r == nil {
		return nil
	}
	m, err := numericFields(metrics)
	if err != nil {
		return fmt.Errorf("runtime.Reporter.Report: %w", err)
	}
	line := progressLine(step, m)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path == "" {
		w := r.w
		if w == nil {
			w = os.Stderr
		}
		_, err := w.Write(line)
		return err
	}
	if r.f == nil {
		f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("runtime.Reporter.Report: %w", err)
		}
		r.f = f
	}
	if _, err := r.f.Write(line); err != nil {
		return fmt.Errorf("runtime.Reporter.Report: %w", err)
	}
	return nil
}

// close closes the progress file, if open. Reporting after close opens it
// again.
func (r *Reporter) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// progressLine encodes one progress line, newline included.
func progressLine(step int64, m map[string]float64) []byte {
	var b bytes.Buffer
	b.WriteString(`{"step": `)
	b.WriteString(strconv.FormatInt(step, 10))
	b.WriteString(`, "metrics": {`)
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		key, _ := json.Marshal(k) // a string always marshals
		b.Write(key)
		b.WriteString(": ")
		b.WriteString(formatNumber(m[k]))
	}
	b.WriteString("}}\n")
	return b.Bytes()
}

// formatNumber writes v as JSON writes a float64, or as a bare NaN,
// Infinity or -Infinity token.
func formatNumber(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	b, _ := json.Marshal(v) // finite: never fails
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
)

// numericFields returns the numeric entries of v, a struct (or a pointer
// to one) or a map with string keys, as JSON would encode them: struct
// fields under their json names. Non-numeric entries are left out;
// non-finite numbers are kept. A type with its own MarshalJSON is encoded
// with it and decoded back.
func numericFields(v any) (map[string]float64, error) {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil, fmt.Errorf("metrics are a nil %s", rv.Type())
		}
		if rv.Type().Implements(jsonMarshalerType) {
			break
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, errors.New("metrics are nil; want a struct or a map[string]float64")
	}
	if rv.Type().Implements(jsonMarshalerType) || reflect.PointerTo(rv.Type()).Implements(jsonMarshalerType) && rv.CanAddr() {
		return numericFieldsByJSON(rv.Interface())
	}
	m := map[string]float64{}
	switch rv.Kind() {
	case reflect.Struct:
		for _, f := range jsonFields(rv.Type()) {
			fv, ok := fieldByIndex(rv, f.index)
			if !ok {
				continue
			}
			if x, ok := number(fv); ok && !(f.omitEmpty && fv.IsZero()) {
				m[f.name] = x
			}
		}
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("metrics are a %s; want string keys", rv.Type())
		}
		for it := rv.MapRange(); it.Next(); {
			if x, ok := number(it.Value()); ok {
				m[it.Key().String()] = x
			}
		}
	default:
		return nil, fmt.Errorf("metrics are a %s; want a struct or a map[string]float64", rv.Type())
	}
	return m, nil
}

// numericFieldsByJSON encodes v with encoding/json and keeps the numbers of
// the object it encodes to.
func numericFieldsByJSON(v any) (map[string]float64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the metrics: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("encoding the metrics: %w", err)
	}
	o, ok := obj.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("metrics encode to %s, not a JSON object", jsonKind(obj))
	}
	return finiteNumbers(o), nil
}

// number returns v as a float64 when it holds a number (through
// interfaces and pointers).
func number(v reflect.Value) (float64, bool) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0, false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(v.Uint()), true
	}
	return 0, false
}

// fieldByIndex is v.FieldByIndex that reports false instead of panicking
// at a nil embedded pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
