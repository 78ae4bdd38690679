package hcl

import (
	"fmt"

	yaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// The decoders of the language, jsondecode and yamldecode, bounded like the
// search files (limits.go): they refuse a text larger than MaxSourceSize,
// and a value nested deeper than MaxNesting, before the decoder runs. YAML
// needs more: libyaml's scanner, which go-cty-yaml ports, checks every open
// flow collection ([...] or {...}) at every token, so its time grows with
// size times flow depth (16,000 nested [ take 13 s); and an alias
// (*name) stands for a whole anchored value, so a few hundred bytes of
// aliases of aliases ("billion laughs") expand to a billion values. See
// checkYAML.

const (
	// MaxDecodedValues bounds the values one yamldecode call produces,
	// every alias counted as the values it stands for.
	MaxDecodedValues = 1 << 20
	// maxYAMLIndent bounds the column at which a line of YAML starts its
	// content (after indentation and "- " or "? " indicators): a loose
	// bound on block nesting, whose exact depth is checked on the decoded
	// type.
	maxYAMLIndent = 4 * MaxNesting
	// maxYAMLFlowWork bounds the sum, over the bytes of a YAML text, of
	// the flow collections opened before each: the work of libyaml's
	// scanner, which is quadratic in flow nesting. It is the work of a
	// text of MaxSourceSize bytes nested MaxNesting deep throughout.
	maxYAMLFlowWork = MaxNesting * MaxSourceSize
)

var jsonDecodeFunc = function.New(&function.Spec{
	Description: stdlib.JSONDecodeFunc.Description(),
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if args[0].IsKnown() && !args[0].IsNull() {
			if err := checkJSON([]byte(args[0].AsString())); err != nil {
				return cty.NilType, function.NewArgError(0, err)
			}
		}
		return stdlib.JSONDecodeFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return stdlib.JSONDecodeFunc.Call(args)
	},
})

var yamlDecodeFunc = function.New(&function.Spec{
	Description: "Parses the given string as YAML and returns a value corresponding to what the YAML document describes.",
	Params:      []function.Parameter{{Name: "src", Type: cty.String}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if !args[0].IsKnown() {
			return cty.DynamicPseudoType, nil
		}
		if args[0].IsNull() {
			return cty.NilType, function.NewArgErrorf(0, "YAML source code cannot be null")
		}
		src := []byte(args[0].AsString())
		if err := checkYAML(src); err != nil {
			return cty.NilType, function.NewArgError(0, err)
		}
		ty, err := yaml.Standard.ImpliedType(src)
		if err != nil {
			return cty.NilType, err
		}
		if err := checkDecodedType(ty); err != nil {
			return cty.NilType, function.NewArgError(0, err)
		}
		return ty, nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		return yaml.Standard.Unmarshal([]byte(args[0].AsString()), retType)
	},
})

// checkJSON checks a JSON text against the limits: its size, and the
// nesting of its arrays and objects, scanned as JSON (and the JSON syntax
// of HCL) reads it: a string ends at an unescaped quote or at a control
// character.
func checkJSON(src []byte) error {
	if len(src) > MaxSourceSize {
		return fmt.Errorf("the JSON text is %s, more than the %s the loader reads; large data belongs in the trials' own inputs, not in the search", byteSize(int64(len(src))), byteSize(MaxSourceSize))
	}
	if off, ok := jsonNesting(src); !ok {
		p := position(src, off)
		return fmt.Errorf("the JSON text nests deeper than the %d levels the loader reads, at line %d, column %d", MaxNesting, p.Line, p.Column)
	}
	return nil
}

// jsonNesting returns the offset of the first [ or { that opens level
// MaxNesting+1, or ok true.
func jsonNesting(src []byte) (off int, ok bool) {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '[', '{':
			depth++
			if depth > MaxNesting {
				return i, false
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"':
			escaping := false
		str:
			for i++; i < len(src); i++ {
				switch b := src[i]; {
				case b == '\\':
					escaping = !escaping
				case b == '"' && !escaping:
					break str
				case b < 0x20:
					i-- // the string ends before a control character
					break str
				default:
					escaping = false
				}
			}
		}
	}
	return 0, true
}

// checkYAML checks a YAML text against the limits before libyaml reads
// it: its size; the work of its flow collections (maxYAMLFlowWork),
// counting every [ and {, even in strings and comments, so that no text
// can understate it; and the column where each line starts its content
// (maxYAMLIndent), a bound on block nesting. The exact depth, and the
// count of values with aliases expanded, are checked on the type the
// text implies (checkDecodedType), which libyaml computes without
// expanding aliases.
func checkYAML(src []byte) error {
	if len(src) > MaxSourceSize {
		return fmt.Errorf("the YAML text is %s, more than the %s the loader reads; large data belongs in the trials' own inputs, not in the search", byteSize(int64(len(src))), byteSize(MaxSourceSize))
	}
	opened, work := 0, 0
	lineStart := true
	for i := 0; i < len(src); i++ {
		if lineStart {
			lineStart = false
			if col := yamlContentColumn(src[i:]); col > maxYAMLIndent {
				p := position(src, i)
				return fmt.Errorf("line %d of the YAML text starts its content at column %d, nested deeper than the loader reads (at most %d columns, and %d levels)", p.Line, col+1, maxYAMLIndent, MaxNesting)
			}
		}
		switch src[i] {
		case '[', '{':
			opened++
		case '\n':
			lineStart = true
		}
		work += opened
		if work > maxYAMLFlowWork {
			return fmt.Errorf("the YAML text has too many flow collections ([...] and {...}) for its size: "+
				"libyaml's time grows with both, and reading it would take as long as reading %s nested %d levels deep. Write it in block style",
				byteSize(MaxSourceSize), MaxNesting)
		}
	}
	return nil
}

// yamlContentColumn returns the column (from 0) where a line's content
// starts after its indentation and any "- " or "? " indicators that nest
// a block collection on the line itself; 0 for a line without content.
func yamlContentColumn(line []byte) int {
	i := 0
	for {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i+1 < len(line) && (line[i] == '-' || line[i] == '?') && (line[i+1] == ' ' || line[i+1] == '\t') {
			i += 2
			continue
		}
		if i == len(line) || line[i] == '\n' || line[i] == '\r' || line[i] == '#' {
			return 0
		}
		return i
	}
}

var (
	errDecodedTooDeep = fmt.Errorf("the value nests deeper than the %d levels the loader reads", MaxNesting)
	errDecodedTooMany = fmt.Errorf("the value holds more than %d values, counting each alias as the values it stands for", MaxDecodedValues)
)

// checkDecodedType checks the type a decoder implies, which has a part
// for every value of the decoded value (YAML's aliases share theirs, but
// the walk counts them as the values they stand for): at most MaxNesting
// deep and MaxDecodedValues values. The walk stops at the first excess,
// so its cost is bounded however large the expansion.
func checkDecodedType(ty cty.Type) error {
	n := 0
	var walk func(t cty.Type, depth int) error
	walk = func(t cty.Type, depth int) error {
		n++
		switch {
		case n > MaxDecodedValues:
			return errDecodedTooMany
		case depth > MaxNesting:
			return errDecodedTooDeep
		}
		var parts []cty.Type
		switch {
		case t.IsObjectType():
			for _, at := range t.AttributeTypes() {
				parts = append(parts, at)
			}
		case t.IsTupleType():
			parts = t.TupleElementTypes()
		case t.IsCollectionType():
			parts = []cty.Type{t.ElementType()}
		}
		for _, p := range parts {
			if err := walk(p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(ty, 0)
}
