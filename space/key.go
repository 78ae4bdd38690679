package space

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Key returns a canonical string for p, suitable as a map key for
// de-duplication: equal points (after Normalize, so int 3 and int64 3, or
// 0.30000000000000004 and 0.3 on a 0.1 step, agree) give equal keys and
// different points different keys. It is a JSON array, with floats in
// their shortest round-trip form, e.g. [0.001,3,"adam",true], and an
// Inactive coordinate as null, e.g. ["adam",null]. Values that
// are not valid for their dimension are still formatted, so Key never
// panics, but p should normally be Contained in s.
func (s *Space) Key(p Point) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		if i < len(s.dims) {
			if w, ok := s.dims[i].Normalize(v); ok {
				v = w
			}
		}
		writeValue(&b, v)
	}
	b.WriteByte(']')
	return b.String()
}

// writeValue writes v as a JSON value.
func writeValue(b *strings.Builder, v Value) {
	if v == Inactive {
		b.WriteString("null")
		return
	}
	if k, ok := v.(int64); ok {
		b.WriteString(strconv.FormatInt(k, 10))
		return
	}
	c, ok := canonical(v)
	if !ok { // not a point value at all: keep it distinct but readable
		c = fmt.Sprintf("%T:%#v", v, v)
	}
	switch c := c.(type) {
	case float64:
		b.WriteString(strconv.FormatFloat(c, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(c))
	case string:
		q, _ := json.Marshal(c) // cannot fail for a string
		b.Write(q)
	}
}
