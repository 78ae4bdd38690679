package state

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/frameworm/frameworm/jsonenc"
)

// jsonObject is a normalized JSON object (see NormalizeValue) that keeps the
// int64/float64 distinction through JSON: it writes every float64 with a
// '.' or an exponent (2.0, not encoding/json's 2) and reads integer literals
// back as int64, everything else as float64. Its parser is hand-written,
// several times faster than encoding/json with UseNumber followed by a
// conversion pass, and loading a large state is mostly this.
type jsonObject map[string]any

func (o jsonObject) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	return appendValue(nil, map[string]any(o))
}

// appendValue appends the JSON of a normalized value, with object keys
// sorted like encoding/json does.
func appendValue(b []byte, v any) ([]byte, error) {
	return jsonenc.Append(b, v, true)
}

// appendRecord appends the payload of a record line (the "r" object) for
// a valid change: byte for byte what json.Marshal writes for a record
// holding a wireTrial, several times faster, since it needs no reflection
// and no second pass over each jsonObject's text. Compaction writes one
// record per trial, so at 100k trials this is most of its time.
func appendRecord(b []byte, serial uint64, c Change) ([]byte, error) {
	b = append(b, `{"serial":`...)
	b = strconv.AppendUint(b, serial, 10)
	var err error
	if t := c.Put; t != nil {
		b = append(b, `,"put":`...)
		if b, err = appendTrial(b, t); err != nil {
			return nil, err
		}
	}
	if r := c.Remove; r != nil {
		b = append(b, `,"remove":{"search":`...)
		b = jsonenc.AppendString(b, r.Search)
		b = append(b, `,"number":`...)
		b = strconv.AppendInt(b, int64(r.Number), 10)
		b = append(b, '}')
	}
	if ss := c.Settings; ss != nil {
		b = append(b, `,"settings":{"search":`...)
		b = jsonenc.AppendString(b, ss.Search)
		b = append(b, `,"settings":`...)
		// A map[string]any field: encoding/json's own numbers.
		if b, err = jsonenc.Append(b, ss.Settings, false); err != nil {
			return nil, fmt.Errorf("settings of search %q: %w", ss.Search, err)
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// appendTrial appends a wireTrial's JSON: the fields of Trial in their
// order, with its omitempty and omitzero rules, then queued_s, then params
// and config as jsonObjects.
func appendTrial(b []byte, t *Trial) ([]byte, error) {
	var err error
	b = append(b, `{"search":`...)
	b = jsonenc.AppendString(b, t.Search)
	b = append(b, `,"number":`...)
	b = strconv.AppendInt(b, int64(t.Number), 10)
	b = append(b, `,"config_hash":`...)
	b = jsonenc.AppendString(b, t.ConfigHash)
	b = append(b, `,"status":`...)
	b = jsonenc.AppendString(b, string(t.Status))
	if len(t.Metrics) > 0 {
		b = append(b, `,"metrics":{`...)
		var buf [16]string
		for i, k := range jsonenc.SortedKeys(buf[:0], t.Metrics) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(jsonenc.AppendString(b, k), ':')
			if b, err = jsonenc.AppendNumber(b, t.Metrics[k]); err != nil {
				return nil, fmt.Errorf("trial %s metric %q: %w", t.Ref(), k, err)
			}
		}
		b = append(b, '}')
	}
	if t.Error != "" {
		b = append(b, `,"error":`...)
		b = jsonenc.AppendString(b, t.Error)
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(t.Attempts), 10)
	if t.Tainted {
		b = append(b, `,"tainted":true`...)
	}
	for _, tm := range [...]struct {
		key string
		t   time.Time
	}{{`,"started":`, t.Started}, {`,"ended":`, t.Ended}} {
		if tm.t.IsZero() {
			continue
		}
		b = append(b, tm.key...)
		j, err := tm.t.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("trial %s: %w", t.Ref(), err)
		}
		b = append(b, j...)
	}
	if t.Host != "" {
		b = append(b, `,"host":`...)
		b = jsonenc.AppendString(b, t.Host)
	}
	if t.Dir != "" {
		b = append(b, `,"dir":`...)
		b = jsonenc.AppendString(b, t.Dir)
	}
	if t.Job != "" {
		b = append(b, `,"job":`...)
		b = jsonenc.AppendString(b, t.Job)
	}
	if len(t.Steps) > 0 {
		b = append(b, `,"steps":[`...)
		for i, st := range t.Steps {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStep(b, st)
		}
		b = append(b, ']')
	}
	if t.Pruned != nil {
		b = append(b, `,"pruned":`...)
		b = appendStep(b, *t.Pruned)
	}
	if t.Queued != 0 {
		b = append(b, `,"queued_s":`...)
		if b, err = jsonenc.AppendNumber(b, t.Queued.Seconds()); err != nil {
			return nil, fmt.Errorf("trial %s queue wait: %w", t.Ref(), err)
		}
	}
	b = append(b, `,"params":`...)
	if b, err = jsonenc.Append(b, t.Params, true); err != nil {
		return nil, fmt.Errorf("trial %s params: %w", t.Ref(), err)
	}
	b = append(b, `,"config":`...)
	if b, err = jsonenc.Append(b, t.Config, true); err != nil {
		return nil, fmt.Errorf("trial %s config: %w", t.Ref(), err)
	}
	return append(b, '}'), nil
}

func (o *jsonObject) UnmarshalJSON(data []byte) error {
	p := parser{data: data}
	v, err := p.value()
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*o = nil
	case map[string]any:
		*o = v
	default:
		return fmt.Errorf("want a JSON object, got %T", v)
	}
	return nil
}

// parser is a recursive-descent JSON parser that reads numbers by the rule
// of NormalizeValue. It validates as it goes and fails rather than guess:
// the state decoder runs it on file contents without encoding/json first.
type parser struct {
	data  []byte
	pos   int
	depth int
	strs  map[string]string // interned short strings, shared by the records of one load
	stack []any             // elements of the arrays being parsed
	nums  *[numCacheSize]numEntry
}

const (
	maxDepth          = 1000
	maxInternLen      = 64 // object keys
	maxInternValueLen = 24 // string values
	maxInterned       = 1 << 14
)

var errEnd = errors.New("unexpected end of JSON")

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// end fails unless only white space is left.
func (p *parser) end() error {
	p.space()
	if p.pos != len(p.data) {
		return p.errorf("unexpected data after the value")
	}
	return nil
}

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte.
func (p *parser) peek() (byte, error) {
	p.space()
	if p.pos >= len(p.data) {
		return 0, errEnd
	}
	return p.data[p.pos], nil
}

func (p *parser) value() (any, error) {
	c, err := p.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.string()
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	for _, lit := range [...]struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if p.literal(lit.text) {
			return lit.v, nil
		}
	}
	return nil, p.errorf("unexpected character %q", c)
}

// literal consumes text if it comes next.
func (p *parser) literal(text string) bool {
	if len(p.data)-p.pos >= len(text) && string(p.data[p.pos:p.pos+len(text)]) == text {
		p.pos += len(text)
		return true
	}
	return false
}

func (p *parser) object() (any, error) {
	m := map[string]any{}
	_, err := p.fields(func(k []byte) error {
		key := p.intern(k)
		v, err := p.value()
		m[key] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// fields parses an object, or null, calling field for each key with the
// parser at the value, which field must consume. The key is valid until
// field returns.
func (p *parser) fields(field func(key []byte) error) (null bool, err error) {
	c, err := p.peek()
	if err != nil {
		return false, err
	}
	if c != '{' {
		if p.literal("null") {
			return true, nil
		}
		return false, p.errorf("want an object")
	}
	if p.depth++; p.depth > maxDepth {
		return false, p.errorf("nested too deeply")
	}
	defer func() { p.depth-- }()
	p.pos++
	if c, err := p.peek(); err != nil || c == '}' {
		p.pos++
		return false, err
	}
	for {
		if c, err := p.peek(); err != nil || c != '"' {
			return false, cmp.Or(err, p.errorf("want an object key"))
		}
		k, err := p.rawString()
		if err != nil {
			return false, err
		}
		if c, err := p.peek(); err != nil || c != ':' {
			return false, cmp.Or(err, p.errorf("want ':'"))
		}
		p.pos++
		if err := field(k); err != nil {
			return false, err
		}
		if done, err := p.next('}'); done || err != nil {
			return false, err
		}
	}
}

func (p *parser) array() (any, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.errorf("nested too deeply")
	}
	defer func() { p.depth-- }()
	p.pos++ // '['
	if c, err := p.peek(); err != nil || c == ']' {
		p.pos++
		return []any{}, err
	}
	// Collect the elements on p.stack and copy them out once: one
	// allocation per array instead of one per doubling.
	mark := len(p.stack)
	defer func() {
		clear(p.stack[mark:])
		p.stack = p.stack[:mark]
	}()
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
		if done, err := p.next(']'); done || err != nil {
			return slices.Clone(p.stack[mark:]), err
		}
	}
}

// next consumes the ',' between elements or the closing byte.
func (p *parser) next(closing byte) (done bool, err error) {
	c, err := p.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	return false, p.errorf("want ',' or %q", closing)
}

// string parses a string value.
func (p *parser) string() (string, error) {
	if c, err := p.peek(); err != nil || c != '"' {
		return "", cmp.Or(err, p.errorf("want a string"))
	}
	b, err := p.rawString()
	if err != nil {
		return "", err
	}
	if len(b) > maxInternValueLen { // long values (hashes, paths) rarely repeat
		return validUTF8(string(b)), nil
	}
	return p.intern(b), nil
}

// rawString parses the string at p.pos and returns its bytes, unescaped.
// Unless the string has escapes, they are p.data's.
func (p *parser) rawString() ([]byte, error) {
	start := p.pos
	p.pos++ // '"'
	escaped := false
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; {
		case c == '\\':
			escaped = true
			p.pos += 2
		case c == '"':
			p.pos++
			if !escaped {
				return p.data[start+1 : p.pos-1], nil
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
				return nil, fmt.Errorf("invalid JSON string at byte %d: %w", start, err)
			}
			return []byte(s), nil
		case c < 0x20:
			return nil, p.errorf("control character in a string")
		default:
			p.pos++
		}
	}
	return nil, errEnd
}

// intern returns b as a valid UTF-8 string, shared with earlier equal
// strings when it is short: the keys and many values of trial records
// repeat, and sharing them saves time and memory on large states.
func (p *parser) intern(b []byte) string {
	if len(b) > maxInternLen {
		return validUTF8(string(b))
	}
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := validUTF8(string(b))
	if p.strs == nil {
		p.strs = map[string]string{}
	}
	if len(p.strs) < maxInterned {
		p.strs[s] = s
	}
	return s
}

func (p *parser) number() (any, error) {
	start := p.pos
	for p.pos < len(p.data) && isNumberByte(p.data[p.pos]) {
		p.pos++
	}
	text := p.data[start:p.pos]
	// Small non-negative integers box without allocating; others go
	// through the cache, so equal numbers share one boxed value.
	if n, ok := smallInt(text); ok && n < 256 {
		return n, nil
	}
	e := p.numEntry(text)
	if e != nil && e.n == uint8(len(text)) && string(e.text[:e.n]) == string(text) {
		return e.v, nil
	}
	v, ok := parseNumber(text)
	if !ok {
		return nil, fmt.Errorf("invalid JSON at byte %d: invalid number %q", start, text)
	}
	if e != nil {
		e.n = uint8(copy(e.text[:], text))
		e.v = v
	}
	return v, nil
}

// numEntry is a slot of the number cache: a number's text and its value.
type numEntry struct {
	n    uint8
	text [maxNumberText]byte
	v    any
}

const (
	maxNumberText = 23  // longer numbers are not cached
	numCacheSize  = 512 // slots, a power of two
)

// numEntry returns the cache slot of a number's text, or nil when the text
// is too long to cache. Boxing a number in an interface allocates, and
// numbers repeat: a trial's params recur in its config, and the base
// config's values in every trial. Sharing their boxed values saves an
// allocation per repeat and the memory of large states.
func (p *parser) numEntry(text []byte) *numEntry {
	if len(text) > maxNumberText {
		return nil
	}
	if p.nums == nil {
		p.nums = new([numCacheSize]numEntry)
	}
	h := uint32(len(text))
	for _, c := range text {
		h = h*31 + uint32(c)
	}
	h ^= h >> 11
	return &p.nums[h&(numCacheSize-1)]
}

// parseNumber is numberValue without allocating for the text.
func parseNumber(b []byte) (any, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if n, ok := smallInt(digits); ok {
		if len(digits) < len(b) {
			n = -n
		}
		return n, true
	}
	if len(b) == 0 {
		return nil, false
	}
	// numberValue keeps no reference to its argument (its errors are
	// dropped here), so it may read b in place.
	v, err := numberValue(unsafe.String(&b[0], len(b)))
	return v, err == nil
}

// smallInt parses up to 18 decimal digits, which cannot overflow.
func smallInt(digits []byte) (int64, bool) {
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	n := int64(0)
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
