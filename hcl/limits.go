package hcl

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Limits on what the loader parses (docs/language.md#limits).
//
// hashicorp/hcl's parser and evaluator, and the decoders behind jsondecode
// and yamldecode, recurse once per level of nesting, and a Go stack overflow
// is not a panic that can be recovered: it ends the process. 100,000 nested
// parentheses did. So every source is checked before a parser sees it: its
// size first, then its nesting. The nesting of HCL is measured on the tokens
// of hashicorp/hcl's own lexer, a state machine that does not recurse, so
// strings, heredocs, template sequences and comments are read exactly as
// the parser will read them; JSON and YAML have small scanners of their own
// (decode.go).
//
// For scale: with Go's default 1 GB stack, the parser survives about 67,000
// nested parentheses, 47,000 nested string templates and 227,000 chained
// unary operators; MaxNesting is more than 200 times below the first.
const (
	// MaxSourceSize is the largest search file, -var-file, -var (or
	// FW_VAR_) value parsed as HCL, or text given to jsondecode or
	// yamldecode, in bytes.
	MaxSourceSize = 1 << 20
	// MaxNesting is the deepest nesting read; see hclNesting for what
	// opens a level of HCL.
	MaxNesting = 256
)

// readSource reads a file of at most MaxSourceSize bytes. ok is false when
// the file is larger, and then size is its size and b is nil; the file is
// never read whole, so a mistaken path to a large file fails fast.
func readSource(path string) (b []byte, size int64, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, false, err
	}
	defer f.Close()
	b, err = io.ReadAll(io.LimitReader(f, MaxSourceSize+1))
	if err != nil {
		return nil, 0, false, err
	}
	if len(b) > MaxSourceSize {
		size = int64(len(b))
		if st, err := f.Stat(); err == nil && st.Size() > size {
			size = st.Size()
		}
		return nil, size, false, nil
	}
	return b, int64(len(b)), true, nil
}

// tooLarge is the error for a source file of size bytes; what names it
// ("search file", "variables file").
func tooLarge(filename, what string, size int64) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "File too large",
		Detail: fmt.Sprintf("This %s is %s, more than the %s a %s may have. "+
			"Large data belongs in a JSON or YAML file that the search reads with file(), like base_config = jsondecode(file(\"base.json\")).",
			what, byteSize(size), byteSize(MaxSourceSize), what),
		Subject: &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
	}
}

// byteSize renders a size for people: "1 MiB", "1048577 bytes", "12.5 MiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 10<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// CheckSource checks that an HCL file (native syntax) is within the
// limits: at most MaxSourceSize bytes, nested at most MaxNesting deep. Its
// error diagnostics point at the file, or at the token that opens one
// level too many; call it before hclsyntax.ParseConfig, which may crash
// the process on what it refuses. what names the file in messages
// ("search file").
func CheckSource(filename string, src []byte, what string) hcl.Diagnostics {
	if len(src) > MaxSourceSize {
		return hcl.Diagnostics{tooLarge(filename, what, int64(len(src)))}
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	if tok, ok := hclNesting(tokens, true); !ok {
		return hcl.Diagnostics{tooDeep(tok.Range.Ptr(), describeToken(tok), "")}
	}
	return nil
}

// checkJSONSource is CheckSource for a file in the JSON syntax of HCL.
func checkJSONSource(filename string, src []byte, what string) hcl.Diagnostics {
	if len(src) > MaxSourceSize {
		return hcl.Diagnostics{tooLarge(filename, what, int64(len(src)))}
	}
	if off, ok := jsonNesting(src); !ok {
		start := position(src, off)
		end := start
		end.Byte++
		end.Column++
		return hcl.Diagnostics{tooDeep(&hcl.Range{Filename: filename, Start: start, End: end}, fmt.Sprintf("%q", src[off:off+1]), "")}
	}
	return nil
}

// checkExpression is CheckSource for a standalone expression (a -var
// value), whose newlines do not end it. source names it in the message.
func checkExpression(src []byte, filename, source string) hcl.Diagnostics {
	if len(src) > MaxSourceSize {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Value too large",
			Detail:   fmt.Sprintf("The value given by %s is %s, more than the %s a value may have. Put large data in a file that the search reads with file().", source, byteSize(int64(len(src))), byteSize(MaxSourceSize)),
		}}
	}
	tokens, _ := hclsyntax.LexExpression(src, filename, hcl.InitialPos)
	if tok, ok := hclNesting(tokens, false); !ok {
		return hcl.Diagnostics{tooDeep(nil, describeToken(tok), fmt.Sprintf(" (in the value given by %s, at column %d)", source, tok.Range.Start.Column))}
	}
	return nil
}

func tooDeep(subject *hcl.Range, what, where string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Nesting too deep",
		Detail: fmt.Sprintf("This %s%s nests deeper than the %d levels the loader reads. "+
			"Each bracket, string template, interpolation and template directive opens a level, "+
			"and so does each operator of an expression (a + b + c nests two deep). "+
			"Flatten the structure or split the expression; large data belongs in a JSON or YAML file read with file().",
			what, where, MaxNesting),
		Subject: subject,
	}
}

func describeToken(tok hclsyntax.Token) string {
	switch tok.Type {
	case hclsyntax.TokenOParen, hclsyntax.TokenOBrack, hclsyntax.TokenOBrace:
		return fmt.Sprintf("%q", tok.Bytes)
	case hclsyntax.TokenOQuote:
		return "string"
	case hclsyntax.TokenOHeredoc:
		return "heredoc"
	case hclsyntax.TokenTemplateInterp:
		return "interpolation"
	case hclsyntax.TokenTemplateControl:
		return "template directive"
	}
	return fmt.Sprintf("operator %q", tok.Bytes)
}

// nestLevel is an open level of hclNesting: the token that opened it,
// whether a newline ends the expression being parsed in it, and the
// operators of that expression so far.
type nestLevel struct {
	open        hclsyntax.TokenType
	newlineEnds bool
	ops         int
}

// directive is the nestLevel.open of a %{if} or %{for} directive, whose
// body nests until its %{endif} or %{endfor}.
const directive hclsyntax.TokenType = 'D'

// hclNesting measures how deep the parser will recurse on tokens, as the
// number of levels open at a token, and returns the first token at which
// it exceeds MaxNesting (ok false). A level is opened by each (, [, {,
// string template, heredoc, ${ and %{, and by each %{if} and %{for}
// directive until its end. Each operator opens a level too, kept until the
// expression it belongs to ends (at a comma, or at a newline where a
// newline ends an expression: at the top of a file, in block bodies and
// in object constructors other than for-expressions), because the parser
// and the evaluator recurse once per operator of a chain: a + b + c is
// (a + b) + c. An index or splat [ after a value counts as an operator as
// well (a[i][j] nests). config is whether tokens are a file (whose top
// level is a body) rather than one expression.
//
// Closing tokens pop only the level they close; a stray one is ignored,
// which can only overstate the depth.
func hclNesting(tokens hclsyntax.Tokens, config bool) (hclsyntax.Token, bool) {
	tok, _, ok := measureNesting(tokens, config, MaxNesting)
	return tok, ok
}

// measureNesting is hclNesting with a limit; it also returns the deepest
// level reached (up to limit+1).
func measureNesting(tokens hclsyntax.Tokens, config bool, limit int) (hclsyntax.Token, int, bool) {
	levels := []nestLevel{{open: hclsyntax.TokenNil, newlineEnds: config}}
	depth := 0 // open levels but the top one, plus every level's operators
	deepest := 0
	// deeper notes that depth grew; it reports whether it is still within
	// the limit.
	deeper := func() bool {
		deepest = max(deepest, depth)
		return depth <= limit
	}
	popThrough := func(open ...hclsyntax.TokenType) {
		for i := len(levels) - 1; i > 0; i-- {
			for _, o := range open {
				if levels[i].open == o {
					for _, l := range levels[i:] {
						depth -= 1 + l.ops
					}
					levels = levels[:i]
					return
				}
			}
		}
	}
	endExpr := func() {
		top := &levels[len(levels)-1]
		depth -= top.ops
		top.ops = 0
	}
	prev := hclsyntax.TokenNil
	for i, tok := range tokens {
		top := &levels[len(levels)-1]
		switch tok.Type {
		case hclsyntax.TokenOBrack:
			if isOperandEnd(prev) {
				top.ops++
				depth++
				if !deeper() {
					return tok, deepest, false
				}
			}
			fallthrough
		case hclsyntax.TokenOParen, hclsyntax.TokenOBrace, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			if tok.Type == hclsyntax.TokenTemplateControl {
				switch nextIdent(tokens, i) {
				case "if", "for":
					levels = append(levels, nestLevel{open: directive})
					depth++
				case "endif", "endfor":
					if top.open == directive {
						popThrough(directive)
					}
				}
			}
			newlineEnds := tok.Type == hclsyntax.TokenOBrace && nextIdent(tokens, i) != "for"
			levels = append(levels, nestLevel{open: tok.Type, newlineEnds: newlineEnds})
			depth++
			if !deeper() {
				return tok, deepest, false
			}
		case hclsyntax.TokenCParen, hclsyntax.TokenCBrack, hclsyntax.TokenCBrace:
			if top.open == opening(tok.Type) && len(levels) > 1 {
				depth -= 1 + top.ops
				levels = levels[:len(levels)-1]
			}
		case hclsyntax.TokenTemplateSeqEnd:
			popThrough(hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl)
		case hclsyntax.TokenCQuote:
			popThrough(hclsyntax.TokenOQuote)
		case hclsyntax.TokenCHeredoc:
			popThrough(hclsyntax.TokenOHeredoc)
		case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash, hclsyntax.TokenPercent,
			hclsyntax.TokenBang, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
			hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan, hclsyntax.TokenGreaterThanEq,
			hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenQuestion:
			top.ops++
			depth++
			if !deeper() {
				return tok, deepest, false
			}
		case hclsyntax.TokenComma:
			endExpr()
		case hclsyntax.TokenNewline:
			if top.newlineEnds {
				endExpr()
			}
		case hclsyntax.TokenComment:
			// The parser reads a line comment, which holds its newline,
			// as a newline.
			if top.newlineEnds && bytes.HasSuffix(tok.Bytes, []byte("\n")) {
				endExpr()
			}
			continue
		}
		prev = tok.Type
	}
	return hclsyntax.Token{}, deepest, true
}

// isOperandEnd reports whether a token ends a value, so that a [ after it
// is an index or a splat rather than a tuple.
func isOperandEnd(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenIdent, hclsyntax.TokenNumberLit, hclsyntax.TokenCParen, hclsyntax.TokenCBrack,
		hclsyntax.TokenCBrace, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc, hclsyntax.TokenStar:
		return true
	}
	return false
}

func opening(closing hclsyntax.TokenType) hclsyntax.TokenType {
	switch closing {
	case hclsyntax.TokenCParen:
		return hclsyntax.TokenOParen
	case hclsyntax.TokenCBrack:
		return hclsyntax.TokenOBrack
	}
	return hclsyntax.TokenOBrace
}

// nextIdent returns the identifier that follows tokens[i], past newlines
// and comments, or "".
func nextIdent(tokens hclsyntax.Tokens, i int) string {
	for _, t := range tokens[i+1:] {
		switch t.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenComment:
			continue
		case hclsyntax.TokenIdent:
			return string(t.Bytes)
		}
		return ""
	}
	return ""
}

// position returns the position of byte offset off of src, counting
// columns in characters as hcl does for ASCII.
func position(src []byte, off int) hcl.Pos {
	pos := hcl.InitialPos
	for i := 0; i < off && i < len(src); {
		if src[i] == '\n' {
			pos.Line++
			pos.Column = 1
			i++
			continue
		}
		_, n := utf8.DecodeRune(src[i:])
		pos.Column++
		i += n
	}
	pos.Byte = off
	return pos
}
