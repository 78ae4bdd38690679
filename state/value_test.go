package state

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNumberValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{"0", int64(0)},
		{"-7", int64(-7)},
		{"9223372036854775807", int64(math.MaxInt64)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"9223372036854775808", 9223372036854775808.0}, // does not fit: float64
		{"2.0", 2.0},
		{"-0.0", math.Copysign(0, -1)},
		{"1e3", 1000.0},
		{"1E3", 1000.0},
		{"1.5e-7", 1.5e-7},
		{"0.1", 0.1},
	} {
		got, err := numberValue(tc.in)
		if err != nil {
			t.Errorf("numberValue(%s): %v", tc.in, err)
			continue
		}
		if got != tc.want || math.Signbit(toFloat(got)) != math.Signbit(toFloat(tc.want)) {
			t.Errorf("numberValue(%s) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "x", "1e400", "--1"} {
		if got, err := numberValue(bad); err == nil {
			t.Errorf("numberValue(%q) = %v, want an error", bad, got)
		}
	}
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

type myString string

func TestNormalizeValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want any
	}{
		{"int", 3, int64(3)},
		{"int8", int8(-3), int64(-3)},
		{"uint32", uint32(3), int64(3)},
		{"float32", float32(0.5), 0.5},
		{"float64 whole", 2.0, 2.0},
		{"json int", json.Number("42"), int64(42)},
		{"json float", json.Number("42.0"), 42.0},
		{"json exp", json.Number("4e1"), 40.0},
		{"json huge", json.Number("123456789012345678901234567890"), 1.2345678901234568e29},
		{"named string", myString("x"), "x"},
		{"bad utf8", "a\xffb", "a\uFFFDb"},
		{"nil", nil, nil},
		{"typed slice", []int{1, 2}, []any{int64(1), int64(2)}},
		{"nil slice", []string(nil), nil},
		{"array", [2]float64{1, 2}, []any{1.0, 2.0}},
		{"typed map", map[string]int{"a": 1}, map[string]any{"a": int64(1)}},
		{"nested", map[string]any{"a": []any{json.Number("1"), map[string]any{"b": uint8(2)}}},
			map[string]any{"a": []any{int64(1), map[string]any{"b": int64(2)}}}},
	} {
		got, err := NormalizeValue(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.name, d)
		}
	}
	for _, tc := range []struct {
		name string
		in   any
		want string // in the error
	}{
		{"nan", math.NaN(), "NaN"},
		{"inf in list", []any{1.0, math.Inf(-1)}, "[1]"},
		{"nested inf", map[string]any{"a": map[string]any{"b": math.Inf(1)}}, "a.b"},
		{"uint64 overflow", uint64(math.MaxUint64), "does not fit"},
		{"struct", struct{}{}, "unsupported"},
		{"int keys", map[int]any{1: 2}, "unsupported"},
		{"pointer", new(int), "unsupported"},
		{"bad number", json.Number("abc"), "invalid number"},
	} {
		if _, err := NormalizeValue(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestJSONObjectRoundTrip checks that jsonObject writes and reads values
// back with their Go types, and agrees with encoding/json on the text.
func TestJSONObjectRoundTrip(t *testing.T) {
	in := map[string]any{
		"i": int64(-12), "f": 2.0, "z": 0.0, "neg0": math.Copysign(0, -1), "small": 1e-7, "big": 1e21,
		"mid": 123456.789, "max": int64(math.MaxInt64), "maxf": math.MaxFloat64,
		"s": "quote\" backslash\\ newline\n tab\t <>& \u2028 ü 😀", "b": false, "n": nil,
		"l": []any{}, "o": map[string]any{}, "deep": map[string]any{"x": []any{[]any{int64(1), 1.0}}},
		"key with \"quote\"": "v",
	}
	b, err := json.Marshal(jsonObject(in))
	if err != nil {
		t.Fatal(err)
	}
	var out jsonObject
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	if d := cmp.Diff(in, map[string]any(out)); d != "" {
		t.Errorf("round trip of %s (-want +got):\n%s", b, d)
	}
	if math.Signbit(out["neg0"].(float64)) != true {
		t.Errorf("-0.0 lost its sign")
	}
	// encoding/json reads the same text to the same values, modulo types.
	var std map[string]any
	if err := json.Unmarshal(b, &std); err != nil {
		t.Fatal(err)
	}
	if std["s"] != in["s"] || std["f"] != 2.0 {
		t.Errorf("encoding/json reads %v", std)
	}
	for _, s := range []string{`null`, ` { "a" : [ 1 , 2.5 , "x" ] } `} {
		var o jsonObject
		if err := o.UnmarshalJSON([]byte(s)); err != nil {
			t.Errorf("UnmarshalJSON(%s): %v", s, err)
		}
	}
}

func TestJSONObjectErrors(t *testing.T) {
	for _, s := range []string{``, `[]`, `1`, `"s"`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`,
		`{"a":[1,]}`, `{"a":tru}`, `{"a":"\x01"}`, `{"a":"unterminated}`, `{"a":1} x`, `{"a":1e999}`,
		strings.Repeat(`{"a":`, 2000) + "1" + strings.Repeat("}", 2000)} {
		var o jsonObject
		if err := o.UnmarshalJSON([]byte(s)); err == nil {
			t.Errorf("UnmarshalJSON(%.40s) succeeded, want an error", s)
		}
	}
}

// FuzzJSONObject checks the hand-written parser against encoding/json: it
// never panics, accepts what encoding/json accepts, and reads the same
// numbers.
func FuzzJSONObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[1.5,"x",null,true]}`, `{"a":{"b":-0.0e+1}}`, `{"\u00e9":"\ud83d\ude00"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var std map[string]any
		stdErr := json.Unmarshal(data, &std)
		var o jsonObject
		err := o.UnmarshalJSON(data)
		if stdErr != nil || std == nil {
			return // invalid JSON or not an object: our parser may reject it or not
		}
		if err != nil {
			if strings.Contains(err.Error(), "invalid number") {
				return // a number out of float64 range, which encoding/json reads into a float64 as an error too
			}
			t.Fatalf("encoding/json accepts %q, the parser says %v", data, err)
		}
		norm := func(v any) any { // compare as encoding/json's float64s
			b, _ := json.Marshal(v)
			var x any
			json.Unmarshal(b, &x)
			return x
		}
		if d := cmp.Diff(norm(std), norm(map[string]any(o))); d != "" {
			t.Fatalf("%q: (-encoding/json +parser):\n%s", data, d)
		}
	})
}
