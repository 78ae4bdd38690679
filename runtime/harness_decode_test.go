//go:build unix

package runtime

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type dInner struct {
	Units int     `json:"units"`
	Rate  float32 `json:"rate"`
}

type DEmbedded struct {
	Seed uint8 `json:"seed"`
}

type dConfig struct {
	DEmbedded
	Small    int8              `json:"small"`
	Count    uint              `json:"count"`
	Layers   []dInner          `json:"layers"`
	Pair     [2]int            `json:"pair"`
	Extra    map[string]int    `json:"extra"`
	ByID     map[int]string    `json:"by_id"`
	Any      any               `json:"any"`
	Ptr      *dInner           `json:"ptr"`
	Quoted   int               `json:"quoted,string"`
	Skipped  int               `json:"-"`
	When     time.Time         `json:"when"`
	Flag     bool              `json:"flag"`
	Raw      []byte            `json:"raw"`
	Untagged float64           // matched as "Untagged", case-insensitively
	Named    map[string]dInner `json:"named"`
}

func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		errs  []string // each problem, in order; nil: success
		check func(t *testing.T, c dConfig)
	}{
		{name: "everything", json: `{"seed": 7, "small": -3, "count": 4.0, "layers": [{"units": 2, "rate": 0.5}],
			"pair": [1, 2e0], "extra": {"a": 1}, "by_id": {"3": "x"}, "any": [1, "two"], "ptr": {"units": 5},
			"quoted": "12", "when": "2024-01-02T03:04:05Z", "flag": true, "raw": "aGk=", "untagged": 1.5,
			"named": {"k": {"units": 3}}}`,
			check: func(t *testing.T, c dConfig) {
				if c.Seed != 7 || c.Small != -3 || c.Count != 4 || c.Layers[0].Units != 2 || c.Pair != [2]int{1, 2} ||
					c.Extra["a"] != 1 || c.ByID[3] != "x" || c.Ptr.Units != 5 || c.Quoted != 12 || c.When.Year() != 2024 ||
					!c.Flag || string(c.Raw) != "hi" || c.Untagged != 1.5 || c.Named["k"].Units != 3 {
					t.Errorf("decoded %+v", c)
				}
			}},
		{name: "nulls for pointers, maps, slices, any", json: `{"layers": null, "extra": null, "ptr": null, "any": null}`},
		{name: "int8 out of range", json: `{"small": 300}`, errs: []string{"x.json: small: want int8, got 300 (out of range)"}},
		{name: "negative for uint", json: `{"count": -1}`, errs: []string{"x.json: count: want uint, got -1 (out of range)"}},
		{name: "embedded field", json: `{"seed": 1.5}`, errs: []string{"x.json: seed: want uint8, got 1.5 (not a whole number)"}},
		{name: "slice element", json: `{"layers": [{"units": 1}, {"units": "2", "rat": 1}]}`, errs: []string{
			`x.json: layers[1].rat: unknown field; did you mean "rate"?`,
			"x.json: layers[1].units: want int, got string",
		}},
		{name: "array too long", json: `{"pair": [1, 2, 3]}`, errs: []string{"x.json: pair: want at most 2 elements ([2]int), got 3"}},
		{name: "map value", json: `{"extra": {"a": 0.5}}`, errs: []string{"x.json: extra.a: want int, got 0.5 (not a whole number)"}},
		{name: "map key", json: `{"by_id": {"x": "y"}}`, errs: []string{`x.json: by_id.x: want a key of type int, got "x"`}},
		{name: "map of structs", json: `{"named": {"k": {"unit": 1}}}`, errs: []string{`x.json: named.k.unit: unknown field; did you mean "units"?`}},
		{name: "pointer target", json: `{"ptr": {"units": true}}`, errs: []string{"x.json: ptr.units: want int, got boolean"}},
		{name: "float32 overflow", json: `{"layers": [{"rate": 1e300}]}`, errs: []string{"x.json: layers[0].rate: want float32, got 1e300 (out of range)"}},
		{name: "quoted needs a string", json: `{"quoted": 12}`, errs: []string{"x.json: quoted: want int in a JSON string (the field has the ,string option), got number"}},
		{name: "quoted bad content", json: `{"quoted": "twelve"}`, errs: []string{`x.json: quoted: want int in a JSON string (the field has the ,string option), got "twelve"`}},
		{name: "quoted whole float", json: `{"quoted": "12.0"}`, check: func(t *testing.T, c dConfig) {
			if c.Quoted != 12 {
				t.Errorf("Quoted = %d", c.Quoted)
			}
		}},
		{name: "quoted wrong inner type", json: `{"quoted": "\"12\""}`, errs: []string{"x.json: quoted: want int, got string"}},
		{name: "time by its own decoder", json: `{"when": "yesterday"}`, errs: []string{`x.json: parsing time "yesterday"`}},
		{name: "skipped field is unknown", json: `{"Skipped": 1}`, errs: []string{"x.json: Skipped: unknown field"}},
		{name: "bool", json: `{"flag": "true"}`, errs: []string{"x.json: flag: want bool, got string"}},
		{name: "bytes", json: `{"raw": [1]}`, errs: []string{"x.json: raw: want a base64 string ([]byte), got array"}},
		{name: "array for object", json: `{"ptr": [1]}`, errs: []string{"x.json: ptr: want an object (runtime.dInner), got array"}},
		{name: "key with a newline", json: `{"a\nb": 1, "extra": {"k\u0000": 0.5}}`, errs: []string{
			`x.json: "a\nb": unknown field`,
			`x.json: extra."k\x00": want int, got 0.5 (not a whole number)`,
		}},
		{name: "multi-line syntax error", json: "{\n  \"small\": 1,\n  \"count\": 2 3\n}", errs: []string{"x.json: invalid JSON: invalid character '3' after object key:value pair at line 3, column 14"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c dConfig
			err := decodeConfig("x.json", []byte(tt.json), &c)
			if tt.errs == nil {
				if err != nil {
					t.Fatalf("decodeConfig: %v", err)
				}
				if tt.check != nil {
					tt.check(t, c)
				}
				return
			}
			if err == nil {
				t.Fatalf("decodeConfig = nil, want %q", tt.errs)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.errs) {
				t.Fatalf("decodeConfig errors:\n%v\nwant\n%s", err, strings.Join(tt.errs, "\n"))
			}
			for i := range lines {
				if !strings.HasPrefix(lines[i], tt.errs[i]) {
					t.Errorf("error %d = %q, want %q", i+1, lines[i], tt.errs[i])
				}
			}
		})
	}
}

func TestDecodeConfigKeepsDefaults(t *testing.T) {
	c := dConfig{Small: 5, Extra: map[string]int{"keep": 1}}
	if err := decodeConfig("x.json", []byte(`{"count": 2, "extra": {"new": 2}}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Small != 5 || c.Count != 2 || !reflect.DeepEqual(c.Extra, map[string]int{"keep": 1, "new": 2}) {
		t.Errorf("decoded %+v", c)
	}
}

func TestJSONDecodeError(t *testing.T) {
	// decodeConfig's own checks come first; these are the words for what
	// encoding/json reports should one slip through.
	var v struct {
		Training struct {
			LR float64 `json:"lr"`
		} `json:"training"`
	}
	err := jsonUnmarshalStrict(`{"training": {"lr": "x"}}`, &v)
	if got := jsonDecodeError(err); got != "training.lr: want float64, got string" {
		t.Errorf("type error: %q", got)
	}
	err = jsonUnmarshalStrict(`{"training": {"lx": 1}}`, &v)
	if got := jsonDecodeError(err); got != "lx: unknown field" {
		t.Errorf("unknown field: %q", got)
	}
}

func TestJSONFieldsFollowEncodingJSON(t *testing.T) {
	type A struct {
		X int `json:"x"`
		Y int
		W int
	}
	type B struct {
		X int
		Y int `json:"Y"`
		W int
	}
	type T struct {
		A
		*B
		Z int `json:"z,omitempty"`
		X int `json:"x"` // shallower than A.X: wins
		u int
	}
	var names []string
	for _, f := range jsonFields(reflect.TypeFor[T]()) {
		names = append(names, f.name)
	}
	// Y: A.Y is untagged, B.Y tagged, at the same depth: B.Y wins.
	// W: two untagged at the same depth: neither.
	if got := strings.Join(names, ","); got != "X,Y,z,x" {
		t.Errorf("jsonFields = %s, want X,Y,z,x", got)
	}
	b, _ := json.Marshal(T{B: &B{}, Z: 1})
	var keys map[string]any
	json.Unmarshal(b, &keys)
	if got := strings.Join(sortedKeys(keys), ","); got != "X,Y,x,z" {
		t.Errorf("encoding/json encodes %s", b)
	}
}

func jsonUnmarshalStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
