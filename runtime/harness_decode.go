package runtime

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decodeConfig decodes data, the contents of the config file name, onto
// *dst strictly: every key must name a field, every value must have the
// field's type, and a number for an integer field must be whole and in
// range. Fields the file leaves out keep the values *dst holds. Each
// problem is one error, "name: dotted.path: what is wrong", and all of
// them are returned joined, sorted by path.
func decodeConfig(name string, data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: empty file; want a JSON object", name)
		}
		return fmt.Errorf("%s: invalid JSON: %s", name, syntaxError(data, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n", data[off]) >= 0 {
			off++
		}
		return fmt.Errorf("%s: invalid JSON: more data after the top-level value at %s", name, position(data, off))
	}

	c := &configChecker{}
	tree = c.check("", reflect.TypeOf(dst).Elem(), tree)
	if len(c.problems) > 0 {
		sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].path < c.problems[j].path })
		errs := make([]error, len(c.problems))
		for i, p := range c.problems {
			where := p.path
			if where == "" {
				where = "top level"
			}
			errs[i] = fmt.Errorf("%s: %s: %s", name, where, p.msg)
		}
		return errors.Join(errs...)
	}

	// The checked tree, with whole numbers for integer fields made
	// integers, goes through encoding/json for the real decoding.
	norm, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	dec = json.NewDecoder(bytes.NewReader(norm))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%s: %s", name, jsonDecodeError(err))
	}
	return nil
}

// jsonDecodeError words an error of encoding/json's Decode with the dotted
// path of the field, where json says it.
func jsonDecodeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := te.Field
		if path == "" {
			path = "top level"
		}
		return fmt.Sprintf("%s: want %s, got %s", path, typeName(te.Type), te.Value)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if s, err := strconv.Unquote(f); err == nil {
			return s + ": unknown field"
		}
	}
	return strings.TrimPrefix(msg, "json: ")
}

// syntaxError words a JSON syntax error with its line and column.
func syntaxError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error() + " at " + position(data, max(se.Offset-1, 0)) // Offset is just past the bad byte
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of the file"
	}
	return err.Error()
}

// position is "line L, column C" of byte offset off in data.
func position(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

type configProblem struct{ path, msg string }

// configChecker walks a decoded JSON tree (numbers as json.Number) beside
// the Go type it will be decoded into, and records every mismatch.
type configChecker struct {
	problems []configProblem
}

func (c *configChecker) add(path, format string, args ...any) {
	c.problems = append(c.problems, configProblem{path, fmt.Sprintf(format, args...)})
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// check checks v against t at path and returns v, with whole numbers for
// integer fields rewritten as integers.
func (c *configChecker) check(path string, t reflect.Type, v any) any {
	if t.Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return v // the type decodes itself; encoding/json reports its errors
	}
	if v == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		default:
			c.add(path, "want %s, got null", typeName(t))
		}
		return v
	}
	if s, ok := v.(string); ok && t.Kind() != reflect.String &&
		(t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		return s // encoding/json decodes it with UnmarshalText
	}
	switch t.Kind() {
	case reflect.Pointer:
		return c.check(path, t.Elem(), v)
	case reflect.Interface:
		return v
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			c.add(path, "want %s, got %s", objectName(t), jsonType(v))
			return v
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(obj) {
			f := matchField(fields, k)
			p := joinPath(path, k)
			if f == nil {
				c.add(p, "unknown field%s", suggest(k, fields))
				continue
			}
			if f.quoted {
				obj[k] = c.checkQuoted(p, f.typ, obj[k])
				continue
			}
			obj[k] = c.check(p, f.typ, obj[k])
		}
		return obj
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			c.add(path, "want %s, got %s", objectName(t), jsonType(v))
			return v
		}
		kt := t.Key()
		for _, k := range sortedKeys(obj) {
			p := joinPath(path, k)
			if kt.Kind() != reflect.String && !reflect.PointerTo(kt).Implements(textUnmarshalerType) {
				if _, err := parseIntKind(kt, k); err != nil {
					c.add(p, "want a key of type %s, got %q", typeName(kt), k)
					continue
				}
			}
			obj[k] = c.check(p, t.Elem(), obj[k])
		}
		return obj
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			if _, ok := v.(string); !ok {
				c.add(path, "want a base64 string ([]byte), got %s", jsonType(v))
			}
			return v
		}
		arr, ok := v.([]any)
		if !ok {
			c.add(path, "want an array (%s), got %s", t, jsonType(v))
			return v
		}
		if t.Kind() == reflect.Array && len(arr) > t.Len() {
			c.add(path, "want at most %d elements (%s), got %d", t.Len(), t, len(arr))
		}
		for i := range arr {
			arr[i] = c.check(fmt.Sprintf("%s[%d]", path, i), t.Elem(), arr[i])
		}
		return arr
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.add(path, "want bool, got %s", jsonType(v))
		}
		return v
	case reflect.String:
		if _, ok := v.(string); !ok {
			c.add(path, "want string, got %s", jsonType(v))
		}
		return v
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			c.add(path, "want %s, got %s", typeName(t), jsonType(v))
			return v
		}
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || reflect.Zero(t).OverflowFloat(f) {
			c.add(path, "want %s, got %s (out of range)", typeName(t), n)
		}
		return v
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := v.(json.Number)
		if !ok {
			c.add(path, "want %s, got %s", typeName(t), jsonType(v))
			return v
		}
		whole, err := parseIntKind(t, n.String())
		if err != nil {
			c.add(path, "want %s, got %s (%v)", typeName(t), n, err)
			return v
		}
		return json.Number(whole)
	}
	c.add(path, "a field of type %s cannot be read from JSON", typeName(t))
	return v
}

// checkQuoted checks v for a field with the ,string option: a JSON string
// that holds the field's value as JSON.
func (c *configChecker) checkQuoted(path string, t reflect.Type, v any) any {
	s, ok := v.(string)
	if !ok {
		if v != nil {
			c.add(path, "want %s in a JSON string (the field has the ,string option), got %s", typeName(t), jsonType(v))
		}
		return v
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var inner any
	if err := dec.Decode(&inner); err != nil || dec.More() {
		c.add(path, "want %s in a JSON string (the field has the ,string option), got %q", typeName(t), s)
		return v
	}
	n := len(c.problems)
	inner = c.check(path, t, inner)
	if len(c.problems) > n {
		return v
	}
	b, err := json.Marshal(inner)
	if err != nil {
		return v
	}
	return string(b)
}

// parseIntKind parses s, a JSON number, as a value of t, an integer type,
// and returns it in canonical integer form. A number with a fraction or
// an exponent is fine when its value is whole ("64.0", "1e3").
func parseIntKind(t reflect.Type, s string) (string, error) {
	unsigned := t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr
	if unsigned {
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			if reflect.Zero(t).OverflowUint(u) {
				return "", errors.New("out of range")
			}
			return strconv.FormatUint(u, 10), nil
		}
	} else if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if reflect.Zero(t).OverflowInt(i) {
			return "", errors.New("out of range")
		}
		return strconv.FormatInt(i, 10), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return "", errors.New("not a number")
	case math.IsInf(f, 0) || math.Abs(f) >= 1<<63:
		return "", errors.New("out of range")
	case f != math.Trunc(f):
		return "", errors.New("not a whole number")
	case unsigned && f < 0:
		return "", errors.New("out of range")
	}
	if unsigned {
		if reflect.Zero(t).OverflowUint(uint64(f)) {
			return "", errors.New("out of range")
		}
		return strconv.FormatUint(uint64(f), 10), nil
	}
	if reflect.Zero(t).OverflowInt(int64(f)) {
		return "", errors.New("out of range")
	}
	return strconv.FormatInt(int64(f), 10), nil
}

// joinPath adds key to the dotted path. A key with characters that are
// not printable (a newline would split the problem's line) is quoted.
func joinPath(path, key string) string {
	if strings.IndexFunc(key, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 || !utf8.ValidString(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// objectName names t, a struct or map type, for a message: "an object",
// with the type's name when it has one.
func objectName(t reflect.Type) string {
	if t.Name() == "" {
		if t.Kind() == reflect.Map {
			return "an object (" + t.String() + ")"
		}
		return "an object"
	}
	return "an object (" + t.String() + ")"
}

// typeName names t for a message: the kind for basic types ("float64",
// "int", also for named types), the type otherwise.
func typeName(t reflect.Type) string {
	if t == nil {
		return "nothing"
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return t.Kind().String()
	}
	return t.String()
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonField is a field of a struct as encoding/json sees it.
type jsonField struct {
	name      string
	index     []int
	typ       reflect.Type
	tagged    bool
	omitEmpty bool
	quoted    bool // the ,string option on a scalar
}

// jsonFields lists the fields encoding/json encodes and decodes for t, a
// struct type, in field order: exported fields under their json tag names
// (or Go names), "-" left out, untagged embedded structs promoted, with
// json's rules for names that clash (the shallowest wins, then the tagged
// one; otherwise none).
func jsonFields(t reflect.Type) []jsonField {
	type level struct {
		typ   reflect.Type
		index []int
	}
	var out []jsonField
	taken := map[string]bool{}
	visited := map[reflect.Type]bool{}
	next := []level{{t, nil}}
	for len(next) > 0 {
		current := next
		next = nil
		byName := map[string][]jsonField{}
		var order []string
		for _, lv := range current {
			if visited[lv.typ] {
				continue
			}
			visited[lv.typ] = true
			for i := range lv.typ.NumField() {
				sf := lv.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clone(lv.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, level{ft, index})
					continue
				}
				if !sf.IsExported() {
					continue
				}
				f := jsonField{name: name, index: index, typ: sf.Type, tagged: name != ""}
				if f.name == "" {
					f.name = sf.Name
				}
				for _, o := range strings.Split(opts, ",") {
					switch o {
					case "omitempty":
						f.omitEmpty = true
					case "string":
						switch ft.Kind() {
						case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
							reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
							reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
							f.quoted = true
						}
					}
				}
				if _, ok := byName[f.name]; !ok {
					order = append(order, f.name)
				}
				byName[f.name] = append(byName[f.name], f)
			}
		}
		for _, name := range order {
			if taken[name] {
				continue
			}
			taken[name] = true
			fs := byName[name]
			var tagged []jsonField
			for _, f := range fs {
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
			switch {
			case len(fs) == 1:
				out = append(out, fs[0])
			case len(tagged) == 1:
				out = append(out, tagged[0])
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return slices.Compare(out[i].index, out[j].index) < 0 })
	return out
}

// matchField finds the field for key as encoding/json does: the exact
// name first, then one equal under case folding.
func matchField(fields []jsonField, key string) *jsonField {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].name, key) {
			return &fields[i]
		}
	}
	return nil
}

// suggest names the field closest to an unknown key, or lists the fields
// when there are few.
func suggest(key string, fields []jsonField) string {
	best, bestDist := "", 3
	for _, f := range fields {
		if d := editDistance(strings.ToLower(key), strings.ToLower(f.name)); d < bestDist {
			best, bestDist = f.name, d
		}
	}
	if best != "" {
		return fmt.Sprintf(`; did you mean %q?`, best)
	}
	if len(fields) == 0 {
		return " (the object has no fields)"
	}
	if len(fields) <= 12 {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
