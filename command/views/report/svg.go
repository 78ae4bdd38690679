package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// svgElements are the SVG elements a figure may hold. Anything else (a
// <script>, a <foreignObject>, a <use> or <a> with its link) is refused.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "text": true, "tspan": true,
	"rect": true, "circle": true, "ellipse": true, "line": true,
	"polyline": true, "polygon": true, "defs": true, "clipPath": true,
	"title": true, "desc": true, "image": true,
}

// svgAttributes are the attributes a figure's elements may carry; an
// event handler (on*), a link (href) other than an <image>'s inline image,
// or any other attribute is refused.
var svgAttributes = map[string]bool{
	"width": true, "height": true, "viewBox": true, "preserveAspectRatio": true,
	"version": true, "transform": true, "d": true, "style": true,
	"x": true, "y": true, "dx": true, "dy": true,
	"x1": true, "y1": true, "x2": true, "y2": true,
	"cx": true, "cy": true, "r": true, "rx": true, "ry": true, "points": true,
	"fill": true, "fill-opacity": true, "fill-rule": true,
	"stroke": true, "stroke-width": true, "stroke-opacity": true,
	"stroke-dasharray": true, "stroke-linecap": true, "stroke-linejoin": true,
	"opacity": true, "font-family": true, "font-size": true, "font-weight": true,
	"font-style": true, "font-variant": true, "text-anchor": true,
	"dominant-baseline": true, "clip-path": true, "clipPathUnits": true,
	"id": true, "class": true,
}

// inlineImages are the only links an <image> may hold: a raster image in
// a base64 data URL (gonum/plot draws a colour bar or a rasterized heat
// map that way, as "image/jpg" whatever the format).
var inlineImages = []string{"data:image/png;base64,", "data:image/jpeg;base64,", "data:image/jpg;base64,"}

// inlineImage reports whether v is a base64 data URL of inlineImages.
func inlineImage(v string) bool {
	for _, p := range inlineImages {
		if rest, ok := strings.CutPrefix(v, p); ok {
			return strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == ""
		}
	}
	return false
}

// sanitizeSVG returns the SVG document b as an element to inline in an
// HTML document: the XML declaration, doctype, comments and namespace
// declarations dropped (the HTML parser puts <svg> in the SVG namespace),
// every text and attribute value escaped again, role="img" and aria-label
// set to label on the root, preserveAspectRatio="none" on an <image>
// without one (it fills the box gonum/plot gives it). Only the elements of svgElements and the
// attributes of svgAttributes pass; a value that loads anything (url()
// other than a reference inside the figure, javascript:, @import) is
// refused, so the figure can neither run a script nor reach the network.
func sanitizeSVG(b []byte, label string) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var out bytes.Buffer
	depth, roots := 0, 0
	open := false // a start tag is written without its closing ">"
	closeTag := func() {
		if open {
			out.WriteByte('>')
			open = false
		}
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed SVG: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			closeTag()
			name := tok.Name.Local
			if !svgElements[name] {
				return nil, fmt.Errorf("element <%s> is not allowed in a report figure", name)
			}
			if depth == 0 {
				if name != "svg" || roots > 0 {
					return nil, fmt.Errorf("the document must hold one <svg> element, found <%s>", name)
				}
				roots++
			}
			out.WriteByte('<')
			out.WriteString(name)
			if depth == 0 {
				out.WriteString(` role="img" aria-label="`)
				escapeAttr(&out, label)
				out.WriteByte('"')
			}
			for _, a := range tok.Attr {
				keep, err := allowAttr(name, a, depth == 0)
				if err != nil {
					return nil, err
				}
				if !keep {
					continue
				}
				out.WriteByte(' ')
				out.WriteString(a.Name.Local)
				out.WriteString(`="`)
				escapeAttr(&out, a.Value)
				out.WriteByte('"')
			}
			if name == "image" && !hasAttr(tok.Attr, "preserveAspectRatio") {
				// gonum/plot sizes an image to its box, but SVG keeps an
				// image's aspect ratio by default: a 1 × 256 colour bar
				// would be drawn under a pixel wide.
				out.WriteString(` preserveAspectRatio="none"`)
			}
			open = true
			depth++
		case xml.EndElement:
			depth--
			if open {
				out.WriteString("/>")
				open = false
			} else {
				out.WriteString("</")
				out.WriteString(tok.Name.Local)
				out.WriteByte('>')
			}
		case xml.CharData:
			if depth == 0 {
				if len(bytes.TrimSpace(tok)) > 0 {
					return nil, errors.New("text outside the <svg> element")
				}
				continue
			}
			closeTag()
			escapeText(&out, string(tok))
		case xml.Comment, xml.ProcInst, xml.Directive:
			// dropped: <?xml ...?>, <!DOCTYPE ...>, <!-- generator -->
		}
	}
	if roots == 0 {
		return nil, errors.New("no <svg> element")
	}
	return out.Bytes(), nil
}

// allowAttr reports whether attribute a of element el is kept: namespace
// declarations are dropped silently, the root's own role and aria-label
// are replaced, anything not allowed is an error.
func allowAttr(el string, a xml.Attr, root bool) (bool, error) {
	n := a.Name
	switch {
	case n.Space == "xmlns" || (n.Space == "" && n.Local == "xmlns"):
		return false, nil
	case root && n.Space == "" && (n.Local == "role" || n.Local == "aria-label"):
		return false, nil
	case el == "image" && n.Local == "href" && (n.Space == "" || strings.HasSuffix(n.Space, "xlink")):
		if !inlineImage(a.Value) {
			return false, fmt.Errorf("<image> links to %.40q: only an inline image (data:image/png;base64,...) is allowed in a report figure", a.Value)
		}
		return true, nil
	case n.Space != "" || !svgAttributes[n.Local]:
		return false, fmt.Errorf("attribute %s of <%s> is not allowed in a report figure", attrName(n), el)
	}
	v := strings.ToLower(a.Value)
	for i := 0; ; {
		j := strings.Index(v[i:], "url(")
		if j < 0 {
			break
		}
		i += j + len("url(")
		if !strings.HasPrefix(strings.TrimLeft(v[i:], ` "'`), "#") {
			return false, fmt.Errorf("attribute %s of <%s> loads %q: only references inside the figure (url(#id)) are allowed", n.Local, el, a.Value)
		}
	}
	for _, bad := range []string{"javascript:", "@import", "expression("} {
		if strings.Contains(v, bad) {
			return false, fmt.Errorf("attribute %s of <%s> holds %q, which is not allowed in a report figure", n.Local, el, bad)
		}
	}
	return true, nil
}

func hasAttr(attrs []xml.Attr, local string) bool {
	for _, a := range attrs {
		if a.Name.Local == local {
			return true
		}
	}
	return false
}

func attrName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// escapeText writes s escaped for text inside an HTML-embedded SVG.
func escapeText(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
}

// escapeAttr writes s escaped for a double-quoted attribute value.
func escapeAttr(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
}
