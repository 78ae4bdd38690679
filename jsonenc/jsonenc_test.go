package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

func TestSameAsEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, "", "plain", "<tag> & \"q\" \\ \n é \u2028",
		int64(0), int64(-42), int64(math.MaxInt64),
		0.0, -0.0, 1.0, 0.1, 1e-7, 1e21, 123456789.125, -2.5e-300,
		[]any{}, []any(nil), []any{int64(1), "a", []any{nil}},
		map[string]any{}, map[string]any(nil),
		map[string]any{"b": 1.5, "a": map[string]any{"z": []any{false}, "y": "<"}},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Append(nil, v, false)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Append(%#v) = %s, %v; want %s", v, got, err, want)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		want = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		got, err = AppendIndent(nil, v, 0)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("AppendIndent(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
}

func TestFloatDotAndErrors(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", -3: "-3.0", 0.5: "0.5", 1e21: "1e+21", 1e-7: "1e-7"} {
		if got, err := AppendFloatDot(nil, f); err != nil || string(got) != want {
			t.Errorf("AppendFloatDot(%v) = %s, %v; want %s", f, got, err, want)
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}, int(3), map[string]int{}} {
		if _, err := Append(nil, v, true); err == nil {
			t.Errorf("Append(%#v) gave no error", v)
		}
	}
}
