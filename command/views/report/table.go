package report

import (
	"html/template"
	"strconv"
	"strings"
)

// table is one table of the page, rendered by HTML: written by hand
// rather than by the template, which is too slow for 10,000 rows (every
// text still goes through template.HTMLEscapeString).
type table struct {
	ID        string // unique in the page
	Class     string
	Sortable  bool
	Tall      bool // in a scrolling box of limited height
	Collapsed bool // in a closed <details>, its summary saying Summary
	Summary   string
	Head      []column
	Rows      []row
}

type column struct {
	Text   string
	Num    bool // numbers: right-aligned, sorted numerically
	NoSort bool // not sortable even in a sortable table
}

type row struct {
	Class string
	Cells []cell
}

// cell is one table cell; both Text and Details empty: a blank.
type cell struct {
	Text    string
	V       string // the exact value for sorting, when Text is rounded
	Details string // a <details> body (preformatted) under the summary Text
}

// HTML renders the table.
func (t *table) HTML() template.HTML {
	var b strings.Builder
	b.Grow(256 + len(t.Rows)*24*(len(t.Head)+1))
	esc := template.HTMLEscapeString
	if t.Collapsed {
		b.WriteString(`<details class="` + esc(t.Class) + `"><summary>` + esc(t.Summary) + "</summary>\n")
	}
	b.WriteString(`<div class="scroll`)
	if t.Tall {
		b.WriteString(" tall")
	}
	b.WriteString(`"><table id="` + esc(t.ID) + `" class="` + esc(t.Class))
	if t.Sortable {
		b.WriteString(" sortable")
	}
	b.WriteString("\">\n<thead><tr>")
	for _, c := range t.Head {
		b.WriteString(`<th scope="col"`)
		if t.Sortable && !c.NoSort {
			typ := "str"
			if c.Num {
				typ = "num"
			}
			b.WriteString(` data-type="` + typ + `"><button type="button">` + esc(c.Text) + "</button></th>")
		} else {
			b.WriteString(">" + esc(c.Text) + "</th>")
		}
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows {
		if r.Class != "" {
			b.WriteString(`<tr class="` + esc(r.Class) + `">`)
		} else {
			b.WriteString("<tr>")
		}
		for _, c := range r.Cells {
			if c.V != "" {
				b.WriteString(`<td data-v="` + esc(c.V) + `">`)
			} else {
				b.WriteString("<td>")
			}
			if c.Details != "" {
				b.WriteString("<details><summary>" + esc(c.Text) + "</summary><pre>" + esc(c.Details) + "</pre></details>")
			} else {
				b.WriteString(esc(c.Text))
			}
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table></div>")
	if t.Collapsed {
		b.WriteString("\n</details>")
	}
	return template.HTML(b.String())
}

// numericCSS returns the CSS rule that right-aligns the numeric columns of
// tables, in a monospace font ("" when none has one).
func numericCSS(tables []*table) string {
	var sel []string
	for _, t := range tables {
		if t == nil {
			continue
		}
		for i, c := range t.Head {
			if c.Num {
				sel = append(sel, "#"+t.ID+" td:nth-child("+strconv.Itoa(i+1)+")")
			}
		}
	}
	if len(sel) == 0 {
		return ""
	}
	return strings.Join(sel, ",\n") + " { text-align: right; white-space: nowrap; font-family: ui-monospace, \"Liberation Mono\", Menlo, Consolas, monospace; }\n"
}
