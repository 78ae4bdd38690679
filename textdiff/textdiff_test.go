package textdiff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The expected outputs were produced by GNU diffutils 3.8 with
// "diff -u --label old --label new".
var unifiedTests = []struct {
	name       string
	a, b, want string
}{
	{name: "both empty"},
	{name: "identical", a: "a\nb\n", b: "a\nb\n"},
	{name: "identical without final newline", a: "a\nb", b: "a\nb"},
	{
		name: "empty to lines",
		a:    "",
		b:    "a\nb\n",
		want: `--- old
+++ new
@@ -0,0 +1,2 @@
+a
+b
`,
	},
	{
		name: "lines to empty",
		a:    "a\nb\n",
		b:    "",
		want: `--- old
+++ new
@@ -1,2 +0,0 @@
-a
-b
`,
	},
	{
		name: "one line changed",
		a:    "a\n",
		b:    "b\n",
		want: `--- old
+++ new
@@ -1 +1 @@
-a
+b
`,
	},
	{
		name: "change in the middle",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
		b:    "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
		want: `--- old
+++ new
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+five
 6
 7
 8
`,
	},
	{
		name: "insert at start",
		a:    "1\n2\n3\n4\n5\n6\n7\n",
		b:    "0\n1\n2\n3\n4\n5\n6\n7\n",
		want: `--- old
+++ new
@@ -1,3 +1,4 @@
+0
 1
 2
 3
`,
	},
	{
		name: "append at end",
		a:    "1\n2\n3\n4\n5\n6\n7\n",
		b:    "1\n2\n3\n4\n5\n6\n7\n8\n",
		want: `--- old
+++ new
@@ -5,3 +5,4 @@
 5
 6
 7
+8
`,
	},
	{
		name: "delete lines",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
		b:    "1\n2\n3\n7\n8\n9\n",
		want: `--- old
+++ new
@@ -1,9 +1,6 @@
 1
 2
 3
-4
-5
-6
 7
 8
 9
`,
	},
	{
		name: "old lacks final newline",
		a:    "a\nb\nc",
		b:    "a\nb\nd\n",
		want: `--- old
+++ new
@@ -1,3 +1,3 @@
 a
 b
-c
\ No newline at end of file
+d
`,
	},
	{
		name: "new lacks final newline",
		a:    "a\nb\nc\n",
		b:    "a\nb\nd",
		want: `--- old
+++ new
@@ -1,3 +1,3 @@
 a
 b
-c
+d
\ No newline at end of file
`,
	},
	{
		name: "both lack final newline",
		a:    "a\nb\nc",
		b:    "a\nb\nd",
		want: `--- old
+++ new
@@ -1,3 +1,3 @@
 a
 b
-c
\ No newline at end of file
+d
\ No newline at end of file
`,
	},
	{
		name: "only final newline differs",
		a:    "a\nb\nc",
		b:    "a\nb\nc\n",
		want: `--- old
+++ new
@@ -1,3 +1,3 @@
 a
 b
-c
\ No newline at end of file
+c
`,
	},
	{
		name: "context line lacks final newline",
		a:    "1\n2\n3\n4\n5",
		b:    "1\n2\nthree\n4\n5",
		want: `--- old
+++ new
@@ -1,5 +1,5 @@
 1
 2
-3
+three
 4
 5
\ No newline at end of file
`,
	},
	{
		name: "changes 6 lines apart share a hunk",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
		b:    "1\n2\n3\n4\nx\n6\n7\n8\n9\n10\n11\ny\n13\n14\n15\n16\n17\n18\n19\n20\n",
		want: `--- old
+++ new
@@ -2,14 +2,14 @@
 2
 3
 4
-5
+x
 6
 7
 8
 9
 10
 11
-12
+y
 13
 14
 15
`,
	},
	{
		name: "changes 7 lines apart split",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
		b:    "1\n2\n3\n4\nx\n6\n7\n8\n9\n10\n11\n12\ny\n14\n15\n16\n17\n18\n19\n20\n",
		want: `--- old
+++ new
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+x
 6
 7
 8
@@ -10,7 +10,7 @@
 10
 11
 12
-13
+y
 14
 15
 16
`,
	},
	{
		name: "several hunks",
		a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n21\n22\n23\n24\n25\n26\n27\n28\n29\n30\n31\n32\n33\n34\n35\n36\n37\n38\n39\n40\n",
		b:    "first\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\nmiddle\n20\n21\n22\n23\n24\n25\n26\n27\n28\n29\n30\n31\n32\n33\n34\n35\n36\n37\n38\n39\n",
		want: `--- old
+++ new
@@ -1,4 +1,4 @@
-1
+first
 2
 3
 4
@@ -17,6 +17,7 @@
 17
 18
 19
+middle
 20
 21
 22
@@ -37,4 +38,3 @@
 37
 38
 39
-40
`,
	},
	{
		name: "closing brace stays context",
		a:    "{\n  a;\n}\n{\n  b;\n}\n",
		b:    "{\n  a;\n}\n{\n  x;\n}\n{\n  b;\n}\n",
		want: `--- old
+++ new
@@ -2,5 +2,8 @@
   a;
 }
 {
+  x;
+}
+{
   b;
 }
`,
	},
	{
		name: "repeated block removed",
		a:    "x\ny\nx\ny\n",
		b:    "x\ny\n",
		want: `--- old
+++ new
@@ -1,4 +1,2 @@
 x
 y
-x
-y
`,
	},
	{
		name: "horizon",
		a:    "b\na\n",
		b:    "a\nb\na\na\n",
		want: `--- old
+++ new
@@ -1,2 +1,4 @@
+a
 b
 a
+a
`,
	},
	{
		name: "confusing lines",
		a:    ".\na\na\na\n.\n.\n",
		b:    "a\nc\nc\nc\na\nd\n",
		want: `--- old
+++ new
@@ -1,6 +1,6 @@
-.
 a
+c
+c
+c
 a
-a
-.
-.
+d
`,
	},
	{
		name: "blank lines",
		a:    "a\n\nb\n",
		b:    "a\nb\n\n",
		want: `--- old
+++ new
@@ -1,3 +1,3 @@
 a
-
 b
+
`,
	},
	{
		name: "crlf lines",
		a:    "a\r\nb\r\nc\r\n",
		b:    "a\r\nB\r\nc\r\n",
		want: "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n",
	},
	{
		name: "everything replaced",
		a:    "a\nb\nc\n",
		b:    "x\ny\n",
		want: `--- old
+++ new
@@ -1,3 +1,2 @@
-a
-b
-c
+x
+y
`,
	},
}

func TestUnified(t *testing.T) {
	for _, tt := range unifiedTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unified("old", "new", []byte(tt.a), []byte(tt.b))
			if got != tt.want {
				t.Errorf("Unified(%q, %q) =\n%s\nwant\n%s", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// TestUnifiedAppliesBack checks on random inputs that applying the diff of
// a and b to a gives b, and that the hunks are well formed.
func TestUnifiedAppliesBack(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		a, b := randomPair(r)
		d := Unified("a", "b", a, b)
		if bytes.Equal(a, b) != (d == "") {
			t.Fatalf("case %d: Unified(%q, %q) = %q: empty iff equal", i, a, b, d)
		}
		got, err := apply(a, d)
		if err != nil {
			t.Fatalf("case %d: applying the diff of %q and %q: %v\n%s", i, a, b, err, d)
		}
		if !bytes.Equal(got, b) {
			t.Fatalf("case %d: applying the diff of %q and %q gives %q\n%s", i, a, b, got, d)
		}
	}
}

// TestUnifiedMatchesGNU compares Unified with the diff program, when it is
// GNU diff, on random inputs.
func TestUnifiedMatchesGNU(t *testing.T) {
	out, err := exec.Command("diff", "--version").Output()
	if err != nil || !bytes.Contains(out, []byte("GNU diffutils")) {
		t.Skip("GNU diff is not available")
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	r := rand.New(rand.NewPCG(3, 4))
	n := 300
	if testing.Short() {
		n = 30
	}
	for i := range n {
		a, b := randomPair(r)
		if i%10 == 0 {
			// Long inputs, where GNU's thresholds for repeated lines differ.
			a, b = randomLongPair(r)
		}
		if err := os.WriteFile(pa, a, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pb, b, 0o644); err != nil {
			t.Fatal(err)
		}
		// diff exits with 1 when the files differ.
		want, _ := exec.Command("diff", "-u", "--label", "a", "--label", "b", pa, pb).Output()
		if got := Unified("a", "b", a, b); got != string(want) {
			t.Fatalf("case %d: Unified(%s, %s) =\n%s\nGNU diff:\n%s", i, brief(a), brief(b), got, want)
		}
	}
}

// TestUnifiedTooExpensive diffs two unrelated files of many lines with
// many matches, where the search gives up minimality as GNU diff's does.
func TestUnifiedTooExpensive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	text := func(n int) []byte {
		var buf bytes.Buffer
		for range n {
			fmt.Fprintf(&buf, "%d\n", r.IntN(20))
		}
		return buf.Bytes()
	}
	a, b := text(12000), text(10000)
	d := Unified("a", "b", a, b)
	if got, err := apply(a, d); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("the diff does not apply: %v", err)
	}
	out, err := exec.Command("diff", "--version").Output()
	if err != nil || !bytes.Contains(out, []byte("GNU diffutils")) {
		t.Skip("GNU diff is not available")
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(pa, a, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pb, b, 0o644); err != nil {
		t.Fatal(err)
	}
	want, _ := exec.Command("diff", "-u", "--label", "a", "--label", "b", pa, pb).Output()
	if d != string(want) {
		t.Errorf("Unified differs from GNU diff (%d and %d bytes)", len(d), len(want))
	}
}

// brief quotes x, or only tells its size when it is long.
func brief(x []byte) string {
	if len(x) > 200 {
		return fmt.Sprintf("<%d bytes>", len(x))
	}
	return strconv.Quote(string(x))
}

// TestUnifiedLargeSimilar diffs two long files that differ in a few places
// and checks that memory stays linear in the input size.
func TestUnifiedLargeSimilar(t *testing.T) {
	const n = 200_000
	var a, b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&a, "line %d\n", i)
		switch {
		case i%40_000 == 7:
			fmt.Fprintf(&b, "changed %d\n", i)
		case i%40_000 == 20_000:
			// deleted
		default:
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := Unified("a", "b", a.Bytes(), b.Bytes())
	runtime.ReadMemStats(&after)

	if got := strings.Count(d, "\n@@ "); got != 10 {
		t.Errorf("got %d hunks, want 10:\n%s", got, d)
	}
	// A quadratic table would take tens of gigabytes; the linear
	// algorithm needs a small multiple of the input.
	input := uint64(a.Len() + b.Len())
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32*input {
		t.Errorf("allocated %d bytes for %d bytes of input", alloc, input)
	}
	if got, err := apply(a.Bytes(), d); err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Errorf("the diff does not apply: %v", err)
	}
}

func BenchmarkUnifiedLargeSimilar(b *testing.B) {
	var x, y bytes.Buffer
	for i := range 100_000 {
		fmt.Fprintf(&x, "line %d\n", i)
		if i%1000 == 0 {
			fmt.Fprintf(&y, "changed %d\n", i)
		} else {
			fmt.Fprintf(&y, "line %d\n", i)
		}
	}
	for b.Loop() {
		Unified("a", "b", x.Bytes(), y.Bytes())
	}
}

// randomPair returns two short texts over a small set of lines, often the
// second an edit of the first, sometimes without a final newline.
func randomPair(r *rand.Rand) (a, b []byte) {
	alphabet := 1 + r.IntN(8)
	line := func() string { return string(rune('a'+r.IntN(alphabet))) + "\n" }
	as := make([]string, r.IntN(30))
	for i := range as {
		as[i] = line()
	}
	var bs []string
	if r.IntN(4) == 0 {
		bs = make([]string, r.IntN(30))
		for i := range bs {
			bs[i] = line()
		}
	} else {
		bs = append(bs, as...)
		for range 1 + r.IntN(4) {
			p := r.IntN(len(bs) + 1)
			if p < len(bs) && r.IntN(2) == 0 {
				bs = append(bs[:p], bs[p+1:]...)
			} else {
				bs = append(bs[:p], append([]string{line()}, bs[p:]...)...)
			}
		}
	}
	return join(r, as), join(r, bs)
}

// randomLongPair returns two long texts with many repeated lines, the
// second an edit of the first.
func randomLongPair(r *rand.Rand) (a, b []byte) {
	distinct := 1 + r.IntN(500)
	line := func() string {
		switch r.IntN(4) {
		case 0:
			return "\n"
		case 1:
			return "}\n"
		}
		return "line " + strconv.Itoa(r.IntN(distinct)) + "\n"
	}
	as := make([]string, 500+r.IntN(2000))
	for i := range as {
		as[i] = line()
	}
	bs := append([]string(nil), as...)
	for range 1 + r.IntN(30) {
		p, k := r.IntN(len(bs)+1), r.IntN(20)
		if p < len(bs) && r.IntN(2) == 0 {
			bs = append(bs[:p], bs[min(p+k, len(bs)):]...)
			continue
		}
		// Inserted text mixes lines new to the file, which GNU diff sets
		// aside before its search, with frequent ones, which it may set
		// aside with them.
		ins := make([]string, k)
		for i := range ins {
			ins[i] = line()
			if r.IntN(2) == 0 {
				ins[i] = "new " + strconv.Itoa(r.IntN(1000)) + "\n"
			}
		}
		bs = append(bs[:p], append(ins, bs[p:]...)...)
	}
	return join(r, as), join(r, bs)
}

// join concatenates lines, dropping the final newline one time in four.
func join(r *rand.Rand, lines []string) []byte {
	s := strings.Join(lines, "")
	if s != "" && r.IntN(4) == 0 {
		s = s[:len(s)-1]
	}
	return []byte(s)
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// apply applies a unified diff made by Unified to a, checking that every
// context and deleted line matches a, that the line counts agree with the
// hunk headers, and that hunks come in order without touching.
func apply(a []byte, diff string) ([]byte, error) {
	if diff == "" {
		return a, nil
	}
	old := splitLines(a)
	lines := strings.SplitAfter(diff, "\n")
	if lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("diff does not end in a newline")
	}
	lines = lines[:len(lines)-1]
	if len(lines) < 3 || lines[0] != "--- a\n" || lines[1] != "+++ b\n" {
		return nil, fmt.Errorf("bad headers")
	}
	lines = lines[2:]

	var out []string
	next := 0 // index in old of the first line not yet copied
	for len(lines) > 0 {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(lines[0], "\n"))
		if m == nil {
			return nil, fmt.Errorf("bad hunk header %q", lines[0])
		}
		lines = lines[1:]
		start, count := hunkRangeOf(m[1], m[2])
		_, newCount := hunkRangeOf(m[3], m[4])
		if count == 0 {
			start++ // an empty range gives the line before it
		}
		if start-1 < next || (next > 0 && start-1 == next) {
			return nil, fmt.Errorf("hunk at line %d overlaps or touches the previous one", start)
		}
		out = append(out, old[next:start-1]...)
		next = start - 1
		var nOld, nNew int
		for len(lines) > 0 && !strings.HasPrefix(lines[0], "@@") {
			l := lines[0]
			lines = lines[1:]
			text := l[1:]
			if len(lines) > 0 && lines[0] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				lines = lines[1:]
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(old) || old[next] != text {
					return nil, fmt.Errorf("line %d: %q does not match %q", next+1, l, old[min(next, len(old)-1)])
				}
				next++
				nOld++
				if l[0] == ' ' {
					out = append(out, text)
					nNew++
				}
			case '+':
				out = append(out, text)
				nNew++
			default:
				return nil, fmt.Errorf("bad line %q", l)
			}
		}
		if nOld != count || nNew != newCount {
			return nil, fmt.Errorf("hunk %q has %d old and %d new lines", m[0], nOld, nNew)
		}
	}
	out = append(out, old[next:]...)
	return []byte(strings.Join(out, "")), nil
}

func hunkRangeOf(start, count string) (int, int) {
	s, _ := strconv.Atoi(start)
	if count == "" {
		return s, 1
	}
	c, _ := strconv.Atoi(count)
	return s, c
}
