// Package textdiff computes line-based unified diffs in process, in the
// format of GNU "diff -u".
//
// Contract:
//   - Unified compares its inputs line by line. A line is a run of bytes
//     ending in '\n' or, for the last line only, at the end of the input; a
//     last line without '\n' differs from the same text with one, and is
//     followed in the output by the marker "\ No newline at end of file".
//   - The output has the headers "--- oldName" and "+++ newName" (no
//     timestamps), then hunks with 3 lines of context; changes separated by
//     at most 6 unchanged lines share a hunk. Hunk headers are
//     "@@ -l,n +l,n @@" with GNU's conventions: ",n" is left out when n is
//     1, and an empty range is written "l,0" where l is the line before it.
//   - Identical inputs give "", and any other pair gives a diff that turns
//     a into b when applied (by patch, for instance).
//   - The lines chosen as changed are those GNU diff (diffutils 3.8) chooses
//     for "diff -u": the same analysis is reproduced step by step (see
//     analyze.go), so the output is byte for byte that of
//     "diff -u --label oldName --label newName" (for text, that is: GNU
//     diff reports inputs holding NUL bytes as binary instead), which the
//     tests check against the diff program on random inputs.
//   - The search is Myers' O(ND) algorithm in its linear-space form, so
//     memory is linear in the input size. As in GNU diff, it gives up
//     minimality once the edit cost passes about the square root of the
//     input size (at least 4096), which bounds the time on large inputs
//     with many differences; the diff is then longer than necessary, never
//     wrong.
//   - Only the standard library is used, and nothing here touches files.
package textdiff

import (
	"bytes"
	"strconv"
	"strings"
)

// contextLines is the number of unchanged lines shown around each change.
const contextLines = 3

// Unified returns a unified diff of a and b with 3 lines of context, with
// headers "--- oldName" and "+++ newName", and "@@ -l,n +l,n @@" hunk
// headers exactly as GNU diff -u prints them (including the
// "\ No newline at end of file" marker when a side lacks a final newline).
// It returns "" when a == b.
func Unified(oldName, newName string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	ax, bx := intern(al, bl)
	edits := diff(ax, bx)

	var sb strings.Builder
	sb.WriteString("--- " + oldName + "\n")
	sb.WriteString("+++ " + newName + "\n")
	for len(edits) > 0 {
		// A hunk takes edits while the gap of unchanged lines to the next
		// one is at most 2*contextLines, so their contexts touch or overlap.
		n := 1
		for n < len(edits) && edits[n].a-edits[n-1].aEnd() <= 2*contextLines {
			n++
		}
		writeHunk(&sb, al, bl, edits[:n])
		edits = edits[n:]
	}
	return sb.String()
}

// An edit replaces the lines a[a:a+del] by b[b:b+ins].
type edit struct {
	a, b     int
	del, ins int
}

func (e edit) aEnd() int { return e.a + e.del }
func (e edit) bEnd() int { return e.b + e.ins }

// writeHunk writes one hunk holding the given edits and their context.
func writeHunk(sb *strings.Builder, al, bl []string, edits []edit) {
	first, last := edits[0], edits[len(edits)-1]
	// Before the first edit and after the last one the inputs agree, so
	// the context has the same length on both sides.
	before := min(contextLines, first.a)
	after := min(contextLines, len(al)-last.aEnd())
	a0, a1 := first.a-before, last.aEnd()+after
	b0, b1 := first.b-before, last.bEnd()+after

	sb.WriteString("@@ -" + hunkRange(a0, a1) + " +" + hunkRange(b0, b1) + " @@\n")
	i := a0
	for _, e := range edits {
		writeLines(sb, ' ', al[i:e.a])
		writeLines(sb, '-', al[e.a:e.aEnd()])
		writeLines(sb, '+', bl[e.b:e.bEnd()])
		i = e.aEnd()
	}
	writeLines(sb, ' ', al[i:a1])
}

// hunkRange formats the 0-based half-open line range [start,end) the way
// GNU diff -u does.
func hunkRange(start, end int) string {
	switch end - start {
	case 0:
		// GNU prints the line before the empty range, which patch
		// relies on to recognize diffs against empty files.
		return strconv.Itoa(start) + ",0"
	case 1:
		return strconv.Itoa(start + 1)
	default:
		return strconv.Itoa(start+1) + "," + strconv.Itoa(end-start)
	}
}

func writeLines(sb *strings.Builder, prefix byte, lines []string) {
	for _, l := range lines {
		sb.WriteByte(prefix)
		sb.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// splitLines splits s after each '\n'. The last line lacks the '\n' when s
// does not end in one; an empty s has no lines.
func splitLines(s []byte) []string {
	lines := make([]string, 0, bytes.Count(s, []byte{'\n'})+1)
	for len(s) > 0 {
		n := bytes.IndexByte(s, '\n') + 1
		if n == 0 {
			n = len(s)
		}
		lines = append(lines, string(s[:n]))
		s = s[n:]
	}
	return lines
}

// intern numbers the distinct lines of both inputs, so that the diff
// compares integers rather than strings.
func intern(al, bl []string) (ax, bx []int) {
	ids := make(map[string]int, len(al))
	number := func(lines []string) []int {
		xs := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			xs[i] = id
		}
		return xs
	}
	return number(al), number(bl)
}
